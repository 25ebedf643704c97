"""The memo's content as plain data: numbers as the engine gives them, facts chosen from them.

Templates lay this out and write numbers through the filters of ``_format``; nothing here formats
a number. Nothing here projects either: the only arithmetic is a ratio of two engine values (how
far a test is from its threshold) or a sum of an engine row over the verdict's horizon.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from ..._scenarios import BASE
from ...engine import Projection
from ...engine import presentation as p
from ...schema import CompanyModel
from ._format import money_scale

BASE_DESCRIPTION = "the model as written, without scenario overrides"
PERIODS_PER_TABLE = {"annual": 12, "quarterly": 8}
"""Columns of one table of periods: every year of a plan, or two years of quarters, fit a page."""


def memo_context(projections: Mapping[str, Projection], selected: str) -> dict[str, Any]:
    """Everything one company's memo shows, for the scenario ``selected``."""
    projection = projections[selected]
    tests = tests_of(projection)
    scenarios = scenarios_of(projections, selected)
    return {
        "title": title_of(projections, selected),
        "money": money_of(projection.model),
        "verdict": verdict_of(projection, tests),
        "metrics": metrics_of(projection),
        "reconciliation": [asdict(item) for item in projection.reconciliation],
        "by_year": _by_year(projection),
        "generations": generations(projection),
        "scenarios": scenarios,
        "risks": _risks(projection, tests, scenarios),
        "assumption_sections": _assumption_sections(projection),
        "methodology": _methodology(projection),
    }


def money_of(model: CompanyModel) -> dict[str, str]:
    """The arguments of the ``money`` filter: the model's currency and money unit."""
    return {"currency": model.company.currency, "money_unit": model.company.money_unit}


def title_of(projections: Mapping[str, Projection], selected: str) -> dict[str, Any]:
    projection = projections[selected]
    model = projection.model
    first, last = _horizon(projection)
    return {
        "company": model.company.name,
        "ticker": model.company.ticker,
        "scenario": selected,
        "scenario_description": _description(projections, selected),
        "first_period": projection.declared_periods[0],
        "last_period": projection.declared_periods[-1],
        "runoff_last": _runoff_last(projection),
        "frequency": model.timeline.frequency,
        "horizon_first": first,
        "horizon_last": last,
    }


def _runoff_last(projection: Projection) -> str | None:
    """The last run-off period's own label (e.g. '2038'), or ``None`` without run-off."""
    runoff = projection.periods[len(projection.declared_periods) :]
    return runoff[-1].removesuffix(" run-off") if runoff else None


def _description(projections: Mapping[str, Projection], scenario: str) -> str:
    """A scenario's description, from the base model (a scenario's own model has no scenarios)."""
    return BASE_DESCRIPTION if scenario == BASE else projections[BASE].model.scenarios[scenario].description


def _horizon(projection: Projection) -> tuple[str, str]:
    """First and last period of the timeline the verdict's horizon covers (the whole plan if it flags
    none); the run-off after it always counts."""
    declared = projection.declared_periods
    flags = projection.line_items["in_horizon"].to_numpy()[: len(declared)]
    inside = [period for period, flag in zip(declared, flags, strict=True) if flag >= 1]
    inside = inside or list(declared)
    return inside[0], inside[-1]


def horizon_sum(projection: Projection, row: str) -> float:
    items = projection.line_items
    return float((items[row] * items["in_horizon"]).sum())


def safe_ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else math.nan


# --------------------------------------------------------------------------- verdict


