"""The Excel workbook of live formulas."""

from ._layout import FormulaCell, WorkbookLayout
from ._writer import write_workbook

__all__ = ["FormulaCell", "WorkbookLayout", "write_workbook"]
