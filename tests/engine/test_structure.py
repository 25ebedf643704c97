"""One graph per structure: scenarios that change values only are evaluated on the base case's graph
and equal their projection from scratch exactly; structural ones get a graph of their own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from finmodel import Projection, load_model, project
from finmodel.engine import inputs, project_all_scenarios
from finmodel.engine._inputs import resolve
from finmodel.engine._structure import define_noting_reads
from finmodel.engine.blocks import define
from finmodel.schema import CompanyModel, Scenario

ROOT = Path(__file__).resolve().parents[2]
MODELS = sorted(ROOT.joinpath("models").glob("*.yaml"))


def _assert_identical(shared: Projection, alone: Projection) -> None:
    assert list(shared.values) == list(alone.values)
    for row, values in alone.values.items():
        assert np.array_equal(shared.values[row], values), row


@pytest.mark.parametrize("file", MODELS, ids=lambda path: path.stem)
def test_every_shipped_scenario_on_the_shared_graph_equals_its_projection_from_scratch(file):
    model = load_model(file)
    projections = project_all_scenarios(model)
    # The shipped scenarios change values only (a build refuses any other), so one graph serves them all.
    assert projections.structural == ()
    assert list(projections) == ["base", *model.scenarios]
    for name, projection in projections.items():
        assert projection.graph is projections["base"].graph
        _assert_identical(projection, project(model, None if name == "base" else name))


def _at(data: Any, path: str) -> Any:
    """The value at a dotted path, lists where the model holds tuples (as a YAML file would give them)."""
    for part in path.split("."):
        data = data[int(part)] if isinstance(data, list | tuple) else data[part]
    return _as_written(data)


def _as_written(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _as_written(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_as_written(item) for item in value]
    return value


@pytest.mark.parametrize("file", MODELS, ids=lambda path: path.stem)
def test_a_scenario_setting_every_input_to_its_base_value_equals_the_base(file):
    model = load_model(file)
    data = model.model_dump(mode="python", exclude={"scenarios"})
    overrides = {}
    assumptions = resolve(model)
    for spec in inputs(model):
        for path in {spec.path, *assumptions.rows[spec.name].paths}:
            try:
                overrides[path] = _at(data, path)
            except (KeyError, IndexError, TypeError, ValueError):
                continue  # a path that names where a default comes from, not a field that is set
    assert len(overrides) > 50
    same = model.model_copy(update={"scenarios": {"same": Scenario(overrides=overrides)}})
    projections = project_all_scenarios(same)
    assert projections.structural == ()
    assert projections["same"].graph is projections["base"].graph
    _assert_identical(projections["same"], projections["base"])


def _with_scenarios(make_model, scenarios: dict[str, dict[str, Any]]) -> CompanyModel:
    return make_model({"scenarios": {name: {"overrides": overrides} for name, overrides in scenarios.items()}})


def test_structural_scenarios_get_a_graph_of_their_own_shared_by_the_same_structure(make_model):
    model = _with_scenarios(
        make_model,
        {
            # An 8-year physical life spans a cohort of 8 years instead of 4: other rows, other formulas.
            "longer": {"gpus.X1.physical_life_years": 8},
            "longer_and_fuller": {"gpus.X1.physical_life_years": 8, "leasing.utilisation": 0.95},
            "cheaper": {"gpus.X1.cost_per_accelerator_usd": 30_000},
            # Availability a year earlier is read by the definition, yet changes no formula here.
            "earlier": {"gpus.X1.available_from": 2023},
        },
    )
    projections = project_all_scenarios(model)
    assert projections.structural == ("longer", "longer_and_fuller")
    base = projections["base"].graph
    assert projections["longer"].graph is projections["longer_and_fuller"].graph is not base
    assert len(projections["longer"].graph.axes["cohort:X1"].labels) == 9
    assert projections["cheaper"].graph is base and projections["earlier"].graph is base
    for name in model.scenarios:
        _assert_identical(projections[name], project(model, name))


def test_a_footprint_tells_a_change_of_value_from_a_change_of_structure(make_model):
    model = make_model()
    _, footprint = define_noting_reads(define, resolve(model))
    assert footprint.matches(resolve(model))
    assert footprint.matches(resolve(make_model({"leasing.utilisation": 0.5, "financing.wacc": 0.2})))
    assert not footprint.matches(resolve(make_model({"gpus.X1.physical_life_years": 5})))
    assert not footprint.matches(resolve(make_model({"financing.tax_losses": "carry_forward"})))
