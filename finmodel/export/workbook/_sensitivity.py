"""The workbook's Sensitivity sheet: the tornado, the grids and the break-evens as values.

A grid is hundreds of projections, each with its own inputs; the live scenario selector can only
switch the one projection the formulas compute, so these figures are values, with a note at the
top of how they were made. Text from the model (labels, notes, sources) is written as text.
"""

from __future__ import annotations

import math
from typing import Any

from ...sensitivity import TESTS, GridResult, Moved, Point, Sensitivity
from ._style import Formats

SHEET = "Sensitivity"
NOTE_COLUMNS = 10
"""The note of how the figures were made spans the first columns, wrapped."""
_TORNADO_COLUMNS = ("Lever", "Scale", "Unit", "Low", "High", "Base")


class _Sheet:
    """Writes rows top to bottom; numbers by unit, text as text, a value that is not finite as n/a."""

    def __init__(self, workbook: Any, formats: Formats, result: Sensitivity) -> None:
        self.sheet = workbook.add_worksheet(SHEET)
        self.f = formats
        self.result = result
        self.row = 0
        self.multiple = workbook.add_format({"num_format": '0.00"x"'})
        header = {"bold": True, "bottom": 1, "bg_color": "#E5E7EB", "text_wrap": True, "valign": "bottom"}
        self.first_header = workbook.add_format(header)
        self.header = workbook.add_format({**header, "align": "right"})

    def money(self, unit: str) -> str:
        return f"{self.result.currency} {self.result.money_unit}" if unit == "money" else unit

    def cell(self, column: int, value: object, unit: str | None = None, style: Any = None) -> None:
        if isinstance(value, float | int) and not isinstance(value, bool):
            if math.isfinite(value):
                number_format = self.multiple if unit == "x" else self.f.number_for(self.money(unit)) if unit else None
                self.sheet.write_number(self.row, column, float(value), number_format)
            else:
                self.sheet.write_string(self.row, column, "n/a", self.f.unit)
        elif value is not None:
            self.sheet.write_string(self.row, column, str(value), style)

    def line(self, *cells: tuple[object, str | None] | object, style: Any = None) -> None:
        for column, item in enumerate(cells):
            value, unit = item if isinstance(item, tuple) else (item, None)
            self.cell(column, value, unit, self.first_header if column == 0 and style is self.header else style)
        self.row += 1

    def heading(self, text: str) -> None:
        self.row += 1
        self.sheet.write_string(self.row, 0, text, self.f.bold)
        self.row += 1


def write_sensitivity_sheet(workbook: Any, formats: Formats, result: Sensitivity) -> None:
    """Add the Sensitivity sheet, after the schedules."""
    sheet = _Sheet(workbook, formats, result)
    sheet.sheet.write_string(0, 0, f"{result.company}: sensitivity (values, not formulas)", formats.title)
    wrapped = workbook.add_format({"italic": True, "font_color": "#555555", "text_wrap": True, "valign": "top"})
    sheet.sheet.merge_range(1, 0, 3, NOTE_COLUMNS, f"How these were made: {result.method}", wrapped)
    sheet.row = 4
    base = result.base
    sheet.line("Base case", f"{result.scenario}: {base.label}")
    _tornado(sheet)
    for grid in result.grids:
        _grid(sheet, grid)
    _break_evens(sheet)
    sheet.sheet.set_column(0, 0, 46)
    sheet.sheet.set_column(1, 40, 13)
    sheet.sheet.set_landscape()


def _lever_cells(lever: Moved) -> list[object]:
    unit = lever.unit or None
    return [lever.label, lever.scale, lever.unit, (lever.low, unit), (lever.high, unit), (lever.base, unit)]


def _margins(point: Point) -> list[object]:
    return [(point.margins[key], test.unit) for key, test in TESTS.items()]


def _tornado(sheet: _Sheet) -> None:
    result = sheet.result
    ranked = TESTS[result.rank_by].title.lower()
    sheet.heading(f"Tornado: each lever alone at its low and high end, widest swing of the {ranked} margin first")
    margins = [f"{test.title} margin, {end}" for end in ("low", "high") for test in TESTS.values()]
    shown = ["Shown metric", "Shown at low", "Shown at high"]
    header = [*_TORNADO_COLUMNS, *margins, "Verdict, low", "Verdict, high", "Swing", *shown, "Inputs moved", "Note"]
    sheet.line(*header, style=sheet.header)
    rank_unit = TESTS[result.rank_by].unit
    for bar in result.tornado:
        metric = result.shown.get(bar.lever.show) if bar.lever.show else None
        sheet.line(
            *_lever_cells(bar.lever),
            *_margins(bar.low),
            *_margins(bar.high),
            bar.low.label,
            bar.high.label,
            (bar.swing, rank_unit),
            metric.label if metric else None,
            (bar.low.shown, metric.unit) if metric else None,
            (bar.high.shown, metric.unit) if metric else None,
            ", ".join(bar.lever.inputs_moved),
            bar.lever.note,
        )


def _grid(sheet: _Sheet, grid: GridResult) -> None:
    axes = f"{grid.rows.label} down, {grid.columns.label} across"
    row_unit, column_unit = grid.rows.unit or None, grid.columns.unit or None
    tables: list[tuple[str, str | None, tuple[tuple[object, ...], ...]]] = [
        (metric.label, metric.unit, grid.values[metric.name]) for metric in grid.metrics
    ]
    tables.append(("Verdict", None, grid.labels))
    for title, unit, rows in tables:
        sheet.heading(f"Grid: {title}; {axes}")
        sheet.line("", *((value, column_unit) for value in grid.column_values), style=sheet.header)
        for value, cells in zip(grid.row_values, rows, strict=True):
            sheet.line((value, row_unit), *((cell, unit) for cell in cells))
    if grid.note:
        sheet.line(grid.note, style=sheet.f.note)


def _break_evens(sheet: _Sheet) -> None:
    result = sheet.result
    sheet.heading("Break-evens: the lever's value at which the test's margin is zero, searched over its range")
    header = ["Lever", "Scale", "Unit", "Search from", "to", "Base", "Test", "Break-even", "Test passes"]
    sheet.line(
        *header, "Margin there", "Step", "Shown metric", "Shown there", "Base margin", "Note", style=sheet.header
    )
    for found in result.break_evens:
        unit = found.lever.unit or None
        test_unit = TESTS[found.test].unit
        metric = result.shown.get(found.lever.show) if found.lever.show else None
        lever = _lever_cells(found.lever)
        if not found.crossings:
            verdict = "passes throughout" if found.passes_throughout else "fails throughout"
            sheet.line(
                *lever,
                found.title,
                "none in range",
                verdict,
                None,
                None,
                None,
                None,
                (found.base_margin, test_unit),
                found.lever.note,
            )
        for crossing in found.crossings:
            sheet.line(
                *lever,
                found.title,
                (crossing.value, unit),
                "above" if crossing.passes_above else "below",
                (crossing.margin, test_unit),
                "yes: the margin jumps across zero" if crossing.step else "no",
                metric.label if metric else None,
                (crossing.shown, metric.unit) if metric else None,
                (found.base_margin, test_unit),
                found.lever.note,
            )
