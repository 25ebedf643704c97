"""Where everything sits in the workbook: rows, formula cells, defined names."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field

from xlsxwriter.utility import xl_rowcol_to_cell

from ..._errors import ExportError
from ...engine import Projection
from ...engine.presentation import (
    NO_IRR,
    SCHEDULE_ORDER,
    VERDICT_WORDS,
)

FIRST_VALUE_COLUMN = 3
SHEET_ORDER: tuple[str, ...] = ("Cover", *SCHEDULE_ORDER)
SELECTOR_NAME = "Scenario"
FIXED_TIMESTAMP = dt.datetime(2000, 1, 1)


@dataclass(frozen=True)
class FormulaCell:
    """A formula cell and where its engine value comes from: ``(row, column)``; without a row, the
    verdict in words, or (``test``) a verdict test's margin or its PASS/FAIL result."""

    sheet: str
    coordinate: str
    row: str | None
    column: int
    test: str = ""
    part: str = ""
    """With ``test``: ``margin`` or ``result``."""


@dataclass
class WorkbookLayout:
    """Where every row sits, and every formula cell written."""

    sheets: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)
    """Per sheet, entries ``("header", axis, row)`` and ``("row", name, row)`` in order."""
    row_at: dict[str, tuple[str, int]] = field(default_factory=dict)
    column_at: dict[str, int] = field(default_factory=dict)
    """Scalar rows shown in a grid (a metric × generation table): the column of the grid they sit in."""
    grids: dict[str, dict[str, str]] = field(default_factory=dict)
    """Per grid row (its metric), the row shown in each column by column label."""
    scenario_rows: dict[tuple[str, str], tuple[str, int]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    formula_cells: list[FormulaCell] = field(default_factory=list)
    selector: tuple[str, str] = ("Cover", "C5")

    def expected(self, projection: Projection) -> dict[tuple[str, str], float | str]:
        """The engine's value for every formula cell, under ``projection``'s scenario."""
        result: dict[tuple[str, str], float | str] = {}
        reasons = {reason.test: reason for reason in projection.verdict.reasons}
        for cell in self.formula_cells:
            if cell.test:
                reason = reasons[cell.test]
                passed = "PASS" if reason.passed else "FAIL"
                result[(cell.sheet, cell.coordinate)] = reason.margin if cell.part == "margin" else passed
            elif cell.row is None:
                result[(cell.sheet, cell.coordinate)] = VERDICT_WORDS[projection.verdict.label]
            else:
                value = float(projection.values[cell.row][0, cell.column])
                result[(cell.sheet, cell.coordinate)] = NO_IRR if math.isnan(value) else value
        return result

    def input_cell(self, input_name: str, scenario: str, column: int = 0) -> tuple[str, str]:
        """The blue cell holding an assumption's value in one scenario."""
        sheet, row = self.scenario_rows[(input_name, scenario)]
        return sheet, xl_rowcol_to_cell(row, FIRST_VALUE_COLUMN + column)


def generation_grid(names: list[str], generations: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """Scalar rows qualified by a generation alone (``cohort_irr[H100]``), by metric then generation:
    the Summary shows them as one metric × generation table instead of a list."""
    grid: dict[str, dict[str, str]] = {}
    for name in names:
        base, _, qualifier = name.partition("[")
        if qualifier.endswith("]") and qualifier[:-1] in generations:
            grid.setdefault(base, {})[qualifier[:-1]] = name
    return grid


def grid_label(label: str, generation: str) -> str:
    """A metric's label without the generation it was written for (``H100: IRR if leased`` → ``IRR if leased``)."""
    text = (
        label.removeprefix(f"{generation}: ")
        if label.startswith(f"{generation}: ")
        else label.replace(f": {generation}", "", 1)
    )
    return text[:1].upper() + text[1:]


def axis_key(axis: str) -> str:
    return {"period": "0", "scalar": "2"}.get(axis, "1" + axis)


def header_row_of(layout: WorkbookLayout, sheet: str, axis: str) -> int:
    for kind, entry, position in layout.sheets[sheet]:
        if kind == "header" and entry == axis:
            return position
    raise ExportError(f"no {axis} header on {sheet}")


def quoted_sheet(sheet: str) -> str:
    return f"'{sheet}'" if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", sheet) else sheet


_CELL_LIKE = re.compile(r"^[A-Za-z]{1,3}\d+$|^[Rr]\d*[Cc]\d*$")

_CELL_LIKE = re.compile(r"^[A-Za-z]{1,3}\d+$|^[Rr]\d*[Cc]\d*$")


def defined_name(row: str, taken: set[str]) -> str:
    """An Excel defined name for an input row: letters, digits, underscores; never cell-like."""
    name = re.sub(r"[^A-Za-z0-9_]+", "_", row).strip("_")
    if (
        not name
        or not (name[0].isalpha() or name[0] == "_")
        or _CELL_LIKE.match(name)
        or name.upper() in ("TRUE", "FALSE")
    ):
        name = f"in_{name}"
    candidate, suffix = name, 2
    while candidate in taken:
        candidate, suffix = f"{name}_{suffix}", suffix + 1
    return candidate
