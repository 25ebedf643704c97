"""How results are shown, declared once: schedules and their order, headline metrics, number
formats by unit, charts and the wording of the verdict's labels.

The engine's blocks place each row on a :class:`Schedule`; the workbook, the terminal table, the
JSON and the memo read this module rather than keeping their own lists. Nothing here computes.
"""

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


_FORMATS: dict[str, NumberFormat] = {
    "share": NumberFormat("0.0%", "share"),
    "rate": NumberFormat("0.0%", "share"),
    "share of cost": NumberFormat("0.0%", "share"),
    "x": NumberFormat('0.00"x";-0.00"x";', "multiple"),
    "years": NumberFormat("0.00", "years"),
    "year": NumberFormat("0.00", "year"),
    "accelerators": NumberFormat("#,##0", "count"),
    "GPU-hours": NumberFormat("#,##0", "count"),
    "H100-eq hours": NumberFormat("#,##0", "count"),
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
)


def generation_colour(generations: tuple[str, ...] | list[str], generation: str) -> str:
    """One colour per generation, the same in every chart of a model."""
    return GENERATION_COLOURS[list(generations).index(generation) % len(GENERATION_COLOURS)]


# --------------------------------------------------------------------------- memo


@dataclass(frozen=True)
class VerdictTest:
    """How the memo words one test of the verdict (``Reason.test``): what it measures, how its value
    and threshold are written (a unit of :func:`number_format`, or ``"money"``) and, in a word, the
    driver that moves it."""

    test: str
    title: str
    measure: str
    unit: str
    comparison: str
    driver: str
    value_row: str
    threshold_row: str

    @property
    def flag_row(self) -> str:
        """The summary row that reads 1 when the test passes."""
        return f"verdict_{self.test.replace(' ', '_').lower()}_passed"


INTERNAL_BASIS = {
    "at_cost": "at cost (capital recovery at the hurdle over physical life, power, facility, maintenance)",
    "per_gpu_hour": "at the declared value per H100-equivalent hour",
    "market_ratio": "at the shadow price (a ratio to the market rental price)",
}
"""How internal use is valued, in words, by ``internal.value_basis``."""


VERDICT_TESTS: tuple[VerdictTest, ...] = (
    VerdictTest(
        "coverage",
        "Coverage",
        "revenue within the economic life ÷ operating cost, market value lost and building charge, present values",
        "x",
        "≥",
        "revenue",
        "horizon_coverage",
        "min_coverage",
    ),
    VerdictTest(
        "economic profit",
        "Economic profit",
        "NOPAT on economic terms less the hurdle on leased accelerators at market value, present value",
        "money",
        ">",
        "NOPAT",
        "horizon_leasing_economic_profit",
        "min_economic_profit",
    ),
    VerdictTest(
        "cohort NPV",
        "Cohort NPV",
        "share of leasing revenue from generations whose accelerator, leased over its economic life, "
        "has a positive NPV",
        "share",
        "≥",
        "prices",
        "verdict_positive_npv_share",
        "min_positive_npv_share",
    ),
    VerdictTest(
        "materiality",
        "Materiality",
        "leased share of AI capacity, H100-equivalent units in service",
        "share",
        "≥",
        "leasing",
        "horizon_leased_capacity_share",
        "min_leasing_share",
    ),
)
"""The verdict's tests in the order of ``Verdict.reasons``, as the memo's verdict box shows them."""


@dataclass(frozen=True)
class MemoFigure:
    """A figure of the memo: its title and the note under it that says how to read it."""

    key: str
    title: str
    note: str


