"""Tests of the ``finmodel`` command (finmodel.cli over finmodel._build)."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
META = REPO / "models" / "meta.yaml"
CATALOG = REPO / "models" / "catalog" / "gpus.yaml"


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "finmodel.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def copy_model(directory: Path, text: str | None = None) -> Path:
    """meta.yaml (or ``text``) as ``directory/meta.yaml`` beside a copy of the catalogue."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "catalog").mkdir(exist_ok=True)
    (directory / "catalog" / "gpus.yaml").write_text(CATALOG.read_text(encoding="utf-8"), encoding="utf-8")
    path = directory / "meta.yaml"
    path.write_text(META.read_text(encoding="utf-8") if text is None else text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- finmodel schema


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    result = run_cli("schema", cwd=tmp_path_factory.mktemp("schema"))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # fails the test if it is not JSON


def test_schema_is_json_with_the_top_level_sections(schema: dict[str, Any]) -> None:
    assert schema["type"] == "object"
    for section in ("company", "capex", "asset_classes", "timeline", "leasing", "scenarios"):
        assert section in schema["properties"]
    assert {"schema_version", "company", "capex", "asset_classes"} <= set(schema["required"])


def _as_editor_sees_it(data: Any) -> Any:
    """YAML data as JSON: keys become strings, and dates (which JSON lacks) their ISO text."""
    if isinstance(data, dict):
        return {str(key): _as_editor_sees_it(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_as_editor_sees_it(value) for value in data]
    if isinstance(data, dt.date):
        return data.isoformat()
    return data


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> Any:
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _errors(validator: Any, data: Any) -> list[str]:
    return [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(data)]


def test_meta_yaml_is_valid_under_the_schema(validator: Any) -> None:
    raw = _as_editor_sees_it(yaml.safe_load(META.read_text(encoding="utf-8")))
    # meta.yaml writes figures both bare (verdict.hurdle_rate: 0.09) and as {value, source/note}
    assert raw["verdict"]["hurdle_rate"] == 0.09
    assert set(raw["capex"]["by_period"]["2024"]["total"]) == {"value", "source"}
    assert _errors(validator, raw) == []


def test_a_number_field_takes_a_bare_number_or_a_figure(validator: Any) -> None:
    raw = _as_editor_sees_it(yaml.safe_load(META.read_text(encoding="utf-8")))
    for good in (0.5, 1, {"value": 0.5}, {"value": 0.5, "source": "a filing"}, {"value": 0.5, "note": "estimate"}):
        raw["leasing"]["utilisation"] = good
        assert _errors(validator, raw) == [], good
    for bad in ("high", 1.5, -0.1, {"value": 1.5}, {"source": "no value"}, {"value": 0.5, "sorce": "typo"}, None):
        raw["leasing"]["utilisation"] = bad
        assert _errors(validator, raw), f"{bad!r} should not be valid"


def test_schema_refuses_unknown_keys(validator: Any) -> None:
    raw = _as_editor_sees_it(yaml.safe_load(META.read_text(encoding="utf-8")))
    raw["leasing"]["utilisaton"] = 0.5
    assert _errors(validator, raw)


def test_schema_refuses_scenario_names_the_workbook_cannot_offer(validator: Any) -> None:
    raw = _as_editor_sees_it(yaml.safe_load(META.read_text(encoding="utf-8")))
    for bad in ("bear/case", "=bear", "Base", "b" * 32, "bear\x07", "bear,bull"):
        raw["scenarios"] = {bad: {"overrides": {}}}
        assert _errors(validator, raw), f"{bad!r} should not be valid"
    raw["scenarios"] = {"bear-case 2": {"overrides": {}}}
    assert _errors(validator, raw) == []


def test_schema_accepts_the_figure_form_wherever_the_loader_does(validator: Any, tmp_path: Path) -> None:
    from finmodel import load_model

    text = META.read_text(encoding="utf-8") + (
        '\ngpus:\n  Rubin:\n    available_from: {value: 2026Q3, source: "public-figures §4"}\n'
    )
    load_model(copy_model(tmp_path, text))  # finmodel accepts it
    raw = _as_editor_sees_it(yaml.safe_load(text))
    assert _errors(validator, raw) == []


# --------------------------------------------------------------------------- finmodel validate / build


def test_validate_meta_yaml(tmp_path: Path) -> None:
    result = run_cli("validate", str(META), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    out = tmp_path_factory.mktemp("built")
    result = run_cli("build", str(META), "--out", str(out), cwd=out)
    return result, out


def test_build_writes_json_and_csv(built: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    result, out = built
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    names = {path.name for path in out.iterdir()}
    assert {"meta.json", "meta.csv", "meta.xlsx", "meta.html"} <= names
    assert not [name for name in names if name.startswith(".") or name.endswith(".tmp")], names
    document = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert {"periods", "line_items", "metrics", "verdict"} <= set(document)
    # meta.yaml's timeline: 2024..2032, annual
    # Meta's timeline is 2024-2032; six years of run-off (its longest physical life) follow.
    runoff = [f"{year} run-off" for year in range(2033, 2039)]
    assert document["periods"] == [str(year) for year in range(2024, 2033)] + runoff
    assert document["runoff_periods"] == runoff
    assert isinstance(document["verdict"]["label"], str) and document["verdict"]["label"]
    assert isinstance(document["verdict"]["reasons"], list) and document["verdict"]["reasons"]


def test_build_csv_has_one_column_per_period(built: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    _, out = built
    header = (out / "meta.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[-15:] == [str(year) for year in range(2024, 2033)] + [f"{year} run-off" for year in range(2033, 2039)]


def test_failed_build_leaves_earlier_outputs_intact(tmp_path: Path) -> None:
    out = tmp_path / "out"
    model = copy_model(tmp_path / "src")
    first = run_cli("build", str(model), "--out", str(out), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    assert {"meta.json", "meta.csv"} <= set(before)

    text = model.read_text(encoding="utf-8")
    broken = '  utilisation: {value: 1.5, note: "estimate: a new cloud fills capacity gradually"}'
    assert text.count("  utilisation: {value: 0.75,") == 1
    model.write_text(text.replace("  utilisation: {value: 0.75,", "  utilisation: {value: 1.5,"), encoding="utf-8")
    second = run_cli("build", str(model), "--out", str(out), cwd=tmp_path)
    assert second.returncode != 0
    assert "Traceback" not in second.stdout + second.stderr
    line = next(number for number, row in enumerate(model.read_text().splitlines(), 1) if row == broken)
    assert f"{model}:{line}:3: leasing.utilisation:" in second.stderr
    after = {path.name: path.read_bytes() for path in out.iterdir()}
    assert after == before  # same files (no temporaries left), byte for byte


def test_output_failing_mid_write_leaves_earlier_outputs_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CSV writer fails after the JSON was staged: nothing of the second build may land."""
    from finmodel import _build

    out = tmp_path / "out"
    model = copy_model(tmp_path / "src")
    assert _build.build([model], out).ok
    before = {path.name: path.read_bytes() for path in out.iterdir()}

    def failing_csv(projection: object, path: Path) -> None:
        Path(path).write_text("half a CSV", encoding="utf-8")
        raise OSError("disk full")

    monkeypatch.setattr(_build, "write_csv", failing_csv)
    report = _build.build([model], out)
    assert not report.ok
    (outcome,) = report.outcomes
    assert outcome.error and "disk full" in outcome.error
    after = {path.name: path.read_bytes() for path in out.iterdir()}
    assert after == before


def test_build_with_an_unknown_scenario_fails_cleanly(tmp_path: Path) -> None:
    result = run_cli("build", str(META), "--out", str(tmp_path / "out"), "--scenario", "nosuch", cwd=tmp_path)
    assert result.returncode != 0
    assert "Traceback" not in result.stdout + result.stderr
    assert "nosuch" in result.stderr
    assert not (tmp_path / "out" / "meta.json").exists()


def test_validate_a_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nothere.yaml"
    result = run_cli("validate", str(missing), cwd=tmp_path)
    assert result.returncode != 0
    assert "Traceback" not in result.stdout + result.stderr
    assert str(missing) in result.stderr


def test_build_a_named_scenario(tmp_path: Path) -> None:
    # The JSON of a scenario build is that scenario's projection; the base case and the other
    # scenario are summarised beside it.
    # It is written as meta-bear.*, so a base build in the same folder is never overwritten.
    result = run_cli("build", str(META), "--out", str(tmp_path / "out"), "--scenario", "bear", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert {path.name for path in (tmp_path / "out").iterdir()} == {
        f"meta-bear.{suffix}" for suffix in ("json", "csv", "xlsx", "html")
    }
    document = json.loads((tmp_path / "out" / "meta-bear.json").read_text())
    assert document["model"]["scenario"] == "bear"
    assert set(document["scenarios"]) == {"base", "bull", "demand_shortfall", "tight"}
    assert document["assumptions"]["leasing_utilisation"]["values"] == 0.55


# --------------------------------------------------------------------------- terminal output (in process)


def invoke(*args: str) -> Any:
    """Run the command in this process, stdout and stderr apart."""
    from typer.testing import CliRunner

    from finmodel.cli import app

    return CliRunner().invoke(app, list(args))


def with_company_name(directory: Path, yaml_name: str) -> Path:
    return copy_model(
        directory, META.read_text(encoding="utf-8").replace("  name: Meta Platforms\n", f"  name: {yaml_name}\n", 1)
    )


def test_a_company_name_with_rich_markup_prints_as_written(tmp_path: Path) -> None:
    model = with_company_name(tmp_path / "src", '"Evil [/x] Corp [bold]"')
    result = invoke("build", str(model), "--out", str(tmp_path / "out"))
    assert result.exception is None, result.exception
    assert result.exit_code == 0, result.stderr
    assert "Evil [/x] Corp [bold] (META)" in result.stdout


def test_a_problem_on_line_100_prints_its_line_number(tmp_path: Path) -> None:
    text = META.read_text(encoding="utf-8")
    bad = "  fiscal_year_end_month: 13"
    text = text.replace("  fiscal_year_end_month: 12", bad, 1)
    line = text.splitlines().index(bad) + 1
    model = copy_model(tmp_path, "#\n" * (100 - line) + text)
    result = invoke("validate", str(model))
    assert result.exit_code == 1
    assert f"{model}:100:3: timeline.fiscal_year_end_month: " in result.stderr
    assert "\N{HUNDRED POINTS SYMBOL}" not in result.stderr


def test_control_characters_from_the_model_reach_the_terminal_escaped(tmp_path: Path) -> None:
    model = with_company_name(tmp_path / "src", r'"Evil\e[31mCorp\e]0;title\a"')
    result = invoke("build", str(model), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.stderr
    assert "Evil\\x1b[31mCorp\\x1b]0;title\\x07 (META)" in result.stdout
    # A key is printed in a problem: the same escaping applies on stderr.
    text = META.read_text(encoding="utf-8").replace("\nleasing:\n", '\nleasing:\n  "oops\\e[2J": 1\n', 1)
    result = invoke("validate", str(copy_model(tmp_path / "bad", text)))
    assert result.exit_code == 1
    assert "unknown key 'oops\\x1b[2J'" in result.stderr
    for output in (result.stdout, result.stderr):
        assert not any(ord(char) < 32 and char != "\n" or 0x7F <= ord(char) <= 0x9F for char in output)


def test_an_unwritable_workbook_target_is_a_clear_error_and_the_old_set_stays(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "meta.json").write_text("{}\n", encoding="utf-8")
    (out / "meta.csv").write_text("line_item\n", encoding="utf-8")
    (out / "meta.xlsx").mkdir()  # a folder where the workbook should go: it cannot be replaced
    before = {path.name: path.read_bytes() for path in out.iterdir() if path.is_file()}
    result = invoke("build", str(copy_model(tmp_path / "src")), "--out", str(out))
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert f"{out / 'meta.xlsx'}" in result.stderr and "previous outputs" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert {path.name: path.read_bytes() for path in out.iterdir() if path.is_file()} == before
    assert sorted(path.name for path in out.iterdir()) == ["meta.csv", "meta.json", "meta.xlsx"]


# --------------------------------------------------------------------------- a model of one's own, help, progress, PDF


def test_init_writes_a_starter_model_that_builds(tmp_path: Path) -> None:
    result = invoke("init", "acme", "--out", str(tmp_path / "mine"))
    assert result.exit_code == 0, result.stderr
    model = tmp_path / "mine" / "acme.yaml"
    assert str(model) in result.stdout and "finmodel build" in result.stdout
    built = invoke("build", str(model), "--out", str(tmp_path / "out"))
    assert built.exit_code == 0, built.stderr
    assert "acme (ACME)" in built.stdout
    assert (tmp_path / "out" / "acme.xlsx").is_file() and (tmp_path / "out" / "acme.html").is_file()


def test_init_refuses_to_overwrite_a_file(tmp_path: Path) -> None:
    mine = tmp_path / "acme.yaml"
    mine.write_text("company: mine\n", encoding="utf-8")
    result = invoke("init", "acme", "--out", str(tmp_path))
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert f"{mine} exists already" in result.stderr and "Traceback" not in result.stderr
    assert mine.read_text(encoding="utf-8") == "company: mine\n"


def test_version_prints_the_version() -> None:
    import finmodel
    from finmodel.cli import version

    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout == f"finmodel {version()}\n"
    assert version().count(".") == 2 and finmodel.__version__.count(".") == 2


COMMANDS = ("build", "validate", "check", "inputs", "schema", "init")


@pytest.mark.parametrize("command", [(), *[(name,) for name in COMMANDS]], ids=lambda c: " ".join(c) or "top")
def test_help_is_in_plain_words(command: tuple[str, ...]) -> None:
    result = invoke(*command, "--help")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    python = r"<\w|\w>|\b(list|Path|str|bool|int|float|None|TEXT|PATH|INTEGER|BOOLEAN|FLOAT)\b|x[<>]="
    assert not re.search(python, text), f"{re.search(python, text)} in the help of {command}:\n{text}"
    if command:
        assert "Usage:" in text


def test_each_command_has_one_sentence_of_help() -> None:
    from finmodel.cli import app

    for info in app.registered_commands:
        summary = " ".join((info.callback.__doc__ or "").split())
        assert summary.endswith(".") and summary.count(". ") == 0, summary


def test_the_progress_display_is_silent_when_piped(tmp_path: Path) -> None:
    model = copy_model(tmp_path / "src")
    result = invoke("validate", str(model))  # CliRunner's outputs are not terminals
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == f"{model}: ok\n"


def test_the_progress_display_shows_a_line_per_model_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from rich.console import Console

    from finmodel import cli

    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=100, markup=False, emoji=False, highlight=False)
    monkeypatch.setattr(cli, "err", terminal)
    monkeypatch.setattr(cli, "out", Console(file=io.StringIO(), force_terminal=True, markup=False))
    model = copy_model(tmp_path / "src")
    renamed = model.rename(model.with_name("m\x1b[2Jeta.yaml"))
    result = invoke("validate", str(renamed))
    assert result.exit_code == 0, result.stderr
    shown = screen.getvalue()
    assert "m\\x1b[2Jeta.yaml: checked" in shown  # the file name's escape is spelled out, never sent
    assert "\x1b[2J" not in shown


def test_build_pdf_without_chromium_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from finmodel import _build

    monkeypatch.setattr(_build, "find_chromium", lambda: None)
    result = invoke("build", str(copy_model(tmp_path / "src")), "--out", str(tmp_path / "out"), "--pdf")
    assert result.exit_code == 1
    assert "needs headless Chromium" in result.stderr and "chromium" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert not (tmp_path / "out").exists()


def _pdf_pages(pdf: Path) -> int:
    import shutil

    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo is not None:
        info = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, check=True).stdout
        return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))  # type: ignore[union-attr]
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))


@pytest.mark.oracle("chromium")
def test_build_pdf_prints_each_memo_and_the_comparison(tmp_path: Path) -> None:
    invoke("init", "acme", "--out", str(tmp_path / "src"))
    models = [str(copy_model(tmp_path / "src")), str(tmp_path / "src" / "acme.yaml")]
    out = tmp_path / "out"
    result = invoke("build", *models, "--out", str(out), "--pdf")
    assert result.exit_code == 0, result.stderr
    for stem in ("meta", "acme", "comparison"):
        pdf = out / f"{stem}.pdf"
        assert pdf.read_bytes().startswith(b"%PDF-"), stem
        assert _pdf_pages(pdf) >= (2 if stem != "comparison" else 1), stem
    assert "comparison.pdf" in result.stdout
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")], "temporaries left behind"
