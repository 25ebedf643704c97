"""Revenue and running costs by generation: rental prices, billed and used hours, leasing revenue,
internal use valued at market and shadow prices, power, facility and maintenance.

Leasing revenue is each vintage's billed hours at its own price: the tiers' mix, a tier with a term
at the market price on the day the vintage last signed it (see :mod:`finmodel.engine._prices`).
When every tier re-prices each period, all vintages bill at the market price and the revenue is
hours billed × that price. The realised price is revenue ÷ hours billed; internal use is valued
at the market price (the tiers' mix at the period's prices)."""

from __future__ import annotations

from .._ir import Const, Expr, PerColumn, Ref, minimum, safe_divide
from .._keys import Key
from ..presentation import INTERNAL_BASIS, Schedule
from ._context import HOURS_PER_YEAR, Context, Vintage
from ._pricing import has_contracts, market_price, vintage_price
from .clearing import buys_compute, market_share_of_billed
from .fleet import holds, unit_cost, units_in_service

GENERATION_TOTALS = (
    ("leasing_revenue", "Revenue: external leasing", Schedule.PNL),
    ("internal_market_value", "Internal use at the market rental price (for reference only)", Schedule.REVENUE),
    ("internal_value", "Internal use at its declared value (not revenue: the value of capacity kept)", Schedule.PNL),
    ("power_cost", "Power cost", Schedule.COSTS),
    ("facility_cost", "Facility cost", Schedule.COSTS),
    ("maintenance_cost", "Maintenance", Schedule.COSTS),
)


def define(ctx: Context) -> None:
    years_from_start = PerColumn(tuple((t + 0.5) * ctx.step for t in range(ctx.count)))
    power_price = ctx.add(
        "electricity_price_usd_per_kwh",
        Ref("power_price_usd_per_kwh") * (1 + Ref("power_price_growth_per_year")) ** years_from_start,
        label="Electricity price",
        unit="USD/kWh",
        schedule=Schedule.COSTS,
    )
    for g in ctx.generations:
        _generation(ctx, g, power_price)
    for item, label, schedule in GENERATION_TOTALS:
        ctx.add(
            item,
            ctx.over(Key(item, generation=g) for g in ctx.generations),
            label=label,
            unit=ctx.money,
            schedule=schedule,
        )
    ctx.add(
        "resale_proceeds",
        ctx.over(Key("resale_proceeds", generation=g) for g in ctx.generations),
        label="Proceeds from selling retired accelerators",
        unit=ctx.money,
        schedule=Schedule.REVENUE,
    )
    running = Ref("power_cost") + Ref("facility_cost") + Ref("maintenance_cost")
    bought = buys_compute(ctx)
    ctx.add(
        "operating_cost",
        running + Ref("purchased_compute_cost") if bought else running,
        label="Operating cost: power, facility, maintenance" + (", compute bought under contracts" if bought else ""),
        unit=ctx.money,
        schedule=Schedule.PNL,
    )


def _generation(ctx: Context, g: str, power_price: Ref) -> None:
    m = ctx.money
    installed = Key("installed_units", generation=g).ref()
    market_rate = ctx.add(
        Key("market_rental_price_usd_per_hour", generation=g),
        market_price(ctx, g),
        label=f"Market rental price (the tiers' mix at the period's prices): {g}",
        unit="USD/GPU-hour",
        schedule=Schedule.REVENUE,
    )
    supply = Key("billable_leasing_units", generation=g).ref() * ctx.hours * Ref("leasing_utilisation")
    if ctx.clears:
        leasable = ctx.add(
            Key("leasable_hours", generation=g),
            supply,
            label=f"Leasable hours (supply: billable leased units × hours × utilisation): {g}",
            unit="GPU-hours",
            schedule=Schedule.REVENUE,
        )
        billed = ctx.add(
            Key("leased_hours_billed", generation=g),
            minimum(leasable, Key("external_demand_hours", generation=g).ref()),
            label=f"Leased hours billed: {g} (the lesser of supply and external demand)",
            unit="GPU-hours",
            schedule=Schedule.REVENUE,
        )
        ctx.add(
            Key("cleared_share", generation=g),
            safe_divide(billed, leasable),
            label=f"Share of the leasable supply billed: {g}",
            unit="share",
            schedule=Schedule.REVENUE,
        )
    else:
        billed = ctx.add(
            Key("leased_hours_billed", generation=g),
            supply,
            label=f"Leased hours billed: {g}",
            unit="GPU-hours",
            schedule=Schedule.REVENUE,
        )
    internal = ctx.add(
        Key("internal_hours_used", generation=g),
        (Key("units", generation=g, use="training").ref() + Key("units", generation=g, use="inference").ref())
        * ctx.hours
        * Ref("internal_utilisation"),
        label=f"Internal hours used: {g}",
        unit="GPU-hours",
        schedule=Schedule.REVENUE,
    )
    market_part = market_share_of_billed(ctx, g)
    at_market = billed if market_part is None else billed * market_part
    from_market = _by_vintage(ctx, g, market_part) if has_contracts(ctx) else at_market * market_rate / ctx.scale
    contracts = Key("contract_revenue", generation=g).ref() if market_part is not None else None
    revenue = ctx.add(
        Key("leasing_revenue", generation=g),
        from_market if contracts is None else from_market + contracts,
        label=f"Leasing revenue: {g}" + ("" if contracts is None else " (at market prices + contracts sold)"),
        unit=m,
        schedule=Schedule.REVENUE,
    )
    ctx.add(
        Key("rental_price_usd_per_hour", generation=g),
        safe_divide(revenue * ctx.scale, billed),
        label=f"Realised rental price (leasing revenue / hours billed): {g}",
        unit="USD/GPU-hour",
        schedule=Schedule.REVENUE,
    )
    market = ctx.add(
        Key("internal_market_value", generation=g),
        internal * market_rate / ctx.scale,
        label=f"Internal use at the market rental price (for reference only): {g}",
        unit=m,
        schedule=Schedule.REVENUE,
    )
    ctx.add(
        Key("internal_value", generation=g),
        _internal_value(ctx, g, internal, market, power_price),
        label=f"Internal use {INTERNAL_BASIS[ctx.model.internal.value_basis]}: {g}",
        unit=m,
        schedule=Schedule.REVENUE,
    )
    ctx.add(
        Key("power_cost", generation=g),
        installed * ctx.power_per_accelerator_hour(g, power_price) * ctx.hours / ctx.scale,
        label=f"Power cost: {g}",
        unit=m,
        schedule=Schedule.COSTS,
    )
    ctx.add(
        Key("facility_cost", generation=g),
        installed * ctx.facility_per_accelerator_year(g) * ctx.step / ctx.scale,
        label=f"Facility cost: {g}",
        unit=m,
        schedule=Schedule.COSTS,
    )
    ctx.add(
        Key("maintenance_cost", generation=g),
        ctx.over(
            units_in_service(g, vintage.label).ref() * unit_cost(ctx, g, vintage)
            for vintage in ctx.vintages
            if holds(ctx, g, vintage)
        )
        * Ref("maintenance_share_per_year")
        * ctx.step
        / ctx.scale,
        label=f"Maintenance of {g} in service",
        unit=m,
        schedule=Schedule.COSTS,
    )
    ctx.add(
        Key("resale_proceeds", generation=g),
        ctx.over(
            Key("units_retiring", generation=g, vintage=vintage.label).ref() * unit_cost(ctx, g, vintage)
            for vintage in ctx.vintages
            if holds(ctx, g, vintage)
        )
        * Key("resale_share_at_retirement", generation=g).ref()
        / ctx.scale,
        label=f"Proceeds from selling retired {g} (units retiring × cost when bought × resale value share)",
        unit=m,
        schedule=Schedule.REVENUE,
    )
    ctx.add(
        Key("leased_share", generation=g),
        safe_divide(Key("units", generation=g, use="leasing").ref(), installed),
        label=f"Leased share of {g} in service",
        unit="share",
        schedule=Schedule.REVENUE,
    )


