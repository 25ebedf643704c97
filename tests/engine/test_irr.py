"""The vectorised IRR against numpy-financial, draw by draw, on random cash flows."""

from __future__ import annotations

import math

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from finmodel.engine._irr import irr_by_draw


def _reference(flows: np.ndarray) -> float:
    return float(npf.irr(flows))


def _agree(found: float, expected: float) -> bool:
    if math.isnan(expected):
        return math.isnan(found)
    return found == pytest.approx(expected, rel=1e-8, abs=1e-10)


def test_textbook_flows():
    # numpy-financial's own examples: one, then several sign changes.
    flows = np.array(
        [
            [-100, 39, 59, 55, 20],
            [-100, 0, 0, 74, 0],
            [-100, 100, 0, -7, 0],
            [-100, 100, 0, 7, 0],
            [-5, 10.5, 1, -8, 1],
        ],
        dtype=float,
    )
    expected = [0.28095, -0.0955, -0.0833, 0.06206, 0.0886]
    assert irr_by_draw(flows) == pytest.approx(expected, abs=5e-5)


def test_no_sign_change_has_no_irr_not_minus_one():
    flows = np.array([[-10.0, -1.0, -2.0], [5.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
    assert np.isnan(irr_by_draw(flows)).all()


def test_a_real_minus_hundred_percent_is_not_confused_with_none():
    # Everything lost: -100 then nothing back but a cent → a rate near -100%, finite.
    rate = irr_by_draw(np.array([[-100.0, 0.0, 0.0, 1e-2]]))[0]
    assert rate == pytest.approx(_reference(np.array([-100.0, 0.0, 0.0, 1e-2])), rel=1e-9)
    assert -1 < rate < -0.9


def test_leading_and_trailing_zeros():
    flows = np.array([[0.0, -100.0, 60.0, 60.0, 0.0], [0.0, 0.0, -50.0, 80.0, 0.0]])
    expected = [_reference(row) for row in flows]
    assert irr_by_draw(flows) == pytest.approx(expected, rel=1e-9)


@settings(max_examples=60, deadline=None)
@given(
    arrays(
        float,
        st.tuples(st.integers(1, 40), st.integers(2, 9)),
        elements=st.floats(-1e4, 1e4, allow_nan=False).map(lambda v: round(v, 2)),
    )
)
def test_matches_numpy_financial_on_random_flows(flows):
    found = irr_by_draw(flows)
    for row, rate in zip(flows, found, strict=True):
        assert _agree(rate, _reference(row)), (row, rate, _reference(row))


def test_matches_numpy_financial_with_several_sign_changes():
    rng = np.random.default_rng(3)
    flows = rng.normal(0, 100, size=(2000, 7))
    flows[:, 0] = -np.abs(flows[:, 0]) - 50
    found = irr_by_draw(flows)
    expected = np.array([_reference(row) for row in flows])
    several = (np.diff(np.sign(flows), axis=1) != 0).sum(axis=1) > 1
    assert several.sum() > 500 and np.isnan(expected).sum() > 10
    assert np.array_equal(np.isnan(found), np.isnan(expected))
    both = ~np.isnan(expected)
    assert found[both] == pytest.approx(expected[both], rel=1e-8, abs=1e-10)


def test_npv_at_the_irr_is_zero():
    rng = np.random.default_rng(5)
    flows = np.column_stack([-rng.uniform(50, 150, 500), rng.uniform(0, 60, (500, 6))])
    rates = irr_by_draw(flows)
    discounted = flows / (1 + rates[:, None]) ** np.arange(7)
    assert np.abs(discounted.sum(axis=1)) == pytest.approx(0, abs=1e-8)