def tests_of(projection: Projection) -> list[dict[str, Any]]:
    """Each test with its value and threshold, and how far apart they are: ``gap`` (value less
    threshold, in the test's unit), ``change`` (the relative change of the test's driver that would
    bring it to the threshold: negative is room to fall) and ``margin`` (relative to the threshold,
    so tests of different units can be ranked; positive passes)."""
    metrics = projection.metrics
    hurdle = _hurdle(projection)
    specs = {spec.test: spec for spec in p.VERDICT_TESTS}
    tests = []
    for reason in projection.verdict.reasons:
        spec = specs[reason.test]
        test = {
            "test": reason.test,
            "title": spec.title,
            "measure": spec.measure,
            "unit": spec.unit,
            "comparison": spec.comparison,
            "driver": spec.driver,
            "passed": reason.passed,
            "value": reason.value,
            "threshold": reason.threshold,
            "gap": reason.value - reason.threshold,
            "hurdle": hurdle,
            "nothing_leased": metrics["horizon_leasing_revenue"] <= 0,
        }
        if reason.test == "economic profit":
            revenue = metrics["pv_leasing_economic_revenue"]
            test.update(
                revenue=revenue,
                margin=safe_ratio(reason.value - reason.threshold, revenue),
                change=math.nan,
            )
        elif reason.test == "cohort NPV":
            leased = [g for g in generations(projection) if g["leased"]]
            weakest = min(leased, key=lambda g: g["irr"]) if leased else None
            test.update(
                losing=[g for g in leased if g["npv"] <= 0],
                weakest=weakest,
                margin=safe_ratio(weakest["irr"], hurdle) - 1 if weakest else math.nan,
                change=math.nan,
            )
        else:
            test.update(
                margin=safe_ratio(reason.value, reason.threshold) - 1,
                change=safe_ratio(reason.threshold, reason.value) - 1 if reason.value > 0 else math.nan,
                scale_needed=safe_ratio(reason.threshold, reason.value) if reason.value > 0 else math.nan,
            )
        tests.append(test)
    return tests


def _hurdle(projection: Projection) -> float:
    return float(projection.values["hurdle_rate"][0, 0])


