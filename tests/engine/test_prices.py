"""Prices by contract, worked by hand: price tiers with terms, stepped and by-age price curves.

The shared test model (tests/conftest.py) buys 1,000 X1 accelerators at the start of 2024
(``start_of_period``), all leased, 4-year physical life, 80% of hours billed: 1,000 × 8,760 ×
0.8 = 7,008,000 hours billed in each of 2024-2027 and none after. Money is in units (US$).
Periods are read at their middle (1 July).
"""

from __future__ import annotations

import numpy as np
import pytest

from finmodel import inputs, project
from finmodel.engine._ir import Expr, Ref
from finmodel.schema import PriceCurve

HOURS_BILLED = 1_000 * 8_760 * 0.8  # 7,008,000 a year while the units are in service
# X1 is available from the start of 2024; its contract market price by year of age: 10, then 8,
# 6 and 5, each holding for the whole year (stepped).
FALLING = {"by_age": {0: 10.0, 1: 8.0, 2: 6.0, 3: 5.0}, "stepped": True}


def references(expr: Expr) -> set[tuple[str, int | None]]:
    """The (row, fixed column) pairs an expression reads."""
    if isinstance(expr, Ref):
        return {(expr.row, expr.at)}
    return {found for arg in getattr(expr, "args", ()) for found in references(arg)}


def priced(make_model, tiers, *, contract=FALLING, spot=None, **changes):
    """The test model sold through ``tiers``, priced off ``contract`` (and ``spot``) curves."""
    prices = {"contract": contract, **({"spot": spot} if spot else {})}
    return make_model(
        {"leasing.prices.X1": prices, "leasing.contracted_share": None, "leasing.tiers": tiers, **changes}
    )


def test_a_contract_holds_its_price_for_its_term_then_re_prices_at_the_market(make_model):
    # One tier, 2-year contracts. The vintage enters service on 1 Jan 2024 and signs at that day's
    # price, age 0: 10. At mid-2025 (age 1.5) it still bills that contract: 10. On 1 Jan 2026 (age 2)
    # it re-signs at the market then, 6, which holds through 2027. The market read mid-period is
    # 10, 8, 6, 5 — the contract bills 10, 10, 6, 6.
    model = priced(make_model, {"take_or_pay": {"share": 1.0, "price": "contract", "term_years": 2}})
    projection = project(model)
    items = projection.line_items
    np.testing.assert_allclose(projection.series("contract_price_usd_per_hour[X1]")[0, :4], [10, 8, 6, 5])
    np.testing.assert_allclose(items["rental_price_usd_per_hour[X1,2024]"].iloc[:4], [10, 10, 6, 6])
    np.testing.assert_allclose(
        items["leasing_revenue[X1]"],
        [HOURS_BILLED * 10, HOURS_BILLED * 10, HOURS_BILLED * 6, HOURS_BILLED * 6, 0, 0, 0],
        rtol=1e-12,
    )
    # The realised price is revenue / hours billed (0 once nothing is billed).
    np.testing.assert_allclose(items["rental_price_usd_per_hour[X1]"], [10, 10, 6, 6, 0, 0, 0], rtol=1e-12)
    # 1 Jan 2024 and 1 Jan 2026 are no period's middle: each signing price is an input of its own.
    specs = {spec.name: spec for spec in inputs(model)}
    assert specs["signed_contract_price_usd_per_hour[X1,2024-01]"].base == (10.0,)
    assert specs["signed_contract_price_usd_per_hour[X1,2026-01]"].base == (6.0,)
    assert specs["signed_contract_price_usd_per_hour[X1,2024-01]"].path == "leasing.prices.X1.contract"


def test_the_cohort_signs_at_its_start_and_re_signs_every_term(make_model):
    # The cohort (one X1 bought in 2024, in service from 1 Jan 2024, 4 years) signs 2-year contracts:
    # years of age 1-2 at 10 (age 0), years 3-4 at 6 (age 2). Year 0 is the purchase.
    model = priced(make_model, {"take_or_pay": {"share": 1.0, "price": "contract", "term_years": 2}})
    cohort = project(model).cohorts["X1"]
    np.testing.assert_allclose(cohort["cohort_rental_price_usd_per_hour[X1]"], [0, 10, 10, 6, 6])


