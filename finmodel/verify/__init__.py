"""Independent proof that an exported workbook recomputes to the engine: LibreOffice recalculates
it, every formula cell is compared. Nothing here exports; it reads what the exporters wrote."""

from .._errors import RecalcError
from ._check import WorkbookCheck, check_models, count_cells, select_scenario
from ._libreoffice import Mismatch, compare, find_soffice, recalculate, recalculated_values

__all__ = [
    "Mismatch",
    "RecalcError",
    "WorkbookCheck",
    "check_models",
    "compare",
    "count_cells",
    "find_soffice",
    "recalculate",
    "recalculated_values",
    "select_scenario",
]
