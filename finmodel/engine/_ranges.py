"""Reductions over a run of a row's columns, printed as Excel ranges.

A sum of a row's products with another over the horizon, or the largest value of a row, is written
``SUMPRODUCT(D5:DB5,D9:DB9)`` or ``MAX(D5:DB5)`` rather than a list of cells, so the formula stays the
same length however long the timeline. Each node is an :class:`~finmodel.engine._ir.Op` over the
cells it reads (what the numpy backend evaluates); it only remembers the ranges for the printer.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._ir import Expr, Op, Ref


@dataclass(frozen=True, slots=True, eq=False)
class Extreme(Op):
    """``min`` or ``max`` of ``row`` over columns ``first..last`` (Excel ``MIN(range)``/``MAX(range)``)."""

    row: str
    first: int
    last: int


@dataclass(frozen=True, slots=True, eq=False)
class SumProduct(Op):
    """Σ over ``count`` columns of the product of several rows, each read from its own first column
    (Excel ``SUMPRODUCT(range, range, ...)``, ranges of equal length that may be offset)."""

    factors: tuple[tuple[str, int], ...]
    count: int


def largest(row: str, first: int, last: int) -> Expr:
    """The largest value of ``row`` over columns ``first..last``."""
    return Extreme("max", _cells(row, first, last), row, first, last)


def smallest(row: str, first: int, last: int) -> Expr:
    """The smallest value of ``row`` over columns ``first..last``."""
    return Extreme("min", _cells(row, first, last), row, first, last)


def sum_product(factors: tuple[tuple[str, int], ...], count: int) -> Expr:
    """Σ over ``count`` columns of the product of ``factors``, each a row and the column it is first read at."""
    if count < 1 or len(factors) < 2:
        raise ValueError("a sum of products needs two factors or more and one column or more")
    products = tuple(_product([Ref(row, at=first + k) for row, first in factors]) for k in range(count))
    return SumProduct("sum", products, factors, count)


def _product(cells: list[Expr]) -> Expr:
    product = cells[0]
    for cell in cells[1:]:
        product = product * cell
    return product


def _cells(row: str, first: int, last: int) -> tuple[Expr, ...]:
    if last < first:
        raise ValueError(f"columns {first}..{last} of {row!r} are empty")
    return tuple(Ref(row, at=column) for column in range(first, last + 1))
