"""The result of a simulation: each draw's inputs and key metrics, and what they add up to."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from ..engine import Projection
from ..engine.presentation import VERDICT_LABELS, VERDICT_TESTS, VerdictLabel
from ._distributions import describe
from ._metrics import VERDICT_CODE, KeyMetric
from ._plan import Plan
from ._sampling import BLOCK_DRAWS

PERCENTILES = (5, 10, 50, 90, 95)
CORRELATION_METHOD = (
    "Gaussian copula: normal scores correlated with Pearson 2·sin(π·ρ/6) for rank correlation ρ, "
    "then each entry's inverse CDF"
)


@dataclass(frozen=True)
class Spread:
    """How one number is spread over the draws: mean and percentiles of the draws that have it."""

    base: float
    """Its value in the deterministic projection."""
    mean: float
    percentiles: dict[int, float]
    no_value_share: float
    """Share of draws without a value (an IRR that does not exist)."""

    @property
    def p5(self) -> float:
        return self.percentiles[5]

    @property
    def p50(self) -> float:
        return self.percentiles[50]

    @property
    def p95(self) -> float:
        return self.percentiles[95]


@dataclass(frozen=True)
class Simulation:
    """A Monte Carlo run of one model (in one scenario): ``columns`` holds one value per draw of each
    varied entry (by its key), each key metric (by name) and the verdict's code."""

    base: Projection
    plan: Plan
    metrics: tuple[KeyMetric, ...]
    columns: Mapping[str, np.ndarray]
    draws: int
    seed: int

    @property
    def scenario(self) -> str | None:
        return self.base.scenario

    @cached_property
    def spreads(self) -> dict[str, Spread]:
        """Per key metric, its spread over the draws."""
        return {metric.name: self._spread(metric) for metric in self.metrics}

    def _spread(self, metric: KeyMetric) -> Spread:
        values = self.columns[metric.name]
        base = float(metric.of(self.base)[0])
        present = values[~np.isnan(values)]
        if present.size == 0:
            return Spread(base, math.nan, {p: math.nan for p in PERCENTILES}, 1.0)
        cuts = np.percentile(present, PERCENTILES)
        return Spread(
            base,
            float(present.mean()),
            {p: float(c) for p, c in zip(PERCENTILES, cuts, strict=True)},
            1.0 - present.size / values.size,
        )

    @cached_property
    def verdict_probabilities(self) -> dict[VerdictLabel, float]:
        """The share of draws given each verdict label."""
        codes = self.columns[VERDICT_CODE]
        return {label: float(np.mean(codes == code)) for code, label in enumerate(VERDICT_LABELS)}

    @cached_property
    def pass_probabilities(self) -> dict[str, float]:
        """Per verdict test, the share of draws that pass it."""
        return {test.test: float(np.mean(self.columns[test.flag_row] >= 1)) for test in VERDICT_TESTS}

    def table(self) -> pd.DataFrame:
        """One row per draw: the draw's index, each entry's draw, each key metric and the verdict label."""
        frame = pd.DataFrame({"draw": np.arange(self.draws, dtype=np.int64)})
        flags = {test.flag_row for test in VERDICT_TESTS}
        for name, values in self.columns.items():
            if name != VERDICT_CODE:
                frame[name] = values >= 1 if name in flags else values
        frame["verdict"] = np.asarray(VERDICT_LABELS, dtype=object)[self.columns[VERDICT_CODE].astype(int)]
        return frame

    def document(self, source_file: str = "") -> dict[str, Any]:
        """Everything the simulation's JSON holds; every number finite, or null where it has none."""
        model = self.base.model
        uncertainty = model.uncertainty
        assert uncertainty is not None
        return {
            "finmodel_simulation_version": 1,
            "model": {
                "file": source_file,
                "company": model.company.name,
                "ticker": model.company.ticker,
                "scenario": self.scenario,
                "money": self.base.money,
            },
            "draws": self.draws,
            "seed": self.seed,
            "seeding": f"blocks of {BLOCK_DRAWS} draws, block b seeded by SeedSequence(seed, spawn_key=(b,))",
            "correlation_method": CORRELATION_METHOD,
            "inputs_varied": [
                {
                    "entry": entry.key,
                    "distribution": describe(entry.distribution),
                    "inputs": {varied.spec.name: varied.applies_as for varied in entry.varied},
                    "source": entry.distribution.source,
                    "note": entry.distribution.note,
                    "mean_drawn": _finite(float(np.mean(self.columns[entry.key]))),
                }
                for entry in self.plan.entries
            ],
            "correlation": [{"between": list(pair.between), "rank": pair.rank} for pair in uncertainty.correlation],
            "metrics": {
                metric.name: {
                    "label": metric.label,
                    "unit": metric.unit,
                    "verdict_test": metric.test,
                    **_spread_document(self.spreads[metric.name]),
                }
                for metric in self.metrics
            },
            "verdict_probabilities": self.verdict_probabilities,
            "pass_probabilities": self.pass_probabilities,
        }


def _spread_document(spread: Spread) -> dict[str, float | None]:
    return {
        "base": _finite(spread.base),
        "mean": _finite(spread.mean),
        **{f"p{p}": _finite(value) for p, value in spread.percentiles.items()},
        "no_value_share": _finite(spread.no_value_share),
    }


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None
