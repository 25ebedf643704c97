"""An Excel workbook of live formulas, printed from the engine's own expression graph.

Every calculated number is a formula produced by :func:`finmodel.engine.formula` from
the same row definition numpy evaluated, and stores the engine's value beside it. Inputs live
on the Assumptions sheet, one block per assumption: a live row that picks the scenario chosen
on the Cover (``INDEX``/``MATCH``), then one blue row of values per scenario.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from .._errors import ExportError
from .._scenarios import BASE
from ..engine import COHORT_PREFIX, Graph, Key, Projection, formula, structure_difference
from ..engine.presentation import (
    CHARTS,
    COHORT_METRICS,
    HEADLINE_METRICS,
    SCALAR_SCHEDULES,
    SCHEDULE_ORDER,
    VERDICT_LABELS,
    Chart,
    Schedule,
    number_format,
)

FIRST_VALUE_COLUMN = 3
SHEET_ORDER: tuple[str, ...] = ("Cover", *SCHEDULE_ORDER)
SELECTOR_NAME = "Scenario"
FIXED_TIMESTAMP = dt.datetime(2000, 1, 1)


@dataclass(frozen=True)
class FormulaCell:
    """A formula cell and where its engine value comes from: ``(row, column)`` or the verdict label."""

    sheet: str
    coordinate: str
    row: str | None
    column: int


@dataclass
class WorkbookLayout:
    """Where every row sits, and every formula cell written."""

    sheets: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)
    """Per sheet, entries ``("header", axis, row)`` and ``("row", name, row)`` in order."""
    row_at: dict[str, tuple[str, int]] = field(default_factory=dict)
    scenario_rows: dict[tuple[str, str], tuple[str, int]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    formula_cells: list[FormulaCell] = field(default_factory=list)
    selector: tuple[str, str] = ("Cover", "C5")

    def expected(self, projection: Projection) -> dict[tuple[str, str], float | str]:
        """The engine's value for every formula cell, under ``projection``'s scenario."""
        result: dict[tuple[str, str], float | str] = {}
        for cell in self.formula_cells:
            if cell.row is None:
                result[(cell.sheet, cell.coordinate)] = projection.verdict.label
            else:
                result[(cell.sheet, cell.coordinate)] = float(projection.values[cell.row][0, cell.column])
        return result

    def input_cell(self, input_name: str, scenario: str, column: int = 0) -> tuple[str, str]:
        """The blue cell holding an assumption's value in one scenario."""
        sheet, row = self.scenario_rows[(input_name, scenario)]
        return sheet, xl_rowcol_to_cell(row, FIRST_VALUE_COLUMN + column)


def write_workbook(projections: Mapping[str, Projection], selected: str, path: Path) -> WorkbookLayout:
    """Write the workbook for a model; ``projections`` maps ``"base"`` and each scenario to its projection."""
    return _Writer(projections, selected).write(path)


