"""Identities that must hold; each reads zero, rounded to 6 decimals so float noise does not show."""

from __future__ import annotations

from ...schema import USES
from .._ir import Expr, Ref, all_of, ge, if_, le, maximum, minimum, round_half_away
from .._keys import Key
from .._ranges import largest, smallest
from ..presentation import Schedule
from ._context import Context
from .backlog import unrecognised_by_schedule

CHECK_DECIMALS = 6


def define(ctx: Context) -> None:
    m = ctx.money

    def check(key: Key | str, difference: Expr, *, label: str, unit: str) -> None:
        ctx.add(key, round_half_away(difference, CHECK_DECIMALS), label=label, unit=unit, schedule=Schedule.CHECKS)

    check(
        "check_ppe_rollforward",
        Ref("net_ppe_closing")
        - (
            Ref("net_ppe_opening")
            + Ref("capex_in_scope")
            - Ref("depreciation_in_scope")
            - Ref("retirement_write_off")
            - Ref("impairment")
        ),
        label="Net PP&E: closing − (opening + CapEx − depreciation − written off − impairment)",
        unit=m,
    )
    check(
        "check_ppe_vintages",
        Ref("net_ppe_closing")
        - ctx.over(
            Key("net_book_value", asset_class=c, vintage=v.label)
            for c in ctx.classes
            for v in ctx.vintages
            if ctx.cost(v, c) is not None
        ),
        label="Net PP&E − sum of vintage book values",
        unit=m,
    )
    uses = (*USES, "idle") if ctx.internal_demand else USES
    for g in ctx.generations:
        check(
            Key("check_allocation", generation=g),
            Key("installed_units", generation=g).ref() - ctx.over(Key("units", generation=g, use=u) for u in uses),
            label=f"{g}: in service − (training + inference + leasing{' + idle' if ctx.internal_demand else ''})",
            unit="accelerators",
        )
    check(
        "check_capex_split",
        Ref("capex_ai") - ctx.over(Key("capex", asset_class=c) for c in ctx.classes if c not in ctx.non_ai_classes),
        label="AI CapEx − sum over asset classes",
        unit=m,
    )
    check(
        "check_depreciation_by_generation",
        Ref("accelerator_depreciation")
        - ctx.over(Key("depreciation_generation", generation=g) for g in ctx.generations),
        label="Accelerator depreciation − sum over generations",
        unit=m,
    )
    ctx.add(
        "check_capital_employed",
        [
            round_half_away(
                ctx.over(ctx.capital_employed(c, v, t) for c in ctx.classes for v in ctx.vintages)
                - (Ref("net_ppe_opening") + ctx.first_fraction * Ref("capex_in_scope")),
                CHECK_DECIMALS,
            )
            for t in range(ctx.count)
        ],
        label="Capital employed by vintage − (net PP&E at the start + CapEx from when in service)",
        unit=m,
        schedule=Schedule.CHECKS,
    )
    if ctx.model.demand.backlog is not None:
        ctx.add(
            "check_backlog_rollforward",
            [
                round_half_away(Ref("backlog_closing") - unrecognised_by_schedule(ctx, t), CHECK_DECIMALS)
                for t in range(ctx.count)
            ],
            label="Backlog: closing (opening + bookings − recognised) − what the schedules leave of each booking",
            unit=m,
            schedule=Schedule.CHECKS,
        )
        check(
            "check_backlog_recognised",
            minimum(0, Ref("backlog_opening") + Ref("bookings") - Ref("backlog_recognised")),
            label="Backlog: revenue recognised beyond opening backlog + bookings (0: never more than the backlog)",
            unit=m,
        )
    checks = [name for name, row in ctx.graph.rows.items() if row.group == Schedule.CHECKS and row.axis == "period"]
    largest_reading = maximum(*(largest(name, 0, ctx.count - 1) for name in checks))
    smallest_reading = minimum(*(smallest(name, 0, ctx.count - 1) for name in checks))
    # Float noise grows with the size of the figures: a check passes within a billionth of the
    # largest gross PP&E (and a millionth of a unit), as the invariant kit judges it.
    limit = 1e-6 + 1e-9 * largest("gross_ppe_closing", 0, ctx.count - 1)
    ctx.add(
        "checks_all_pass",
        if_(all_of(le(largest_reading, limit), ge(smallest_reading, -limit)), 1, 0),
        label="All checks read zero (1 = yes)",
        unit="flag",
        schedule=Schedule.CHECKS,
        axis="scalar",
    )
