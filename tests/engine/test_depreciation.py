"""Depreciation schedules against schedules worked by hand (cost 100 bought at the start of 2024)."""

from __future__ import annotations

import numpy as np
import pytest

from finmodel import project


def _schedule(make_model, changes, asset="servers"):
    # The accelerators outlive every book life here, so no retirement cuts a schedule short.
    model = make_model({"capex.by_period.2024.total": 100.0, "gpus.X1.physical_life_years": 10, **changes})
    projection = project(model)
    return projection.line_items[f"depreciation[{asset},2024]"].to_numpy(), projection


def test_straight_line_five_years(make_model):
    dep, _ = _schedule(make_model, {"asset_classes.servers.useful_life_years": 5})
    np.testing.assert_allclose(dep, [20, 20, 20, 20, 20, 0, 0], atol=1e-12)


def test_straight_line_with_salvage(make_model):
    # (100 - 10) / 5 = 18 a year; 10 stays on the books.
    dep, projection = _schedule(
        make_model, {"asset_classes.servers.useful_life_years": 5, "asset_classes.servers.salvage_fraction": 0.1}
    )
    np.testing.assert_allclose(dep, [18, 18, 18, 18, 18, 0, 0], atol=1e-12)
    assert projection.line_items["net_book_value[servers,2024]"].iloc[-1] == pytest.approx(10.0)


def test_double_declining_balance_switches_to_straight_line(make_model):
    # Rate 2/5 = 40% of opening book value, or straight line over the remaining life if larger:
    # 40 (100*.4), 24 (60*.4), 14.4 (36*.4), then 21.6/2 = 10.8 twice.
    dep, _ = _schedule(
        make_model, {"asset_classes.servers.useful_life_years": 5, "asset_classes.servers.method": "declining_balance"}
    )
    np.testing.assert_allclose(dep, [40, 24, 14.4, 10.8, 10.8, 0, 0], atol=1e-12)


def test_sum_of_years_digits(make_model):
    # Digits 5+4+3+2+1 = 15: 100 * 5/15, 4/15, 3/15, 2/15, 1/15.
    dep, _ = _schedule(
        make_model,
        {"asset_classes.servers.useful_life_years": 5, "asset_classes.servers.method": "sum_of_years_digits"},
    )
    np.testing.assert_allclose(dep, [100 / 3, 80 / 3, 20, 40 / 3, 20 / 3, 0, 0], atol=1e-12)


def test_prospective_life_change_five_to_five_and_a_half_after_two_years(make_model):
    # Two years at 20 leave 60; the new 5.5-year life leaves 3.5 years from age 2, so
    # 60 / 3.5 = 17.142857 a year for three years, then the last half year 60 * 0.5 / 3.5.
    dep, projection = _schedule(
        make_model,
        {
            "asset_classes.servers.useful_life_years": 5,
            "asset_classes.servers.life_changes": [{"effective": "2026-01-01", "useful_life_years": 5.5}],
        },
    )
    per_year = 60 / 3.5
    np.testing.assert_allclose(dep, [20, 20, per_year, per_year, per_year, 60 * 0.5 / 3.5, 0], atol=1e-9)
    assert dep.sum() == pytest.approx(100.0)


def test_life_shortened_below_age_writes_off_the_rest(make_model):
    # Amazon-style 6 → 5 years; an asset already 5.5 years old when a 5-year life applies is
    # fully depreciated at once. Bought 2024 at 100, 6-year life: 16.667 a year; from 2029
    # (age 5) the remaining life is 0, so the remaining 16.667 goes in 2029.
    model = make_model(
        {
            "capex.by_period.2024.total": 100.0,
            "gpus.X1.physical_life_years": 6,
            "asset_classes.servers.useful_life_years": 6,
            "asset_classes.servers.life_changes": [{"effective": 2029, "useful_life_years": 4}],
        }
    )
    dep = project(model).line_items["depreciation[servers,2024]"].to_numpy()
    np.testing.assert_allclose(dep, [100 / 6] * 5 + [100 / 6, 0], atol=1e-9)


