"""Depreciation: the waterfall by asset class and vintage, book and economic, and its attribution
to accelerator generations.

Book depreciation spreads the depreciable book value over the *remaining* life in force, so a
change of useful life applies prospectively: remaining = life − age. Each method below says how
much of the depreciable value one period takes; all switch to the remainder when the remaining
life ends within the period. Economic depreciation is straight line over the economic life.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from ...schema import DepreciationMethod
from .._ir import Const, Expr, Ref, if_, le, maximum, minimum
from .._keys import Key
from ..presentation import Schedule
from ._context import Context

SpreadRule = Callable[[Expr, Expr, float, Expr, Expr, str], Expr]
"""(opening book value, depreciable value, years in service this period, remaining life, life,
asset class) → the period's depreciation before the end-of-life switch."""


def _straight_line(opening: Expr, depreciable: Expr, span: float, remaining: Expr, life: Expr, c: str) -> Expr:
    return depreciable * span / remaining


def _sum_of_years_digits(opening: Expr, depreciable: Expr, span: float, remaining: Expr, life: Expr, c: str) -> Expr:
    return depreciable * (2 * span) / (remaining + 1)


def _declining_balance(opening: Expr, depreciable: Expr, span: float, remaining: Expr, life: Expr, c: str) -> Expr:
    """The annual rate compounds over the time in service; never below straight line on what remains."""
    kept = maximum(0, 1 - Key("declining_balance_factor", asset_class=c).ref() / life) ** span
    return minimum(depreciable, maximum(opening * (1 - kept), depreciable * span / remaining))


SPREAD_RULES: dict[DepreciationMethod, SpreadRule | None] = {
    DepreciationMethod.STRAIGHT_LINE: _straight_line,
    DepreciationMethod.DECLINING_BALANCE: _declining_balance,
    DepreciationMethod.SUM_OF_YEARS_DIGITS: _sum_of_years_digits,
    DepreciationMethod.NONE: None,
}
"""Every method of the schema's registry; ``None``: not depreciated."""


def define(ctx: Context) -> None:
    m = ctx.money
    for c, asset in ctx.model.asset_classes.items():
        for v, period in enumerate(ctx.periods):
            _vintage(ctx, c, SPREAD_RULES[asset.method], v, period)
        for item, label in (("depreciation", "Book depreciation"), ("economic_depreciation", "Economic depreciation")):
            ctx.add(
                Key(item, asset_class=c),
                ctx.over(Key(item, asset_class=c, vintage=p) for p in ctx.periods),
                label=f"{label}: {c}",
                unit=m,
                schedule=Schedule.DEPRECIATION,
            )
    for item, label in (("depreciation", "Book depreciation"), ("economic_depreciation", "Economic depreciation")):
        ctx.add(
            item,
            ctx.over(Key(item, asset_class=c) for c in ctx.classes),
            label=label,
            unit=m,
            schedule=Schedule.DEPRECIATION,
        )
    for v, period in enumerate(ctx.periods):
        ctx.add(
            Key("accelerator_depreciation", vintage=period),
            ctx.over(Key("depreciation", asset_class=c, vintage=period) for c in ctx.accelerator_classes),
            label=f"Depreciation of accelerator assets bought {period}",
            unit=m,
            schedule=Schedule.DEPRECIATION,
        )
        ctx.add(
            Key("accelerator_capital", vintage=period),
            ctx.by_vintage(v, partial(_accelerator_capital, ctx, v, period)),
            label=f"Capital employed in accelerator assets bought {period}",
            unit=m,
            schedule=Schedule.DEPRECIATION,
        )
    ctx.add(
        "accelerator_depreciation",
        ctx.over(Key("depreciation", asset_class=c) for c in ctx.accelerator_classes),
        label="Depreciation of accelerator assets",
        unit=m,
        schedule=Schedule.DEPRECIATION,
    )
    for g in ctx.generations:
        mix = Key("gpu_mix", generation=g)
        ctx.add(
            Key("depreciation_generation", generation=g),
            ctx.over(
                Key("accelerator_depreciation", vintage=p).ref() * mix.ref(at=v) for v, p in enumerate(ctx.periods)
            ),
            label=f"Depreciation of {g} assets",
            unit=m,
            schedule=Schedule.DEPRECIATION,
        )
        ctx.add(
            Key("economic_depreciation_generation", generation=g),
            ctx.over(
                Key("economic_depreciation", asset_class=c, vintage=p).ref() * mix.ref(at=v)
                for c in ctx.accelerator_classes
                for v, p in enumerate(ctx.periods)
            ),
            label=f"Economic depreciation of {g} assets",
            unit=m,
            schedule=Schedule.DEPRECIATION,
        )


def _accelerator_capital(ctx: Context, v: int, period: str, t: int) -> Expr:
    """Capital tied up in one vintage's accelerator assets: in service from when bought, then opening book value."""
    return ctx.over(
        ctx.first_fraction * Key("capex", asset_class=c).ref(at=v)
        if t == v
        else Key("net_book_value", asset_class=c, vintage=period).ref(lag=1)
        for c in ctx.accelerator_classes
    )


def _vintage(ctx: Context, c: str, spread: SpreadRule | None, v: int, period: str) -> None:
    """Book and economic depreciation and net book value of one asset class bought in one period."""
    cost = Key("capex", asset_class=c).ref(at=v)
    salvage_fraction = Key("salvage_fraction", asset_class=c).ref()
    dep = Key("depreciation", asset_class=c, vintage=period)
    nbv = Key("net_book_value", asset_class=c, vintage=period)
    life = Key("useful_life_years", asset_class=c).ref()

    def opening(t: int) -> Expr:
        return cost if t == v else nbv.ref(lag=1)

    def book(t: int) -> Expr:
        if spread is None:
            return Const(0.0)
        depreciable = opening(t) - salvage_fraction * cost
        span = ctx.years_in_service(v, t)
        remaining = life - ctx.age_at_start(v, t)
        return if_(le(remaining, span), depreciable, spread(opening(t), depreciable, span, remaining, life, c))

    def economic(t: int) -> Expr:
        if spread is None:
            return Const(0.0)
        economic_life = Key("economic_life_years", asset_class=c).ref()
        span, age = ctx.years_in_service(v, t), ctx.age_at_start(v, t)
        fraction = maximum(0, minimum(span, economic_life - age))
        return cost * (1 - salvage_fraction) * fraction / economic_life

    m, schedule = ctx.money, Schedule.DEPRECIATION
    ctx.add(dep, ctx.by_vintage(v, book), label=f"{c} bought {period}: depreciation", unit=m, schedule=schedule)
    ctx.add(
        nbv,
        ctx.by_vintage(v, lambda t: opening(t) - Ref(dep.id)),
        label=f"{c} bought {period}: net book value",
        unit=m,
        schedule=schedule,
    )
    ctx.add(
        Key("economic_depreciation", asset_class=c, vintage=period),
        ctx.by_vintage(v, economic),
        label=f"{c} bought {period}: economic depreciation",
        unit=m,
        schedule=schedule,
    )
