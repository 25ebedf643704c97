"""Formulas within Excel's limits: long sums, deep nesting and long conditions are cut into helper
rows whose formulas fit, and the value is the same in numpy and in a spreadsheet engine.

The spreadsheet side is ``formulas`` (an independent pure-Python engine) reading the printed text,
cell by cell in dependency order, as a workbook would.
"""

from __future__ import annotations

import formulas
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finmodel.engine import _limits
from finmodel.engine._excel import beyond_excel_limits, formula
from finmodel.engine._ir import Axis, Const, Graph, Ref, all_of, ge, gt, if_, maximum, minimum, total
from finmodel.engine._limits import within_excel_limits
from finmodel.engine._numpy import evaluate
from finmodel.engine._order import evaluation_order
from finmodel.engine.presentation import Schedule

LONGEST_ADDRESS = "'Leasing economics'!ABC12345"
"""As long as any address the workbook writes: every formula printed with it is a worst case."""
INPUTS = ("x", "y", "z")


def _graph(expr) -> Graph:
    graph = Graph()
    graph.add_axis(Axis("scalar", ("value",)))
    for name in INPUTS:
        graph.add_input(name, "scalar", label=name, unit="", group=Schedule.SUMMARY)
    graph.add("out", "scalar", expr, label="out", unit="", group=Schedule.SUMMARY)
    return graph


def _worst_case_texts(graph: Graph) -> dict[str, str]:
    return {
        name: formula(row.expr_at(0), 0, lambda *_: LONGEST_ADDRESS, lambda *_: f"{LONGEST_ADDRESS}:ABD12345")
        for name, row in graph.rows.items()
        if row.kind == "calc"
    }


def _numpy(graph: Graph, values: tuple[float, ...]) -> dict[str, float]:
    inputs = {name: np.array([[value]]) for name, value in zip(INPUTS, values, strict=True)}
    return {name: float(array[0, 0]) for name, array in evaluate(graph, inputs, 1).items()}


def _spreadsheet(graph: Graph, values: tuple[float, ...]) -> dict[str, float]:
    """Each row in a cell of its own (``A1``, ``A2``...), computed by ``formulas`` from its printed formula."""
    address = {name: f"A{position}" for position, name in enumerate(graph.rows, start=1)}
    cells = {address[name]: value for name, value in zip(INPUTS, values, strict=True)}
    for component in evaluation_order(graph):
        for name in component:
            row = graph.rows[name]
            if row.kind == "input":
                continue
            text = formula(row.expr_at(0), 0, lambda r, _: address[r], lambda *_: "")
            compiled = formulas.Parser().ast(text)[1].compile()
            result = compiled(*(cells[cell.upper()] for cell in compiled.inputs))
            cells[address[name]] = float(np.asarray(result).ravel()[0])
    return {name: cells[address[name]] for name in graph.rows}


def test_formulas_that_fit_leave_the_graph_as_it_is():
    graph = _graph(total([Ref("x"), Ref("y"), Ref("z")]))
    assert within_excel_limits(graph) is graph


def test_a_sum_of_thousands_of_terms_moves_to_helper_rows_that_fit(excel_shape):
    # Σ_k (k + 1) × (x, y, z)[k mod 3] over 3,000 terms, summed term by term in the test.
    terms = [Ref(INPUTS[k % 3]) * Const(k + 1) for k in range(3000)]
    graph = within_excel_limits(_graph(total(terms)))
    values = (1.0, 2.0, 3.0)
    expected = sum((k + 1) * values[k % 3] for k in range(3000))
    assert _numpy(graph, values)["out"] == pytest.approx(expected, rel=1e-12)
    assert [name for name in graph.rows if name.startswith("out:part")]
    for name, text in _worst_case_texts(graph).items():
        length, widest, deepest = excel_shape(text)
        assert length < 8192 and widest <= 255 and deepest <= 64, name


