"""What every block reads: the model's timing, the resolved assumptions and the graph being built,
plus the few helpers that more than one schedule needs (time in service, allocation shares, sums
over vintages, unit running costs, tax).

Money rows are in the model's money unit; unit prices stay in whole currency units, converted
with ``scale``. A period's purchases are in service for a fraction ``first_fraction`` of it (½ for
``mid_period``, 1 for ``start_of_period``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ...schema import USES, CompanyModel
from .._inputs import Assumptions
from .._ir import Axis, Const, Expr, Graph, Number, Ref, if_, le, maximum, total
from .._keys import Key, RowId, row_id
from .._prices import bought_generations, middles, vintage_dates
from .._ranges import sum_product
from ..presentation import Schedule

HOURS_PER_YEAR = 8760.0


@dataclass(frozen=True)
class Vintage:
    """Assets bought in one period of the timeline, or in one fiscal year before it (``column`` None)."""

    label: str
    column: int | None
    in_service: float
    """Decimal year the purchase entered service."""

    @property
    def opening(self) -> bool:
        return self.column is None

    @property
    def first_column(self) -> int:
        """The first period in which the vintage is on the books."""
        return 0 if self.column is None else self.column


class Context:
    """The shared state of one graph definition; blocks add rows through :meth:`add`."""

    def __init__(self, assumptions: Assumptions) -> None:
        self.assumptions = assumptions
        self.model: CompanyModel = assumptions.model
        timeline = self.model.projected_timeline
        self.periods = self.model.projected_labels
        self.count = len(self.periods)
        self.declared_count = len(self.model.timeline.labels)
        """Periods of the declared timeline; the rest are run-off (no new CapEx)."""
        self.starts = timeline.starts
        self.middles = middles(self.model)
        """The middle of each period, where market prices are read."""
        self.step = timeline.period_years
        self.first_fraction = timeline.first_period_fraction
        self.hours = HOURS_PER_YEAR * self.step
        self.scale = self.model.money_scale
        self.money = f"{self.model.company.currency} {self.model.company.money_unit}"
        self.generations = self.model.generations_in_fleet()
        self.physical_life = {g: self.model.gpus[g].physical_life_years for g in self.generations}
        """Physical life of each generation in the fleet (years), read at every vintage and period."""
        self.cohort_generations = self.model.generations_used()
        """Generations with a representative cohort: those the plan buys inside the timeline."""
        self.classes = list(self.model.asset_classes)
        assets = self.model.asset_classes
        self.accelerator_classes = [c for c, a in assets.items() if a.buys_accelerators]
        self.other_classes = [c for c, a in assets.items() if not a.buys_accelerators and a.scope == "ai"]
        """AI assets shared by all capacity (buildings, land): attributed to leasing by its share of IT power."""
        self.non_ai_classes = [c for c, a in assets.items() if a.scope == "other"]
        self.vintages = self._vintages()
        self._bought = bought_generations(self.model)
        # Read at every vintage and period of the blocks' sums: built once, and shared by every formula.
        self._costs = {(v.label, c): self._cost(v, c) for v in self.vintages for c in self.classes}
        self._gpu_mixes = {(v.label, g): self._gpu_mix(v, g) for v in self.vintages for g in self.generations}
        self._shares_by_demand = {
            (g, use): Key("share_by_demand", generation=g, use=use).ref() for g in self.generations for use in USES
        }
        demand = self.model.demand
        self.internal_demand = demand.internal is not None
        """Internal demand is declared: it sets the uses of capacity in place of the allocation's shares."""
        self.clears = demand.clears
        """External demand is declared: leased hours billed are the lesser of supply and that demand."""
        self.spot_responds = "spot_price_elasticity" in assumptions.rows
        """A spot price elasticity is declared (an input then): the spot price responds to the demand gap."""
        self.graph = Graph()
        self.graph.add_axis(Axis("period", self.periods))
        self.graph.add_axis(Axis("scalar", ("value",)))
        for axis, labels in assumptions.cohort_axes.items():
            self.graph.add_axis(Axis(axis, labels))
        for row in assumptions.rows.values():
            self.graph.add_input(row.key, row.axis, label=row.label, unit=row.unit, group=Schedule.ASSUMPTIONS)

    def add(
        self,
        key: RowId,
        expr: Expr | Number | Sequence[Expr | Number],
        *,
        label: str,
        unit: str,
        schedule: Schedule,
        axis: str = "period",
    ) -> Ref:
        """Define a calculated row by one expression, or one expression per column."""
        return self.graph.add(key, axis, expr, label=label, unit=unit, group=schedule)

    def add_summary(self, key: RowId, expr: Expr | Number, *, label: str, unit: str) -> Ref:
        """Define a single-value result on the Summary schedule."""
        return self.add(key, expr, label=label, unit=unit, schedule=Schedule.SUMMARY, axis="scalar")

    # ------------------------------------------------------------------ vintages and time in service

    def _vintages(self) -> list[Vintage]:
        return [Vintage(label, column, in_service) for label, column, in_service in vintage_dates(self.model)]

    def age_at_start(self, vintage: Vintage, column: int) -> float:
        """Years a vintage has been in service when ``column`` begins."""
        if vintage.column is None:
            return self.starts[column] - vintage.in_service
        if column <= vintage.column:
            return 0.0
        return (column - vintage.column - 1 + self.first_fraction) * self.step

    def years_in_service(self, vintage: Vintage, column: int) -> float:
        """Years of ``column`` during which a vintage can be in service."""
        return self.first_fraction * self.step if column == vintage.column else self.step

    def by_vintage(self, vintage: Vintage, build: Callable[[int], Expr]) -> list[Expr]:
        """Per-column expressions of one vintage's row, zero before the vintage exists."""
        return [build(column) if column >= vintage.first_column else Const(0.0) for column in range(self.count)]

    def cost(self, vintage: Vintage, asset_class: str) -> Expr | None:
        """What a vintage of a class cost (money unit; an input of ``opening.vintages``, or gross cost × the
        year's share of an opening balance); ``None`` when nothing of the class was bought then."""
        return self._costs[(vintage.label, asset_class)]

    def gpu_mix(self, vintage: Vintage, generation: str) -> Expr:
        """The share of a vintage's accelerator cost that bought a generation."""
        return self._gpu_mixes[(vintage.label, generation)]

    def _cost(self, vintage: Vintage, asset_class: str) -> Expr | None:
        if vintage.column is not None:
            return Key("capex", asset_class=asset_class).ref(at=vintage.column)
        if asset_class not in self.model.opening.classes_in(vintage.label):
            return None
        return Key("opening_cost", asset_class=asset_class, vintage=vintage.label).ref()

    def _gpu_mix(self, vintage: Vintage, generation: str) -> Expr:
        if vintage.column is not None:
            return Key("gpu_mix", generation=generation).ref(at=vintage.column)
        key = Key("opening_gpu_mix", generation=generation, vintage=vintage.label)
        return key.ref() if key.id in self.assumptions.rows else Const(0.0)

    def buys(self, vintage: Vintage, generation: str) -> bool:
        """Whether a vintage bought any of a generation (structural: GPU mixes are fixed per graph)."""
        return generation in self._bought[vintage.label]

    def alive(self, generation: str, vintage: Vintage, column: int) -> bool:
        """A generation's units of a vintage are in service when ``column`` begins (structural)."""
        return self.age_at_start(vintage, column) < self.physical_life[generation] - 1e-9

    def retiring(self, generation: str, vintage: Vintage, column: int) -> bool:
        """A generation's units of a vintage reach their physical life during ``column`` (structural)."""
        life = self.physical_life[generation]
        age = self.age_at_start(vintage, column)
        return age < life - 1e-9 and age + self.years_in_service(vintage, column) >= life - 1e-9

    # ------------------------------------------------------------------ sums over vintages

    def over_vintages_to_date(self, term: Callable[[Vintage, int], Expr]) -> list[Expr]:
        """Per period ``t``, Σ over the vintages on the books by then of ``term(vintage, t)``."""
        return [
            total(term(vintage, t) for vintage in self.vintages if vintage.first_column <= t) for t in range(self.count)
        ]

    def over(self, items: Iterable[RowId | Expr]) -> Expr:
        """Σ of several rows (by key, in the same column) or expressions."""
        return total(item if isinstance(item, Expr) else Ref(row_id(item)) for item in items)

    def over_horizon(self, key: RowId) -> Expr:
        """A period row summed over the verdict's horizon (periods where ``in_horizon`` is 1)."""
        return sum_product(((row_id(key), 0), ("in_horizon", 0)), self.count)

    # ------------------------------------------------------------------ allocation

    def share(self, generation: str, vintage: Vintage, column: int, use: str) -> Expr:
        """The share for ``use`` of a vintage in a column, its age bands weighted by time in each (with
        internal demand: the generation's share by demand, the same for every vintage)."""
        if self.internal_demand:
            return self._shares_by_demand[(generation, use)]
        return weighted(
            self.assumptions.allocation_inputs(generation, self.starts[column], self._span(vintage, column), use)
        )

    def billable_share(self, generation: str, vintage: Vintage, column: int) -> Expr:
        """Leased and billable share of a vintage: Σ over age bands of time × leased × billed (with internal
        demand: the generation's leased share by demand × the age bands' billed share)."""
        span, point = self._span(vintage, column), self.starts[column]
        if self.internal_demand:
            billable = weighted(self.assumptions.allocation_inputs(generation, point, span, "billed_share"))
            return self.share(generation, vintage, column, "leasing") * billable
        leased = self.assumptions.allocation_inputs(generation, point, span, "leasing")
        billed = self.assumptions.allocation_inputs(generation, point, span, "billed_share")
        return total(Ref(lease) * Ref(bill) * weight for (lease, weight), (bill, _) in zip(leased, billed, strict=True))

    def _span(self, vintage: Vintage, column: int) -> tuple[float, float]:
        age = self.age_at_start(vintage, column)
        return age, age + self.years_in_service(vintage, column)

    # ------------------------------------------------------------------ unit running costs

    def power_per_accelerator_hour(self, generation: str, price: Expr) -> Expr:
        """Electricity cost of one accelerator-hour (USD): kW × PUE × load factor × price."""
        kw = Key("power_kw_per_accelerator", generation=generation).ref()
        return kw * Ref("power_usage_effectiveness") * Ref("load_factor") * price

    def facility_per_accelerator_year(self, generation: str) -> Expr:
        """Facility cost of one accelerator for a year (USD): kW × cost per kW-month × 12."""
        return Key("power_kw_per_accelerator", generation=generation).ref() * Ref("facility_cost_usd_per_kw_month") * 12

    @staticmethod
    def capital_recovery(rate: Expr, years: Expr) -> Expr:
        """Level annual payment per unit of capital over ``years`` at ``rate`` (Excel ``-PMT(rate, n, 1)``)."""
        # Below 1e-9 the annuity formula loses its digits to cancellation; 1/years is its limit.
        return if_(le(rate, 1e-9), 1 / years, rate / (1 - (1 + rate) ** (-years)))

    def capital_employed(self, asset_class: str, vintage: Vintage, column: int) -> Expr:
        """Capital a vintage of a class ties up in a period: from when in service in the period it is
        bought, then its book value at the start of the period."""
        if column == vintage.column:
            cost = self.cost(vintage, asset_class)
            return self.first_fraction * cost if cost is not None else Const(0.0)
        return self.book_value_at_start(asset_class, vintage, column)

    def book_value_at_start(self, asset_class: str, vintage: Vintage, column: int) -> Expr:
        """Net book value when a period begins (zero for a vintage not yet bought or of nothing bought)."""
        if self.cost(vintage, asset_class) is None or column <= (vintage.column if vintage.column is not None else -1):
            return Const(0.0)
        key = Key("net_book_value", asset_class=asset_class, vintage=vintage.label)
        if column == 0:
            return Key("opening_book_value", asset_class=asset_class, vintage=vintage.label).ref()
        return key.ref(lag=1)

    def other_capital_employed(self) -> list[Expr]:
        """Per period, capital employed in the AI assets that do not buy accelerators (buildings, land)."""
        return [
            total(self.capital_employed(c, vintage, t) for c in self.other_classes for vintage in self.vintages)
            for t in range(self.count)
        ]

    # ------------------------------------------------------------------ tax

    def taxed(self, key: str, profit: Ref, label: str, schedule: Schedule) -> Ref:
        """Tax on a profit line: at the rate on any result (group relief), or on profit net of losses
        carried forward (a ``<key>_losses_carried`` row holds the unused losses)."""
        if self.model.financing.tax_losses == "group_relief":
            return self.add(
                key,
                profit * Ref("tax_rate"),
                label=f"{label} (losses relieve group tax)",
                unit=self.money,
                schedule=schedule,
            )
        carried = f"{key}_losses_carried"
        self.add(
            carried,
            maximum(0, Ref(carried, lag=1) - profit),
            label=f"Tax losses carried forward ({label.lower()})",
            unit=self.money,
            schedule=schedule,
        )
        return self.add(
            key,
            maximum(0, profit - Ref(carried, lag=1)) * Ref("tax_rate"),
            label=f"{label} (after losses carried forward)",
            unit=self.money,
            schedule=schedule,
        )


def weighted(inputs: list[tuple[str, float]]) -> Expr:
    """Σ of inputs × weights; a single input with weight 1 is the input itself."""
    if len(inputs) == 1 and inputs[0][1] == 1.0:
        return Ref(inputs[0][0])
    return total(Ref(name) * weight for name, weight in inputs)
