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


def test_catalogue_rents_tpu_and_trainium_at_their_own_prices_and_mtia_not_at_all():
    catalog = load_catalog(CATALOG)
    # Trillium: the H200's Mar 2026 prices x 0.9 / 1.4 x 0.7 = x 0.45, rounded to the cent.
    trillium, h200 = GENERATIONS["TPU_v6e"]["rental_price"], GENERATIONS["H200"]["rental_price"]
    for curve in ("contract", "spot"):
        own = _figure(trillium[curve]["points"]["2026-03"])
        assert own == pytest.approx(_figure(h200[curve]["points"]["2026-03"]) * 0.45, abs=0.005)
    # Mid-2026, a third of a year after the Mar 2026 point, both decline at the H200's 18% a year.
    middle = 2026.5
    declined = (1 - 0.18) ** (middle - (2026 + 2 / 12))
    tpu = catalog.generations["TPU_v6e"].rental_price.contract.price_at(middle, launch=2024.75)
    nvidia = catalog.generations["H200"].rental_price.contract.price_at(middle, launch=2024.5)
    assert tpu == pytest.approx(1.62 * declined) and nvidia == pytest.approx(3.60 * declined)
    for name in CUSTOM:
        rented = catalog.generations[name].rental_price is not None
        assert rented == (not name.startswith("MTIA")), name


@pytest.mark.parametrize(
    ("stem", "chip", "nvidia"),
    [("alphabet", "TPU_v6e", "H200"), ("amazon", "Trainium2", "H200")],
)
def test_a_cloud_rents_its_own_chip_at_a_price_of_its_own(stem, chip, nvidia):
    data = yaml.safe_load((MODELS / f"{stem}.yaml").read_text())
    prices, contracted = data["leasing"]["prices"], _figure(data["leasing"]["contracted_share"])
    items = project(load_model(MODELS / f"{stem}.yaml")).line_items

    def blended_2026(name: str) -> float:
        # Contract: flat between its two points, which span 2026. Spot: one point, then its decline.
        contract = _figure(next(iter(prices[name]["contract"]["points"].values())))
        ((point, spot),) = prices[name]["spot"]["points"].items()
        decline = _figure(prices[name]["spot"]["decline_after_last_point"])
        spot = _figure(spot) * (1 - decline) ** _years_after(point, "2026")
        return contracted * contract + (1 - contracted) * spot

    own, other = blended_2026(chip), blended_2026(nvidia)
    assert items[f"rental_price_usd_per_hour[{chip}]"]["2026"] == pytest.approx(own)
    assert items[f"rental_price_usd_per_hour[{nvidia}]"]["2026"] == pytest.approx(other)
    assert own < other


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
