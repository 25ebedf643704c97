"""The engine: line items as one expression graph, evaluated with numpy (pure, no I/O).

Exporters use what is exported here — the result, its graph, the Excel printer and the
presentation registry — never the private modules.
"""

from . import presentation
from ._catalogue import InputSpec
from ._cluster import ClusterBuild, rail_optimized_switch_count
from ._excel import CellAddress, RangeAddress, beyond_excel_limits, formula
from ._inputs import COHORT_PREFIX, Assumption, Assumptions
from ._ir import Graph, Row
from ._keys import Key
from ._projection import Projection, ScenarioProjections, inputs, project, project_all_scenarios
from ._structure import row_shapes, structure_difference
from .blocks.reconciliation import Reconciled
from .blocks.verdict import Reason, Verdict

__all__ = [
    "COHORT_PREFIX",
    "Assumption",
    "Assumptions",
    "CellAddress",
    "ClusterBuild",
    "Graph",
    "InputSpec",
    "Key",
    "Projection",
    "RangeAddress",
    "Reason",
    "Reconciled",
    "Row",
    "ScenarioProjections",
    "Verdict",
    "beyond_excel_limits",
    "formula",
    "inputs",
    "presentation",
    "project",
    "project_all_scenarios",
    "rail_optimized_switch_count",
    "row_shapes",
    "structure_difference",
]
