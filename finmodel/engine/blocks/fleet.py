"""Fleet: accelerators bought, in service by vintage, retired, and split by use."""

from __future__ import annotations

from dataclasses import replace

from ...schema import USES
from .._ir import Expr, PerColumn, Ref, all_of, ge, if_, lt, maximum, minimum, safe_divide
from .._keys import Key
from ..presentation import Schedule
from ._context import Context


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
    for v, period in enumerate(ctx.periods):
        bought = Ref(purchases.row, at=v)

        def in_service(t: int, v: int = v, bought: Ref = bought) -> Expr:
            age, span = ctx.age_at_start(v, t), ctx.years_in_service(v, t)
            return bought * maximum(0, minimum(span, life - age)) / ctx.step

        def retiring(t: int, v: int = v, bought: Ref = bought) -> Expr:
            age, span = ctx.age_at_start(v, t), ctx.years_in_service(v, t)
            return if_(all_of(lt(age, life), ge(age + span, life)), bought, 0)

        ctx.add(
            units_in_service(g, period),
            ctx.by_vintage(v, in_service),
            label=f"{g} bought {period}: accelerators in service (period average)",
            unit="accelerators",
            schedule=Schedule.FLEET,
        )
        ctx.add(
            Key("units_retiring", generation=g, vintage=period),
            ctx.by_vintage(v, retiring),
            label=f"{g} bought {period}: accelerators reaching their physical life",
            unit="accelerators",
            schedule=Schedule.FLEET,
        )
    ctx.add(
        Key("installed_units", generation=g),
        ctx.over(units_in_service(g, p) for p in ctx.periods),
        label=f"Accelerators in service (period average): {g}",
        unit="accelerators",
        schedule=Schedule.FLEET,
    )
    ctx.add(
        Key("retired_units", generation=g),
        ctx.over(Key("units_retiring", generation=g, vintage=p) for p in ctx.periods),
        label=f"Accelerators retired: {g}",
        unit="accelerators",
        schedule=Schedule.FLEET,
    )
    for use in USES:

        def in_use(v: int, t: int, use: str = use) -> Expr:
            return units_in_service(g, ctx.periods[v]).ref() * ctx.share(g, v, t, use)

        ctx.add(
            Key("units", generation=g, use=use),
            ctx.over_vintages_to_date(in_use),
            label=f"Accelerators in {use} (period average): {g}",
            unit="accelerators",
            schedule=Schedule.FLEET,
        )
    ctx.add(
        Key("billable_leasing_units", generation=g),
        ctx.over_vintages_to_date(lambda v, t: units_in_service(g, ctx.periods[v]).ref() * ctx.billable_share(g, v, t)),
        label=f"Leased accelerators delivered and billable (period average): {g}",
        unit="accelerators",
        schedule=Schedule.FLEET,
    )