def test_mid_period_contracts_sign_on_a_period_middle_and_read_the_market_row(make_model):
    # Mid-period: the 2024 vintage enters service on 1 Jul 2024, half of 2024 and half of 2028. It
    # signs at the 2024 market price (age 0.5 of X1: 10) and re-signs on 1 Jul 2026 at the 2026
    # price (age 2.5: 6) and on 1 Jul 2028 at the 2028 price (age 4.5: 5, the last price holding).
    # Hours: half a year (3,504,000) in 2024 and 2028, a whole year in 2025-2027.
    model = priced(
        make_model,
        {"take_or_pay": {"share": 1.0, "price": "contract", "term_years": 2}},
        **{"timeline.purchases_in_service": "mid_period"},
    )
    projection = project(model)
    half = HOURS_BILLED / 2
    np.testing.assert_allclose(
        projection.line_items["leasing_revenue[X1]"],
        [half * 10, HOURS_BILLED * 10, HOURS_BILLED * 6, HOURS_BILLED * 6, half * 5, 0, 0],
        rtol=1e-12,
    )
    # Every signing date is a period's middle: the vintage's price reads the market row's cell (live),
    # and no signing input is needed.
    assert not [spec.name for spec in inputs(model) if spec.name.startswith("signed_")]
    cell = projection.graph.rows["rental_price_usd_per_hour[X1,2024]"].expr_at(3)  # 2027: signed mid-2026
    assert ("contract_price_usd_per_hour[X1]", 2) in references(cell)


def test_a_vintage_bought_before_the_timeline_signs_at_its_own_in_service_date(make_model):
    # An opening vintage bought in 2022 enters service on 1 Jan 2022 (start of period) and lives 10
    # years. 3-year contracts: signed 1 Jan 2022 at 6 (the first dated price), re-signed 1 Jan 2025 at
    # 3 and 1 Jan 2028 at 1.5 (the market between the dated points is linear, the points fall on them).
    model = priced(
        make_model,
        {"reserved_3y": {"share": 1.0, "price": "contract", "term_years": 3}},
        contract={"points": {"2022": 6.0, "2025": 3.0, "2028": 1.5}},
        **{
            "gpus.X1.available_from": 2020,
            "gpus.X1.physical_life_years": 10,
            "opening.vintages": {"2022": {"cost": {"servers": 100.0}, "gpu_mix": {"X1": 1.0}}},
        },
    )
    items = project(model).line_items
    np.testing.assert_allclose(items["rental_price_usd_per_hour[X1,2022]"], [6, 3, 3, 3, 1.5, 1.5, 1.5])
    specs = {spec.name: spec.base for spec in inputs(model)}
    assert specs["signed_contract_price_usd_per_hour[X1,2022-01]"] == (6.0,)


def test_three_tiers_blend_on_demand_one_year_and_three_year_prices(make_model):
    # 20% on demand at 1.2 × spot (flat 12: 14.40), re-priced every period; 30% on 1-year contracts
    # at the contract price; 50% on 3-year contracts at 0.85 × the contract price. Contract market
    # by year of age: 10, 8, 6, 5 (stepped). The vintage is in service from 1 Jan 2024.
    #   2024: 0.2 × 14.4 + 0.3 × 10 (signed 1 Jan 2024) + 0.5 × 0.85 × 10 (1 Jan 2024) = 2.88 + 3.00 + 4.25 = 10.13
    #   2025: 2.88 + 0.3 × 8 (1 Jan 2025) + 4.25                                        = 2.88 + 2.40 + 4.25 =  9.53
    #   2026: 2.88 + 0.3 × 6 (1 Jan 2026) + 4.25                                        = 2.88 + 1.80 + 4.25 =  8.93
    #   2027: 2.88 + 0.3 × 5 (1 Jan 2027) + 0.5 × 0.85 × 5 (re-signed 1 Jan 2027)         = 2.88 + 1.50 + 2.125 = 6.505
    # The market mix (every tier at the period's prices) in 2025: 2.88 + 0.3 × 8 + 0.5 × 0.85 × 8 = 8.68.
    tiers = {
        "on_demand": {"share": 0.2, "price": "spot", "price_ratio": 1.2},
        "reserved_1y": {"share": 0.3, "price": "contract", "term_years": 1},
        "reserved_3y": {"share": 0.5, "price": "contract", "price_ratio": 0.85, "term_years": 3},
    }
    model = priced(make_model, tiers, spot={"launch_price_usd_per_hour": 12.0})
    items = project(model).line_items
    blended = [10.13, 9.53, 8.93, 6.505]
    np.testing.assert_allclose(items["rental_price_usd_per_hour[X1,2024]"].iloc[:4], blended, rtol=1e-12)
    np.testing.assert_allclose(items["leasing_revenue[X1]"].iloc[:4], np.multiply(blended, HOURS_BILLED), rtol=1e-12)
    assert items["market_rental_price_usd_per_hour[X1]"].iloc[1] == pytest.approx(8.68, rel=1e-12)
    specs = {spec.name: spec.base for spec in inputs(model)}
    assert specs["tier_share[reserved_3y]"] == (0.5,) and specs["tier_price_ratio[on_demand]"] == (1.2,)


