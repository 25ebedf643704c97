"""One draw of a projection as the invariants read it, and the decorator that runs an invariant on
every draw."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from ..engine import Projection
from ._violation import Violation

Invariant = Callable[[Projection], list[Violation]]


@dataclass(frozen=True)
class _Draw:
    """One draw of a projection, read row by row, with the model's timing."""

    projection: Projection
    index: int
    invariant: str
    periods: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "periods", self.projection.periods)

    def row(self, name: str) -> np.ndarray:
        return self.projection.series(name)[self.index]

    def total(self, names: Iterable[str]) -> np.ndarray:
        """The sum of several period rows."""
        return np.sum([self.row(name) for name in names], axis=0)

    def scalar(self, name: str) -> float:
        return float(self.row(name)[0])

    def violation(self, line_item: str, column: str | None, message: str, **values: float) -> Violation:
        where = f" (draw {self.index})" if self.projection.draws > 1 else ""
        return Violation(
            self.invariant,
            line_item,
            column,
            {k: float(v) for k, v in values.items()},
            message + where,
            self.projection.scenario,
        )

    def age_at_end(self, vintage: int, column: int) -> float:
        """Years a purchase of ``vintage`` has been in service when ``column`` ends."""
        timeline = self.projection.model.timeline
        step = timeline.period_years
        return (column - vintage + timeline.first_period_fraction) * step


def _each_draw(check: Callable[[_Draw], Iterator[Violation]]) -> Invariant:
    """Run ``check`` on every draw of a projection, naming the draw when there are several."""

    @functools.wraps(check)
    def run(projection: Projection) -> list[Violation]:
        return [found for index in range(projection.draws) for found in check(_Draw(projection, index, check.__name__))]

    return run
