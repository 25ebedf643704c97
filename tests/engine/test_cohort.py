"""One accelerator's economics, worked independently with numpy-financial.

The test model (tests/engine/conftest.py): one generation bought in 2024 at $40,000, 1 kW,
4-year physical and book life, leased 100% at a flat $3.00/hour with 80% of hours billed;
PUE 1.2, $0.10/kWh at full load, $100 per kW-month facility cost, 20% tax, 10% hurdle.
"""

from __future__ import annotations

import math

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
    # Capital two ways: straight line over the 4-year book life (10,000 a year), or the annuity at
    # the 10% hurdle over the economic life (default: the book life) -PMT(10%, 4, 40,000) = 12,618.83.
    straight = COST / 4 / HOURS
    annuity = -npf.pmt(HURDLE, 4, COST) / HOURS
    running = 1.0 * 1.2 * 1.0 * 0.10 + FACILITY / HOURS
    assert metrics["cohort_capital_cost_per_hour_usd[X1]"] == pytest.approx(straight, rel=1e-12)
    assert metrics["cohort_economic_capital_cost_per_hour_usd[X1]"] == pytest.approx(annuity, rel=1e-12)
    assert metrics["cohort_cost_per_hour_usd[X1]"] == pytest.approx(straight + running, rel=1e-12)
    assert metrics["cohort_economic_cost_per_hour_usd[X1]"] == pytest.approx(annuity + running, rel=1e-12)
    # Per billed hour: 80% of installed hours are billed. At $3.00 the break-even utilisation is
    # the installed-hour cost / the price.
    billed = metrics["cohort_economic_cost_per_billed_hour_usd[X1]"]
    assert billed == pytest.approx((annuity + running) / 0.8, rel=1e-12)
    assert metrics["cohort_cost_per_billed_hour_usd[X1]"] == pytest.approx((straight + running) / 0.8, rel=1e-12)
    assert metrics["cohort_break_even_utilisation[X1]"] == pytest.approx((straight + running) / PRICE, rel=1e-12)
    assert metrics["cohort_economic_break_even_utilisation[X1]"] == pytest.approx((annuity + running) / PRICE)


def test_a_shorter_economic_life_cuts_the_cohort_and_raises_its_capital_charge(make_model):
    # Economic life 2 years: the unit earns in years 1-2 only; the tax shield still runs over the
    # 4-year book life. Capital charge: -PMT(10%, 2, 40,000) = 23,047.62 a year.
    metrics = project(make_model({"asset_classes.servers.economic_life_years": 2})).metrics
    earning = (BILLED * PRICE - POWER - FACILITY) * (1 - TAX) + TAX * DEPRECIATION
    flows = [-COST, earning, earning, TAX * DEPRECIATION, TAX * DEPRECIATION]
    assert metrics["cohort_lease_npv_usd[X1]"] == pytest.approx(npf.npv(HURDLE, flows), rel=1e-12)
    assert metrics["cohort_economic_capital_cost_per_hour_usd[X1]"] == pytest.approx(
        -npf.pmt(HURDLE, 2, COST) / HOURS, rel=1e-12
    )


def test_a_unit_moved_to_leasing_at_age_two_is_valued_at_its_market_value(make_model):
    # Resale curve: 40% of cost at age 2 = 16,000 of market value given up to lease it from then.
    # From age 2 it earns the leased flows of years 3 and 4, discounted from age 2.
    model = make_model(
        {
            "gpus.X1.resale_value": [{"age_years": 0, "share_of_cost": 1.0}, {"age_years": 4, "share_of_cost": 0.2}],
            "leasing.moved_at_age_years": {"X1": 2},
        }
    )
    metrics = project(model).metrics
    market = COST * (1.0 + (0.2 - 1.0) * 2 / 4)
    assert metrics["cohort_moved_market_value_usd[X1]"] == pytest.approx(market)
    yearly = _flows()[1]
    assert metrics["cohort_moved_npv_usd[X1]"] == pytest.approx(npf.npv(HURDLE, [-market, yearly, yearly]), rel=1e-12)


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


def test_no_irr_is_nan_not_minus_one(make_model):
    # At a cent an hour and no tax shield every yearly flow is negative: 70.08 of revenue
    # against 2,251.20 of power and facility cost. No rate makes the NPV zero.
    model = make_model({"leasing.prices.X1.contract.launch_price_usd_per_hour": 0.01, "financing.tax_rate": 0.0})
    metrics = project(model).metrics
    assert math.isnan(metrics["cohort_irr[X1]"])
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


def test_keeping_for_internal_use_is_valued_at_cost_by_default(make_model):
    # At cost: every installed hour is worth its economic cost (annuity over the economic life,
    # power, facility), so a kept unit's pre-tax margin is nil and only the capital and tax shield
    # remain: NPV = -40,000 + Σ [ -PMT(10%,4,40,000) x (1 - 0.2) + 0.2 x 10,000 ] discounted.
    metrics = project(make_model()).metrics
    yearly = -npf.pmt(HURDLE, 4, COST) * (1 - TAX) + TAX * DEPRECIATION
    assert metrics["cohort_keep_npv_usd[X1]"] == pytest.approx(npf.npv(HURDLE, [-COST] + [yearly] * 4), rel=1e-12)


def test_keeping_for_internal_use_is_valued_at_the_shadow_price(make_model):
    # Kept: 90% of 8,760 hours used, valued at the market price x shadow ratio 0.5.
    metrics = project(make_model({"internal.value_basis": "market_ratio", "internal.shadow_price_ratio": 0.5})).metrics
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
