"""Assets on the books at the start of the timeline: what each class bought in each year before it,
and the book value each such vintage carries in.

A class given as a balance (``opening.balances``: gross cost, accumulated depreciation, age profile)
becomes vintages of cost by year, gross cost × the year's share, which then go through the same
rows as ``opening.vintages``. A vintage bought before the timeline carries into it the book value
its method leaves after the years before, stepped fiscal year by fiscal year from when it entered
service with the useful life in force at each step, so life changes before the timeline count.

For a balance, that method-implied book value generally differs from the reported one, gross −
accumulated depreciation. The roll-forward opens at the reported value: the difference
(``opening_book_value_adjustment[class]``, beside the declared and the method-implied values on the
Depreciation sheet) is spread over the class's vintages — a higher reported value in proportion to
the depreciation the method has taken from each, a lower one in proportion to the depreciable book
value each has left — so every vintage stays between its salvage value and its cost, and each
depreciates what it carries over its remaining life.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...schema import AssetClass
from .._ir import Const, Expr, Ref, gt, if_, le, safe_divide
from .._keys import Key
from ..presentation import Schedule
from ._context import Context, Vintage

if TYPE_CHECKING:
    from .depreciation import SpreadRule

Part = tuple[Expr, Ref]
"""(cost, method-implied book value at the start) of one opening vintage of a balance, on one life path."""


def define(ctx: Context) -> None:
    """The cost of each year of an opening balance: gross cost × the year's share."""
    for c, balance in ctx.model.opening.balances.items():
        for year in sorted(balance.age_profile):
            ctx.add(
                Key("opening_cost", asset_class=c, vintage=year),
                Key("opening_gross_cost", asset_class=c).ref()
                * Key("opening_age_share", asset_class=c, vintage=year).ref(),
                label=f"{c} bought {year}: gross cost (gross cost at the start × the year's share)",
                unit=ctx.money,
                schedule=Schedule.DEPRECIATION,
                axis="scalar",
            )


def opening_book_value(
    ctx: Context,
    c: str,
    asset: AssetClass,
    spread: SpreadRule | None,
    vintage: Vintage,
    band: str | None,
    with_partial: bool,
    cost: Expr,
    alive: Expr | None,
) -> tuple[Ref, Part | None]:
    """The book value a vintage bought before the timeline carries into it (a row), and, for a class given
    as a balance, its part in the class's adjustment to the reported book value. ``alive``: the share of
    an accelerator vintage's cost whose units are still in service at the start (``None``: all of it)."""
    timeline = ctx.model.timeline
    start = ctx.starts[0]
    boundaries = [vintage.in_service]
    year_start = int(vintage.label) - 1 + timeline.fiscal_year_end_month / 12
    while year_start + 1 < start - 1e-9:
        year_start += 1
        if year_start > boundaries[-1] + 1e-9:
            boundaries.append(year_start)
    boundaries.append(start)
    value: Expr = cost
    if spread is not None:
        salvage = Key("salvage_fraction", asset_class=c).ref() * cost
        for begin, end in zip(boundaries, boundaries[1:], strict=False):
            life = Const(asset.life_in_force(begin, with_partial=with_partial)[0])
            remaining = life - (begin - vintage.in_service)
            depreciable = value - salvage
            span = end - begin
            step = f"{band}," if band else ""
            value = ctx.add(
                Key("pre_timeline_book_value", asset_class=c, vintage=vintage.label, band=f"{step}to {end:.2f}"),
                value - if_(le(remaining, span), depreciable, spread(value, depreciable, span, remaining, life, c)),
                label=f"{c} bought {vintage.label}: book value at {end:.2f} (before the timeline)",
                unit=ctx.money,
                schedule=Schedule.DEPRECIATION,
                axis="scalar",
            )
    part: Part | None = None
    if c in ctx.model.opening.balances:
        implied = ctx.add(
            Key("opening_book_value_implied", asset_class=c, vintage=vintage.label, band=band),
            value,
            label=f"{c} bought {vintage.label}: book value at the start its method implies",
            unit=ctx.money,
            schedule=Schedule.DEPRECIATION,
            axis="scalar",
        )
        part = (cost, implied)
        value = implied + _adjustment(c, cost, implied)
    if alive is not None:
        value = value * alive
    row = ctx.add(
        Key("opening_book_value", asset_class=c, vintage=vintage.label, band=band),
        value,
        label=f"{c} bought {vintage.label}: book value at the start of the timeline",
        unit=ctx.money,
        schedule=Schedule.DEPRECIATION,
        axis="scalar",
    )
    return row, part


def _adjustment(c: str, cost: Expr, implied: Ref) -> Expr:
    """One vintage's share of the difference between the reported and the method-implied book value."""
    gap = Key("opening_book_value_adjustment", asset_class=c).ref()
    taken = Key("opening_depreciation_implied", asset_class=c).ref()
    left = Key("opening_depreciable_implied", asset_class=c).ref()
    salvage = Key("salvage_fraction", asset_class=c).ref() * cost
    return if_(gt(gap, 0), gap * safe_divide(cost - implied, taken), gap * safe_divide(implied - salvage, left))


def declared_balance(ctx: Context, c: str, parts: list[Part]) -> None:
    """A balance's book value at the start as reported and as its method implies, the difference spread over
    its vintages, and the totals that spread it."""
    m, schedule = ctx.money, Schedule.DEPRECIATION
    salvage = Key("salvage_fraction", asset_class=c).ref()
    for key, expr, label in (
        (
            "opening_book_value_declared",
            Key("opening_gross_cost", asset_class=c).ref()
            - Key("opening_accumulated_depreciation", asset_class=c).ref(),
            "Book value at the start as reported (gross cost − accumulated depreciation)",
        ),
        (
            "opening_book_value_implied",
            ctx.over(implied for _, implied in parts),
            "Book value at the start its method implies",
        ),
        (
            "opening_book_value_adjustment",
            Key("opening_book_value_declared", asset_class=c).ref()
            - Key("opening_book_value_implied", asset_class=c).ref(),
            "Reported − method-implied book value at the start, spread over the vintages",
        ),
        (
            "opening_depreciation_implied",
            ctx.over(cost - implied for cost, implied in parts),
            "Depreciation its method has taken before the timeline (vs accumulated depreciation reported)",
        ),
        (
            "opening_depreciable_implied",
            ctx.over(implied - salvage * cost for cost, implied in parts),
            "Depreciable book value its method leaves at the start (above salvage)",
        ),
    ):
        ctx.add(Key(key, asset_class=c), expr, label=f"{label}: {c}", unit=m, schedule=schedule, axis="scalar")
