"""Opening vintages, retirement, resale and partial life changes, against schedules worked by hand.

The shared test model buys 1,000 X1 accelerators for 40m at the start of 2024 (start-of-period
convention), timeline 2024-2030; these tests put servers on a 5-year straight line.
"""

from __future__ import annotations

import numpy as np
import pytest

from finmodel import project

FIVE_YEARS = {"asset_classes.servers.useful_life_years": 5}
LONG_LIVED = {**FIVE_YEARS, "gpus.X1.physical_life_years": 10, "gpus.X1.available_from": 2020}


def test_a_vintage_bought_before_the_timeline_with_a_mid_life_change(make_model):
    # 100 of servers bought at the start of 2022 on 5 years: 20 in 2022 and 2023 leave 60 at the
    # start of 2024 and 20 in 2024 (3 years left). From 2025 the life is 6 years: at age 3 the 40
    # left spreads over 3 more years, 13.33 a year for 2025-2027; nothing after.
    model = make_model(
        {
            **LONG_LIVED,
            "opening.vintages": {"2022": {"cost": {"servers": 100.0}, "gpu_mix": {"X1": 1.0}}},
            "asset_classes.servers.life_changes": [{"effective": "2025-01-01", "useful_life_years": 6}],
        }
    )
    items = project(model).line_items
    np.testing.assert_allclose(items["depreciation[servers,2022]"], [20, 40 / 3, 40 / 3, 40 / 3, 0, 0, 0], atol=1e-9)
    assert project(model).metrics["opening_book_value[servers,2022]"] == pytest.approx(60.0)
    # The opening vintage is in the fleet: 100 / 40,000 per unit (cost flat since 2020) = 0.0025
    # units of money... in this model money is in units, so 100 / 40,000 = 0.0025 accelerators.
    assert items["units_in_service[X1,2022]"].iloc[0] == pytest.approx(100 / 40_000)
    # PP&E starts from it: gross 100, accumulated 40, net 60.
    assert items["gross_ppe_opening"].iloc[0] == pytest.approx(100.0)
    assert items["net_ppe_opening"].iloc[0] == pytest.approx(60.0)
    np.testing.assert_allclose(items["check_ppe_rollforward"], 0, atol=1e-6)


def test_retirement_writes_off_what_is_left_and_stops_depreciation(make_model):
    # Book life 5, physical life 4: 8m a year for 2024-2027; the units retire during 2027 (age 3
    # at its start, 4 at its end), so the 8m left is written off then and nothing is depreciated after.
    items = project(make_model(FIVE_YEARS)).line_items
    np.testing.assert_allclose(items["depreciation[servers,2024]"], [8e6, 8e6, 8e6, 8e6, 0, 0, 0], atol=1e-3)
    np.testing.assert_allclose(items["retirement_write_off"], [0, 0, 0, 8e6, 0, 0, 0], atol=1e-3)
    np.testing.assert_allclose(items["net_book_value[servers,2024]"].iloc[3:], 0, atol=1e-3)
    assert items["installed_units[X1]"].iloc[4] == 0
    # Gross PP&E loses the 40m cost with the units; the roll-forward still closes.
    np.testing.assert_allclose(items["gross_ppe_closing"], [40e6, 40e6, 40e6, 0, 0, 0, 0], atol=1e-3)
    np.testing.assert_allclose(items["check_ppe_rollforward"], 0, atol=1e-6)


@pytest.mark.parametrize(("share", "gain"), [(0.3, 12e6 - 8e6), (0.1, 4e6 - 8e6)])
def test_resale_at_retirement_with_a_gain_and_with_a_loss(make_model, share, gain):
    # 1,000 units bought at 40,000 retire at age 4; sold at 30% (12m) they beat the 8m of book
    # value written off by 4m; at 10% (4m) they fall 4m short.
    model = make_model({**FIVE_YEARS, "gpus.X1.resale_value": [{"age_years": 4, "share_of_cost": share}]})
    items = project(model).line_items
    np.testing.assert_allclose(items["resale_proceeds"], [0, 0, 0, 40e6 * share, 0, 0, 0], atol=1e-3)
    np.testing.assert_allclose(items["disposal_gain"], [0, 0, 0, gain, 0, 0, 0], atol=1e-3)
    # The gain is in EBIT; the proceeds are cash.
    expected_ebit = items["ebitda"] - items["depreciation"] + items["disposal_gain"]
    np.testing.assert_allclose(items["ebit"], expected_ebit, atol=1e-6)
    no_resale = project(make_model(FIVE_YEARS)).line_items
    np.testing.assert_allclose(
        items["free_cash_flow"] - no_resale["free_cash_flow"],
        items["resale_proceeds"] - (items["tax_on_ebit"] - no_resale["tax_on_ebit"]),
        atol=1e-3,
    )


def test_a_life_change_for_part_of_a_class(make_model):
    # 100 bought at the start of 2024 on 5 years; from 2026 a 40% subset moves to 4 years. The
    # rest (60) takes 12 a year for five years; the subset (40) takes 8 in 2024 and 2025, then
    # spreads its 24 over the 2 years left of 4: 12 in 2026 and 2027.
    model = make_model(
        {
            **LONG_LIVED,
            "capex.by_period.2024.total": 100.0,
            "asset_classes.servers.life_changes": [{"effective": "2026-01-01", "useful_life_years": 4, "share": 0.4}],
        }
    )
    items = project(model).line_items
    np.testing.assert_allclose(items["depreciation[servers,2024]"], [20, 20, 24, 24, 12, 0, 0], atol=1e-9)
    np.testing.assert_allclose(items["depreciation[servers,2024,changed]"], [8, 8, 12, 12, 0, 0, 0], atol=1e-9)


def test_a_life_change_for_named_vintages_only(make_model):
    # The change applies to what was bought in 2024, not to 2025's purchase.
    model = make_model(
        {
            **LONG_LIVED,
            "capex.by_period": {
                "2024": {"total": 100.0, "ai_share": 1.0, "asset_mix": {"servers": 1.0}, "gpu_mix": {"X1": 1.0}},
                "2025": {"total": 100.0},
                **{str(year): {"total": 0} for year in range(2026, 2031)},
            },
            "asset_classes.servers.life_changes": [
                {"effective": "2026-01-01", "useful_life_years": 4, "vintages": ["2024"]}
            ],
        }
    )
    items = project(model).line_items
    np.testing.assert_allclose(items["depreciation[servers,2024]"], [20, 20, 30, 30, 0, 0, 0], atol=1e-9)
    np.testing.assert_allclose(items["depreciation[servers,2025]"], [0, 20, 20, 20, 20, 20, 0], atol=1e-9)


def test_salvage_is_written_off_with_the_units_and_nothing_is_depreciated_after(make_model):
    # Book and physical life 4 years, 25% salvage: (40m - 10m) / 4 = 7.5m a year; the units retire at
    # the end of 2027 and take the 10m salvage value with them. (Found by the invariant kit: the
    # salvage of retired units once stayed in the depreciable base and depreciated negatively.)
    items = project(make_model({"asset_classes.servers.salvage_fraction": 0.25})).line_items
    np.testing.assert_allclose(items["depreciation[servers,2024]"], [7.5e6] * 4 + [0, 0, 0], atol=1e-3)
    np.testing.assert_allclose(items["retirement_write_off"], [0, 0, 0, 10e6, 0, 0, 0], atol=1e-3)
    np.testing.assert_allclose(items["accumulated_depreciation_closing"].iloc[3:], 0, atol=1e-3)
