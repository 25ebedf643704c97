"""Impairment of accelerator assets against their market value (``impairment_test: market_value``).

At the end of each period a vintage of a tested class is compared with what its accelerators still
in service would fetch: its cost when bought × each generation's share of that cost × the
generation's resale value share at the vintage's age then (the catalogue's ``resale_value`` curve,
read from its points, so editing a point in the workbook moves the test). Where the book value left
after the period's depreciation and retirements is higher, the excess is written down as
impairment: a P&L line below EBITDA (non-cash: free cash flow starts from EBITDA) that the PP&E
roll-forward adds to accumulated depreciation. The vintage's later depreciation spreads the lower
book value over its remaining life (depreciation is recursive on each vintage's opening book value),
never below zero where the market value has fallen under salvage.

Generations without a resale curve are not tested: only the part of the book value the tested
generations carry (their share of the cost still in service) is compared. An impairment is never
reversed (US GAAP). As with write-offs at retirement, leasing economics carries the lower
depreciation after an impairment, not the charge itself.
"""

from __future__ import annotations

from .._history import resale_point
from .._ir import Const, Expr, maximum, safe_divide, total
from .._keys import Key
from ..presentation import Schedule
from ._context import Context, Vintage


def tested(ctx: Context, asset_class: str) -> bool:
    """Whether a class's vintages are tested for impairment."""
    return ctx.model.asset_classes[asset_class].impairment_test == "market_value"


def tested_classes(ctx: Context) -> list[str]:
    return [c for c in ctx.accelerator_classes if tested(ctx, c)]


def _in_service_at_end(ctx: Context, vintage: Vintage, t: int) -> tuple[float, list[str], list[str]]:
    """The vintage's age at the end of period ``t``, its generations still in service then, and those of
    them with a resale curve (structural)."""
    age = ctx.age_at_start(vintage, t) + ctx.years_in_service(vintage, t)
    gpus = ctx.model.gpus
    kept = [g for g in ctx.generations if ctx.buys(vintage, g) and age < gpus[g].physical_life_years - 1e-9]
    return age, kept, [g for g in kept if gpus[g].resale_value]


def _resale_share(ctx: Context, g: str, age: float) -> Expr:
    """A generation's resale value / cost when bought at an age, from the points of its curve."""
    return total(
        resale_point(g, index).ref() if weight == 1 else resale_point(g, index).ref() * weight
        for index, weight in ctx.model.gpus[g].resale_weights(age)
    )


def written_down(ctx: Context, vintage: Vintage, t: int, cost: Expr, book: Expr) -> Expr:
    """The impairment in period ``t`` of a vintage (or its part on one life path) that cost ``cost`` and holds
    ``book`` after the period's depreciation and retirements."""
    age, kept, valued = _in_service_at_end(ctx, vintage, t)
    if not valued:
        return Const(0.0)
    recoverable = cost * total(ctx.gpu_mix(vintage, g) * _resale_share(ctx, g, age) for g in valued)
    if len(valued) < len(kept):
        book = book * safe_divide(
            total(ctx.gpu_mix(vintage, g) for g in valued), total(ctx.gpu_mix(vintage, g) for g in kept)
        )
    return maximum(0, book - recoverable)


def define_class_total(ctx: Context, c: str, held: list[str]) -> None:
    """A tested class's impairment over its vintages."""
    ctx.add(
        Key("impairment", asset_class=c),
        ctx.over(Key("impairment", asset_class=c, vintage=label) for label in held),
        label=f"Impairment (book value above market value): {c}",
        unit=ctx.money,
        schedule=Schedule.DEPRECIATION,
    )


def generation_impairments(ctx: Context, g: str) -> list[Expr] | None:
    """Per period, the impairment of ``g``'s accelerator assets (each vintage's shared among its tested
    generations by their cost); ``None`` when no class is tested."""
    classes = tested_classes(ctx)
    if not classes:
        return None
    columns = []
    for t in range(ctx.count):
        terms = []
        for vintage in ctx.vintages:
            if t < vintage.first_column:
                continue
            _, _, valued = _in_service_at_end(ctx, vintage, t)
            if g not in valued:
                continue
            impaired = ctx.over(
                Key("impairment", asset_class=c, vintage=vintage.label)
                for c in classes
                if ctx.cost(vintage, c) is not None
            )
            weight = safe_divide(ctx.gpu_mix(vintage, g), total(ctx.gpu_mix(vintage, v) for v in valued))
            terms.append(impaired if len(valued) == 1 else impaired * weight)
        columns.append(total(terms))
    return columns
