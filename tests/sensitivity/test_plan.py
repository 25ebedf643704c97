"""A lever that names what the model does not have, or that cannot move on the model's graph, is
reported at its line (by ``validate``, which plans the sensitivity as a build does), every problem
at once; a range whose ends give no finite verdict is refused, never written."""

from __future__ import annotations

from pathlib import Path

import pytest

from finmodel import ModelError, load_model, sensitivity, validate


def _problems(make_model_file, block: dict, extra: dict | None = None) -> tuple[Path, list]:
    path = make_model_file({"sensitivity": block, **(extra or {})})
    (outcome,) = validate([path]).outcomes
    return path, list(outcome.problems)


def _line_of(path: Path, text: str, after: str = "sensitivity:") -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(after))
    return next(i for i, line in enumerate(lines) if i > start and text in line) + 1


def test_unknown_and_structural_inputs_are_reported_together_at_their_lines(make_model_file):
    block = {
        "tornado": [
            {"input": "leasing_utilisaton", "low": 0.5, "high": 0.9},
            {"input": "physical_life_years[X1]", "low": 3, "high": 5},
        ]
    }
    path, problems = _problems(make_model_file, block)
    assert [(p.path, p.line) for p in problems] == [
        ("sensitivity.tornado.0.input", _line_of(path, "leasing_utilisaton")),
        ("sensitivity.tornado.1.input", _line_of(path, "physical_life_years[X1]")),
    ]
    assert "did you mean 'leasing_utilisation'?" in problems[0].message
    assert "structural" in problems[1].message and "scenario" in problems[1].message


def test_a_value_cannot_replace_a_path_that_varies(make_model_file):
    lever = {"input": "capex_reported", "scale": "value", "low": 1, "high": 2}
    path, problems = _problems(make_model_file, {"tornado": [lever]})
    (problem,) = problems
    assert problem.path == "sensitivity.tornado.0.scale" and "scale: factor" in problem.message
    assert (problem.file, problem.line) == (path, _line_of(path, "scale: value"))


def test_a_field_outside_what_the_schema_allows_is_reported_at_its_end(make_model_file):
    block = {"break_even": [{"field": "leasing.utilisation", "low": 0.5, "high": 1.5, "test": "coverage"}]}
    path, problems = _problems(make_model_file, block)
    (problem,) = problems
    assert problem.path == "sensitivity.break_even.0.high" and problem.line == _line_of(path, "high: 1.5")
    assert (
        "at 1.5 the model is invalid: leasing.utilisation: Input should be less than or equal to 1" in problem.message
    )


def test_a_field_that_reshapes_the_graph_is_refused(make_model_file):
    later = {"effective": 2026, "by_age": [{"min_age_years": 0, "training": 0, "inference": 0, "leasing": 1}]}
    allocation = [{"by_age": [{"min_age_years": 0, "training": 0, "inference": 0, "leasing": 1}]}, later]
    block = {"tornado": [{"field": "allocation.1.effective", "low": 2025, "high": 2028}]}
    _, problems = _problems(make_model_file, block, {"allocation": allocation})
    assert problems and all("structure" in p.message for p in problems)
    assert {p.path for p in problems} <= {"sensitivity.tornado.0.low", "sensitivity.tornado.0.high"}


def test_unknown_metrics_and_grids_moving_one_input_twice_are_reported(make_model_file):
    axis = {"input": "leasing_utilisation", "low": 0.5, "high": 0.9}
    block = {
        "tornado": [{**axis, "show": "cohort_irr[X2]"}],
        "grids": [
            {"rows": axis, "columns": axis},
            {"rows": axis, "columns": {**axis, "input": "tax_rate"}, "metrics": ["horizon_coverge"]},
        ],
    }
    _, problems = _problems(make_model_file, block)
    by_path = {p.path: p.message for p in problems}
    assert "did you mean 'cohort_irr[X1]'?" in by_path["sensitivity.tornado.0.show"]
    assert "both move leasing_utilisation" in by_path["sensitivity.grids.0"]
    assert "did you mean 'horizon_coverage'?" in by_path["sensitivity.grids.1.metrics"]


def test_a_range_without_a_finite_verdict_is_refused_at_the_lever(make_model_file):
    path = make_model_file({"sensitivity": {"tornado": [{"input": "hurdle_rate", "low": -1.0, "high": 0.1}]}})
    with pytest.raises(ModelError) as raised:
        sensitivity(load_model(path))
    (problem,) = raised.value.problems
    assert problem.path == "sensitivity.tornado.0" and "not finite numbers" in problem.message
    assert problem.file == path


def test_a_model_without_the_block_plans_its_defaults_and_validates(make_model_file):
    (outcome,) = validate([make_model_file()]).outcomes
    assert outcome.ok, outcome.problems
