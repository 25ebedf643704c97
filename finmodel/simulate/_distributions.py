"""Each distribution of the ``uncertainty:`` block as an inverse CDF, truncation included.

Sampling by the inverse CDF of a uniform draw lets one code path serve every distribution and
the copula (which hands over correlated uniforms): a value is ``ppf(F(min) + u · (F(max) − F(min)))``,
so a truncated distribution is sampled exactly, never by rejection.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from ..schema import Discrete, Distribution, Lognormal, Normal, Pert, Triangular, Uniform

Array = np.ndarray


def inverse_cdf(distribution: Distribution, uniforms: Array) -> Array:
    """Values of ``distribution`` (truncated to its ``min``/``max``) at probabilities ``uniforms`` in (0, 1)."""
    low = 0.0 if distribution.min is None else cdf(distribution, distribution.min, before=True)
    high = 1.0 if distribution.max is None else cdf(distribution, distribution.max)
    values = _ppf(distribution, low + uniforms * (high - low))
    bounded_low = -math.inf if distribution.min is None else distribution.min
    bounded_high = math.inf if distribution.max is None else distribution.max
    return np.clip(values, bounded_low, bounded_high)


def cdf(distribution: Distribution, value: float, *, before: bool = False) -> float:
    """P(X ≤ value), or P(X < value) with ``before`` (they differ only for a discrete distribution)."""
    match distribution:
        case Uniform(low=low, high=high):
            return float(np.clip((value - low) / (high - low), 0.0, 1.0))
        case Pert(low=low, high=high):
            alpha, beta = pert_shape(distribution)
            return float(special.betainc(alpha, beta, np.clip((value - low) / (high - low), 0.0, 1.0)))
        case Triangular(low=low, mode=mode, high=high):
            if value <= low:
                return 0.0
            if value >= high:
                return 1.0
            if value <= mode:
                return (value - low) ** 2 / ((high - low) * (mode - low))
            return 1.0 - (high - value) ** 2 / ((high - low) * (high - mode))
        case Normal(mean=mean, sd=sd):
            return float(special.ndtr((value - mean) / sd))
        case Lognormal(median=median, sigma=sigma):
            return 0.0 if value <= 0 else float(special.ndtr(math.log(value / median) / sigma))
        case Discrete():
            values, probabilities = _sorted(distribution)
            mask = values < value if before else values <= value
            return float(probabilities[mask].sum())
    raise TypeError(f"unknown distribution {type(distribution).__name__}")


def _ppf(distribution: Distribution, probability: Array) -> Array:
    match distribution:
        case Uniform(low=low, high=high):
            return low + probability * (high - low)
        case Pert(low=low, high=high):
            alpha, beta = pert_shape(distribution)
            return low + (high - low) * special.betaincinv(alpha, beta, probability)
        case Triangular(low=low, mode=mode, high=high):
            split = (mode - low) / (high - low)
            rising = low + np.sqrt(probability * (high - low) * (mode - low))
            falling = high - np.sqrt((1.0 - probability) * (high - low) * (high - mode))
            return np.where(probability < split, rising, falling)
        case Normal(mean=mean, sd=sd):
            return mean + sd * special.ndtri(probability)
        case Lognormal(median=median, sigma=sigma):
            return median * np.exp(sigma * special.ndtri(probability))
        case Discrete():
            values, probabilities = _sorted(distribution)
            cumulative = np.cumsum(probabilities)
            return values[np.minimum(np.searchsorted(cumulative, probability, side="right"), len(values) - 1)]
    raise TypeError(f"unknown distribution {type(distribution).__name__}")


def pert_shape(distribution: Pert) -> tuple[float, float]:
    """The beta distribution's α and β of a PERT on [low, high]."""
    span = distribution.high - distribution.low
    alpha = 1.0 + distribution.shape * (distribution.mode - distribution.low) / span
    beta = 1.0 + distribution.shape * (distribution.high - distribution.mode) / span
    return alpha, beta


def _sorted(distribution: Discrete) -> tuple[Array, Array]:
    order = np.argsort(distribution.values, kind="stable")
    return np.asarray(distribution.values)[order], np.asarray(distribution.probabilities)[order]


def describe(distribution: Distribution) -> dict[str, object]:
    """The distribution's parameters as the model file gives them (for the JSON and the memo)."""
    return distribution.model_dump(exclude={"source", "note", "applies_as", "inputs"}, exclude_none=True)
