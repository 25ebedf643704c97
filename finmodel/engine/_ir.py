"""The expression graph every line item is written in.

A :class:`Graph` is a set of named rows. Each row lives on an *axis* (the projection periods,
a cohort's years of age, or a single scalar cell) and is defined by one expression that is
instantiated per column. Two backends read the same expressions: ``_numpy`` evaluates them over
arrays of shape ``(draws, columns)`` and ``_excel`` prints them as formulas. Because neither
backend owns any arithmetic of its own, the workbook and the engine cannot drift apart.

Expressions are built with ordinary Python operators (``a * b - c``) plus the helper
functions below (:func:`minimum`, :func:`if_`, :func:`ge`...).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from .presentation import Schedule

Number = float | int


class Expr:
    """Base class of expression nodes; gives them arithmetic operators."""

    __slots__ = ()

    def __add__(self, other: Expr | Number) -> Expr:
        return Op("+", (self, lift(other)))

    def __radd__(self, other: Number) -> Expr:
        return Op("+", (lift(other), self))

    def __sub__(self, other: Expr | Number) -> Expr:
        return Op("-", (self, lift(other)))

    def __rsub__(self, other: Number) -> Expr:
        return Op("-", (lift(other), self))

    def __mul__(self, other: Expr | Number) -> Expr:
        return Op("*", (self, lift(other)))

    def __rmul__(self, other: Number) -> Expr:
        return Op("*", (lift(other), self))

    def __truediv__(self, other: Expr | Number) -> Expr:
        return Op("/", (self, lift(other)))

    def __rtruediv__(self, other: Number) -> Expr:
        return Op("/", (lift(other), self))

    def __pow__(self, other: Expr | Number) -> Expr:
        return Op("^", (self, lift(other)))

    def __neg__(self) -> Expr:
        return Op("neg", (self,))


@dataclass(frozen=True, slots=True, eq=False)
class Const(Expr):
    """A literal number (a structural constant such as an age in years, never an assumption)."""

    value: float


@dataclass(frozen=True, slots=True, eq=False)
class PerColumn(Expr):
    """A literal that differs by column, e.g. the age of a vintage in each period."""

    values: tuple[float, ...]


@dataclass(frozen=True, slots=True, eq=False)
class Ref(Expr):
    """Another row's value: in the same column, ``lag`` columns earlier, or in column ``at``.

    A lagged reference before the first column reads ``fill``. A reference to a scalar row
    always reads its single cell.
    """

    row: str
    lag: int = 0
    at: int | None = None
    fill: float = 0.0


@dataclass(frozen=True, slots=True, eq=False)
class Op(Expr):
    """An operator or classic spreadsheet function applied to sub-expressions.

    ``op`` is one of ``+ - * / ^ neg`` (arithmetic), ``< <= > >= =`` (comparisons),
    ``min max sum and or if round``.
    """

    op: str
    args: tuple[Expr, ...]


@dataclass(frozen=True, slots=True, eq=False)
class RowSum(Expr):
    """Sum of a row over columns ``first..last`` inclusive (Excel ``SUM`` over a range)."""

    row: str
    first: int
    last: int


@dataclass(frozen=True, slots=True, eq=False)
class Npv(Expr):
    """Excel ``NPV``: columns ``first..last`` of ``row`` discounted at ``rate``.

    Excel's convention: the first value is discounted one full period.
    """

    rate: Expr
    row: str
    first: int
    last: int


@dataclass(frozen=True, slots=True, eq=False)
class Irr(Expr):
    """Internal rate of return of columns ``first..last`` of ``row``.

    Where no rate exists (the flows never change sign) the value is NaN in the engine — not −1,
    which is a real return of −100% — and the text ``"no IRR"`` in Excel:
    ``IFERROR(IRR(range),IFERROR(IRR(range,-0.5),"no IRR"))`` (a second start for deep losses).
    """

    row: str
    first: int
    last: int


def lift(value: Expr | Number) -> Expr:
    """Wrap a Python number as a :class:`Const`; pass expressions through."""
    if isinstance(value, Expr):
        return value
    return Const(float(value))


def minimum(*args: Expr | Number) -> Expr:
    return Op("min", tuple(lift(a) for a in args))


def maximum(*args: Expr | Number) -> Expr:
    return Op("max", tuple(lift(a) for a in args))


def total(args: Iterable[Expr | Number]) -> Expr:
    """Sum of several expressions (``SUM(a,b,...)``); an empty sum is 0."""
    items = tuple(lift(a) for a in args)
    if not items:
        return Const(0.0)
    if len(items) == 1:
        return items[0]
    return Op("sum", items)


def if_(condition: Expr, then: Expr | Number, otherwise: Expr | Number) -> Expr:
    return Op("if", (condition, lift(then), lift(otherwise)))


def lt(a: Expr | Number, b: Expr | Number) -> Expr:
    return Op("<", (lift(a), lift(b)))


def le(a: Expr | Number, b: Expr | Number) -> Expr:
    return Op("<=", (lift(a), lift(b)))


def gt(a: Expr | Number, b: Expr | Number) -> Expr:
    return Op(">", (lift(a), lift(b)))


def ge(a: Expr | Number, b: Expr | Number) -> Expr:
    return Op(">=", (lift(a), lift(b)))


def eq(a: Expr | Number, b: Expr | Number) -> Expr:
    return Op("=", (lift(a), lift(b)))


def all_of(*conditions: Expr) -> Expr:
    return Op("and", conditions)


def round_half_away(value: Expr | Number, digits: int) -> Expr:
    """Excel's ``ROUND``: halves round away from zero."""
    return Op("round", (lift(value), Const(float(digits))))


