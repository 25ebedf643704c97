"""Evaluate a :class:`~finmodel.engine._ir.Graph` with numpy over ``(draws, columns)`` arrays.

Rows that do not read their own past are evaluated as whole arrays (all draws, all columns
at once). Recurrences (a row reading an earlier column of itself, directly or through other
rows) are stepped column by column, still vectorised over draws.

A row that no varied input reaches is the same in every draw, so it is computed once, with
shape ``(1, columns)``, and broadcast when read: memory and time grow with the varied part only.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ._ir import Const, Expr, Graph, Irr, Npv, Op, PerColumn, Ref, RowSum
from ._irr import irr_by_draw
from ._order import evaluation_order, is_recurrence

Array = np.ndarray


def evaluate(graph: Graph, inputs: Mapping[str, Array], draws: int) -> dict[str, Array]:
    """Values of every row, each an array of shape ``(draws, columns of its axis)``, or
    ``(1, columns)`` where no input that varies by draw reaches the row.

    ``inputs`` maps every input row to an array broadcastable to ``(draws, columns)``.
    """
    values: dict[str, Array] = {}
    for name, row in graph.rows.items():
        if row.kind == "input":
            if name not in inputs:
                raise KeyError(f"no value for input {name!r}")
            array = np.asarray(inputs[name], dtype=float)
            leading = draws if array.ndim == 2 and array.shape[0] == draws else 1
            values[name] = np.broadcast_to(array, (leading, graph.size(name)))
    evaluator = _Evaluator(graph, values, draws)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for component in evaluation_order(graph):
            if graph.rows[component[0]].kind == "input":
                continue
            if is_recurrence(graph, component):
                evaluator.step(component)
            else:
                evaluator.whole(component[0])
    return values


def _leading(*parts: Array) -> int:
    """1 if every part is the same in all draws, else the number of draws."""
    return max((np.shape(part)[0] for part in parts if np.ndim(part) > 0), default=1)


class _Evaluator:
    def __init__(self, graph: Graph, values: dict[str, Array], draws: int) -> None:
        self.graph = graph
        self.values = values
        self.draws = draws
        self.scalars = {name for name, row in graph.rows.items() if row.axis == "scalar"}

    def whole(self, name: str) -> None:
        row = self.graph.rows[name]
        size = self.graph.size(name)
        if row.per_column is not None:
            cells = [self.cell(expr, column) for column, expr in enumerate(row.per_column)]
            result = np.empty((_leading(*cells), size))
            for column, value in enumerate(cells):
                result[:, column] = value
        else:
            assert row.expr is not None
            array = np.atleast_2d(self.array(row.expr, size))
            result = np.broadcast_to(array, (array.shape[0], size)).astype(float)
        self.values[name] = result

    def step(self, component: list[str]) -> None:
        size = self.graph.size(component[0])
        members = set(component)
        outside = [
            self.values[dep]
            for name in component
            for dep, _ in self.graph.dependencies(self.graph.rows[name])
            if dep not in members
        ]
        leading = _leading(*outside)
        for name in component:
            if self.graph.size(name) != size:
                raise ValueError(f"recurrence {component} spans axes of different length")
            self.values[name] = np.full((leading, size), np.nan)
        for column in range(size):
            for name in component:
                self.values[name][:, column] = self.cell(self.graph.rows[name].expr_at(column), column)

    def array(self, expr: Expr, size: int) -> Array:
        """Evaluate ``expr`` for all columns of an axis of ``size`` columns at once."""
        if isinstance(expr, Const):
            return np.full((1, size), expr.value)
        if isinstance(expr, PerColumn):
            return np.asarray(expr.values, dtype=float)[None, :]
        if isinstance(expr, Ref):
            source = self.values[expr.row]
            if expr.row in self.scalars:
                return source
            if expr.at is not None:
                return source[:, expr.at : expr.at + 1]
            if expr.lag == 0:
                return source
            shifted = np.full_like(source, expr.fill)
            shifted[:, expr.lag :] = source[:, : -expr.lag]
            return shifted
        if isinstance(expr, Op):
            return _apply(expr.op, [self.array(arg, size) for arg in expr.args])
        return self._summary(expr)

    def cell(self, expr: Expr, column: int) -> Array:
        """Evaluate ``expr`` for one column; returns shape ``(draws,)``, ``(1,)`` or a scalar."""
        if isinstance(expr, Const):
            return np.asarray(expr.value)
        if isinstance(expr, PerColumn):
            return np.asarray(expr.values[column])
        if isinstance(expr, Ref):
            source = self.values[expr.row]
            if expr.row in self.scalars:
                return source[:, 0]
            if expr.at is not None:
                return source[:, expr.at]
            if column - expr.lag < 0:
                return np.asarray(expr.fill)
            return source[:, column - expr.lag]
        if isinstance(expr, Op):
            return _apply(expr.op, [self.cell(arg, column) for arg in expr.args])
        return self._summary(expr)[:, 0]

    def _summary(self, expr: Expr) -> Array:
        if isinstance(expr, RowSum):
            return self.values[expr.row][:, expr.first : expr.last + 1].sum(axis=1, keepdims=True)
        if isinstance(expr, Npv):
            flows = self.values[expr.row][:, expr.first : expr.last + 1]
            rate = np.atleast_1d(self.cell(expr.rate, 0))
            return excel_npv(rate, flows)[:, None]
        if isinstance(expr, Irr):
            return irr_by_draw(self.values[expr.row][:, expr.first : expr.last + 1])[:, None]
        raise TypeError(f"unknown expression node {type(expr).__name__}")


def excel_npv(rate: Array, flows: Array) -> Array:
    """Excel's ``NPV``: the first flow is discounted one period. Vectorised over draws."""
    periods = np.arange(1, flows.shape[1] + 1)
    return (flows / (1.0 + rate[:, None]) ** periods).sum(axis=1)


def _apply(op: str, args: list[Array]) -> Array:
    match op:
        case "+":
            return args[0] + args[1]
        case "-":
            return args[0] - args[1]
        case "*":
            return args[0] * args[1]
        case "/":
            return args[0] / args[1]
        case "^":
            return np.power(args[0], args[1])
        case "neg":
            return -args[0]
        case "<":
            return args[0] < args[1]
        case "<=":
            return args[0] <= args[1]
        case ">":
            return args[0] > args[1]
        case ">=":
            return args[0] >= args[1]
        case "=":
            return args[0] == args[1]
        case "min":
            return np.minimum.reduce(np.broadcast_arrays(*args))
        case "max":
            return np.maximum.reduce(np.broadcast_arrays(*args))
        case "sum":
            return sum(args[1:], args[0])
        case "and":
            return np.logical_and.reduce(np.broadcast_arrays(*args))
        case "or":
            return np.logical_or.reduce(np.broadcast_arrays(*args))
        case "if":
            return np.where(args[0], args[1], args[2])
        case "round":
            scale = 10.0 ** args[1]
            return np.sign(args[0]) * np.floor(np.abs(args[0]) * scale + 0.5) / scale
    raise ValueError(f"unknown operator {op!r}")
