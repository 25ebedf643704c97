"""PP&E roll-forward (gross, accumulated depreciation, net; book and economic), capital employed
and the fleet's return on it."""

from __future__ import annotations

from .._ir import Ref, safe_divide
from ..presentation import Schedule
from ._context import Context


def define(ctx: Context) -> None:
    m, ppe = ctx.money, Schedule.PPE
    ctx.add("gross_ppe_opening", Ref("gross_ppe_closing", lag=1), label="Gross PP&E, opening", unit=m, schedule=ppe)
    ctx.add(
        "gross_ppe_closing",
        Ref("gross_ppe_opening") + Ref("capex_ai"),
        label="Gross PP&E, closing",
        unit=m,
        schedule=ppe,
    )
    ctx.add(
        "accumulated_depreciation_opening",
        Ref("accumulated_depreciation_closing", lag=1),
        label="Accumulated depreciation, opening",
        unit=m,
        schedule=ppe,
    )
    ctx.add(
        "accumulated_depreciation_closing",
        Ref("accumulated_depreciation_opening") + Ref("depreciation"),
        label="Accumulated depreciation, closing",
        unit=m,
        schedule=ppe,
    )
    ctx.add("net_ppe_opening", Ref("net_ppe_closing", lag=1), label="Net PP&E, opening", unit=m, schedule=ppe)
    ctx.add(
        "net_ppe_closing",
        Ref("gross_ppe_closing") - Ref("accumulated_depreciation_closing"),
        label="Net PP&E, closing",
        unit=m,
        schedule=ppe,
    )
    ctx.add(
        "economic_net_ppe_closing",
        Ref("economic_net_ppe_closing", lag=1) + Ref("capex_ai") - Ref("economic_depreciation"),
        label="Net PP&E at economic depreciation, closing",
        unit=m,
        schedule=ppe,
    )
    employed = ctx.add(
        "capital_employed",
        Ref("net_ppe_opening") + ctx.first_fraction * Ref("capex_ai"),
        label="Capital employed (opening net PP&E + CapEx from when in service)",
        unit=m,
        schedule=ppe,
    )
    economic_employed = Ref("economic_net_ppe_closing", lag=1) + ctx.first_fraction * Ref("capex_ai")
    after_tax = 1 - Ref("tax_rate")
    value = Ref("economic_ebitda")
    ctx.add(
        "roic_book",
        safe_divide((value - Ref("depreciation")) * after_tax, employed * ctx.step),
        label="ROIC, all capacity at the shadow price, book depreciation",
        unit="rate",
        schedule=Schedule.PNL,
    )
    ctx.add(
        "roic_economic",
        safe_divide((value - Ref("economic_depreciation")) * after_tax, economic_employed * ctx.step),
        label="ROIC, all capacity at the shadow price, economic depreciation",
        unit="rate",
        schedule=Schedule.PNL,
    )
