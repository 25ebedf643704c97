"""Leasing on economic terms, the basis of the verdict.

- Revenue counts only from units within their economic life: past it a unit is obsolete and
  earns nothing the verdict relies on (so a shorter economic life can never flatter the result).
- Leased accelerators are depreciated straight line over the economic life, and charged the
  hurdle on their economic value (cost written down the same way to salvage) when a period begins
  (for a purchase, the share of the period in service × its cost).
- Buildings and land are charged as a rent per leased accelerator: their cost per accelerator
  recovered at the hurdle over their economic life (land earns the hurdle), so a building left
  half-empty in the run-off does not load the leased units.
- Tax is on that revenue less operating cost and book depreciation (the tax shield is on book).
- Flows are discounted at the hurdle to the start of the timeline from the middle of each period,
  run-off included, so every cohort is followed to retirement.
"""

from __future__ import annotations

from .._ir import Const, Expr, PerColumn, Ref, maximum, minimum, safe_divide, total
from .._keys import Key
from ..presentation import Schedule
from ._context import Context, Vintage
from ._pricing import has_contracts
from .depreciation import alive_share, leased_part
from .fleet import holds, units_in_service


def define(ctx: Context) -> None:
    m, schedule = ctx.money, Schedule.LEASING
    for g in ctx.generations:
        _generation(ctx, g)
    rows = {}
    for item, label in (
        ("leasing_economic_revenue", "Leasing revenue earned within the economic life"),
        (
            "leasing_economic_depreciation",
            "Economic depreciation of leased accelerators (straight line, economic life)",
        ),
        (
            "leasing_building_charge",
            "Building and land charge for leased accelerators (capital recovery at the hurdle)",
        ),
        ("leasing_economic_capital", "Capital in leased accelerators at economic value"),
    ):
        rows[item] = ctx.add(
            item, ctx.over(Key(item, generation=g) for g in ctx.generations), label=label, unit=m, schedule=schedule
        )
    ebitda = ctx.add(
        "leasing_economic_ebitda",
        rows["leasing_economic_revenue"] - Ref("leasing_operating_cost") - rows["leasing_building_charge"],
        label="Leasing EBITDA on economic terms (revenue within the economic life − operating cost − building charge)",
        unit=m,
        schedule=schedule,
    )
    tax = ctx.add(
        "leasing_economic_tax",
        Ref("tax_rate")
        * (rows["leasing_economic_revenue"] - Ref("leasing_operating_cost") - Ref("leasing_depreciation")),
        label="Tax on that revenue less operating cost and book depreciation",
        unit=m,
        schedule=schedule,
    )
    nopat = ctx.add(
        "leasing_economic_nopat",
        ebitda - rows["leasing_economic_depreciation"] - tax,
        label="Leasing NOPAT on economic terms",
        unit=m,
        schedule=schedule,
    )
    charge = ctx.add(
        "leasing_capital_charge",
        Ref("hurdle_rate") * ctx.step * rows["leasing_economic_capital"],
        label="Charge at the hurdle on leased accelerators at economic value",
        unit=m,
        schedule=schedule,
    )
    ctx.add(
        "leasing_economic_value_added",
        nopat - charge,
        label="Leasing economic profit on economic terms (NOPAT − capital charge)",
        unit=m,
        schedule=schedule,
    )
    ctx.add(
        "discount_factor",
        1 / (1 + Ref("hurdle_rate")) ** PerColumn(tuple((t + 0.5) * ctx.step for t in range(ctx.count))),
        label="Discount factor at the hurdle, mid-period, to the start of the timeline",
        unit="x",
        schedule=schedule,
    )
    _capacity(ctx)


def _generation(ctx: Context, g: str) -> None:
    """Leased ``g``: revenue from its units within their economic life (a unit past it is obsolete and
    counts for nothing), its vintages' economic depreciation and economic value, by leased share."""
    m, schedule = ctx.money, Schedule.LEASING
    billable = Key("billable_leasing_units", generation=g)
    young = ctx.over_vintages_to_date(
        lambda vintage, t: (
            units_in_service(g, vintage.label).ref()
            * ctx.billable_share(g, vintage, t)
            * _earning_share(ctx, vintage, t)
            if holds(ctx, g, vintage)
            else Const(0.0)
        )
    )
    ctx.add(
        Key("leasing_economic_revenue", generation=g),
        _young_revenue_by_vintage(ctx, g)
        if has_contracts(ctx)
        else [Key("leasing_revenue", generation=g).ref() * safe_divide(units, billable.ref()) for units in young],
        label=f"Leasing revenue of {g} within the economic life (revenue × billable units young enough / all)",
        unit=m,
        schedule=schedule,
    )
    ctx.add(
        Key("leasing_building_charge", generation=g),
        Key("units", generation=g, use="leasing").ref() * _building_rent(ctx, g) * ctx.step / ctx.scale,
        label=f"Building and land charge for leased {g} (units × rent per accelerator-year)",
        unit=m,
        schedule=schedule,
    )
    for item, term, label in (
        ("leasing_economic_depreciation", _accelerator_economic_depreciation, f"Economic depreciation of leased {g}"),
        ("leasing_economic_capital", _accelerator_economic_value, f"Capital in leased {g} at economic value"),
    ):
        ctx.add(
            Key(item, generation=g),
            leased_part(ctx, g, lambda vintage, t, term=term: term(ctx, vintage, t)),
            label=label,
            unit=m,
            schedule=schedule,
        )


