"""Custom silicon (TPU, Trainium, MTIA): its catalogue generations and the shipped models that buy it.

Every expected number is worked out here from the figures in the YAML files, never read back from
the engine.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from finmodel import ModelError, load_catalog, load_model, project
from finmodel.schema import parse_point_in_time

MODELS = Path(__file__).resolve().parents[2] / "models"
CATALOG = MODELS / "catalog" / "gpus.yaml"
GENERATIONS = yaml.safe_load(CATALOG.read_text())["generations"]
CUSTOM = [name for name in GENERATIONS if name.startswith(("TPU", "Trainium", "MTIA"))]
FIGURES = (
    "available_from",
    "cost_per_accelerator_usd",
    "cost_change_per_year",
    "power_kw_per_accelerator",
    "relative_performance",
    "physical_life_years",
)


def _figure(value):
    return value["value"] if isinstance(value, dict) else value


def _marked(block) -> bool:
    """A mapping that cites a source or marks itself an estimate."""
    return isinstance(block, dict) and (bool(block.get("source")) or str(block.get("note", "")).startswith("estimate"))


def _unmarked_figures(node, path: str, marked: bool):
    """Paths of numbers with no source or estimate note on themselves or on a block around them."""
    if isinstance(node, dict):
        marked = marked or _marked(node)
        for key, value in node.items():
            if key not in ("source", "note"):
                yield from _unmarked_figures(value, f"{path}.{key}", marked)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _unmarked_figures(value, f"{path}.{index}", marked)
    elif not marked:
        yield path


def _years_after(point: str, middle_of: str) -> float:
    """Years from a dated price point to the middle of an annual period."""
    return int(middle_of) + 0.5 - parse_point_in_time(point)


def test_catalogue_has_tpu_trainium_and_mtia_generations_with_every_figure_sourced_or_estimated():
    for family in ("TPU", "Trainium", "MTIA"):
        assert any(name.startswith(family) for name in CUSTOM), family
    for name in CUSTOM:
        generation = GENERATIONS[name]
        assert set(FIGURES) <= set(generation), name
        # The generation's own note describes the chip; it is not the provenance of its figures.
        assert not _marked(generation), name
        assert list(_unmarked_figures(generation, name, marked=False)) == []


@pytest.mark.parametrize(
    ("name", "nvidia"),
    [("TPU_v5p", "H100"), ("TPU_v6e", "H200"), ("TPU_v7", "B200"), ("Trainium2", "H200"), ("Trainium3", "B200")]
    + [("MTIA_v2", "H100")],
)
def test_custom_silicon_follows_the_catalogues_rule_from_its_nvidia_counterpart(name, nvidia):
    # The catalogue's header: cost = counterpart's x r / R x 0.7, power = counterpart's x r / R.
    chip, other = GENERATIONS[name], GENERATIONS[nvidia]
    ratio = _figure(chip["relative_performance"]) / _figure(other["relative_performance"])
    cost = _figure(other["cost_per_accelerator_usd"]) * ratio * 0.7
    assert _figure(chip["cost_per_accelerator_usd"]) == pytest.approx(cost, abs=1)
    power = _figure(other["power_kw_per_accelerator"]) * ratio
    assert _figure(chip["power_kw_per_accelerator"]) == pytest.approx(power, abs=0.005)


PRICE_RATIOS = {
    "TPU_v5p": ("H100", 0.5 / 1.0 * 0.7),
    "TPU_v6e": ("H200", 0.9 / 1.4 * 0.7),
    "TPU_v7": ("B200", 2.5 / 2.5 * 0.7),
    "Trainium2": ("H200", 0.65 / 1.4 * 0.7),
    "Trainium3": ("B200", 1.3 / 2.5 * 0.7),
}
"""The header's rule for prices: the counterpart's x r / R x 0.7 (relative performances from the YAML)."""


@pytest.mark.parametrize("name", list(PRICE_RATIOS))
def test_catalogue_rents_custom_silicon_at_its_counterparts_curve_scaled(name):
    other, ratio = PRICE_RATIOS[name]
    chip, nvidia = GENERATIONS[name]["rental_price"], GENERATIONS[other]["rental_price"]
    for curve in ("contract", "spot"):
        points, theirs = chip[curve]["points"], nvidia[curve]["points"]
        assert list(points) == list(theirs)
        for when, price in points.items():
            assert _figure(price) == pytest.approx(_figure(theirs[when]) * ratio, abs=0.0051), (curve, when)
        assert _figure(chip[curve]["decline_after_last_point"]) == _figure(nvidia[curve]["decline_after_last_point"])


def test_mtia_is_not_rented_out():
    catalog = load_catalog(CATALOG)
    for name in CUSTOM:
        rented = catalog.generations[name].rental_price is not None
        assert rented == (not name.startswith("MTIA")), name


@pytest.mark.parametrize(("stem", "chip"), [("alphabet", "TPU_v6e"), ("amazon", "Trainium2")])
def test_a_cloud_rents_its_own_chip_at_a_price_of_its_own(stem, chip):
    # Both curves of the chip are its counterpart's x the ratio (to the cent), so under the same tiers
    # its market price is the counterpart's x the ratio in every period, and below it.
    other, ratio = PRICE_RATIOS[chip]
    items = project(load_model(MODELS / f"{stem}.yaml")).line_items
    own, theirs = (
        items[f"market_rental_price_usd_per_hour[{chip}]"],
        items[f"market_rental_price_usd_per_hour[{other}]"],
    )
    for period in ("2025", "2026", "2028"):
        assert own[period] == pytest.approx(theirs[period] * ratio, rel=0.01)
        assert own[period] < theirs[period]


def test_alphabets_fleet_holds_tpus_from_the_2023_vintage_on():
    data = yaml.safe_load((MODELS / "alphabet.yaml").read_text())
    items = project(load_model(MODELS / "alphabet.yaml")).line_items
    vintage = data["opening"]["vintages"]["2023"]
    # 2023's accelerator-class cost, 70% TPU v5p, bought mid-2023: before the v5p's 2023Q4 launch, so at
    # its launch cost of $15,050.
    spent = (vintage["cost"]["servers"] + vintage["cost"]["network"]) * 1e9 * vintage["gpu_mix"]["TPU_v5p"]
    bought = spent / _figure(GENERATIONS["TPU_v5p"]["cost_per_accelerator_usd"])
    assert items["units_in_service[TPU_v5p,2023]"]["2024"] == pytest.approx(bought)
    for name in ("TPU_v5p", "TPU_v6e", "TPU_v7"):
        assert (items[f"installed_units[{name}]"] > 0).any(), name
    assert (items["installed_units[TPU_v7]"][["2026", "2032"]] > 0).all()


def test_amazons_fleet_holds_the_trainium2_it_bought_in_2025():
    data = yaml.safe_load((MODELS / "amazon.yaml").read_text())
    items = project(load_model(MODELS / "amazon.yaml")).line_items
    periods = data["capex"]["by_period"]
    # 2025: total x AI share x the accelerator classes' share (servers and network, 2024's asset_mix,
    # still in force) x Trainium2's share, at its cost mid-2025: $17,550 falling 10% a year since 2024Q4.
    accelerators = periods["2024"]["asset_mix"]["servers"] + periods["2024"]["asset_mix"]["network"]
    spent = _figure(periods["2025"]["total"]) * _figure(periods["2025"]["ai_share"]) * accelerators
    spent *= periods["2025"]["gpu_mix"]["Trainium2"] * 1e9
    unit_cost = 17_550 * (1 - 0.10) ** (2025.5 - 2024.75)
    held = items["units_in_service[Trainium2,2025]"]
    assert held["2026"] == pytest.approx(spent / unit_cost)
    assert held["2025"] == pytest.approx(spent / unit_cost / 2)  # in service from mid-year
    for name in ("Trainium2", "Trainium3"):
        assert (items[f"installed_units[{name}]"] > 0).any(), name


def test_meta_runs_mtia_internally_and_never_leases_it(tmp_path):
    items = project(load_model(MODELS / "meta.yaml")).line_items
    assert (items["installed_units[MTIA_v2]"] > 0).all()
    assert (items["leasing_units[MTIA_v2]"] == 0).all()
    assert (items["leasing_revenue[MTIA_v2]"] == 0).all()
    assert (items["training_units[MTIA_v2]"] == 0).all()
    # The catalogue has no price for MTIA: without Meta's own valuation the model is refused.
    data = yaml.safe_load((MODELS / "meta.yaml").read_text())
    del data["leasing"]["prices"]["MTIA_v2"]
    shutil.copytree(MODELS / "catalog", tmp_path / "catalog")
    (tmp_path / "meta.yaml").write_text(yaml.safe_dump(data))
    with pytest.raises(ModelError, match="no rental price for MTIA_v2"):
        load_model(tmp_path / "meta.yaml")
