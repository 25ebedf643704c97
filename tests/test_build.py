"""``finmodel.build`` over every shipped model: the files and the keys a reader relies on."""

from __future__ import annotations

import json
import math
from pathlib import Path

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


def test_a_scenario_that_changes_structure_is_reported_where_it_is_declared(tmp_path):
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
    report = validate([model])
    (problem,) = report.outcomes[0].problems
    path = "scenarios.longer.overrides.gpus.H100.physical_life_years"
    assert (problem.file, problem.line, problem.column, problem.path) == (model, line, 7, path)
    assert "structure" in problem.message
    # build refuses it the same way and writes nothing.
    outcome = build([model], tmp_path / "out").outcomes[0]
    assert [p.path for p in outcome.problems] == [path]
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    # Values alone are fine: the same scenario on availability validates.
    model.write_text(text.replace("gpus.H100.physical_life_years: 8", "gpus.H100.available_from: 2023Q2"))
    assert validate([model]).ok
