"""Opening balances, the impairment test and resale curves in the model language: what is accepted,
and each mistake reported at its field with a message that says what to do."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finmodel import ModelError, load_model
from finmodel.schema import GpuGeneration

BALANCE = {"gross_cost": 100.0, "accumulated_depreciation": 30.0, "age_profile": {"2022": 0.4, "2023": 0.6}}
OLD_X1 = {"gpus.X1.available_from": 2018}


def _problems(make_model_file: Callable[..., Path], changes: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ModelError) as caught:
        load_model(make_model_file(changes))
    return {problem.path: problem.message for problem in caught.value.problems}


def _line_of(path: Path, text: str) -> tuple[int, int]:
    """(line, column), 1-based, of the first line of a file holding ``text``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            return number, line.index(text) + 1
    raise AssertionError(f"{text!r} not in {path}")


def test_a_balance_with_a_mix_for_all_years_and_one_by_year_loads(make_model_file):
    model = load_model(
        make_model_file(
            {
                **OLD_X1,
                "opening.balances.servers": {
                    **BALANCE,
                    "gpu_mix": {"X1": 1.0},
                    "gpu_mix_by_year": {"2023": {"X1": 1.0}},
                    "source": "10-K, property and equipment note",
                },
            }
        )
    )
    assert model.opening_years() == ("2022", "2023")
    assert model.opening.gpu_mix_in("2022") == ({"X1": 1.0}, "opening.balances.servers.gpu_mix")
    assert model.opening.gpu_mix_in("2023") == ({"X1": 1.0}, "opening.balances.servers.gpu_mix_by_year.2023")
    assert model.source_of("opening.balances.servers.gross_cost").source == "10-K, property and equipment note"


def test_an_age_profile_that_does_not_sum_to_one_is_located_at_its_line(make_model_file):
    path = make_model_file(
        {**OLD_X1, "opening.balances.servers": {**BALANCE, "age_profile": {"2022": 0.4, "2023": 0.5}}}
    )
    with pytest.raises(ModelError) as caught:
        load_model(path)
    (problem,) = caught.value.problems
    assert problem.path == "opening.balances.servers.age_profile"
    assert (problem.line, problem.column) == _line_of(path, "age_profile:")
    assert str(problem) == f"{path}:{problem.line}:{problem.column}: {problem.path}: shares sum to 0.9, expected 1.0"


