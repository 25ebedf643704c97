"""Many points of a sensitivity evaluated together: each point is one draw of one vectorised
``project(model, inputs=...)`` call, on the base model's graph.

Points that move different inputs share a call: an input a point does not move keeps its base row
there. Draws are evaluated in chunks of at most :data:`CHUNK_DRAWS`, so memory stays bounded
whatever the grids ask for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..engine import InputSpec, project
from ..engine.presentation import VERDICT_LABELS, VERDICT_TESTS, VerdictLabel
from ..schema import CompanyModel

CHUNK_DRAWS = 512
"""Draws evaluated by one engine call at most (Meta: about 130 kB a draw)."""


TESTS = {test.test.replace(" ", "_").lower(): test for test in VERDICT_TESTS}
"""The verdict's tests by key (``economic profit`` is ``economic_profit``), in the order of the verdict's reasons."""


@dataclass
class Runs:
    """How many engine calls and draws a sensitivity took: the note of how its figures were made."""

    calls: int = 0
    draws: int = 0


@dataclass(frozen=True)
class Sample:
    """Single-value results at a set of points: each metric as an array with one value per point."""

    metrics: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.metrics["verdict_code"])

    def margin(self, key: str) -> np.ndarray:
        """A test's value less its threshold at each point: positive clears it (by key, e.g. ``coverage``)."""
        test = TESTS[key]
        return self.metrics[test.value_row] - self.metrics[test.threshold_row]

    def passed(self, key: str) -> np.ndarray:
        """Whether the test passes at each point, as the verdict judges it (its flag row)."""
        return self.metrics[TESTS[key].flag_row] >= 1

    def label(self, point: int) -> VerdictLabel:
        return VERDICT_LABELS[int(self.metrics["verdict_code"][point])]

    def take(self, points: slice | Sequence[int] | np.ndarray) -> Sample:
        return Sample({name: values[points] for name, values in self.metrics.items()})


@dataclass
class Evaluator:
    """Evaluates blocks of points of one model and reads the metrics every analysis needs."""

    model: CompanyModel
    specs: Sequence[InputSpec]
    extra_metrics: tuple[str, ...] = ()
    runs: Runs = field(default_factory=Runs)

    @property
    def metric_names(self) -> tuple[str, ...]:
        rows = [row for test in VERDICT_TESTS for row in (test.value_row, test.threshold_row, test.flag_row)]
        return tuple(dict.fromkeys(["verdict_code", *rows, *self.extra_metrics]))

    def evaluate(self, blocks: Sequence[tuple[int, dict[str, np.ndarray]]]) -> list[Sample]:
        """Each block is ``(points, input rows)``, every row ``(points, columns)``; one sample per block."""
        sizes = [points for points, _ in blocks]
        total = sum(sizes)
        if total == 0:
            return [Sample({name: np.empty(0) for name in self.metric_names}) for _ in blocks]
        base = {spec.name: np.asarray(spec.base, dtype=float) for spec in self.specs}
        moved = sorted({name for _, rows in blocks for name in rows})
        merged = {name: np.tile(base[name], (total, 1)) for name in moved}
        start = 0
        for points, rows in blocks:
            for name, values in rows.items():
                merged[name][start : start + points] = values
            start += points
        chunks = []
        for first in range(0, total, CHUNK_DRAWS):
            last = min(first + CHUNK_DRAWS, total)
            projection = project(
                self.model, inputs={name: merged[name][first:last] for name in moved}, draws=last - first
            )
            self.runs.calls += 1
            self.runs.draws += last - first
            chunks.append({name: projection.series(name)[:, 0].copy() for name in self.metric_names})
        metrics = {name: np.concatenate([chunk[name] for chunk in chunks]) for name in self.metric_names}
        whole = Sample(metrics)
        edges = np.cumsum([0, *sizes])
        return [whole.take(slice(edges[i], edges[i + 1])) for i in range(len(blocks))]
