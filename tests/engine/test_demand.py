"""The demand side: internal demand served newest first, token demand in GPU-hours, contracts, and
leased hours cleared against external demand. Hand-worked figures on a small fleet whose supply is
easy to count (whole years in service, every unit leasable), then the shipped models."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from finmodel import load_model, project
from finmodel.schema import CompanyModel
from finmodel.testing import capacity_conserved, hours_conserved, leased_hours_within_supply_and_demand
from finmodel.testing.strategies import company_models

ROOT = Path(__file__).resolve().parents[2]
MODELS = sorted(ROOT.joinpath("models").glob("*.yaml"))
HOURS = 8760.0

# 1,000 X1 at $50k and 500 X2 at $100k bought in 2024 and in service all year; nothing bought after.
SMALL: dict[str, Any] = {
    "schema_version": 1,
    "company": {"name": "Small", "ticker": "SML", "money_unit": "millions"},
    "timeline": {"start_year": 2024, "end_year": 2025, "purchases_in_service": "start_of_period", "runoff_years": 1},
    "gpus": {
        "X1": {
            "available_from": 2023,
            "cost_per_accelerator_usd": 50_000,
            "power_kw_per_accelerator": 1.0,
            "relative_performance": 1.0,
            "physical_life_years": 5,
            "rental_price": {"contract": {"points": {"2023": 2.0}}},
        },
        "X2": {
            "available_from": 2024,
            "cost_per_accelerator_usd": 100_000,
            "power_kw_per_accelerator": 1.5,
            "relative_performance": 2.0,
            "physical_life_years": 5,
            "rental_price": {"contract": {"points": {"2024": 5.0}}},
        },
    },
    "capex": {
        "by_period": {
            "2024": {"total": 100, "ai_share": 1.0, "asset_mix": {"servers": 1.0}, "gpu_mix": {"X1": 0.5, "X2": 0.5}},
            "2025": {"total": 0},
        }
    },
    "asset_classes": {"servers": {"useful_life_years": 5, "buys_accelerators": True}},
    "allocation": [{"by_age": [{"min_age_years": 0, "training": 0, "inference": 0, "leasing": 1}]}],
    "leasing": {"contracted_share": 1.0, "utilisation": 1.0},
    "internal": {"utilisation": 0.8},
    "running_costs": {
        "power_usage_effectiveness": 1.2,
        "power_price_usd_per_kwh": 0.1,
        "facility_cost_usd_per_kw_month": 50,
    },
    "financing": {"wacc": 0.1, "tax_rate": 0.2},
}
TOKENS = {
    "trillions": {"by_period": {"2024": 100}, "growth_per_year": {"2025": 3.0}},
    "market_share": 0.5,
    "h100_gpu_hours_per_billion": 126,
    "gpu_hours_per_billion": {"X1": 126},
    "serving_efficiency": 0.5,
}


def _small(**demand: Any) -> CompanyModel:
    data = copy.deepcopy(SMALL)
    data["demand"] = demand
    return CompanyModel.model_validate(data)


def test_the_small_fleet_is_what_the_hand_working_assumes():
    items = project(_small()).line_items
    assert items["installed_units[X1]"].iloc[0] == pytest.approx(1000)
    assert items["installed_units[X2]"].iloc[0] == pytest.approx(500)
    assert items["leased_hours_billed[X1]"].iloc[0] == pytest.approx(1000 * HOURS)


def test_token_demand_becomes_gpu_hours_of_two_generations():
    items = project(_small(tokens=TOKENS)).line_items
    # X1: 126 GPU-hours per billion tokens (given) ÷ serving efficiency 0.5 = 252; X2: 126 ÷ its
    # relative performance 2 ÷ 0.5 = 126. Each supply could serve 8.76M / 252 = 4.38M / 126 = 34,762
    # billion tokens: 69.52 trillion between them.
    metrics = project(_small(tokens=TOKENS)).metrics
    assert metrics["token_gpu_hours_per_billion[X1]"] == pytest.approx(252)
    assert metrics["token_gpu_hours_per_billion[X2]"] == pytest.approx(126)
    assert items["token_capacity"].iloc[0] == pytest.approx(2 * 1000 * HOURS / 252 / 1000)
    # 2024: 100 trillion × a market share of 0.5 = 50 trillion, split in proportion to what each
    # supply can serve (half each): 25,000 billion tokens × 252 on X1, × 126 on X2.
    assert items["external_token_demand"].iloc[0] == pytest.approx(50)
    assert items["token_demand_hours[X1]"].iloc[0] == pytest.approx(25_000 * 252)
    assert items["token_demand_hours[X2]"].iloc[0] == pytest.approx(25_000 * 126)
    assert items["leased_hours_billed[X1]"].iloc[0] == pytest.approx(6_300_000)
    assert items["leased_hours_billed[X2]"].iloc[0] == pytest.approx(3_150_000)
    assert items["demand_gap_hours[X1]"].iloc[0] == pytest.approx(6_300_000 - 1000 * HOURS)
    assert items["token_demand_unserved"].iloc[0] == pytest.approx(0, abs=1e-9)
    # 2025: 400 trillion × 0.5 = 200 trillion, more than the 69.52 trillion the supply can serve:
    # every hour is billed and the rest of the tokens go unserved.
    assert items["leased_hours_billed[X1]"].iloc[1] == pytest.approx(1000 * HOURS)
    assert items["leased_hours_billed[X2]"].iloc[1] == pytest.approx(500 * HOURS)
    assert items["token_demand_unserved"].iloc[1] == pytest.approx(200 - 2 * 1000 * HOURS / 252 / 1000)
    # Leasing revenue follows the hours cleared: X1 at its $2.00, X2 at its $5.00.
    assert items["leasing_revenue[X1]"].iloc[0] == pytest.approx(6_300_000 * 2.0 / 1e6)
    assert items["leasing_revenue[X2]"].iloc[0] == pytest.approx(3_150_000 * 5.0 / 1e6)


INTERNAL = {
    "training": {"by_period": {"2024": 4, "2025": 6}},
    "inference": {"by_period": {"2024": 6, "2025": 12}},
}


def test_internal_demand_below_capacity_leaves_the_older_generation_as_surplus():
    items = project(_small(internal=INTERNAL)).line_items
    # Each generation can do 7.008 million H100-equivalent hours of useful work: X1 1,000 × 8,760
    # × utilisation 0.8; X2 500 × 8,760 × 0.8 × performance 2. 2024 needs 10 million: X2, the newest,
    # serves the 4 of training and 3.008 of inference; X1 the other 2.992 of inference.
    capacity = 1000 * HOURS * 0.8
    assert items["internal_capacity_h100_hours[X2]"].iloc[0] == pytest.approx(capacity)
    assert items["training_internal_served[X2]"].iloc[0] == pytest.approx(4e6)
    assert items["inference_internal_served[X2]"].iloc[0] == pytest.approx(capacity - 4e6)
    assert items["inference_internal_served[X1]"].iloc[0] == pytest.approx(10e6 - capacity)
    surplus = 1 - (10e6 - capacity) / capacity
    assert items["leasing_share_by_demand[X2]"].iloc[0] == pytest.approx(0, abs=1e-12)
    assert items["leasing_share_by_demand[X1]"].iloc[0] == pytest.approx(surplus)
    assert items["leasing_units[X1]"].iloc[0] == pytest.approx(1000 * surplus)
    assert items["leased_hours_billed[X1]"].iloc[0] == pytest.approx(1000 * surplus * HOURS)
    assert items["internal_demand_unserved"].iloc[0] == pytest.approx(0, abs=1e-6)
    held = items["internal_hours_held[X1]"].iloc[0]
    assert held == pytest.approx(1000 * (1 - surplus) * HOURS)
    assert items["idle_hours[X1]"].iloc[0] == pytest.approx(0, abs=1e-6)


def test_internal_demand_above_capacity_leaves_no_surplus_and_a_shortage():
    items = project(_small(internal=INTERNAL)).line_items
    # 2025 needs 18 million, more than the 14.016 million both generations can do.
    assert items["internal_demand_served"].iloc[1] == pytest.approx(2 * 1000 * HOURS * 0.8)
    assert items["internal_demand_unserved"].iloc[1] == pytest.approx(18e6 - 2 * 1000 * HOURS * 0.8)
    for g in ("X1", "X2"):
        assert items[f"leasing_units[{g}]"].iloc[1] == pytest.approx(0, abs=1e-9)
        assert items[f"leased_hours_billed[{g}]"].iloc[1] == pytest.approx(0, abs=1e-6)
    # X2 trains (6) and serves 1.008 of inference; X1 serves the rest of the inference it can.
    assert items["training_internal_served[X2]"].iloc[1] == pytest.approx(6e6)
    assert items["inference_internal_served[X1]"].iloc[1] == pytest.approx(1000 * HOURS * 0.8)


def test_a_generation_kept_in_house_serves_first_and_its_surplus_stays_idle():
    internal = {**INTERNAL, "not_leased": ["X2"], "lease_surplus_from": "2024-07"}
    items = project(_small(internal=internal)).line_items
    # X2 serves inference first (its 7.008 million: 6 of inference and 1.008 of training), X1 the
    # other 2.992 of training. X1's surplus is offered for lease for the half of 2024 from July.
    capacity = 1000 * HOURS * 0.8
    assert items["inference_internal_served[X2]"].iloc[0] == pytest.approx(6e6)
    assert items["training_internal_served[X2]"].iloc[0] == pytest.approx(capacity - 6e6)
    surplus = 1 - (10e6 - capacity) / capacity
    assert items["leasing_units[X1]"].iloc[0] == pytest.approx(1000 * surplus * 0.5)
    assert items["idle_units[X1]"].iloc[0] == pytest.approx(1000 * surplus * 0.5)
    assert items["leasing_units[X2]"].iloc[0] == pytest.approx(0, abs=1e-9)


def test_contracts_sold_take_their_hours_first_at_their_price_and_bought_capacity_serves_internal_demand():
    contracts = {
        "lab": {
            "counterparty": "Lab",
            "side": "sell",
            "generation": "X2",
            "accelerators": 200,
            "price_usd_per_hour": 8.0,
            "start": 2024,
            "term_years": 1,
        },
        "cloud": {
            "counterparty": "Cloud",
            "side": "buy",
            "gpu_hours": 1,
            "price_usd_per_hour": 3.0,
            "start": 2024,
            "term_years": 2,
        },
    }
    internal = {"training": {"by_period": {"2024": 1}}, "inference": {"by_period": {"2024": 2}}}
    projection = project(_small(tokens=TOKENS, internal=internal, contracts=contracts))
    items = projection.line_items
    # Bought: 1 million H100-equivalent hours a year, 0.8 million of useful work, served first (to
    # inference); X2, the newest, then trains (1 million) and serves the other 1.2 of inference.
    assert items["bought_capacity_h100_hours"].iloc[0] == pytest.approx(1e6)
    assert items["purchased_compute_cost"].iloc[0] == pytest.approx(3.0)
    assert items["inference_internal_served_by_purchases"].iloc[0] == pytest.approx(0.8e6)
    assert items["operating_cost"].iloc[0] == pytest.approx(
        items["power_cost"].iloc[0] + items["facility_cost"].iloc[0] + items["maintenance_cost"].iloc[0] + 3.0
    )
    assert items["training_internal_served[X2]"].iloc[0] == pytest.approx(1e6)
    assert items["inference_internal_served[X2]"].iloc[0] == pytest.approx(1.2e6)
    # Sold: 200 X2 for 2024 = 1.752 million hours at $8, within X2's supply (its surplus 1 − 2.2 / 7.008).
    supply = items["leasable_hours[X2]"].iloc[0]
    assert supply == pytest.approx(500 * (1 - 2.2e6 / (500 * HOURS * 0.8 * 2)) * HOURS)
    assert items["contract_hours_billed[X2]"].iloc[0] == pytest.approx(200 * HOURS)
    assert items["contract_revenue[X2]"].iloc[0] == pytest.approx(200 * HOURS * 8.0 / 1e6)
    market = items["leased_hours_billed[X2]"].iloc[0] - 200 * HOURS
    price = items["market_rental_price_usd_per_hour[X2]"].iloc[0]
    assert items["leasing_revenue[X2]"].iloc[0] == pytest.approx((market * price + 200 * HOURS * 8.0) / 1e6)
    for invariant in (leased_hours_within_supply_and_demand, hours_conserved, capacity_conserved):
        assert invariant(projection) == []


def test_spot_prices_answer_the_gap():
    tiered = copy.deepcopy(SMALL)
    tiered["leasing"] = {"contracted_share": 0.0, "utilisation": 1.0}
    data = {**tiered, "demand": {"tokens": TOKENS, "spot_price_elasticity": 0.5}}
    projection = project(CompanyModel.model_validate(data))
    items = projection.line_items
    # 2024: demand 6.3M against a supply of 8.76M on X1: a gap of −2.46M, ÷ the larger (8.76M).
    ratio = (6_300_000 - 1000 * HOURS) / (1000 * HOURS)
    assert items["demand_gap_ratio[X1]"].iloc[0] == pytest.approx(ratio)
    spot = projection.series("spot_price_usd_per_hour[X1]")[0, 0]
    assert items["spot_price_cleared[X1]"].iloc[0] == pytest.approx(spot * (1 + 0.5 * ratio))
    assert items["market_rental_price_usd_per_hour[X1]"].iloc[0] == pytest.approx(spot * (1 + 0.5 * ratio))


def test_a_model_without_demand_has_no_demand_rows():
    projection = project(_small())
    assert not [name for name in projection.graph.rows if name.startswith(("leasable_hours", "capacity_hours"))]


def _shipped():
    for file in MODELS:
        model = load_model(file)
        for scenario in (None, *model.scenarios):
            yield pytest.param(model, scenario, id=f"{file.stem}-{scenario or 'base'}")


@pytest.fixture(scope="module")
def shipped():
    return {file.stem: load_model(file) for file in MODELS}


@pytest.mark.parametrize(("model", "scenario"), list(_shipped()))
def test_demand_invariants_on_every_shipped_model_and_scenario(model, scenario):
    projection = project(model, scenario)
    for invariant in (leased_hours_within_supply_and_demand, hours_conserved, capacity_conserved):
        assert invariant(projection) == [], invariant.__name__


def test_demand_shortfall_lowers_leasing_revenue_in_every_model_that_declares_demand(shipped):
    declaring = {stem: model for stem, model in shipped.items() if model.demand.clears}
    assert "meta" in declaring
    for stem, model in declaring.items():
        assert "demand_shortfall" in model.scenarios and "tight" in model.scenarios, stem
        base = project(model).line_items["leasing_revenue"].to_numpy()
        short = project(model, "demand_shortfall").line_items["leasing_revenue"].to_numpy()
        assert short.sum() < base.sum() - 1e-6, stem
        assert np.all(short <= base + 1e-9 * np.abs(base).max()), stem


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=company_models())
def test_generated_models_clear_within_supply_and_demand_and_account_for_every_hour(model):
    projection = project(model)
    assert leased_hours_within_supply_and_demand(projection) == []
    assert hours_conserved(projection) == []
    assert capacity_conserved(projection) == []
