"""The result of a sensitivity analysis, and its JSON document (finite numbers only: a value that is
not finite, such as an IRR that does not exist, is written ``null``)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..engine.presentation import VerdictLabel
from ._batch import TESTS, Sample
from ._levers import Moved
from ._solve import MARGIN_TOLERANCE, Crossing

HURDLE = "hurdle_rate"


@dataclass(frozen=True)
class Metric:
    """A single-value result of the projection, as tables name it."""

    name: str
    label: str
    unit: str


@dataclass(frozen=True)
class Point:
    """The verdict's figures at one point: a lever at one value (the base case has none)."""

    value: float
    shown: float | None
    """The lever's ``show`` metric here."""
    economic_profit: float
    coverage: float
    margins: Mapping[str, float]
    """Each test's value less its threshold, by test key (positive clears it)."""
    label: VerdictLabel


def point_of(sample: Sample, index: int, value: float, show: str | None) -> Point:
    return Point(
        value=value,
        shown=None if show is None else float(sample.metrics[show][index]),
        economic_profit=float(sample.metrics["horizon_leasing_economic_profit"][index]),
        coverage=float(sample.metrics["horizon_coverage"][index]),
        margins={key: float(sample.margin(key)[index]) for key in TESTS},
        label=sample.label(index),
    )


@dataclass(frozen=True)
class TornadoBar:
    """One lever moved alone to each end of its range."""

    lever: Moved
    low: Point
    high: Point
    swing: float
    """How far the ranking test's margin moves between the two ends (absolute)."""


@dataclass(frozen=True)
class GridResult:
    """Two levers moved together over every pair of their values."""

    rows: Moved
    row_values: tuple[float, ...]
    columns: Moved
    column_values: tuple[float, ...]
    metrics: tuple[Metric, ...]
    values: Mapping[str, tuple[tuple[float, ...], ...]]
    """Per metric name, its value in each row (the rows lever's values) and column."""
    labels: tuple[tuple[VerdictLabel, ...], ...]
    note: str | None = None


@dataclass(frozen=True)
class BreakEvenResult:
    """Where a test's margin crosses zero as one lever moves over its range."""

    lever: Moved
    test: str
    """The test's key (``economic_profit``)."""
    title: str
    crossings: tuple[Crossing, ...]
    base_margin: float
    passes_throughout: bool | None
    """Without a crossing: whether the test passes at every value of the range (else fails at every one)."""


@dataclass(frozen=True)
class Sensitivity:
    """A model's tornado, two-way grids and break-evens, with how they were computed."""

    company: str
    ticker: str
    scenario: str
    currency: str
    money_unit: str
    base: Point
    rank_by: str
    tornado: tuple[TornadoBar, ...]
    grids: tuple[GridResult, ...]
    break_evens: tuple[BreakEvenResult, ...]
    shown: Mapping[str, Metric]
    """The ``show`` metrics of the levers, by name."""
    base_metrics: Mapping[str, float]
    """The base case's value of every metric read besides the verdict's (grid and ``show`` metrics, the hurdle)."""
    engine_calls: int
    draws: int
    finmodel_version: str

    @property
    def hurdle(self) -> float:
        """The base case's hurdle rate."""
        return self.base_metrics[HURDLE]

    @property
    def method(self) -> str:
        """How the figures were made, in a sentence: for the notes beside them."""
        return (
            f"Computed by finmodel {self.finmodel_version} in {self.engine_calls} vectorised engine run(s) of "
            f"{self.draws:,} draws in all, each draw one point on the {self.scenario} case's graph: every lever "
            "moved alone (tornado) or in pairs (grids) with all other inputs at their base values; break-evens "
            f"bracketed by a sweep of the range and narrowed until the margin is zero to within {MARGIN_TOLERANCE:g} "
            "of its size over the range. Each lever's inputs (or model fields) and range are listed with it. Values, "
            "not formulas: the scenario selector does not change them."
        )

    def document(self) -> dict[str, Any]:
        """The JSON document of ``finmodel sensitivity``."""
        return {
            "company": self.company,
            "ticker": self.ticker,
            "scenario": self.scenario,
            "money_unit": f"{self.currency} {self.money_unit}",
            "method": self.method,
            "engine_calls": self.engine_calls,
            "draws": self.draws,
            "finmodel_version": self.finmodel_version,
            "tests": {key: {"title": test.title, "unit": test.unit} for key, test in TESTS.items()},
            "base": {**_point(self.base), "metrics": {name: _n(value) for name, value in self.base_metrics.items()}},
            "tornado": {
                "rank_by": self.rank_by,
                "levers": [
                    {
                        **_lever(bar.lever, self.shown),
                        "low": _point(bar.low),
                        "high": _point(bar.high),
                        "swing": _n(bar.swing),
                    }
                    for bar in self.tornado
                ],
            },
            "grids": [_grid(grid) for grid in self.grids],
            "break_evens": [_break_even(found, self.shown) for found in self.break_evens],
        }


def _n(value: float | None) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def _point(point: Point) -> dict[str, Any]:
    return {
        "value": _n(point.value),
        "shown": _n(point.shown),
        "label": point.label,
        "economic_profit": _n(point.economic_profit),
        "coverage": _n(point.coverage),
        "margins": {key: _n(margin) for key, margin in point.margins.items()},
    }


def _lever(lever: Moved, shown: Mapping[str, Metric]) -> dict[str, Any]:
    metric = shown.get(lever.show) if lever.show else None
    return {
        "label": lever.label,
        "kind": lever.kind,
        "targets": list(lever.targets),
        "inputs_moved": list(lever.inputs_moved),
        "scale": lever.scale,
        "unit": lever.unit,
        "base": _n(lever.base),
        "low": _n(lever.low),
        "high": _n(lever.high),
        "show": None if metric is None else {"name": metric.name, "label": metric.label, "unit": metric.unit},
        "declared_at": lever.where or None,
        "note": lever.note,
        "source": lever.source,
    }


def _grid(grid: GridResult) -> dict[str, Any]:
    return {
        "rows": {**_lever(grid.rows, {}), "values": [_n(v) for v in grid.row_values]},
        "columns": {**_lever(grid.columns, {}), "values": [_n(v) for v in grid.column_values]},
        "metrics": [
            {
                "name": metric.name,
                "label": metric.label,
                "unit": metric.unit,
                "values": [[_n(v) for v in row] for row in grid.values[metric.name]],
            }
            for metric in grid.metrics
        ],
        "labels": [list(row) for row in grid.labels],
        "note": grid.note,
    }


def _break_even(found: BreakEvenResult, shown: Mapping[str, Metric]) -> dict[str, Any]:
    return {
        "test": found.test,
        "lever": _lever(found.lever, shown),
        "base_margin": _n(found.base_margin),
        "crossings": [
            {
                "value": _n(crossing.value),
                "margin": _n(crossing.margin),
                "shown": _n(crossing.shown),
                "passes": "above" if crossing.passes_above else "below",
                "step": crossing.step,
            }
            for crossing in found.crossings
        ],
        "passes_throughout": found.passes_throughout,
        "found": bool(found.crossings),
    }