def _ranked(tests: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The failing tests from nearest to farthest from passing, and the passing tests from nearest
    to farthest from failing (a test without a margin counts as farthest)."""
    ranked = sorted(tests, key=lambda t: t["margin"] if math.isfinite(t["margin"]) else -math.inf)
    failed = [t for t in reversed(ranked) if not t["passed"]]
    passed = sorted(
        (t for t in tests if t["passed"]), key=lambda t: t["margin"] if math.isfinite(t["margin"]) else math.inf
    )
    return failed, passed


def verdict_of(projection: Projection, tests: list[dict[str, Any]]) -> dict[str, Any]:
    """The label and its tests, with those that decide it."""
    failed, passed = _ranked(tests)
    label = projection.verdict.label
    return {
        "label": label,
        "nothing_leased": projection.metrics["horizon_leasing_revenue"] <= 0,
        "headline": p.VERDICT_HEADLINES[label],
        "colour": p.VERDICT_COLOURS[label],
        "tests": tests,
        "failed": failed,
        "passed": [t for t in tests if t["passed"]],
        "thinnest_pass": passed[0] if passed else None,
        "farthest_fail": failed[-1] if failed else None,
        "metrics": projection.metrics,
        "hurdle": _hurdle(projection),
    }


def metrics_of(projection: Projection) -> list[dict[str, Any]]:
    rows = projection.graph.rows
    return [
        {"row": m.row, "label": m.label, "value": projection.metrics[m.row], "unit": rows[m.row].unit}
        for m in p.HEADLINE_METRICS
    ]


def _by_year(projection: Projection) -> dict[str, Any]:
    """The memo's period rows, money in one unit chosen by size, in blocks of at most
    :data:`PERIODS_PER_TABLE` columns so a long or quarterly plan prints as tables that fit the page."""
    items = projection.line_items
    rows = projection.graph.rows
    company = projection.model.company
    is_money = {name: p.number_format(rows[name].unit).kind == "money" for name in p.MEMO_PERIOD_ROWS}
    largest = max((items[name].abs().max() for name in p.MEMO_PERIOD_ROWS if is_money[name]), default=0.0)
    divisor, unit = money_scale(largest, company.currency, company.money_unit)
    inside = [flag >= 1 for flag in items["in_horizon"]]
    width = PERIODS_PER_TABLE[projection.model.timeline.frequency]
    blocks = []
    for first in range(0, len(projection.periods), width):
        columns = range(first, min(first + width, len(projection.periods)))
        blocks.append(
            {
                "periods": [{"label": projection.periods[i], "in_horizon": inside[i]} for i in columns],
                "rows": [
                    {
                        "row": name,
                        "label": rows[name].label,
                        "unit": rows[name].unit,
                        "is_money": is_money[name],
                        "cells": [
                            {
                                "value": float(items[name].iloc[i]) / (divisor if is_money[name] else 1.0),
                                "in_horizon": inside[i],
                            }
                            for i in columns
                        ],
                    }
                    for name in p.MEMO_PERIOD_ROWS
                ],
            }
        )
    return {"money_unit": unit, "blocks": blocks}


# --------------------------------------------------------------------------- generations


def generations(projection: Projection) -> list[dict[str, Any]]:
    """Unit economics of one accelerator of each generation the plan buys."""
    model = projection.model
    metrics = projection.metrics
    palette = tuple(model.gpus)
    rows = []
    for g in model.generations_used():
        prices = projection.cohorts[g][f"cohort_rental_price_usd_per_hour[{g}]"]
        rows.append(
            {
                "name": g,
                "colour": p.generation_colour(palette, g),
                "first_bought": projection.periods[model.first_purchase(g) or 0],
                "unit_cost": metrics[f"cohort_unit_cost_usd[{g}]"],
                "book_life": metrics[f"cohort_useful_life_years[{g}]"],
                "economic_life": metrics[f"cohort_economic_life_years[{g}]"],
                "cost_per_hour": metrics[f"cohort_economic_cost_per_hour_usd[{g}]"],
                "first_year_price": metrics[f"cohort_first_year_price_usd_per_hour[{g}]"],
                "last_year_price": float(prices.iloc[-1]),
                "break_even_price": metrics[f"cohort_break_even_price_usd_per_hour[{g}]"],
                "irr": metrics[f"cohort_irr[{g}]"],
                "payback": metrics[f"cohort_payback_years[{g}]"],
                "pays_back": metrics[f"cohort_pays_back[{g}]"] >= 1,
                "npv": metrics[f"cohort_lease_npv_usd[{g}]"],
                "leasing_revenue": metrics[f"horizon_leasing_revenue[{g}]"],
                "leased": metrics[f"horizon_leasing_revenue[{g}]"] > 0,
                "moved": _moved(projection, g),
            }
        )
    return rows


def _moved(projection: Projection, generation: str) -> dict[str, Any] | None:
    """Moving a unit built for internal use to leasing at the age the model declares: what it gives up
    (its market value then) and the NPV of leasing it from then on."""
    age = projection.model.leasing.moved_at_age_years.get(generation)
    metrics = projection.metrics
    key = f"cohort_moved_npv_usd[{generation}]"
    if age is None or key not in metrics:
        return None
    return {"age": age, "market_value": metrics[f"cohort_moved_market_value_usd[{generation}]"], "npv": metrics[key]}


# --------------------------------------------------------------------------- scenarios, risks


def scenarios_of(projections: Mapping[str, Projection], selected: str) -> list[dict[str, Any]]:
    scenarios = []
    for name, projection in projections.items():
        scenarios.append(
            {
                "name": name,
                "description": _description(projections, name),
                "selected": name == selected,
                "label": projection.verdict.label,
                "failed": [t["test"] for t in tests_of(projection) if not t["passed"]],
                "metrics": metrics_of(projection),
            }
        )
    return scenarios


def _risks(projection: Projection, tests: list[dict[str, Any]], scenarios: list[dict[str, Any]]) -> dict[str, Any]:
    """What would change the verdict: the failing tests and what each needs, the passing tests
    nearest to failing, scenarios that judge differently and book against economic lives."""
    failed, passed = _ranked(tests)
    return {
        "to_pass": failed,
        "to_fail": passed[:2],
        "scenarios": [s for s in scenarios if s["label"] != projection.verdict.label],
        "lives": life_policy(projection),
        "book_depreciation": horizon_sum(projection, "depreciation"),
        "economic_depreciation": horizon_sum(projection, "economic_depreciation"),
    }


def _assumption_sections(projection: Projection) -> list[dict[str, Any]]:
    """Every input with its values and provenance, grouped by the model section it comes from.

    Values and sources are given as runs of columns, so a value carried across periods is written
    once with the periods it covers.
    """
    model = projection.model
    sections: dict[str, list[dict[str, Any]]] = {}
    for assumption in projection.assumptions.rows.values():
        labels = projection.graph.axes[assumption.axis].labels
        prefix = "age " if assumption.axis.startswith("cohort:") else ""
        provenance = [model.source_of(path) for path in assumption.paths]
        root = assumption.paths[0].split(".")[0]
        sections.setdefault(root, []).append(
            {
                "name": assumption.name,
                "label": assumption.label,
                "unit": assumption.unit,
                "value_runs": [
                    {"span": span, "value": assumption.values[first]}
                    for span, first in _runs(assumption.values, labels, prefix)
                ],
                "source_runs": [
                    {"span": span, "source": provenance[first].source, "note": provenance[first].note}
                    for span, first in _runs([(s.source, s.note) for s in provenance], labels, prefix)
                ],
            }
        )
    return [
        {"title": p.ASSUMPTION_SECTIONS.get(root, root), "rows": rows}
        for root, rows in sorted(sections.items(), key=lambda item: _section_order(item[0]))
    ]


def _section_order(root: str) -> int:
    order = list(p.ASSUMPTION_SECTIONS)
    return order.index(root) if root in order else len(order)


def _runs(values: list[Any] | tuple[Any, ...], labels: tuple[str, ...], prefix: str) -> list[tuple[str, int]]:
    """Runs of equal consecutive values as ``(span, index of the run's first column)``; the span is
    empty when one run covers every column."""
    starts = [i for i in range(len(values)) if i == 0 or values[i] != values[i - 1]]
    if len(starts) == 1:
        return [("", 0)]
    runs = []
    for number, first in enumerate(starts):
        last = (starts[number + 1] if number + 1 < len(starts) else len(values)) - 1
        span = labels[first] if first == last else f"{labels[first]}–{labels[last]}"
        runs.append((prefix + span, first))
    return runs


def _methodology(projection: Projection) -> dict[str, Any]:
    model = projection.model
    first, last = _horizon(projection)
    return {
        "purchases_in_service": model.timeline.purchases_in_service.replace("_", " "),
        "frequency": model.timeline.frequency,
        "fiscal_year_end_month": model.timeline.fiscal_year_end_month,
        "tax_losses": model.financing.tax_losses.replace("_", " "),
        "hurdle": _hurdle(projection),
        "horizon_first": first,
        "horizon_last": last,
        "runoff_last": _runoff_last(projection),
        "internal_basis": p.INTERNAL_BASIS[model.internal.value_basis],
        "min_coverage": float(projection.values["min_coverage"][0, 0]),
        "min_leasing_share": float(projection.values["min_leasing_share"][0, 0]),
    }


def life_policy(projection: Projection) -> list[dict[str, Any]]:
    """Book and economic lives of the asset classes that buy accelerators, with dated changes."""
    model = projection.model
    values = projection.values
    policy = []
    for name, asset_class in model.asset_classes.items():
        if not asset_class.buys_accelerators:
            continue
        policy.append(
            {
                "asset_class": name,
                "method": asset_class.method.replace("_", " "),
                "first_life": asset_class.useful_life_years,
                "changes": [
                    {"effective": change.effective, "life": change.useful_life_years}
                    for change in asset_class.life_changes
                ],
                "economic_life": float(values[f"economic_life_years[{name}]"][0][-1]),
            }
        )
    return policy
