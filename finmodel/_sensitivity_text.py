"""What ``finmodel sensitivity`` prints: the tornado, each grid and the break-evens, to fit 80 columns.

Every text from the model (labels, notes) goes through the caller's ``inert``, so none is read as
markup or as a terminal control sequence.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from rich import box
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from .engine.presentation import number_format
from .sensitivity import TESTS, Moved, Sensitivity

SUMMARY_WIDTH = 80
_LETTER = {"revenue asset": "R", "partly": "P", "cost centre": "C"}
Inert = Callable[[object], Text]


def _number(value: float | None, unit: str) -> str:
    """A value as the terminal shows it, by the kind of its unit (``money`` is the model's money unit)."""
    if value is None or not math.isfinite(value):
        return "n/a"
    kind = "money" if unit == "money" else number_format(unit).kind if unit else "number"
    if kind == "share":
        return f"{value:.1%}"
    if kind == "multiple":
        return f"{value:,.2f}x"
    if kind == "price":
        return f"${value:,.{2 if abs(value) >= 1 else 3}f}/{unit.removeprefix('USD/')}"
    if kind == "years":
        return f"{value:,.2f}y"
    return f"{value:,.2f}" if abs(value) < 1e6 else f"{value:,.0f}"


def _lever_value(lever: Moved, value: float) -> str:
    text = _number(value, lever.unit)
    return f"+{text}" if lever.scale == "shift" and value > 0 else text


def sensitivity_summary(result: Sensitivity, inert: Inert) -> list[RenderableType]:
    """The summary, block by block."""
    ranked = TESTS[result.rank_by]
    money = f"{result.currency} {result.money_unit}"
    unit = money if ranked.unit == "money" else ranked.unit
    blocks: list[RenderableType] = [
        inert(f"{result.company} ({result.ticker}): sensitivity of the verdict, {result.scenario} case"),
        inert(
            f"base: {result.base.label}; {ranked.title.lower()} margin "
            f"{_number(result.base.margins[result.rank_by], ranked.unit)} ({unit})"
        ),
    ]
    tornado = _table(f"Tornado: {ranked.title.lower()} margin ({unit}) at each end, ranked by swing")
    for column in ("lever", "low", "high", "at low", "at high", "verdict"):
        tornado.add_column(column, justify="left" if column == "lever" else "right", no_wrap=column != "lever")
    for bar in result.tornado:
        tornado.add_row(
            inert(bar.lever.label),
            _lever_value(bar.lever, bar.lever.low),
            _lever_value(bar.lever, bar.lever.high),
            _number(bar.low.margins[result.rank_by], ranked.unit),
            _number(bar.high.margins[result.rank_by], ranked.unit),
            f"{_LETTER[bar.low.label]} / {_LETTER[bar.high.label]}",
        )
    blocks.append(tornado)
    blocks.append(Text("verdict at low / high: R revenue asset, P partly, C cost centre"))
    for grid in result.grids:
        for metric in grid.metrics[:1]:
            metric_unit = money if number_format(metric.unit).kind == "money" else metric.unit
            table = _table(
                inert(
                    f"{metric.label.split(' (')[0]} ({metric_unit}): {grid.rows.label} down, "
                    f"{grid.columns.label} across"
                )
            )
            table.add_column("")
            for value in grid.column_values:
                table.add_column(_lever_value(grid.columns, value), justify="right")
            for value, row in zip(grid.row_values, grid.values[metric.name], strict=True):
                kind_unit = "money" if metric_unit == money else metric.unit
                table.add_row(_lever_value(grid.rows, value), *(_number(cell, kind_unit) for cell in row))
            blocks.append(table)
    blocks.append(Text("Break-evens"))
    for found in result.break_evens:
        blocks.append(inert(f"  {found.title}, against {found.lever.label}: {_break_even_words(found, result)}"))
    return blocks


def _break_even_words(found, result: Sensitivity) -> str:
    lever = found.lever
    metric = result.shown.get(lever.show) if lever.show else None

    def shown(value: float | None) -> str:
        return f" ({metric.label.split(' (')[0]} {_number(value, metric.unit)})" if metric else ""

    if not found.crossings:
        throughout = "passes" if found.passes_throughout else "fails"
        span = f"{_lever_value(lever, lever.low)} to {_lever_value(lever, lever.high)}"
        words = f"no break-even within {span}: the test {throughout} throughout"
    else:
        words = ", ".join(
            ("passes " if number == 0 else "passes again " if crossing.passes_above else "fails again ")
            + ("above " if crossing.passes_above or number > 0 else "below ")
            + _lever_value(lever, crossing.value)
            + shown(crossing.shown)
            + (" (a step: the margin jumps across zero)" if crossing.step else "")
            for number, crossing in enumerate(found.crossings)
        )
    base_shown = shown(result.base_metrics.get(lever.show)) if lever.show else ""
    return f"{words}; base {_lever_value(lever, lever.base)}{base_shown}"


def _table(title: str | Text) -> Table:
    return Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 1), show_edge=False)
