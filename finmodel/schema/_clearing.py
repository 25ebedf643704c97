"""The demand side that decides how much capacity earns: the company's own need for compute
(internal demand), the market's (tokens), take-or-pay contracts, and how leased hours clear.

- **Internal demand** (H100-equivalent GPU-hours of useful work for training and for inference)
  is served by the fleet in a declared order (:data:`SERVING_ORDER`); what it leaves is the
  surplus offered for lease, in place of the allocation's fixed training / inference / leasing
  shares (their ``billed_share`` still applies).
- **Token demand** (tokens per period, GPU-hours per billion tokens by generation, a serving
  efficiency and a market share) and **contracts sold** (GPU-hours of a generation at their own
  price) are the external demand; leased hours billed are then the lesser of the leasable supply and
  that demand, generation by generation, and the gap is a line item.
- **Contracts bought** (capacity from another cloud) serve internal demand before the company's own
  fleet (they are paid for whether used or not); their cost is a P&L line.

Every part is optional; a model without ``demand`` is projected exactly as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Literal

from annotated_types import Ge, Gt, Le
from pydantic import Field, model_validator

from ._suggest import closest
from ._types import GrowthRate, HourlyPriceUsd, Number, PointInTime, Share, Sourced

if TYPE_CHECKING:
    from ._model import CompanyModel

PathKey = tuple[str | int, ...]

Quantity = Annotated[Number, Ge(0), Le(1e12)]
"""A non-negative amount of demand in a path's unit."""
Intensity = Annotated[Number, Gt(0), Le(1e6)]
"""GPU-hours per billion tokens (more than zero: token capacity divides by it)."""

SERVING_ORDER = (
    "Internal demand is served, period by period, first by capacity bought under contracts (inference first, "
    "then training), then by the generations in demand.internal.not_leased in catalogue order (inference first), "
    "then by the other generations newest first (latest available_from, ties in reverse catalogue order: "
    "training first, then inference), each up to its units in service × hours × internal.utilisation × "
    "relative_performance. Within a generation every vintage gives the same share, so the surplus of a "
    "generation is spread over its vintages pro rata."
)
"""The convention, in words, by which internal demand is served (also in the workbook's labels)."""


class DemandPath(Sourced):
    """A quantity by period: figures given at period labels, growth for the periods without one."""

    by_period: dict[str, Quantity] = Field(
        min_length=1,
        description=(
            "Figures by period label (a declared period, or a run-off period such as '2033 run-off'), in the "
            "unit of the field that holds the path."
        ),
    )
    growth_per_year: dict[str, GrowthRate] = Field(
        default_factory=dict,
        description=(
            "Growth from a period on, for periods without a figure: the same period a year earlier × (1 + growth); "
            "without a growth rate in force a period repeats the same period a year earlier (and reads 0 before "
            "the first figure). Carried into the run-off."
        ),
    )


class InternalDemand(Sourced):
    """The company's own need for compute; the capacity it leaves is the surplus offered for lease."""

    training: DemandPath = Field(
        description="Training need by period: millions of H100-equivalent GPU-hours of useful work in the period."
    )
    inference: DemandPath = Field(
        description="Inference need by period: millions of H100-equivalent GPU-hours of useful work in the period."
    )
    not_leased: tuple[str, ...] = Field(
        (),
        description=(
            "Generations kept in-house (custom chips nobody rents, such as MTIA): they serve internal demand before "
            "the rest of the fleet, and whatever they do not serve stays idle rather than being leased."
        ),
    )
    lease_surplus_from: PointInTime | None = Field(
        None,
        description=(
            "Date from which the surplus is offered for lease (a leasing business that starts later); before it the "
            "surplus stays idle. Default: from the start of the timeline."
        ),
    )


class TokenDemand(Sourced):
    """The market's demand for inference, in tokens, turned into GPU-hours of each generation."""

    trillions: DemandPath = Field(description="Tokens processed by the market in each period, in trillions.")
    market_share: Share = Field(
        1.0, description="Share of those tokens served on the company's leased capacity (default all)."
    )
    h100_gpu_hours_per_billion: Intensity = Field(
        description=(
            "H100 GPU-hours per billion output tokens at the benchmark's maximum throughput (reported-figures §3: "
            "126 for Llama-3.3-70B FP8). Generations not listed in gpu_hours_per_billion need this ÷ their "
            "relative_performance."
        )
    )
    gpu_hours_per_billion: dict[str, Intensity] = Field(
        default_factory=dict,
        description="GPU-hours per billion output tokens by generation, at the benchmark's maximum throughput.",
    )
    serving_efficiency: Annotated[Number, Gt(0), Le(1)] = Field(
        1.0,
        description=(
            "Throughput in service as a share of the benchmark's maximum (interactive serving, input tokens, "
            "model mix): GPU-hours needed are the benchmark's ÷ this."
        ),
    )


