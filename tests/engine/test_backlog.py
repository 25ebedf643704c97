"""The contracted backlog, worked by hand: recognition from the opening backlog and from bookings,
the roll-forward, the quarterly spread, bookings dated by fiscal quarter in an annual model, and the
backlog ÷ quarterly revenue multiple of each shipped model against the reference figures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from finmodel import load_model, project
from finmodel.testing.invariants import backlog_rollforward

MODELS = Path(__file__).resolve().parents[2] / "models"
THREE_YEARS = {"opening": 0, "opening_schedule": [1.0], "conversion": [0.5, 0.3, 0.2]}


def _backlog(make_model, backlog, **changes):
    return project(make_model({"demand.backlog": backlog, **changes})).line_items


def test_a_booking_converts_over_three_years_and_the_roll_forward_closes(make_model):
    items = _backlog(make_model, {**THREE_YEARS, "bookings": {"2024": 90, "2025": 60}})
    # 90 signed in 2024 converting 50/30/20: 45 in 2024, 27 in 2025, 18 in 2026.
    # 60 signed in 2025: 30 in 2025, 18 in 2026, 12 in 2027.
    # Recognised: 45; 27 + 30 = 57; 18 + 18 = 36; 12; then nothing.
    assert items["backlog_recognised"].tolist() == pytest.approx([45, 57, 36, 12, 0, 0, 0])
    assert items["backlog_recognised_opening"].tolist() == pytest.approx([0] * 7)
    # Closing = opening + bookings − recognised: 0 + 90 − 45 = 45; 45 + 60 − 57 = 48; 48 − 36 = 12; 12 − 12 = 0.
    assert items["backlog_closing"].tolist() == pytest.approx([45, 48, 12, 0, 0, 0, 0], abs=1e-12)
    assert items["backlog_opening"].tolist()[1:] == pytest.approx(items["backlog_closing"].tolist()[:-1])
    # Backlog ÷ quarterly revenue: 45 / (45 / 4) = 4.0 in 2024; 48 / (57 / 4) = 3.368 in 2025.
    assert items["backlog_to_quarterly_revenue"]["2024"] == pytest.approx(4.0)
    assert items["backlog_to_quarterly_revenue"]["2025"] == pytest.approx(48 / (57 / 4))
    # Nothing left: the multiple reads 0, not a division by zero.
    assert items["backlog_to_quarterly_revenue"]["2028"] == 0
    assert (items["check_backlog_rollforward"] == 0).all() and (items["check_backlog_recognised"] == 0).all()


def test_the_opening_backlog_follows_its_own_schedule_and_the_compute_share_scales(make_model):
    backlog = {"opening": 100, "opening_schedule": [0.6, 0.4], "conversion": [1.0], "compute_share": 0.25}
    items = _backlog(make_model, backlog)
    # 100 at the start, 60% in the first year and 40% in the second; no bookings.
    assert items["backlog_recognised"].tolist() == pytest.approx([60, 40, 0, 0, 0, 0, 0])
    assert items["backlog_closing"].tolist() == pytest.approx([40, 0, 0, 0, 0, 0, 0], abs=1e-12)
    # A quarter of it is compute: 40 × 0.25 = 10 of the 2024 closing, 60 × 0.25 = 15 of the revenue.
    assert items["backlog_compute_closing"]["2024"] == pytest.approx(10)
    assert items["backlog_compute_recognised"]["2024"] == pytest.approx(15)


def test_bookings_grow_where_no_figure_is_given_and_stop_in_the_run_off(make_model):
    backlog = {**THREE_YEARS, "bookings": {"2024": 100, "2025": 120}, "growth_per_year": {"2026": 0.1}}
    items = _backlog(make_model, backlog, **{"timeline.runoff_years": 2})
    # 2026 = 120 × 1.1 = 132, 2027 = 132 × 1.1 = 145.2 ... 2030 = 120 × 1.1^5; none in 2031-2032 run-off.
    expected = [100, 120, *(120 * 1.1**k for k in range(1, 6)), 0, 0]
    assert items["bookings"].tolist() == pytest.approx(expected)
    # The last bookings (2030) still convert in the run-off: 30% in 2031 (with 20% of 2029's), 20% in 2032.
    assert items["backlog_recognised"]["2032 run-off"] == pytest.approx(0.2 * expected[6])
    assert items["backlog_closing"]["2032 run-off"] == pytest.approx(0, abs=1e-9)
    # Before any growth rate, a period without a figure books nothing; a run-off period may be named.
    named = _backlog(
        make_model, {**THREE_YEARS, "bookings": {"2025": 50, "2031 run-off": 10}}, **{"timeline.runoff_years": 2}
    )
    assert named["bookings"].tolist() == pytest.approx([0, 50, 0, 0, 0, 0, 0, 10, 0])


def test_a_quarterly_model_spreads_each_years_share_over_four_quarters(make_model):
    quarterly = {
        "timeline.frequency": "quarterly",
        "capex.by_period": {
            **{f"2024Q{q}": {"total": 10_000_000} for q in range(2, 5)},
            "2024Q1": {"total": 10_000_000, "ai_share": 1.0, "asset_mix": {"servers": 1.0}, "gpu_mix": {"X1": 1.0}},
        },
        "capex.growth_per_year": {"2025Q1": 0.0},
    }
    backlog = {"opening": 100, "opening_schedule": [0.6, 0.4], "conversion": [0.5, 0.3, 0.2]}
    items = _backlog(make_model, {**backlog, "bookings": {"2024Q3": 90}}, **quarterly)
    recognised = items["backlog_recognised"].to_numpy()
    # Opening: 60 / 4 = 15 a quarter in 2024, 40 / 4 = 10 a quarter in 2025.
    # 90 signed in 2024Q3: year 1 (2024Q3-2025Q2) 45 / 4 = 11.25 a quarter, year 2 (2025Q3-2026Q2)
    # 27 / 4 = 6.75, year 3 (2026Q3-2027Q2) 18 / 4 = 4.5.
    expected = [15, 15, 15 + 11.25, 15 + 11.25, 10 + 11.25, 10 + 11.25, 10 + 6.75, 10 + 6.75, 6.75, 6.75]
    assert recognised[:14] == pytest.approx([*expected, 4.5, 4.5, 4.5, 4.5])
    assert recognised[14:] == pytest.approx(0)
    # The backlog at the end of 2024Q3: 100 − 15 × 3 + 90 − 11.25 = 133.75.
    assert items["backlog_closing"]["2024Q3"] == pytest.approx(133.75)
    # Backlog ÷ quarterly revenue in a quarterly model: the quarter's own revenue, 133.75 / 26.25.
    assert items["backlog_to_quarterly_revenue"]["2024Q3"] == pytest.approx(133.75 / 26.25)
    assert (items["check_backlog_rollforward"] == 0).all()
    # The same booking in 2024Q1 gives the annual model's 45 / 27 / 18 by fiscal year.
    early = _backlog(make_model, {**backlog, "bookings": {"2024Q1": 90}}, **quarterly)
    by_year = early["backlog_recognised_bookings"].to_numpy()[:16].reshape(4, 4).sum(axis=1)
    assert by_year == pytest.approx([45, 27, 18, 0])


def test_an_annual_model_dates_bookings_and_the_reported_backlog_by_fiscal_quarter(make_model):
    backlog = {**THREE_YEARS, "bookings": {"2024": 80, "2025Q1": 40, "2025Q3": 20}}
    reported = {
        "backlog": {"line_item": "backlog", "basis": "RPO", "by_period": {"2024": 40, "2025Q2": 55}},
        "revenue": {"line_item": "cloud_revenue", "basis": "cloud revenue", "by_period": {"2025Q2": 11}},
    }
    projection = project(make_model({"demand.backlog": backlog, "reported": reported}))
    items = projection.line_items
    # 2025's bookings are its quarters': 40 + 0 + 20 + 0 = 60.
    assert items["bookings"]["2025"] == pytest.approx(60)
    # Recognised in 2025: 30% of 2024's 80 = 24 and 50% of 2025's 60 = 30, 54 in all.
    assert items["backlog_recognised"]["2025"] == pytest.approx(54)
    # At the end of 2025Q2: the opening 80 − 40 = 40, + 40 signed by then, − half the year's 54 = 53.
    by_name = {(item.name, item.period): item for item in projection.reconciliation}
    assert by_name[("backlog", "2025Q2")].model == pytest.approx(53)
    assert by_name[("backlog", "2025Q2")].variance_share == pytest.approx(53 / 55 - 1)
    # Backlog ÷ quarterly revenue at 2025Q2: reported 55 / 11 = 5.0, model 53 / 11 = 4.818.
    multiple = by_name[("revenue", "2025Q2")]
    assert (multiple.reported, multiple.model, multiple.unit) == (pytest.approx(5.0), pytest.approx(53 / 11), "x")
    assert multiple.within is (abs(53 / 55 - 1) <= 0.1)


def test_the_checks_see_revenue_beyond_the_backlog(make_model):
    model = make_model({"demand.backlog": {**THREE_YEARS, "bookings": {"2024": 100}}})
    # Conversion shares varied to 0.8 + 0.3 + 0.2 = 1.3: more than was booked is recognised by 2026.
    runs = project(model, inputs={"backlog_conversion[year1]": np.array([0.5, 0.8])})
    # Draw 1: 80 + 30 = 110 by 2025, 10 more than booked; 2026 recognises 20 more from a backlog at −10: −30.
    recognised_beyond = runs.series("check_backlog_recognised")
    assert recognised_beyond[0] == pytest.approx(0)
    assert recognised_beyond[1, :3] == pytest.approx([0, -10, -30])
    assert runs.metrics_by_draw["checks_all_pass"].tolist() == [1, 0]


def test_a_model_without_a_demand_block_is_unchanged(make_model):
    plain = project(make_model()).line_items
    with_backlog = project(make_model({"demand.backlog": {**THREE_YEARS, "bookings": {"2024": 90}}})).line_items
    added = set(with_backlog.columns) - set(plain.columns)
    assert not any("backlog" in name or "booking" in name for name in plain.columns)
    assert added and all("backlog" in name or "booking" in name for name in added)
    assert with_backlog[plain.columns].equals(plain)


# Latest reported quarter of each shipped model, from shared/reference/reported-figures.md §2 (copy in
# models/sources/): the backlog and the cloud revenue of the quarter it is compared with.
REFERENCE = {
    # Microsoft FY2026 Q3 (Mar-26): commercial RPO 627 / Microsoft Cloud 54.5 = 11.50x.
    "microsoft": ("2026Q3", 627.0, 54.5),
    # AWS Q1 2026: backlog 364 (excluding Anthropic) / AWS revenue 37.6 = 9.68x.
    "amazon": ("2026Q1", 364.0, 37.6),
    # Google Cloud Q1 2026: backlog 462 / revenue 20.0 = 23.1x.
    "alphabet": ("2026Q1", 462.0, 20.0),
    # Oracle FY2026 Q4 (May-26): RPO 638 / OCI revenue 5.8 = 110.0x ("110x OCI").
    "oracle": ("2026Q4", 638.0, 5.8),
    # CoreWeave Q1 2026: backlog 99.4 / revenue 2.08 = 47.8x (public-figures §6).
    "coreweave": ("2026Q1", 99.4, 2.08),
}


@pytest.mark.parametrize("company", REFERENCE)
def test_backlog_over_quarterly_revenue_at_the_latest_quarter_is_within_five_percent_of_the_reference(company):
    quarter, backlog, revenue = REFERENCE[company]
    projection = project(load_model(MODELS / f"{company}.yaml"))
    multiple = next(r for r in projection.reconciliation if r.line_item == "cloud_revenue" and r.period == quarter)
    assert multiple.reported == pytest.approx(backlog / revenue)
    assert abs(multiple.model / (backlog / revenue) - 1) <= 0.05, (company, multiple.model, backlog / revenue)
    assert multiple.within


def test_microsofts_multiple_by_hand():
    # Microsoft, FY2026 (July 2025 - June 2026). Opening (Jun-25) backlog 368; bookings signed by Mar-26 (the
    # first three fiscal quarters) 81.8 + 290.8 + 59.8 = 432.4; FY2026's revenue recognised from backlog:
    #   opening 224 x 0.15 (year 3)                                   =  33.6
    #   FY2024's 181.8 x 0.20 (year 3) + FY2025's 251.0 x 0.25 (year 2) =  36.36 + 62.75 = 99.11
    #   FY2026's 81.8 + 290.8 + 59.8 + 59.8 = 492.2 x 0.20 (year 1)  =  98.44
    #   in all 231.15; three quarters of it by Mar-26: 173.36.
    # Backlog at Mar-26: 368.0 (the model's Jun-25 closing) + 432.4 − 173.36 = 627.0, over Microsoft Cloud's
    # 54.5 of the quarter: 11.505x, against the reference's 627 / 54.5 = 11.505x.
    projection = project(load_model(MODELS / "microsoft.yaml"))
    items = projection.line_items
    assert items["backlog_recognised"]["2026"] == pytest.approx(33.6 + 99.11 + 98.44, abs=1e-9)
    at_march = items["backlog_closing"]["2025"] + 432.4 - 0.75 * (33.6 + 99.11 + 98.44)
    assert at_march == pytest.approx(627.0, abs=0.1)
    multiple = next(r for r in projection.reconciliation if r.line_item == "cloud_revenue")
    assert multiple.model == pytest.approx(at_march / 54.5)
    assert abs(multiple.model / (627 / 54.5) - 1) <= 0.05


def test_the_invariant_holds_on_every_shipped_backlog_and_sees_revenue_beyond_it(make_model):
    for company in REFERENCE:
        model = load_model(MODELS / f"{company}.yaml")
        for scenario in (None, *model.scenarios):
            assert backlog_rollforward(project(model, scenario)) == [], (company, scenario)
    model = make_model({"demand.backlog": {**THREE_YEARS, "bookings": {"2024": 100}}})
    # Conversion 0.8 + 0.3 + 0.2: by 2025, 110 recognised of the 100 booked; the backlog stays below zero after.
    found = backlog_rollforward(project(model, inputs={"backlog_conversion[year1]": 0.8}))
    assert [(v.line_item, v.period) for v in found] == [("backlog_recognised", str(year)) for year in range(2025, 2031)]
    assert found[0].values == pytest.approx({"recognised": 30.0, "in_backlog": 20.0})
    assert "backlog_rollforward: backlog_recognised in 2025: revenue recognised exceeds" in str(found[0])
