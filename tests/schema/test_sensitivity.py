"""The ``sensitivity`` block of the model language: its shape is checked where it is written, every
problem at its own line, and its test names are the verdict's."""

from __future__ import annotations

import pytest

from finmodel import ModelError, load_model
from finmodel.schema import TEST_KEYS, SensitivityBlock, model_file_schema
from finmodel.sensitivity import TESTS


def _problems(make_model_file, block: dict) -> list:
    path = make_model_file({"sensitivity": block})
    with pytest.raises(ModelError) as raised:
        load_model(path)
    text = path.read_text(encoding="utf-8").splitlines()
    return [(problem.path, text[problem.line - 1].strip(), problem.message) for problem in raised.value.problems]


def test_a_lever_names_inputs_or_fields_and_a_range_from_low_to_high(make_model_file):
    block = {
        "tornado": [
            {"low": 0.5, "high": 0.9},
            {"input": "leasing_utilisation", "field": "leasing.utilisation", "low": 0.5, "high": 0.9},
            {"input": "leasing_utilisation", "low": 0.9, "high": 0.5},
            {"input": ["tax_rate", "wacc", "tax_rate"], "low": 0.1, "high": 0.2},
        ]
    }
    problems = _problems(make_model_file, block)
    assert [(path, line) for path, line, _ in problems] == [
        ("sensitivity.tornado.0", "- low: 0.5"),
        ("sensitivity.tornado.1", "- input: leasing_utilisation"),
        ("sensitivity.tornado.2.high", "high: 0.5"),
        ("sensitivity.tornado.3.input", "- input:"),
    ]
    assert "give input" in problems[0][2] and "give input" in problems[1][2]
    assert "high (0.5) must be above low (0.9)" in problems[2][2]
    assert "'tax_rate' listed more than once" in problems[3][2]


def test_grid_steps_test_names_and_counts_are_bounded(make_model_file):
    axis = {"input": "leasing_utilisation", "low": 0.5, "high": 0.9}
    block = {
        "grids": [{"rows": {**axis, "steps": 1}, "columns": {**axis, "steps": 26}}],
        "break_even": [{**axis, "test": "profit"}],
        "tornado": [axis] * 41,
    }
    paths = {path: message for path, _, message in _problems(make_model_file, block)}
    assert "greater than or equal to 2" in paths["sensitivity.grids.0.rows.steps"]
    assert "less than or equal to 25" in paths["sensitivity.grids.0.columns.steps"]
    assert "'coverage', 'economic_profit', 'cohort_npv' or 'materiality'" in paths["sensitivity.break_even.0.test"]
    assert "at most 40" in paths["sensitivity.tornado"]


def test_a_lever_keeps_its_note_and_takes_figures_with_a_source(make_model_file):
    lever = {"input": "leasing_utilisation", "low": {"value": 0.6, "source": "bear case"}, "high": 0.9, "note": "why"}
    model = load_model(make_model_file({"sensitivity": {"tornado": [lever]}}))
    (loaded,) = model.sensitivity.tornado or ()
    assert (loaded.low, loaded.high, loaded.note, loaded.names) == (0.6, 0.9, "why", ("leasing_utilisation",))
    assert model.sensitivity.grids is None and model.sensitivity.rank_by == "economic_profit"


def test_the_test_keys_are_the_verdicts_tests():
    assert tuple(TESTS) == TEST_KEYS


def test_the_json_schema_documents_the_block():
    schema = model_file_schema()
    assert "description" in schema["properties"]["sensitivity"]
    lever = schema["$defs"]["Lever"]["properties"]
    assert all("description" in lever[field] for field in ("input", "field", "low", "high", "scale", "show"))
    assert SensitivityBlock().tornado is None
