"""The engine: line items as one expression graph, evaluated with numpy (pure, no I/O)."""

from ._cluster import ClusterBuild, rail_optimized_switch_count
from ._projection import Projection, Reason, Verdict, judge, project

__all__ = ["ClusterBuild", "Projection", "Reason", "Verdict", "judge", "project", "rail_optimized_switch_count"]