def _young_revenue_by_vintage(ctx: Context, g: str) -> list[Expr]:
    """With contracts each vintage bills its own price: Σ over vintages of its revenue × its share of the
    period within the economic life."""
    return [
        total(
            Key("leased_hours_billed", generation=g, vintage=vintage.label).ref()
            * Key("rental_price_usd_per_hour", generation=g, vintage=vintage.label).ref()
            * _earning_share(ctx, vintage, t)
            for vintage in ctx.vintages
            if ctx.buys(vintage, g) and t >= vintage.first_column
        )
        / ctx.scale
        for t in range(ctx.count)
    ]


def _building_rent(ctx: Context, g: str) -> Expr:
    """Rent a year for the building and land one new accelerator of ``g`` occupies (USD): their cost per
    accelerator (this period's unit cost × their share of AI CapEx / the accelerator classes' share),
    recovered at the hurdle over their economic life; land earns the hurdle."""
    accelerator_mix = ctx.over(Key("asset_mix", asset_class=c) for c in ctx.accelerator_classes)
    hurdle = Ref("hurdle_rate")
    recovery = total(
        Key("asset_mix", asset_class=c).ref()
        * (
            hurdle
            if ctx.model.asset_classes[c].method == "none"
            else ctx.capital_recovery(hurdle, Key("economic_life_years", asset_class=c).ref())
        )
        for c in ctx.other_classes
    )
    return Key("unit_cost_usd", generation=g).ref() * safe_divide(recovery, accelerator_mix)


def _earning_share(ctx: Context, vintage: Vintage, t: int) -> Expr:
    """Share of period ``t``'s time in service that a vintage spends within its economic life (the
    accelerator classes' economic lives weighted by the vintage's cost in each)."""
    costs = [(c, cost) for c in ctx.accelerator_classes if (cost := ctx.cost(vintage, c)) is not None]
    life = safe_divide(
        total(cost * Key("economic_life_years", asset_class=c).ref() for c, cost in costs),
        total(cost for _, cost in costs),
    )
    span = ctx.years_in_service(vintage, t)
    return maximum(0, minimum(1, (life - ctx.age_at_start(vintage, t)) / span))


def _accelerator_economic_depreciation(ctx: Context, vintage: Vintage, t: int) -> Expr:
    return ctx.over(
        Key("economic_depreciation", asset_class=c, vintage=vintage.label)
        for c in ctx.accelerator_classes
        if ctx.cost(vintage, c) is not None
    )


def _accelerator_economic_value(ctx: Context, vintage: Vintage, t: int) -> Expr:
    return ctx.over(_economic_value(ctx, c, vintage, t) for c in ctx.accelerator_classes)


def _economic_value(ctx: Context, c: str, vintage: Vintage, t: int) -> Expr:
    """Economic value of a class's vintage when period ``t`` begins (units in service only)."""
    cost = ctx.cost(vintage, c)
    if cost is None or t < vintage.first_column:
        return Const(0.0)
    if t == vintage.column:
        return ctx.first_fraction * cost
    asset = ctx.model.asset_classes[c]
    if asset.method == "none":
        return cost
    salvage = Key("salvage_fraction", asset_class=c).ref()
    life = Key("economic_life_years", asset_class=c).ref()
    remaining = maximum(0, 1 - ctx.age_at_start(vintage, t) / life)
    value = cost * (salvage + (1 - salvage) * remaining)
    alive = alive_share(ctx, vintage, t) if c in ctx.accelerator_classes else None
    return value if alive is None else value * alive


def _capacity(ctx: Context) -> None:
    """Capacity in H100-equivalent units (units × relative performance): leased and in service."""
    for item, use, label in (
        ("leased_h100_equivalents", "leasing", "Leased units, H100-equivalent"),
        ("installed_h100_equivalents", None, "Units in service, H100-equivalent"),
    ):
        ctx.add(
            item,
            ctx.over(
                (Key("units", generation=g, use=use) if use else Key("installed_units", generation=g)).ref()
                * Key("relative_performance", generation=g).ref()
                for g in ctx.generations
            ),
            label=label,
            unit="H100-eq units",
            schedule=Schedule.LEASING,
        )
    ctx.add(
        "leased_capacity_share",
        safe_divide(Ref("leased_h100_equivalents"), Ref("installed_h100_equivalents")),
        label="Leased share of capacity (H100-equivalent)",
        unit="share",
        schedule=Schedule.LEASING,
    )
