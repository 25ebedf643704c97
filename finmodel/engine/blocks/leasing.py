"""The leasing business: what the leased capacity earns and costs, exact by generation, vintage
and age band. Assets shared by all capacity (buildings, land) follow the leased share of IT power."""

from __future__ import annotations

from .._ir import Const, Expr, Ref, if_, lt, safe_divide
from .._keys import Key
from .._ranges import largest
from ..presentation import Schedule
from ._context import Context, Vintage
from .depreciation import leased_part
from .fleet import holds, unit_cost, units_in_service


def define(ctx: Context) -> None:
    m, schedule = ctx.money, Schedule.LEASING
    for g in ctx.generations:
        _generation(ctx, g)
    shared = Ref("leased_power_share")
    depreciation = ctx.add(
        "leasing_depreciation",
        ctx.over(Key("leasing_depreciation", generation=g) for g in ctx.generations)
        + ctx.over(Key("depreciation", asset_class=c) for c in ctx.other_classes) * shared,
        label="Depreciation attributed to leasing",
        unit=m,
        schedule=schedule,
    )
    capital = ctx.add(
        "leasing_capital",
        [
            ctx.over(Key("leasing_capital", generation=g) for g in ctx.generations) + other * shared
            for other in ctx.other_capital_employed()
        ],
        label="Capital employed in leasing",
        unit=m,
        schedule=schedule,
    )
    operating = ctx.add(
        "leasing_operating_cost",
        ctx.over(Key("leasing_operating_cost", generation=g) for g in ctx.generations),
        label="Operating cost attributed to leasing",
        unit=m,
        schedule=schedule,
    )
    ebitda = ctx.add(
        "leasing_ebitda", Ref("leasing_revenue") - operating, label="Leasing EBITDA", unit=m, schedule=schedule
    )
    ctx.add(
        "leasing_ebitda_margin",
        safe_divide(ebitda, Ref("leasing_revenue")),
        label="Leasing EBITDA margin (0 before any revenue)",
        unit="share",
        schedule=schedule,
    )
    ebit = ctx.add("leasing_ebit", ebitda - depreciation, label="Leasing EBIT", unit=m, schedule=schedule)
    tax = ctx.taxed("leasing_tax", ebit, "Tax on leasing EBIT", schedule)
    nopat = ctx.add("leasing_nopat", ebit - tax, label="Leasing NOPAT", unit=m, schedule=schedule)
    ctx.add(
        "leasing_book_profit",
        nopat - Ref("hurdle_rate") * ctx.step * capital,
        label="Leasing economic profit on book terms (NOPAT − hurdle × book capital employed)",
        unit=m,
        schedule=schedule,
    )
    # A ratio over a denominator that has all but run out (the last leased units' final months) is
    # noise, not information: below a tenth of its peak it reads 0 (shown blank).
    peak = ctx.add_summary(
        "leasing_depreciation_peak",
        largest("leasing_depreciation", 0, ctx.count - 1),
        label="Largest depreciation attributed to leasing in a period",
        unit=m,
    )
    ctx.add(
        "leasing_coverage",
        if_(lt(depreciation, 0.1 * peak), 0, safe_divide(Ref("leasing_revenue"), depreciation)),
        label="Leasing revenue / attributed depreciation (blank where depreciation is under a tenth of its peak)",
        unit="x",
        schedule=schedule,
    )


def _generation(ctx: Context, g: str) -> None:
    m, schedule = ctx.money, Schedule.LEASING
    for item, source, label in (
        ("leasing_depreciation", "accelerator_depreciation", f"Depreciation of leased {g}"),
        ("leasing_capital", "accelerator_capital", f"Capital employed in leased {g}"),
    ):

        def vintage_row(vintage: Vintage, t: int, source: str = source) -> Expr:
            return Key(source, vintage=vintage.label).ref()

        ctx.add(
            Key(item, generation=g),
            leased_part(ctx, g, vintage_row),
            label=label,
            unit=m,
            schedule=schedule,
        )
    by_share = (Key("power_cost", generation=g).ref() + Key("facility_cost", generation=g).ref()) * Key(
        "leased_share", generation=g
    ).ref()
    ctx.add(
        Key("leasing_operating_cost", generation=g),
        [by_share + maintenance for maintenance in _leased_maintenance(ctx, g)],
        label=f"Operating cost of leased {g} (power and facility by leased share, maintenance by vintage)",
        unit=m,
        schedule=schedule,
    )


def _leased_maintenance(ctx: Context, g: str) -> list[Expr]:
    """Maintenance of the leased units of each vintage, at their own cost and leased share."""
    rate = Ref("maintenance_share_per_year") * ctx.step / ctx.scale
    return [
        per_period * rate
        for per_period in ctx.over_vintages_to_date(
            lambda vintage, t: (
                units_in_service(g, vintage.label).ref()
                * unit_cost(ctx, g, vintage)
                * ctx.share(g, vintage, t, "leasing")
                if holds(ctx, g, vintage)
                else Const(0.0)
            )
        )
    ]
