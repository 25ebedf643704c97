"""Exporters: turn a projection into files. They present; they never compute."""

from ._atomic import write_all
from ._tables import projection_document, write_csv, write_json
from ._workbook import WorkbookLayout, write_workbook
from .memo import write_comparison, write_memo

__all__ = [
    "WorkbookLayout",
    "projection_document",
    "write_all",
    "write_comparison",
    "write_csv",
    "write_json",
    "write_memo",
    "write_workbook",
]
