"""``project(model)``: evaluate the line items and judge the result.

Pure: no files are read or written here. The result keeps every row as a ``(draws, columns)``
array; the pandas views show draw 0, which is the deterministic projection when no input was
varied.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np
import pandas as pd

from .._scenarios import with_scenario
from ..schema import CompanyModel
from ._inputs import COHORT_PREFIX, Assumptions, resolve
from ._ir import Graph
from ._lineitems import define
from ._numpy import evaluate

VerdictLabel = Literal["revenue asset", "partly", "cost centre"]


@dataclass(frozen=True)
class Reason:
    """One test of the verdict: what was measured, against what, and whether it passed."""

    test: str
    passed: bool
    value: float
    threshold: float
    detail: str


@dataclass(frozen=True)
class Verdict:
    """Whether the AI CapEx becomes a revenue asset, with the reasons.

    ``probability`` is the share of draws judged a revenue asset (1 or 0 in a single run).
    """

    label: VerdictLabel
    reasons: tuple[Reason, ...]
    probability: float


@dataclass(frozen=True)
class Projection:
    """The projection of one model (in one scenario)."""

    model: CompanyModel
    graph: Graph
    assumptions: Assumptions
    values: Mapping[str, np.ndarray]
    draws: int

    @property
    def scenario(self) -> str | None:
        return self.model.scenario_name

    @property
    def periods(self) -> tuple[str, ...]:
        return self.model.timeline.labels

    def rows_on(self, axis: str, kind: str | None = None) -> list[str]:
        return [
            name for name, row in self.graph.rows.items() if row.axis == axis and (kind is None or row.kind == kind)
        ]

    @cached_property
    def line_items(self) -> pd.DataFrame:
        """Every period line item (columns) by period (index), for draw 0."""
        names = self.rows_on("period", "calc")
        return pd.DataFrame({name: self.values[name][0] for name in names}, index=pd.Index(self.periods, name="period"))

    @cached_property
    def metrics(self) -> dict[str, float]:
        """Every scalar result (horizon totals, cohort NPV/IRR, costs per hour), for draw 0."""
        return {name: float(self.values[name][0, 0]) for name in self.rows_on("scalar", "calc")}

    @cached_property
    def cohorts(self) -> dict[str, pd.DataFrame]:
        """Per generation, the representative cohort's flows by year of age, for draw 0."""
        tables = {}
        for axis in self.graph.axes.values():
            if axis.name.startswith(COHORT_PREFIX):
                names = self.rows_on(axis.name)
                tables[axis.name.removeprefix(COHORT_PREFIX)] = pd.DataFrame(
                    {name: self.values[name][0] for name in names}, index=pd.Index(axis.labels, name="year")
                )
        return tables

    @cached_property
    def verdict(self) -> Verdict:
        return judge(self)

    def series(self, name: str) -> np.ndarray:
        """A row's values for all draws, shape ``(draws, columns)``."""
        return self.values[name]


def project(
    model: CompanyModel,
    scenario: str | None = None,
    *,
    draws: int = 1,
    inputs: Mapping[str, np.ndarray] | None = None,
) -> Projection:
    """Project a model. ``inputs`` replaces assumptions by name with arrays that broadcast to
    ``(draws, columns)`` — the hook for sensitivities and simulation."""
    model = with_scenario(model, scenario)
    assumptions = resolve(model)
    graph = define(assumptions)
    values = {name: np.asarray(row.values)[None, :] for name, row in assumptions.rows.items()}
    for name, array in (inputs or {}).items():
        if name not in values:
            raise KeyError(f"unknown input {name!r}")
        values[name] = np.asarray(array, dtype=float)
    results = evaluate(graph, values, draws)
    return Projection(model, graph, assumptions, results, draws)


VERDICT_LABELS: tuple[VerdictLabel, ...] = ("revenue asset", "partly", "cost centre")


def judge(projection: Projection) -> Verdict:
    """Read the verdict rows of the graph and explain them in words.

    The tests themselves are line items (``verdict_*``), so the workbook computes the same
    verdict live; this function only describes them.
    """
    v = projection.values
    scalar = lambda name: v[name][:, 0]  # noqa: E731
    model = projection.model
    money = f"{model.company.currency} {model.company.money_unit}"
    codes = scalar("verdict_code").astype(int)
    first = lambda name: float(scalar(name)[0])  # noqa: E731
    passed = lambda name: bool(first(name) >= 1)  # noqa: E731

    revenue, coverage, minimum = first("horizon_leasing_revenue"), first("horizon_coverage"), first("min_coverage")
    profit, share, min_share = (
        first("horizon_leasing_economic_profit"),
        first("horizon_leasing_share_of_value"),
        first("min_leasing_share"),
    )
    positive = first("verdict_positive_npv_share")
    generations = model.generations_used()
    leased = [g for g in generations if first(f"horizon_leasing_revenue[{g}]") > 0]
    losing = [g for g in leased if first(f"cohort_lease_npv_usd[{g}]") <= 0]
    reasons = (
        Reason(
            "coverage",
            passed("verdict_coverage_passed"),
            coverage,
            minimum,
            f"leasing revenue {revenue:,.2f} {money} is {coverage:.2f}x the depreciation of the leased capacity "
            f"(needs {minimum:.2f}x)",
        ),
        Reason(
            "economic profit",
            passed("verdict_economic_profit_passed"),
            profit,
            0.0,
            f"leasing NOPAT less a {first('hurdle_rate'):.1%} charge on its capital employed "
            f"sums to {profit:,.2f} {money}",
        ),
        Reason(
            "cohort NPV",
            passed("verdict_cohort_npv_passed"),
            positive,
            1.0,
            "no capacity is leased"
            if not leased
            else (
                f"{positive:.0%} of leasing revenue comes from generations whose accelerator, leased for its life, "
                "has a positive NPV at the hurdle" + (f"; negative: {', '.join(losing)}" if losing else "")
            ),
        ),
        Reason(
            "materiality",
            passed("verdict_materiality_passed"),
            share,
            min_share,
            f"leasing is {share:.1%} of the market value of all capacity in use (needs {min_share:.0%})",
        ),
    )
    return Verdict(VERDICT_LABELS[int(codes[0])], reasons, float(np.mean(codes == 0)))