def test_contracted_share_still_means_a_contract_and_a_spot_tier_re_priced_every_period(make_model):
    # contracted_share 0.6 of a flat 3.00 contract price and 0.4 of a flat 2.00 spot price:
    # 0.6 × 3 + 0.4 × 2 = 2.60 per hour billed, 7,008,000 × 2.6 = 18,220,800 a year, as before tiers.
    prices = {"contract": {"launch_price_usd_per_hour": 3.0}, "spot": {"launch_price_usd_per_hour": 2.0}}
    shorthand = make_model({"leasing.prices.X1": prices, "leasing.contracted_share": 0.6})
    items = project(shorthand).line_items
    np.testing.assert_allclose(items["leasing_revenue[X1]"], [18_220_800] * 4 + [0] * 3, rtol=1e-12)
    np.testing.assert_allclose(items["market_rental_price_usd_per_hour[X1]"], 2.6, rtol=1e-12)
    # The shorthand keeps its one input, so it can still be varied by draw.
    varied = project(shorthand, inputs={"contracted_share": [0.6, 1.0]})
    np.testing.assert_allclose(varied.series("leasing_revenue")[:, 0], [18_220_800, HOURS_BILLED * 3], rtol=1e-12)
    # The same two tiers written out give the same revenue.
    written = make_model(
        {
            "leasing.prices.X1": prices,
            "leasing.contracted_share": None,
            "leasing.tiers": {"contract": {"share": 0.6}, "spot": {"share": 0.4, "price": "spot"}},
        }
    )
    np.testing.assert_allclose(project(written).line_items["leasing_revenue"], items["leasing_revenue"], rtol=1e-12)


def test_a_stepped_decline_holds_the_price_within_each_year_of_age(make_model):
    # Launch 8, 25% a year, stepped: 8 through the first year of age, 6 from the first anniversary,
    # 4.50 from the second. Continuous, the same declines give 8 × 0.75^0.5 = 6.9282 at age 0.5.
    stepped = PriceCurve(launch_price_usd_per_hour=8.0, annual_declines=(0.25,), stepped=True)
    assert [stepped.price_at(2024 + age, 2024) for age in (0, 0.5, 0.99, 1, 1.5, 2, 2.5)] == [
        8.0,
        8.0,
        8.0,
        6.0,
        6.0,
        4.5,
        4.5,
    ]
    continuous = PriceCurve(launch_price_usd_per_hour=8.0, annual_declines=(0.25,))
    assert continuous.price_at(2024.5, 2024) == pytest.approx(6.928203230, rel=1e-9)
    # In the projection, periods read the curve at their middle: 8, 6, 4.50, 3.375.
    model = make_model(
        {"leasing.prices.X1.contract": {"launch_price_usd_per_hour": 8.0, "annual_declines": [0.25], "stepped": True}}
    )
    market = project(model).series("contract_price_usd_per_hour[X1]")[0]
    np.testing.assert_allclose(market[:4], [8, 6, 4.5, 3.375], rtol=1e-12)


def test_prices_by_age_since_launch_are_linear_unless_stepped():
    # {0: 8.0, 1: 5.5, 3: 3.0}: at age 2, halfway from 5.5 to 3.0 = 4.25; stepped, the price of age 1
    # holds until age 3. Before launch the first price holds; after the last age it declines 20% a year.
    linear = PriceCurve(by_age={0: 8.0, 1: 5.5, 3: 3.0}, decline_after_last_point=0.2)
    assert [linear.price_at(2024 + age, 2024) for age in (-1, 0.5, 2, 3)] == [8.0, 6.75, 4.25, 3.0]
    assert linear.price_at(2028.5, 2024) == pytest.approx(3.0 * 0.8**1.5, rel=1e-12)
    stepped = PriceCurve(by_age={0: 8.0, 1: 5.5, 3: 3.0}, decline_after_last_point=0.2, stepped=True)
    assert [stepped.price_at(2024 + age, 2024) for age in (0.5, 1, 2.99, 3, 4.5)] == pytest.approx(
        [8.0, 5.5, 5.5, 3.0, 3.0 * 0.8]
    )


@pytest.mark.parametrize(
    ("curve", "message"),
    [
        (
            {"launch_price_usd_per_hour": 8.0, "by_age": {0: 8.0}},
            "give one of points, launch_price_usd_per_hour or by_age",
        ),
        ({"points": {"2024": 8.0}, "stepped": True}, "stepped applies to launch_price_usd_per_hour or by_age"),
        ({"by_age": {0: 8.0, 3: 3.0, 2: 5.0}}, "age 2 is not above 3"),
    ],
)
def test_a_price_curve_in_two_forms_or_out_of_order_is_refused(curve, message):
    with pytest.raises(ValueError, match=message):
        PriceCurve.model_validate(curve)
