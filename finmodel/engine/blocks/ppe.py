"""PP&E roll-forward of every class modelled (gross, accumulated depreciation and impairment, net),
opening balances from the vintages bought before the timeline, retirements, capital employed in AI
assets and the fleet's return on it."""

from __future__ import annotations

from .._ir import Expr, Ref, safe_divide, total
from .._keys import Key
from ..presentation import Schedule
from ._context import Context
from .depreciation import alive_share


def define(ctx: Context) -> None:
    m, ppe = ctx.money, Schedule.PPE
    opening = [v for v in ctx.vintages if v.column is None]
    gross_at_start = total(
        cost if c not in ctx.accelerator_classes or (alive := alive_share(ctx, v, 0)) is None else cost * alive
        for v in opening
        for c in ctx.classes
        if (cost := ctx.cost(v, c)) is not None
    )
    book_at_start = _opening_book(ctx, ctx.classes)
    ctx.add(
        "gross_ppe_opening",
        [gross_at_start if t == 0 else Ref("gross_ppe_closing", lag=1) for t in range(ctx.count)],
        label="Gross PP&E, opening",
        unit=m,
        schedule=ppe,
    )
    ctx.add(
        "gross_ppe_closing",
        Ref("gross_ppe_opening") + Ref("capex_in_scope") - Ref("retired_cost"),
        label="Gross PP&E, closing (+ CapEx − cost of assets retired)",
        unit=m,
        schedule=ppe,
    )
    ctx.add(
        "accumulated_depreciation_opening",
        [
            gross_at_start - book_at_start if t == 0 else Ref("accumulated_depreciation_closing", lag=1)
            for t in range(ctx.count)
        ],
        label="Accumulated depreciation, opening",
        unit=m,
        schedule=ppe,
    )
    ctx.add(
        "accumulated_depreciation_closing",
        Ref("accumulated_depreciation_opening")
        + Ref("depreciation_in_scope")
        + Ref("impairment")
        - (Ref("retired_cost") - Ref("retirement_write_off")),
        label="Accumulated depreciation, closing (+ depreciation + impairment − that of assets retired)",
        unit=m,
        schedule=ppe,
    )
    ctx.add(
        "net_ppe_opening",
        [book_at_start if t == 0 else Ref("net_ppe_closing", lag=1) for t in range(ctx.count)],
        label="Net PP&E, opening",
        unit=m,
        schedule=ppe,
    )
    ctx.add(
        "net_ppe_closing",
        Ref("gross_ppe_closing") - Ref("accumulated_depreciation_closing"),
        label="Net PP&E, closing",
        unit=m,
        schedule=ppe,
    )
    ai_classes = [c for c in ctx.classes if c not in ctx.non_ai_classes]
    ctx.add(
        "economic_net_ppe_closing",
        [
            (_opening_book(ctx, ai_classes) if t == 0 else Ref("economic_net_ppe_closing", lag=1))
            + Ref("capex_ai")
            - Ref("economic_depreciation")
            for t in range(ctx.count)
        ],
        label="Net AI PP&E at economic depreciation, closing (opening vintages at book value)",
        unit=m,
        schedule=ppe,
    )
    employed = ctx.add(
        "capital_employed",
        [
            ctx.over(ctx.capital_employed(c, vintage, t) for c in ai_classes for vintage in ctx.vintages)
            for t in range(ctx.count)
        ],
        label="Capital employed in AI assets (book value at the start + CapEx from when in service)",
        unit=m,
        schedule=ppe,
    )
    economic_employed = [
        (_opening_book(ctx, ai_classes) if t == 0 else Ref("economic_net_ppe_closing", lag=1))
        + ctx.first_fraction * Ref("capex_ai")
        for t in range(ctx.count)
    ]
    after_tax = 1 - Ref("tax_rate")
    value = Ref("economic_ebitda")
    ctx.add(
        "roic_book",
        safe_divide((value - Ref("depreciation")) * after_tax, employed * ctx.step),
        label="ROIC with internal use at its declared value, book depreciation",
        unit="rate",
        schedule=Schedule.PNL,
    )
    ctx.add(
        "roic_economic",
        [
            safe_divide((value - Ref("economic_depreciation")) * after_tax, capital * ctx.step)
            for capital in economic_employed
        ],
        label="ROIC with internal use at its declared value, economic depreciation",
        unit="rate",
        schedule=Schedule.PNL,
    )


def _opening_book(ctx: Context, classes: list[str]) -> Expr:
    """Book value at the start of the timeline of the vintages bought before it, over some classes."""
    return ctx.over(
        Key("opening_book_value", asset_class=c, vintage=v.label)
        for v in ctx.vintages
        if v.column is None
        for c in classes
        if ctx.cost(v, c) is not None
    )
