"""Exporters: turn a projection into files. They present; they never compute."""

from ._atomic import Writer, write_all
from ._pdf import NO_CHROMIUM, find_chromium, print_pdf
from ._simulation import write_draws_parquet, write_simulation_json
from ._tables import projection_document, write_csv, write_json
from .memo import write_comparison, write_memo
from .workbook import WorkbookLayout, write_workbook

__all__ = [
    "NO_CHROMIUM",
    "WorkbookLayout",
    "Writer",
    "find_chromium",
    "print_pdf",
    "projection_document",
    "write_all",
    "write_comparison",
    "write_csv",
    "write_draws_parquet",
    "write_json",
    "write_memo",
    "write_simulation_json",
    "write_workbook",
]
