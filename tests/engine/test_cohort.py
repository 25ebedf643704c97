"""One accelerator's economics, worked independently with numpy-financial.

The test model (tests/engine/conftest.py): one generation bought in 2024 at $40,000, 1 kW,
4-year physical and book life, leased 100% at a flat $3.00/hour with 80% of hours billed;
PUE 1.2, $0.10/kWh at full load, $100 per kW-month facility cost, 20% tax, 10% hurdle.
"""

from __future__ import annotations

import numpy as np
import numpy_financial as npf
import pytest

from finmodel import project

COST = 40_000.0
HOURS = 8760.0
BILLED = HOURS * 0.8
PRICE = 3.0
POWER = 1.0 * 1.2 * 1.0 * HOURS * 0.10
FACILITY = 1.0 * 100 * 12
TAX = 0.2
HURDLE = 0.1
DEPRECIATION = COST / 4


def _flows(hours: float = BILLED, other_costs: float = 0.0) -> list[float]:
    yearly = (hours * PRICE - POWER - FACILITY - other_costs) * (1 - TAX) + TAX * DEPRECIATION
    return [-COST] + [yearly] * 4


@pytest.fixture
def metrics(make_model):
    return project(make_model()).metrics


def test_cash_flows(make_model):
    cohort = project(make_model()).cohorts["X1"]
    np.testing.assert_allclose(cohort["cohort_lease_cash_flow_usd[X1]"], _flows(), rtol=1e-12)


def test_npv_and_irr_match_numpy_financial(metrics):
    flows = _flows()
    assert metrics["cohort_lease_npv_usd[X1]"] == pytest.approx(npf.npv(HURDLE, flows), rel=1e-12)
    assert metrics["cohort_irr[X1]"] == pytest.approx(npf.irr(flows), rel=1e-9)


def test_cost_per_gpu_hour(metrics):
    capital = -npf.pmt(HURDLE, 4, COST) / HOURS
    power = 1.0 * 1.2 * 1.0 * 0.10
    facility = FACILITY / HOURS
    assert metrics["cohort_capital_cost_per_hour_usd[X1]"] == pytest.approx(capital, rel=1e-12)
    assert metrics["cohort_cost_per_hour_usd[X1]"] == pytest.approx(capital + power + facility, rel=1e-12)


def test_break_even_price_makes_npv_zero(metrics):
    # NPV is linear in a flat price p: solve -COST + sum_k d_k [(p*BILLED - opex)(1-t) + t*dep] = 0.
    annuity = -npf.pv(HURDLE, 4, 1.0)
    fixed = (-(POWER + FACILITY) * (1 - TAX) + TAX * DEPRECIATION) * annuity
    expected = (COST - fixed) / ((1 - TAX) * BILLED * annuity)
    assert metrics["cohort_break_even_price_usd_per_hour[X1]"] == pytest.approx(expected, rel=1e-12)
    flows_at_break_even = [-COST] + [((BILLED * expected - POWER - FACILITY) * (1 - TAX) + TAX * DEPRECIATION)] * 4
    assert npf.npv(HURDLE, flows_at_break_even) == pytest.approx(0.0, abs=1e-6)


def test_payback(metrics):
    flows = np.array(_flows())
    cumulative = np.cumsum(flows)
    year = int(np.argmax(cumulative >= 0))
    expected = (year - 1) + (-cumulative[year - 1]) / flows[year]
    assert metrics["cohort_payback_years[X1]"] == pytest.approx(expected, rel=1e-12)
    assert metrics["cohort_pays_back[X1]"] == 1.0
    assert metrics["cohort_payback_to_useful_life[X1]"] == pytest.approx(expected / 4, rel=1e-12)


def test_no_irr_is_minus_one(make_model):
    # At a cent an hour and no tax shield every yearly flow is negative: 70.08 of revenue
    # against 2,251.20 of power and facility cost. No rate makes the NPV zero.
    model = make_model({"leasing.prices.X1.contract.launch_price_usd_per_hour": 0.01, "financing.tax_rate": 0.0})
    metrics = project(model).metrics
    assert metrics["cohort_irr[X1]"] == -1.0
    assert metrics["cohort_pays_back[X1]"] == 0.0
    assert metrics["cohort_lease_npv_usd[X1]"] < -COST * 0.9


def test_fleet_revenue_for_the_projection(make_model):
    # 40,000,000 of CapEx buys 1,000 units, leased for their 4-year life, then retired.
    items = project(make_model()).line_items
    np.testing.assert_allclose(items["purchases_units[X1]"], [1000, 0, 0, 0, 0, 0, 0])
    np.testing.assert_allclose(items["installed_units[X1]"], [1000] * 4 + [0] * 3)
    # They reach their 4-year life at the end of 2027: retired in that period.
    np.testing.assert_allclose(items["retired_units[X1]"], [0, 0, 0, 1000, 0, 0, 0])
    np.testing.assert_allclose(items["leasing_revenue"], [1000 * BILLED * PRICE] * 4 + [0] * 3)
    np.testing.assert_allclose(items["power_cost"], [1000 * POWER] * 4 + [0] * 3)


def test_keeping_for_internal_use_is_valued_at_the_shadow_price(make_model):
    # Kept: 90% of 8,760 hours used, valued at the market price x shadow ratio 0.5.
    metrics = project(make_model({"internal.shadow_price_ratio": 0.5})).metrics
    keep = _flows(hours=HOURS * 0.9 * 0.5)
    assert metrics["cohort_keep_npv_usd[X1]"] == pytest.approx(npf.npv(HURDLE, keep), rel=1e-12)
    lease = _flows()
    assert metrics["cohort_lease_advantage_usd[X1]"] == pytest.approx(npf.npv(HURDLE, lease) - npf.npv(HURDLE, keep))


def test_building_capital_is_charged_to_the_cohort(make_model):
    # 20% of AI CapEx goes to a 20-year building: per accelerator 40,000 x 0.2 / 0.8 = 10,000 of
    # building, charged at its capital-recovery payment at 10% over 20 years on top of power
    # and facility.
    model = make_model(
        {
            "capex.by_period.2024.asset_mix": {"servers": 0.8, "buildings": 0.2},
            "asset_classes.buildings": {"method": "straight_line", "useful_life_years": 20},
        }
    )
    projection = project(model)
    charge = -npf.pmt(HURDLE, 20, 10_000)
    assert projection.metrics["cohort_building_charge_usd_per_year[X1]"] == pytest.approx(charge, rel=1e-12)
    flows = _flows(other_costs=charge)
    assert projection.metrics["cohort_lease_npv_usd[X1]"] == pytest.approx(npf.npv(HURDLE, flows), rel=1e-12)
    assert projection.line_items["purchases_units[X1]"].iloc[0] == pytest.approx(800)
