"""The demand block's backlog in the model language: what is accepted, and each mistake reported at its
field with a message that says what to do."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from finmodel import ModelError, load_model

BACKLOG = {"opening": 100.0, "opening_schedule": [0.6, 0.4], "conversion": [0.5, 0.3, 0.2]}
REPORTED_BACKLOG = {"line_item": "backlog", "basis": "RPO", "by_period": {"2025": 120.0}}


def _problems(make_model_file: Callable[..., Path], changes: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ModelError) as caught:
        load_model(make_model_file(changes))
    return {problem.path: problem.message for problem in caught.value.problems}


def _line_of(path: Path, text: str) -> tuple[int, int]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            return number, line.index(text) + 1
    raise AssertionError(f"{text!r} not in {path}")


def test_a_backlog_with_sources_quarters_and_a_reported_multiple_loads(make_model_file):
    backlog = {
        **BACKLOG,
        "source": "10-Q, remaining performance obligations",
        "opening": {"value": 100.0, "note": "estimate"},
        "bookings": {"2024": 50.0, "2025Q1": 10.0, "2025Q3": {"value": 30.0, "source": "Q3 call"}},
        "growth_per_year": {"2026": 0.1},
        "compute_share": 0.7,
    }
    reported = {
        "rpo": {**REPORTED_BACKLOG, "by_period": {"2024": 90.0, "2025Q3": 120.0}},
        "cloud": {"line_item": "cloud_revenue", "basis": "cloud revenue", "by_period": {"2025Q3": 12.0}},
    }
    model = load_model(make_model_file({"demand.backlog": backlog, "reported": reported}))
    assert model.demand.backlog is not None and model.demand.backlog.conversion == (0.5, 0.3, 0.2)
    assert model.source_of("demand.backlog.bookings.2025Q3").source == "Q3 call"
    assert model.source_of("demand.backlog.opening").note == "estimate"
    assert model.source_of("demand.backlog.conversion").source == "10-Q, remaining performance obligations"


def test_conversion_shares_that_do_not_sum_to_one_are_located_at_their_line(make_model_file):
    path = make_model_file({"demand.backlog": {**BACKLOG, "conversion": [0.5, 0.3, 0.1]}})
    with pytest.raises(ModelError) as caught:
        load_model(path)
    (problem,) = caught.value.problems
    assert problem.path == "demand.backlog.conversion"
    assert (problem.line, problem.column) == _line_of(path, "conversion:")
    assert str(problem) == f"{path}:{problem.line}:{problem.column}: {problem.path}: shares sum to 0.9, expected 1.0"


def test_validate_prints_an_opening_schedule_that_does_not_sum_to_one_at_its_line(make_model_file, tmp_path):
    path = make_model_file({"demand.backlog": {**BACKLOG, "opening_schedule": [0.6, 0.6]}})
    result = subprocess.run(
        [sys.executable, "-m", "finmodel.cli", "validate", str(path)], capture_output=True, text=True, cwd=tmp_path
    )
    line, column = _line_of(path, "opening_schedule:")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    expected = f"{path}:{line}:{column}: demand.backlog.opening_schedule: shares sum to 1.2, expected 1.0"
    assert expected in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("changes", "path", "words"),
    [
        pytest.param(
            {"demand.backlog": {**BACKLOG, "bookings": {"2042": 10.0}}},
            "demand.backlog.bookings.2042",
            "is not a period of the timeline (2024..2030), or a fiscal quarter of one such as 2024Q1",
            id="unknown-period",
        ),
        pytest.param(
            {"demand.backlog": {**BACKLOG, "bookings": {"2025": 10.0, "2025Q2": 5.0}}},
            "demand.backlog.bookings.2025Q2",
            "2025 is given as a year and by quarter",
            id="year-and-quarter",
        ),
        pytest.param(
            {"demand.backlog": {**BACKLOG, "growth_per_year": {"2025Q1": 0.1}}},
            "demand.backlog.growth_per_year.2025Q1",
            "is not a period of the timeline",
            id="growth-by-quarter",
        ),
        pytest.param(
            {"demand.backlog": {**BACKLOG, "conversion": []}},
            "demand.backlog.conversion",
            "at least 1 item",
            id="empty-conversion",
        ),
        pytest.param(
            {"reported.rpo": REPORTED_BACKLOG},
            "reported.rpo.line_item",
            "backlog is compared with demand.backlog, which is not given",
            id="backlog-without-demand",
        ),
        pytest.param(
            {
                "demand.backlog": BACKLOG,
                "reported.rpo": REPORTED_BACKLOG,
                "reported.cloud": {"line_item": "cloud_revenue", "basis": "cloud", "by_period": {"2025Q2": 10.0}},
            },
            "reported.cloud.by_period.2025Q2",
            "give a reported backlog at 2025Q2",
            id="revenue-without-backlog",
        ),
        pytest.param(
            {
                "demand.backlog": BACKLOG,
                "reported.rpo": {**REPORTED_BACKLOG, "by_period": {"2025": 1.0, "2025Q2": 1.0}},
            },
            "reported.rpo.by_period.2025Q2",
            "2025 and 2025Q2 fall in the same period",
            id="two-figures-a-period",
        ),
        pytest.param(
            {
                "demand.backlog": BACKLOG,
                "reported.rpo": REPORTED_BACKLOG,
                "reported.rpo2": REPORTED_BACKLOG,
            },
            "reported.rpo2.line_item",
            "one backlog series per model",
            id="two-backlogs",
        ),
        pytest.param(
            {
                "reported.dep": {
                    "line_item": "depreciation",
                    "basis": "depreciation",
                    "by_period": {"2025Q2": 1.0},
                }
            },
            "reported.dep.by_period.2025Q2",
            "is not a period of the timeline",
            id="quarter-of-another-line",
        ),
    ],
)
def test_demand_mistakes_are_located_with_a_fix(make_model_file, changes, path, words):
    problems = _problems(make_model_file, changes)
    assert path in problems, problems
    assert words in problems[path], problems[path]
