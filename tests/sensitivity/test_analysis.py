"""The tornado and the grids worked by hand on the small model (see ``conftest.py`` here), and the
JSON document."""

from __future__ import annotations

import json

import numpy as np
import pytest

from finmodel import project, sensitivity
from finmodel.schema import Grid, GridAxis, Lever, SensitivityBlock
from finmodel.sensitivity import TESTS

UTILISATION = Lever(input="leasing_utilisation", low=0.4, high=0.9, note="hand-worked")
PRICE = Lever(input="contract_price_usd_per_hour[X1]", scale="value", low=2.0, high=4.5)


def test_the_tornado_ends_are_the_hand_worked_ones_ranked_by_swing(make_model, by_hand):
    block = SensitivityBlock(tornado=(UTILISATION, PRICE), grids=(), break_even=())
    result = sensitivity(make_model().model_copy(update={"sensitivity": block}))
    by_label = {bar.lever.label: bar for bar in result.tornado}
    utilisation, price = by_label["Leased hours billed"], by_label["Contract rental price: X1"]
    assert utilisation.low.economic_profit == pytest.approx(by_hand.economic_profit(0.4, 3.0), rel=1e-9)
    assert utilisation.high.economic_profit == pytest.approx(by_hand.economic_profit(0.9, 3.0), rel=1e-9)
    assert price.low.coverage == pytest.approx(by_hand.coverage(0.8, 2.0), rel=1e-9)
    assert price.high.margins["economic_profit"] == pytest.approx(by_hand.economic_profit(0.8, 4.5), rel=1e-9)
    # Swing of the economic profit: ∝ Δ(utilisation × price): 0.5 × 3 = 1.5 for utilisation, 0.8 × 2.5 = 2 for price.
    assert [bar.lever.label for bar in result.tornado] == ["Contract rental price: X1", "Leased hours billed"]
    assert result.base.economic_profit == pytest.approx(by_hand.economic_profit(0.8, 3.0), rel=1e-9)
    assert result.base.label == "revenue asset"
    # At 40%: coverage 0.4 × 26.28m / 12.25m = 0.86 fails, the profit is negative, and an accelerator earning
    # $10,512 a year less $2,251 of running costs for four years is worth less than its $40,000: no test passes.
    assert utilisation.low.label == "cost centre"


def test_every_cell_of_a_grid_is_the_hand_worked_one(make_model, by_hand):
    grid = Grid(
        rows=GridAxis(**UTILISATION.model_dump(exclude_unset=True), steps=3),
        columns=GridAxis(**PRICE.model_dump(exclude_unset=True), steps=4),
        metrics=("horizon_leasing_economic_profit", "horizon_coverage"),
    )
    block = SensitivityBlock(tornado=(), grids=(grid,), break_even=())
    (result,) = sensitivity(make_model().model_copy(update={"sensitivity": block})).grids
    assert result.row_values == pytest.approx((0.4, 0.65, 0.9))
    assert result.column_values == pytest.approx((2.0, 2 + 2.5 / 3, 2 + 5 / 3, 4.5))
    for r, utilisation in enumerate(result.row_values):
        for c, price in enumerate(result.column_values):
            profit = result.values["horizon_leasing_economic_profit"][r][c]
            assert profit == pytest.approx(by_hand.economic_profit(utilisation, price), rel=1e-9, abs=1e-3)
            assert result.values["horizon_coverage"][r][c] == pytest.approx(
                by_hand.coverage(utilisation, price), rel=1e-9
            )
            passes = profit > 0 and by_hand.coverage(utilisation, price) >= 1
            assert (result.labels[r][c] == "revenue asset") == passes


def test_points_evaluated_together_match_the_base_projection_exactly(make_model):
    model = make_model()
    block = SensitivityBlock(tornado=(Lever(input="leasing_utilisation", low=0.8, high=0.9),), grids=(), break_even=())
    result = sensitivity(model.model_copy(update={"sensitivity": block}))
    (bar,) = result.tornado
    base = project(model).metrics
    assert bar.low.economic_profit == base["horizon_leasing_economic_profit"]
    assert bar.low.coverage == base["horizon_coverage"]


def test_the_document_is_json_with_finite_numbers_and_the_method(make_model):
    result = sensitivity(make_model())
    text = json.dumps(result.document(), allow_nan=False)
    document = json.loads(text)
    assert document["base"]["value"] is None  # the base case has no lever value: not a number, so null
    assert set(document["tests"]) == set(TESTS)
    assert document["engine_calls"] == result.engine_calls >= 1 and document["draws"] == result.draws
    assert "vectorised engine run" in document["method"]
    assert [lever["label"] for lever in document["tornado"]["levers"]] == [bar.lever.label for bar in result.tornado]
    swings = [lever["swing"] for lever in document["tornado"]["levers"]]
    assert swings == sorted(swings, reverse=True)
    assert all(np.isfinite(value) for value in swings)


def test_the_defaults_of_a_model_without_demand_have_no_demand_lever(make_model):
    labels = [bar.lever.label for bar in sensitivity(make_model()).tornado]
    assert "Rental price level (×)" in labels and "Leasing utilisation" in labels
    assert "Economic life (years added)" in labels and "Hurdle rate" in labels
    assert not any("Demand" in label or "decline" in label for label in labels)  # flat prices: no decline to move