MEMO_FIGURES: tuple[MemoFigure, ...] = (
    MemoFigure(
        "capex_vs_leasing",
        "AI CapEx vs leasing revenue and book depreciation",
        "Columns: AI CapEx; lines: external leasing revenue and book depreciation of all AI assets, per period.",
    ),
    MemoFigure(
        "coverage",
        "Coverage: leasing revenue ÷ depreciation of the leased capacity",
        "Dashed line: the verdict's minimum coverage. Shown for the periods of the verdict's horizon in which "
        "leased capacity is depreciated.",
    ),
    MemoFigure(
        "fleet",
        "The fleet by generation and use",
        "Accelerators in service (period average) in training, inference and external leasing.",
    ),
    MemoFigure(
        "depreciation",
        "Depreciation of accelerator assets by generation: book vs economic",
        "Book: over the useful life in force; economic: straight line over the economic life. Servers and network.",
    ),
    MemoFigure(
        "unit_economics",
        "Unit economics of one accelerator of each generation, leased for its life",
        "Cost per GPU-hour: capital at the hurdle over the book life plus running costs. Break-even: the flat "
        "rental price at which the NPV at the hurdle is zero. Payback: the whole life when it never pays back.",
    ),
    MemoFigure(
        "scenarios",
        "Leasing economic profit by scenario",
        "Left: per period; right: summed over the verdict's horizon (the economic-profit test).",
    ),
)
"""The memo's figures, in reading order."""

COMPARISON_FIGURES: tuple[MemoFigure, ...] = (
    MemoFigure(
        "coverage_roic",
        "Coverage and leasing ROIC by company",
        "Over each company's verdict horizon. Dashed lines: the minimum coverage and each company's hurdle rate.",
    ),
    MemoFigure(
        "irr_by_generation",
        "IRR if leased vs the hurdle, by generation",
        "One accelerator of each generation leased for its life; black ticks: the company's hurdle rate.",
    ),
    MemoFigure(
        "depreciation_policy",
        "Book vs economic depreciation over the horizon",
        "All AI assets; economic depreciation is straight line over each asset class's economic life.",
    ),
    MemoFigure(
        "capex_intensity",
        "AI CapEx vs leasing revenue over the horizon",
        "Sums over each company's verdict horizon.",
    ),
    MemoFigure(
        "scenario_profit",
        "Leasing economic profit by scenario",
        "By year, and in present value at the hurdle over the horizon and run-off.",
    ),
)
"""The comparison memo's figures, in reading order."""

MEMO_PERIOD_ROWS: tuple[str, ...] = (
    "capex_ai",
    "leasing_revenue",
    "leasing_depreciation",
    "leasing_nopat",
    "leasing_economic_value_added",
    "leasing_coverage",
    "depreciation",
    "economic_depreciation",
    "net_ppe_closing",
)
"""Period rows of the memo's table of leasing economics by year."""

FLEET_USES: tuple[tuple[str, str], ...] = (
    ("training_units", "Training"),
    ("inference_units", "Inference"),
    ("leasing_units", "Leasing (external)"),
)
"""The fleet's uses: the per-generation row prefix and its panel title."""

SCENARIO_COLOURS: dict[str, str] = {"base": "#374151", "bear": "#B91C1C", "bull": "#047857"}
OTHER_SCENARIO_COLOURS: tuple[str, ...] = ("#6D28D9", "#B45309", "#0E7490", "#BE185D")


def scenario_colour(scenarios: tuple[str, ...] | list[str], scenario: str) -> str:
    """A scenario's colour: fixed for base, bear and bull, else by position among the others."""
    if scenario in SCENARIO_COLOURS:
        return SCENARIO_COLOURS[scenario]
    others = [name for name in scenarios if name not in SCENARIO_COLOURS]
    return OTHER_SCENARIO_COLOURS[others.index(scenario) % len(OTHER_SCENARIO_COLOURS)]


ASSUMPTION_SECTIONS: dict[str, str] = {
    "capex": "CapEx",
    "asset_classes": "Asset classes and useful lives",
    "gpus": "GPU generations",
    "allocation": "Allocation of capacity by age",
    "leasing": "Leasing prices and utilisation",
    "internal": "Internal use",
    "running_costs": "Running costs",
    "financing": "Financing and tax",
    "demand": "Demand: backlog, internal demand, tokens and contracts",
    "verdict": "Verdict thresholds",
}
"""Headings of the memo's appendix of assumptions, by the first key of each assumption's model path."""

VERDICT_COLOURS: dict[VerdictLabel, str] = {"revenue asset": "#047857", "partly": "#B45309", "cost centre": "#B91C1C"}
"""The colour of each verdict label: the memo's verdict box and the comparison's bars."""
