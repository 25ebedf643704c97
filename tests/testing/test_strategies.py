"""The public strategies draw valid, small models by construction, within the schema's declared bounds."""

from __future__ import annotations

import inspect
import math

import pytest
from hypothesis import HealthCheck, given, settings

from finmodel import load_model
from finmodel._build import checked_projections
from finmodel.schema import AgeBand, DepreciationMethod, GpuGeneration, Leasing, PriceCurve
from finmodel.testing import _draws, strategies
from finmodel.testing._bounds import Bounds, declared_bounds
from finmodel.testing._perturb import plain_data
from finmodel.testing.strategies import around, asset_classes, company_models, mixes, price_curves

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)


def test_no_draw_is_filtered_away():
    source = inspect.getsource(strategies) + inspect.getsource(strategies.around) + inspect.getsource(_draws)
    assert ".filter(" not in source and "assume(" not in source


def test_bounds_are_read_from_the_schema():
    assert declared_bounds(Leasing, "utilisation") == Bounds(0, 1)
    assert declared_bounds(PriceCurve, "annual_declines") == Bounds(0, 1, high_open=True)  # inside a tuple
    assert declared_bounds(GpuGeneration, "cost_change_per_year") == Bounds(-1, 10, low_open=True)
    assert declared_bounds(AgeBand, "billed_share").clip(1.7) == 1.0
    assert declared_bounds(PriceCurve, "decline_after_last_point").clip(1.0) < 1.0


@FAST
@given(company_models())
def test_models_are_small_and_valid(model):
    assert len(model.timeline.labels) <= 6
    assert 1 <= len(model.gpus) <= 3
    for period in model.capex.by_period.values():
        for mix in (period.asset_mix, period.gpu_mix):
            assert mix is None or math.isclose(sum(mix.values()), 1.0)


@FAST
@given(asset_classes())
def test_asset_classes_use_every_method_with_life_changes_in_order(asset):
    assert asset.method in set(DepreciationMethod)
    dates = [change.effective for change in asset.life_changes]
    assert dates == sorted(set(dates))


def test_every_method_and_both_price_forms_are_drawn():
    methods, forms = set(), set()

    @settings(max_examples=100, database=None, derandomize=True)
    @given(asset_classes(), price_curves())
    def collect(asset, curve):
        methods.add(asset.method)
        forms.add("points" if curve.points is not None else "launch")

    collect()
    assert methods == set(DepreciationMethod) and forms == {"points", "launch"}


@FAST
@given(mixes(["a", "b", "c"]))
def test_mixes_sum_to_one(mix):
    assert math.isclose(sum(mix.values()), 1.0) and all(share >= 0 for share in mix.values())


@FAST
@given(company_models(financing={"wacc": 0.07, "tax_rate": 0.2}, max_scenarios=0))
def test_a_block_can_be_fixed(model):
    assert (model.financing.wacc, model.financing.tax_rate, model.scenarios) == (0.07, 0.2, {})


def test_an_unknown_block_is_refused():
    with pytest.raises(TypeError, match="finance"):
        company_models(finance={})


@pytest.fixture(scope="module")
def meta():
    return load_model("models/meta.yaml")


def test_around_moves_only_the_named_paths_within_their_bounds(meta):
    base = plain_data(meta)

    @settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(around(meta, ["leasing.utilisation", "gpus.H100", "allocation"]))
    def check(model):
        data = plain_data(model)
        assert 0 <= model.leasing.utilisation <= 1
        assert (
            abs(model.leasing.utilisation / meta.leasing.utilisation - 1) <= 0.3 + 1e-12
            or model.leasing.utilisation == 1
        )
        for band in (band for rule in model.allocation for band in rule.by_age):
            assert math.isclose(band.training + band.inference + band.leasing, 1.0)
        assert data["gpus"]["H100"]["available_from"] == base["gpus"]["H100"]["available_from"]  # a date, not varied
        for block in ("capex", "asset_classes", "financing", "running_costs", "internal", "verdict", "scenarios"):
            assert data[block] == base[block], block
        assert data["gpus"]["H200"] == base["gpus"]["H200"]

    check()


def test_around_moves_a_backlog_and_keeps_its_schedules_summing_to_one():
    oracle = load_model("models/oracle.yaml")
    backlog = oracle.demand.backlog
    assert backlog is not None

    @settings(max_examples=15, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(around(oracle, ["demand"]))
    def check(model):
        moved = model.demand.backlog
        assert math.isclose(sum(moved.conversion), 1.0) and math.isclose(sum(moved.opening_schedule), 1.0)
        assert 0 <= moved.compute_share <= 1
        assert abs(moved.opening / backlog.opening - 1) <= 0.3 + 1e-12
        assert set(moved.bookings) == set(backlog.bookings)

    check()


def test_around_names_a_path_that_does_not_exist(meta):
    with pytest.raises(ValueError, match="did you mean 'utilisation'"):
        around(meta, ["leasing.utilisaton"])


@settings(max_examples=20, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(company_models(max_periods=3))
def test_generated_scenarios_change_values_not_structure(model):
    # What build checks before writing: every scenario applies, keeps the graph's shape, stays finite.
    assert set(checked_projections(model)) == {"base", *model.scenarios}