def test_functions_nested_200_deep_are_cut_within_64_levels(excel_shape):
    # min(x, min(y - 1, min(z - 2, ...))): the smallest of 200 terms, nested 200 deep.
    expr = Ref("x")
    for k in range(1, 200):
        expr = minimum(Ref(INPUTS[k % 3]) - k, expr)
    graph = within_excel_limits(_graph(expr))
    values = (5.0, 7.0, 3.0)
    assert _numpy(graph, values)["out"] == min([5.0] + [values[k % 3] - k for k in range(1, 200)])
    assert max(excel_shape(text)[2] for text in _worst_case_texts(graph).values()) <= 64


def test_a_long_condition_moved_to_helper_cells_keeps_its_meaning():
    # 600 tests x > -k, y > -k, z > -k: all pass unless an input is at or below 0 (k = 0 fails first).
    condition = all_of(*(gt(Ref(INPUTS[k % 3]), -k) for k in range(600)))
    expr = if_(condition, 10, maximum(Ref("x"), Ref("y")))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_limits, "TARGET_CHARS", 2000)
        graph = within_excel_limits(_graph(expr))
    assert [name for name in graph.rows if name.startswith("out:part")]
    for values, expected in (((1.0, 2.0, 3.0), 10.0), ((1.0, 2.0, -3.0), 2.0), ((0.0, -1.0, 3.0), 0.0)):
        assert _numpy(graph, values)["out"] == expected
        assert _spreadsheet(graph, values)["out"] == expected


leaves = st.one_of(
    st.sampled_from([Ref(name) for name in INPUTS]),
    st.floats(-5, 5, allow_nan=False).map(lambda v: Const(round(v, 2))),
)
expressions = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.tuples(children, children).map(lambda p: p[0] + p[1]),
        st.tuples(children, children).map(lambda p: p[0] * p[1]),
        st.tuples(children, children, children).map(lambda p: if_(ge(p[0], p[1]), p[1], p[2])),
        st.lists(children, min_size=1, max_size=6).map(lambda items: minimum(*items)),
        st.lists(children, min_size=2, max_size=6).map(total),
    ),
    max_leaves=24,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expr=expressions, values=st.tuples(*[st.floats(-3, 3, allow_nan=False, allow_subnormal=False)] * 3))
def test_cut_formulas_fit_and_compute_the_same_in_numpy_and_a_spreadsheet(expr, values):
    # A budget of 200 characters and 3 levels cuts almost every expression drawn.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_limits, "TARGET_CHARS", 200)
        patch.setattr(_limits, "TARGET_NESTING", 3)
        graph = within_excel_limits(_graph(expr))
    for name, row in graph.rows.items():
        if row.kind == "calc":
            chars, depth = _limits.size(row.expr_at(0))
            assert chars <= 200 and depth <= 3, name
    whole = _numpy(_graph(expr), values)["out"]
    assert _numpy(graph, values)["out"] == pytest.approx(whole, rel=1e-9, abs=1e-9)
    assert _spreadsheet(graph, values)["out"] == pytest.approx(whole, rel=1e-9, abs=1e-9)


def test_excels_limits_are_named_when_a_formula_passes_them():
    # 600 addresses of 14 characters, 599 pluses and the equals sign: 9,000 characters.
    assert beyond_excel_limits("=" + "+".join(["'P&L (all)'!A1"] * 600)) == (
        "is 9,000 characters long (Excel allows 8,192)"
    )
    assert beyond_excel_limits(f"=SUM({','.join(['A1'] * 256)})") == (
        "passes 256 arguments to one function (Excel allows 255)"
    )
    assert beyond_excel_limits("=" + "MIN(" * 65 + "A1" + ")" * 65) == "nests functions 65 deep (Excel allows 64)"
    # At the limits, and parentheses that group rather than call, are fine.
    assert beyond_excel_limits(f"=SUM({','.join(['A1'] * 255)})") is None
    assert beyond_excel_limits("=" + "MAX(" * 64 + "(A1+1)*((2))" + ")" * 64) is None
    assert beyond_excel_limits(f"=SUM('P&L (all)'!A1,{','.join(['B1'] * 254)})") is None
