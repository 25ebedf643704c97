"""P&L and cash flow of the AI fleet: EBITDA to net income, disposals, impairment, debt, free cash flow.

Depreciation, write-offs and impairment are non-cash: free cash flow starts from EBITDA, so they
reach it only through tax."""

from __future__ import annotations

from .._ir import Ref, minimum
from .._keys import Key
from ..presentation import Schedule
from ._context import Context
from .impairment import tested_classes


def define(ctx: Context) -> None:
    m, pnl, cash = ctx.money, Schedule.PNL, Schedule.CASH
    ebitda = ctx.add("ebitda", Ref("leasing_revenue") - Ref("operating_cost"), label="EBITDA", unit=m, schedule=pnl)
    gain = ctx.add(
        "disposal_gain",
        Ref("resale_proceeds") - Ref("retirement_write_off"),
        label="Gain (loss) on retirement: resale proceeds − book value written off",
        unit=m,
        schedule=pnl,
    )
    impairment = ctx.add(
        "impairment",
        ctx.over(Key("impairment", asset_class=c) for c in tested_classes(ctx)),
        label="Impairment: book value of accelerator assets above their market value (non-cash)",
        unit=m,
        schedule=pnl,
    )
    ebit = ctx.add("ebit", ebitda - Ref("depreciation") + gain - impairment, label="EBIT", unit=m, schedule=pnl)
    drawn = ctx.add(
        "debt_drawn", Ref("capex_ai") * Ref("debt_share_of_capex"), label="Debt drawn", unit=m, schedule=cash
    )
    opening_debt = [Ref("opening_debt") if t == 0 else Ref("debt_balance", lag=1) for t in range(ctx.count)]
    repaid = ctx.add(
        "debt_repaid",
        [debt * minimum(1, ctx.step / Ref("debt_amortisation_years")) for debt in opening_debt],
        label="Debt repaid",
        unit=m,
        schedule=cash,
    )
    ctx.add(
        "debt_balance",
        [debt + drawn - repaid for debt in opening_debt],
        label="Debt outstanding",
        unit=m,
        schedule=cash,
    )
    interest = ctx.add(
        "interest_expense",
        [(debt + ctx.first_fraction * drawn) * Ref("debt_interest_rate") * ctx.step for debt in opening_debt],
        label="Interest expense (on opening debt and this period's drawings from when drawn)",
        unit=m,
        schedule=pnl,
    )
    pre_tax = ctx.add("pre_tax_profit", ebit - interest, label="Profit before tax", unit=m, schedule=pnl)
    tax = ctx.taxed("tax_on_ebit", ebit, "Tax on EBIT (unlevered)", pnl)
    ctx.add("nopat", ebit - tax, label="NOPAT", unit=m, schedule=pnl)
    tax_paid = ctx.taxed("tax", pre_tax, "Tax on profit before tax", pnl)
    ctx.add("net_income", pre_tax - tax_paid, label="Net income", unit=m, schedule=pnl)
    ctx.add(
        "economic_ebitda",
        ebitda + Ref("internal_value"),
        label="EBITDA + internal use at its declared value",
        unit=m,
        schedule=pnl,
    )
    free_cash = ctx.add(
        "free_cash_flow",
        ebitda - tax - Ref("capex_ai") + Ref("resale_proceeds"),
        label="Free cash flow (EBITDA − tax − AI CapEx + resale proceeds)",
        unit=m,
        schedule=cash,
    )
    ctx.add(
        "equity_cash_flow",
        ebitda - tax_paid - Ref("capex_ai") + Ref("resale_proceeds") + drawn - repaid - interest,
        label="Cash flow after debt service (free cash flow on tax after interest, + drawn − repaid − interest)",
        unit=m,
        schedule=cash,
    )
    ctx.add(
        "cumulative_free_cash_flow",
        Ref("cumulative_free_cash_flow", lag=1) + free_cash,
        label="Cumulative free cash flow",
        unit=m,
        schedule=cash,
    )