def safe_divide(numerator: Expr | Number, denominator: Expr | Number) -> Expr:
    """``numerator / denominator``, or 0 where the denominator is 0 (no ``#DIV/0!``)."""
    denominator = lift(denominator)
    return if_(eq(denominator, 0), 0, lift(numerator) / denominator)


AxisName = str
RowKind = Literal["input", "calc"]
Reads = frozenset[tuple[str, int]]


@dataclass(frozen=True, slots=True)
class Axis:
    """A run of columns: the projection periods, a cohort's ages, or one scalar cell."""

    name: AxisName
    labels: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.labels)


@dataclass(frozen=True, slots=True)
class Row:
    """One line item (or one assumption) on one axis.

    ``expr`` is the whole definition; for inputs it is ``None`` and values are supplied at
    evaluation time. ``group`` places the row on a schedule (a workbook sheet, a memo table);
    ``unit`` says what the numbers are; ``key`` is the typed identity ``name`` renders.
    """

    name: str
    axis: AxisName
    kind: RowKind
    expr: Expr | None
    label: str
    unit: str
    group: Schedule
    per_column: tuple[Expr, ...] | None = None
    key: object = None

    def is_zero_at(self, column: int) -> bool:
        """True where the definition is the literal 0 (a vintage before it exists): left blank in a workbook."""
        expr = self.expr_at(column)
        return isinstance(expr, Const) and expr.value == 0

    @property
    def may_have_no_value(self) -> bool:
        """True for an IRR, which is NaN (no rate exists) for some cash flows: not an overflow."""
        return isinstance(self.expr, Irr)

    def expr_at(self, column: int) -> Expr:
        """The expression that defines this row's value in ``column``."""
        if self.per_column is not None:
            return self.per_column[column]
        assert self.expr is not None
        return self.expr


@dataclass
class Graph:
    """An ordered collection of rows; the order is the presentation order."""

    axes: dict[AxisName, Axis] = field(default_factory=dict)
    rows: dict[str, Row] = field(default_factory=dict)
    _reads: dict[str, tuple[Row, Reads]] = field(default_factory=dict, init=False, repr=False, compare=False)
    _order: list[list[str]] | None = field(default=None, init=False, repr=False, compare=False)
    """Each row's dependencies and the evaluation order, found once: scenarios and draws share a graph."""

    def add_axis(self, axis: Axis) -> Axis:
        self.axes[axis.name] = axis
        return axis

    def add_input(self, key: object, axis: AxisName, *, label: str, unit: str, group: Schedule) -> Ref:
        """Declare an input row; ``key`` is a typed key (or a plain name) whose text is the row's name."""
        return self._add(Row(str(key), axis, "input", None, label, unit, group, key=key))

    def add(
        self,
        key: object,
        axis: AxisName,
        expr: Expr | Number | Sequence[Expr | Number],
        *,
        label: str,
        unit: str,
        group: Schedule,
    ) -> Ref:
        """Define a calculated row, by one expression or one expression per column."""
        name = str(key)
        if isinstance(expr, Sequence):
            cells = tuple(lift(e) for e in expr)
            if len(cells) != self.axes[axis].size:
                raise ValueError(f"row {name!r}: {len(cells)} cells for axis {axis!r}")
            return self._add(Row(name, axis, "calc", None, label, unit, group, cells, key))
        return self._add(Row(name, axis, "calc", lift(expr), label, unit, group, key=key))

    def _add(self, row: Row) -> Ref:
        if not isinstance(row.group, Schedule):
            raise ValueError(f"row {row.name!r}: {row.group!r} is not a schedule of the presentation registry")
        if row.name in self.rows:
            raise ValueError(f"row {row.name!r} defined twice")
        if row.axis not in self.axes:
            raise ValueError(f"row {row.name!r}: unknown axis {row.axis!r}")
        self.rows[row.name] = row
        self._order = None
        return Ref(row.name)

    def size(self, row: str) -> int:
        return self.axes[self.rows[row].axis].size

    def dependencies(self, row: Row) -> Reads:
        """``(row, lag)`` pairs this row reads; fixed-column and range reads count as lag 0."""
        known = self._reads.get(row.name)
        if known is not None and known[0] is row:
            return known[1]
        found: set[tuple[str, int]] = set()
        exprs = row.per_column if row.per_column is not None else (row.expr,)
        for expr in exprs:
            if expr is not None:
                _collect(expr, found)
        self._reads[row.name] = (row, frozenset(found))
        return self._reads[row.name][1]


def _collect(expr: Expr, found: set[tuple[str, int]]) -> None:
    if isinstance(expr, Ref):
        found.add((expr.row, expr.lag if expr.at is None else 0))
    elif isinstance(expr, Op):
        for arg in expr.args:
            _collect(arg, found)
    elif isinstance(expr, RowSum | Irr):
        found.add((expr.row, 0))
    elif isinstance(expr, Npv):
        found.add((expr.row, 0))
        _collect(expr.rate, found)
