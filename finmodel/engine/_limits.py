"""Keep every formula within Excel's limits, whatever the length of the timeline.

Excel refuses a formula of more than 8,192 characters and functions nested more than 64 deep (the
printer already nests a list of more than 255 arguments). A sum over a model's vintages grows with
its timeline, so once the blocks have defined a graph, :func:`within_excel_limits` measures each
cell's formula — an upper bound, every address taken as long as a sheet-qualified cell or as the name
a workbook could give the row — and moves parts of any formula that would not fit into helper rows
(``<row>:part1``, ``<row>:part2``...) placed just before its row. A long list of a sum, minimum,
maximum, AND or OR is cut into groups, each in a helper cell; otherwise the largest arguments move
out. Both backends read the helper rows as any other, so the engine's values and the workbook's
formulas still come from one definition; a graph whose formulas all fit is returned unchanged.
"""

from __future__ import annotations

import math
from dataclasses import replace
from functools import lru_cache

from ._excel import FUNCTIONS, MAX_ARGUMENTS, number
from ._ir import Const, Expr, Graph, Irr, Npv, Op, PerColumn, Ref, Row, RowSum, if_
from ._ranges import Extreme, SumProduct

ADDRESS_CHARS = 30
"""The longest cell address a formula holds (``'Leasing economics'!ABC12345`` is 27 characters); a
row's defined name is taken as its name and 4 characters."""
TARGET_CHARS = 7500
"""Formulas are cut below this many characters (an upper bound, the leading ``=`` aside), inside Excel's 8,192."""
TARGET_NESTING = 48
"""Functions are nested at most this deep, well inside Excel's 64."""
_GROUPED = {"sum", "min", "max", "and", "or"}
_TRUTH = {"<", "<=", ">", ">=", "=", "and", "or"}


def within_excel_limits(graph: Graph) -> Graph:
    """``graph`` with every formula that would not fit cut into helper rows (the same graph if all fit)."""
    rows: dict[str, Row] = {}
    changed = False
    for name, row in graph.rows.items():
        if row.kind == "calc":
            cells = [row.expr_at(0)] if row.per_column is None else list(row.per_column)
            if not all(_fits(*size(cell)) for cell in cells):
                single = row.per_column is None
                splitter = _Splitter(row, graph.axes[row.axis].size)
                fitted = [splitter.fit(cell, None if single else slot) for slot, cell in enumerate(cells)]
                rows.update((part.name, part) for part in splitter.parts())
                row = replace(row, expr=fitted[0]) if single else replace(row, per_column=tuple(fitted))
                changed = True
        rows[name] = row
    return Graph(dict(graph.axes), rows) if changed else graph


def size(expr: Expr) -> tuple[int, int]:
    """An upper bound on the characters of ``expr``'s formula, and how deep its functions nest.

    Every node of a graph is measured once per definition, so the common nodes are tested first.
    """
    if isinstance(expr, Op) and type(expr) is Op:
        chars = depth = 0
        for arg in expr.args:
            arg_chars, arg_depth = size(arg)
            chars += arg_chars
            if arg_depth > depth:
                depth = arg_depth
        return _with_operator(expr, chars, depth)
    if isinstance(expr, Ref):
        return max(ADDRESS_CHARS, len(expr.row) + 4), 0
    if isinstance(expr, Const):
        return _literal(expr.value), 0
    if isinstance(expr, PerColumn):
        return max(map(_literal, expr.values)), 0
    if isinstance(expr, RowSum | Extreme):
        return 6 + 2 * ADDRESS_CHARS, 1
    if isinstance(expr, SumProduct):
        return 12 + len(expr.factors) * (2 * ADDRESS_CHARS + 2), 1
    if isinstance(expr, Npv):
        rate, depth = size(expr.rate)
        return 7 + rate + 2 * ADDRESS_CHARS, depth + 1
    if isinstance(expr, Irr):
        return 40 + 8 * ADDRESS_CHARS, 3
    raise TypeError(f"unknown expression node {type(expr).__name__}")


def _with_operator(expr: Op, chars: int, depth: int) -> tuple[int, int]:
    """The size of an operator or function applied to arguments of ``chars`` characters in all."""
    if expr.op not in FUNCTIONS:
        return chars + len(expr.op) + 4, depth
    count, name = len(expr.args), FUNCTIONS[expr.op]
    chars += count + len(name) + 2
    depth += 1
    while count > MAX_ARGUMENTS:  # the printer nests a longer list
        count = math.ceil(count / MAX_ARGUMENTS)
        chars += count * (len(name) + 3)
        depth += 1
    return chars, depth


