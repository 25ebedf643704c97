"""Unit economics of one accelerator of each generation, bought when the plan first buys it.

Annual flows over its physical life, year 0 being the purchase, in two uses: leased for its whole
life (billed hours at the rental price: the revenue-asset case) and kept for internal use (used
hours at the shadow price). Both carry power, facility, maintenance, a charge for the building
and land it occupies (their cost per accelerator as a capital-recovery payment at the hurdle over
their life; land at the hurdle) and tax with a straight-line shield over the book life in force
when bought.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ...schema import DepreciationMethod
from .._inputs import COHORT_PREFIX, cohort_start, cohort_years, first_purchase
from .._ir import Const, Expr, Irr, Npv, Number, Ref, RowSum, ge, if_, le, maximum, minimum, safe_divide, total
from .._keys import Key
from ..presentation import Schedule
from ._context import HOURS_PER_YEAR, Context, weighted
from ._pricing import cohort_prices


def define(ctx: Context) -> None:
    for g in ctx.cohort_generations:
        _Cohort(ctx, g).define()


class _Cohort:
    def __init__(self, ctx: Context, g: str) -> None:
        self.ctx = ctx
        self.g = g
        self.axis = f"{COHORT_PREFIX}{g}"
        self.years = cohort_years(ctx.model.gpus[g].physical_life_years)
        self.bought = first_purchase(ctx.model, g)
        self.start = cohort_start(ctx.model, g)

    def key(self, item: str) -> Key:
        return Key(f"cohort_{item}", generation=self.g)

    def row(
        self, item: str, expr: Expr | Number | Sequence[Expr | Number], label: str, unit: str, *, summary: bool = False
    ) -> Ref:
        """A row by year of age on the Cohorts sheet, or (``summary``) a single value on Summary."""
        return self.ctx.add(
            self.key(item),
            expr,
            label=f"{self.g}: {label}",
            unit=unit,
            schedule=Schedule.SUMMARY if summary else Schedule.COHORTS,
            axis="scalar" if summary else self.axis,
        )

    def scalar(self, item: str, expr: Expr, label: str, unit: str) -> Ref:
        """A single value of the cohort kept beside its flows (on the Cohorts sheet)."""
        return self.ctx.add(
            self.key(item), expr, label=f"{self.g}: {label}", unit=unit, schedule=Schedule.COHORTS, axis="scalar"
        )

    def yearly(self, build: Callable[[int], Expr]) -> list[Expr]:
        """Year 0 (the purchase) holds nothing; years 1..life hold ``build(year)``."""
        return [Const(0.0)] + [build(k) for k in range(1, self.years + 1)]

    def define(self) -> None:
        ctx, g, years = self.ctx, self.g, self.years
        hurdle, tax = Ref("hurdle_rate"), Ref("tax_rate")
        cost = self.scalar(
            "unit_cost_usd", Key("unit_cost_usd", generation=g).ref(at=self.bought), "cost of one accelerator", "USD"
        )
        mix_at = {c: Key("asset_mix", asset_class=c).ref(at=self.bought) for c in ctx.classes}
        accelerator_mix = total(mix_at[c] for c in ctx.accelerator_classes)
        life = self.scalar(
            "useful_life_years",
            safe_divide(
                total(
                    mix_at[c] * Key("useful_life_years", asset_class=c).ref(at=self.bought)
                    for c in ctx.accelerator_classes
                ),
                accelerator_mix,
            ),
            "book life when bought",
            "years",
        )
        salvage = safe_divide(
            total(mix_at[c] * Key("salvage_fraction", asset_class=c).ref() for c in ctx.accelerator_classes),
            accelerator_mix,
        )
        building = self.scalar(
            "building_charge_usd_per_year",
            safe_divide(
                cost * total(mix_at[c] * self._recovery(c, hurdle) for c in ctx.other_classes), accelerator_mix
            ),
            "building and land charge a year (their cost per accelerator × the capital-recovery factor "
            "at the hurdle over their life; land × hurdle)",
            "USD",
        )
        physical = Key("physical_life_years", generation=g).ref()
        in_service = self.row(
            "years_in_service",
            self.yearly(lambda k: maximum(0, minimum(1, physical - (k - 1)))),
            "share of year in service",
            "share",
        )
        price = self.row(
            "rental_price_usd_per_hour",
            cohort_prices(ctx, g, self.start, years),
            "rental price (tiers' mix; a term signs at the start and re-signs every term)",
            "USD/GPU-hour",
        )
        ramp = self.row(
            "billable_share",
            self.yearly(
                lambda k: weighted(
                    ctx.assumptions.allocation_inputs(g, self.start + k - 0.5, (k - 1.0, float(k)), "billed_share")
                )
            ),
            "share of leased capacity billable (age bands' billed_share)",
            "share",
        )
        billed = self.row(
            "billed_hours",
            in_service * HOURS_PER_YEAR * Ref("leasing_utilisation") * ramp,
            "hours billed if leased",
            "GPU-hours",
        )
        used = self.row(
            "shadow_priced_hours",
            in_service * HOURS_PER_YEAR * Ref("internal_utilisation") * Ref("shadow_price_ratio"),
            "hours used if kept, weighted by the shadow price ratio",
            "GPU-hours",
        )
        electricity = self.row(
            "electricity_price_usd_per_kwh",
            self.yearly(
                lambda k: (
                    Ref("power_price_usd_per_kwh")
                    * (1 + Ref("power_price_growth_per_year")) ** Const(self.start + k - 0.5 - ctx.starts[0])
                )
            ),
            "electricity price",
            "USD/kWh",
        )
        running = self.row(
            "running_cost_usd",
            in_service
            * (
                ctx.power_per_accelerator_hour(g, electricity) * HOURS_PER_YEAR
                + ctx.facility_per_accelerator_year(g)
                + Ref("maintenance_share_per_year") * cost
                + building
            ),
            "power, facility, maintenance and building charge",
            "USD",
        )
        dep = self.row(
            "tax_depreciation_usd",
            self.yearly(lambda k: cost * (1 - salvage) * maximum(0, minimum(1, life - (k - 1))) / life),
            "depreciation for tax",
            "USD",
        )
        for case, hours, use in (("lease", billed, "leased"), ("keep", used, "kept for internal use")):
            flow = self.row(
                f"{case}_cash_flow_usd",
                [-cost] + [(hours * price - running) * (1 - tax) + tax * dep for _ in range(years)],
                f"after-tax cash flow if {use}",
                "USD",
            )
            self.row(
                f"{case}_npv_usd",
                Ref(flow.row, at=0) + Npv(hurdle, flow.row, 1, years),
                f"NPV at the hurdle if {'leased' if case == 'lease' else 'kept'}",
                "USD",
                summary=True,
            )
        self._payback(life)
        self._unit_costs(cost, life, building, electricity)
        self.row(
            "break_even_price_usd_per_hour",
            safe_divide(
                cost + (1 - tax) * Npv(hurdle, running.row, 1, years) - tax * Npv(hurdle, dep.row, 1, years),
                (1 - tax) * Npv(hurdle, billed.row, 1, years),
            ),
            "flat rental price per billed hour at which the leased NPV = 0 (0 when no hour is billed)",
            "USD/GPU-hour",
            summary=True,
        )
        self.row(
            "first_year_price_usd_per_hour",
            Ref(price.row, at=1),
            "blended rental price in its first year",
            "USD/GPU-hour",
            summary=True,
        )

    def _recovery(self, asset_class: str, hurdle: Expr) -> Expr:
        """Capital charge a year per unit of a shared asset's cost: land earns the hurdle, the rest recover."""
        if self.ctx.model.asset_classes[asset_class].method == DepreciationMethod.NONE:
            return hurdle
        life = Key("useful_life_years", asset_class=asset_class).ref(at=self.bought)
        return self.ctx.capital_recovery(hurdle, life)

    def _payback(self, life: Ref) -> None:
        years = self.years
        flow = self.key("lease_cash_flow_usd").ref()
        cumulative = self.row(
            "cumulative_cash_flow_usd",
            self.key("cumulative_cash_flow_usd").ref(lag=1) + flow,
            "cumulative cash flow if leased",
            "USD",
        )
        before = Ref(cumulative.row, lag=1)
        self.row(
            "payback_fraction",
            self.yearly(lambda k: if_(ge(before, 0), 0, if_(le(cumulative, 0), 1, safe_divide(-before, flow)))),
            "part of the year before payback",
            "years",
        )
        self.row("irr", Irr(flow.row, 0, years), "IRR if leased", "rate", summary=True)
        self.row(
            "payback_years",
            RowSum(self.key("payback_fraction").id, 1, years),
            "payback if leased (years; the whole life if it never pays back)",
            "years",
            summary=True,
        )
        self.row(
            "pays_back",
            if_(ge(Ref(cumulative.row, at=years), 0), 1, 0),
            "1 if it pays back within its life",
            "flag",
            summary=True,
        )
        self.row(
            "payback_to_useful_life", self.key("payback_years").ref() / life, "payback / book life", "x", summary=True
        )
        self.row(
            "lease_advantage_usd",
            self.key("lease_npv_usd").ref() - self.key("keep_npv_usd").ref(),
            "NPV if leased − NPV if kept",
            "USD",
            summary=True,
        )

    def _unit_costs(self, cost: Ref, life: Ref, building: Ref, electricity: Ref) -> None:
        ctx, g = self.ctx, self.g
        annuity = cost * ctx.capital_recovery(Ref("hurdle_rate"), life)
        capital = self.row(
            "capital_cost_per_hour_usd",
            annuity / HOURS_PER_YEAR,
            "capital cost per GPU-hour (annuity over book life)",
            "USD/GPU-hour",
            summary=True,
        )
        power = self.row(
            "power_cost_per_hour_usd",
            ctx.power_per_accelerator_hour(g, Ref(electricity.row, at=1)),
            "power cost per GPU-hour",
            "USD/GPU-hour",
            summary=True,
        )
        other = self.row(
            "facility_cost_per_hour_usd",
            (ctx.facility_per_accelerator_year(g) + Ref("maintenance_share_per_year") * cost + building)
            / HOURS_PER_YEAR,
            "facility, maintenance and building cost per GPU-hour",
            "USD/GPU-hour",
            summary=True,
        )
        per_hour = self.row(
            "cost_per_hour_usd",
            capital + power + other,
            "total cost per GPU-hour in service",
            "USD/GPU-hour",
            summary=True,
        )
        self.row(
            "cost_per_h100_hour_usd",
            per_hour / Key("relative_performance", generation=g).ref(),
            "cost per H100-equivalent hour (by relative performance)",
            "USD/GPU-hour",
            summary=True,
        )