def test_validate_prints_accumulated_above_gross_at_its_line(make_model_file, tmp_path):
    changes = {
        **OLD_X1,
        "opening.balances.servers": {**BALANCE, "accumulated_depreciation": 120.0, "gpu_mix": {"X1": 1.0}},
    }
    path = make_model_file(changes)
    result = subprocess.run(
        [sys.executable, "-m", "finmodel.cli", "validate", str(path)], capture_output=True, text=True, cwd=tmp_path
    )
    line, column = _line_of(path, "accumulated_depreciation:")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    field = "opening.balances.servers.accumulated_depreciation"
    expected = f"{path}:{line}:{column}: {field}: 120 is more than the gross cost 100"
    assert expected in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("changes", "path", "words"),
    [
        pytest.param(
            {"opening.balances.srvers": BALANCE},
            "opening.balances.srvers",
            "did you mean 'servers'",
            id="unknown-class",
        ),
        pytest.param(
            {"opening.balances.servers": {**BALANCE, "age_profile": {"2023": 0.5, "2024": 0.5}, "gpu_mix": {"X1": 1}}},
            "opening.balances.servers.age_profile.2024",
            "bought before the first period 2024",
            id="year-in-the-timeline",
        ),
        pytest.param(
            {
                "asset_classes.servers.salvage_fraction": 0.25,
                "opening.balances.servers": {**BALANCE, "accumulated_depreciation": 80.0, "gpu_mix": {"X1": 1}},
            },
            "opening.balances.servers.accumulated_depreciation",
            "more than the gross cost less salvage, 75",
            id="accumulated-into-salvage",
        ),
        pytest.param(
            {"opening.balances.servers": BALANCE},
            "opening.balances.servers.age_profile.2022",
            "give gpu_mix",
            id="accelerators-without-a-mix",
        ),
        pytest.param(
            {
                "opening.balances.servers": {**BALANCE, "gpu_mix": {"X1": 1}},
                "opening.vintages": {"2021": {"cost": {"servers": 5.0}, "gpu_mix": {"X1": 1}}},
            },
            "opening.balances.servers",
            "also has cost in opening.vintages.2021",
            id="a-class-in-both-forms",
        ),
        pytest.param(
            {"opening.balances.servers": {**BALANCE, "gpu_mix": {"X1": 1}, "gpu_mix_by_year": {"2021": {"X1": 1}}}},
            "opening.balances.servers.gpu_mix_by_year.2021",
            "not a year of the age profile",
            id="mix-for-a-year-not-in-the-profile",
        ),
        pytest.param(
            {"opening.balances.servers": {**BALANCE, "gpu_mix": {"X1": 1}}, "gpus.X1.available_from": 2023},
            "opening.balances.servers.gpu_mix.X1",
            "not available before the end of fiscal 2022",
            id="generation-not-yet-available",
        ),
        pytest.param(
            {"opening.balances.servers": {**BALANCE, "age_profile": {"2019": 1.0}, "gpu_mix": {"X1": 1}}},
            "opening.balances.servers.gpu_mix.X1",
            "reach their physical life (4 years) before the timeline starts",
            id="units-retired-before-the-start",
        ),
        pytest.param(
            {
                "asset_classes.network": {"useful_life_years": 5, "buys_accelerators": True},
                "gpus.X2": {
                    "available_from": 2018,
                    "cost_per_accelerator_usd": 20_000,
                    "power_kw_per_accelerator": 1.0,
                    "physical_life_years": 6,
                    "rental_price": {"contract": {"launch_price_usd_per_hour": 2.0}},
                },
                "opening.balances.servers": {**BALANCE, "gpu_mix": {"X1": 1}},
                "opening.balances.network": {**BALANCE, "gpu_mix": {"X2": 1}},
            },
            "opening.balances.network.gpu_mix",
            "a year has one mix across accelerator classes",
            id="two-mixes-in-one-year",
        ),
        pytest.param(
            {
                "asset_classes.buildings": {"useful_life_years": 20},
                "opening.balances.buildings": {**BALANCE, "gpu_mix": {"X1": 1}},
            },
            "opening.balances.buildings.gpu_mix",
            "does not buy accelerators",
            id="mix-for-a-class-without-accelerators",
        ),
        pytest.param(
            {"asset_classes.buildings": {"useful_life_years": 20, "impairment_test": "market_value"}},
            "asset_classes.buildings.impairment_test",
            "the class must buy accelerators",
            id="impairment-test-without-accelerators",
        ),
    ],
)
def test_each_mistake_is_reported_at_its_field(make_model_file, changes, path, words):
    problems = _problems(make_model_file, {**OLD_X1, **changes})
    assert path in problems, problems
    assert words in problems[path], problems[path]


def test_an_accelerator_balance_may_take_another_balances_mix_for_the_year(make_model_file):
    # network gives no mix: its accelerators were bought with the servers', at their mix.
    model = load_model(
        make_model_file(
            {
                **OLD_X1,
                "asset_classes.network": {"useful_life_years": 5, "buys_accelerators": True},
                "opening.balances.servers": {**BALANCE, "gpu_mix": {"X1": 1.0}},
                "opening.balances.network": BALANCE,
            }
        )
    )
    assert model.opening.classes_in("2022") == ("servers", "network")
    assert model.generations_opening() == ("X1",)


def test_a_balance_without_a_mix_takes_the_years_opening_vintage_mix(make_model_file):
    model = load_model(
        make_model_file(
            {
                **OLD_X1,
                "asset_classes.buildings": {"useful_life_years": 20},
                "opening.vintages": {"2022": {"cost": {"buildings": 5.0}, "gpu_mix": {"X1": 1.0}}},
                "opening.balances.servers": {**BALANCE, "age_profile": {"2022": 1.0}},
            }
        )
    )
    assert model.opening.gpu_mix_in("2022") == ({"X1": 1.0}, "opening.vintages.2022.gpu_mix")
    assert model.opening.classes_in("2022") == ("buildings", "servers")


POINTS = st.lists(
    st.tuples(st.sampled_from([0.0, 0.5, 1.0, 2.0, 2.0, 3.0, 5.0]), st.floats(0, 1)), min_size=1, max_size=4
)


@settings(max_examples=200, deadline=None, database=None)
@given(POINTS, st.floats(0, 8))
def test_resale_weights_read_the_curve_as_resale_share_at_does(points, age):
    gpu = GpuGeneration.model_validate(
        {
            "available_from": 2023,
            "cost_per_accelerator_usd": 30_000,
            "power_kw_per_accelerator": 1.0,
            "physical_life_years": 5,
            "resale_value": [{"age_years": a, "share_of_cost": s} for a, s in points],
        }
    )
    weights = gpu.resale_weights(age)
    assert sum(weight for _, weight in weights) == pytest.approx(1.0)
    value = sum(weight * gpu.resale_value[index].share_of_cost for index, weight in weights)
    assert value == pytest.approx(gpu.resale_share_at(age), abs=1e-12)
