"""``finmodel sensitivity MODEL [--out DIR]``: the JSON written whole, a summary in 80 columns with the
model's text inert, a located error and no traceback for a bad lever."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any


def invoke(*args: str) -> Any:
    from typer.testing import CliRunner

    from finmodel.cli import app

    return CliRunner().invoke(app, list(args))


def test_it_writes_the_json_and_prints_a_summary_in_80_columns(make_model_file, tmp_path: Path) -> None:
    label = "Evil [bold]price[/bold] \x1b[31mred"
    lever = {"input": "contract_price_usd_per_hour[X1]", "low": 0.5, "high": 1.5, "label": label}
    model = make_model_file({"sensitivity": {"tornado": [lever], "grids": [], "break_even": [lever]}})
    result = invoke("sensitivity", str(model), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.stderr
    written = tmp_path / "out" / "model-sensitivity.json"
    document = json.loads(written.read_text(encoding="utf-8"))
    assert document["tornado"]["levers"][0]["label"] == label and document["break_evens"][0]["found"]
    assert not list((tmp_path / "out").glob(".*")), "no temporary or backup file is left"
    *lines, last = result.stdout.splitlines()
    assert lines and max(len(line) for line in lines) <= 80
    assert last == f"written: {written}"  # a path is never broken across lines
    text = " ".join(line.strip() for line in lines)
    assert "Evil [bold]price[/bold] \\x1b[31mred" in text and "\x1b" not in result.stdout
    assert re.search(r"passes above 0\.\d\dx", text)


def test_a_bad_lever_is_a_located_error_without_a_traceback(make_model_file, tmp_path: Path) -> None:
    model = make_model_file({"sensitivity": {"tornado": [{"input": "leasing_utilisaton", "low": 0.5, "high": 0.9}]}})
    result = invoke("sensitivity", str(model), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert re.search(
        rf"{re.escape(str(model))}:\d+:\d+: sensitivity\.tornado\.0\.input: 'leasing_utilisaton'", result.stderr
    )
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "out").exists()


def test_its_help_is_one_plain_sentence() -> None:
    result = invoke("sensitivity", "--help")
    assert result.exit_code == 0 and "Usage:" in result.stdout and "--out" in result.stdout
    assert not re.search(r"\b(Path|str|TEXT|PATH)\b", result.stdout)
