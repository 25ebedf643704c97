"""Whole projections: accounting identities on every shipped model (and the test fixtures that use
what they do not), and the verdict."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from finmodel import load_model, project

ROOT = Path(__file__).resolve().parents[2]
MODELS = sorted(ROOT.joinpath("models").glob("*.yaml"))
FIXTURES = [ROOT / "tests" / "fixtures" / name for name in ("lifecycle.yaml", "backlog.yaml", "demand.yaml")]


def _projections():
    for file in [*MODELS, *FIXTURES]:
        model = load_model(file)
        for scenario in (None, *model.scenarios):
            yield pytest.param(file, scenario, id=f"{file.stem}-{scenario or 'base'}")


@pytest.fixture(scope="module")
def loaded():
    return {file: load_model(file) for file in [*MODELS, *FIXTURES]}


def test_six_company_models_are_shipped():
    assert {f.stem for f in MODELS} >= {"meta", "microsoft", "alphabet", "amazon", "oracle", "coreweave"}


@pytest.mark.parametrize(("file", "scenario"), list(_projections()))
def test_accounting_identities(loaded, file, scenario):
    projection = project(loaded[file], scenario)
    items = projection.line_items
    # The one cell the Cover shows: every check row reads zero in every period.
    assert projection.metrics["checks_all_pass"] == 1
    start = items["net_ppe_opening"].iloc[0]
    opening = np.concatenate([[start], items["net_ppe_closing"].to_numpy()[:-1]])
    # PP&E roll-forward: closing = opening + CapEx - depreciation - written off - impaired, every period.
    moved = (
        items["capex_in_scope"] - items["depreciation_in_scope"] - items["retirement_write_off"] - items["impairment"]
    )
    np.testing.assert_allclose(items["net_ppe_closing"], opening + moved, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(items["net_ppe_opening"], opening, atol=1e-9)
    # Gross PP&E: what was there at the start, plus CapEx, less the cost of what retired.
    gross_start = items["gross_ppe_opening"].iloc[0]
    expected_gross = gross_start + np.cumsum(items["capex_in_scope"] - items["retired_cost"])
    np.testing.assert_allclose(items["gross_ppe_closing"], expected_gross, rtol=1e-12)
    assert (items["accumulated_depreciation_closing"] <= items["gross_ppe_closing"] + 1e-9).all()
    # Cash flow = EBITDA - tax - CapEx + resale; EBIT = EBITDA - D&A + gain on disposal - impairment.
    cash = items["ebitda"] - items["tax_on_ebit"] - items["capex_ai"] + items["resale_proceeds"]
    np.testing.assert_allclose(items["free_cash_flow"], cash, atol=1e-9)
    ebit = (
        items["ebitda"]
        - items["depreciation"]
        + items["resale_proceeds"]
        - items["retirement_write_off"]
        - items["impairment"]
    )
    np.testing.assert_allclose(items["ebit"], ebit, atol=1e-9)
    # Every check row reads zero.
    for name in (c for c in items.columns if c.startswith("check_")):
        np.testing.assert_allclose(items[name], 0.0, atol=1e-6, err_msg=name)
    # Allocation never exceeds what is installed; nothing is negative.
    for column in ("installed_units", "leasing_revenue", "depreciation", "operating_cost", "capex_ai"):
        assert (items[column] >= -1e-9).all(), column


def _leasing_model(make_model, share, price):
    return make_model(
        {
            "allocation": [{"by_age": [{"min_age_years": 0, "training": 1 - share, "inference": 0, "leasing": share}]}],
            "leasing.prices.X1.contract.launch_price_usd_per_hour": price,
        }
    )


def test_verdict_revenue_asset_when_leased_capacity_earns_well(make_model):
    # All capacity leased at $3/h for its whole 4-year life: revenue 21,024 a year per unit against
    # 2,251.20 of power and facility and 10,000 of economic depreciation (economic life = book
    # life), the same every year, so the ratio of present values is the yearly ratio.
    verdict = project(_leasing_model(make_model, 1.0, 3.0)).verdict
    assert verdict.label == "revenue asset"
    assert all(reason.passed for reason in verdict.reasons)
    coverage = next(r for r in verdict.reasons if r.test == "coverage")
    assert coverage.value == pytest.approx(7008 * 3.0 / (2251.2 + 10_000))
    assert coverage.margin == pytest.approx(coverage.value - 1.0)


def test_verdict_cost_centre_when_nothing_is_leased(make_model):
    verdict = project(_leasing_model(make_model, 0.0, 3.0)).verdict
    assert verdict.label == "cost centre"
    assert not any(reason.passed for reason in verdict.reasons[:3])


def test_verdict_partly_when_leasing_covers_depreciation_but_misses_the_hurdle(make_model):
    # At $1.80/h a leased unit earns 12,614 a year against 10,000 of depreciation (covered), but
    # after power and facility (2,251) and tax its NOPAT is below 10% of the capital employed.
    verdict = project(_leasing_model(make_model, 1.0, 1.8)).verdict
    results = {reason.test: reason.passed for reason in verdict.reasons}
    assert results["coverage"] and not results["economic profit"]
    assert verdict.label == "partly"


def test_scenario_changes_only_what_it_overrides(loaded):
    meta = next(model for file, model in loaded.items() if file.stem == "meta")
    base, bear = project(meta), project(meta, "bear")
    assert bear.scenario == "bear"
    np.testing.assert_allclose(base.line_items["capex_ai"], bear.line_items["capex_ai"])
    assert bear.line_items["leasing_revenue"].sum() < base.line_items["leasing_revenue"].sum()


def test_inputs_vary_by_draw(make_model):
    # Three utilisation draws in one run; revenue is linear in utilisation. At 50% a unit's NOPAT
    # is (4,380*3 - 2,251.2 - 10,000)*0.8 = 711 a year, 2,844 over four years, short of the 10%
    # charge on capital employed (40k+30k+20k+10k)*0.1 = 10,000; at 80% and 100% it clears it.
    model = _leasing_model(make_model, 1.0, 3.0)
    draws = np.array([[0.5], [0.8], [1.0]])
    together = project(model, draws=3, inputs={"leasing_utilisation": draws})
    revenue = together.series("leasing_revenue")[:, 0]
    np.testing.assert_allclose(revenue, 1000 * 8760 * draws[:, 0] * 3.0)
    assert together.verdict_shares["revenue asset"] == pytest.approx(2 / 3)
    assert together.verdict_labels[0] != "revenue asset" and together.verdict_labels[1:] == ("revenue asset",) * 2


def test_one_period_timeline(make_model):
    # A single period: lagged references read their fill, not the row itself.
    model = make_model(
        {
            "timeline.end_year": 2024,
            "capex.by_period": {
                "2024": {"total": 40_000_000, "ai_share": 1.0, "asset_mix": {"servers": 1.0}, "gpu_mix": {"X1": 1.0}}
            },
        }
    )
    items = project(model).line_items
    assert not items.isna().any().any()
    assert items["net_ppe_closing"].iloc[0] == pytest.approx(40_000_000 - 10_000_000)
    assert items["retired_units[X1]"].iloc[0] == 0


def _annual_and_quarterly(make_model, common, spend):
    """The same plan as an annual model (``spend`` in 2024) and a quarterly one (a quarter of it
    each quarter of 2024): the annual line items, and the quarterly ones summed by year."""
    annual = project(make_model({**common, "capex.by_period.2024.total": spend})).line_items
    quarters = {f"{y}Q{q}": {"total": 0} for y in range(2024, 2031) for q in (1, 2, 3, 4)}
    quarters.update({f"2024Q{q}": {"total": spend / 4} for q in (1, 2, 3, 4)})
    quarters["2024Q1"].update({"ai_share": 1.0, "asset_mix": {"servers": 1.0}, "gpu_mix": {"X1": 1.0}})
    quarterly = project(
        make_model({**common, "timeline.frequency": "quarterly", "capex.by_period": quarters})
    ).line_items
    return annual, quarterly.groupby(quarterly.index.str[:4]).sum()


def test_annual_and_quarterly_agree_under_the_mid_period_convention(make_model):
    # The same plan, bought evenly through 2024: 100m a year annually, 25m a quarter quarterly.
    # With purchases in service from mid-period, every annual total of the quarterly model
    # equals the annual model (straight line, flat prices and power).
    # (Accelerators outlive the book life: retirements fall at the end of the period that reaches
    # the physical life, a quarter-end in one model and a year-end in the other.)
    common = {
        "timeline.purchases_in_service": "mid_period",
        "asset_classes.servers.useful_life_years": 5,
        "gpus.X1.physical_life_years": 10,
    }
    annual, by_year = _annual_and_quarterly(make_model, common, 100e6)
    for item in ("depreciation", "leasing_revenue", "power_cost", "facility_cost", "economic_depreciation"):
        np.testing.assert_allclose(
            by_year[item].to_numpy(), annual[item].to_numpy(), rtol=1e-9, atol=1e-3, err_msg=item
        )
    np.testing.assert_allclose(annual["depreciation"], [10e6, 20e6, 20e6, 20e6, 20e6, 10e6, 0], rtol=1e-12)


def test_losses_carried_forward(make_model):
    # At $1/h a leased unit earns 7,008 a year against 2,251.2 of running cost and 10,000 of
    # depreciation: EBIT -5,243.2 per unit-year, -5,243,200 for 1,000 units, for four years.
    # Carried forward, no tax is paid and the losses pile up; with group relief tax is negative.
    per_year = 1000 * (7008 * 1.0 - 2251.2 - 10_000)
    carried = project(
        make_model(
            {"leasing.prices.X1.contract.launch_price_usd_per_hour": 1.0, "financing.tax_losses": "carry_forward"}
        )
    ).line_items
    np.testing.assert_allclose(carried["ebit"].iloc[:4], per_year)
    np.testing.assert_allclose(carried["tax_on_ebit"], 0.0)
    np.testing.assert_allclose(carried["tax_on_ebit_losses_carried"].iloc[:4], [-per_year * k for k in (1, 2, 3, 4)])
    relieved = project(make_model({"leasing.prices.X1.contract.launch_price_usd_per_hour": 1.0})).line_items
    np.testing.assert_allclose(relieved["tax_on_ebit"].iloc[:4], per_year * 0.2)


def test_fiscal_years_read_dated_figures_at_their_calendar_time(make_model):
    # A June year-end: FY2024 runs July 2023 - June 2024, its middle is 1 January 2024, half way
    # between the price points of July 2023 ($4) and July 2024 ($2): $3.
    model = make_model(
        {
            "timeline.fiscal_year_end_month": 6,
            "leasing.prices.X1.contract": {"points": {"2023-07": 4.0, "2024-07": 2.0}},
        }
    )
    assert model.timeline.starts[:2] == (2023.5, 2024.5)
    items = project(model).line_items
    assert items["rental_price_usd_per_hour[X1]"].iloc[0] == pytest.approx(3.0)


def test_age_bands_are_weighted_by_time_in_each(make_model):
    # Nothing leased in the first year of service, everything after. Bought mid-2024: 2024 is
    # ages 0-0.5 (none leased), 2025 ages 0.5-1.5 (half the year leased), 2026 on all leased.
    bands = [
        {"min_age_years": 0, "training": 1, "inference": 0, "leasing": 0},
        {"min_age_years": 1, "training": 0, "inference": 0, "leasing": 1},
    ]
    common = {"timeline.purchases_in_service": "mid_period", "allocation": [{"by_age": bands}]}
    annual, by_year = _annual_and_quarterly(make_model, common, 40e6)
    np.testing.assert_allclose(annual["leasing_units[X1]"].iloc[:4], [0, 500, 1000, 1000])
    np.testing.assert_allclose(by_year["leasing_revenue"].to_numpy(), annual["leasing_revenue"].to_numpy(), rtol=1e-9)


def test_billed_share_ramps_leased_capacity(make_model):
    # Leased from day one, but only 80% billable in the first year of service.
    bands = [
        {"min_age_years": 0, "training": 0, "inference": 0, "leasing": 1, "billed_share": 0.8},
        {"min_age_years": 1, "training": 0, "inference": 0, "leasing": 1},
    ]
    items = project(make_model({"allocation": [{"by_age": bands}]})).line_items
    np.testing.assert_allclose(items["leasing_units[X1]"].iloc[:4], 1000)
    np.testing.assert_allclose(items["leasing_revenue"].iloc[:2], [1000 * 7008 * 3.0 * 0.8, 1000 * 7008 * 3.0])


def test_leasing_ebitda_margin(make_model):
    # A leased unit bills 8,760 h × 80% × $3 = 21,024 a year; power 1 kW × 1.2 × $0.10 × 8,760 = 1,051.2
    # and facility 1 kW × $100 × 12 = 1,200 leave 18,772.8: a margin of 89.29%. After the 4-year
    # life nothing is billed and the margin reads 0, not a division by zero.
    margin = project(_leasing_model(make_model, 1.0, 3.0)).line_items["leasing_ebitda_margin"]
    assert margin.iloc[0] == pytest.approx(18_772.8 / 21_024)
    assert margin.iloc[-1] == 0
