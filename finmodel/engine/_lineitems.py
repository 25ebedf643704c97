"""Every line item of a projection, defined once as an expression graph.

The definitions here are the single source of truth: ``_numpy`` evaluates them and ``_excel``
prints them as workbook formulas. Groups name the schedule a row belongs to (they become
workbook sheets and report tables). Money rows are in the model's money unit; unit prices
stay in whole currency units, converted with ``money_scale``.

Timing: a period's purchases are in service for a fraction ``s`` of it (``s`` = ½ for
``mid_period``, entering half-way through; 1 for ``start_of_period``), so in their first period
they run, depreciate and tie up capital for ``s`` of the period.
"""

from __future__ import annotations

from ..schema import USES, CompanyModel
from ._inputs import COHORT_PREFIX, Assumptions, cohort_start, cohort_years, first_purchase
from ._ir import (
    Axis,
    Const,
    Expr,
    Graph,
    Irr,
    Npv,
    PerColumn,
    Ref,
    RowSum,
    all_of,
    ge,
    gt,
    if_,
    le,
    lt,
    maximum,
    minimum,
    round_half_away,
    safe_divide,
    total,
)

HOURS_PER_YEAR = 8760.0
CHECK_DECIMALS = 6

CAPEX = "CapEx"
FLEET = "Fleet"
DEPRECIATION = "Depreciation"
REVENUE = "Revenue"
COSTS = "Costs"
PNL = "P&L"
CASH = "Cash flow"
PPE = "PP&E"
LEASING = "Leasing economics"
COHORTS = "Cohorts"
SUMMARY = "Summary"
CHECKS = "Checks"


def define(assumptions: Assumptions) -> Graph:
    """The graph of all line items of a model, inputs included."""
    return _Definer(assumptions).graph