def _internal_value(ctx: Context, g: str, used_hours: Ref, market: Ref, power_price: Ref) -> Expr:
    """What internal use of ``g`` is worth in a period, on the model's declared basis."""
    basis = ctx.model.internal.value_basis
    if basis == "market_ratio":
        return market * Ref("shadow_price_ratio")
    if basis == "per_gpu_hour":
        return (
            used_hours
            * Ref("internal_value_usd_per_gpu_hour")
            * Key("relative_performance", generation=g).ref()
            / ctx.scale
        )
    unit_cost = Key("unit_cost_usd", generation=g).ref()
    per_hour = (
        unit_cost
        * ctx.capital_recovery(Ref("hurdle_rate"), Key("physical_life_years", generation=g).ref())
        / HOURS_PER_YEAR
        + ctx.power_per_accelerator_hour(g, power_price)
        + (ctx.facility_per_accelerator_year(g) + Ref("maintenance_share_per_year") * unit_cost) / HOURS_PER_YEAR
    )
    held = Key("units", generation=g, use="training").ref() + Key("units", generation=g, use="inference").ref()
    return held * ctx.hours * per_hour / ctx.scale


def _by_vintage(ctx: Context, g: str, market_part: Expr | None) -> Expr:
    """Leasing revenue at market prices as Σ over the vintages that bought the generation of their hours
    billed × their price under the tiers they signed (× the share billed at market prices, where contracts
    are sold on the generation). A vintage's hours billed are its leasable hours × the generation's
    cleared share, so they add up to the generation's hours billed."""
    revenue = []
    for vintage in ctx.vintages:
        if not ctx.buys(vintage, g):
            continue

        def hours(t: int, vintage: Vintage = vintage) -> Expr:
            billable = units_in_service(g, vintage.label).ref() * ctx.billable_share(g, vintage, t)
            supply = billable * ctx.hours * Ref("leasing_utilisation")
            return supply * Key("cleared_share", generation=g).ref() if ctx.clears else supply

        def price(t: int, vintage: Vintage = vintage) -> Expr:
            return vintage_price(ctx, g, vintage, t) if ctx.alive(g, vintage, t) else Const(0.0)

        billed = ctx.add(
            Key("leased_hours_billed", generation=g, vintage=vintage.label),
            ctx.by_vintage(vintage, hours),
            label=f"{g} bought {vintage.label}: leased hours billed",
            unit="GPU-hours",
            schedule=Schedule.REVENUE,
        )
        rate = ctx.add(
            Key("rental_price_usd_per_hour", generation=g, vintage=vintage.label),
            ctx.by_vintage(vintage, price),
            label=f"{g} bought {vintage.label}: rental price under the contracts it signed (tiers' mix)",
            unit="USD/GPU-hour",
            schedule=Schedule.REVENUE,
        )
        revenue.append(billed * rate)
    at_market = ctx.over(revenue)
    return (at_market if market_part is None else at_market * market_part) / ctx.scale
