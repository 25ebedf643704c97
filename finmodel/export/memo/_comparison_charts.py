"""The comparison memo's charts: several companies side by side, drawn like the memo's own."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ...engine import presentation as p
from ...schema import MONEY_UNITS
from . import _format
from ._charts import INK, MUTED, THRESHOLD, legend_above, money_axis, new_figure, render

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def comparison_figures(companies: Sequence[dict[str, Any]]) -> dict[str, str]:
    """Each figure of :data:`presentation.COMPARISON_FIGURES` by key, from the comparison context."""
    draw: dict[str, Callable[[], str]] = {
        "coverage_roic": lambda: _coverage_roic(companies),
        "irr_by_generation": lambda: _irr_by_generation(companies),
        "capex_intensity": lambda: _capex_intensity(companies),
        "depreciation_policy": lambda: _depreciation_policy(companies),
        "scenario_profit": lambda: _scenario_profit(companies),
    }
    return {figure.key: draw[figure.key]() for figure in p.COMPARISON_FIGURES}


# --------------------------------------------------------------------------- plumbing


def _in_currency(company: dict[str, Any], value: float) -> float:
    """A company's money figure in units of its currency, so companies share an axis."""
    return value * MONEY_UNITS[company["money"]["money_unit"]]


def _common_scale(companies: Sequence[dict[str, Any]], values: Sequence[float]) -> tuple[float, str]:
    """Divisor and axis label for money figures of several companies, given in units of currency."""
    currencies = "/".join(sorted({c["money"]["currency"] for c in companies}))
    largest = max((abs(v) for v in values if math.isfinite(v)), default=0.0)
    return _format.money_scale(largest, currencies, "units")


def _company_axis(axes: Axes, companies: Sequence[dict[str, Any]]) -> np.ndarray:
    x = np.arange(len(companies))
    axes.set_xticks(x, [c["title"]["ticker"] for c in companies])
    axes.set_xlim(-0.6, len(companies) - 0.4)
    return x


def _label_bars(
    axes: Axes, x: Sequence[float] | np.ndarray, values: Sequence[float] | np.ndarray, text: Callable[[float], str]
) -> None:
    for position, value in zip(x, values, strict=True):
        axes.annotate(
            text(value),
            (position, value),
            textcoords="offset points",
            xytext=(0, 2 if value >= 0 else -9),
            ha="center",
            fontsize=6.5,
        )


def _coverage_roic(companies: Sequence[dict[str, Any]]) -> str:
    colours = [p.VERDICT_COLOURS[c["verdict"]["label"]] for c in companies]

    def draw() -> Figure:
        figure, (coverage, roic) = new_figure(2.6, 2)
        x = _company_axis(coverage, companies)
        values = [c["verdict"]["metrics"]["horizon_coverage"] for c in companies]
        coverage.bar(x, values, 0.6, color=colours)
        minimums = [next(t["threshold"] for t in c["verdict"]["tests"] if t["test"] == "coverage") for c in companies]
        coverage.hlines(minimums, x - 0.4, x + 0.4, color=THRESHOLD, linestyle="--", linewidth=1)
        _label_bars(coverage, x, values, _format.multiple)
        coverage.set_title("Coverage (×)")
        coverage.set_ylim(0, max([*values, *minimums]) * 1.2)

        _company_axis(roic, companies)
        values = [c["verdict"]["metrics"]["horizon_leasing_roic"] for c in companies]
        roic.bar(x, values, 0.6, color=colours)
        roic.hlines(
            [c["verdict"]["hurdle"] for c in companies], x - 0.4, x + 0.4, color=THRESHOLD, linestyle="--", linewidth=1
        )
        _label_bars(roic, x, values, _format.pct)
        roic.yaxis.set_major_formatter(lambda value, _: _format.pct(value, 0))
        roic.set_title("Leasing ROIC vs hurdle")
        roic.set_ylim(min(0, *values) * 1.2, max([*values, *(c["verdict"]["hurdle"] for c in companies)]) * 1.25)
        from matplotlib.patches import Patch

        figure.legend(
            [Patch(color=colour) for colour in p.VERDICT_COLOURS.values()],
            [f"verdict: {label}" for label in p.VERDICT_COLOURS],
            loc="outside upper center",
            ncols=len(p.VERDICT_COLOURS),
        )
        return figure

    return render("cmp-coverage", draw)


