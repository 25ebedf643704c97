"""Schedules and their order, verdict labels, number formats by unit, headline metrics, the
Cover's charts and generation colours: what every view shares."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal


class Schedule(StrEnum):
    """A schedule of line items: one workbook sheet, one memo or report table."""

    ASSUMPTIONS = "Assumptions"
    CAPEX = "CapEx"
    FLEET = "Fleet"
    DEPRECIATION = "Depreciation"
    REVENUE = "Revenue"
    DEMAND = "Demand"
    COSTS = "Costs"
    PNL = "P&L"
    CASH = "Cash flow"
    PPE = "PP&E"
    LEASING = "Leasing economics"
    COHORTS = "Cohorts"
    SUMMARY = "Summary"
    RECONCILIATION = "Reconciliation"
    CHECKS = "Checks"


SCHEDULE_ORDER: tuple[Schedule, ...] = tuple(Schedule)
"""Workbook sheet order after the Cover."""

LINE_ORDER: dict[Schedule, tuple[str, ...]] = {
    Schedule.PNL: (
        "leasing_revenue",
        "operating_cost",
        "ebitda",
        "depreciation",
        "disposal_gain",
        "impairment",
        "ebit",
        "interest_expense",
        "pre_tax_profit",
        "tax",
        "net_income",
        "tax_on_ebit",
        "nopat",
        "internal_value",
        "economic_ebitda",
    ),
}
"""Rows a schedule shows first, in reading order (the P&L from revenue down); its other rows follow
in the order they are defined."""

SCALAR_SCHEDULES = frozenset(
    {Schedule.SUMMARY, Schedule.COHORTS, Schedule.FLEET, Schedule.DEPRECIATION, Schedule.CHECKS}
)
"""Schedules that may hold single-value rows; a scalar row placed elsewhere is shown on Summary."""

VerdictLabel = Literal["revenue asset", "partly", "cost centre"]
VERDICT_LABELS: tuple[VerdictLabel, ...] = ("revenue asset", "partly", "cost centre")
"""Verdict labels in the order of the ``verdict_code`` line item (0, 1, 2)."""

NO_IRR = "no IRR"
"""What the workbook, memo and terminal show where cash flows have no internal rate of return (NaN in the engine)."""

VERDICT_WORDS: dict[VerdictLabel, str] = {
    "revenue asset": "REVENUE ASSET",
    "partly": "PARTLY a revenue asset",
    "cost centre": "COST CENTRE",
}
"""The verdict as the Cover states it."""

VERDICT_HEADLINES: dict[VerdictLabel, str] = {
    "revenue asset": "Revenue asset: the leased capacity earns more than its depreciation, running costs and capital",
    "partly": "Partly: leasing passes some of the tests but not all",
    "cost centre": "Cost centre: leasing does not pay for the capacity it uses",
}


FormatKind = Literal["money", "share", "multiple", "years", "count", "price", "flag", "year", "number"]


@dataclass(frozen=True)
class NumberFormat:
    """How numbers of one unit are written: an Excel number format and a kind for text filters."""

    excel: str
    kind: FormatKind


_MILLIONS = '#,##0.0,,"m";(#,##0.0,,"m");0'
"""Hours in millions (each trailing comma divides the shown value by 1,000; the cell keeps it whole)."""

_FORMATS: dict[str, NumberFormat] = {
    "share": NumberFormat("0.0%", "share"),
    "rate": NumberFormat("0.0%", "share"),
    "share of cost": NumberFormat("0.0%", "share"),
    "x": NumberFormat('0.00"x";-0.00"x";', "multiple"),
    "years": NumberFormat("0.00", "years"),
    "year": NumberFormat("0.00", "year"),
    "accelerators": NumberFormat("#,##0", "count"),
    "GPU-hours": NumberFormat(_MILLIONS, "count"),
    "H100-eq hours": NumberFormat(_MILLIONS, "count"),
    "million H100-eq hours": NumberFormat("#,##0.0", "number"),
    "trillion tokens": NumberFormat("#,##0.0", "number"),
    "kW": NumberFormat("#,##0", "count"),
    "USD": NumberFormat("#,##0;(#,##0)", "number"),
    "flag": NumberFormat("0", "flag"),
    "code": NumberFormat("0", "flag"),
}
_MONEY = NumberFormat("#,##0.000;[Red](#,##0.000)", "money")
_PRICE = NumberFormat("#,##0.000", "price")


def number_format(unit: str) -> NumberFormat:
    """The format of a unit; any unit not listed is the model's money unit (e.g. ``USD bn``)."""
    if unit in _FORMATS:
        return _FORMATS[unit]
    if unit.startswith("USD/"):
        return _PRICE
    return _MONEY


