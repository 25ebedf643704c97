"""``finmodel simulate``: files written, a summary printed, errors without a traceback."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from finmodel.cli import app

UNCERTAINTY = {"inputs": {"leasing_utilisation": {"distribution": "triangular", "low": 0.5, "mode": 0.8, "high": 0.9}}}


def test_simulate_writes_the_summary_and_the_draws(make_model_file, tmp_path):
    file = make_model_file({"uncertainty": UNCERTAINTY})
    result = CliRunner().invoke(app, ["simulate", str(file), "--draws", "1500", "--seed", "2", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "1,500 draws, seed 2" in result.output and "verdict:" in result.output
    document = json.loads((tmp_path / "model-simulation.json").read_text())
    utilisation = next(entry for entry in document["inputs_varied"] if entry["entry"] == "leasing_utilisation")
    # The triangular distribution's mean is (0.5 + 0.8 + 0.9) / 3.
    assert utilisation["mean_drawn"] == pytest.approx(2.2 / 3, abs=0.01)
    assert set(document["verdict_probabilities"]) == {"revenue asset", "partly", "cost centre"}
    assert sum(document["verdict_probabilities"].values()) == pytest.approx(1.0)
    draws = pd.read_parquet(tmp_path / "model-draws.parquet")
    assert len(draws) == 1500 and draws["leasing_utilisation"].between(0.5, 0.9).all()


def test_simulate_without_uncertainty_fails_in_words(make_model_file, tmp_path):
    result = CliRunner().invoke(app, ["simulate", str(make_model_file()), "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "declares no uncertainty" in result.output and "Traceback" not in result.output
