"""Each distribution's samples against its closed-form moments, truncation and the copula's rank correlation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from finmodel.schema import Uncertainty
from finmodel.simulate._distributions import inverse_cdf
from finmodel.simulate._sampling import BLOCK_DRAWS, normal_correlation, sample_blocks

UNIFORMS = (np.arange(200_000) + 0.5) / 200_000


def _entry(**fields):
    return Uncertainty.model_validate({"inputs": {"x": fields}}).inputs["x"]


@pytest.mark.parametrize(
    ("fields", "mean", "variance"),
    [
        ({"distribution": "uniform", "low": 2, "high": 5}, 3.5, 9 / 12),
        ({"distribution": "triangular", "low": 1, "mode": 2, "high": 6}, 3.0, (1 + 4 + 36 - 2 - 6 - 12) / 18),
        ({"distribution": "normal", "mean": 0.7, "sd": 0.1}, 0.7, 0.01),
        # Lognormal: mean m·e^(σ²/2), variance (e^(σ²) − 1)·m²·e^(σ²).
        (
            {"distribution": "lognormal", "median": 1.0, "sigma": 0.25},
            math.exp(0.03125),
            (math.exp(0.0625) - 1) * math.exp(0.0625),
        ),
        # PERT(0, 1, 4): α = 1 + 4·1/4 = 2, β = 1 + 4·3/4 = 4: mean (0 + 4 + 4)/6, variance αβ/((α+β)²(α+β+1))·16.
        ({"distribution": "pert", "low": 0, "mode": 1, "high": 4}, 8 / 6, 2 * 4 / (36 * 7) * 16),
        ({"distribution": "discrete", "values": [1, 3], "probabilities": [0.25, 0.75]}, 2.5, 0.75),
    ],
)
def test_moments_match_closed_forms(fields, mean, variance):
    values = inverse_cdf(_entry(**fields), UNIFORMS)
    assert values.mean() == pytest.approx(mean, rel=1e-3)
    assert values.var() == pytest.approx(variance, rel=1e-2)


def test_truncation_keeps_draws_inside_and_matches_the_truncated_normal():
    entry = _entry(distribution="normal", mean=0.0, sd=1.0, min=-0.5, max=2.0)
    values = inverse_cdf(entry, UNIFORMS)
    assert values.min() >= -0.5 and values.max() <= 2.0
    assert values.mean() == pytest.approx(stats.truncnorm(-0.5, 2.0).mean(), rel=1e-3)


def test_discrete_truncation_renormalises():
    entry = _entry(distribution="discrete", values=[1, 2, 3], probabilities=[0.2, 0.3, 0.5], max=2.5)
    values = inverse_cdf(entry, UNIFORMS)
    assert set(np.unique(values)) == {1.0, 2.0}
    assert np.mean(values == 1.0) == pytest.approx(0.4, abs=1e-4)


@settings(max_examples=25, deadline=None)
@given(st.floats(-0.95, 0.95))
def test_rank_correlation_is_achieved(rank):
    entries = [_entry(distribution="lognormal", median=1, sigma=0.5), _entry(distribution="uniform", low=0, high=3)]
    factor = normal_correlation(np.array([[1.0, rank], [rank, 1.0]]))
    drawn = sample_blocks(entries, factor, seed=11, first_block=0, blocks=8)
    achieved = stats.spearmanr(drawn[:, 0], drawn[:, 1]).statistic
    assert achieved == pytest.approx(rank, abs=0.03)


def test_a_draw_depends_on_the_seed_and_its_index_only():
    entries = [_entry(distribution="normal", mean=0, sd=1)]
    factor = np.eye(1)
    whole = sample_blocks(entries, factor, seed=5, first_block=0, blocks=3)
    assert np.array_equal(whole[BLOCK_DRAWS:], sample_blocks(entries, factor, seed=5, first_block=1, blocks=2))
    assert not np.array_equal(whole, sample_blocks(entries, factor, seed=6, first_block=0, blocks=3))


def test_correlations_that_cannot_hold_together_are_refused():
    correlation = [
        {"between": ["a", "b"], "rank": 0.9},
        {"between": ["b", "c"], "rank": 0.9},
        {"between": ["a", "c"], "rank": -0.9},
    ]
    normal = {"distribution": "normal", "mean": 0, "sd": 1}
    with pytest.raises(ValueError, match="cannot hold together"):
        Uncertainty.model_validate({"inputs": {"a": normal, "b": normal, "c": normal}, "correlation": correlation})
