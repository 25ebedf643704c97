"""Every line item of a projection, defined once as an expression graph.

The definitions here are the single source of truth: ``_numpy`` evaluates them and ``_excel``
prints them as workbook formulas. Groups name the schedule a row belongs to (they become
workbook sheets and report tables). Money rows are in the model's money unit; unit prices
stay in whole currency units, converted with ``money_scale``.
"""

from __future__ import annotations

from ..schema import USES, CompanyModel
from ._inputs import COHORT_PREFIX, Assumptions, cohort_years, first_purchase
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
        self.step = timeline.period_years
        self.hours = HOURS_PER_YEAR * self.step
        self.scale = self.model.money_scale
        self.money = f"{self.model.company.currency} {self.model.company.money_unit}"
        self.generations = self.model.generations_used()
        self.classes = list(self.model.asset_classes)
        self.accelerator_classes = [c for c, a in self.model.asset_classes.items() if a.buys_accelerators]
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

    def age_years(self, vintage: int, column: int) -> float:
        """Age at the start of ``column`` of an asset bought at the start of ``vintage``."""
        return (column - vintage) * self.step

    def by_vintage(self, vintage: int, build) -> list[Expr]:
        """Per-column expressions, zero before the vintage exists."""
        return [build(column) if column >= vintage else Const(0.0) for column in range(len(self.periods))]

    # ------------------------------------------------------------------ CapEx

    def capex(self) -> None:
        total_capex = self.calc(
            "capex_total",
            if_(
                ge(Ref("capex_is_reported"), 1),
                Ref("capex_reported"),
                Ref("capex_total", lag=1) * (1 + Ref("capex_growth_per_year")) ** self.step,
            ),
            label="Total CapEx",
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
        starts = self.model.timeline.starts
        for g in self.generations:
            available = self.model.gpus[g].available_from
            years_since_launch = PerColumn(tuple(max(0.0, s + self.step / 2 - available) for s in starts))
            unit_cost = self.calc(
                f"unit_cost_usd[{g}]",
                Ref(f"cost_per_accelerator_usd[{g}]") * (1 + Ref(f"cost_change_per_year[{g}]")) ** years_since_launch,
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
            for v, period in enumerate(self.periods):
                self.calc(
                    f"units_in_service[{g},{period}]",
                    self.by_vintage(
                        v,
                        lambda t, v=v, g=g, purchases=purchases: if_(
                            lt(self.age_years(v, t), Ref(f"physical_life_years[{g}]")), Ref(purchases.row, at=v), 0
                        ),
                    ),
                    label=f"{g} bought {period}: units in service",
                    unit="accelerators",
                    group=FLEET,
                )
            installed = self.calc(
                f"installed_units[{g}]",
                total(Ref(f"units_in_service[{g},{p}]") for p in self.periods),
                label=f"Installed accelerators: {g}",
                unit="accelerators",
                group=FLEET,
            )
            self.calc(
                f"retired_units[{g}]",
                Ref(installed.row, lag=1) + purchases - installed,
                label=f"Accelerators retired: {g}",
                unit="accelerators",
                group=FLEET,
            )
            for use in USES:
                self.calc(
                    f"{use}_units[{g}]",
                    [self.allocated_units(g, use, t) for t in range(len(self.periods))],
                    label=f"Accelerators in {use}: {g}",
                    unit="accelerators",
                    group=FLEET,
                )
        self.calc(
            "installed_units",
            total(Ref(f"installed_units[{g}]") for g in self.generations),
            label="Installed accelerators, all generations",
            unit="accelerators",
            group=FLEET,
        )
        self.calc(
            "installed_it_kw",
            total(Ref(f"installed_units[{g}]") * Ref(f"power_kw_per_accelerator[{g}]") for g in self.generations),
            label="Installed IT power",
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

    def allocated_units(self, g: str, use: str, column: int) -> Expr:
        start = self.model.timeline.starts[column]
        terms = [
            Ref(f"units_in_service[{g},{self.periods[v]}]")
            * Ref(self.a.allocation_input(g, start, self.age_years(v, column), use))
            for v in range(column + 1)
        ]
        return total(terms)

    # ------------------------------------------------------------------ depreciation

    def depreciation(self) -> None:
        for c, asset in self.model.asset_classes.items():
            for v, period in enumerate(self.periods):
                self.vintage_depreciation(c, asset.method, v, period)
            self.calc(
                f"depreciation[{c}]",
                total(Ref(f"depreciation[{c},{p}]") for p in self.periods),
                label=f"Book depreciation: {c}",
                unit=self.money,
                group=DEPRECIATION,
            )
            self.calc(
                f"economic_depreciation[{c}]",
                total(Ref(f"economic_depreciation[{c},{p}]") for p in self.periods),
                label=f"Economic depreciation: {c}",
                unit=self.money,
                group=DEPRECIATION,
            )
        self.calc(
            "depreciation",
            total(Ref(f"depreciation[{c}]") for c in self.classes),
            label="Book depreciation",
            unit=self.money,
            group=DEPRECIATION,
        )
        self.calc(
            "economic_depreciation",
            total(Ref(f"economic_depreciation[{c}]") for c in self.classes),
            label="Economic depreciation",
            unit=self.money,
            group=DEPRECIATION,
        )
        for period in self.periods:
            self.calc(
                f"accelerator_depreciation[{period}]",
                total(Ref(f"depreciation[{c},{period}]") for c in self.accelerator_classes),
                label=f"Depreciation of accelerator assets bought {period}",
                unit=self.money,
                group=DEPRECIATION,
            )
        accelerator_dep = total(Ref(f"depreciation[{c}]") for c in self.accelerator_classes)
        self.calc(
            "accelerator_depreciation",
            accelerator_dep,
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

        Book depreciation spreads the depreciable book value over the *remaining* life in
        force, so a change of useful life applies prospectively: remaining = life − age.
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
            remaining = life - self.age_years(v, t)
            if method == "straight_line":
                spread = depreciable * self.step / remaining
            elif method == "sum_of_years_digits":
                spread = depreciable * (2 * self.step) / (remaining + self.step)
            else:
                rate = Ref(f"declining_balance_factor[{c}]") * self.step / life
                spread = minimum(depreciable, maximum(opening * rate, depreciable * self.step / remaining))
            return if_(le(remaining, self.step), depreciable, spread)

        def closing(t: int) -> Expr:
            opening = cost if t == v else Ref(nbv_name, lag=1)
            return opening - Ref(dep_name)

        def economic(t: int) -> Expr:
            economic_life = Ref(f"economic_life_years[{c}]")
            if method == "none":
                return Const(0.0)
            fraction = maximum(0, minimum(self.step, economic_life - self.age_years(v, t)))
            return cost * (1 - Ref(f"salvage_fraction[{c}]")) * fraction / economic_life

        self.calc(
            dep_name,
            self.by_vintage(v, book),
            label=f"{c} bought {period}: depreciation",
            unit=self.money,
            group=DEPRECIATION,
        )
        self.calc(
            nbv_name,
            self.by_vintage(v, closing),
            label=f"{c} bought {period}: net book value",
            unit=self.money,
            group=DEPRECIATION,
        )
        self.calc(
            f"economic_depreciation[{c},{period}]",
            self.by_vintage(v, economic),
            label=f"{c} bought {period}: economic depreciation",
            unit=self.money,
            group=DEPRECIATION,
        )

    # ------------------------------------------------------------------ revenue and running costs

    def revenue_and_costs(self) -> None:
        years_from_start = PerColumn(tuple(t * self.step for t in range(len(self.periods))))
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
                Ref("contracted_share") * Ref(f"contract_price_usd_per_hour[{g}]")
                + (1 - Ref("contracted_share")) * Ref(f"spot_price_usd_per_hour[{g}]"),
                label=f"Blended rental price: {g}",
                unit="USD/GPU-hour",
                group=REVENUE,
            )
            billed = self.calc(
                f"leased_hours_billed[{g}]",
                Ref(f"leasing_units[{g}]") * self.hours * Ref("leasing_utilisation"),
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
                unit=self.money,
                group=REVENUE,
            )
            self.calc(
                f"internal_shadow_value[{g}]",
                internal * price * Ref("shadow_price_ratio") / self.scale,
                label=f"Internal use at shadow price: {g}",
                unit=self.money,
                group=REVENUE,
            )
            it_kw = Ref(f"installed_units[{g}]") * Ref(f"power_kw_per_accelerator[{g}]")
            self.calc(
                f"power_cost[{g}]",
                it_kw * Ref("power_usage_effectiveness") * Ref("load_factor") * self.hours * power_price / self.scale,
                label=f"Power cost: {g}",
                unit=self.money,
                group=COSTS,
            )
            self.calc(
                f"facility_cost[{g}]",
                it_kw * Ref("facility_cost_usd_per_kw_month") * (12 * self.step) / self.scale,
                label=f"Facility cost: {g}",
                unit=self.money,
                group=COSTS,
            )
            self.calc(
                f"leased_share[{g}]",
                safe_divide(Ref(f"leasing_units[{g}]"), Ref(f"installed_units[{g}]")),
                label=f"Leased share of installed: {g}",
                unit="share",
                group=REVENUE,
            )
        self.calc(
            "leasing_revenue",
            total(Ref(f"leasing_revenue[{g}]") for g in self.generations),
            label="Leasing revenue (external)",
            unit=self.money,
            group=REVENUE,
        )
        self.calc(
            "internal_shadow_value",
            total(Ref(f"internal_shadow_value[{g}]") for g in self.generations),
            label="Internal use at shadow price",
            unit=self.money,
            group=REVENUE,
        )
        self.calc(
            "power_cost",
            total(Ref(f"power_cost[{g}]") for g in self.generations),
            label="Power cost",
            unit=self.money,
            group=COSTS,
        )
        self.calc(
            "facility_cost",
            total(Ref(f"facility_cost[{g}]") for g in self.generations),
            label="Facility cost",
            unit=self.money,
            group=COSTS,
        )
        self.calc(
            "accelerator_gross_cost",
            Ref("accelerator_gross_cost", lag=1) + Ref("capex_accelerators"),
            label="Gross cost of accelerator assets",
            unit=self.money,
            group=COSTS,
        )
        self.calc(
            "maintenance_cost",
            Ref("maintenance_share_per_year") * self.step * Ref("accelerator_gross_cost"),
            label="Maintenance",
            unit=self.money,
            group=COSTS,
        )
        self.calc(
            "operating_cost",
            Ref("power_cost") + Ref("facility_cost") + Ref("maintenance_cost"),
            label="Operating cost",
            unit=self.money,
            group=COSTS,
        )

    # ------------------------------------------------------------------ P&L, cash flow, PP&E

    def pnl_and_cash(self) -> None:
        m = self.money
        ebitda = self.calc("ebitda", Ref("leasing_revenue") - Ref("operating_cost"), label="EBITDA", unit=m, group=PNL)
        ebit = self.calc("ebit", ebitda - Ref("depreciation"), label="EBIT", unit=m, group=PNL)
        tax = self.calc(
            "tax_on_ebit", ebit * Ref("tax_rate"), label="Tax on EBIT (losses relieve group tax)", unit=m, group=PNL
        )
        self.calc("nopat", ebit - tax, label="NOPAT", unit=m, group=PNL)
        repay_fraction = minimum(1, self.step / Ref("debt_amortisation_years"))
        drawn = self.calc(
            "debt_drawn", Ref("capex_ai") * Ref("debt_share_of_capex"), label="Debt drawn", unit=m, group=CASH
        )
        repaid = self.calc(
            "debt_repaid", Ref("debt_balance", lag=1) * repay_fraction, label="Debt repaid", unit=m, group=CASH
        )
        self.calc(
            "debt_balance", Ref("debt_balance", lag=1) + drawn - repaid, label="Debt outstanding", unit=m, group=CASH
        )
        interest = self.calc(
            "interest_expense",
            Ref("debt_balance", lag=1) * Ref("debt_interest_rate") * self.step,
            label="Interest expense",
            unit=m,
            group=PNL,
        )
        self.calc("net_income", (ebit - interest) * (1 - Ref("tax_rate")), label="Net income", unit=m, group=PNL)
        self.calc(
            "economic_ebitda",
            ebitda + Ref("internal_shadow_value"),
            label="EBITDA with internal use at shadow price",
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
            free_cash + drawn - repaid - interest * (1 - Ref("tax_rate")),
            label="Cash flow after debt service",
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
        # Purchases are in service from the start of their period, so the capital employed in a
        # period is the opening net PP&E plus that period's CapEx.
        employed = self.calc(
            "capital_employed",
            Ref("net_ppe_opening") + Ref("capex_ai"),
            label="Capital employed (opening net PP&E + CapEx)",
            unit=m,
            group=PPE,
        )
        economic_employed = Ref("economic_net_ppe_closing", lag=1) + Ref("capex_ai")
        economic_profit = Ref("economic_ebitda")
        self.calc(
            "roic_book",
            safe_divide((economic_profit - Ref("depreciation")) * (1 - Ref("tax_rate")), employed * self.step),
            label="ROIC, all capacity at market value, book depreciation",
            unit="rate",
            group=PNL,
        )
        self.calc(
            "roic_economic",
            safe_divide(
                (economic_profit - Ref("economic_depreciation")) * (1 - Ref("tax_rate")), economic_employed * self.step
            ),
            label="ROIC, all capacity at market value, economic depreciation",
            unit="rate",
            group=PNL,
        )

    # ------------------------------------------------------------------ the leasing business

    def leasing_economics(self) -> None:
        m = self.money
        for g in self.generations:
            self.calc(
                f"leasing_depreciation[{g}]",
                [
                    total(
                        Ref(f"accelerator_depreciation[{self.periods[v]}]")
                        * Ref(f"gpu_mix[{g}]", at=v)
                        * Ref(
                            self.a.allocation_input(g, self.model.timeline.starts[t], self.age_years(v, t), "leasing")
                        )
                        for v in range(t + 1)
                    )
                    for t in range(len(self.periods))
                ],
                label=f"Depreciation of leased {g}",
                unit=m,
                group=LEASING,
            )
            self.calc(
                f"leasing_operating_cost[{g}]",
                (Ref(f"power_cost[{g}]") + Ref(f"facility_cost[{g}]")) * Ref(f"leased_share[{g}]"),
                label=f"Power and facility cost of leased {g}",
                unit=m,
                group=LEASING,
            )
        other_classes = [c for c in self.classes if c not in self.accelerator_classes]
        shared_dep = total(Ref(f"depreciation[{c}]") for c in other_classes) * Ref("leased_power_share")
        leasing_dep = self.calc(
            "leasing_depreciation",
            total(Ref(f"leasing_depreciation[{g}]") for g in self.generations) + shared_dep,
            label="Depreciation attributed to leasing",
            unit=m,
            group=LEASING,
        )
        leasing_opex = self.calc(
            "leasing_operating_cost",
            total(Ref(f"leasing_operating_cost[{g}]") for g in self.generations)
            + Ref("maintenance_cost") * Ref("leased_power_share"),
            label="Operating cost attributed to leasing",
            unit=m,
            group=LEASING,
        )
        leasing_ebitda = self.calc(
            "leasing_ebitda", Ref("leasing_revenue") - leasing_opex, label="Leasing EBITDA", unit=m, group=LEASING
        )
        leasing_nopat = self.calc(
            "leasing_nopat",
            (leasing_ebitda - leasing_dep) * (1 - Ref("tax_rate")),
            label="Leasing NOPAT",
            unit=m,
            group=LEASING,
        )
        capital = self.calc(
            "leasing_capital",
            Ref("capital_employed") * safe_divide(leasing_dep, Ref("depreciation")),
            label="Capital employed in leasing (by share of depreciation)",
            unit=m,
            group=LEASING,
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
        self.calc(
            "leasing_nopat_margin",
            safe_divide(leasing_nopat, Ref("leasing_revenue")),
            label="Leasing NOPAT margin",
            unit="share",
            group=LEASING,
        )

    # ------------------------------------------------------------------ cohort economics

    def cohorts(self) -> None:
        """Unit economics of one accelerator of each generation, bought when the plan first buys it.

        Annual flows over its physical life: revenue from leased hours, internal hours at the
        shadow price, running costs, tax with a straight-line shield over the book life in
        force when bought. Year 0 is the purchase.
        """
        for g in self.generations:
            axis = f"{COHORT_PREFIX}{g}"
            years = cohort_years(self.model.gpus[g].physical_life_years)
            bought = first_purchase(self.model, g)
            bought_at = self.model.timeline.starts[bought]
            name = lambda item, g=g: f"cohort_{item}[{g}]"  # noqa: E731
            cost = self.calc(
                name("unit_cost_usd"),
                Ref(f"unit_cost_usd[{g}]", at=bought),
                label=f"{g}: cost of one accelerator",
                unit="USD",
                group=COHORTS,
                axis="scalar",
            )
            mix = total(Ref(f"asset_mix[{c}]", at=bought) for c in self.accelerator_classes)
            life = self.calc(
                name("useful_life_years"),
                safe_divide(
                    total(
                        Ref(f"asset_mix[{c}]", at=bought) * Ref(f"useful_life_years[{c}]", at=bought)
                        for c in self.accelerator_classes
                    ),
                    mix,
                ),
                label=f"{g}: book life when bought",
                unit="years",
                group=COHORTS,
                axis="scalar",
            )
            salvage = safe_divide(
                total(
                    Ref(f"asset_mix[{c}]", at=bought) * Ref(f"salvage_fraction[{c}]") for c in self.accelerator_classes
                ),
                mix,
            )
            physical = Ref(f"physical_life_years[{g}]")
            in_service = [Const(0.0)] + [maximum(0, minimum(1, physical - (k - 1))) for k in range(1, years + 1)]
            self.calc(
                name("years_in_service"),
                in_service,
                label=f"{g}: share of year in service",
                unit="share",
                group=COHORTS,
                axis=axis,
            )
            price = self.calc(
                name("rental_price_usd_per_hour"),
                Ref("contracted_share") * Ref(f"cohort_contract_price_usd_per_hour[{g}]")
                + (1 - Ref("contracted_share")) * Ref(f"cohort_spot_price_usd_per_hour[{g}]"),
                label=f"{g}: blended rental price",
                unit="USD/GPU-hour",
                group=COHORTS,
                axis=axis,
            )
            leased = [Const(0.0)] + [
                Ref(self.a.allocation_input(g, bought_at + k - 0.5, k - 0.5, "leasing")) for k in range(1, years + 1)
            ]
            self.calc(name("leased_share"), leased, label=f"{g}: share leased", unit="share", group=COHORTS, axis=axis)
            earning = self.calc(
                name("price_earning_hours"),
                Ref(name("years_in_service"))
                * HOURS_PER_YEAR
                * (
                    Ref(name("leased_share")) * Ref("leasing_utilisation")
                    + (1 - Ref(name("leased_share"))) * Ref("internal_utilisation") * Ref("shadow_price_ratio")
                ),
                label=f"{g}: hours earning the rental price (leased billed + internal at shadow ratio)",
                unit="GPU-hours",
                group=COHORTS,
                axis=axis,
            )
            value = self.calc(
                name("value_usd"),
                earning * price,
                label=f"{g}: leasing revenue and shadow value",
                unit="USD",
                group=COHORTS,
                axis=axis,
            )
            kw = Ref(f"power_kw_per_accelerator[{g}]")
            growth_years = [Const(0.0)] + [
                Const(bought_at - self.model.timeline.start_year + k - 0.5) for k in range(1, years + 1)
            ]
            power_price = [
                Ref("power_price_usd_per_kwh") * (1 + Ref("power_price_growth_per_year")) ** exponent
                for exponent in growth_years
            ]
            self.calc(
                name("power_price_usd_per_kwh"),
                power_price,
                label=f"{g}: electricity price",
                unit="USD/kWh",
                group=COHORTS,
                axis=axis,
            )
            running = self.calc(
                name("running_cost_usd"),
                Ref(name("years_in_service"))
                * (
                    kw
                    * Ref("power_usage_effectiveness")
                    * Ref("load_factor")
                    * HOURS_PER_YEAR
                    * Ref(name("power_price_usd_per_kwh"))
                    + kw * Ref("facility_cost_usd_per_kw_month") * 12
                    + Ref("maintenance_share_per_year") * cost
                ),
                label=f"{g}: power, facility and maintenance",
                unit="USD",
                group=COHORTS,
                axis=axis,
            )
            dep = [Const(0.0)] + [
                cost * (1 - salvage) * maximum(0, minimum(1, life - (k - 1))) / life for k in range(1, years + 1)
            ]
            self.calc(
                name("tax_depreciation_usd"),
                dep,
                label=f"{g}: depreciation for tax",
                unit="USD",
                group=COHORTS,
                axis=axis,
            )
            tax = Ref("tax_rate")
            flows = [-cost] + [
                (Ref(value.row) - Ref(running.row)) * (1 - tax) + tax * Ref(name("tax_depreciation_usd"))
                for _ in range(years)
            ]
            flow = self.calc(
                name("cash_flow_usd"), flows, label=f"{g}: after-tax cash flow", unit="USD", group=COHORTS, axis=axis
            )
            self.calc(
                name("cumulative_cash_flow_usd"),
                Ref(name("cumulative_cash_flow_usd"), lag=1) + flow,
                label=f"{g}: cumulative cash flow",
                unit="USD",
                group=COHORTS,
                axis=axis,
            )
            cumulative = name("cumulative_cash_flow_usd")
            payback = [Const(0.0)] + [
                if_(
                    ge(Ref(cumulative, lag=1), 0),
                    0,
                    if_(le(Ref(cumulative), 0), 1, safe_divide(-Ref(cumulative, lag=1), flow)),
                )
                for _ in range(years)
            ]
            self.calc(
                name("payback_fraction"),
                payback,
                label=f"{g}: part of the year before payback",
                unit="years",
                group=COHORTS,
                axis=axis,
            )

            s = "scalar"
            hurdle = Ref("hurdle_rate")
            self.calc(
                name("npv_usd"),
                Ref(flow.row, at=0) + Npv(hurdle, flow.row, 1, years),
                label=f"{g}: NPV at the hurdle rate",
                unit="USD",
                group=SUMMARY,
                axis=s,
            )
            self.calc(name("irr"), Irr(flow.row, 0, years), label=f"{g}: IRR", unit="rate", group=SUMMARY, axis=s)
            self.calc(
                name("payback_years"),
                RowSum(name("payback_fraction"), 1, years),
                label=f"{g}: payback (years)",
                unit="years",
                group=SUMMARY,
                axis=s,
            )
            self.calc(
                name("pays_back"),
                if_(ge(Ref(cumulative, at=years), 0), 1, 0),
                label=f"{g}: 1 if it pays back within its life",
                unit="flag",
                group=SUMMARY,
                axis=s,
            )
            self.calc(
                name("payback_to_useful_life"),
                Ref(name("payback_years")) / life,
                label=f"{g}: payback / book life",
                unit="x",
                group=SUMMARY,
                axis=s,
            )
            annuity = if_(
                le(hurdle, 0),
                cost / life,
                cost * hurdle / (1 - (1 + hurdle) ** (-life)),
            )
            capital_per_hour = self.calc(
                name("capital_cost_per_hour_usd"),
                annuity / HOURS_PER_YEAR,
                label=f"{g}: capital cost per GPU-hour (annuity over book life)",
                unit="USD/GPU-hour",
                group=SUMMARY,
                axis=s,
            )
            power_per_hour = self.calc(
                name("power_cost_per_hour_usd"),
                kw * Ref("power_usage_effectiveness") * Ref("load_factor") * Ref(name("power_price_usd_per_kwh"), at=1),
                label=f"{g}: power cost per GPU-hour",
                unit="USD/GPU-hour",
                group=SUMMARY,
                axis=s,
            )
            facility_per_hour = self.calc(
                name("facility_cost_per_hour_usd"),
                (kw * Ref("facility_cost_usd_per_kw_month") * 12 + Ref("maintenance_share_per_year") * cost)
                / HOURS_PER_YEAR,
                label=f"{g}: facility and maintenance cost per GPU-hour",
                unit="USD/GPU-hour",
                group=SUMMARY,
                axis=s,
            )
            self.calc(
                name("cost_per_hour_usd"),
                capital_per_hour + power_per_hour + facility_per_hour,
                label=f"{g}: total cost per GPU-hour",
                unit="USD/GPU-hour",
                group=SUMMARY,
                axis=s,
            )
            self.calc(
                name("break_even_price_usd_per_hour"),
                safe_divide(
                    cost
                    + (1 - tax) * Npv(hurdle, running.row, 1, years)
                    - tax * Npv(hurdle, name("tax_depreciation_usd"), 1, years),
                    (1 - tax) * Npv(hurdle, earning.row, 1, years),
                ),
                label=f"{g}: flat rental price at which NPV = 0",
                unit="USD/GPU-hour",
                group=SUMMARY,
                axis=s,
            )
            self.calc(
                name("launch_price_usd_per_hour"),
                Ref(price.row, at=1),
                label=f"{g}: blended rental price in year 1",
                unit="USD/GPU-hour",
                group=SUMMARY,
                axis=s,
            )

    # ------------------------------------------------------------------ summary over the horizon

    def summary(self) -> None:
        s = "scalar"
        last = len(self.periods) - 1
        first = self.horizon_start()
        tax = Ref("tax_rate")

        def over(row: str) -> RowSum:
            return RowSum(row, first, last)

        self.calc(
            "horizon_leasing_revenue",
            over("leasing_revenue"),
            label="Leasing revenue over the horizon",
            unit=self.money,
            group=SUMMARY,
            axis=s,
        )
        self.calc(
            "horizon_leasing_depreciation",
            over("leasing_depreciation"),
            label="Depreciation attributed to leasing over the horizon",
            unit=self.money,
            group=SUMMARY,
            axis=s,
        )
        self.calc(
            "horizon_leasing_economic_profit",
            over("leasing_economic_profit"),
            label="Leasing economic profit over the horizon",
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
            safe_divide(over("leasing_nopat"), over("leasing_capital") * self.step),
            label="Leasing ROIC over the horizon (NOPAT / capital employed)",
            unit="rate",
            group=SUMMARY,
            axis=s,
        )
        self.calc(
            "horizon_leasing_share_of_value",
            safe_divide(over("leasing_revenue"), over("leasing_revenue") + over("internal_shadow_value")),
            label="Leasing share of capacity value over the horizon",
            unit="share",
            group=SUMMARY,
            axis=s,
        )
        for g in self.generations:
            nopat = (
                RowSum(f"leasing_revenue[{g}]", first, last)
                + RowSum(f"internal_shadow_value[{g}]", first, last)
                - RowSum(f"power_cost[{g}]", first, last)
                - RowSum(f"facility_cost[{g}]", first, last)
            )
            self.calc(
                f"generation_capital[{g}]",
                Ref(f"generation_capital[{g}]", lag=1)
                + Ref(f"capex_generation[{g}]")
                - Ref(f"depreciation_generation[{g}]"),
                label=f"Net book value of {g}",
                unit=self.money,
                group=DEPRECIATION,
            )
            self.calc(
                f"generation_economic_capital[{g}]",
                Ref(f"generation_economic_capital[{g}]", lag=1)
                + Ref(f"capex_generation[{g}]")
                - Ref(f"economic_depreciation_generation[{g}]"),
                label=f"Net value of {g} at economic depreciation",
                unit=self.money,
                group=DEPRECIATION,
            )
            capital = (
                RowSum(f"generation_capital[{g}]", first, last) + RowSum(f"depreciation_generation[{g}]", first, last)
            ) * self.step
            economic_capital = (
                RowSum(f"generation_economic_capital[{g}]", first, last)
                + RowSum(f"economic_depreciation_generation[{g}]", first, last)
            ) * self.step
            self.calc(
                f"generation_roic_book[{g}]",
                safe_divide((nopat - RowSum(f"depreciation_generation[{g}]", first, last)) * (1 - tax), capital),
                label=f"{g}: ROIC at market value, book depreciation",
                unit="rate",
                group=SUMMARY,
                axis=s,
            )
            self.calc(
                f"generation_roic_economic[{g}]",
                safe_divide(
                    (nopat - RowSum(f"economic_depreciation_generation[{g}]", first, last)) * (1 - tax),
                    economic_capital,
                ),
                label=f"{g}: ROIC at market value, economic depreciation",
                unit="rate",
                group=SUMMARY,
                axis=s,
            )
            self.calc(
                f"generation_coverage[{g}]",
                safe_divide(
                    RowSum(f"leasing_revenue[{g}]", first, last), RowSum(f"leasing_depreciation[{g}]", first, last)
                ),
                label=f"{g}: leasing revenue / depreciation of leased units",
                unit="x",
                group=SUMMARY,
                axis=s,
            )

    def verdict(self) -> None:
        """The four tests of the verdict, as flags, and the verdict code (0 revenue asset, 1 partly, 2 cost centre)."""
        s = "scalar"
        first, last = self.horizon_start(), len(self.periods) - 1
        leased = Ref("horizon_leasing_revenue")
        flag = lambda condition: if_(condition, 1, 0)  # noqa: E731
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
        by_generation = [RowSum(f"leasing_revenue[{g}]", first, last) for g in self.generations]
        self.calc(
            "verdict_positive_npv_share",
            safe_divide(
                total(
                    revenue * if_(gt(Ref(f"cohort_npv_usd[{g}]"), 0), 1, 0)
                    for g, revenue in zip(self.generations, by_generation, strict=True)
                ),
                total(by_generation),
            ),
            label="Share of leasing revenue from generations with a positive cohort NPV",
            unit="share",
            group=SUMMARY,
            axis=s,
        )
        self.calc(
            "verdict_cohort_npv_passed",
            flag(all_of(ge(Ref("verdict_positive_npv_share"), 1 - 1e-9), gt(leased, 0))),
            label="Test: every leased generation has a positive cohort NPV",
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

    def horizon_start(self) -> int:
        """First period the verdict looks at: the configured year, else the first with leasing planned."""
        year = self.model.verdict.horizon_start_year
        if year is not None:
            index = self.model.timeline.index_of(float(year))
            return index if index is not None else 0
        for t, start in enumerate(self.model.timeline.starts):
            for g in self.generations:
                for v in range(t + 1):
                    share = self.a.rows[self.a.allocation_input(g, start, self.age_years(v, t), "leasing")].values[0]
                    if share > 0:
                        return t
        return 0

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
                label=f"{g}: installed − (training + inference + leasing)",
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
