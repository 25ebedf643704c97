"""Fleet: accelerators bought, in service by vintage, retired, and split by use."""

from __future__ import annotations

from dataclasses import replace

from ...schema import USES
from .._ir import Const, Expr, PerColumn, Ref, all_of, ge, if_, lt, maximum, minimum, safe_divide
from .._keys import Key
from ..presentation import Schedule
from ._context import Context, Vintage


def units_in_service(g: str, period: str) -> Key:
    return Key("units_in_service", generation=g, vintage=period)


def define(ctx: Context) -> None:
    for g in ctx.generations:
        _generation(ctx, g)
    ctx.add(
        "installed_units",
        ctx.over(Key("installed_units", generation=g) for g in ctx.generations),
        label="Accelerators in service, all generations",
        unit="accelerators",
        schedule=Schedule.FLEET,
    )
    for key, units, label in (
        ("installed_it_kw", Key("installed_units"), "IT power in service"),
        ("leased_it_kw", Key("units", use="leasing"), "IT power of leased accelerators"),
    ):
        ctx.add(
            key,
            ctx.over(
                replace(units, generation=g).ref() * Key("power_kw_per_accelerator", generation=g).ref()
                for g in ctx.generations
            ),
            label=label,
            unit="kW",
            schedule=Schedule.FLEET,
        )
    ctx.add(
        "leased_power_share",
        safe_divide(Ref("leased_it_kw"), Ref("installed_it_kw")),
        label="Leased share of IT power",
        unit="share",
        schedule=Schedule.FLEET,
    )


def _generation(ctx: Context, g: str) -> None:
    launch = maximum(
        0, PerColumn(tuple(s + ctx.step / 2 for s in ctx.starts)) - Key("available_from", generation=g).ref()
    )
    unit_cost = ctx.add(
        Key("unit_cost_usd", generation=g),
        Key("cost_per_accelerator_usd", generation=g).ref()
        * (1 + Key("cost_change_per_year", generation=g).ref()) ** launch,
        label=f"All-in cost per accelerator bought: {g}",
        unit="USD",
        schedule=Schedule.FLEET,
    )
    purchases = ctx.add(
        Key("purchases_units", generation=g),
        safe_divide(Key("capex_generation", generation=g).ref() * ctx.scale, unit_cost),
        label=f"Accelerators bought: {g}",
        unit="accelerators",
        schedule=Schedule.FLEET,
    )
    life = Key("physical_life_years", generation=g).ref()
    for vintage in ctx.vintages:
        if not holds(ctx, g, vintage):
            continue
        if vintage.column is None:
            bought = _opening_purchases(ctx, g, vintage)
        else:
            bought = Ref(purchases.row, at=vintage.column)

        def in_service(t: int, vintage: Vintage = vintage, bought: Ref = bought) -> Expr:
            age, span = ctx.age_at_start(vintage, t), ctx.years_in_service(vintage, t)
            return bought * maximum(0, minimum(span, life - age)) / ctx.step

        def retiring(t: int, vintage: Vintage = vintage, bought: Ref = bought) -> Expr:
            age, span = ctx.age_at_start(vintage, t), ctx.years_in_service(vintage, t)
            return if_(all_of(lt(age, life), ge(age + span, life)), bought, 0)

        ctx.add(
            units_in_service(g, vintage.label),
            ctx.by_vintage(vintage, in_service),
            label=f"{g} bought {vintage.label}: accelerators in service (period average)",
            unit="accelerators",
            schedule=Schedule.FLEET,
        )
        ctx.add(
            Key("units_retiring", generation=g, vintage=vintage.label),
            ctx.by_vintage(vintage, retiring),
            label=f"{g} bought {vintage.label}: accelerators reaching their physical life",
            unit="accelerators",
            schedule=Schedule.FLEET,
        )
    held = [vintage.label for vintage in ctx.vintages if holds(ctx, g, vintage)]
    ctx.add(
        Key("installed_units", generation=g),
        ctx.over(units_in_service(g, label) for label in held),
        label=f"Accelerators in service (period average): {g}",
        unit="accelerators",
        schedule=Schedule.FLEET,
    )
    ctx.add(
        Key("retired_units", generation=g),
        ctx.over(Key("units_retiring", generation=g, vintage=label) for label in held),
        label=f"Accelerators retired: {g}",
        unit="accelerators",
        schedule=Schedule.FLEET,
    )
    for use in USES:

        def in_use(vintage: Vintage, t: int, use: str = use) -> Expr:
            if not holds(ctx, g, vintage):
                return Const(0.0)
            return units_in_service(g, vintage.label).ref() * ctx.share(g, vintage, t, use)

        ctx.add(
            Key("units", generation=g, use=use),
            ctx.over_vintages_to_date(in_use),
            label=f"Accelerators in {use} (period average): {g}",
            unit="accelerators",
            schedule=Schedule.FLEET,
        )
    ctx.add(
        Key("billable_leasing_units", generation=g),
        ctx.over_vintages_to_date(
            lambda vintage, t: (
                units_in_service(g, vintage.label).ref() * ctx.billable_share(g, vintage, t)
                if holds(ctx, g, vintage)
                else Const(0.0)
            )
        ),
        label=f"Leased accelerators delivered and billable (period average): {g}",
        unit="accelerators",
        schedule=Schedule.FLEET,
    )


def holds(ctx: Context, generation: str, vintage: Vintage) -> bool:
    """Whether a vintage has fleet rows for a generation: it bought some (a vintage that bought none
    would only add rows of zeros; GPU mixes are structural, so this is fixed per graph)."""
    return ctx.buys(vintage, generation)


def unit_cost(ctx: Context, generation: str, vintage: Vintage) -> Expr:
    """All-in cost of one accelerator of a vintage (USD)."""
    if vintage.column is not None:
        return Key("unit_cost_usd", generation=generation).ref(at=vintage.column)
    return Key("opening_unit_cost_usd", generation=generation, vintage=vintage.label).ref()


def _opening_purchases(ctx: Context, g: str, vintage: Vintage) -> Ref:
    """Accelerators an opening year bought: its accelerator-class cost × GPU mix ÷ the cost per unit then."""
    year = int(vintage.label)
    middle = year - 1 + ctx.model.timeline.fiscal_year_end_month / 12 + 0.5
    cost = ctx.add(
        Key("opening_unit_cost_usd", generation=g, vintage=vintage.label),
        Key("cost_per_accelerator_usd", generation=g).ref()
        * (1 + Key("cost_change_per_year", generation=g).ref())
        ** maximum(0, Const(middle) - Key("available_from", generation=g).ref()),
        label=f"All-in cost per accelerator bought in {year}: {g}",
        unit="USD",
        schedule=Schedule.FLEET,
        axis="scalar",
    )
    spent = ctx.over(c for c in (ctx.cost(vintage, a) for a in ctx.accelerator_classes) if c is not None)
    return ctx.add(
        Key("opening_purchases_units", generation=g, vintage=vintage.label),
        safe_divide(spent * ctx.gpu_mix(vintage, g) * ctx.scale, cost),
        label=f"Accelerators bought in {year}, before the timeline: {g}",
        unit="accelerators",
        schedule=Schedule.FLEET,
        axis="scalar",
    )
