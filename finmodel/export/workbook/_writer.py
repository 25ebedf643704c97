"""An Excel workbook of live formulas, printed from the engine's own expression graph.

Every calculated number is a formula produced by :func:`finmodel.engine.formula` from
the same row definition numpy evaluated, and stores the engine's value beside it. Inputs live
on the Assumptions sheet, one block per assumption: a live row that picks the scenario chosen
on the Cover (``INDEX``/``MATCH``), then one blue row of values per scenario.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from ..._errors import ExportError
from ..._scenarios import BASE
from ...engine import (
    COHORT_PREFIX,
    CellAddress,
    Graph,
    Projection,
    RangeAddress,
    beyond_excel_limits,
    formula,
    structure_difference,
)
from ...engine.presentation import (
    LINE_ORDER,
    NO_IRR,
    SCALAR_SCHEDULES,
    Schedule,
)
from ...sensitivity import Sensitivity
from ._cover import CoverWriter
from ._layout import (
    FIRST_VALUE_COLUMN,
    FIXED_TIMESTAMP,
    SELECTOR_NAME,
    SHEET_ORDER,
    FormulaCell,
    WorkbookLayout,
    axis_key,
    defined_name,
    generation_grid,
    grid_label,
    quoted_sheet,
)
from ._sensitivity import write_sensitivity_sheet
from ._style import Formats, page_setup, provenance_text, set_widths


def write_workbook(
    projections: Mapping[str, Projection], selected: str, path: Path, *, sensitivity: Sensitivity | None = None
) -> WorkbookLayout:
    """Write the workbook for a model; ``projections`` maps ``"base"`` and each scenario to its projection.

    Scenarios with the selected one's structure are live: the Cover's selector switches every formula
    to them. A scenario that changes the structure (a physical life, the generations bought) cannot be
    a column of the Assumptions sheet's scenario table; the Cover's comparison shows it as values.
    With ``sensitivity`` (of the scenario ``selected``) a last sheet shows it, as values."""
    return _Writer(projections, selected).write(path, sensitivity)


class _Writer(CoverWriter):
    def __init__(self, projections: Mapping[str, Projection], selected: str) -> None:
        if selected not in projections or next(iter(projections)) != BASE:
            raise ExportError(f"projections must start with {BASE!r} and include the selected scenario {selected!r}")
        self.selected = selected
        self.shown = projections[selected]
        self.graph: Graph = self.shown.graph
        self.layout = WorkbookLayout()
        self.compared = dict(projections)
        self.projections = {
            name: projection
            for name, projection in projections.items()
            if structure_difference({selected: self.graph, name: projection.graph}) is None
        }
        self.scenarios = list(self.projections)

    # ------------------------------------------------------------------ layout

    def plan(self) -> None:
        rows_by_sheet: dict[str, list[str]] = {sheet: [] for sheet in SHEET_ORDER}
        for name, row in self.graph.rows.items():
            if row.kind == "input":
                continue
            schedule = row.group if row.axis != "scalar" or row.group in SCALAR_SCHEDULES else Schedule.SUMMARY
            rows_by_sheet[schedule.value].append(name)
        # Assumptions: a header, then blocks of 1 live row + one row per scenario.
        position = 3
        for name, row in self.graph.rows.items():
            if row.kind != "input":
                continue
            self.layout.row_at[name] = ("Assumptions", position)
            for offset, scenario in enumerate(self.scenarios, start=1):
                self.layout.scenario_rows[(name, scenario)] = ("Assumptions", position + offset)
            position += len(self.scenarios) + 2
        generations = tuple(self.shown.model.generations_used())
        grid = generation_grid(rows_by_sheet[Schedule.SUMMARY.value], generations)
        in_grid = {name for row in grid.values() for name in row.values()}
        rows_by_sheet[Schedule.SUMMARY.value] = [n for n in rows_by_sheet[Schedule.SUMMARY.value] if n not in in_grid]
        for sheet, names in rows_by_sheet.items():
            if sheet in ("Cover", "Assumptions"):
                continue
            position = 1
            current_axis = None
            leading = {name: index for index, name in enumerate(LINE_ORDER.get(Schedule(sheet), ()))}
            for name in sorted(
                names,
                key=lambda n: (
                    self.graph.rows[n].axis != "period",
                    axis_key(self.graph.rows[n].axis),
                    leading.get(n, len(leading)),
                ),
            ):
                axis = self.graph.rows[name].axis
                if axis != current_axis:
                    position += 1 if current_axis is None else 2
                    current_axis = axis
                    self.layout.sheets.setdefault(sheet, []).append(("header", axis, position))
                    position += 1
                self.layout.row_at[name] = (sheet, position)
                self.layout.sheets.setdefault(sheet, []).append(("row", name, position))
                position += 1
            if sheet == Schedule.SUMMARY.value and grid:
                position += 2
                self.layout.sheets[sheet].append(("generations", ",".join(generations), position))
                position += 1
                for metric, by_generation in grid.items():
                    self.layout.grids[metric] = by_generation
                    for name in by_generation.values():
                        self.layout.row_at[name] = (sheet, position)
                        self.layout.column_at[name] = generations.index(name.partition("[")[2][:-1])
                    self.layout.sheets[sheet].append(("grid", metric, position))
                    position += 1
        for name, row in self.graph.rows.items():
            if row.kind == "input":
                self.layout.names[name] = defined_name(name, set(self.layout.names.values()))

    def address(self, from_sheet: str) -> tuple[CellAddress, RangeAddress]:
        def cell(name: str, column: int) -> str:
            row = self.graph.rows[name]
            if row.axis == "scalar":
                if row.kind == "input":
                    return self.layout.names[name]
                column = self.layout.column_at.get(name, 0)
            sheet, position = self.layout.row_at[name]
            text = xl_rowcol_to_cell(position, FIRST_VALUE_COLUMN + column)
            return text if sheet == from_sheet else f"{quoted_sheet(sheet)}!{text}"

        def cell_range(name: str, first: int, last: int) -> str:
            sheet, position = self.layout.row_at[name]
            start = xl_rowcol_to_cell(position, FIRST_VALUE_COLUMN + first)
            text = f"{start}:{xl_rowcol_to_cell(position, FIRST_VALUE_COLUMN + last)}"
            return text if sheet == from_sheet else f"{quoted_sheet(sheet)}!{text}"

        return cell, cell_range

    # ------------------------------------------------------------------ writing

    def write(self, path: Path, sensitivity: Sensitivity | None = None) -> WorkbookLayout:
        self.plan()
        workbook = xlsxwriter.Workbook(
            str(path), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
        )
        workbook.set_properties(
            {"created": FIXED_TIMESTAMP, "author": "finmodel", "title": self.shown.model.company.name}
        )
        workbook.set_calc_mode("auto")
        self.formats = Formats(workbook)
        sheets = {name: workbook.add_worksheet(name) for name in SHEET_ORDER}
        self.write_assumptions(workbook, sheets["Assumptions"])
        for sheet_name in SHEET_ORDER[2:]:
            self.write_schedule(sheets[sheet_name], sheet_name)
        self.write_cover(workbook, sheets["Cover"])
        for sheet_name, sheet in sheets.items():
            page_setup(sheet, landscape=sheet_name != "Cover")
        if sensitivity is not None:
            write_sensitivity_sheet(workbook, self.formats, sensitivity)
        try:
            workbook.close()
        except Exception as error:  # xlsxwriter raises several unrelated types on I/O failure
            raise ExportError(f"could not write {path}: {error}") from error
        return self.layout

    def write_assumptions(self, workbook, sheet) -> None:
        f = self.formats
        model = self.shown.model
        sheet.write_string(0, 0, f"{model.company.name}: assumptions", f.title)
        sheet.write_string(
            1,
            0,
            "Blue cells are inputs: the base case in full, each scenario only where it differs. "
            "The bold row above them picks the scenario chosen on the Cover.",
            f.note,
        )
        self._header(sheet, 2, "period")
        count = len(self.scenarios)
        for name, row in self.graph.rows.items():
            if row.kind != "input":
                continue
            _, position = self.layout.row_at[name]
            assumption = self.shown.assumptions.rows[name]
            sheet.write_string(position, 0, row.label, f.bold)
            sheet.write_string(position, 1, row.unit, f.unit)
            sheet.write_string(position, 2, self.layout.names[name], f.key)
            sheet.write_comment(position, 0, provenance_text(model, assumption.path), {"x_scale": 3, "y_scale": 1.5})
            size = self.graph.axes[row.axis].size
            first_scenario_row = position + 1
            last_scenario_row = position + count
            for column in range(size):
                value_column = FIRST_VALUE_COLUMN + column
                values = xl_col_to_name(value_column)
                chosen = (
                    f"INDEX({values}{first_scenario_row + 1}:{values}{last_scenario_row + 1},"
                    f"MATCH({SELECTOR_NAME},$C${first_scenario_row + 1}:$C${last_scenario_row + 1},0))"
                )
                text = f'=IF({chosen}="",{values}{first_scenario_row + 1},{chosen})'
                value = float(self.shown.values[name][0, column])
                sheet.write_formula(position, value_column, text, f.number_for(row.unit), value)
                self.layout.formula_cells.append(
                    FormulaCell("Assumptions", xl_rowcol_to_cell(position, value_column), name, column)
                )
            base_values = self.projections[self.scenarios[0]].assumptions.rows[name].values
            for offset, scenario in enumerate(self.scenarios, start=1):
                sheet.write_string(position + offset, 2, scenario, f.key)
                values = self.projections[scenario].assumptions.rows[name].values
                for column, value in enumerate(values):
                    if offset == 1 or value != base_values[column]:
                        sheet.write_number(position + offset, FIRST_VALUE_COLUMN + column, value, f.input_for(row.unit))
                    if offset == 1 and assumption.paths[column] != assumption.path:
                        sheet.write_comment(
                            position + offset,
                            FIRST_VALUE_COLUMN + column,
                            provenance_text(model, assumption.paths[column]),
                            {"x_scale": 3, "y_scale": 1.5},
                        )
            last = xl_rowcol_to_cell(position, FIRST_VALUE_COLUMN + size - 1, row_abs=True, col_abs=True)
            first = xl_rowcol_to_cell(position, FIRST_VALUE_COLUMN, row_abs=True, col_abs=True)
            reference = f"=Assumptions!{first}" if size == 1 else f"=Assumptions!{first}:{last}"
            workbook.define_name(self.layout.names[name], reference)
        sheet.freeze_panes(3, FIRST_VALUE_COLUMN)
        set_widths(sheet, len(self.shown.periods))

    def write_schedule(self, sheet, sheet_name: str) -> None:
        f = self.formats
        sheet.write_string(0, 0, f"{self.shown.model.company.name}: {sheet_name}", f.title)
        cell, cell_range = self.address(sheet_name)
        widest = 1
        for kind, entry, position in self.layout.sheets.get(sheet_name, []):
            if kind == "header":
                self._header(sheet, position, entry)
                widest = max(widest, self.graph.axes[entry].size)
                continue
            if kind == "generations":
                self._grid_header(sheet, position, entry.split(","))
                continue
            if kind == "grid":
                self._grid_row(sheet, sheet_name, position, entry, cell, cell_range)
                continue
            row = self.graph.rows[entry]
            sheet.write_string(position, 0, row.label, f.bold if sheet_name in ("P&L", "Summary") else None)
            sheet.write_string(position, 1, row.unit, f.unit)
            sheet.write_string(position, 2, entry, f.key)
            number_format = f.number_for(row.unit)
            for column in range(self.graph.axes[row.axis].size):
                if row.is_zero_at(column):
                    continue
                number = float(self.shown.values[entry][0, column])
                value: float | str = NO_IRR if math.isnan(number) else number
                text = formula(row.expr_at(column), column, cell, cell_range)
                problem = beyond_excel_limits(text)
                if problem is not None:
                    period = self.graph.axes[row.axis].labels[column]
                    raise ExportError(
                        f"the formula of line item {entry!r} ({row.label}) in column {period!r} {problem}: "
                        "Excel would refuse the workbook"
                    )
                sheet.write_formula(position, FIRST_VALUE_COLUMN + column, text, number_format, value)
                self.layout.formula_cells.append(
                    FormulaCell(sheet_name, xl_rowcol_to_cell(position, FIRST_VALUE_COLUMN + column), entry, column)
                )
        sheet.freeze_panes(2, FIRST_VALUE_COLUMN)
        labels = [
            self.graph.rows[entry].label for kind, entry, _ in self.layout.sheets.get(sheet_name, []) if kind == "row"
        ]
        set_widths(sheet, widest, max(map(len, labels), default=0))

    def _grid_header(self, sheet, position: int, generations: list[str]) -> None:
        f = self.formats
        for column, text in enumerate(("By generation", "unit", "key")):
            sheet.write_string(position, column, text, f.header)
        for column, generation in enumerate(generations):
            sheet.write_string(position, FIRST_VALUE_COLUMN + column, generation, f.header)

    def _grid_row(self, sheet, sheet_name: str, position: int, metric: str, cell, cell_range) -> None:
        """One metric of the generation grid: a formula per generation, in that generation's column."""
        f = self.formats
        by_generation = self.layout.grids[metric]
        first_generation, first = next(iter(by_generation.items()))
        row = self.graph.rows[first]
        sheet.write_string(position, 0, grid_label(row.label, first_generation), f.bold)
        sheet.write_string(position, 1, row.unit, f.unit)
        sheet.write_string(position, 2, f"{metric}[generation]", f.key)
        for name in by_generation.values():
            column = FIRST_VALUE_COLUMN + self.layout.column_at[name]
            text = formula(self.graph.rows[name].expr_at(0), 0, cell, cell_range)
            sheet.write_formula(position, column, text, f.number_for(row.unit), float(self.shown.values[name][0, 0]))
            self.layout.formula_cells.append(FormulaCell(sheet_name, xl_rowcol_to_cell(position, column), name, 0))

    def _header(self, sheet, position: int, axis: str) -> None:
        f = self.formats
        labels = self.graph.axes[axis].labels
        title = {"period": "Period", "scalar": "Value"}.get(axis, f"{axis.removeprefix(COHORT_PREFIX)}: year of age")
        sheet.write_string(position, 0, title, f.header)
        sheet.write_string(position, 1, "unit", f.header)
        sheet.write_string(position, 2, "key", f.header)
        for column, label in enumerate(labels):
            sheet.write_string(position, FIRST_VALUE_COLUMN + column, label if axis != "scalar" else "value", f.header)
