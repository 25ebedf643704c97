"""Draws of the demand block: internal demand, token demand, contracts sold and bought, and the spot
price's response to the gap, each part optional, sized to the fleets the strategies draw."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

from ..schema import ComputeContract, Demand, DemandPath, InternalDemand, TokenDemand
from ._draws import numbers


@st.composite
def demand_paths(draw: st.DrawFn, labels: Sequence[str], *, per_year: int = 1, largest: float = 1e5) -> DemandPath:
    """Figures for the first year's periods and some later ones, and growth from some periods on."""
    quantity = numbers(DemandPath, "by_period", (0, largest))
    first = list(labels[:per_year])
    later = draw(st.lists(st.sampled_from(list(labels)), unique=True, max_size=2)) if len(labels) > per_year else []
    given = [*first, *(label for label in later if label not in first)]
    growth = draw(st.lists(st.sampled_from(list(labels)), unique=True, max_size=2))
    return DemandPath(
        by_period={label: draw(quantity) for label in given},
        growth_per_year={label: draw(numbers(DemandPath, "growth_per_year", (-0.5, 2))) for label in growth},
    )


@st.composite
def demands(
    draw: st.DrawFn,
    labels: Sequence[str],
    held: Sequence[str],
    starts: Sequence[float],
    *,
    per_year: int = 1,
) -> Demand:
    """A demand block for a fleet holding ``held`` over periods ``labels`` (starting at ``starts``)."""
    internal = None
    if draw(st.booleans()):
        internal = InternalDemand(
            training=draw(demand_paths(labels, per_year=per_year)),
            inference=draw(demand_paths(labels, per_year=per_year)),
            not_leased=tuple(draw(st.lists(st.sampled_from(list(held)), unique=True, max_size=1))),
            lease_surplus_from=draw(st.none() | st.sampled_from([round(start + 0.25, 2) for start in starts])),
        )
    tokens = None
    if draw(st.booleans()):
        listed = draw(st.lists(st.sampled_from(list(held)), unique=True, max_size=2))
        intensity = numbers(TokenDemand, "h100_gpu_hours_per_billion", (1, 1000))
        tokens = TokenDemand(
            trillions=draw(demand_paths(labels, per_year=per_year, largest=1e5)),
            market_share=draw(numbers(TokenDemand, "market_share")),
            h100_gpu_hours_per_billion=draw(intensity),
            gpu_hours_per_billion={name: draw(intensity) for name in listed},
            serving_efficiency=draw(numbers(TokenDemand, "serving_efficiency", (0.05, 1))),
        )
    contracts = {}
    for index in range(draw(st.integers(0, 2))):
        side = draw(st.sampled_from(["sell", "buy"]))
        contracts[f"c{index + 1}"] = ComputeContract(
            counterparty=f"Customer {index + 1}",
            side=side,
            generation=draw(st.sampled_from(list(held)) if side == "sell" else st.none() | st.sampled_from(list(held))),
            accelerators=draw(numbers(ComputeContract, "accelerators", (1, 1e6))),
            price_usd_per_hour=draw(numbers(ComputeContract, "price_usd_per_hour", (0, 20))),
            start=draw(st.sampled_from([round(start + offset, 2) for start in starts for offset in (0, 0.5)])),
            term_years=draw(numbers(ComputeContract, "term_years", (0.5, 6))),
        )
    elasticity = draw(st.none() | numbers(Demand, "spot_price_elasticity", (0, 2)))
    return Demand(internal=internal, tokens=tokens, contracts=contracts, spot_price_elasticity=elasticity)
