"""Refuse projections holding NaN or infinities, naming where they are and the inputs behind them.

Schema bounds keep ordinary inputs sane, but extreme combinations of valid inputs (a cost that
shrinks for decades, then divides a budget) can still overflow. Such values would reach the
JSON as null, the CSV as ``nan`` and the workbook as errors, so nothing is written instead. The one
exception is an IRR that does not exist (NaN by design: JSON ``null``, the workbook's "no IRR").
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ._errors import FinmodelError
from .engine import Projection

ROWS_NAMED = 3
INPUTS_NAMED = 8


def refuse_non_finite(projections: Mapping[str, Projection]) -> None:
    """Raise :class:`FinmodelError` if any scenario's projection has a value that is not a finite number."""
    reports = [report for name, projection in projections.items() if (report := _report(name, projection))]
    if reports:
        raise FinmodelError("no outputs can be written: " + "\n".join(reports))


def _report(scenario: str, projection: Projection) -> str | None:
    graph = projection.graph
    found: list[tuple[str, list[str]]] = []
    for name, row in graph.rows.items():
        values = projection.values[name]
        bad = ~(np.isfinite(values) | (np.isnan(values) & row.may_have_no_value)).all(axis=0)
        if bad.any():
            labels = [label for label, is_bad in zip(graph.axes[row.axis].labels, bad, strict=True) if is_bad]
            found.append((name, labels if row.axis == "period" else []))
    if not found:
        return None
    named = "; ".join(f"{name} in {', '.join(labels)}" if labels else name for name, labels in found[:ROWS_NAMED])
    more = f"; and {len(found) - ROWS_NAMED} more line items" if len(found) > ROWS_NAMED else ""
    first = found[0][0]
    inputs = _inputs_feeding(projection, first)
    listed = ", ".join(inputs[:INPUTS_NAMED]) + (", ..." if len(inputs) > INPUTS_NAMED else "")
    return (
        f"scenario {scenario!r} has values that are not finite numbers (an overflow, or a division by almost zero): "
        f"{named}{more}. {first} is computed from {listed}: look for extreme values there"
    )


def _inputs_feeding(projection: Projection, name: str) -> list[str]:
    """Model paths of the inputs a row is computed from, directly or through other rows, in model order."""
    graph = projection.graph
    seen, pending = {name}, [name]
    while pending:
        for dependency, _ in graph.dependencies(graph.rows[pending.pop()]):
            if dependency not in seen:
                seen.add(dependency)
                pending.append(dependency)
    paths = [
        projection.assumptions.rows[row].path or row
        for row in graph.rows
        if row in seen and graph.rows[row].kind == "input"
    ]
    return list(dict.fromkeys(paths))
