"""The memo's sensitivity section: the tornado as an inline SVG, the grids as heat-tables and the
break-evens, as plain data for ``partials/sensitivity.html.j2``.

Numbers stay as the sensitivity computed them (the template writes them through the filters of
``_format``); what is chosen here is presentation only: the order, short labels, and each grid
cell's tint (green above, red below the value it is judged against: zero for money, the hurdle for a
rate, the base case otherwise; the verdict's own colours for its label).
"""

from __future__ import annotations

import math
import textwrap
from typing import TYPE_CHECKING, Any

import numpy as np

from ...engine import presentation as p
from ...sensitivity import TESTS, GridResult, Moved, Sensitivity, TornadoBar
from . import _format
from ._charts import INK, MUTED, THRESHOLD, legend_above, new_figure, render

if TYPE_CHECKING:
    from matplotlib.figure import Figure

LOW_END = "#D97706"
HIGH_END = "#2563EB"
ABOVE = (4, 120, 87)
BELOW = (185, 28, 28)
STRONGEST_TINT = 0.45
"""How far toward its colour the most extreme cell of a heat-table is tinted (the rest in proportion)."""
LABEL_TINT = 0.22
LABEL_CHARACTERS = 34
CLIP_RATIO = 3.0
TITLE = "Tornado: what moves the verdict most"


def tornado_figure(result: Sensitivity) -> tuple[p.MemoFigure, str]:
    """The tornado as a figure of the memo: its title and note, and its SVG."""
    ranked = TESTS[result.rank_by]
    note = (
        "Each bar is one lever moved alone from the low to the high end of its range, all else at base: the "
        f"{ranked.title.lower()} test's margin (its value less its threshold) at each end, the widest swing on "
        "top. The dashed line is the base case, the solid line the threshold."
    )
    return p.MemoFigure("tornado", TITLE, note), _tornado_svg(result, ranked)


def sensitivity_section(result: Sensitivity) -> dict[str, Any]:
    """Everything the memo's sensitivity section shows besides its figure (:func:`tornado_figure`)."""
    ranked = TESTS[result.rank_by]
    return {
        "method": result.method,
        "rank_by": {"title": ranked.title, "unit": ranked.unit, "key": result.rank_by},
        "tests": {key: {"title": test.title, "unit": test.unit} for key, test in TESTS.items()},
        "base": result.base,
        "tornado": [_bar(bar, result) for bar in result.tornado],
        "grids": [_grid(grid, result) for grid in result.grids],
        "break_evens": [
            {
                "test": found.test,
                "title": found.title,
                "lever": _lever(found.lever),
                "crossings": found.crossings,
                "base_margin": found.base_margin,
                "passes_throughout": found.passes_throughout,
                "shown": _shown(found.lever, result),
            }
            for found in result.break_evens
        ],
    }


def _lever(lever: Moved) -> dict[str, Any]:
    return {
        "label": lever.label,
        "unit": lever.unit,
        "scale": lever.scale,
        "base": lever.base,
        "low": lever.low,
        "high": lever.high,
        "note": lever.note,
    }


def _shown(lever: Moved, result: Sensitivity) -> dict[str, Any] | None:
    metric = result.shown.get(lever.show) if lever.show else None
    if metric is None:
        return None
    base = result.base_metrics.get(metric.name, math.nan)
    return {"label": metric.label.split(" (")[0], "unit": metric.unit, "base": base}


def _bar(bar: TornadoBar, result: Sensitivity) -> dict[str, Any]:
    return {"lever": _lever(bar.lever), "low": bar.low, "high": bar.high, "shown": _shown(bar.lever, result)}


def _grid(grid: GridResult, result: Sensitivity) -> dict[str, Any]:
    hurdle = result.hurdle
    tables = []
    for metric in grid.metrics:
        values = np.array(grid.values[metric.name], dtype=float)
        kind = p.number_format(metric.unit).kind
        centre = (
            0.0 if kind == "money" else hurdle if metric.unit == "rate" else result.base_metrics.get(metric.name, 0.0)
        )
        finite = values[np.isfinite(values)]
        reach = float(np.max(np.abs(finite - centre))) if finite.size else 0.0
        cells = [[{"value": value, "tint": _tint(value, centre, reach)} for value in row] for row in values.tolist()]
        tables.append(
            {"label": metric.label.split(" (")[0], "unit": "money" if kind == "money" else metric.unit, "cells": cells}
        )
    labels = [
        [{"label": label, "tint": _mix(p.VERDICT_COLOURS[label], LABEL_TINT)} for label in row] for row in grid.labels
    ]
    return {
        "rows": {**_lever(grid.rows), "values": grid.row_values},
        "columns": {**_lever(grid.columns), "values": grid.column_values},
        "tables": tables,
        "labels": labels,
        "note": grid.note,
    }


