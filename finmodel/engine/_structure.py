"""Whether two graphs have the same structure: the same rows with the same formulas, so that one
workbook can switch between them by changing input values alone."""

from __future__ import annotations

from collections.abc import Mapping

from ._excel import formula
from ._ir import Graph


def structure_difference(graphs: Mapping[str, Graph]) -> tuple[str, str] | None:
    """The first ``(name, row)`` whose definition differs from the first graph's, or ``None``."""
    base_name, base = next(iter(graphs.items()))
    reference = row_shapes(base)
    for name, other in graphs.items():
        if name == base_name:
            continue
        shape = row_shapes(other)
        for row in [*reference, *shape]:
            if reference.get(row) != shape.get(row):
                return name, row
    return None


def row_shapes(graph: Graph) -> dict[str, str]:
    """Each row's definition as text: formulas with placeholder addresses, or its input axis."""

    def cell(name: str, column: int) -> str:
        return f"{name}@{0 if graph.rows[name].axis == 'scalar' else column}"

    def cell_range(name: str, first: int, last: int) -> str:
        return f"{name}@{first}:{last}"

    shape = {}
    for name, row in graph.rows.items():
        if row.kind == "input":
            shape[name] = f"input:{row.axis}"
        else:
            shape[name] = "|".join(
                formula(row.expr_at(c), c, cell, cell_range) for c in range(graph.axes[row.axis].size)
            )
    return shape
