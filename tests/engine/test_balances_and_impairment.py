"""Opening balances given as gross cost, accumulated depreciation and an age profile, and the
market-value impairment test, against schedules worked by hand.

The shared test model buys 1,000 X1 accelerators for 40m at the start of 2024 (start-of-period
convention, money in whole units), timeline 2024-2030, servers on a 4-year straight line.
"""

from __future__ import annotations

import numpy as np
import pytest

from finmodel import project

# Servers on 5 years; X1 available from 2020 and in service for 10, so nothing retires here.
LONG_LIVED = {
    "asset_classes.servers.useful_life_years": 5,
    "gpus.X1.physical_life_years": 10,
    "gpus.X1.available_from": 2020,
}


def _balance(accumulated: float) -> dict:
    return {
        "servers": {
            "gross_cost": 100.0,
            "accumulated_depreciation": accumulated,
            "age_profile": {"2022": 0.4, "2023": 0.6},
            "gpu_mix": {"X1": 1.0},
        }
    }


# Worked by hand. Gross 100 bought 40% at the start of 2022 and 60% at the start of 2023, 5-year
# straight line. The method alone leaves 2022's 40 at 40 - 2 x 8 = 24 and 2023's 60 at 60 - 12 = 48
# at the start of 2024: 72 of book value, 28 of depreciation taken.
#
# Accumulated 50 reported: the books hold 100 - 50 = 50, 22 less than the method's 72. A lower value
# is spread by the depreciable value each year has left (24 and 48 of 72): 2022 opens at
# 24 - 22 x 24/72 = 16.667 and 2023 at 48 - 22 x 48/72 = 33.333. In 2024, 2022's vintage has 3 years
# of its 5 left, 16.667 / 3 = 5.556; 2023's has 4, 33.333 / 4 = 8.333.
#
# Accumulated 20 reported: the books hold 80, 8 more than 72. A higher value is spread by the
# depreciation the method has taken from each year (16 and 12 of 28): 2022 opens at
# 24 + 8 x 16/28 = 28.571 and 2023 at 48 + 8 x 12/28 = 51.429; in 2024 they take 28.571 / 3 = 9.524
# and 51.429 / 4 = 12.857.
@pytest.mark.parametrize(
    ("accumulated", "opening_2022", "opening_2023"),
    [(50.0, 24 - 22 * 24 / 72, 48 - 22 * 48 / 72), (20.0, 24 + 8 * 16 / 28, 48 + 8 * 12 / 28)],
)
def test_gross_and_accumulated_with_a_two_year_age_profile(make_model, accumulated, opening_2022, opening_2023):
    projection = project(make_model({**LONG_LIVED, "opening.balances": _balance(accumulated)}))
    items, metrics = projection.line_items, projection.metrics
    assert metrics["opening_cost[servers,2022]"] == pytest.approx(40.0)
    assert metrics["opening_cost[servers,2023]"] == pytest.approx(60.0)
    assert metrics["opening_book_value_implied[servers]"] == pytest.approx(72.0)
    assert metrics["opening_depreciation_implied[servers]"] == pytest.approx(28.0)
    assert metrics["opening_book_value_declared[servers]"] == pytest.approx(100 - accumulated)
    assert metrics["opening_book_value_adjustment[servers]"] == pytest.approx(100 - accumulated - 72)
    assert metrics["opening_book_value[servers,2022]"] == pytest.approx(opening_2022)
    assert metrics["opening_book_value[servers,2023]"] == pytest.approx(opening_2023)
    assert items["depreciation[servers,2022]"].iloc[0] == pytest.approx(opening_2022 / 3)
    assert items["depreciation[servers,2023]"].iloc[0] == pytest.approx(opening_2023 / 4)
    # Each then runs out with its life: 2022's after 2026, 2023's after 2027.
    np.testing.assert_allclose(items["depreciation[servers,2022]"], [opening_2022 / 3] * 3 + [0] * 4, atol=1e-9)
    np.testing.assert_allclose(items["depreciation[servers,2023]"], [opening_2023 / 4] * 4 + [0] * 3, atol=1e-9)
    # The roll-forward opens at the reported figures and closes in every period.
    assert items["gross_ppe_opening"].iloc[0] == pytest.approx(100.0)
    assert items["accumulated_depreciation_opening"].iloc[0] == pytest.approx(accumulated)
    assert items["net_ppe_opening"].iloc[0] == pytest.approx(100 - accumulated)
    np.testing.assert_allclose(items["check_ppe_rollforward"], 0, atol=1e-6)
    assert metrics["checks_all_pass"] == 1
    # The accelerators those years bought are in the fleet: 40 / 40,000 and 60 / 40,000 units.
    assert items["units_in_service[X1,2022]"].iloc[0] == pytest.approx(40 / 40_000)
    assert items["units_in_service[X1,2023]"].iloc[0] == pytest.approx(60 / 40_000)