def _tint(value: float, centre: float, reach: float) -> str:
    """A cell's background: white at ``centre``, toward green above it and red below, by distance."""
    if not math.isfinite(value) or reach <= 0:
        return "#FFFFFF"
    share = STRONGEST_TINT * min(1.0, abs(value - centre) / reach)
    towards = ABOVE if value >= centre else BELOW
    return "#" + "".join(f"{round(255 + (channel - 255) * share):02X}" for channel in towards)


def _mix(colour: str, share: float) -> str:
    channels = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 + (channel - 255) * share):02X}" for channel in channels)


def _tornado_svg(result: Sensitivity, ranked: p.VerdictTest) -> str:
    """Bars from the base case's margin to each end's, widest on top. One bar far wider than the next
    (more than :data:`CLIP_RATIO` times) is cut at the axis and its value written at the cut."""

    bars = list(result.tornado)
    key = result.rank_by
    ends = [(bar.low.margins[key], bar.high.margins[key]) for bar in bars]
    base = result.base.margins[key]
    money = ranked.unit == "money"
    largest = max((abs(v) for pair in ends for v in pair), default=abs(base))
    divisor, unit = _format.money_scale(largest, result.currency, result.money_unit) if money else (1.0, ranked.unit)
    reach = sorted((max(abs(low - base), abs(high - base)) for low, high in ends), reverse=True) or [0.0]
    limit = CLIP_RATIO * reach[1] if len(reach) > 1 and reach[0] > CLIP_RATIO * reach[1] > 0 else reach[0]
    lowest, highest = min(base - limit, 0.0), max(base + limit, 0.0)

    def label(value: float, margin: float, lever: Moved, clipped: bool) -> str:
        text = _format.by_unit(value, lever.unit, result.currency, result.money_unit) if lever.unit else f"{value:g}"
        if lever.scale == "shift" and value > 0:
            text = f"+{text}"
        if not clipped:
            return text
        shown = _format.money(margin, result.currency, result.money_unit) if money else f"{margin:,.2f}"
        return f"{text}: {shown}"

    def draw() -> Figure:
        figure, (axes,) = new_figure(0.9 + 0.4 * max(len(bars), 1))
        y = np.arange(len(bars))[::-1]
        legend = ("lever at the low end of its range", "lever at the high end")
        for number, (position, bar, pair) in enumerate(zip(y, bars, ends, strict=True)):
            for side, (end, colour, value) in enumerate(
                ((pair[0], LOW_END, bar.low.value), (pair[1], HIGH_END, bar.high.value))
            ):
                shown = min(max(end, lowest), highest)
                width = (shown - base) / divisor
                named = legend[side] if number == 0 else None
                axes.barh(position, width, 0.62, left=base / divisor, color=colour, linewidth=0, label=named)
                right = end >= base
                axes.annotate(
                    label(value, end, bar.lever, shown != end),
                    (shown / divisor, position),
                    textcoords="offset points",
                    xytext=(3 if right else -3, 0),
                    ha="left" if right else "right",
                    va="center",
                    fontsize=6.5,
                    color=INK,
                    bbox={"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
                )
        axes.axvline(base / divisor, color=MUTED, linestyle="--", linewidth=0.8)
        axes.axvline(0, color=THRESHOLD, linewidth=0.9)
        axes.set_yticks(y, [textwrap.fill(bar.lever.label, LABEL_CHARACTERS) for bar in bars])
        axes.grid(axis="x", color="#E5E7EB", linewidth=0.6)
        axes.grid(axis="y", visible=False)
        room = 0.3 * (highest - lowest) / divisor or 1.0
        axes.set_xlim(lowest / divisor - room, highest / divisor + room)
        axes.set_ylim(-0.7, len(bars) - 0.3)
        axes.set_xlabel(f"{ranked.title} margin, {unit}" if money else f"{ranked.title} margin ({unit})")
        legend_above(figure, axes, 2, legend)
        return figure

    return render("tornado", draw)
