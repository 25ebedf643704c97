"""Reductions over a run of columns: numpy reads the cells, Excel a range, and they agree.

The spreadsheet side is ``formulas`` (an independent pure-Python engine) reading the printed text.
"""

from __future__ import annotations

import formulas
import numpy as np
import pytest

from finmodel.engine._excel import formula
from finmodel.engine._ir import Axis, Graph
from finmodel.engine._numpy import evaluate
from finmodel.engine._ranges import largest, smallest, sum_product
from finmodel.engine.presentation import Schedule

ROWS = {"flow": 1, "rate": 2}
FLOW = [4.0, -2.0, 7.5, 1.0, 3.0]
RATE = [0.5, 1.0, 2.0, 0.0, -1.0]


def _cell(row: str, column: int) -> str:
    return f"{'ABCDE'[column]}{ROWS[row]}"


def _range(row: str, first: int, last: int) -> str:
    return f"{_cell(row, first)}:{_cell(row, last)}"


def _both(expr) -> tuple[float, float, str]:
    """The value of ``expr`` in numpy and in a spreadsheet holding FLOW in row 1 and RATE in row 2."""
    graph = Graph()
    graph.add_axis(Axis("period", tuple("abcde")))
    graph.add_axis(Axis("scalar", ("value",)))
    for name in ROWS:
        graph.add_input(name, "period", label=name, unit="", group=Schedule.SUMMARY)
    graph.add("out", "scalar", expr, label="out", unit="", group=Schedule.SUMMARY)
    numpy_value = evaluate(graph, {"flow": np.array([FLOW]), "rate": np.array([RATE])}, 1)["out"][0, 0]
    text = formula(expr, 0, _cell, _range)
    compiled = formulas.Parser().ast(text)[1].compile()
    cells = {_cell(row, c): values[c] for row, values in (("flow", FLOW), ("rate", RATE)) for c in range(5)}
    arguments = []
    for name in compiled.inputs:
        first, _, last = name.upper().partition(":")
        columns = range("ABCDE".index(first[0]), "ABCDE".index((last or first)[0]) + 1)
        block = [cells[f"{'ABCDE'[c]}{first[1:]}"] for c in columns]
        arguments.append(np.array([block]) if last else block[0])
    excel_value = float(np.asarray(compiled(*arguments)).ravel()[0])
    return float(numpy_value), excel_value, text


def test_sum_product_of_offset_ranges():
    # flow in columns 1..3 times rate in columns 0..2: -2 × 0.5 + 7.5 × 1 + 1 × 2 = 8.5.
    numpy_value, excel_value, text = _both(sum_product((("flow", 1), ("rate", 0)), 3))
    assert text == "=SUMPRODUCT(B1:D1,A2:C2)"
    assert numpy_value == excel_value == 8.5


def test_sum_product_of_three_rows():
    # flow × rate × rate over all five columns: 4 × 0.25 - 2 × 1 + 7.5 × 4 + 0 + 3 × 1 = 32.
    numpy_value, excel_value, text = _both(sum_product((("flow", 0), ("rate", 0), ("rate", 0)), 5))
    assert text == "=SUMPRODUCT(A1:E1,A2:E2,A2:E2)"
    assert numpy_value == excel_value == 32.0


def test_largest_and_smallest_over_a_range():
    numpy_value, excel_value, text = _both(largest("flow", 0, 4) - smallest("rate", 1, 4))
    assert text == "=MAX(A1:E1)-MIN(B2:E2)"
    assert numpy_value == excel_value == 7.5 - (-1.0)


def test_an_empty_range_is_refused():
    with pytest.raises(ValueError, match="empty"):
        largest("flow", 3, 2)
    with pytest.raises(ValueError, match="two factors"):
        sum_product((("flow", 0),), 3)
