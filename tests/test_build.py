"""``finmodel.build`` over every shipped model: the files and the keys a reader relies on."""

from __future__ import annotations

import json
import math
from pathlib import Path

import openpyxl
import pytest

from finmodel._build import build, company_model_files, validate

ROOT = Path(__file__).resolve().parents[1]


def test_build_writes_every_shipped_model(tmp_path):
    files = company_model_files(ROOT / "models")
    assert {f.stem for f in files} == {"meta", "microsoft", "alphabet", "amazon", "oracle", "coreweave"}
    report = build(files, tmp_path)
    assert report.ok, [(o.file, o.problems, o.error) for o in report.outcomes if not o.ok]
    for file in files:
        for suffix in (".json", ".csv", ".xlsx"):
            assert (tmp_path / f"{file.stem}{suffix}").stat().st_size > 0
        document = json.loads((tmp_path / f"{file.stem}.json").read_text())
        assert {"periods", "line_items", "metrics", "verdict"} <= set(document)
        assert document["verdict"]["label"] in ("revenue asset", "partly", "cost centre")
        assert len(document["verdict"]["reasons"]) == 4
        periods = document["periods"]
        for name, values in document["line_items"].items():
            assert len(values) == len(periods), name
            assert all(v is None or math.isfinite(v) for v in values), name
        # Figures carry their provenance into the output: a source, or a note marking an estimate.
        sourced = [a for a in document["assumptions"].values() if a["source"] or a.get("sources_by_column")]
        assert len(sourced) > 10
        capex = document["assumptions"]["capex_reported"]["sources_by_column"][0]
        assert capex["source"] or (capex["note"] or "").startswith("estimate"), f"{file.stem}: first CapEx unsourced"


def test_a_scenario_that_changes_structure_is_projected_on_its_own_graph_and_noted_where_declared(tmp_path):
    # A longer physical life lengthens the cohort's years: not a value the workbook can switch.
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "gpus.yaml").write_text((ROOT / "models/catalog/gpus.yaml").read_text())
    text = (ROOT / "models/meta.yaml").read_text()
    text = text.replace(
        "scenarios:\n", "scenarios:\n  longer:\n    overrides:\n      gpus.H100.physical_life_years: 8\n", 1
    )
    model = tmp_path / "meta.yaml"
    model.write_text(text)
    line = text.splitlines().index("      gpus.H100.physical_life_years: 8") + 1
    path = "scenarios.longer.overrides.gpus.H100.physical_life_years"
    (checked,) = validate([model]).outcomes
    assert checked.ok
    (note,) = [warning for warning in checked.warnings if "structure" in warning]
    assert note.startswith(f"{model}:{line}:7: {path}: changes the model's structure")
    # build writes it: projected on its own graph, compared on the Cover as values, not live.
    (built,) = build([model], tmp_path / "out").outcomes
    assert built.ok and note in built.warnings
    assert built.scenarios.structural == ("longer",)  # type: ignore[attr-defined]
    assert built.scenarios["longer"].graph is not built.scenarios["base"].graph
    cover = list(
        openpyxl.load_workbook(tmp_path / "out" / "meta.xlsx", data_only=True)["Cover"].iter_rows(values_only=True)
    )
    assert any("longer (structural)" in row for row in cover)
    # Values alone are fine: the same scenario on availability validates.
    model.write_text(text.replace("gpus.H100.physical_life_years: 8", "gpus.H100.available_from: 2023Q2"))
    assert validate([model]).ok


# Schema-valid, yet absurd: X1 gets 99.9999% cheaper every year from 1990, so in 2040 one costs
# 40,000 x 1e-6^50.5 USD = 4e-299 USD; 40M USD buys 1e306 of them, and their hours (x ~8,760)
# overflow to infinity, as do the costs and revenues computed from them.
OVERFLOWING = {
    "gpus.X1.available_from": 1990,
    "gpus.X1.cost_change_per_year": -0.999999,
    "timeline.start_year": 2040,
    "timeline.end_year": 2046,
    "capex.by_period": {
        "2040": {"total": 40_000_000, "ai_share": 1.0, "asset_mix": {"servers": 1.0}, "gpu_mix": {"X1": 1.0}},
        **{str(year): {"total": 0} for year in range(2041, 2047)},
    },
}


def test_build_refuses_to_write_values_that_are_not_finite(make_model_file, tmp_path):
    model = make_model_file(OVERFLOWING)
    (outcome,) = build([model], tmp_path / "out").outcomes
    assert not outcome.ok and outcome.error is not None
    assert "not finite" in outcome.error
    # The first line item that overflows (in definition order) is the hours billed, from 2040 on.
    assert "leased_hours_billed[X1] in 2040, 2041, 2042" in outcome.error
    assert "gpus.X1.cost_change_per_year" in outcome.error and "gpus.X1.cost_per_accelerator_usd" in outcome.error
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


BAD_INPUTS = {
    "overflowing": OVERFLOWING,
    "share above one": {"leasing.utilisation": 1.5},
    "unknown generation": {"capex.by_period.2024.gpu_mix": {"X2": 1.0}},
}


def test_validate_refuses_exactly_what_build_refuses(make_model_file, tmp_path):
    for name, changes in BAD_INPUTS.items():
        model = make_model_file(changes, f"{name}/model.yaml")
        (checked,) = validate([model]).outcomes
        (built,) = build([model], tmp_path / "out").outcomes
        assert not checked.ok and not built.ok, name
        assert (checked.problems, checked.error) == (built.problems, built.error), name
    good = make_model_file({}, "good/model.yaml")
    assert validate([good]).ok and build([good], tmp_path / "out").ok


