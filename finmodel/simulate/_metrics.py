"""The few numbers a simulation keeps of each draw: the headline metrics, each verdict test's
margin and pass flag, each generation's cohort NPV and IRR if leased, and the verdict's code."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine import Projection
from ..engine.presentation import HEADLINE_METRICS, VERDICT_TESTS

VERDICT_CODE = "verdict_code"


@dataclass(frozen=True)
class KeyMetric:
    """A number per draw: a scalar row, or (with ``threshold``) a verdict test's value less its threshold."""

    name: str
    label: str
    unit: str
    row: str
    threshold: str | None = None
    test: str | None = None
    """The verdict test whose margin this is."""

    def of(self, projection: Projection) -> np.ndarray:
        values = projection.series(self.row)[:, 0]
        if self.threshold is not None:
            values = values - projection.series(self.threshold)[:, 0]
        return np.array(values, dtype=float)


def key_metrics(projection: Projection) -> tuple[KeyMetric, ...]:
    """The key metrics of a model, in the order the JSON and the memo list them."""
    rows = projection.graph.rows
    money = projection.money
    found = [KeyMetric(metric.row, metric.label, rows[metric.row].unit, metric.row) for metric in HEADLINE_METRICS]
    for test in VERDICT_TESTS:
        unit = money if test.unit == "money" else test.unit
        name = f"margin[{test.test.replace(' ', '_').lower()}]"
        label = f"{test.title}: margin over the threshold"
        found.append(KeyMetric(name, label, unit, test.value_row, test.threshold_row, test.test))
    for generation in projection.model.generations_used():
        for row, label in (("cohort_lease_npv_usd", "NPV at hurdle if leased"), ("cohort_irr", "IRR if leased")):
            name = f"{row}[{generation}]"
            if name in rows:
                found.append(KeyMetric(name, f"{generation}: {label}", rows[name].unit, name))
    return tuple(found)


def per_draw(projection: Projection, metrics: tuple[KeyMetric, ...]) -> dict[str, np.ndarray]:
    """Each key metric, each verdict test's pass flag and the verdict's code, one value per draw."""
    columns = {metric.name: metric.of(projection) for metric in metrics}
    for name in (*(test.flag_row for test in VERDICT_TESTS), VERDICT_CODE):
        columns[name] = np.array(projection.series(name)[:, 0], dtype=float)
    return columns