class _Definer:
    def __init__(self, assumptions: Assumptions) -> None:
        self.a = assumptions
        self.model: CompanyModel = assumptions.model
        timeline = self.model.timeline
        self.periods = timeline.labels
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
        for g in self.generations:
            years = cohort_years(self.model.gpus[g].physical_life_years)
            self.graph.add_axis(Axis(f"{COHORT_PREFIX}{g}", tuple(str(k) for k in range(years + 1))))
        for row in assumptions.rows.values():
            self.graph.add_input(row.name, row.axis, label=row.label, unit=row.unit, group="Assumptions")
        self.capex()
        self.fleet()
        self.depreciation()
        self.revenue_and_costs()
        self.pnl_and_cash()
        self.leasing_economics()
        self.cohorts()
        self.summary()
        self.verdict()
        self.checks()

    # ------------------------------------------------------------------ helpers

    def calc(self, name: str, expr, *, label: str, unit: str, group: str, axis: str = "period") -> Ref:
        return self.graph.add(name, axis, expr, label=label, unit=unit, group=group)

    def age_at_start(self, vintage: int, column: int) -> float:
        """Years a purchase of ``vintage`` has been in service when ``column`` begins."""
        if column <= vintage:
            return 0.0
        return (column - vintage - 1 + self.first_fraction) * self.step

    def years_in_service(self, vintage: int, column: int) -> float:
        """Years of ``column`` during which a purchase of ``vintage`` can be in service."""
        return self.first_fraction * self.step if column == vintage else self.step

    def by_vintage(self, vintage: int, build) -> list[Expr]:
        """Per-column expressions, zero before the vintage exists."""
        return [build(column) if column >= vintage else Const(0.0) for column in range(len(self.periods))]

    def share(self, generation: str, vintage: int, column: int, use: str) -> Expr:
        """The share for ``use`` of a vintage in a column, its age bands weighted by time in each."""
        age = self.age_at_start(vintage, column)
        span = (age, age + self.years_in_service(vintage, column))
        return self.weighted(self.a.allocation_inputs(generation, self.starts[column], span, use))

    def billable_share(self, generation: str, vintage: int, column: int) -> Expr:
        """Leased and billable share of a vintage: Σ over age bands of time × leased × billed."""
        age = self.age_at_start(vintage, column)
        span = (age, age + self.years_in_service(vintage, column))
        point = self.starts[column]
        leased = self.a.allocation_inputs(generation, point, span, "leasing")
        billed = self.a.allocation_inputs(generation, point, span, "billed_share")
        return total(Ref(lease) * Ref(bill) * weight for (lease, weight), (bill, _) in zip(leased, billed, strict=True))

    @staticmethod
    def weighted(inputs: list[tuple[str, float]]) -> Expr:
        if len(inputs) == 1 and inputs[0][1] == 1.0:
            return Ref(inputs[0][0])
        return total(Ref(name) * weight for name, weight in inputs)

    def summed(self, row: str) -> Expr:
        """A period row summed over the verdict's horizon (periods where ``in_horizon`` is 1)."""
        return total(Ref(row, at=t) * Ref("in_horizon", at=t) for t in range(len(self.periods)))

    # ------------------------------------------------------------------ CapEx

    def capex(self) -> None:
        per_year = self.model.timeline.periods_per_year
        total_capex = self.calc(
            "capex_total",
            if_(
                ge(Ref("capex_is_reported"), 1),
                Ref("capex_reported"),
                Ref("capex_total", lag=per_year) * (1 + Ref("capex_growth_per_year")),
            ),
            label="Total CapEx (projected periods: same period a year earlier × (1 + growth))",
            unit=self.money,
            group=CAPEX,
        )
        ai = self.calc(
            "capex_ai", total_capex * Ref("ai_share_of_capex"), label="AI CapEx", unit=self.money, group=CAPEX
        )
        for c in self.classes:
            self.calc(f"capex[{c}]", ai * Ref(f"asset_mix[{c}]"), label=f"AI CapEx: {c}", unit=self.money, group=CAPEX)
        accelerator = self.calc(
            "capex_accelerators",
            total(Ref(f"capex[{c}]") for c in self.accelerator_classes),
            label="CapEx buying accelerators",
            unit=self.money,
            group=CAPEX,
        )
        for g in self.generations:
            self.calc(
                f"capex_generation[{g}]",
                accelerator * Ref(f"gpu_mix[{g}]"),
                label=f"Accelerator CapEx: {g}",
                unit=self.money,
                group=CAPEX,
            )

    # ------------------------------------------------------------------ fleet

    def fleet(self) -> None:
        for g in self.generations:
            launch = maximum(0, PerColumn(tuple(s + self.step / 2 for s in self.starts)) - Ref(f"available_from[{g}]"))
            unit_cost = self.calc(
                f"unit_cost_usd[{g}]",
                Ref(f"cost_per_accelerator_usd[{g}]") * (1 + Ref(f"cost_change_per_year[{g}]")) ** launch,
                label=f"All-in cost per accelerator bought: {g}",
                unit="USD",
                group=FLEET,
            )
            purchases = self.calc(
                f"purchases_units[{g}]",
                safe_divide(Ref(f"capex_generation[{g}]") * self.scale, unit_cost),
                label=f"Accelerators bought: {g}",
                unit="accelerators",
                group=FLEET,
            )
            life = Ref(f"physical_life_years[{g}]")
            for v, period in enumerate(self.periods):

                def in_service(t: int, v: int = v, purchases: Ref = purchases, life: Ref = life) -> Expr:
                    age, span = self.age_at_start(v, t), self.years_in_service(v, t)
                    return Ref(purchases.row, at=v) * maximum(0, minimum(span, life - age)) / self.step

                def retiring(t: int, v: int = v, purchases: Ref = purchases, life: Ref = life) -> Expr:
                    age, span = self.age_at_start(v, t), self.years_in_service(v, t)
                    return if_(all_of(lt(age, life), ge(age + span, life)), Ref(purchases.row, at=v), 0)

                self.calc(
                    f"units_in_service[{g},{period}]",
                    self.by_vintage(v, in_service),
                    label=f"{g} bought {period}: accelerators in service (period average)",
                    unit="accelerators",
                    group=FLEET,
                )
                self.calc(
                    f"units_retiring[{g},{period}]",
                    self.by_vintage(v, retiring),
                    label=f"{g} bought {period}: accelerators reaching their physical life",
                    unit="accelerators",
                    group=FLEET,
                )
            self.calc(
                f"installed_units[{g}]",
                total(Ref(f"units_in_service[{g},{p}]") for p in self.periods),
                label=f"Accelerators in service (period average): {g}",
                unit="accelerators",
                group=FLEET,
            )
            self.calc(
                f"retired_units[{g}]",
                total(Ref(f"units_retiring[{g},{p}]") for p in self.periods),
                label=f"Accelerators retired: {g}",
                unit="accelerators",
                group=FLEET,
            )
            for use in USES:
                self.calc(
                    f"{use}_units[{g}]",
                    [
                        total(
                            Ref(f"units_in_service[{g},{self.periods[v]}]") * self.share(g, v, t, use)
                            for v in range(t + 1)
                        )
                        for t in range(len(self.periods))
                    ],
                    label=f"Accelerators in {use} (period average): {g}",
                    unit="accelerators",
                    group=FLEET,
                )
            self.calc(
                f"billable_leasing_units[{g}]",
                [
                    total(
                        Ref(f"units_in_service[{g},{self.periods[v]}]") * self.billable_share(g, v, t)
                        for v in range(t + 1)
                    )
                    for t in range(len(self.periods))
                ],
                label=f"Leased accelerators delivered and billable (period average): {g}",
                unit="accelerators",
                group=FLEET,
            )
        self.calc(
            "installed_units",
            total(Ref(f"installed_units[{g}]") for g in self.generations),
            label="Accelerators in service, all generations",
            unit="accelerators",
            group=FLEET,
        )
        self.calc(
            "installed_it_kw",
            total(Ref(f"installed_units[{g}]") * Ref(f"power_kw_per_accelerator[{g}]") for g in self.generations),
            label="IT power in service",
            unit="kW",
            group=FLEET,
        )
        self.calc(
            "leased_it_kw",
            total(Ref(f"leasing_units[{g}]") * Ref(f"power_kw_per_accelerator[{g}]") for g in self.generations),
            label="IT power of leased accelerators",
            unit="kW",
            group=FLEET,
        )
        self.calc(
            "leased_power_share",
            safe_divide(Ref("leased_it_kw"), Ref("installed_it_kw")),
            label="Leased share of IT power",
            unit="share",
            group=FLEET,
        )

    # ------------------------------------------------------------------ depreciation

    def depreciation(self) -> None:
        for c, asset in self.model.asset_classes.items():
            for v, period in enumerate(self.periods):
                self.vintage_depreciation(c, asset.method, v, period)
            for item, label in (
                ("depreciation", "Book depreciation"),
                ("economic_depreciation", "Economic depreciation"),
            ):
                self.calc(
                    f"{item}[{c}]",
                    total(Ref(f"{item}[{c},{p}]") for p in self.periods),
                    label=f"{label}: {c}",
                    unit=self.money,
                    group=DEPRECIATION,
                )
        for item, label in (("depreciation", "Book depreciation"), ("economic_depreciation", "Economic depreciation")):
            self.calc(
                item, total(Ref(f"{item}[{c}]") for c in self.classes), label=label, unit=self.money, group=DEPRECIATION
            )
        for v, period in enumerate(self.periods):
            self.calc(
                f"accelerator_depreciation[{period}]",
                total(Ref(f"depreciation[{c},{period}]") for c in self.accelerator_classes),
                label=f"Depreciation of accelerator assets bought {period}",
                unit=self.money,
                group=DEPRECIATION,
            )
            self.calc(
                f"accelerator_capital[{period}]",
                self.by_vintage(
                    v,
                    lambda t, v=v, period=period: total(
                        self.first_fraction * Ref(f"capex[{c}]", at=v)
                        if t == v
                        else Ref(f"net_book_value[{c},{period}]", lag=1)
                        for c in self.accelerator_classes
                    ),
                ),
                label=f"Capital employed in accelerator assets bought {period}",
                unit=self.money,
                group=DEPRECIATION,
            )
        self.calc(
            "accelerator_depreciation",
            total(Ref(f"depreciation[{c}]") for c in self.accelerator_classes),
            label="Depreciation of accelerator assets",
            unit=self.money,
            group=DEPRECIATION,
        )
        for g in self.generations:
            self.calc(
                f"depreciation_generation[{g}]",
                total(
                    Ref(f"accelerator_depreciation[{p}]") * Ref(f"gpu_mix[{g}]", at=v)
                    for v, p in enumerate(self.periods)
                ),
                label=f"Depreciation of {g} assets",
                unit=self.money,
                group=DEPRECIATION,
            )
            self.calc(
                f"economic_depreciation_generation[{g}]",
                total(
                    Ref(f"economic_depreciation[{c},{p}]") * Ref(f"gpu_mix[{g}]", at=v)
                    for c in self.accelerator_classes
                    for v, p in enumerate(self.periods)
                ),
                label=f"Economic depreciation of {g} assets",
                unit=self.money,
                group=DEPRECIATION,
            )

    def vintage_depreciation(self, c: str, method: str, v: int, period: str) -> None:
        """Book and economic depreciation of one asset class bought in one period.

        Book depreciation spreads the depreciable book value over the *remaining* life in force,
        so a change of useful life applies prospectively: remaining = life − age. Declining
        balance compounds its annual rate over the time in service; sum-of-years'-digits takes
        2·t / (remaining + 1 year) of the depreciable value; both switch to the remainder when
        the remaining life ends within the period.
        """
        cost = Ref(f"capex[{c}]", at=v)
        salvage = Ref(f"salvage_fraction[{c}]") * cost
        dep_name, nbv_name = f"depreciation[{c},{period}]", f"net_book_value[{c},{period}]"
        life = Ref(f"useful_life_years[{c}]")

        def book(t: int) -> Expr:
            if method == "none":
                return Const(0.0)
            opening = cost if t == v else Ref(nbv_name, lag=1)
            depreciable = opening - salvage
            span = self.years_in_service(v, t)
            remaining = life - self.age_at_start(v, t)
            if method == "straight_line":
                spread = depreciable * span / remaining
            elif method == "sum_of_years_digits":
                spread = depreciable * (2 * span) / (remaining + 1)
            else:
                kept = maximum(0, 1 - Ref(f"declining_balance_factor[{c}]") / life) ** span
                spread = minimum(depreciable, maximum(opening * (1 - kept), depreciable * span / remaining))
            return if_(le(remaining, span), depreciable, spread)

        def closing(t: int) -> Expr:
            opening = cost if t == v else Ref(nbv_name, lag=1)
            return opening - Ref(dep_name)

        def economic(t: int) -> Expr:
            if method == "none":
                return Const(0.0)
            economic_life = Ref(f"economic_life_years[{c}]")
            span, age = self.years_in_service(v, t), self.age_at_start(v, t)
            fraction = maximum(0, minimum(span, economic_life - age))
            return cost * (1 - Ref(f"salvage_fraction[{c}]")) * fraction / economic_life

        m = self.money
        self.calc(
            dep_name, self.by_vintage(v, book), label=f"{c} bought {period}: depreciation", unit=m, group=DEPRECIATION
        )
        self.calc(
            nbv_name,
            self.by_vintage(v, closing),
            label=f"{c} bought {period}: net book value",
            unit=m,
            group=DEPRECIATION,
        )
        self.calc(
            f"economic_depreciation[{c},{period}]",
            self.by_vintage(v, economic),
            label=f"{c} bought {period}: economic depreciation",
            unit=m,
            group=DEPRECIATION,
        )

    # ------------------------------------------------------------------ revenue and running costs

    def revenue_and_costs(self) -> None:
        m = self.money
        years_from_start = PerColumn(tuple((t + 0.5) * self.step for t in range(len(self.periods))))
        power_price = self.calc(
            "electricity_price_usd_per_kwh",
            Ref("power_price_usd_per_kwh") * (1 + Ref("power_price_growth_per_year")) ** years_from_start,
            label="Electricity price",
            unit="USD/kWh",
            group=COSTS,
        )
        for g in self.generations:
            price = self.calc(
                f"rental_price_usd_per_hour[{g}]",
                self.blended(Ref(f"contract_price_usd_per_hour[{g}]"), Ref(f"spot_price_usd_per_hour[{g}]")),
                label=f"Blended rental price: {g}",
                unit="USD/GPU-hour",
                group=REVENUE,
            )
            billed = self.calc(
                f"leased_hours_billed[{g}]",
                Ref(f"billable_leasing_units[{g}]") * self.hours * Ref("leasing_utilisation"),
                label=f"Leased hours billed: {g}",
                unit="GPU-hours",
                group=REVENUE,
            )
            internal = self.calc(
                f"internal_hours_used[{g}]",
                (Ref(f"training_units[{g}]") + Ref(f"inference_units[{g}]")) * self.hours * Ref("internal_utilisation"),
                label=f"Internal hours used: {g}",
                unit="GPU-hours",
                group=REVENUE,
            )
            self.calc(
                f"leasing_revenue[{g}]",
                billed * price / self.scale,
                label=f"Leasing revenue: {g}",
                unit=m,
                group=REVENUE,
            )
            self.calc(
                f"internal_market_value[{g}]",
                internal * price / self.scale,
                label=f"Internal use at the market rental price: {g}",
                unit=m,
                group=REVENUE,
            )
            self.calc(
                f"internal_shadow_value[{g}]",
                Ref(f"internal_market_value[{g}]") * Ref("shadow_price_ratio"),
                label=f"Internal use at the shadow price: {g}",
                unit=m,
                group=REVENUE,
            )
            self.calc(
                f"power_cost[{g}]",
                Ref(f"installed_units[{g}]")
                * self.power_per_accelerator_hour(g, power_price)
                * self.hours
                / self.scale,
                label=f"Power cost: {g}",
                unit=m,
                group=COSTS,
            )
            self.calc(
                f"facility_cost[{g}]",
                Ref(f"installed_units[{g}]") * self.facility_per_accelerator_year(g) * self.step / self.scale,
                label=f"Facility cost: {g}",
                unit=m,
                group=COSTS,
            )
            self.calc(
                f"maintenance_cost[{g}]",
                total(
                    Ref(f"units_in_service[{g},{p}]") * Ref(f"unit_cost_usd[{g}]", at=v)
                    for v, p in enumerate(self.periods)
                )
                * Ref("maintenance_share_per_year")
                * self.step
                / self.scale,
                label=f"Maintenance of {g} in service",
                unit=m,
                group=COSTS,
            )
            self.calc(
                f"leased_share[{g}]",
                safe_divide(Ref(f"leasing_units[{g}]"), Ref(f"installed_units[{g}]")),
                label=f"Leased share of {g} in service",
                unit="share",
                group=REVENUE,
            )
        for item, label, group in (
            ("leasing_revenue", "Leasing revenue (external)", REVENUE),
            ("internal_market_value", "Internal use at the market rental price", REVENUE),
            ("internal_shadow_value", "Internal use at the shadow price", REVENUE),
            ("power_cost", "Power cost", COSTS),
            ("facility_cost", "Facility cost", COSTS),
            ("maintenance_cost", "Maintenance", COSTS),
        ):
            self.calc(item, total(Ref(f"{item}[{g}]") for g in self.generations), label=label, unit=m, group=group)
        self.calc(
            "operating_cost",
            Ref("power_cost") + Ref("facility_cost") + Ref("maintenance_cost"),
            label="Operating cost",
            unit=m,
            group=COSTS,
        )

    def other_capital_employed(self) -> Expr:
        """Capital employed in the asset classes that do not buy accelerators (buildings, land)."""
        opening = total(Ref(f"net_book_value[{c},{p}]", lag=1) for c in self.other_classes for p in self.periods)
        return opening + self.first_fraction * total(Ref(f"capex[{c}]") for c in self.other_classes)

    def leased_maintenance(self, g: str) -> list[Expr]:
        """Maintenance of the leased units of each vintage, at their own cost and leased share."""
        rate = Ref("maintenance_share_per_year") * self.step / self.scale
        return [
            total(
                Ref(f"units_in_service[{g},{self.periods[v]}]")
                * Ref(f"unit_cost_usd[{g}]", at=v)
                * self.share(g, v, t, "leasing")
                for v in range(t + 1)
            )
            * rate
            for t in range(len(self.periods))
        ]

    @staticmethod
    def capital_recovery(rate: Expr, years: Expr) -> Expr:
        """Level annual payment per unit of capital over ``years`` at ``rate`` (Excel ``-PMT(rate, n, 1)``)."""
        # Below 1e-9 the annuity formula loses its digits to cancellation; 1/years is its limit.
        return if_(le(rate, 1e-9), 1 / years, rate / (1 - (1 + rate) ** (-years)))

    def blended(self, contract: Expr, spot: Expr) -> Expr:
        """Rental price across contracted and spot hours."""
        return Ref("contracted_share") * contract + (1 - Ref("contracted_share")) * spot

    def power_per_accelerator_hour(self, g: str, price: Expr) -> Expr:
        """Electricity cost of one accelerator-hour (USD): kW × PUE × load factor × price."""
        return Ref(f"power_kw_per_accelerator[{g}]") * Ref("power_usage_effectiveness") * Ref("load_factor") * price

    def facility_per_accelerator_year(self, g: str) -> Expr:
        """Facility cost of one accelerator for a year (USD): kW × cost per kW-month × 12."""
        return Ref(f"power_kw_per_accelerator[{g}]") * Ref("facility_cost_usd_per_kw_month") * 12

    # ------------------------------------------------------------------ P&L, cash flow, PP&E

    def pnl_and_cash(self) -> None:
        m = self.money
        s = self.first_fraction
        ebitda = self.calc("ebitda", Ref("leasing_revenue") - Ref("operating_cost"), label="EBITDA", unit=m, group=PNL)
        ebit = self.calc("ebit", ebitda - Ref("depreciation"), label="EBIT", unit=m, group=PNL)
        drawn = self.calc(
            "debt_drawn", Ref("capex_ai") * Ref("debt_share_of_capex"), label="Debt drawn", unit=m, group=CASH
        )
        repaid = self.calc(
            "debt_repaid",
            Ref("debt_balance", lag=1) * minimum(1, self.step / Ref("debt_amortisation_years")),
            label="Debt repaid",
            unit=m,
            group=CASH,
        )
        self.calc(
            "debt_balance", Ref("debt_balance", lag=1) + drawn - repaid, label="Debt outstanding", unit=m, group=CASH
        )
        interest = self.calc(
            "interest_expense",
            (Ref("debt_balance", lag=1) + s * drawn) * Ref("debt_interest_rate") * self.step,
            label="Interest expense (on opening debt and this period's drawings from when drawn)",
            unit=m,
            group=PNL,
        )
        pre_tax = self.calc("pre_tax_profit", ebit - interest, label="Profit before tax", unit=m, group=PNL)
        tax = self.taxed("tax_on_ebit", ebit, "Tax on EBIT (unlevered)")
        self.calc("nopat", ebit - tax, label="NOPAT", unit=m, group=PNL)
        tax_paid = self.taxed("tax", pre_tax, "Tax on profit before tax")
        self.calc("net_income", pre_tax - tax_paid, label="Net income", unit=m, group=PNL)
        self.calc(
            "economic_ebitda",
            ebitda + Ref("internal_shadow_value"),
            label="EBITDA with internal use at the shadow price",
            unit=m,
            group=PNL,
        )
        free_cash = self.calc(
            "free_cash_flow",
            ebitda - tax - Ref("capex_ai"),
            label="Free cash flow (EBITDA − tax − CapEx)",
            unit=m,
            group=CASH,
        )
        self.calc(
            "equity_cash_flow",
            ebitda - tax_paid - Ref("capex_ai") + drawn - repaid - interest,
            label="Cash flow after debt service (EBITDA − tax − CapEx + debt drawn − repaid − interest)",
            unit=m,
            group=CASH,
        )
        self.calc(
            "cumulative_free_cash_flow",
            Ref("cumulative_free_cash_flow", lag=1) + free_cash,
            label="Cumulative free cash flow",
            unit=m,
            group=CASH,
        )

        self.calc("gross_ppe_opening", Ref("gross_ppe_closing", lag=1), label="Gross PP&E, opening", unit=m, group=PPE)
        self.calc(
            "gross_ppe_closing",
            Ref("gross_ppe_opening") + Ref("capex_ai"),
            label="Gross PP&E, closing",
            unit=m,
            group=PPE,
        )
        self.calc(
            "accumulated_depreciation_opening",
            Ref("accumulated_depreciation_closing", lag=1),
            label="Accumulated depreciation, opening",
            unit=m,
            group=PPE,
        )
        self.calc(
            "accumulated_depreciation_closing",
            Ref("accumulated_depreciation_opening") + Ref("depreciation"),
            label="Accumulated depreciation, closing",
            unit=m,
            group=PPE,
        )
        self.calc("net_ppe_opening", Ref("net_ppe_closing", lag=1), label="Net PP&E, opening", unit=m, group=PPE)
        self.calc(
            "net_ppe_closing",
            Ref("gross_ppe_closing") - Ref("accumulated_depreciation_closing"),
            label="Net PP&E, closing",
            unit=m,
            group=PPE,
        )
        self.calc(
            "economic_net_ppe_closing",
            Ref("economic_net_ppe_closing", lag=1) + Ref("capex_ai") - Ref("economic_depreciation"),
            label="Net PP&E at economic depreciation, closing",
            unit=m,
            group=PPE,
        )
        employed = self.calc(
            "capital_employed",
            Ref("net_ppe_opening") + s * Ref("capex_ai"),
            label="Capital employed (opening net PP&E + CapEx from when in service)",
            unit=m,
            group=PPE,
        )
        economic_employed = Ref("economic_net_ppe_closing", lag=1) + s * Ref("capex_ai")
        value = Ref("economic_ebitda")
        self.calc(
            "roic_book",
            safe_divide((value - Ref("depreciation")) * (1 - Ref("tax_rate")), employed * self.step),
            label="ROIC, all capacity at the shadow price, book depreciation",
            unit="rate",
            group=PNL,
        )
        self.calc(
            "roic_economic",
            safe_divide((value - Ref("economic_depreciation")) * (1 - Ref("tax_rate")), economic_employed * self.step),
            label="ROIC, all capacity at the shadow price, economic depreciation",
            unit="rate",
            group=PNL,
        )

    def taxed(self, name: str, profit: Ref, label: str, group: str = PNL) -> Ref:
        """Tax on a profit line: at the rate on any result (group relief), or on profit net of losses
        carried forward (a ``{name}_losses_carried`` row holds the unused losses)."""
        m = self.money
        if self.model.financing.tax_losses == "group_relief":
            return self.calc(
                name, profit * Ref("tax_rate"), label=f"{label} (losses relieve group tax)", unit=m, group=PNL
            )
        carried = f"{name}_losses_carried"
        self.calc(
            carried,
            maximum(0, Ref(carried, lag=1) - profit),
            label=f"Tax losses carried forward ({label.lower()})",
            unit=m,
            group=group,
        )
        return self.calc(
            name,
            maximum(0, profit - Ref(carried, lag=1)) * Ref("tax_rate"),
            label=f"{label} (after losses carried forward)",
            unit=m,
            group=group,
        )

    # ------------------------------------------------------------------ the leasing business

    def leasing_economics(self) -> None:
        """What the leased capacity earns and costs: exact by generation, vintage and age band.

        Assets shared by all capacity (buildings, land) follow the leased share of IT power.
        """
        m = self.money
        count = len(self.periods)
        for g in self.generations:
            for item, source, label in (
                ("leasing_depreciation", "accelerator_depreciation", f"Depreciation of leased {g}"),
                ("leasing_capital", "accelerator_capital", f"Capital employed in leased {g}"),
            ):
                self.calc(
                    f"{item}[{g}]",
                    [
                        total(
                            Ref(f"{source}[{self.periods[v]}]")
                            * Ref(f"gpu_mix[{g}]", at=v)
                            * self.share(g, v, t, "leasing")
                            for v in range(t + 1)
                        )
                        for t in range(count)
                    ],
                    label=label,
                    unit=m,
                    group=LEASING,
                )
            self.calc(
                f"leasing_operating_cost[{g}]",
                [
                    (Ref(f"power_cost[{g}]") + Ref(f"facility_cost[{g}]")) * Ref(f"leased_share[{g}]") + maintenance
                    for maintenance in self.leased_maintenance(g)
                ],
                label=f"Operating cost of leased {g} (power and facility by leased share, maintenance by vintage)",
                unit=m,
                group=LEASING,
            )
        shared = Ref("leased_power_share")
        leasing_dep = self.calc(
            "leasing_depreciation",
            total(Ref(f"leasing_depreciation[{g}]") for g in self.generations)
            + total(Ref(f"depreciation[{c}]") for c in self.other_classes) * shared,
            label="Depreciation attributed to leasing",
            unit=m,
            group=LEASING,
        )
        other_capital = self.other_capital_employed()
        capital = self.calc(
            "leasing_capital",
            total(Ref(f"leasing_capital[{g}]") for g in self.generations) + other_capital * shared,
            label="Capital employed in leasing",
            unit=m,
            group=LEASING,
        )
        leasing_opex = self.calc(
            "leasing_operating_cost",
            total(Ref(f"leasing_operating_cost[{g}]") for g in self.generations),
            label="Operating cost attributed to leasing",
            unit=m,
            group=LEASING,
        )
        leasing_ebitda = self.calc(
            "leasing_ebitda", Ref("leasing_revenue") - leasing_opex, label="Leasing EBITDA", unit=m, group=LEASING
        )
        leasing_ebit = self.calc(
            "leasing_ebit", leasing_ebitda - leasing_dep, label="Leasing EBIT", unit=m, group=LEASING
        )
        leasing_tax = self.taxed("leasing_tax", leasing_ebit, "Tax on leasing EBIT", group=LEASING)
        leasing_nopat = self.calc(
            "leasing_nopat", leasing_ebit - leasing_tax, label="Leasing NOPAT", unit=m, group=LEASING
        )
        self.calc(
            "leasing_economic_profit",
            leasing_nopat - Ref("hurdle_rate") * self.step * capital,
            label="Leasing economic profit (NOPAT − hurdle × capital employed)",
            unit=m,
            group=LEASING,
        )
        self.calc(
            "leasing_coverage",
            safe_divide(Ref("leasing_revenue"), leasing_dep),
            label="Leasing revenue / attributed depreciation",
            unit="x",
            group=LEASING,
        )

    # ------------------------------------------------------------------ cohort economics

    def cohorts(self) -> None:
        """Unit economics of one accelerator of each generation, bought when the plan first buys it.

        Annual flows over its physical life, year 0 being the purchase, in two uses: leased for
        its whole life (billed hours at the rental price: the revenue-asset case) and kept for
        internal use (used hours at the shadow price). Both carry power, facility, maintenance,
        a charge for the building and land it occupies (their cost per accelerator at the hurdle
        rate plus straight-line depreciation), and tax with a straight-line shield over the book
        life in force when bought.
        """
        for g in self.generations:
            self.cohort(g)

    def cohort(self, g: str) -> None:
        axis, s = f"{COHORT_PREFIX}{g}", "scalar"
        years = cohort_years(self.model.gpus[g].physical_life_years)
        bought = first_purchase(self.model, g)
        start = cohort_start(self.model, g)
        hurdle, tax = Ref("hurdle_rate"), Ref("tax_rate")

        def name(item: str) -> str:
            return f"cohort_{item}[{g}]"

        def row(item: str, expr, label: str, unit: str, *, on: str = axis, group: str = COHORTS) -> Ref:
            return self.calc(name(item), expr, label=f"{g}: {label}", unit=unit, group=group, axis=on)

        def yearly(build) -> list[Expr]:
            return [Const(0.0)] + [build(k) for k in range(1, years + 1)]

        cost = row("unit_cost_usd", Ref(f"unit_cost_usd[{g}]", at=bought), "cost of one accelerator", "USD", on=s)
        mix_at = {c: Ref(f"asset_mix[{c}]", at=bought) for c in self.classes}
        accelerator_mix = total(mix_at[c] for c in self.accelerator_classes)
        life = row(
            "useful_life_years",
            safe_divide(
                total(mix_at[c] * Ref(f"useful_life_years[{c}]", at=bought) for c in self.accelerator_classes),
                accelerator_mix,
            ),
            "book life when bought",
            "years",
            on=s,
        )
        salvage = safe_divide(
            total(mix_at[c] * Ref(f"salvage_fraction[{c}]") for c in self.accelerator_classes), accelerator_mix
        )
        building = row(
            "building_charge_usd_per_year",
            safe_divide(
                cost
                * total(
                    mix_at[c]
                    * (
                        hurdle
                        if self.model.asset_classes[c].method == "none"
                        else self.capital_recovery(hurdle, Ref(f"useful_life_years[{c}]", at=bought))
                    )
                    for c in self.other_classes
                ),
                accelerator_mix,
            ),
            "building and land charge a year (their cost per accelerator × the capital-recovery factor "
            "at the hurdle over their life; land × hurdle)",
            "USD",
            on=s,
        )
        physical = Ref(f"physical_life_years[{g}]")
        in_service = row(
            "years_in_service",
            yearly(lambda k: maximum(0, minimum(1, physical - (k - 1)))),
            "share of year in service",
            "share",
        )
        price = row(
            "rental_price_usd_per_hour",
            self.blended(Ref(f"cohort_contract_price_usd_per_hour[{g}]"), Ref(f"cohort_spot_price_usd_per_hour[{g}]")),
            "blended rental price",
            "USD/GPU-hour",
        )
        ramp = row(
            "billable_share",
            yearly(
                lambda k: self.weighted(
                    self.a.allocation_inputs(g, start + k - 0.5, (k - 1.0, float(k)), "billed_share")
                )
            ),
            "share of leased capacity billable (age bands' billed_share)",
            "share",
        )
        billed = row(
            "billed_hours",
            in_service * HOURS_PER_YEAR * Ref("leasing_utilisation") * ramp,
            "hours billed if leased",
            "GPU-hours",
        )
        used = row(
            "shadow_priced_hours",
            in_service * HOURS_PER_YEAR * Ref("internal_utilisation") * Ref("shadow_price_ratio"),
            "hours used if kept, weighted by the shadow price ratio",
            "GPU-hours",
        )
        electricity = row(
            "electricity_price_usd_per_kwh",
            yearly(
                lambda k: (
                    Ref("power_price_usd_per_kwh")
                    * (1 + Ref("power_price_growth_per_year")) ** Const(start + k - 0.5 - self.starts[0])
                )
            ),
            "electricity price",
            "USD/kWh",
        )
        running = row(
            "running_cost_usd",
            in_service
            * (
                self.power_per_accelerator_hour(g, electricity) * HOURS_PER_YEAR
                + self.facility_per_accelerator_year(g)
                + Ref("maintenance_share_per_year") * cost
                + building
            ),
            "power, facility, maintenance and building charge",
            "USD",
        )
        dep = row(
            "tax_depreciation_usd",
            yearly(lambda k: cost * (1 - salvage) * maximum(0, minimum(1, life - (k - 1))) / life),
            "depreciation for tax",
            "USD",
        )
        for case, hours in (("lease", billed), ("keep", used)):
            flow = row(
                f"{case}_cash_flow_usd",
                [-cost] + [(hours * price - running) * (1 - tax) + tax * dep for _ in range(years)],
                f"after-tax cash flow if {'leased' if case == 'lease' else 'kept for internal use'}",
                "USD",
            )
            row(
                f"{case}_npv_usd",
                Ref(flow.row, at=0) + Npv(hurdle, flow.row, 1, years),
                f"NPV at the hurdle if {'leased' if case == 'lease' else 'kept'}",
                "USD",
                on=s,
                group=SUMMARY,
            )
        flow = Ref(name("lease_cash_flow_usd"))
        cumulative = row(
            "cumulative_cash_flow_usd",
            Ref(name("cumulative_cash_flow_usd"), lag=1) + flow,
            "cumulative cash flow if leased",
            "USD",
        )
        row(
            "payback_fraction",
            yearly(
                lambda k: if_(
                    ge(Ref(cumulative.row, lag=1), 0),
                    0,
                    if_(le(cumulative, 0), 1, safe_divide(-Ref(cumulative.row, lag=1), flow)),
                )
            ),
            "part of the year before payback",
            "years",
        )
        summary = {"on": s, "group": SUMMARY}
        row("irr", Irr(flow.row, 0, years), "IRR if leased", "rate", **summary)
        row(
            "payback_years",
            RowSum(name("payback_fraction"), 1, years),
            "payback if leased (years; the whole life if it never pays back)",
            "years",
            **summary,
        )
        row(
            "pays_back",
            if_(ge(Ref(cumulative.row, at=years), 0), 1, 0),
            "1 if it pays back within its life",
            "flag",
            **summary,
        )
        row("payback_to_useful_life", Ref(name("payback_years")) / life, "payback / book life", "x", **summary)
        row(
            "lease_advantage_usd",
            Ref(name("lease_npv_usd")) - Ref(name("keep_npv_usd")),
            "NPV if leased − NPV if kept",
            "USD",
            **summary,
        )
        annuity = cost * self.capital_recovery(hurdle, life)
        capital_per_hour = row(
            "capital_cost_per_hour_usd",
            annuity / HOURS_PER_YEAR,
            "capital cost per GPU-hour (annuity over book life)",
            "USD/GPU-hour",
            **summary,
        )
        power_per_hour = row(
            "power_cost_per_hour_usd",
            self.power_per_accelerator_hour(g, Ref(electricity.row, at=1)),
            "power cost per GPU-hour",
            "USD/GPU-hour",
            **summary,
        )
        other_per_hour = row(
            "facility_cost_per_hour_usd",
            (self.facility_per_accelerator_year(g) + Ref("maintenance_share_per_year") * cost + building)
            / HOURS_PER_YEAR,
            "facility, maintenance and building cost per GPU-hour",
            "USD/GPU-hour",
            **summary,
        )
        per_hour = row(
            "cost_per_hour_usd",
            capital_per_hour + power_per_hour + other_per_hour,
            "total cost per GPU-hour in service",
            "USD/GPU-hour",
            **summary,
        )
        row(
            "cost_per_h100_hour_usd",
            per_hour / Ref(f"relative_performance[{g}]"),
            "cost per H100-equivalent hour (by relative performance)",
            "USD/GPU-hour",
            **summary,
        )
        row(
            "break_even_price_usd_per_hour",
            safe_divide(
                cost + (1 - tax) * Npv(hurdle, running.row, 1, years) - tax * Npv(hurdle, dep.row, 1, years),
                (1 - tax) * Npv(hurdle, billed.row, 1, years),
            ),
            "flat rental price per billed hour at which the leased NPV = 0 (0 when no hour is billed)",
            "USD/GPU-hour",
            **summary,
        )
        row(
            "first_year_price_usd_per_hour",
            Ref(price.row, at=1),
            "blended rental price in its first year",
            "USD/GPU-hour",
            **summary,
        )

    # ------------------------------------------------------------------ summary over the horizon

    def summary(self) -> None:
        s = "scalar"
        tax = Ref("tax_rate")
        self.horizon()
        for item, label in (
            ("leasing_revenue", "Leasing revenue"),
            ("leasing_depreciation", "Depreciation attributed to leasing"),
            ("leasing_economic_profit", "Leasing economic profit"),
            ("leasing_nopat", "Leasing NOPAT"),
            ("leasing_capital", "Capital employed in leasing (sum over periods)"),
            ("internal_market_value", "Internal use at the market price"),
        ):
            self.calc(
                f"horizon_{item}",
                self.summed(item),
                label=f"{label} over the horizon",
                unit=self.money,
                group=SUMMARY,
                axis=s,
            )
        self.calc(
            "horizon_coverage",
            safe_divide(Ref("horizon_leasing_revenue"), Ref("horizon_leasing_depreciation")),
            label="Leasing revenue / attributed depreciation over the horizon",
            unit="x",
            group=SUMMARY,
            axis=s,
        )
        self.calc(
            "horizon_leasing_roic",
            safe_divide(Ref("horizon_leasing_nopat"), Ref("horizon_leasing_capital") * self.step),
            label="Leasing ROIC over the horizon (NOPAT / capital employed)",
            unit="rate",
            group=SUMMARY,
            axis=s,
        )
        self.calc(
            "horizon_leasing_share_of_value",
            safe_divide(
                Ref("horizon_leasing_revenue"), Ref("horizon_leasing_revenue") + Ref("horizon_internal_market_value")
            ),
            label="Leasing share of the market value of capacity used over the horizon",
            unit="share",
            group=SUMMARY,
            axis=s,
        )
        for g in self.generations:
            self.calc(
                f"horizon_leasing_revenue[{g}]",
                self.summed(f"leasing_revenue[{g}]"),
                label=f"{g}: leasing revenue over the horizon",
                unit=self.money,
                group=SUMMARY,
                axis=s,
            )
            for item, depreciation, label in (
                ("generation_capital", "depreciation_generation", "Net book value"),
                (
                    "generation_economic_capital",
                    "economic_depreciation_generation",
                    "Net value at economic depreciation",
                ),
            ):
                self.calc(
                    f"{item}[{g}]",
                    Ref(f"{item}[{g}]", lag=1) + Ref(f"capex_generation[{g}]") - Ref(f"{depreciation}[{g}]"),
                    label=f"{label} of {g}",
                    unit=self.money,
                    group=DEPRECIATION,
                )
            self.calc(
                f"generation_ebitda[{g}]",
                Ref(f"leasing_revenue[{g}]")
                + Ref(f"internal_shadow_value[{g}]")
                - Ref(f"power_cost[{g}]")
                - Ref(f"facility_cost[{g}]")
                - Ref(f"maintenance_cost[{g}]"),
                label=f"{g}: EBITDA with internal use at the shadow price",
                unit=self.money,
                group=LEASING,
            )
            for suffix, capital, depreciation, label in (
                ("book", "generation_capital", "depreciation_generation", "book"),
                ("economic", "generation_economic_capital", "economic_depreciation_generation", "economic"),
            ):
                employed = total(
                    (
                        (Ref(f"{capital}[{g}]", at=t - 1) if t > 0 else Const(0.0))
                        + self.first_fraction * Ref(f"capex_generation[{g}]", at=t)
                    )
                    * Ref("in_horizon", at=t)
                    for t in range(len(self.periods))
                )
                self.calc(
                    f"generation_roic_{suffix}[{g}]",
                    safe_divide(
                        (self.summed(f"generation_ebitda[{g}]") - self.summed(f"{depreciation}[{g}]")) * (1 - tax),
                        employed * self.step,
                    ),
                    label=f"{g}: ROIC at the shadow price, {label} depreciation",
                    unit="rate",
                    group=SUMMARY,
                    axis=s,
                )
            self.calc(
                f"generation_coverage[{g}]",
                safe_divide(Ref(f"horizon_leasing_revenue[{g}]"), self.summed(f"leasing_depreciation[{g}]")),
                label=f"{g}: leasing revenue / depreciation of leased units",
                unit="x",
                group=SUMMARY,
                axis=s,
            )

    def horizon(self) -> None:
        """``in_horizon``: 1 from the configured year, else from the first period with units leased."""
        if self.model.verdict.horizon_start_year is not None:
            years = PerColumn(tuple(float(label[:4]) for label in self.periods))
            expr = if_(ge(years, Ref("horizon_start_year")), 1, 0)
        else:
            leased = total(Ref(f"leasing_units[{g}]") for g in self.generations)
            expr = if_(ge(Ref("in_horizon", lag=1) + if_(gt(leased, 0), 1, 0), 1), 1, 0)
        self.calc("in_horizon", expr, label="1 in the verdict's horizon", unit="flag", group=SUMMARY)

    # ------------------------------------------------------------------ the verdict

    def verdict(self) -> None:
        """The four tests, as flags, and the verdict code (0 revenue asset, 1 partly, 2 cost centre)."""
        s = "scalar"
        leased = Ref("horizon_leasing_revenue")

        def flag(condition: Expr) -> Expr:
            return if_(condition, 1, 0)

        self.calc(
            "verdict_coverage_passed",
            flag(all_of(ge(Ref("horizon_coverage"), Ref("min_coverage")), gt(leased, 0))),
            label="Test: leasing revenue covers its depreciation",
            unit="flag",
            group=SUMMARY,
            axis=s,
        )
        self.calc(
            "verdict_economic_profit_passed",
            flag(all_of(gt(Ref("horizon_leasing_economic_profit"), 0), gt(leased, 0))),
            label="Test: leasing earns more than the hurdle on its capital",
            unit="flag",
            group=SUMMARY,
            axis=s,
        )
        by_generation = [Ref(f"horizon_leasing_revenue[{g}]") for g in self.generations]
        self.calc(
            "verdict_positive_npv_share",
            safe_divide(
                total(
                    revenue * if_(gt(Ref(f"cohort_lease_npv_usd[{g}]"), 0), 1, 0)
                    for g, revenue in zip(self.generations, by_generation, strict=True)
                ),
                total(by_generation),
            ),
            label="Share of leasing revenue from generations whose leased cohort has a positive NPV",
            unit="share",
            group=SUMMARY,
            axis=s,
        )
        self.calc(
            "verdict_cohort_npv_passed",
            flag(all_of(ge(Ref("verdict_positive_npv_share"), 1 - 1e-9), gt(leased, 0))),
            label="Test: every leased generation has a positive leased-cohort NPV",
            unit="flag",
            group=SUMMARY,
            axis=s,
        )
        self.calc(
            "verdict_materiality_passed",
            flag(ge(Ref("horizon_leasing_share_of_value"), Ref("min_leasing_share"))),
            label="Test: leasing is a material share of what the capacity is worth",
            unit="flag",
            group=SUMMARY,
            axis=s,
        )
        economic = [
            Ref("verdict_coverage_passed"),
            Ref("verdict_economic_profit_passed"),
            Ref("verdict_cohort_npv_passed"),
        ]
        self.calc(
            "verdict_code",
            if_(ge(total([*economic, Ref("verdict_materiality_passed")]), 4), 0, if_(ge(total(economic), 1), 1, 2)),
            label="Verdict: 0 revenue asset, 1 partly, 2 cost centre",
            unit="code",
            group=SUMMARY,
            axis=s,
        )

    # ------------------------------------------------------------------ checks (all read zero)

    def checks(self) -> None:
        """Identities that must hold; each reads zero, rounded to 6 decimals so float noise does not show."""
        m = self.money

        def check(name: str, difference: Expr, *, label: str, unit: str) -> None:
            self.calc(name, round_half_away(difference, CHECK_DECIMALS), label=label, unit=unit, group=CHECKS)

        check(
            "check_ppe_rollforward",
            Ref("net_ppe_closing") - (Ref("net_ppe_opening") + Ref("capex_ai") - Ref("depreciation")),
            label="Net PP&E: closing − (opening + CapEx − depreciation)",
            unit=m,
        )
        check(
            "check_ppe_vintages",
            Ref("net_ppe_closing") - total(Ref(f"net_book_value[{c},{p}]") for c in self.classes for p in self.periods),
            label="Net PP&E − sum of vintage book values",
            unit=m,
        )
        for g in self.generations:
            check(
                f"check_allocation[{g}]",
                Ref(f"installed_units[{g}]") - total(Ref(f"{use}_units[{g}]") for use in USES),
                label=f"{g}: in service − (training + inference + leasing)",
                unit="accelerators",
            )
        check(
            "check_capex_split",
            Ref("capex_ai") - total(Ref(f"capex[{c}]") for c in self.classes),
            label="AI CapEx − sum over asset classes",
            unit=m,
        )
        check(
            "check_depreciation_by_generation",
            Ref("accelerator_depreciation") - total(Ref(f"depreciation_generation[{g}]") for g in self.generations),
            label="Accelerator depreciation − sum over generations",
            unit=m,
        )
        check(
            "check_capital_employed",
            Ref("capital_employed")
            - total(Ref(f"accelerator_capital[{p}]") for p in self.periods)
            - self.other_capital_employed(),
            label="Capital employed − sum over vintages",
            unit=m,
        )
