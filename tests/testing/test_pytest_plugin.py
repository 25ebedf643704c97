"""The pytest plugin, run in pytester's sandbox: off by default, one item per check of each model."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
import yaml

import finmodel.engine.blocks.fleet as fleet_block

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def small_models(pytester: pytest.Pytester, make_model) -> Path:
    """``models/`` with a small model (two scenarios) beside a copy of the shipped catalogue."""
    folder = pytester.path / "models"
    shutil.copytree(REPO / "models" / "catalog", folder / "catalog")
    model = make_model(
        {
            "allocation": [{"by_age": [{"min_age_years": 0, "training": 0.5, "inference": 0, "leasing": 0.5}]}],
            "scenarios": {
                "bear": {"overrides": {"leasing.utilisation": 0.5}},
                "bull": {"overrides": {"leasing.utilisation": 0.95}},
            },
        }
    )
    (folder / "small.yaml").write_text(yaml.safe_dump(model.model_dump(mode="json", exclude_defaults=True)))
    return folder


def test_off_by_default(pytester: pytest.Pytester, small_models: Path) -> None:
    result = pytester.runpytest("models")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_each_model_gets_an_item_per_check_and_catalogues_none(pytester: pytest.Pytester, small_models: Path) -> None:
    result = pytester.runpytest("--finmodel-models", "models", "-v")
    result.assert_outcomes(passed=5)
    result.stdout.fnmatch_lines(
        [
            "models/small.yaml::validate PASSED*",
            "models/small.yaml::base PASSED*",
            "models/small.yaml::scenario?bear? PASSED*",
            "models/small.yaml::scenario?bull? PASSED*",
            "models/small.yaml::relational PASSED*",
        ]
    )


def test_the_ini_option_collects_them_with_plain_pytest(pytester: pytest.Pytester, small_models: Path) -> None:
    shutil.copy(REPO / "models" / "meta.yaml", small_models / "meta.yaml")
    pytester.makeini("[pytest]\nfinmodel_models = models\n")
    # meta: validate, base, 4 scenarios, relational; small: validate, base, 2 scenarios, relational
    pytester.runpytest().assert_outcomes(passed=12)


def test_a_model_that_does_not_load_fails_at_its_line(pytester: pytest.Pytester, small_models: Path) -> None:
    path = small_models / "small.yaml"
    path.write_text(path.read_text().replace("utilisation: 0.8", "utilisation: 1.8"))
    result = pytester.runpytest("--finmodel-models", "models")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*/models/small.yaml:*: leasing.utilisation: Input should be*", "FAILED models/small.yaml::load*"]
    )


def test_a_broken_engine_fails_the_items_naming_line_item_and_period(
    pytester: pytest.Pytester, small_models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = fleet_block.define

    def doubled(ctx):
        original(ctx)
        for g in ctx.generations:
            row = ctx.graph.rows[f"leasing_units[{g}]"]
            ctx.graph.rows[row.name] = dataclasses.replace(row, per_column=tuple(cell * 2 for cell in row.per_column))

    monkeypatch.setattr(fleet_block, "define", doubled)
    result = pytester.runpytest("--finmodel-models", "models")
    result.assert_outcomes(failed=3, passed=2)  # validate checks structure and finiteness; relational compares alike
    result.stdout.fnmatch_lines(
        [
            "capacity_conserved: installed_units[[]X1[]] in 2024: *"
            " (installed=1000, training=500, inference=0, leasing=1000)",
            "[[]bear[]] capacity_conserved: installed_units[[]X1[]] in 2024*",
            "FAILED models/small.yaml::base*",
        ]
    )
