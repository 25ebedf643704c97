"""Monte Carlo runs of the small test model: convergence, determinism across chunks and executors,
a degenerate distribution, and located errors for entries that cannot vary."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from finmodel import load_model, project, validate
from finmodel._errors import ModelError, SimulationError
from finmodel._simulating import simulate_file
from finmodel.simulate import simulate

UTILISATION = {"distribution": "uniform", "low": 0.6, "high": 1.0}
PRICES = {
    "inputs": ["*contract_price_usd_per_hour[X1]"],
    "distribution": "triangular",
    "low": 0.7,
    "mode": 1.0,
    "high": 1.2,
}


def _uncertain(make_model, inputs, **block):
    return make_model({"uncertainty": {"inputs": inputs, **block}})


def test_the_mean_of_a_linear_metric_converges_to_its_deterministic_value(make_model):
    # Leasing revenue is billed hours × price, and billed hours are proportional to utilisation:
    # uniform on [0.6, 1.0] is symmetric about the base 0.8, so the mean revenue is the base revenue.
    model = _uncertain(make_model, {"leasing_utilisation": UTILISATION}, draws=4000, seed=3)
    result = simulate(model)
    base = project(model).metrics["horizon_leasing_revenue"]
    revenue = result.columns["horizon_leasing_revenue"]
    drawn = result.columns["leasing_utilisation"]
    assert revenue == pytest.approx(base * drawn / 0.8, rel=1e-12)
    assert revenue.mean() == pytest.approx(base, rel=0.01)
    assert result.spreads["horizon_leasing_revenue"].base == base


def test_same_seed_is_byte_identical_whatever_the_chunk_size(make_model_file, tmp_path):
    file = make_model_file({"uncertainty": {"inputs": {"leasing_utilisation": UTILISATION, "prices": PRICES}}})
    outputs = []
    for chunk_size in (1024, 3000):
        run = simulate_file(file, tmp_path / str(chunk_size), draws=2500, seed=9, chunk_size=chunk_size)
        outputs.append([path.read_bytes() for path in run.outputs])
    assert outputs[0] == outputs[1]
    document = json.loads(outputs[0][0])
    assert document["draws"] == 2500 and document["seed"] == 9
    table = pd.read_parquet(tmp_path / "1024" / "model-draws.parquet")
    assert len(table) == 2500 and list(table["draw"][:3]) == [0, 1, 2]


def test_dask_and_local_runs_agree_exactly(make_model):
    distributed = pytest.importorskip("distributed")
    model = _uncertain(make_model, {"leasing_utilisation": UTILISATION, "prices": PRICES})
    local = simulate(model, draws=2100, seed=4, chunk_size=1024)
    with (
        distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = simulate(model, draws=2100, seed=4, chunk_size=2048, dask=client)
    assert local.columns.keys() == remote.columns.keys()
    for name, values in local.columns.items():
        assert values.tobytes() == remote.columns[name].tobytes(), name
    assert local.document() == remote.document()


def test_a_degenerate_distribution_reproduces_the_base_exactly(make_model):
    certain = {
        "leasing_utilisation": {"distribution": "discrete", "values": [0.8], "probabilities": [1.0]},
        "prices": {"inputs": PRICES["inputs"], "distribution": "discrete", "values": [1.0], "probabilities": [1.0]},
    }
    model = _uncertain(make_model, certain, draws=50)
    result = simulate(model)
    base = project(model)
    for metric in result.metrics:
        expected = np.full(50, metric.of(base)[0])
        np.testing.assert_array_equal(result.columns[metric.name], expected, err_msg=metric.name)
    assert result.verdict_probabilities[base.verdict.label] == 1.0


def test_entries_that_cannot_vary_are_located_errors(make_model_file):
    file = make_model_file(
        {
            "uncertainty": {
                "inputs": {
                    "leasing_utilisaton": UTILISATION,
                    "physical_life_years[X1]": {"distribution": "uniform", "low": 3, "high": 5},
                }
            }
        }
    )
    problems = [str(problem) for problem in validate([file]).outcomes[0].problems]
    text = file.read_text().splitlines()
    assert len(problems) == 2
    unknown = next(problem for problem in problems if "utilisaton" in problem)
    assert "did you mean 'leasing_utilisation'?" in unknown
    line = int(unknown.split(":")[1])
    assert "leasing_utilisaton" in text[line - 1]
    structural = next(problem for problem in problems if "physical_life_years" in problem)
    assert "structural" in structural and "cohort spans" in structural
    with pytest.raises(ModelError):
        simulate(load_model(file))


def test_a_model_without_uncertainty_cannot_be_simulated(make_model):
    with pytest.raises(SimulationError, match="declares no uncertainty"):
        simulate(make_model())
    with pytest.raises(SimulationError, match="draws"):
        simulate(_uncertain(make_model, {"leasing_utilisation": UTILISATION}), draws=0)