class _Writer:
    def __init__(self, projections: Mapping[str, Projection], selected: str) -> None:
        self.projections = dict(projections)
        self.selected = selected
        self.shown = self.projections[selected]
        self.graph: Graph = self.shown.graph
        self.layout = WorkbookLayout()
        self.scenarios = list(self.projections)
        if self.scenarios[0] != BASE or selected not in self.projections:
            raise ExportError(f"projections must start with {BASE!r} and include the selected scenario {selected!r}")
        _check_same_structure(self.projections)

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
        for sheet, names in rows_by_sheet.items():
            if sheet in ("Cover", "Assumptions"):
                continue
            position = 1
            current_axis = None
            for name in sorted(
                names, key=lambda n: (self.graph.rows[n].axis != "period", _axis_key(self.graph.rows[n].axis))
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
        for name, row in self.graph.rows.items():
            if row.kind == "input":
                self.layout.names[name] = _defined_name(name, set(self.layout.names.values()))

    def address(self, from_sheet: str):
        def cell(name: str, column: int) -> str:
            row = self.graph.rows[name]
            if row.axis == "scalar":
                if row.kind == "input":
                    return self.layout.names[name]
                column = 0
            sheet, position = self.layout.row_at[name]
            text = xl_rowcol_to_cell(position, FIRST_VALUE_COLUMN + column)
            return text if sheet == from_sheet else f"{_quote(sheet)}!{text}"

        def cell_range(name: str, first: int, last: int) -> str:
            sheet, position = self.layout.row_at[name]
            start = xl_rowcol_to_cell(position, FIRST_VALUE_COLUMN + first)
            text = f"{start}:{xl_rowcol_to_cell(position, FIRST_VALUE_COLUMN + last)}"
            return text if sheet == from_sheet else f"{_quote(sheet)}!{text}"

        return cell, cell_range

    # ------------------------------------------------------------------ writing

    def write(self, path: Path) -> WorkbookLayout:
        self.plan()
        workbook = xlsxwriter.Workbook(
            str(path), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
        )
        workbook.set_properties(
            {"created": FIXED_TIMESTAMP, "author": "finmodel", "title": self.shown.model.company.name}
        )
        workbook.set_calc_mode("auto")
        self.formats = _Formats(workbook)
        sheets = {name: workbook.add_worksheet(name) for name in SHEET_ORDER}
        self.write_assumptions(workbook, sheets["Assumptions"])
        for sheet_name in SHEET_ORDER[2:]:
            self.write_schedule(sheets[sheet_name], sheet_name)
        self.write_cover(workbook, sheets["Cover"])
        for sheet_name, sheet in sheets.items():
            _page_setup(sheet, landscape=sheet_name != "Cover")
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
            sheet.write_comment(position, 0, _provenance_text(model, assumption.path), {"x_scale": 3, "y_scale": 1.5})
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
                            _provenance_text(model, assumption.paths[column]),
                            {"x_scale": 3, "y_scale": 1.5},
                        )
            last = xl_rowcol_to_cell(position, FIRST_VALUE_COLUMN + size - 1, row_abs=True, col_abs=True)
            first = xl_rowcol_to_cell(position, FIRST_VALUE_COLUMN, row_abs=True, col_abs=True)
            reference = f"=Assumptions!{first}" if size == 1 else f"=Assumptions!{first}:{last}"
            workbook.define_name(self.layout.names[name], reference)
        sheet.freeze_panes(3, FIRST_VALUE_COLUMN)
        _widths(sheet, len(self.shown.periods))

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
            row = self.graph.rows[entry]
            sheet.write_string(position, 0, row.label, f.bold if sheet_name in ("P&L", "Summary") else None)
            sheet.write_string(position, 1, row.unit, f.unit)
            sheet.write_string(position, 2, entry, f.key)
            number_format = f.number_for(row.unit)
            for column in range(self.graph.axes[row.axis].size):
                if row.is_zero_at(column):
                    continue
                value = float(self.shown.values[entry][0, column])
                text = formula(row.expr_at(column), column, cell, cell_range)
                if len(text) > 8000:
                    raise ExportError(f"formula for {entry} is {len(text)} characters, over Excel's limit")
                sheet.write_formula(position, FIRST_VALUE_COLUMN + column, text, number_format, value)
                self.layout.formula_cells.append(
                    FormulaCell(sheet_name, xl_rowcol_to_cell(position, FIRST_VALUE_COLUMN + column), entry, column)
                )
        sheet.freeze_panes(2, FIRST_VALUE_COLUMN)
        _widths(sheet, widest)

    def write_cover(self, workbook, sheet) -> None:
        f = self.formats
        model = self.shown.model
        sheet.write_string(0, 1, model.company.name, f.title)
        sheet.write_string(
            1, 1, f"{model.company.ticker} · money in {model.company.currency} {model.company.money_unit}", f.note
        )
        sheet.write_string(
            2,
            1,
            "Does the AI CapEx become a revenue asset? Built by finmodel from the YAML model; "
            "every number outside Assumptions is a formula.",
            f.note,
        )
        sheet.write_string(4, 1, "Scenario", f.bold)
        sheet.write_string(4, 2, self.selected, f.selector)
        sheet.data_validation(
            4,
            2,
            4,
            2,
            {"validate": "list", "source": self.scenarios, "error_message": "Choose a scenario from the list"},
        )
        workbook.define_name(SELECTOR_NAME, "=Cover!$C$5")
        sheet.write_comment(4, 2, "Choose a scenario: every assumption switches to it and the workbook recalculates.")

        cell, _ = self.address("Cover")
        sheet.write_string(6, 1, "Verdict", f.bold)
        labels = ",".join(f'"{label}"' for label in VERDICT_LABELS)
        sheet.write_formula(6, 2, f"=CHOOSE({cell('verdict_code', 0)}+1,{labels})", f.verdict, self.shown.verdict.label)
        self.layout.formula_cells.append(FormulaCell("Cover", "C7", None, 0))

        rows = [
            ("Coverage test passed (1 = yes)", "verdict_coverage_passed"),
            ("Economic-profit test passed", "verdict_economic_profit_passed"),
            ("Cohort-NPV test passed", "verdict_cohort_npv_passed"),
            ("Materiality test passed", "verdict_materiality_passed"),
            *((metric.label, metric.row) for metric in HEADLINE_METRICS),
        ]
        position = 8
        for label, name in rows:
            position = self._cover_metric(sheet, position, label, name, cell)
        position += 1
        sheet.write_string(position, 1, "Cohort economics (one accelerator)", f.bold)
        position += 1
        for generation in self.shown.model.generations_used():
            for metric in COHORT_METRICS:
                key = Key(metric.row, generation=generation).id
                position = self._cover_metric(sheet, position, f"{generation}: {metric.label}", key, cell)
        self._charts(workbook, sheet)
        sheet.set_column(0, 0, 2)
        sheet.set_column(1, 1, 44)
        sheet.set_column(2, 2, 18)

    def _cover_metric(self, sheet, position: int, label: str, name: str, cell) -> int:
        row = self.graph.rows[name]
        sheet.write_string(position, 1, label)
        sheet.write_formula(
            position, 2, f"={cell(name, 0)}", self.formats.number_for(row.unit), float(self.shown.values[name][0, 0])
        )
        self.layout.formula_cells.append(FormulaCell("Cover", xl_rowcol_to_cell(position, 2), name, 0))
        return position + 1

    def _charts(self, workbook, sheet) -> None:
        """The registry's charts, stacked down the Cover beside the key figures."""
        periods = len(self.shown.periods)

        def series(name: str) -> list:
            sheet_name, position = self.layout.row_at[name]
            return [sheet_name, position, FIRST_VALUE_COLUMN, position, FIRST_VALUE_COLUMN + periods - 1]

        header_sheet, _ = self.layout.row_at["capex_ai"]
        header_row = _header_row_of(self.layout, header_sheet, "period")
        categories = [header_sheet, header_row, FIRST_VALUE_COLUMN, header_row, FIRST_VALUE_COLUMN + periods - 1]
        anchor = 4
        for chart in CHARTS:
            sheet.insert_chart(
                anchor, 4, self._chart(workbook, chart, categories, series), {"x_scale": 1.4, "y_scale": 1.1}
            )
            anchor += 19

    def _chart(self, workbook, chart: Chart, categories: list, series) -> object:
        kinds = {"column": "column", "line": "line", "dashed line": "line"}
        first = chart.series[0].style
        combined = workbook.add_chart({"type": kinds[first]})
        others = [s for s in chart.series if kinds[s.style] != kinds[first]]
        extra = workbook.add_chart({"type": kinds[others[0].style]}) if others else None
        for line in chart.series:
            target = combined if kinds[line.style] == kinds[first] else extra
            spec = {"name": line.label, "categories": categories, "values": series(line.row)}
            if line.style == "column":
                spec["fill"] = {"color": line.colour}
            else:
                spec["line"] = {"color": line.colour, "width": 2.25}
                if line.style == "dashed line":
                    spec["line"]["dash_type"] = "dash"
            target.add_series(spec)
        if extra is not None:
            combined.combine(extra)
        unit = self.shown.money if chart.unit == "money" else chart.unit
        excel_format = number_format(self.shown.money if chart.unit == "money" else chart.unit).excel
        combined.set_title({"name": chart.title})
        combined.set_y_axis({"name": unit, "num_format": excel_format})
        combined.set_legend({"position": "bottom"})
        return combined

    def _header(self, sheet, position: int, axis: str) -> None:
        f = self.formats
        labels = self.graph.axes[axis].labels
        title = {"period": "Period", "scalar": "Value"}.get(axis, f"{axis.removeprefix(COHORT_PREFIX)}: year of age")
        sheet.write_string(position, 0, title, f.header)
        sheet.write_string(position, 1, "unit", f.header)
        sheet.write_string(position, 2, "key", f.header)
        for column, label in enumerate(labels):
            sheet.write_string(position, FIRST_VALUE_COLUMN + column, label if axis != "scalar" else "value", f.header)


