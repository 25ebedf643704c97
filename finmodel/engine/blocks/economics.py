"""Leasing on economic terms, the basis of the verdict.

- Revenue counts only from units within their economic life: past it a unit is obsolete and
  earns nothing the verdict relies on (so a shorter economic life can never flatter the result).
- Leased accelerators are charged what they are worth to a buyer: the market value they lose while
  leased (the catalogue's resale curve, else straight line to nothing over the physical life) and
  the hurdle on their market value when a period begins (for a purchase, the share of the period in
  service × its cost). Capacity moved to leasing at any age thus enters at its market value then,
  whatever its book value. The economic life only sets how long a unit earns, so it can never make
  leasing's costs smaller.
- Buildings and land are charged as a rent per leased accelerator: their cost per accelerator
  recovered at the hurdle over their economic life (land earns the hurdle), so a building left
  half-empty in the run-off does not load the leased units.
- Tax is on that revenue less operating cost and book depreciation (the tax shield is on book).
- Flows are discounted at the hurdle to the start of the timeline from the middle of each period,
  run-off included, so every cohort is followed to retirement.
"""

from __future__ import annotations

from .._history import resale_point
from .._ir import Const, Expr, PerColumn, Ref, maximum, minimum, safe_divide, total
from .._keys import Key
from ..presentation import Schedule
from ._context import Context, Vintage
from ._pricing import has_contracts
from .clearing import market_share_of_billed
from .fleet import holds, units_in_service


def define(ctx: Context) -> None:
    m, schedule = ctx.money, Schedule.LEASING
    lives = {vintage.label: _economic_life(ctx, vintage) for vintage in ctx.vintages}
    for g in ctx.generations:
        _generation(ctx, g, lives)
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


def _generation(ctx: Context, g: str, lives: dict[str, Expr]) -> None:
    """Leased ``g``: revenue from its units within their economic life (a unit past it is obsolete and
    counts for nothing), its vintages' economic depreciation and economic value, by leased share."""
    m, schedule = ctx.money, Schedule.LEASING
    billable = Key("billable_leasing_units", generation=g)
    young = ctx.over_vintages_to_date(
        lambda vintage, t: (
            units_in_service(g, vintage.label).ref()
            * ctx.billable_share(g, vintage, t)
            * _earning_share(ctx, lives[vintage.label], vintage, t)
            if holds(ctx, g, vintage)
            else Const(0.0)
        )
    )
    young_share = [safe_divide(units, billable.ref()) for units in young]
    ctx.add(
        Key("leasing_economic_revenue", generation=g),
        _young_revenue_by_vintage(ctx, g, young_share, lives)
        if has_contracts(ctx)
        else [Key("leasing_revenue", generation=g).ref() * share for share in young_share],
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
        (
            "leasing_economic_depreciation",
            _market_value_lost,
            f"Market value lost by leased {g} (resale curve, else straight line over the physical life)",
        ),
        ("leasing_economic_capital", _market_value, f"Leased {g} at market value when the period begins"),
    ):
        ctx.add(
            Key(item, generation=g),
            [
                ctx.over(
                    _generation_cost(ctx, vintage, g) * term(ctx, g, vintage, t) * ctx.share(g, vintage, t, "leasing")
                    for vintage in ctx.vintages
                    if ctx.buys(vintage, g) and t >= vintage.first_column and ctx.alive(g, vintage, t)
                )
                for t in range(ctx.count)
            ],
            label=label,
            unit=m,
            schedule=schedule,
        )


def _young_revenue_by_vintage(ctx: Context, g: str, young_share: list[Expr], lives: dict[str, Expr]) -> list[Expr]:
    """With contracts each vintage bills its own price: Σ over vintages of its revenue × its share of the
    period within the economic life (× the share billed at market prices, where contracts are sold on the
    generation, whose revenue counts by the share of billable units young enough)."""
    market_part = market_share_of_billed(ctx, g)
    rows = []
    for t in range(ctx.count):
        at_market = total(
            Key("leased_hours_billed", generation=g, vintage=vintage.label).ref()
            * Key("rental_price_usd_per_hour", generation=g, vintage=vintage.label).ref()
            * _earning_share(ctx, lives[vintage.label], vintage, t)
            for vintage in ctx.vintages
            if ctx.buys(vintage, g) and t >= vintage.first_column
        )
        if market_part is None:
            rows.append(at_market / ctx.scale)
        else:
            contracts = Key("contract_revenue", generation=g).ref() * young_share[t]
            rows.append(at_market * market_part / ctx.scale + contracts)
    return rows


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


def _economic_life(ctx: Context, vintage: Vintage) -> Expr:
    """A vintage's economic life: the accelerator classes' economic lives weighted by its cost in each."""
    costs = [(c, cost) for c in ctx.accelerator_classes if (cost := ctx.cost(vintage, c)) is not None]
    return safe_divide(
        total(cost * Key("economic_life_years", asset_class=c).ref() for c, cost in costs),
        total(cost for _, cost in costs),
    )


def _earning_share(ctx: Context, life: Expr, vintage: Vintage, t: int) -> Expr:
    """Share of period ``t``'s time in service that a vintage spends within its economic life ``life``."""
    span = ctx.years_in_service(vintage, t)
    return maximum(0, minimum(1, (life - ctx.age_at_start(vintage, t)) / span))


def _generation_cost(ctx: Context, vintage: Vintage, g: str) -> Expr:
    """What a vintage spent on ``g``: its accelerator classes' cost × ``g``'s share of it."""
    cost = ctx.over(c for c in (ctx.cost(vintage, c) for c in ctx.accelerator_classes) if c is not None)
    return cost * ctx.gpu_mix(vintage, g)


def market_share(ctx: Context, g: str, age: float) -> Expr:
    """Market value of a unit of ``g`` at an age, as a share of its cost when bought: the catalogue's resale
    curve read from its points' inputs (from 1 when new to its first point), else straight line to
    nothing over the physical life."""
    gpu = ctx.model.gpus[g]
    if not gpu.resale_value:
        return Const(max(0.0, 1 - age / gpu.physical_life_years))
    first_index, first = min(enumerate(gpu.resale_value), key=lambda item: item[1].age_years)
    if age < first.age_years:
        toward = age / first.age_years
        return (1 - toward) + resale_point(g, first_index).ref() * toward
    return total(resale_point(g, index).ref() * weight for index, weight in gpu.resale_weights(age))


def _market_value(ctx: Context, g: str, vintage: Vintage, t: int) -> Expr:
    """Share of cost a unit of the vintage is worth when ``t`` begins (in the period it is bought: the part
    of the period it is in service × its cost, as for book capital)."""
    if t == vintage.column:
        return Const(ctx.first_fraction)
    return market_share(ctx, g, ctx.age_at_start(vintage, t))


def _market_value_lost(ctx: Context, g: str, vintage: Vintage, t: int) -> Expr:
    """Share of cost a unit loses in ``t``: from its value when the period begins (or new) to its value when
    it ends, or when it retires (its resale value then is recovered as proceeds)."""
    start = 0.0 if t == vintage.column else ctx.age_at_start(vintage, t)
    end = min(ctx.age_at_start(vintage, t) + ctx.years_in_service(vintage, t), ctx.physical_life[g])
    return market_share(ctx, g, start) - market_share(ctx, g, end)


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
