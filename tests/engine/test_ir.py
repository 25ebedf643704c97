"""The expression graph: numpy evaluation and Excel formula text agree operator by operator.

The Excel side is evaluated by ``formulas`` (an independent pure-Python spreadsheet engine),
so a precedence or semantics slip in the printer shows up as a different number.
"""

from __future__ import annotations

import math

import formulas
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finmodel.engine._excel import formula
from finmodel.engine._ir import (
    Axis,
    Const,
    Graph,
    Irr,
    Npv,
    PerColumn,
    Ref,
    RowSum,
    ge,
    if_,
    lt,
    maximum,
    minimum,
    safe_divide,
    total,
)
from finmodel.engine._numpy import evaluate
from finmodel.engine._order import evaluation_order, is_recurrence
from finmodel.engine.presentation import Schedule

CELLS = {"a": "A1", "b": "B1", "c": "C1"}

leaves = st.one_of(
    st.sampled_from([Ref("a"), Ref("b"), Ref("c")]),
    st.floats(min_value=-5, max_value=5, allow_nan=False).map(lambda v: Const(round(v, 3))),
)


def _extend(children):
    binary = st.tuples(children, children)
    return st.one_of(
        binary.map(lambda p: p[0] + p[1]),
        binary.map(lambda p: p[0] - p[1]),
        binary.map(lambda p: p[0] * p[1]),
        binary.map(lambda p: safe_divide(p[0], p[1])),
        children.map(lambda x: -x),
        children.map(lambda x: maximum(x, 0.5) ** Const(2)),
        st.tuples(children, st.integers(1, 3)).map(lambda p: maximum(p[0], 0.1) ** Const(-p[1])),
        binary.map(lambda p: minimum(p[0], p[1])),
        binary.map(lambda p: maximum(p[0], p[1], 0)),
        st.tuples(children, children, children).map(lambda p: if_(ge(p[0], p[1]), p[1], p[2])),
        st.tuples(children, children).map(lambda p: total([p[0], p[1], Const(1)])),
    )


expressions = st.recursive(leaves, _extend, max_leaves=8)


def _scalar_graph(expr):
    graph = Graph()
    graph.add_axis(Axis("scalar", ("value",)))
    for name in CELLS:
        graph.add_input(name, "scalar", label=name, unit="", group=Schedule.SUMMARY)
    graph.add("out", "scalar", expr, label="out", unit="", group=Schedule.SUMMARY)
    return graph


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expr=expressions, values=st.tuples(*[st.floats(-4, 4, allow_nan=False, allow_subnormal=False)] * 3))
def test_numpy_and_excel_agree(expr, values):
    graph = _scalar_graph(expr)
    inputs = {name: np.array([[v]]) for name, v in zip(CELLS, values, strict=True)}
    numpy_value = evaluate(graph, inputs, draws=1)["out"][0, 0]
    if not math.isfinite(numpy_value) or abs(numpy_value) > 1e300:
        return  # overflow: Excel shows #NUM!, numpy inf; neither is a number to compare
    text = formula(expr, 0, lambda row, col: CELLS[row], lambda row, a, b: "")
    compiled = formulas.Parser().ast(text)[1].compile()
    by_cell = dict(zip(CELLS.values(), values, strict=True))
    excel_value = np.asarray(compiled(*(by_cell[name] for name in compiled.inputs))).ravel()[0]
    assert not isinstance(excel_value, str), f"{text} gave {excel_value}"
    assert float(excel_value) == pytest.approx(numpy_value, rel=1e-9, abs=1e-9), text


def test_unary_minus_binds_like_the_engine():
    # Excel reads -2^2 as 4; the engine means -(2^2) = -4. The printer must parenthesise.
    expr = -(Ref("a") ** Const(2))
    text = formula(expr, 0, lambda row, col: CELLS[row], lambda *a: "")
    compiled = formulas.Parser().ast(text)[1].compile()
    assert float(np.asarray(compiled(2.0)).ravel()[0]) == -4.0
    assert evaluate(_scalar_graph(expr), {n: np.array([[2.0]]) for n in CELLS}, 1)["out"][0, 0] == -4.0


def _period_graph(columns=5):
    graph = Graph()
    graph.add_axis(Axis("period", tuple(str(2024 + i) for i in range(columns))))
    graph.add_axis(Axis("scalar", ("value",)))
    graph.add_input("growth", "scalar", label="", unit="", group=Schedule.SUMMARY)
    graph.add_input("flow", "period", label="", unit="", group=Schedule.SUMMARY)
    return graph


def test_lag_recurrence_and_fixed_column():
    graph = _period_graph()
    graph.add(
        "balance",
        "period",
        Ref("balance", lag=1, fill=100.0) * (1 + Ref("growth")) + Ref("flow"),
        label="",
        unit="",
        group=Schedule.SUMMARY,
    )
    graph.add(
        "first_flow",
        "period",
        Ref("flow", at=0) + PerColumn((0, 1, 2, 3, 4)),
        label="",
        unit="",
        group=Schedule.SUMMARY,
    )
    flows = np.array([[1.0, 2.0, 3.0, 4.0, 5.0]])
    values = evaluate(graph, {"growth": np.array([[0.1]]), "flow": flows}, draws=1)
    expected, balance = [], 100.0
    for flow in flows[0]:
        balance = balance * 1.1 + flow
        expected.append(balance)
    np.testing.assert_allclose(values["balance"][0], expected)
    np.testing.assert_allclose(values["first_flow"][0], [1, 2, 3, 4, 5])