def _fits(chars: int, depth: int) -> bool:
    return chars <= TARGET_CHARS and depth <= TARGET_NESTING


@lru_cache(maxsize=4096)
def _literal(value: float) -> int:
    return len(number(value)) + (2 if value < 0 else 0)


class _Splitter:
    """Cuts the formulas of one row, collecting the helper rows their parts move to."""

    def __init__(self, row: Row, columns: int) -> None:
        self.row = row
        self.columns = columns
        self.sizes: dict[int, tuple[Expr, int, int]] = {}
        """Sizes of the nodes measured while cutting (each kept, so that its id stays its own)."""
        self.slots: list[dict[int | None, Expr]] = []
        """Per helper row, its expression in each column (``None``: one expression for every column)."""
        self.moved: dict[tuple[int, int | None], Ref] = {}

    def fit(self, expr: Expr, slot: int | None) -> Expr:
        """``expr`` with parts moved to helper cells of ``slot`` until its formula fits."""
        if self.fits(expr) or not isinstance(expr, Op) or isinstance(expr, Extreme | SumProduct):
            return expr
        args = [self.fit(arg, slot) for arg in expr.args]
        if expr.op in _GROUPED:
            grouped = self._grouped(expr.op, args, slot)
            if grouped is not None:
                return grouped
        fitted = Op(expr.op, tuple(args))
        while not self.fits(fitted):
            movable = [index for index, arg in enumerate(args) if not isinstance(arg, Ref | Const)]
            if not movable:
                break
            too_long = self.measured(fitted)[0] > TARGET_CHARS
            largest = max(movable, key=lambda index: self.measured(args[index])[0 if too_long else 1])
            args[largest] = self.move(args[largest], slot)
            fitted = Op(expr.op, tuple(args))
        return fitted

    def fits(self, expr: Expr) -> bool:
        return _fits(*self.measured(expr))

    def measured(self, expr: Expr) -> tuple[int, int]:
        """:func:`size`, remembered: cutting a formula measures its parts again and again."""
        found = self.sizes.get(id(expr))
        if found is None:
            if isinstance(expr, Op) and not isinstance(expr, Extreme | SumProduct):
                parts = [self.measured(arg) for arg in expr.args]
                chars, depth = _with_operator(expr, sum(c for c, _ in parts), max((d for _, d in parts), default=0))
            else:
                chars, depth = size(expr)
            found = self.sizes[id(expr)] = (expr, chars, depth)
        return found[1], found[2]

    def _grouped(self, op: str, args: list[Expr], slot: int | None) -> Expr | None:
        """``op`` over ``args`` as ``op`` over groups that fit, each moved to a helper cell (``None``
        when grouping cannot help: the list fits in one group, or each argument needs one of its own)."""
        groups: list[list[Expr]] = [[]]
        chars = 0
        for arg in args:
            arg_chars = self.measured(arg)[0] + 1
            if groups[-1] and chars + arg_chars > TARGET_CHARS - 20:
                groups.append([])
                chars = 0
            groups[-1].append(arg)
            chars += arg_chars
        if len(groups) in (1, len(args)):
            return None
        parts = [self.move(Op(op, tuple(group)), slot) if len(group) > 1 else group[0] for group in groups]
        return self.fit(Op(op, tuple(parts)), slot)

    def move(self, expr: Expr, slot: int | None) -> Ref:
        """A helper cell holding ``expr`` (a condition as 1 or 0, which Excel and numpy read alike)."""
        key = (id(expr), slot)
        if key not in self.moved:
            held = if_(expr, 1, 0) if isinstance(expr, Op) and expr.op in _TRUTH else expr
            index = next((i for i, cells in enumerate(self.slots) if slot not in cells), len(self.slots))
            if index == len(self.slots):
                self.slots.append({})
            self.slots[index][slot] = held
            self.moved[key] = Ref(self._name(index))
        return self.moved[key]

    def _name(self, index: int) -> str:
        return f"{self.row.name}:part{index + 1}"

    def parts(self) -> list[Row]:
        """The helper rows, in the order they were first used."""
        rows = []
        for index, cells in enumerate(self.slots):
            expr = cells.get(None)
            per_column = None if expr is not None else tuple(cells.get(c, Const(0.0)) for c in range(self.columns))
            label = f"{self.row.label}: part {index + 1} of its formula"
            row = self.row
            rows.append(Row(self._name(index), row.axis, "calc", expr, label, row.unit, row.group, per_column))
        return rows