class _Formats:
    """Cell formats: blue inputs, number formats by unit."""

    def __init__(self, workbook) -> None:
        add = workbook.add_format
        self.title = add({"bold": True, "font_size": 14})
        self.note = add({"italic": True, "font_color": "#555555"})
        self.bold = add({"bold": True})
        self.unit = add({"font_color": "#555555"})
        self.key = add({"font_color": "#888888", "font_size": 8})
        self.header = add({"bold": True, "bottom": 1, "bg_color": "#E5E7EB", "align": "right"})
        self.selector = add({"bold": True, "bg_color": "#FEF3C7", "border": 1, "font_color": "#1D4ED8"})
        self.verdict = add({"bold": True, "font_size": 13})
        self._numbers: dict[tuple[str, bool], object] = {}
        self._workbook = workbook

    def number_for(self, unit: str):
        return self._format(unit, False)

    def input_for(self, unit: str):
        return self._format(unit, True)

    def _format(self, unit: str, is_input: bool):
        key = (number_format(unit).excel, is_input)
        if key not in self._numbers:
            spec = {"num_format": key[0]}
            if is_input:
                spec.update({"font_color": "#0000FF", "bg_color": "#F3F6FF"})
            self._numbers[key] = self._workbook.add_format(spec)
        return self._numbers[key]


