"""The internal rate of return of many cash-flow series at once, NaN where none exists.

The rate is numpy-financial's: of the roots ``x`` of ``Σ flow_t · x^t`` (``x = 1 / (1 + rate)``)
that are real and positive, the one whose rate is closest to zero. Descartes' rule of signs
counts the positive roots' parity by the flows' sign changes, which splits the draws three ways:

- no sign change: no positive root, no IRR (NaN);
- one sign change (an outlay, then returns): exactly one positive root, found by Newton's method
  safeguarded by bisection inside a bracket that always holds it, every draw at once;
- several: numpy-financial's own method (the eigenvalues of the polynomial's companion matrix)
  on all such draws of one degree in a single stacked call, then the root closest to zero.

Draws that escape all three (a root beyond float range) fall back to ``npf.irr`` one at a time.
NaN, not −1, marks "no IRR": −1 is a real return of −100%.
"""

from __future__ import annotations

import numpy as np
import numpy_financial as npf

Array = np.ndarray

NEWTON_STEPS = 200
"""Iterations of safeguarded Newton; each at least halves the bracket when Newton strays."""
START = 1 / 1.1
"""Where Newton starts: a rate of 10%, Excel's default guess."""
RELATIVE_TOLERANCE = 1e-13
"""A step this small, relative to x, ends the search: a rate good to ~1e-13 (numpy-financial's roots are no better)."""


def irr_by_draw(flows: Array) -> Array:
    """IRR of each row of ``flows`` (draws × periods, first flow undiscounted); NaN where none exists."""
    flows = np.asarray(flows, dtype=float)
    rates = np.full(flows.shape[0], np.nan)
    if flows.shape[1] < 2:
        return rates
    finite = np.isfinite(flows).all(axis=1)
    changes = _sign_changes(np.where(finite[:, None], flows, 0.0))
    single = np.flatnonzero(finite & (changes == 1))
    rates[single] = _newton_bisect(flows[single])
    several = np.flatnonzero(finite & (changes >= 2))
    rates[several] = _companion_roots(flows[several])
    left = single[np.isnan(rates[single])]
    for index in left:
        rates[index] = _one_by_one(flows[index])
    return rates


def _sign_changes(flows: Array) -> Array:
    """How many times each row changes sign, zeros skipped."""
    signs = np.sign(flows)
    columns = np.arange(flows.shape[1])
    last_nonzero = np.maximum.accumulate(np.where(signs != 0, columns, 0), axis=1)
    carried = np.take_along_axis(signs, last_nonzero, axis=1)
    return ((carried[:, 1:] * carried[:, :-1]) < 0).sum(axis=1)


def _newton_bisect(flows: Array) -> Array:
    """The one positive root of each row's polynomial, as a rate; NaN where it did not converge."""
    count, periods = flows.shape
    if count == 0:
        return np.empty(0)
    nonzero = flows != 0
    first = np.argmax(nonzero, axis=1)
    last = periods - 1 - np.argmax(nonzero[:, ::-1], axis=1)
    rows = np.arange(count)
    sign_near_zero = np.sign(flows[rows, first])
    leading = np.abs(flows[rows, last])
    below = np.arange(periods)[None, :] < last[:, None]
    low = np.zeros(count)
    high = 1.0 + np.max(np.where(below, np.abs(flows), 0.0), axis=1) / leading
    x = np.where(high > START, START, high / 2)
    done = np.zeros(count, dtype=bool)
    active = np.arange(count)
    for _ in range(NEWTON_STEPS):
        here = x[active]
        value, slope = _polynomial(flows[active], here)
        root_above = np.sign(value) == sign_near_zero[active]
        low[active] = np.where(root_above, here, low[active])
        high[active] = np.where(root_above, high[active], here)
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = here - value / slope
        inside = np.isfinite(newton) & (newton > low[active]) & (newton < high[active])
        settled = np.isfinite(newton) & (np.abs(newton - here) <= RELATIVE_TOLERANCE * here)
        following = np.where(inside | settled, newton, (low[active] + high[active]) / 2)
        converged = (value == 0) | settled | (high[active] - low[active] <= RELATIVE_TOLERANCE * high[active])
        x[active] = np.where(value == 0, here, following)
        done[active] = converged
        active = active[~converged]
        if active.size == 0:
            break
    with np.errstate(divide="ignore"):
        return np.where(done & (x > 0), 1 / x - 1, np.nan)


def _polynomial(flows: Array, x: Array) -> tuple[Array, Array]:
    """``Σ flow_t · x^t`` and its derivative, by Horner's rule, row by row."""
    value = np.zeros(flows.shape[0])
    slope = np.zeros(flows.shape[0])
    for column in range(flows.shape[1] - 1, -1, -1):
        slope = slope * x + value
        value = value * x + flows[:, column]
    return value, slope


def _companion_roots(flows: Array) -> Array:
    """numpy-financial's rate for each row, its polynomials' roots computed in one call per degree."""
    rates = np.full(flows.shape[0], np.nan)
    nonzero = flows != 0
    first = np.argmax(nonzero, axis=1)
    last = flows.shape[1] - 1 - np.argmax(nonzero[:, ::-1], axis=1)
    for low, high in {(int(a), int(b)) for a, b in zip(first, last, strict=True)}:
        rows = np.flatnonzero((first == low) & (last == high))
        coefficients = flows[rows, low : high + 1][:, ::-1]
        degree = high - low
        companion = np.zeros((len(rows), degree, degree))
        companion[:, 0, :] = -coefficients[:, 1:] / coefficients[:, :1]
        companion[:, np.arange(1, degree), np.arange(degree - 1)] = 1.0
        try:
            roots = np.linalg.eigvals(companion)
        except np.linalg.LinAlgError:
            rates[rows] = [_one_by_one(flows[row]) for row in rows]
            continue
        real = (roots.imag == 0) & (roots.real > 0)
        with np.errstate(divide="ignore"):
            candidates = np.where(real, 1 / np.where(real, roots.real, 1.0) - 1, np.inf)
        closest = np.argmin(np.abs(candidates), axis=1)
        chosen = candidates[np.arange(len(rows)), closest]
        rates[rows] = np.where(np.isfinite(chosen), chosen, np.nan)
    return rates


def _one_by_one(flows: Array) -> float:
    """numpy-financial's IRR of one series, else a bisection for flows spanning more than float's range."""
    try:
        rate = float(npf.irr(flows))
    except np.linalg.LinAlgError:
        rate = _bisect(flows)
    return rate


def _bisect(flows: Array, low: float = -0.99, high: float = 10.0) -> float:
    """A rate where the NPV of ``flows`` changes sign between ``low`` and ``high``, or NaN."""
    periods = np.arange(len(flows))

    def npv(rate: float) -> float:
        return float(np.sum(flows / (1.0 + rate) ** periods))

    if npv(low) * npv(high) > 0:
        return float("nan")
    for _ in range(200):
        middle = (low + high) / 2
        if npv(low) * npv(middle) <= 0:
            high = middle
        else:
            low = middle
    return (low + high) / 2
