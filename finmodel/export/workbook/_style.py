"""Cell formats, column widths, page setup and the provenance comments of input cells."""

from __future__ import annotations

from ...engine.presentation import (
    number_format,
)
from ._layout import FIRST_VALUE_COLUMN


class Formats:
    """Cell formats: blue inputs, number formats by unit."""

    def __init__(self, workbook) -> None:
        add = workbook.add_format
        self.title = add({"bold": True, "font_size": 14})
        self.note = add({"italic": True, "font_color": "#555555"})
        self.bold = add({"bold": True})
        self.bold_right = add({"bold": True, "align": "right"})
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


def provenance_text(model, path: str) -> str:
    provenance = model.source_of(path)
    lines = [f"Model field: {path}", f"Source: {provenance.source}" if provenance.source else "Source: not given"]
    if provenance.note:
        lines.append(f"Note: {provenance.note}")
    return "\n".join(lines)


LABEL_WIDTH = (52, 110)
"""The label column's width in characters: at least the first, wide enough for the longest label
(bold text is ~10% wider) up to the second, so labels print whole."""


def set_widths(sheet, columns: int, longest_label: int = 0) -> None:
    sheet.set_column(0, 0, min(max(LABEL_WIDTH[0], round(longest_label * 1.1) + 1), LABEL_WIDTH[1]))
    sheet.set_column(1, 1, 16)
    sheet.set_column(2, 2, 28)
    sheet.set_column(FIRST_VALUE_COLUMN, FIRST_VALUE_COLUMN + max(columns, 1) - 1, 12)


def page_setup(sheet, *, landscape: bool) -> None:
    if landscape:
        sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_columns(0, 0)
    sheet.set_footer("&L&A&RPage &P of &N")