def _provenance_text(model, path: str) -> str:
    provenance = model.source_of(path)
    lines = [f"Model field: {path}", f"Source: {provenance.source}" if provenance.source else "Source: not given"]
    if provenance.note:
        lines.append(f"Note: {provenance.note}")
    return "\n".join(lines)


def _widths(sheet, columns: int) -> None:
    sheet.set_column(0, 0, 52)
    sheet.set_column(1, 1, 16)
    sheet.set_column(2, 2, 28)
    sheet.set_column(FIRST_VALUE_COLUMN, FIRST_VALUE_COLUMN + max(columns, 1) - 1, 12)


def _page_setup(sheet, *, landscape: bool) -> None:
    if landscape:
        sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_columns(0, 0)
    sheet.set_footer("&L&A&RPage &P of &N")


def _axis_key(axis: str) -> str:
    return {"period": "0", "scalar": "2"}.get(axis, "1" + axis)


def _header_row_of(layout: WorkbookLayout, sheet: str, axis: str) -> int:
    for kind, entry, position in layout.sheets[sheet]:
        if kind == "header" and entry == axis:
            return position
    raise ExportError(f"no {axis} header on {sheet}")


def _quote(sheet: str) -> str:
    return f"'{sheet}'" if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", sheet) else sheet


_CELL_LIKE = re.compile(r"^[A-Za-z]{1,3}\d+$|^[Rr]\d*[Cc]\d*$")


def _defined_name(row: str, taken: set[str]) -> str:
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


def _check_same_structure(projections: Mapping[str, Projection]) -> None:
    difference = structure_difference({name: projection.graph for name, projection in projections.items()})
    if difference is not None:
        scenario, row = difference
        raise ExportError(
            f"scenario {scenario!r} changes the structure of the model, not only its values (first at line item "
            f"{row!r}), so it cannot be a column of the workbook's scenario table"
        )
