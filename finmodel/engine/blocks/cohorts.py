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
        economic_life = self.scalar(
            "economic_life_years",
            safe_divide(
                total(mix_at[c] * Key("economic_life_years", asset_class=c).ref() for c in ctx.accelerator_classes),
                accelerator_mix,
            ),
            "economic life (years it earns; flows stop at the shorter of it and the physical life)",
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
        earning = minimum(Key("physical_life_years", generation=g).ref(), economic_life)
        in_service = self.row(
            "years_in_service",
            self.yearly(lambda k: maximum(0, minimum(1, earning - (k - 1)))),
            "share of year in service within its economic life",
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
        kept = self._kept_value(in_service, price)
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
        for case, value, use in (("lease", billed * price, "leased"), ("keep", kept, "kept for internal use")):
            flow = self.row(
                f"{case}_cash_flow_usd",
                [-cost] + [(value - running) * (1 - tax) + tax * dep for _ in range(years)],
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
        self._unit_costs(cost, life, economic_life, building, electricity, ramp)
        self._moved(cost, economic_life)
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

    def _kept_value(self, in_service: Ref, price: Ref) -> Ref:
        """What a year of internal use is worth, on the model's declared basis (never silently market rent)."""
        basis = self.ctx.model.internal.value_basis
        hours = in_service * HOURS_PER_YEAR
        if basis == "at_cost":
            value, words = hours * self.key("economic_cost_per_hour_usd").ref(), "at cost"
        elif basis == "per_gpu_hour":
            value = (
                hours
                * Ref("internal_utilisation")
                * Ref("internal_value_usd_per_gpu_hour")
                * Key("relative_performance", generation=self.g).ref()
            )
            words = "at the declared value per H100-equivalent hour"
        else:
            value = hours * Ref("internal_utilisation") * Ref("shadow_price_ratio") * price
            words = "at the shadow price"
        return self.row("kept_value_usd", value, f"value of a year's internal use, {words}", "USD")

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

    def _unit_costs(self, cost: Ref, life: Ref, economic_life: Ref, building: Ref, electricity: Ref, ramp: Ref) -> None:
        """Cost of a GPU-hour in its first full year, per installed and per billed hour, with the capital
        charge two ways, and the break-even price and utilisation on each."""
        ctx, g = self.ctx, self.g
        straight = self.row(
            "capital_cost_per_hour_usd",
            cost / life / HOURS_PER_YEAR,
            "capital charge per installed GPU-hour, straight line over the book life",
            "USD/GPU-hour",
            summary=True,
        )
        annuity = self.row(
            "economic_capital_cost_per_hour_usd",
            cost * ctx.capital_recovery(Ref("hurdle_rate"), economic_life) / HOURS_PER_YEAR,
            "capital charge per installed GPU-hour, annuity at the hurdle over the economic life",
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
        billed_share = Ref("leasing_utilisation") * Ref(ramp.row, at=1)
        price = self.key("rental_price_usd_per_hour").ref(at=1)
        for basis, capital, words in (("", straight, "book life"), ("economic_", annuity, "economic life")):
            per_hour = self.row(
                f"{basis}cost_per_hour_usd",
                capital + power + other,
                f"cost per installed GPU-hour (capital over the {words})",
                "USD/GPU-hour",
                summary=True,
            )
            self.row(
                f"{basis}cost_per_billed_hour_usd",
                safe_divide(per_hour, billed_share),
                f"cost per billed GPU-hour if leased (capital over the {words}; first-year billed share)",
                "USD/GPU-hour",
                summary=True,
            )
            self.row(
                f"{basis}break_even_utilisation",
                safe_divide(per_hour, price),
                f"share of hours billed at the first-year price that covers cost (capital over the {words})",
                "share",
                summary=True,
            )
        self.row(
            "cost_per_h100_hour_usd",
            self.key("economic_cost_per_hour_usd").ref() / Key("relative_performance", generation=g).ref(),
            "cost per H100-equivalent hour (capital over the economic life; by relative performance)",
            "USD/GPU-hour",
            summary=True,
        )

    def _moved(self, cost: Ref, economic_life: Ref) -> None:
        """Capacity moved to leasing at an age: its opportunity cost is its market value then (resale curve,
        else cost written down over the economic life), its flows those of the leased unit from then on."""
        age = self.ctx.model.leasing.moved_at_age_years.get(self.g)
        if age is None or age >= self.years:
            return
        gpu = self.ctx.model.gpus[self.g]
        if gpu.resale_value:
            value = cost * Const(gpu.resale_share_at(age))
            basis = "resale value"
        else:
            value = cost * maximum(0, 1 - age / economic_life)
            basis = "cost written down over the economic life"
        market = self.row(
            "moved_market_value_usd",
            value,
            f"market value at age {age} ({basis}): the opportunity cost of moving it to leasing",
            "USD",
            summary=True,
        )
        flow = self.key("lease_cash_flow_usd").id
        self.row(
            "moved_npv_usd",
            Npv(Ref("hurdle_rate"), flow, age + 1, self.years) - market,
            f"NPV at the hurdle, at age {age}, of moving it to leasing then (flows from then − market value)",
            "USD",
            summary=True,
        )
