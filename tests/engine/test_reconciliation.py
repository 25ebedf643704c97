"""Shipped models against what the companies reported, and Meta's fleet history."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from finmodel import load_model, project

MODELS = Path(__file__).resolve().parents[2] / "models"
SHIPPED = sorted(MODELS.glob("*.yaml"))


def _figure(value):
    return value["value"] if isinstance(value, dict) else value


def _reported_depreciation(file: Path):
    data = yaml.safe_load(file.read_text())
    for name, series in (data.get("reported") or {}).items():
        if series["line_item"] == "depreciation":
            yield name, series


@pytest.mark.parametrize("file", SHIPPED, ids=lambda f: f.stem)
def test_modelled_depreciation_is_within_ten_percent_of_reported_in_2024_and_2025(file):
    series = list(_reported_depreciation(file))
    if not series:
        pytest.skip(f"{file.stem} reports no depreciation figure the model can use (see models/SOURCES.md)")
    projection = project(load_model(file))
    items = projection.line_items
    for name, declared in series:
        classes = declared.get("asset_classes") or list(projection.model.asset_classes)
        for period in ("2024", "2025"):
            reported = _figure(declared["by_period"][period])
            modelled = sum(items[f"depreciation[{c}]"][period] for c in classes)
            assert abs(modelled / reported - 1) <= 0.10, (name, period, modelled, reported)
            shown = next(r for r in projection.reconciliation if r.name == name and r.period == period)
            assert shown.model == pytest.approx(modelled) and shown.reported == reported and shown.within


def test_metas_2025_life_change_saves_within_a_quarter_of_the_disclosed_2_92_billion(tmp_path):
    # Run the model with and without the 5 -> 5.5-year change of Jan 1 2025 (Meta FY25 10-K: 2025
    # depreciation -$2.92B, public-figures §2) and compare servers-and-network depreciation in 2025.
    data = yaml.safe_load((MODELS / "meta.yaml").read_text())
    shutil.copytree(MODELS / "catalog", tmp_path / "catalog")
    without = copy.deepcopy(data)
    for asset in without["asset_classes"].values():
        asset["life_changes"] = [c for c in asset.get("life_changes", []) if str(c["effective"]) != "2025-01-01"]
    without.pop("scenarios")
    (tmp_path / "without.yaml").write_text(yaml.safe_dump(without))
    classes = ["servers", "network", "other_servers_network"]

    def servers_and_network(path):
        items = project(load_model(path)).line_items
        return sum(items[f"depreciation[{c}]"]["2025"] for c in classes)

    saved = servers_and_network(tmp_path / "without.yaml") - servers_and_network(MODELS / "meta.yaml")
    assert abs(saved / 2.92 - 1) <= 0.25, saved


def test_metas_fleet_holds_h100s_bought_before_2024_until_their_physical_life():
    model = load_model(MODELS / "meta.yaml")
    items = project(model).line_items
    catalogue = yaml.safe_load((MODELS / "catalog" / "gpus.yaml").read_text())["generations"]["H100"]
    opening = yaml.safe_load((MODELS / "meta.yaml").read_text())["opening"]["vintages"]["2023"]["cost"]
    # 7.0bn of servers and network bought in 2023 at the H100's cost half a year after it became
    # available (43,000 falling 10% a year): 7.0e9 / (43,000 x 0.9^0.5) accelerators.
    unit_cost = _figure(catalogue["cost_per_accelerator_usd"]) * (1 + _figure(catalogue["cost_change_per_year"])) ** 0.5
    bought = (opening["servers"] + opening["network"]) * 1e9 / unit_cost
    held = items["units_in_service[H100,2023]"]
    assert held["2024"] == pytest.approx(bought)
    # In service from mid-2023 for 6 years: half of 2029, none from 2030.
    assert held["2029"] == pytest.approx(bought / 2)
    assert (held[["2030", "2031", "2032"]] == 0).all()
    # Nothing is depreciated after they retire; their resale is booked when they do.
    for c in ("servers", "network"):
        assert (items[f"depreciation[{c},2023]"][["2030", "2031", "2032"]] == 0).all()
    resale = 0.175  # catalogue: 17.5% of cost from age 4 (reported-figures §4)
    assert items["resale_proceeds[H100]"]["2029"] == pytest.approx(bought * unit_cost * resale / 1e9)
    gain = items["resale_proceeds"] - items["retirement_write_off"]
    np.testing.assert_allclose(items["disposal_gain"], gain)
    assert items["free_cash_flow"]["2029"] == pytest.approx(
        items["ebitda"]["2029"]
        - items["tax_on_ebit"]["2029"]
        - items["capex_ai"]["2029"]
        + items["resale_proceeds"]["2029"]
    )
    np.testing.assert_allclose(items["check_ppe_rollforward"], 0, atol=1e-6)
