"""Relational invariants: how projections of a model and of a changed copy of it must compare.

Changes of value go through ``project(model, inputs=...)`` as a second draw (one evaluation of
the same graph); a change of unit rebuilds the model, since the unit is not an input.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import Projection, inputs, project
from ..engine.presentation import Schedule
from ..schema import MONEY_UNITS, AssetClass, CompanyModel, DepreciationMethod
from ._bounds import annotation_at, declared_bounds, leaves, numbers, plain_data
from ._violation import Violation, tolerance

NOISE = 1e-9
"""A money figure below this share of the largest is float noise (cancellation), not a value."""
PRICE_ROWS = (
    "contract_price_usd_per_hour",
    "spot_price_usd_per_hour",
    "cohort_contract_price_usd_per_hour",
    "cohort_spot_price_usd_per_hour",
    "signed_contract_price_usd_per_hour",
    "signed_spot_price_usd_per_hour",
)
"""Market price inputs (by period, by year of a cohort's age, on a signing date): ``<row>[<generation>...]``."""


def _two_draws(model: CompanyModel, changed: dict[str, float]) -> Projection:
    """The model (draw 0) and the model with some inputs multiplied (draw 1, ``name: factor``)."""
    specs = {spec.name: spec for spec in inputs(model)}
    varied = {
        name: np.array([specs[name].base, np.multiply(specs[name].base, factor)]) for name, factor in changed.items()
    }
    return project(model, inputs=varied, draws=2)


def _price_inputs(model: CompanyModel, generations: tuple[str, ...]) -> list[str]:
    """The market price inputs of ``generations``: by period, by year of a cohort's age, on signing dates."""
    found = []
    for spec in inputs(model):
        name, _, qualifiers = spec.name.partition("[")
        if name in PRICE_ROWS and qualifiers.rstrip("]").split(",")[0] in generations:
            found.append(spec.name)
    return found


def _report(name: str, line_item: str, column: str | None, message: str, **values: float) -> Violation:
    return Violation(name, line_item, column, {key: float(value) for key, value in values.items()}, message)


def price_monotonicity(model: CompanyModel, *, rise: float = 0.1) -> list[Violation]:
    """Higher rental prices (every generation's, +``rise``) never lower a leased cohort's NPV nor
    any period's leasing revenue."""
    generations = model.generations_used()
    projection = _two_draws(model, dict.fromkeys(_price_inputs(model, generations), 1 + rise))
    found = []
    for g in generations:
        name = f"cohort_lease_npv_usd[{g}]"
        base, higher = projection.series(name)[:, 0]
        if higher < base - tolerance(np.array([base, higher])):
            found.append(
                _report(
                    "price_monotonicity",
                    name,
                    None,
                    f"prices +{rise:.0%} lower the NPV",
                    base=base,
                    higher_prices=higher,
                )
            )
    revenue = projection.series("leasing_revenue")
    scale = tolerance(revenue)
    for t, period in enumerate(projection.periods):
        if revenue[1, t] < revenue[0, t] - scale:
            found.append(
                _report(
                    "price_monotonicity",
                    "leasing_revenue",
                    period,
                    f"prices +{rise:.0%} lower revenue",
                    base=revenue[0, t],
                    higher_prices=revenue[1, t],
                )
            )
    return found


def economic_life_monotonicity(model: CompanyModel, *, shorten: float = 0.3) -> list[Violation]:
    """A shorter economic life (every depreciated class's, −``shorten``, within its declared range)
    never improves the economic margin accumulated from the first period (EBITDA at the shadow
    price less economic depreciation) nor raises net PP&E at economic depreciation.

    Per-period ratios (ROIC at economic depreciation) are not monotone: an asset written off sooner
    costs nothing in its later years, so they legitimately improve late in the timeline.
    """
    shortest = declared_bounds(AssetClass, "economic_life_years")
    specs = {spec.name: spec for spec in inputs(model)}
    changed = {}
    for c, asset in model.asset_classes.items():
        if asset.method != DepreciationMethod.NONE:
            name = f"economic_life_years[{c}]"
            base = specs[name].base[0]
            changed[name] = shortest.clip(base * (1 - shorten)) / base
    projection = _two_draws(model, changed)
    margin = np.cumsum(projection.series("economic_ebitda") - projection.series("economic_depreciation"), axis=1)
    book = projection.series("economic_net_ppe_closing")
    found = []
    for line_item, values, message in (
        ("economic_depreciation", margin, "a shorter economic life improves the cumulative economic margin"),
        ("economic_net_ppe_closing", book, "a shorter economic life raises net PP&E at economic depreciation"),
    ):
        scale = tolerance(values)
        for t, period in enumerate(projection.periods):
            if values[1, t] > values[0, t] + scale:
                found.append(
                    _report(
                        "economic_life_monotonicity",
                        line_item,
                        period,
                        message,
                        base=values[0, t],
                        shorter_life=values[1, t],
                    )
                )
    return found


def restated(model: CompanyModel) -> tuple[CompanyModel, float]:
    """The model in the next smaller money unit (thousands for millions...; units go up to thousands),
    with every money figure, scenario overrides included, multiplied accordingly; and the factor."""
    units = list(MONEY_UNITS)
    position = units.index(model.company.money_unit)
    unit = units[position - 1] if position else units[1]
    factor = MONEY_UNITS[model.company.money_unit] / MONEY_UNITS[unit]
    data = plain_data(model)
    data["company"]["money_unit"] = unit
    for leaf in numbers(data):
        if leaf.money:
            leaf.container[leaf.key] *= factor
    for scenario in data["scenarios"].values():
        overrides: dict[str, Any] = scenario["overrides"]
        for path in overrides:
            try:
                annotation = annotation_at(tuple(path.split(".")))
            except KeyError:
                continue
            for leaf in leaves(overrides, path, annotation, ()):
                if leaf.money:
                    leaf.container[leaf.key] *= factor
    return CompanyModel.model_validate(data), factor


def unit_consistency(model: CompanyModel) -> list[Violation]:
    """The model restated in another money unit scales every money line by the same factor
    (1,000) and leaves every other line (ratios, units, hours, US$ per hour) unchanged.

    Check rows are float noise by design (:func:`checks_read_zero` bounds them), and a ratio of a
    money figure that is itself float noise has no value to keep: both are skipped. A row that is
    the difference of figures in its own unit (idle hours: capacity − internal − leased) is judged
    against their size, where its float noise lies.
    """
    other, factor = restated(model)
    found = []
    for scenario in (None, *model.scenarios):
        base, scaled = project(model, scenario), project(other, scenario)
        noisy, largest = _noise(base)
        for name, row in base.graph.rows.items():
            if row.group == Schedule.CHECKS:
                continue
            money = row.unit == base.money
            expected = base.series(name)[0] * (factor if money else 1.0)
            actual = scaled.series(name)[0]
            floor = NOISE * largest * factor if money else 0.0
            if not money and row.axis == "period":
                # The float noise of a sum or difference is on the scale of what it reads (in any unit:
                # GPU-hours read into H100-equivalent hours through a relative performance).
                operands = [
                    base.series(dependency)[0]
                    for dependency, _ in base.graph.dependencies(row)
                    if base.graph.rows[dependency].axis == "period"
                ]
                floor = tolerance(*operands) if operands else 0.0
            atol = max(tolerance(expected, actual), floor)
            differs = ~np.isclose(actual, expected, rtol=0, atol=atol, equal_nan=True)
            if not money and row.axis == "period":
                reads = [dependency for dependency, _ in base.graph.dependencies(row) if dependency in noisy]
                differs &= ~np.any([noisy[dependency] for dependency in reads], axis=0) if reads else True
            for column in np.flatnonzero(differs):
                label = base.graph.axes[row.axis].labels[column]
                kind = f"money ×{factor:g}" if money else "not money: unchanged"
                values = {"expected": float(expected[column]), "restated": float(actual[column])}
                found.append(
                    Violation(
                        "unit_consistency",
                        name,
                        label,
                        values,
                        f"in {other.company.money_unit} ({kind}) differs",
                        scenario,
                    )
                )
    return found


def _noise(projection: Projection) -> tuple[dict[str, np.ndarray], float]:
    """For each money row by period, where its value is float noise beside the projection's money
    figures; and the largest of them."""
    rows = [
        name for name, row in projection.graph.rows.items() if row.unit == projection.money and row.axis == "period"
    ]
    largest = max((float(np.max(np.abs(projection.series(name)[0]), initial=0.0)) for name in rows), default=0.0)
    return {name: np.abs(projection.series(name)[0]) <= NOISE * largest for name in rows}, largest
