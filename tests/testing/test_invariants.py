"""The invariants hold on every shipped model, scenario and generated model, and catch a broken engine."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import finmodel.engine.blocks.depreciation as depreciation_block
import finmodel.engine.blocks.fleet as fleet_block
import finmodel.engine.blocks.revenue as revenue_block
from finmodel import load_model, project
from finmodel.engine._ir import total
from finmodel.engine._keys import Key
from finmodel.testing import (
    Violation,
    assert_invariants,
    capacity_conserved,
    check_all,
    check_model,
    leased_hours_within_capacity,
    ppe_rollforward,
    unit_consistency,
)
from finmodel.testing.strategies import company_models

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "models").glob("*.yaml"))
GENERATED = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None, derandomize=True)
"""Derandomised: CI draws the same models every run, so a red run reproduces and a green one stays green."""


@pytest.mark.parametrize("file", SHIPPED, ids=lambda path: path.stem)
def test_every_shipped_model_and_scenario_keeps_every_invariant(file):
    model = load_model(file)
    assert model.scenarios
    assert check_model(model) == []


@settings(GENERATED, max_examples=200)
@given(company_models())
def test_generated_models_keep_the_projection_invariants(model):
    assert check_model(model, relational=False) == []


@settings(GENERATED, max_examples=60)
@given(company_models(max_scenarios=0))
def test_generated_models_keep_the_relational_invariants(model):
    assert check_model(model) == []


# --------------------------------------------------------------------------- a broken engine is caught

SHARED = {
    "allocation": [{"by_age": [{"min_age_years": 0, "training": 0.3, "inference": 0.2, "leasing": 0.5}]}],
    "capex.by_period.2025": {"total": 20_000_000},
}


def _patched(monkeypatch, block, change):
    """Make ``block.define`` add its rows, then rewrite some of them with ``change(ctx)``."""
    original = block.define

    def define(ctx):
        original(ctx)
        change(ctx)

    monkeypatch.setattr(block, "define", define)


def _replace(ctx, name, **fields):
    ctx.graph.rows[name] = dataclasses.replace(ctx.graph.rows[name], **fields)


def test_depreciation_shifted_one_period_is_caught(monkeypatch, make_model):
    model = make_model(SHARED)
    assert ppe_rollforward(project(model)) == []

    def shift(ctx):
        for c in ctx.classes:
            lagged = total(Key("depreciation", asset_class=c, vintage=p).ref(lag=1) for p in ctx.periods)
            _replace(ctx, f"depreciation[{c}]", expr=lagged, per_column=None)

    _patched(monkeypatch, depreciation_block, shift)
    found = ppe_rollforward(project(model))
    assert {(v.line_item, v.period) for v in found} >= {("depreciation", "2024"), ("net_ppe_closing", "2024")}
    (first,) = [v for v in found if (v.line_item, v.period) == ("depreciation", "2024")]
    assert first.values == {"depreciation": 0.0, "vintages": 10_000_000.0}
    assert "ppe_rollforward: depreciation in 2024: ≠ sum of the vintages' depreciation" in str(first)


def test_leased_hours_not_capped_are_caught(monkeypatch, make_model):
    model = make_model(SHARED)

    def uncapped(ctx):
        for g in ctx.generations:
            _replace(ctx, f"leased_hours_billed[{g}]", expr=Key("installed_units", generation=g).ref() * ctx.hours)

    _patched(monkeypatch, revenue_block, uncapped)
    found = leased_hours_within_capacity(project(model))
    assert found and {v.line_item for v in found} == {"leased_hours_billed[X1]"}
    assert found[0].values == {"billed": 1000 * 8760.0, "capacity": 500 * 8760.0}


def test_units_counted_twice_are_caught(monkeypatch, make_model):
    model = make_model(SHARED)

    def doubled(ctx):
        for g in ctx.generations:
            row = ctx.graph.rows[f"leasing_units[{g}]"]
            _replace(ctx, row.name, per_column=tuple(cell * 2 for cell in row.per_column))

    _patched(monkeypatch, fleet_block, doubled)
    projection = project(model)
    found = capacity_conserved(projection)
    assert found and all(v.line_item == "installed_units[X1]" for v in found)
    assert found[0].values == {"installed": 1000.0, "training": 300.0, "inference": 200.0, "leasing": 1000.0}
    with pytest.raises(AssertionError, match=r"capacity_conserved: installed_units\[X1\] in 2024"):
        assert_invariants(projection)


def test_a_money_line_that_ignores_the_money_unit_is_caught(monkeypatch, make_model):
    model = make_model(
        {
            **SHARED,
            "company.money_unit": "millions",
            "capex.by_period.2024.total": 40.0,
            "capex.by_period.2025.total": 20.0,
        }
    )
    assert unit_consistency(model) == []

    def hard_coded(ctx):
        for g in ctx.generations:
            hours = Key("leased_hours_billed", generation=g).ref()
            revenue = hours * Key("market_rental_price_usd_per_hour", generation=g).ref()
            _replace(ctx, f"leasing_revenue[{g}]", expr=revenue / 1e6)

    _patched(monkeypatch, revenue_block, hard_coded)
    found = unit_consistency(model)
    assert ("leasing_revenue[X1]", "2024") in {(v.line_item, v.period) for v in found}


def test_a_violation_reads_as_a_location():
    violation = Violation("capacity_conserved", "installed_units[H100]", "2026", {"installed": 2.0}, "≠ uses", "bear")
    assert str(violation) == "[bear] capacity_conserved: installed_units[H100] in 2026: ≠ uses (installed=2)"


def test_several_draws_are_checked_each(make_model):
    projection = project(make_model(SHARED), inputs={"leasing_utilisation": [0.2, 0.9]})
    assert check_all(projection) == []


def test_project_survives_float_dust(make_model):
    # Cash flows of about -5,000 then -1e-304: numpy-financial's polynomial roots overflow; the IRR
    # has no sign change, so the cohort has no IRR (NaN).
    projection = project(
        make_model(
            {
                "leasing.utilisation": 0.0,
                "gpus.X1.physical_life_years": 1.25,
                "running_costs.maintenance_share_of_cost_per_year": 2.2250738585072014e-308,
                "running_costs.power_price_usd_per_kwh": 0.0,
                "running_costs.facility_cost_usd_per_kw_month": 0.0,
                "financing.tax_rate": 0.0,
            }
        )
    )
    assert math.isnan(projection.metrics["cohort_irr[X1]"])