def test_a_balance_at_the_methods_own_accumulated_depreciation_equals_the_same_vintages(make_model):
    # With 28 reported, the method's own figure, the balance is exactly opening vintages of 40 and 60.
    balance = project(make_model({**LONG_LIVED, "opening.balances": _balance(28.0)}))
    vintages = project(
        make_model(
            {
                **LONG_LIVED,
                "opening.vintages": {
                    "2022": {"cost": {"servers": 40.0}, "gpu_mix": {"X1": 1.0}},
                    "2023": {"cost": {"servers": 60.0}, "gpu_mix": {"X1": 1.0}},
                },
            }
        )
    )
    assert balance.metrics["opening_book_value_adjustment[servers]"] == pytest.approx(0.0, abs=1e-12)
    columns = vintages.line_items.columns
    assert set(columns) <= set(balance.line_items.columns)
    np.testing.assert_allclose(balance.line_items[columns], vintages.line_items, rtol=1e-12, atol=1e-9)


IMPAIRMENT_TESTED = {
    "gpus.X1.resale_value": [
        {"age_years": 0, "share_of_cost": 1.0},
        {"age_years": 1, "share_of_cost": 0.5},
        {"age_years": 2, "share_of_cost": 0.4},
    ],
    "asset_classes.servers.impairment_test": "market_value",
}


def test_a_vintage_whose_market_value_falls_below_book_is_impaired(make_model):
    # 40m on a 4-year straight line: 10m of depreciation in 2024 leaves 30m at the end of it, when the
    # 1,000 units, a year old, fetch 40m x 0.5 = 20m: 10m is impaired and 20m is left. 2025 spreads
    # those 20m over the 3 years left, 6.667m (10m without the impairment); at the end of 2025 the book
    # value of 13.333m is under the 40m x 0.4 = 16m the units fetch at age 2, so nothing more is
    # impaired. The units retire at the end of 2027 (physical life 4) and sell at 0.4 x 40m = 16m.
    tested = project(make_model(IMPAIRMENT_TESTED)).line_items
    untested = project(make_model({"gpus.X1.resale_value": IMPAIRMENT_TESTED["gpus.X1.resale_value"]})).line_items
    third = 20e6 / 3
    np.testing.assert_allclose(tested["impairment[servers,2024]"], [10e6, 0, 0, 0, 0, 0, 0], atol=1e-3)
    np.testing.assert_allclose(tested["impairment"], [10e6, 0, 0, 0, 0, 0, 0], atol=1e-3)
    np.testing.assert_allclose(tested["depreciation[servers,2024]"], [10e6, third, third, third, 0, 0, 0], atol=1e-3)
    np.testing.assert_allclose(tested["net_book_value[servers,2024]"], [20e6, 2 * third, third, 0, 0, 0, 0], atol=1e-3)
    np.testing.assert_allclose(untested["impairment"], 0)
    np.testing.assert_allclose(untested["depreciation[servers,2024]"], [10e6] * 4 + [0] * 3, atol=1e-3)
    # In the P&L below EBITDA; non-cash, so free cash flow moves only by the tax it saves.
    np.testing.assert_allclose(
        tested["ebit"], tested["ebitda"] - tested["depreciation"] + tested["disposal_gain"] - tested["impairment"]
    )
    np.testing.assert_allclose(tested["ebitda"], untested["ebitda"])
    np.testing.assert_allclose(
        tested["free_cash_flow"] - untested["free_cash_flow"],
        -(tested["tax_on_ebit"] - untested["tax_on_ebit"]),
        atol=1e-3,
    )
    # The PP&E roll-forward carries it in accumulated depreciation (10m + 10m after 2024) and closes.
    assert tested["accumulated_depreciation_closing"].iloc[0] == pytest.approx(20e6)
    assert tested["net_ppe_closing"].iloc[0] == pytest.approx(20e6)
    np.testing.assert_allclose(tested["check_ppe_rollforward"], 0, atol=1e-6)
    np.testing.assert_allclose(tested["check_ppe_vintages"], 0, atol=1e-6)
    # The generation's book value follows the vintage's.
    np.testing.assert_allclose(tested["generation_capital[X1]"], tested["net_book_value[servers,2024]"], atol=1e-3)


def test_impairment_under_salvage_stops_depreciation_and_leaves_the_rest_to_retirement(make_model):
    # 25% salvage: (40m - 10m) / 4 = 7.5m in 2024 leaves 32.5m, when the units fetch 0.1 x 40m = 4m:
    # 28.5m is impaired. 4m is under the 10m salvage value, so nothing is left to depreciate (never a
    # negative charge); the 4m is written off when the units retire at the end of 2027.
    model = make_model(
        {
            "asset_classes.servers.salvage_fraction": 0.25,
            "asset_classes.servers.impairment_test": "market_value",
            "gpus.X1.resale_value": [{"age_years": 1, "share_of_cost": 0.1}],
        }
    )
    items = project(model).line_items
    np.testing.assert_allclose(items["impairment"], [28.5e6, 0, 0, 0, 0, 0, 0], atol=1e-3)
    np.testing.assert_allclose(items["depreciation[servers,2024]"], [7.5e6, 0, 0, 0, 0, 0, 0], atol=1e-3)
    np.testing.assert_allclose(items["retirement_write_off"], [0, 0, 0, 4e6, 0, 0, 0], atol=1e-3)
    np.testing.assert_allclose(items["check_ppe_rollforward"], 0, atol=1e-6)


def test_a_generation_without_a_resale_curve_is_not_tested(make_model):
    items = project(make_model({"asset_classes.servers.impairment_test": "market_value"})).line_items
    np.testing.assert_allclose(items["impairment"], 0)
    np.testing.assert_allclose(items["depreciation[servers,2024]"], [10e6] * 4 + [0] * 3, atol=1e-3)
