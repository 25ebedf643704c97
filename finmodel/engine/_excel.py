"""Print :mod:`~finmodel.engine._ir` expressions as Excel formulas.

Addresses are bound late: the caller supplies a function that places a row's column in the
workbook. Only classic functions are emitted (arithmetic, ``SUM``, ``SUMPRODUCT``, ``MIN``, ``MAX``,
``IF``, ``AND``, ``OR``, ``ROUND``, ``NPV``, ``IRR``, ``IFERROR``), which Excel, LibreOffice and
``formulas`` evaluate alike.
"""

from __future__ import annotations

from collections.abc import Callable

from ._ir import Const, Expr, Irr, Npv, Op, PerColumn, Ref, RowSum
from ._ranges import Extreme, SumProduct
from .presentation import NO_IRR

CellAddress = Callable[[str, int], str]
RangeAddress = Callable[[str, int, int], str]

FUNCTIONS = {"min": "MIN", "max": "MAX", "sum": "SUM", "and": "AND", "or": "OR", "if": "IF", "round": "ROUND"}
_ASSOCIATIVE = {"SUM", "MIN", "MAX", "AND", "OR"}
MAX_ARGUMENTS = 255
MAX_FORMULA_CHARS = 8192
MAX_NESTING = 64
"""Excel's limits: characters of a formula, arguments of a function, levels of nested functions."""
_PRECEDENCE = {"=": 1, "<": 1, "<=": 1, ">": 1, ">=": 1, "+": 2, "-": 2, "*": 3, "/": 3, "^": 4}


def formula(expr: Expr, column: int, cell: CellAddress, cell_range: RangeAddress) -> str:
    """The formula (with its leading ``=``) for ``expr`` in ``column``."""
    return "=" + _Printer(cell, cell_range).text(expr, column)


def beyond_excel_limits(text: str) -> str | None:
    """How a formula passes one of Excel's limits (its length, a function's arguments, the nesting of its
    functions), or ``None``. Reads formulas as printed here: sheet names quoted, no text literals."""
    if len(text) > MAX_FORMULA_CHARS:
        return f"is {len(text):,} characters long (Excel allows {MAX_FORMULA_CHARS:,})"
    calls: list[list[int]] = []
    """Per open parenthesis: [1 if it opens a function's arguments, commas seen]."""
    deepest = widest = 0
    quoted = False
    previous = ""
    for char in text:
        if char == "'":
            quoted = not quoted
        elif quoted:
            continue
        elif char == "(":
            calls.append([1 if previous.isalnum() else 0, 0])
            deepest = max(deepest, sum(call for call, _ in calls))
        elif char == "," and calls:
            calls[-1][1] += 1
        elif char == ")" and calls:
            call, commas = calls.pop()
            widest = max(widest, call * (commas + 1))
        previous = char
    if widest > MAX_ARGUMENTS:
        return f"passes {widest} arguments to one function (Excel allows {MAX_ARGUMENTS})"
    if deepest > MAX_NESTING:
        return f"nests functions {deepest} deep (Excel allows {MAX_NESTING})"
    return None


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
        if isinstance(expr, Extreme):
            return f"{FUNCTIONS[expr.op]}({self.cell_range(expr.row, expr.first, expr.last)})"
        if isinstance(expr, SumProduct):
            ranges = [self.cell_range(row, first, first + expr.count - 1) for row, first in expr.factors]
            return f"SUMPRODUCT({','.join(ranges)})"
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
        if expr.op in FUNCTIONS:
            return self._call(FUNCTIONS[expr.op], [self.text(arg, column) for arg in expr.args])
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
