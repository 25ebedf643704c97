"""The contracted backlog (remaining performance obligations): opening + bookings − revenue recognised
= closing, period by period, and the backlog ÷ quarterly revenue multiple.

Revenue recognised in a period is exact for annual and quarterly models: the opening backlog's
share for the fiscal year the period falls in (a quarter takes a fourth of its year's share), plus,
for each earlier or current period's bookings, the conversion share of the year after signing the
period falls in (year 1 is the fiscal year of signing in an annual model, the four quarters from
the quarter of signing in a quarterly one, each a fourth of the year's share).
"""

from __future__ import annotations

from ...schema import quarters_declared
from .._demand import schedule_key
from .._ir import Const, Expr, Ref, RowSum, ge, if_, safe_divide, total
from .._keys import Key
from ..presentation import Schedule
from ._context import Context

QUARTERS_PER_YEAR = 4


def define(ctx: Context) -> None:
    backlog = ctx.model.demand.backlog
    if backlog is None:
        return
    m, schedule = ctx.money, Schedule.DEMAND
    per_year = ctx.model.timeline.periods_per_year
    by_quarter = quarters_declared(ctx.model)
    grown = if_(
        ge(Ref("bookings_is_declared"), 1),
        Ref("bookings_declared"),
        Ref("bookings", lag=per_year) * (1 + Ref("bookings_growth_per_year")),
    )
    ctx.add(
        "backlog_opening",
        [Ref("backlog_at_start") if t == 0 else Ref("backlog_closing", lag=1) for t in range(ctx.count)],
        label="Backlog, opening",
        unit=m,
        schedule=schedule,
    )
    bookings = ctx.add(
        "bookings",
        [
            ctx.over(Key("bookings_in_quarter", band=q) for q in by_quarter[period]) if period in by_quarter else grown
            for period in ctx.periods
        ],
        label="Bookings (declared; else the same period a year earlier × (1 + growth); none in the run-off)",
        unit=m,
        schedule=schedule,
    )
    from_opening = ctx.add(
        "backlog_recognised_opening",
        [_from_opening(ctx, len(backlog.opening_schedule), t) for t in range(ctx.count)],
        label="   revenue recognised from the opening backlog (its schedule, by year from the start)",
        unit=m,
        schedule=schedule,
    )
    from_bookings = ctx.add(
        "backlog_recognised_bookings",
        [_from_bookings(ctx, len(backlog.conversion), t) for t in range(ctx.count)],
        label="   revenue recognised from bookings (conversion share of the year after signing)",
        unit=m,
        schedule=schedule,
    )
    recognised = ctx.add(
        "backlog_recognised",
        from_opening + from_bookings,
        label="Revenue recognised from backlog",
        unit=m,
        schedule=schedule,
    )
    closing = ctx.add(
        "backlog_closing",
        Ref("backlog_opening") + bookings - recognised,
        label="Backlog, closing (opening + bookings − recognised)",
        unit=m,
        schedule=schedule,
    )
    ctx.add(
        "backlog_compute_closing",
        closing * Ref("backlog_compute_share"),
        label="   of which AI/compute (× its share of the backlog)",
        unit=m,
        schedule=schedule,
    )
    ctx.add(
        "backlog_compute_recognised",
        recognised * Ref("backlog_compute_share"),
        label="Compute revenue recognised from backlog (× the compute share)",
        unit=m,
        schedule=schedule,
    )
    quarterly = ctx.add(
        "backlog_quarterly_revenue",
        recognised if per_year == QUARTERS_PER_YEAR else recognised * (per_year / QUARTERS_PER_YEAR),
        label="Quarterly revenue recognised from backlog (the period's, per quarter)",
        unit=m,
        schedule=schedule,
    )
    ctx.add(
        "backlog_to_quarterly_revenue",
        safe_divide(closing, quarterly),
        label="Backlog ÷ quarterly revenue (closing backlog ÷ the quarterly revenue recognised from it; 0 without)",
        unit="x",
        schedule=schedule,
    )


def _from_opening(ctx: Context, years: int, column: int) -> Expr:
    """The opening backlog's share for the fiscal year ``column`` falls in (a quarter: a fourth of it)."""
    per_year = ctx.model.timeline.periods_per_year
    year = column // per_year + 1
    if year > years:
        return Const(0.0)
    return _per_period(Ref("backlog_at_start") * schedule_key("backlog_opening_share", year).ref(), per_year)


def _from_bookings(ctx: Context, years: int, column: int) -> Expr:
    """Σ over the years k after signing of conversion share k × the bookings signed k − 1 years before
    ``column`` (in a quarterly model: the four quarters' bookings that are in their year k, ÷ 4)."""
    per_year = ctx.model.timeline.periods_per_year
    terms = []
    for year in range(1, years + 1):
        last = column - (year - 1) * per_year
        if last < 0:
            break
        first = max(0, last - per_year + 1)
        signed = Ref("bookings", at=first) if first == last else RowSum("bookings", first, last)
        terms.append(_per_period(schedule_key("backlog_conversion", year).ref() * signed, per_year))
    return total(terms)


def unrecognised_by_schedule(ctx: Context, column: int) -> Expr:
    """What the schedules leave unrecognised at the end of ``column``: the opening backlog × (1 − its shares
    to date) + each booking × (1 − its conversion shares to date). The Checks compare it with the closing
    backlog of the roll-forward."""
    backlog = ctx.model.demand.backlog
    assert backlog is not None
    left = 1 - _elapsed(ctx, "backlog_opening_share", len(backlog.opening_schedule), column + 1)
    signed = [
        Ref("bookings", at=at) * (1 - _elapsed(ctx, "backlog_conversion", len(backlog.conversion), column - at + 1))
        for at in range(column + 1)
    ]
    return total([Ref("backlog_at_start") * left, *signed])


def _per_period(amount: Expr, per_year: int) -> Expr:
    """A year's amount in one period: all of it in an annual model, a fourth in a quarterly one."""
    return amount if per_year == 1 else amount / per_year


def _elapsed(ctx: Context, name: str, years: int, periods: int) -> Expr:
    """The share of a schedule recognised over its first ``periods`` periods (whole years, then quarters)."""
    per_year = ctx.model.timeline.periods_per_year
    whole, part = divmod(periods, per_year)
    shares: list[Expr] = [schedule_key(name, year).ref() for year in range(1, min(whole, years) + 1)]
    if part and whole + 1 <= years:
        shares.append(schedule_key(name, whole + 1).ref() * (part / per_year))
    return total(shares)