def test_quarterly_straight_line(make_model):
    # A one-year life on a quarterly timeline: a quarter of the cost each quarter.
    model = make_model(
        {
            "timeline.frequency": "quarterly",
            "timeline.end_year": 2025,
            "capex.by_period": {
                "2024Q1": {"total": 100.0, "ai_share": 1.0, "asset_mix": {"servers": 1.0}, "gpu_mix": {"X1": 1.0}},
                **{f"{y}Q{q}": {"total": 0} for y in (2024, 2025) for q in (1, 2, 3, 4) if (y, q) != (2024, 1)},
            },
            "asset_classes.servers.useful_life_years": 1,
        }
    )
    dep = project(model).line_items["depreciation[servers,2024Q1]"].to_numpy()
    np.testing.assert_allclose(dep, [25, 25, 25, 25, 0, 0, 0, 0], atol=1e-12)


def test_economic_depreciation_uses_economic_life(make_model):
    # Book 5 years, economic 4 years: 25 a year for four years.
    model = make_model(
        {
            "capex.by_period.2024.total": 100.0,
            "asset_classes.servers.useful_life_years": 5,
            "asset_classes.servers.economic_life_years": 4,
            "gpus.X1.physical_life_years": 10,
        }
    )
    items = project(model).line_items
    np.testing.assert_allclose(items["economic_depreciation"], [25, 25, 25, 25, 0, 0, 0], atol=1e-12)
    np.testing.assert_allclose(items["depreciation"], [20, 20, 20, 20, 20, 0, 0], atol=1e-12)


def test_land_is_not_depreciated(make_model):
    model = make_model(
        {
            "capex.by_period.2024.total": 100.0,
            "capex.by_period.2024.asset_mix": {"servers": 0.6, "land": 0.4},
            "asset_classes.land": {"method": "none", "useful_life_years": 1},
        }
    )
    items = project(model).line_items
    assert items["depreciation[land]"].abs().sum() == 0
    assert items["net_book_value[land,2024]"].iloc[-1] == pytest.approx(40.0)


def _mid_period(make_model, changes):
    return _schedule(make_model, {"timeline.purchases_in_service": "mid_period", **changes})


def test_mid_period_straight_line(make_model):
    # Half a year in 2024, four full years, the last half in 2029.
    dep, _ = _mid_period(make_model, {"asset_classes.servers.useful_life_years": 5})
    np.testing.assert_allclose(dep, [10, 20, 20, 20, 20, 10, 0], atol=1e-12)


def test_mid_period_double_declining_balance(make_model):
    # Half a year at 40% a year compounds to 1 - 0.6**0.5; then 40% of the opening value, or the
    # straight line over the remaining life (4.5, 3.5, ... years) when that is larger.
    dep, _ = _mid_period(
        make_model, {"asset_classes.servers.useful_life_years": 5, "asset_classes.servers.method": "declining_balance"}
    )
    expected, book, remaining = [], 100.0, 5.0
    first = book * (1 - 0.6**0.5)
    expected.append(first)
    book, remaining = book - first, 4.5
    while remaining > 1:
        amount = max(book * 0.4, book / remaining)
        expected.append(amount)
        book, remaining = book - amount, remaining - 1
    expected.append(book)
    np.testing.assert_allclose(dep, [*expected, 0], atol=1e-9)
    assert dep.sum() == pytest.approx(100.0)


def test_every_method_of_the_schema_registry_has_a_rule_and_is_offered_by_the_schema():
    from finmodel.engine.blocks.depreciation import SPREAD_RULES
    from finmodel.schema import DepreciationMethod, model_file_schema

    assert set(SPREAD_RULES) == set(DepreciationMethod)
    offered = model_file_schema()["$defs"]["DepreciationMethod"]["anyOf"][0]["enum"]
    assert offered == ["straight_line", "declining_balance", "sum_of_years_digits", "none"]