LEGEND_COLUMNS = 7
"""A legend wider than this wraps onto more rows instead of running off the chart."""


def _irr_by_generation(companies: Sequence[dict[str, Any]]) -> str:
    order: list[str] = []
    for company in companies:
        order += [g["name"] for g in company["generations"] if g["name"] not in order]
    colour = {g["name"]: g["colour"] for c in companies for g in c["generations"]}

    def draw() -> Figure:
        figure, (axes,) = new_figure(2.8)
        x = _company_axis(axes, companies)
        width = 0.8 / len(order)
        for index, name in enumerate(order):
            values = [next((g["irr"] for g in c["generations"] if g["name"] == name), math.nan) for c in companies]
            axes.bar(x - 0.4 + width * (index + 0.5), values, width, color=colour[name], label=name, linewidth=0)
        axes.hlines(
            [c["verdict"]["hurdle"] for c in companies],
            x - 0.42,
            x + 0.42,
            color=THRESHOLD,
            linewidth=1.4,
            label="Hurdle rate",
        )
        axes.axhline(0, color=MUTED, linewidth=0.6)
        axes.yaxis.set_major_formatter(lambda value, _: _format.pct(value, 0))
        axes.set_ylabel("IRR if leased for its life")
        legend_above(figure, axes, min(len(order) + 1, LEGEND_COLUMNS))
        return figure

    return render("cmp-irr", draw)


def _paired_bars(key: str, companies: Sequence[dict[str, Any]], pairs: tuple[tuple[str, str, str], ...]) -> str:
    """Two bars per company from ``intensity`` fields: ``(field, legend label, colour)``."""
    values = {field: [_in_currency(c, c["intensity"][field]) for c in companies] for field, _, _ in pairs}
    divisor, unit = _common_scale(companies, [v for row in values.values() for v in row])

    def draw() -> Figure:
        figure, (axes,) = new_figure(2.6)
        x = _company_axis(axes, companies)
        for index, (field, label, colour) in enumerate(pairs):
            scaled = [value / divisor for value in values[field]]
            position = x - 0.2 + 0.4 * index
            axes.bar(position, scaled, 0.38, color=colour, label=label, linewidth=0)
            _label_bars(axes, position, scaled, lambda value: f"{value:,.0f}")
        money_axis(axes, unit)
        legend_above(figure, axes, len(pairs))
        return figure

    return render(key, draw)


def _capex_intensity(companies: Sequence[dict[str, Any]]) -> str:
    chart = next(c for c in p.CHARTS if c.key == "capex_vs_leasing")
    colours = {series.row: series.colour for series in chart.series}
    pairs = (
        ("capex_ai", "AI CapEx", colours["capex_ai"]),
        ("leasing_revenue", "Leasing revenue", colours["leasing_revenue"]),
    )
    return _paired_bars("cmp-capex", companies, pairs)


def _depreciation_policy(companies: Sequence[dict[str, Any]]) -> str:
    pairs = (
        ("book_depreciation", "Book depreciation", INK),
        ("economic_depreciation", "Economic depreciation", "#9CA3AF"),
    )
    return _paired_bars("cmp-depreciation", companies, pairs)


def _scenario_profit(companies: Sequence[dict[str, Any]]) -> str:
    names = list(dict.fromkeys(s["name"] for c in companies for s in c["scenarios"]))
    profits = {
        name: [
            next((_in_currency(c, _profit(s)) for s in c["scenarios"] if s["name"] == name), math.nan)
            for c in companies
        ]
        for name in names
    }
    divisor, unit = _common_scale(companies, [v for row in profits.values() for v in row])

    def draw() -> Figure:
        figure, (axes,) = new_figure(2.6)
        x = _company_axis(axes, companies)
        width = 0.8 / len(names)
        for index, name in enumerate(names):
            scaled = [value / divisor for value in profits[name]]
            axes.bar(x - 0.4 + width * (index + 0.5), scaled, width, color=p.scenario_colour(names, name), label=name)
        money_axis(axes, unit)
        legend_above(figure, axes, len(names))
        return figure

    return render("cmp-scenarios", draw)


def _profit(scenario: dict[str, Any]) -> float:
    return next(m["value"] for m in scenario["metrics"] if m["row"] == "horizon_leasing_economic_profit")
