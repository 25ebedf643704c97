"""What every block reads: the model's timing, the resolved assumptions and the graph being built,
plus the few helpers that more than one schedule needs (time in service, allocation shares, sums
over vintages, unit running costs, tax).

Money rows are in the model's money unit; unit prices stay in whole currency units, converted
with ``scale``. A period's purchases are in service for a fraction ``first_fraction`` of it (½ for
``mid_period``, 1 for ``start_of_period``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from ...schema import CompanyModel
from .._inputs import Assumptions
from .._ir import Axis, Const, Expr, Graph, Number, Ref, if_, le, maximum, total
from .._keys import Key, RowId, row_id
from ..presentation import Schedule

HOURS_PER_YEAR = 8760.0


class Context:
    """The shared state of one graph definition; blocks add rows through :meth:`add`."""

    def __init__(self, assumptions: Assumptions) -> None:
        self.assumptions = assumptions
        self.model: CompanyModel = assumptions.model
        timeline = self.model.timeline
        self.periods = timeline.labels
        self.count = len(self.periods)
        self.starts = timeline.starts
        self.step = timeline.period_years
        self.first_fraction = timeline.first_period_fraction
        self.hours = HOURS_PER_YEAR * self.step
        self.scale = self.model.money_scale
        self.money = f"{self.model.company.currency} {self.model.company.money_unit}"
        self.generations = self.model.generations_used()
        self.classes = list(self.model.asset_classes)
        self.accelerator_classes = [c for c, a in self.model.asset_classes.items() if a.buys_accelerators]
        self.other_classes = [c for c in self.classes if c not in self.accelerator_classes]
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

    # ------------------------------------------------------------------ time in service

    def age_at_start(self, vintage: int, column: int) -> float:
        """Years a purchase of ``vintage`` has been in service when ``column`` begins."""
        if column <= vintage:
            return 0.0
        return (column - vintage - 1 + self.first_fraction) * self.step

    def years_in_service(self, vintage: int, column: int) -> float:
        """Years of ``column`` during which a purchase of ``vintage`` can be in service."""
        return self.first_fraction * self.step if column == vintage else self.step

    def by_vintage(self, vintage: int, build: Callable[[int], Expr]) -> list[Expr]:
        """Per-column expressions of one vintage's row, zero before the vintage exists."""
        return [build(column) if column >= vintage else Const(0.0) for column in range(self.count)]

    # ------------------------------------------------------------------ sums over vintages

    def over_vintages(self, term: Callable[[int, str], Expr]) -> Expr:
        """Σ over every vintage ``v`` (with its period label) of ``term(v, label)``."""
        return total(term(v, period) for v, period in enumerate(self.periods))

    def over_vintages_to_date(self, term: Callable[[int, int], Expr]) -> list[Expr]:
        """Per period ``t``, Σ over the vintages bought by then of ``term(v, t)``."""
        return [total(term(v, t) for v in range(t + 1)) for t in range(self.count)]

    def over_generations(self, term: Callable[[str], Expr]) -> Expr:
        """Σ over the generations bought of ``term(generation)``."""
        return total(term(g) for g in self.generations)

    def over(self, items: Iterable[RowId | Expr]) -> Expr:
        """Σ of several rows (by key, in the same column) or expressions."""
        return total(item if isinstance(item, Expr) else Ref(row_id(item)) for item in items)

    def over_horizon(self, key: RowId) -> Expr:
        """A period row summed over the verdict's horizon (periods where ``in_horizon`` is 1)."""
        return total(Ref(row_id(key), at=t) * Ref("in_horizon", at=t) for t in range(self.count))

    # ------------------------------------------------------------------ allocation

    def share(self, generation: str, vintage: int, column: int, use: str) -> Expr:
        """The share for ``use`` of a vintage in a column, its age bands weighted by time in each."""
        return weighted(
            self.assumptions.allocation_inputs(generation, self.starts[column], self._span(vintage, column), use)
        )

    def billable_share(self, generation: str, vintage: int, column: int) -> Expr:
        """Leased and billable share of a vintage: Σ over age bands of time × leased × billed."""
        span, point = self._span(vintage, column), self.starts[column]
        leased = self.assumptions.allocation_inputs(generation, point, span, "leasing")
        billed = self.assumptions.allocation_inputs(generation, point, span, "billed_share")
        return total(Ref(lease) * Ref(bill) * weight for (lease, weight), (bill, _) in zip(leased, billed, strict=True))

    def _span(self, vintage: int, column: int) -> tuple[float, float]:
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
    def blended_price(contract: Expr, spot: Expr) -> Expr:
        """Rental price across contracted and spot hours."""
        return Ref("contracted_share") * contract + (1 - Ref("contracted_share")) * spot

    @staticmethod
    def capital_recovery(rate: Expr, years: Expr) -> Expr:
        """Level annual payment per unit of capital over ``years`` at ``rate`` (Excel ``-PMT(rate, n, 1)``)."""
        # Below 1e-9 the annuity formula loses its digits to cancellation; 1/years is its limit.
        return if_(le(rate, 1e-9), 1 / years, rate / (1 - (1 + rate) ** (-years)))

    def other_capital_employed(self) -> Expr:
        """Capital employed in the asset classes that do not buy accelerators (buildings, land)."""
        opening = total(
            Key("net_book_value", asset_class=c, vintage=p).ref(lag=1) for c in self.other_classes for p in self.periods
        )
        return opening + self.first_fraction * self.over(Key("capex", asset_class=c) for c in self.other_classes)

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
