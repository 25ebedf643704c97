"""Break-evens: the value of a lever at which a verdict test's margin is zero.

A sweep of :data:`SWEEP_POINTS` values over the lever's range brackets every change of the test's
result (pass or fail, as the verdict judges it; a margin of zero passes a test of "at least"). Each
bracket is then narrowed in rounds; a round evaluates, for every open bracket of every break-even at
once (one engine call), the secant estimate of the margin's zero (exact where the margin is linear,
as in a price level) with points just either side of it, and :data:`ROUND_POINTS` - 1 evenly spaced
points, and keeps the first sub-bracket where the result changes: where the margin is smooth the
next secant, from a bracket that tight, lands on the zero. A bracket is solved when a point's margin is within
:data:`MARGIN_TOLERANCE` of the margin's scale over the sweep, or when it narrows to
:data:`VALUE_TOLERANCE` of the range: then it is a *step* if the margin there is still far from
zero (it jumps across zero, as the cohort-NPV share does, or the test's result changes for another
reason, such as nothing being leased any more).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ._batch import Evaluator, Sample
from ._levers import Moved

SWEEP_POINTS = 33
ROUND_POINTS = 32
MAX_ROUNDS = 4
MARGIN_TOLERANCE = 1e-7
VALUE_TOLERANCE = 1e-5
STEP = 1e-3
"""A bracket narrowed to :data:`VALUE_TOLERANCE` whose margin is still above this share of its scale is a step."""


@dataclass(frozen=True)
class Crossing:
    """Where a test's margin crosses zero: the lever's value and the margin evaluated there."""

    value: float
    margin: float
    shown: float | None
    """The lever's ``show`` metric there, if it has one."""
    passes_above: bool
    """The test passes above the value (the margin rises through zero) rather than below it."""
    step: bool
    """No value gives a zero margin: it jumps across zero at the value."""


@dataclass
class _Bracket:
    """An interval of the lever's values whose ends' margins have opposite signs."""

    job: int
    low: float
    high: float
    low_margin: float
    high_margin: float
    low_shown: float | None
    high_shown: float | None
    passes_above: bool
    done: bool = False
    step: bool = False

    def best(self) -> tuple[float, float, float | None]:
        if abs(self.low_margin) <= abs(self.high_margin):
            return self.low, self.low_margin, self.low_shown
        return self.high, self.high_margin, self.high_shown


def sweep_values(lever: Moved) -> np.ndarray:
    return np.linspace(lever.low, lever.high, SWEEP_POINTS)


def solve(
    evaluator: Evaluator, jobs: Sequence[tuple[Moved, str]], sweeps: Sequence[Sample]
) -> list[tuple[Crossing, ...]]:
    """The crossings of each ``(lever, test key)`` job within its range, given its sweep's sample."""
    brackets: list[_Bracket] = []
    scales = []
    for number, ((lever, key), sample) in enumerate(zip(jobs, sweeps, strict=True)):
        values, margins, shown = sweep_values(lever), sample.margin(key), _shown(lever, sample)
        passed = sample.passed(key)
        scales.append(float(np.max(np.abs(margins))) or 1.0)
        for i in np.flatnonzero(passed[:-1] != passed[1:]):
            brackets.append(
                _Bracket(
                    number,
                    float(values[i]),
                    float(values[i + 1]),
                    float(margins[i]),
                    float(margins[i + 1]),
                    shown[i],
                    shown[i + 1],
                    passes_above=bool(passed[i + 1]),
                )
            )
    for bracket in brackets:
        _check(bracket, scales[bracket.job], jobs[bracket.job][0])
    for _ in range(MAX_ROUNDS):
        open_brackets = [bracket for bracket in brackets if not bracket.done]
        if not open_brackets:
            break
        candidates = [_candidates(bracket) for bracket in open_brackets]
        blocks = [
            (len(points), jobs[bracket.job][0].arrays(points))
            for bracket, points in zip(open_brackets, candidates, strict=True)
        ]
        for bracket, points, sample in zip(open_brackets, candidates, evaluator.evaluate(blocks), strict=True):
            lever, key = jobs[bracket.job]
            _narrow(bracket, points, sample, key, _shown(lever, sample))
            _check(bracket, scales[bracket.job], lever)
    found: list[list[Crossing]] = [[] for _ in jobs]
    for bracket in brackets:
        value, margin, seen = bracket.best()
        found[bracket.job].append(Crossing(value, margin, seen, bracket.passes_above, bracket.step))
    return [tuple(crossings) for crossings in found]


def _shown(lever: Moved, sample: Sample) -> list[float | None]:
    if lever.show is None:
        return [None] * len(sample)
    return [float(value) for value in sample.metrics[lever.show]]


def _check(bracket: _Bracket, scale: float, lever: Moved) -> None:
    _, margin, _ = bracket.best()
    if abs(margin) <= MARGIN_TOLERANCE * scale:
        bracket.done = True
    elif bracket.high - bracket.low <= VALUE_TOLERANCE * (lever.high - lever.low):
        bracket.done = True
        bracket.step = abs(margin) > STEP * scale


def _candidates(bracket: _Bracket) -> np.ndarray:
    """The secant estimate and evenly spaced points strictly inside the bracket."""
    width = bracket.high - bracket.low
    inside = bracket.low + width * np.arange(1, ROUND_POINTS) / ROUND_POINTS
    rise = bracket.high_margin - bracket.low_margin
    if rise != 0:
        secant = bracket.low - bracket.low_margin * width / rise
        near = secant + width * np.array([0.0, -1e-3, 1e-3, -1e-5, 1e-5])
        inside = np.append(inside, near[(near > bracket.low) & (near < bracket.high)])
    return np.unique(inside)


def _narrow(bracket: _Bracket, points: np.ndarray, sample: Sample, key: str, shown: list[float | None]) -> None:
    """Keep the first sub-bracket in which the test's result changes."""
    values = [bracket.low, *map(float, points), bracket.high]
    margins = [bracket.low_margin, *map(float, sample.margin(key)), bracket.high_margin]
    passed = [not bracket.passes_above, *map(bool, sample.passed(key)), bracket.passes_above]
    seen = [bracket.low_shown, *shown, bracket.high_shown]
    for i in range(len(values) - 1):
        if passed[i] != passed[i + 1]:
            bracket.low, bracket.high = values[i], values[i + 1]
            bracket.low_margin, bracket.high_margin = margins[i], margins[i + 1]
            bracket.low_shown, bracket.high_shown = seen[i], seen[i + 1]
            return