@dataclass(frozen=True)
class Metric:
    """A headline figure: a scalar row and the words it is shown with."""

    row: str
    label: str


HEADLINE_METRICS: tuple[Metric, ...] = (
    Metric("horizon_leasing_revenue", "Leasing revenue, horizon and run-off"),
    Metric("horizon_leasing_depreciation", "Book depreciation of leased capacity"),
    Metric("horizon_coverage", "Coverage (revenue / operating and economic cost, PV)"),
    Metric("horizon_leasing_roic", "Leasing ROIC (book)"),
    Metric("horizon_leasing_economic_profit", "Leasing economic profit (PV, economic terms)"),
    Metric("horizon_leased_capacity_share", "Leased share of AI capacity"),
)
"""Shown on the Cover, in the JSON's scenario comparison and at the top of the memo."""

COHORT_METRICS: tuple[Metric, ...] = (
    Metric("cohort_lease_npv_usd", "NPV at hurdle if leased (USD)"),
    Metric("cohort_keep_npv_usd", "NPV at hurdle if kept (USD)"),
    Metric("cohort_irr", "IRR if leased"),
    Metric("cohort_economic_cost_per_hour_usd", "Cost per GPU-hour, economic life (USD)"),
    Metric("cohort_economic_cost_per_billed_hour_usd", "Cost per billed GPU-hour, economic life (USD)"),
    Metric("cohort_break_even_price_usd_per_hour", "Break-even rental price (USD/h)"),
    Metric("cohort_economic_break_even_utilisation", "Break-even utilisation, economic life"),
)
"""Per-generation unit economics; each row is ``<row>[<generation>]``."""

TERMINAL_ROWS: tuple[tuple[str, str], ...] = (
    ("capex_ai", "AI CapEx"),
    ("leasing_revenue", "Lease revenue"),
    ("leasing_operating_cost", "Lease opex"),
    ("leasing_ebitda", "Lease EBITDA"),
    ("leasing_ebitda_margin", "EBITDA margin"),
    ("leasing_depreciation", "Book D&A"),
    ("leasing_economic_depreciation", "Economic D&A"),
    ("leasing_nopat", "NOPAT (book)"),
    ("leasing_economic_value_added", "Econ. profit"),
    ("leasing_coverage", "Rev / book D&A"),
)
"""Period rows of the summary table printed by ``finmodel build`` (row, short label that fits an
80-column terminal): the leasing P&L the verdict judges."""


@dataclass(frozen=True)
class Series:
    """One series of a chart: a period row, its legend label, colour and style."""

    row: str
    label: str
    colour: str
    style: Literal["column", "line", "dashed line"] = "line"


@dataclass(frozen=True)
class Chart:
    """A chart over the projection periods; ``unit`` is ``"money"`` or a unit of :func:`number_format`."""

    key: str
    title: str
    unit: str
    series: tuple[Series, ...]


CHARTS: tuple[Chart, ...] = (
    Chart(
        "capex_vs_leasing",
        "AI CapEx vs leasing revenue",
        "money",
        (
            Series("capex_ai", "AI CapEx", "#9DB4C0", "column"),
            Series("leasing_revenue", "Leasing revenue", "#C2410C"),
            Series("depreciation", "Book depreciation", "#1F2937", "dashed line"),
        ),
    ),
    Chart(
        "coverage",
        "Coverage ratio",
        "x",
        (Series("leasing_coverage", "Leasing revenue / attributed depreciation", "#047857"),),
    ),
)
"""Charts drawn on the workbook's Cover (and in the memo)."""

GENERATION_COLOURS: tuple[str, ...] = (
    "#1F77B4",
    "#FF7F0E",
    "#2CA02C",
    "#D62728",
    "#9467BD",
    "#8C564B",
    "#E377C2",
    "#7F7F7F",
    "#BCBD22",
    "#17BECF",
    "#0F766E",
    "#BE185D",
    "#4338CA",
    "#A16207",
    "#15803D",
    "#6D28D9",
)
"""Sixteen distinct colours, indexed by a generation's place in the GPU catalogue, so a generation
has the same colour in every chart of every company (the built-in catalogue lists twelve)."""


def generation_colour(generations: tuple[str, ...] | list[str], generation: str) -> str:
    """One colour per generation, the same in every chart of a model."""
    return GENERATION_COLOURS[list(generations).index(generation) % len(GENERATION_COLOURS)]
