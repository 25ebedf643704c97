"""The Cover: scenario selector, the verdict, key figures and the registry's charts."""

from __future__ import annotations

from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from ...engine import CellAddress, Graph, Key, Projection, RangeAddress
from ...engine.presentation import (
    CHARTS,
    COHORT_METRICS,
    HEADLINE_METRICS,
    VERDICT_LABELS,
    VERDICT_TESTS,
    VERDICT_WORDS,
    Chart,
    number_format,
)
from ._layout import FIRST_VALUE_COLUMN, SELECTOR_NAME, FormulaCell, WorkbookLayout, header_row_of
from ._style import Formats


class CoverWriter:
    """The Cover sheet, written after the schedules so its formulas can point at them."""

    formats: Formats
    shown: Projection
    graph: Graph
    layout: WorkbookLayout
    selected: str
    scenarios: list[str]
    projections: dict[str, Projection]
    compared: dict[str, Projection]

    def address(self, from_sheet: str) -> tuple[CellAddress, RangeAddress]:
        raise NotImplementedError

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
        words = ",".join(f'"{VERDICT_WORDS[label]}"' for label in VERDICT_LABELS)
        verdict = VERDICT_WORDS[self.shown.verdict.label]
        sheet.write_formula(6, 2, f"=CHOOSE({cell('verdict_code', 0)}+1,{words})", f.verdict, verdict)
        self.layout.formula_cells.append(FormulaCell("Cover", "C7", None, 0))
        position = self._cover_metric(sheet, 7, "All checks read zero (1 = yes; see Checks)", "checks_all_pass", cell)
        position = self._tests(sheet, position + 1, cell)
        sheet.write_string(position, 1, "Key metrics", f.bold)
        for metric in HEADLINE_METRICS:
            position = self._cover_metric(sheet, position + 1, metric.label, metric.row, cell) - 1
        position = self._cohort_grid(sheet, position + 3, cell)
        self._scenario_table(sheet, position + 2)
        self._charts(workbook, sheet)
        sheet.set_column(0, 0, 2)
        sheet.set_column(1, 1, 44)
        sheet.set_column(2, 2, 16)
        widest_name = max(map(len, self.compared))
        sheet.set_column(
            3, 2 + max(4, len(self.shown.model.generations_used()), len(self.compared)), max(12, widest_name + 2)
        )

    def _tests(self, sheet, position: int, cell) -> int:
        """Each test of the verdict: its value, threshold, margin (value − threshold) and result."""
        f = self.formats
        for column, title in enumerate(("Test", "Value", "Threshold", "Margin", "Result")):
            sheet.write_string(position, 1 + column, title, f.header)
        reasons = {reason.test: reason for reason in self.shown.verdict.reasons}
        for spec in VERDICT_TESTS:
            position += 1
            reason = reasons[spec.test]
            unit = self.shown.money if spec.unit == "money" else spec.unit
            number = self.formats.number_for(unit)
            sheet.write_string(position, 1, spec.title)
            sheet.write_comment(position, 1, spec.measure)
            row = position + 1
            for column, name, value in (
                (2, spec.value_row, reason.value),
                (3, spec.threshold_row, reason.threshold),
            ):
                sheet.write_formula(position, column, f"={cell(name, 0)}", number, value)
                self.layout.formula_cells.append(FormulaCell("Cover", xl_rowcol_to_cell(position, column), name, 0))
            sheet.write_formula(position, 4, f"=C{row}-D{row}", number, reason.margin)
            self.layout.formula_cells.append(FormulaCell("Cover", f"E{row}", None, 0, spec.test, "margin"))
            sheet.write_formula(
                position,
                5,
                f'=IF({cell(spec.flag_row, 0)}=1,"PASS","FAIL")',
                f.bold,
                "PASS" if reason.passed else "FAIL",
            )
            self.layout.formula_cells.append(FormulaCell("Cover", f"F{row}", None, 0, spec.test, "result"))
        return position + 2

    def _cohort_grid(self, sheet, position: int, cell) -> int:
        """Unit economics of one accelerator: a metric × generation grid."""
        f = self.formats
        generations = self.shown.model.generations_used()
        sheet.write_string(position, 1, "Cohort economics (one accelerator)", f.header)
        for column, generation in enumerate(generations):
            sheet.write_string(position, 2 + column, generation, f.header)
        for metric in COHORT_METRICS:
            position += 1
            sheet.write_string(position, 1, metric.label)
            for column, generation in enumerate(generations):
                key = Key(metric.row, generation=generation).id
                unit = self.graph.rows[key].unit
                sheet.write_formula(
                    position,
                    2 + column,
                    f"={cell(key, 0)}",
                    self.formats.number_for(unit),
                    float(self.shown.values[key][0, 0]),
                )
                self.layout.formula_cells.append(FormulaCell("Cover", xl_rowcol_to_cell(position, 2 + column), key, 0))
        return position + 1

    def _scenario_table(self, sheet, position: int) -> None:
        """Every scenario side by side: values computed by finmodel for each, not formulas, so a
        structural scenario (projected on its own graph) sits beside the live ones."""
        f = self.formats
        names = list(self.compared)
        sheet.write_string(position, 1, "Scenarios side by side (values)", f.header)
        for column, name in enumerate(names):
            title = name if name in self.projections else f"{name} (structural)"
            sheet.write_string(position, 2 + column, title, f.header)
        position += 1
        sheet.write_string(position, 1, "Verdict")
        for column, name in enumerate(names):
            label = self.compared[name].verdict.label
            sheet.write_string(position, 2 + column, label[:1].upper() + label[1:], f.bold_right)
        for spec in VERDICT_TESTS:
            position += 1
            sheet.write_string(position, 1, f"{spec.title} ({spec.comparison} threshold)")
            unit = self.shown.money if spec.unit == "money" else spec.unit
            for column, name in enumerate(names):
                reason = next(r for r in self.compared[name].verdict.reasons if r.test == spec.test)
                sheet.write_number(position, 2 + column, reason.value, f.number_for(unit))
        tested = {spec.value_row for spec in VERDICT_TESTS}
        for metric in (metric for metric in HEADLINE_METRICS if metric.row not in tested):
            position += 1
            sheet.write_string(position, 1, metric.label)
            number = f.number_for(self.graph.rows[metric.row].unit)
            for column, name in enumerate(names):
                sheet.write_number(position, 2 + column, self.compared[name].metrics[metric.row], number)
        for offset, note in enumerate(
            (
                "Computed by finmodel for each scenario and written as values. The selector above switches every",
                "formula to any scenario not marked structural; a structural one changes the model's shape",
                "(a physical life, the generations bought) and is projected on its own graph.",
            ),
            start=1,
        ):
            sheet.write_string(position + offset, 1, note, f.note)

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
        header_row = header_row_of(self.layout, header_sheet, "period")
        categories = [header_sheet, header_row, FIRST_VALUE_COLUMN, header_row, FIRST_VALUE_COLUMN + periods - 1]
        anchor, column = 4, max(6, 2 + len(self.shown.model.generations_used()), 2 + len(self.compared)) + 1
        for chart in CHARTS:
            sheet.insert_chart(
                anchor, column, self._chart(workbook, chart, categories, series), {"x_scale": 1.4, "y_scale": 1.1}
            )
            anchor += 19

    def _chart(self, workbook, chart: Chart, categories: list, series) -> object:
        kinds = {"column": "column", "line": "line", "dashed line": "line"}
        first = chart.series[0].style
        combined = workbook.add_chart({"type": kinds[first]})
        others = [s for s in chart.series if kinds[s.style] != kinds[first]]
        extra = workbook.add_chart({"type": kinds[others[0].style]}) if others else None
        for line in chart.series:
            target = combined if kinds[line.style] == kinds[first] or extra is None else extra
            spec: dict[str, Any] = {"name": line.label, "categories": categories, "values": series(line.row)}
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
        # Axis ticks are round numbers: money without decimals, other units as the registry writes them.
        excel_format = "#,##0" if chart.unit == "money" else number_format(chart.unit).excel
        combined.set_title({"name": chart.title})
        combined.set_y_axis({"name": unit, "num_format": excel_format})
        combined.set_legend({"position": "bottom"})
        return combined