class ComputeContract(Sourced):
    """A take-or-pay contract for compute, sold to a customer or bought from another cloud."""

    counterparty: str = Field(min_length=1, max_length=100, description="Who the contract is with.")
    side: Literal["sell", "buy"] = Field(
        description=(
            "sell: the company delivers the hours from its leasable supply (external demand at the contract's "
            "price); buy: it buys the capacity (serves internal demand first; its cost is a P&L line)."
        )
    )
    generation: str | None = Field(
        None,
        description=(
            "Generation delivered (required for a contract sold, which draws on that generation's supply); for a "
            "contract bought without one, the hours are H100-equivalent hours."
        ),
    )
    accelerators: Annotated[Number, Gt(0), Le(1e8)] | None = Field(
        None, description="Capacity: accelerators dedicated for the term (× 8,760 hours a year). Or give gpu_hours."
    )
    gpu_hours: Annotated[Number, Gt(0), Le(1e8)] | None = Field(
        None, description="Or: millions of GPU-hours a year for the term."
    )
    price_usd_per_hour: HourlyPriceUsd = Field(description="Price per GPU-hour (US$).")
    start: PointInTime = Field(description="When the contract starts.")
    term_years: Annotated[Number, Gt(0), Le(30)] = Field(description="Term in years; hours accrue pro rata in time.")

    @model_validator(mode="after")
    def _one_quantity(self) -> ComputeContract:
        if (self.accelerators is None) == (self.gpu_hours is None):
            raise ValueError("give accelerators or gpu_hours (one of them)")
        if self.side == "sell" and self.generation is None:
            raise ValueError("a contract sold names the generation it is delivered on")
        return self

    @property
    def hours_per_year(self) -> float:
        """GPU-hours a year while the contract is in force."""
        if self.accelerators is not None:
            return self.accelerators * 8760.0
        assert self.gpu_hours is not None
        return self.gpu_hours * 1e6


class DemandSide(Sourced):
    """Internal demand, token demand, contracts and clearing: the fields of ``demand`` this module declares."""

    internal: InternalDemand | None = Field(
        None,
        description=(
            "The company's own need for compute; the leasable supply is the capacity it leaves, generation by "
            "generation, in place of the allocation's shares."
        ),
    )
    tokens: TokenDemand | None = Field(
        None, description="The market's demand for inference in tokens: external demand in GPU-hours."
    )
    contracts: dict[str, ComputeContract] = Field(
        default_factory=dict,
        description="Take-or-pay contracts by name: sold (external demand at their price) or bought (capacity).",
    )
    spot_price_elasticity: Annotated[Number, Ge(0), Le(5)] | None = Field(
        None,
        description=(
            "How spot prices respond to the supply–demand gap: each period's spot price × (1 + elasticity × gap "
            "÷ the larger of demand and supply), at least 0 (a gap of half the demand at elasticity 0.4 adds 20%). "
            "Applies to price tiers of term 0 on the spot curve, with token demand or contracts sold."
        ),
    )

    @property
    def clears(self) -> bool:
        """External demand is declared: leased hours clear against it."""
        return self.tokens is not None or any(c.side == "sell" for c in self.contracts.values())


def path_problems(model: CompanyModel, path: DemandPath, where: PathKey) -> Iterator[tuple[PathKey, str]]:
    """Figures and growth rates at projected periods; a quarterly path starts with a whole year."""
    labels = model.projected_labels
    for field in ("by_period", "growth_per_year"):
        for label in getattr(path, field):
            if label not in labels:
                close = closest(label, labels, cutoff=0.5)
                hint = f"; did you mean {close!r}?" if close else ""
                yield (*where, field, label), f"{label!r} is not a period ({labels[0]}..{labels[-1]}){hint}"
    per_year = model.timeline.periods_per_year
    given = sorted(labels.index(label) for label in path.by_period if label in labels)
    if per_year > 1 and given and given[:per_year] != list(range(given[0], given[0] + per_year)):
        first = labels[given[0]]
        yield (*where, "by_period", first), "a quarterly path starts with four consecutive quarters given"


def demand_side_problems(model: CompanyModel) -> Iterator[tuple[PathKey, str]]:
    """Paths at periods that exist, names of generations that exist, contracts sold on a generation held."""
    demand = model.demand
    known, held = list(model.gpus), model.generations_in_fleet()
    if demand.internal is not None:
        where: PathKey = ("demand", "internal")
        for use in ("training", "inference"):
            yield from path_problems(model, getattr(demand.internal, use), (*where, use))
        for position, name in enumerate(demand.internal.not_leased):
            if name not in known:
                yield (*where, "not_leased", position), _unknown(name, known)
    if demand.tokens is not None:
        yield from path_problems(model, demand.tokens.trillions, ("demand", "tokens", "trillions"))
        for name in demand.tokens.gpu_hours_per_billion:
            if name not in known:
                yield ("demand", "tokens", "gpu_hours_per_billion", name), _unknown(name, known)
    for name, contract in demand.contracts.items():
        where = ("demand", "contracts", name, "generation")
        generation = contract.generation
        if generation is not None and generation not in known:
            yield where, _unknown(generation, known)
        elif contract.side == "sell" and generation not in held:
            yield where, f"{generation} is not in the fleet: a contract sold is delivered from the company's own supply"


def _unknown(name: str, known: list[str]) -> str:
    close = closest(name, known)
    hint = f"; did you mean {close!r}?" if close else f"; known: {', '.join(known)}"
    return f"unknown GPU generation {name!r}{hint}"