def test_two_models_with_the_same_file_name_do_not_overwrite_each_other(make_model_file, tmp_path):
    first = make_model_file({"leasing.utilisation": 0.5}, "a/model.yaml")
    second = make_model_file({"leasing.utilisation": 0.6}, "b/model.yaml")
    report = build([first, second], tmp_path / "out")
    assert [outcome.ok for outcome in report.outcomes] == [True, False]
    error = report.outcomes[1].error
    assert str(first) in error and str(second) in error and "model" in error
    document = json.loads((tmp_path / "out" / "model.json").read_text())
    assert document["model"]["file"] == str(first)
    assert document["assumptions"]["leasing_utilisation"]["values"] == 0.5


# Found by the invariant kit's generated models: a maintenance share of 2.2e-308 (float dust, yet
# schema-valid) gives a cohort cash flows of -5000, -1e-304, -3e-305, whose IRR polynomial
# overflows numpy's root finder. The cohort then has no IRR, and the model validates and builds.
FLOAT_DUST = {
    "leasing.utilisation": 0.0,
    "gpus.X1.physical_life_years": 1.25,
    "running_costs.maintenance_share_of_cost_per_year": 2.2250738585072014e-308,
    "running_costs.power_price_usd_per_kwh": 0.0,
    "running_costs.facility_cost_usd_per_kw_month": 0.0,
    "financing.tax_rate": 0.0,
}


def test_float_dust_that_breaks_the_irr_validates_and_builds(make_model_file, tmp_path):
    model = make_model_file(FLOAT_DUST)
    for outcome in (validate([model]).outcomes[0], build([model], tmp_path / "out").outcomes[0]):
        assert outcome.ok, outcome.error or outcome.problems


# --------------------------------------------------------------------------- a model of one's own


def test_the_starter_model_loads_and_builds_on_the_builtin_catalogue(tmp_path):
    from finmodel import load_model
    from finmodel._build import start_model

    path = start_model("acme-cloud", tmp_path / "mine")
    assert path == tmp_path / "mine" / "acme-cloud.yaml"
    text = path.read_text(encoding="utf-8")
    assert "gpu_catalog: builtin" in text and "__" not in text
    model = load_model(path)
    assert (model.company.name, model.company.ticker) == ("acme-cloud", "ACMECLOUD")
    # Every block is commented, and each placeholder says it is an estimate to replace.
    lines = text.splitlines()
    blocks = [(number, line) for number, line in enumerate(lines) if line[:1].isalpha()]
    assert {line.split(":")[0] for _, line in blocks} >= {"company", "timeline", "capex", "leasing", "internal"}
    for number, line in blocks:
        assert " # " in line or lines[number - 1].startswith("#"), line
    placeholders = [model.source_of(path) for path in ("capex.by_period.2025.total", "leasing.utilisation")]
    assert all((note.note or "").startswith("estimate: replace with") for note in placeholders)
    report = build([path], tmp_path / "out")
    assert report.ok, [(o.problems, o.error) for o in report.outcomes]
    assert {p.name for p in (tmp_path / "out").iterdir()} == {
        f"acme-cloud.{s}" for s in ("json", "csv", "xlsx", "html")
    }


def test_the_starter_model_never_overwrites_and_takes_only_a_plain_name(tmp_path):
    from finmodel import ExportError
    from finmodel._build import start_model

    mine = tmp_path / "mine.yaml"
    mine.write_text("my own work\n", encoding="utf-8")
    with pytest.raises(ExportError, match="exists already"):
        start_model("mine", tmp_path)
    with pytest.raises(ExportError, match="exists already"):
        start_model("mine.yaml", tmp_path)
    assert mine.read_text(encoding="utf-8") == "my own work\n"
    for bad in ("../escape", "a/b", "", "-dash", ".hidden", "x" * 65, "name with space", "caf\u00e9\x1b"):
        with pytest.raises(ExportError, match="cannot name a model"):
            start_model(bad, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.yaml"]


def test_build_and_validate_tell_their_progress(make_model_file, tmp_path):
    from finmodel._build import Step

    first = make_model_file({}, "a/first.yaml")
    second = make_model_file({"leasing.utilisation": 1.5}, "b/second.yaml")
    steps: list[Step] = []
    build([first, second], tmp_path / "out", progress=steps.append)
    assert [(s.done, s.total, s.finished) for s in steps] == [(0, 2, False), (1, 2, True), (1, 2, False), (2, 2, True)]
    assert steps[1].message == f"{first}: built" and steps[3].message == f"{second}: failed"
    steps.clear()
    validate([first], progress=steps.append)
    assert [(s.done, s.finished, s.message) for s in steps] == [
        (0, False, f"checking {first}"),
        (1, True, f"{first}: checked"),
    ]


def test_build_with_pdf_and_no_chromium_is_an_error_before_anything_is_built(make_model_file, tmp_path, monkeypatch):
    from finmodel import ExportError, _build

    monkeypatch.setattr(_build, "find_chromium", lambda: None)
    with pytest.raises(ExportError, match="Chromium"):
        build([make_model_file()], tmp_path / "out", pdf=True)
    assert not (tmp_path / "out").exists()


@pytest.mark.oracle
def test_check_models_tells_its_progress(make_model_file):
    from finmodel._build import Step
    from finmodel.verify import check_models

    model = make_model_file({"scenarios": {"bear": {"overrides": {"leasing.utilisation": 0.5}}}})
    steps: list[Step] = []
    checks = check_models([model], progress=steps.append)
    assert [check.ok for check in checks] == [True, True]
    assert [(s.done, s.total, s.finished) for s in steps] == [
        (0, 3, False),
        (1, 3, True),
        (1, 3, False),
        (2, 3, True),
        (3, 3, True),
    ]
    assert steps[2].message == "recalculating 2 workbook(s) with LibreOffice"
    assert steps[4].message == f"{model}: compared with the engine: every formula cell agrees"
