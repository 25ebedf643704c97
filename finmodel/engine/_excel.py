"""Print :mod:`~finmodel.engine._ir` expressions as Excel formulas.

Addresses are bound late: the caller supplies a function that places a row's column in the
workbook. Only classic functions are emitted (arithmetic, ``SUM``, ``MIN``, ``MAX``, ``IF``,
``AND``, ``OR``, ``ROUND``, ``NPV``, ``IRR``, ``IFERROR``), which Excel, LibreOffice and ``formulas``
evaluate alike.
"""

from __future__ import annotations

from collections.abc import Callable

from ._ir import Const, Expr, Irr, Npv, Op, PerColumn, Ref, RowSum
from .presentation import NO_IRR

CellAddress = Callable[[str, int], str]
RangeAddress = Callable[[str, int, int], str]

_FUNCTIONS = {"min": "MIN", "max": "MAX", "sum": "SUM", "and": "AND", "or": "OR", "if": "IF", "round": "ROUND"}
_ASSOCIATIVE = {"SUM", "MIN", "MAX", "AND", "OR"}
MAX_ARGUMENTS = 255
_PRECEDENCE = {"=": 1, "<": 1, "<=": 1, ">": 1, ">=": 1, "+": 2, "-": 2, "*": 3, "/": 3, "^": 4}


def formula(expr: Expr, column: int, cell: CellAddress, cell_range: RangeAddress) -> str:
    """The formula (with its leading ``=``) for ``expr`` in ``column``."""
    return "=" + _Printer(cell, cell_range).text(expr, column)


def number(value: float) -> str:
    """A number as Excel formula text: shortest round-tripping form, no exponent surprises."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


class _Printer:
    def __init__(self, cell: CellAddress, cell_range: RangeAddress) -> None:
        self.cell = cell
        self.cell_range = cell_range

    def text(self, expr: Expr, column: int) -> str:
        if isinstance(expr, Const):
            return self._literal(expr.value)
        if isinstance(expr, PerColumn):
            return self._literal(expr.values[column])
        if isinstance(expr, Ref):
            if expr.at is not None:
                return self.cell(expr.row, expr.at)
            if column - expr.lag < 0:
                return self._literal(expr.fill)
            return self.cell(expr.row, column - expr.lag)
        if isinstance(expr, RowSum):
            return f"SUM({self.cell_range(expr.row, expr.first, expr.last)})"
        if isinstance(expr, Npv):
            rate = self.text(expr.rate, column)
            return f"NPV({rate},{self.cell_range(expr.row, expr.first, expr.last)})"
        if isinstance(expr, Irr):
            # Excel and LibreOffice iterate from a guess of 10% and can miss a deeply negative root that
            # numpy-financial finds; a second start at -50% catches it before the text "no IRR" (NaN in the engine).
            flows = self.cell_range(expr.row, expr.first, expr.last)
            return f'IFERROR(IRR({flows}),IFERROR(IRR({flows},-0.5),"{NO_IRR}"))'
        if isinstance(expr, Op):
            return self._op(expr, column)
        raise TypeError(f"unknown expression node {type(expr).__name__}")

    def _call(self, function: str, arguments: list[str]) -> str:
        """``F(a,b,...)``, nesting associative functions when Excel's 255-argument limit would be passed."""
        if len(arguments) > MAX_ARGUMENTS and function in _ASSOCIATIVE:
            groups = [arguments[i : i + MAX_ARGUMENTS] for i in range(0, len(arguments), MAX_ARGUMENTS)]
            return self._call(function, [self._call(function, group) for group in groups])
        return f"{function}({','.join(arguments)})"

    def _literal(self, value: float) -> str:
        text = number(value)
        return f"({text})" if value < 0 else text

    def _op(self, expr: Op, column: int) -> str:
        if expr.op in _FUNCTIONS:
            return self._call(_FUNCTIONS[expr.op], [self.text(arg, column) for arg in expr.args])
        if expr.op == "neg":
            return f"(-{self._operand(expr.args[0], column, 5, right=False)})"
        left, right = expr.args
        precedence = _PRECEDENCE[expr.op]
        return (
            f"{self._operand(left, column, precedence, right=False)}{expr.op}"
            f"{self._operand(right, column, precedence, right=True)}"
        )

    def _operand(self, expr: Expr, column: int, parent: int, *, right: bool) -> str:
        text = self.text(expr, column)
        if isinstance(expr, Op) and expr.op in _PRECEDENCE:
            child = _PRECEDENCE[expr.op]
            # Excel's ^ is left-associative, like - and /; parenthesise ties on the right.
            if child < parent or (child == parent and right) or (child == parent == 4):
                return f"({text})"
        return text
