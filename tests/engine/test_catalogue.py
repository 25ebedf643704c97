"""The input catalogue and ``project(inputs=...)``: names, base values, checks, results per draw."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from finmodel import FinmodelError, InputError, inputs, load_model, project

META = Path(__file__).resolve().parents[2] / "models" / "meta.yaml"


@pytest.fixture(scope="module")
def meta():
    return load_model(META)


@pytest.fixture(scope="module")
def meta_yaml():
    return yaml.safe_load(META.read_text())


def test_catalogue_lists_a_shipped_models_inputs_with_base_values_and_fields(meta, meta_yaml):
    specs = {spec.name: spec for spec in inputs(meta)}
    utilisation = specs["leasing_utilisation"]
    assert utilisation.base == (meta_yaml["leasing"]["utilisation"]["value"],)
    assert (utilisation.axis, utilisation.unit, utilisation.path) == ("scalar", "share", "leasing.utilisation")
    assert specs["tax_rate"].base == (meta_yaml["financing"]["tax_rate"]["value"],)
    # Servers: 5 years in force in 2024 (the Q4 2022 change), 5.5 from 1 Jan 2025 (Meta's disclosed
    # change); one value per fiscal year.
    changes = {
        str(c["effective"]): c["useful_life_years"] for c in meta_yaml["asset_classes"]["servers"]["life_changes"]
    }
    life = specs["useful_life_years[servers]"]
    assert life.axis == "period" and life.columns[0] == str(meta_yaml["timeline"]["start_year"])
    assert life.base[0] == changes["2022-10-01"]
    assert set(life.base[1:]) == {changes["2025-01-01"]}
    assert not utilisation.structural and not life.structural
    assert specs["physical_life_years[H100]"].structural
    assert specs["gpu_mix[H100]"].structural
    # Cohort prices run by year of age.
    assert specs["cohort_contract_price_usd_per_hour[H100]"].axis == "age"


def test_unknown_input_name_is_a_clear_error_with_a_suggestion(meta):
    with pytest.raises(
        FinmodelError, match=r"'leasing_utilization' is not an input.*did you mean 'leasing_utilisation'"
    ):
        project(meta, inputs={"leasing_utilization": np.array([0.5, 0.6])})


def test_wrong_shape_is_a_clear_error(meta):
    periods = len(meta.projected_labels)
    with pytest.raises(InputError, match=rf"'ai_share_of_capex' has 3 columns; it has {periods}"):
        project(meta, inputs={"ai_share_of_capex": np.ones((2, 3))})
    with pytest.raises(InputError, match="draws disagree"):
        project(meta, inputs={"tax_rate": np.array([0.1, 0.2]), "leasing_utilisation": np.array([0.5, 0.6, 0.7])})
    with pytest.raises(InputError, match="not a finite number"):
        project(meta, inputs={"tax_rate": np.array([0.1, np.nan])})


def test_structural_input_is_refused_with_a_pointer_to_scenarios(meta):
    with pytest.raises(InputError, match=r"'physical_life_years\[H100\]' is structural.*scenario"):
        project(meta, inputs={"physical_life_years[H100]": np.array([4.0, 6.0])})


def test_per_draw_metrics_equal_single_draw_runs(meta):
    utilisations = np.array([0.4, 0.75, 0.95])
    together = project(meta, inputs={"leasing_utilisation": utilisations})
    assert together.draws == 3  # inferred from the inputs
    singles = [project(meta, inputs={"leasing_utilisation": u}) for u in utilisations]
    expected = pd.DataFrame([single.metrics for single in singles], index=pd.RangeIndex(3, name="draw"))
    pd.testing.assert_frame_equal(together.metrics_by_draw, expected)
    assert together.verdict_labels == tuple(single.verdict.label for single in singles)
    for index, single in enumerate(singles):
        pd.testing.assert_frame_equal(together.draw(index).line_items, single.line_items)
        assert together.draw(index).verdict == single.verdict
    shares = together.verdict_shares
    assert sum(shares.values()) == pytest.approx(1.0)


def test_single_draw_views_are_explicit(meta):
    runs = project(meta, inputs={"leasing_utilisation": np.array([0.5, 0.9])})
    for view in ("line_items", "metrics", "cohorts", "verdict"):
        with pytest.raises(InputError, match=rf"{view} describes one draw and this projection has 2"):
            getattr(runs, view)
    with pytest.raises(InputError, match="out of range"):
        runs.draw(2)