def test_two_row_cycle_through_a_lag_is_stepped():
    # nbv[t] = nbv[t-1] - dep[t]; dep[t] = 20% of nbv[t-1] (declining balance), nbv starts at 100.
    graph = _period_graph(4)
    graph.add("dep", "period", Ref("nbv", lag=1, fill=100.0) * 0.2, label="", unit="", group=Schedule.SUMMARY)
    graph.add("nbv", "period", Ref("nbv", lag=1, fill=100.0) - Ref("dep"), label="", unit="", group=Schedule.SUMMARY)
    components = evaluation_order(graph)
    cycle = next(c for c in components if "dep" in c)
    assert cycle == ["dep", "nbv"] and is_recurrence(graph, cycle)
    values = evaluate(graph, {"growth": np.zeros((1, 1)), "flow": np.zeros((1, 4))}, draws=1)
    np.testing.assert_allclose(values["nbv"][0], [80, 64, 51.2, 40.96])


def test_same_column_cycle_is_refused():
    graph = _period_graph(3)
    graph.add("x", "period", Ref("y") + 1, label="", unit="", group=Schedule.SUMMARY)
    graph.add("y", "period", Ref("x") + 1, label="", unit="", group=Schedule.SUMMARY)
    with pytest.raises(ValueError, match="same column"):
        evaluation_order(graph)


def test_summary_nodes_follow_excel_semantics():
    import numpy_financial as npf

    graph = _period_graph(4)
    graph.add(
        "npv", "scalar", Npv(Ref("growth"), "flow", 1, 3) + Ref("flow", at=0), label="", unit="", group=Schedule.SUMMARY
    )
    graph.add("irr", "scalar", Irr("flow", 0, 3), label="", unit="", group=Schedule.SUMMARY)
    graph.add("sum", "scalar", RowSum("flow", 1, 2), label="", unit="", group=Schedule.SUMMARY)
    flows = [-100.0, 30.0, 40.0, 50.0]
    values = evaluate(graph, {"growth": np.array([[0.08]]), "flow": np.array([flows])}, draws=1)
    assert values["npv"][0, 0] == pytest.approx(npf.npv(0.08, flows))
    assert values["irr"][0, 0] == pytest.approx(npf.irr(flows))
    assert values["sum"][0, 0] == 70.0
    cells = {("flow", i): f"{'ABCD'[i]}2" for i in range(4)}
    text = formula(
        graph.rows["npv"].expr,
        0,
        lambda row, col: "G1" if row == "growth" else cells[(row, col)],
        lambda row, a, b: f"{cells[(row, a)]}:{cells[(row, b)]}",
    )
    assert text == "=NPV(G1,B2:D2)+A2"


def test_draws_are_independent():
    # Three draws of the growth rate in one evaluation equal three separate evaluations.
    graph = _period_graph(3)
    graph.add(
        "balance",
        "period",
        Ref("balance", lag=1, fill=1.0) * (1 + Ref("growth")),
        label="",
        unit="",
        group=Schedule.SUMMARY,
    )
    graph.add("flag", "period", if_(lt(Ref("balance"), 1.1), 1, 0), label="", unit="", group=Schedule.SUMMARY)
    rates = np.array([[0.0], [0.05], [0.2]])
    together = evaluate(graph, {"growth": rates, "flow": np.zeros((1, 3))}, draws=3)
    for draw, rate in enumerate(rates[:, 0]):
        alone = evaluate(graph, {"growth": np.array([[rate]]), "flow": np.zeros((1, 3))}, draws=1)
        np.testing.assert_allclose(together["balance"][draw], alone["balance"][0])
        np.testing.assert_allclose(together["flag"][draw], alone["flag"][0])


def test_round_is_half_away_from_zero_like_excel():
    from finmodel.engine._ir import round_half_away

    for value, digits, expected in (
        (2.5, 0, 3.0),
        (-2.5, 0, -3.0),
        (0.125, 2, 0.13),
        (-0.125, 2, -0.13),
        (1.4, 0, 1.0),
    ):
        expr = round_half_away(Ref("a"), digits)
        numpy_value = evaluate(_scalar_graph(expr), {n: np.array([[value]]) for n in CELLS}, 1)["out"][0, 0]
        text = formula(expr, 0, lambda row, col: CELLS[row], lambda *a: "")
        excel_value = float(np.asarray(formulas.Parser().ast(text)[1].compile()(value)).ravel()[0])
        assert numpy_value == expected == excel_value, text


def test_long_sums_nest_within_excels_argument_limit():
    # 600 terms: Excel takes at most 255 arguments, so the printer nests SUMs; the value holds.
    expr = total([Ref("a")] * 600)
    text = formula(expr, 0, lambda row, col: CELLS[row], lambda *a: "")
    assert text.startswith("=SUM(SUM(") and max(len(part.split(",")) for part in text.split("SUM(")) <= 256
    compiled = formulas.Parser().ast(text)[1].compile()
    assert float(np.asarray(compiled(*([2.0] * len(compiled.inputs)))).ravel()[0]) == 1200.0
