"""The line items, one module per schedule. Each block reads the shared :class:`Context` and adds
its rows; the order below is the order rows are defined (and shown within a schedule).

Adding a line item means editing one block and, if it is shown, one entry of
:mod:`finmodel.engine.presentation`.
"""

from __future__ import annotations

from .._inputs import Assumptions
from .._ir import Graph
from .._limits import within_excel_limits
from . import (
    backlog,
    capex,
    checks,
    clearing,
    cohorts,
    depreciation,
    economics,
    fleet,
    internal_demand,
    leasing,
    opening,
    pnl,
    ppe,
    reconciliation,
    revenue,
    summary,
    verdict,
)
from ._context import Context

BLOCKS = (
    capex,
    opening,
    fleet,
    internal_demand,
    depreciation,
    revenue,
    backlog,
    clearing,
    pnl,
    ppe,
    leasing,
    economics,
    cohorts,
    summary,
    verdict,
    reconciliation,
    checks,
)


def define(assumptions: Assumptions) -> Graph:
    """The graph of all line items of a model, inputs included."""
    context = Context(assumptions)
    for block in BLOCKS:
        block.define(context)
    return within_excel_limits(context.graph)
