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
        labels = ",".join(f'"{label}"' for label in VERDICT_LABELS)
        sheet.write_formula(6, 2, f"=CHOOSE({cell('verdict_code', 0)}+1,{labels})", f.verdict, self.shown.verdict.label)
        self.layout.formula_cells.append(FormulaCell("Cover", "C7", None, 0))

        rows = [
            ("All checks read zero (1 = yes; see Checks)", "checks_all_pass"),
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
        header_row = header_row_of(self.layout, header_sheet, "period")
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
