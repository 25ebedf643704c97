"""Properties every sensitivity keeps, on a shipped model and on generated ones: a point with every
lever at its base value is the base projection; the tornado's ends bracket the base where a lever
only helps or only hurts; a break-even fed back to the engine gives a margin of about zero."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings

from finmodel import CompanyModel, inputs, load_model, project, sensitivity
from finmodel.schema import BreakEven, SensitivityBlock
from finmodel.sensitivity import Moved, plan
from finmodel.testing.strategies import company_models

COREWEAVE = Path(__file__).resolve().parents[2] / "models" / "coreweave.yaml"
TESTS_AS_REASONS = {"coverage": "coverage", "economic_profit": "economic profit"}


def _at_base(model: CompanyModel, levers: list[Moved]) -> None:
    """One draw with every lever at its base value holds every row of the base projection, exactly."""
    varied: dict[str, np.ndarray] = {}
    for lever in levers:
        varied.update(lever.arrays([lever.base]))
    base, point = project(model), project(model, inputs=varied)
    assert varied, "the levers move no input"
    for name, values in base.values.items():
        assert np.array_equal(point.values[name], values, equal_nan=True), name


def _levers(model: CompanyModel) -> list[Moved]:
    planned = plan(model, project(model))
    return [*planned.tornado, *(lever for lever, _ in planned.break_evens)]


def test_every_default_lever_of_a_shipped_model_at_its_base_value_is_the_base():
    model = load_model(COREWEAVE)
    _at_base(model, _levers(model))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=company_models(max_scenarios=0))
def test_every_default_lever_of_a_generated_model_at_its_base_value_is_the_base(model):
    _at_base(model, _levers(model))


def _only_helps(lever: Moved) -> bool:
    """Levers whose higher values can only raise the economic profit: prices, utilisation, economic life."""
    prices = all(
        name.startswith(("contract_price_usd_per_hour[", "spot_price_usd_per_hour[")) for name in lever.targets
    )
    lives = all(name.startswith("economic_life_years[") for name in lever.targets)
    return lever.kind == "input" and (prices or lives or lever.targets == ("leasing_utilisation",))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=company_models(max_scenarios=0))
def test_the_tornado_brackets_the_base_where_a_lever_only_helps(model):
    result = sensitivity(model.model_copy(update={"sensitivity": SensitivityBlock(grids=(), break_even=())}))
    bars = [bar for bar in result.tornado if _only_helps(bar.lever)]
    assert bars and all(bar.lever.low <= bar.lever.base <= bar.lever.high for bar in bars)
    base = result.base.economic_profit
    slack = 1e-9 * (1 + abs(base))
    for bar in bars:
        # Coverage is a ratio whose denominator can turn negative (a resale curve rising above cost), so
        # only the economic profit, linear in revenue, is monotone in every model.
        assert bar.low.economic_profit <= base + slack <= bar.high.economic_profit + 2 * slack, bar.lever.label
    ranked = [bar.swing for bar in result.tornado]
    assert ranked == sorted(ranked, reverse=True)


def _fed_back(model: CompanyModel, found) -> None:
    """Each break-even's value, projected on its own, has a margin of about zero on the verdict's own
    reason for the test, relative to how far the margin moves over the lever's range."""
    lever = found.lever
    ends = project(model, inputs=lever.arrays([lever.low, lever.high]))
    reason = TESTS_AS_REASONS[found.test]

    def margin(projection, draw):
        return next(r.margin for r in projection.draw(draw).verdict.reasons if r.test == reason)

    scale = max(abs(margin(ends, 0)), abs(margin(ends, 1)))
    for crossing in found.crossings:
        if crossing.step:
            continue
        at = project(model, inputs=lever.arrays([crossing.value]))
        assert abs(margin(at, 0)) <= 1e-6 * scale, (lever.label, crossing)


def test_break_evens_of_a_shipped_model_fed_back_give_a_margin_of_about_zero():
    block = SensitivityBlock(
        tornado=(),
        grids=(),
        break_even=(
            BreakEven(input="leasing_utilisation", low=0.3, high=1.0, test="coverage"),
            BreakEven(input="contract_price_usd_per_hour[Rubin]", low=0.5, high=3.0, test="economic_profit"),
        ),
    )
    model = load_model(COREWEAVE).model_copy(update={"sensitivity": block})
    result = sensitivity(model)
    assert all(found.crossings for found in result.break_evens)
    for found in result.break_evens:
        _fed_back(model, found)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(model=company_models(max_scenarios=0, leasing={"contracted_share": 1, "utilisation": 0.8}))
def test_price_break_evens_of_a_generated_model_fed_back_give_a_margin_of_about_zero(model):
    prices = tuple(spec.name for spec in inputs(model) if spec.axis == "period" and spec.unit == "USD/GPU-hour")
    assume(prices)
    block = SensitivityBlock(
        tornado=(),
        grids=(),
        break_even=tuple(
            BreakEven(input=prices, scale="factor", low=0.0, high=20.0, test=test)
            for test in ("economic_profit", "coverage")
        ),
    )
    model = model.model_copy(update={"sensitivity": block})
    for found in sensitivity(model).break_evens:
        _fed_back(model, found)


@pytest.mark.parametrize("test", ["coverage", "economic_profit"])
def test_a_break_even_is_where_the_verdicts_own_test_changes(make_model, test):
    block = SensitivityBlock(
        tornado=(), grids=(), break_even=(BreakEven(input="leasing_utilisation", low=0.05, high=1.0, test=test),)
    )
    model = make_model().model_copy(update={"sensitivity": block})
    (found,) = sensitivity(model).break_evens
    (crossing,) = found.crossings
    below, above = crossing.value * (1 - 1e-4), crossing.value * (1 + 1e-4)
    flags = project(model, inputs={"leasing_utilisation": [below, above]}).series(f"verdict_{test}_passed")[:, 0]
    assert list(flags) == [0.0, 1.0]
