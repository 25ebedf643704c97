"""How the memo and the comparison memo word and draw things: the verdict's tests, figures,
period rows, scenario colours and assumption sections."""

from __future__ import annotations

from dataclasses import dataclass

from ._registry import VerdictLabel


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
        "demand",
        "Demand for the capacity",
        "Hours billed to customers by generation (columns) against the leasable supply (line) and external demand "
        "(dashed): billed is the lesser of the two. Where the model declares the company's own demand, a panel "
        "shows it in H100-equivalent hours, served by the fleet or not. Shaded: the run-off years, with no new CapEx.",
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
