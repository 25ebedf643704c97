"""The workbook: live formulas that recompute to the engine's numbers.

Oracle tests recalculate with headless LibreOffice (one soffice call per fixture); a small
model is also evaluated by ``formulas``, an independent pure-Python spreadsheet engine.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import replace
from pathlib import Path

import formulas
import numpy as np
import openpyxl
import pytest

from finmodel import ExportError, load_model, project
from finmodel._build import build, company_model_files, project_all_scenarios
from finmodel.engine import Graph
from finmodel.engine._ir import Ref, total
from finmodel.engine.presentation import VERDICT_WORDS
from finmodel.export import write_workbook
from finmodel.schema import CompanyModel
from finmodel.verify import check_models, compare, recalculate, recalculated_values, select_scenario

ROOT = Path(__file__).resolve().parents[2]
MODELS = company_model_files(ROOT / "models")
FIXTURES = [
    ROOT / "tests" / "fixtures" / name for name in ("lifecycle.yaml", "price_tiers.yaml", "backlog.yaml", "demand.yaml")
]
"""Models made for the tests, proven like the shipped ones: opening balances as gross cost and
accumulated depreciation, the impairment test, price tiers with terms, a contracted backlog on a
quarterly timeline, and every part of the demand block beside the backlog (features the shipped
models do not all use)."""
ALLOWED_FUNCTIONS = {
    "SUM",
    "SUMPRODUCT",
    "MIN",
    "MAX",
    "IF",
    "AND",
    "OR",
    "IFERROR",
    "INDEX",
    "MATCH",
    "CHOOSE",
    "ROUND",
    "NPV",
    "IRR",
    "PMT",
}


LONG_TIMELINE = ROOT / "tests" / "fixtures" / "quarterly_20y.yaml"
"""Twenty years of quarters: sums over eighty vintages, cut to fit Excel's limits. Checked with the
others in the one LibreOffice call (it is the slowest workbook to write and recalculate)."""


@pytest.fixture(scope="module")
def check_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("check")


@pytest.fixture(scope="module")
def checks(check_dir):
    return check_models([*MODELS, *FIXTURES, LONG_TIMELINE], check_dir)


@pytest.mark.oracle
def test_every_model_and_scenario_recalculates_to_the_engine(checks):
    files = [*MODELS, *FIXTURES, LONG_TIMELINE]
    expected = {(f.stem, s) for f in files for s in ("base", *load_model(f).scenarios)}
    assert {(c.model_file.stem, c.scenario) for c in checks} == expected
    for check in checks:
        assert check.mismatches == (), f"{check.model_file.stem}/{check.scenario}: {check.mismatches[:5]}"
        assert check.error_cells == (), f"{check.model_file.stem}/{check.scenario}: {check.error_cells[:5]}"
        assert check.formula_cells > 1000
        assert check.formula_share >= 0.8, f"{check.model_file.stem}: {check.formula_share:.1%}"


@pytest.mark.oracle
def test_a_twenty_year_quarterly_workbook_keeps_every_formula_within_excels_limits(checks, check_dir, excel_shape):
    # Written by the check above, which found every one of its cells equal to the engine's.
    workbook = openpyxl.load_workbook(check_dir / f"{LONG_TIMELINE.stem}.xlsx")
    texts = [cell.value for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    assert len(texts) > 50_000  # eighty quarters of vintages: tens of thousands of formulas
    assert max(map(len, texts)) < 8192
    # 256 arguments take at least 511 characters and 65 nested calls 195: only longer formulas need parsing.
    shapes = [excel_shape(text) for text in texts if len(text) > 190]
    assert max(widest for _, widest, _ in shapes) <= 255
    assert max(deepest for _, _, deepest in shapes) <= 64
    # Sums over the vintages were cut: some rows hold parts of a longer formula.
    assert any(":part" in str(cell.value) for cell in workbook["Fleet"]["C"])


def _changed(model: CompanyModel, dotted: str, value) -> CompanyModel:
    data = model.model_dump(mode="python")
    target = data
    parts = dotted.split(".")
    for part in parts[:-1]:
        target = target[part]
    target[parts[-1]] = value
    return CompanyModel.model_validate(data)


@pytest.fixture(scope="module")
def meta_workbook(tmp_path_factory):
    """Meta's model, its projections by scenario, and its workbook (path and layout)."""
    meta = load_model(ROOT / "models" / "meta.yaml")
    projections = project_all_scenarios(meta)
    path = tmp_path_factory.mktemp("meta") / "meta.xlsx"
    return meta, projections, path, write_workbook(projections, "base", path)


@pytest.mark.oracle
def test_editing_assumption_cells_recomputes_to_the_changed_model(tmp_path, meta_workbook):
    meta, projections, original, layout = meta_workbook

    # Edits are chosen so that every cohort's cash flows keep an IRR that LibreOffice finds too: at
    # market prices the late years of Meta's GB200, GB300 and Rubin cohorts can turn negative, and
    # for such flows LibreOffice's IRR may stop at another root, or at no root at all, than the engine's.
    # Edit 1: leasing utilisation 0.75 -> 0.9 in the base case (one cell).
    utilisation = tmp_path / "utilisation.xlsx"
    workbook = openpyxl.load_workbook(original)
    sheet, cell = layout.input_cell("leasing_utilisation", "base")
    assert workbook[sheet][cell].value == pytest.approx(0.75)
    workbook[sheet][cell] = 0.9
    workbook.save(utilisation)

    # Edit 2: the servers' useful life set to 6 years in every period projected, run-off included
    # (the lives before it, which set the 2023 vintage's opening book value, are constants of the graph).
    life = tmp_path / "life.xlsx"
    workbook = openpyxl.load_workbook(original)
    for column in range(len(meta.projected_labels)):
        sheet, cell = layout.input_cell("useful_life_years[servers]", "base", column)
        workbook[sheet][cell] = 6
    workbook.save(life)

    # Edit 3: an opening balance: what Meta spent on other servers and network in 2022, 26 -> 20.
    opening = tmp_path / "opening.xlsx"
    workbook = openpyxl.load_workbook(original)
    sheet, cell = layout.input_cell("opening_cost[other_servers_network,2022]", "base")
    assert workbook[sheet][cell].value == pytest.approx(26.0)
    workbook[sheet][cell] = 20.0
    workbook.save(opening)

    recalculated = recalculate([utilisation, life, opening], tmp_path / "out")
    before_timeline = [change for change in meta.asset_classes["servers"].life_changes if change.effective < 2024]
    six_years = [*(c.model_dump() for c in before_timeline), {"effective": 2024.0, "useful_life_years": 6.0}]
    reopened = meta.model_dump(mode="python")
    reopened["opening"]["vintages"]["2022"]["cost"]["other_servers_network"] = 20.0
    cases = {
        utilisation: project(_changed(meta, "leasing.utilisation", 0.9)),
        life: project(_changed(meta, "asset_classes.servers.life_changes", six_years)),
        opening: project(CompanyModel.model_validate(reopened)),
    }
    for path, expected_projection in cases.items():
        values = recalculated_values(recalculated[path])
        expected = {k: v for k, v in layout.expected(expected_projection).items() if isinstance(v, float)}
        assert compare(expected, values) == []
        # The edit really moved the model: some formula cell differs from the unedited engine.
        unedited = layout.expected(projections["base"])
        assert any(abs(expected[k] - unedited[k]) > 1e-6 * max(1, abs(unedited[k])) for k in expected)
    # The opening balance reaches the reconciliation: 6bn less bought in 2022 lowers 2024's
    # depreciation of servers and network, and the Reconciliation sheet shows it.
    first = next(
        c
        for c in layout.formula_cells
        if c.row == "reconciliation_model[depreciation_servers_network]" and c.column == 0
    )
    values = recalculated_values(recalculated[opening])
    key = (first.sheet, first.coordinate)
    assert first.sheet == "Reconciliation"
    assert values[key] < layout.expected(projections["base"])[key] - 0.5


@pytest.mark.oracle
def test_selector_switches_to_a_scenario(tmp_path, meta_workbook):
    _, projections, original, layout = meta_workbook
    switched = tmp_path / "bear.xlsx"
    select_scenario(original, switched, layout, "bear")
    values = recalculated_values(recalculate([switched], tmp_path / "out")[switched])
    bear = {k: v for k, v in layout.expected(projections["bear"]).items() if isinstance(v, float)}
    base = layout.expected(projections["base"])
    assert compare(bear, values) == []
    # The verdict in words and each test's PASS/FAIL switch with the selector too.
    expected_text = {k: v for k, v in layout.expected(projections["bear"]).items() if isinstance(v, str)}
    assert expected_text[("Cover", "C7")] == VERDICT_WORDS[projections["bear"].verdict.label]
    assert {k: values[k] for k in expected_text} == expected_text
    assert sum(abs(bear[k] - base[k]) > 1e-9 for k in bear) > 100


def test_building_twice_gives_identical_workbooks(tmp_path):
    model = ROOT / "models" / "meta.yaml"
    build([model], tmp_path / "a")
    build([model], tmp_path / "b")
    with zipfile.ZipFile(tmp_path / "a" / "meta.xlsx") as a, zipfile.ZipFile(tmp_path / "b" / "meta.xlsx") as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            assert a.read(name) == b.read(name), name


def test_only_classic_functions_are_used(tmp_path):
    build([*MODELS, *FIXTURES], tmp_path)
    for file in [*MODELS, *FIXTURES]:
        workbook = openpyxl.load_workbook(tmp_path / f"{file.stem}.xlsx")
        used = set()
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        used |= set(re.findall(r"([A-Z][A-Z0-9.]*)\(", cell.value))
        assert used <= ALLOWED_FUNCTIONS, used - ALLOWED_FUNCTIONS


def test_a_formula_past_excels_limits_is_refused_naming_its_line_item(tmp_path, make_model):
    # The engine cuts long formulas itself; the writer still refuses one it is handed whole: here
    # CapEx redefined as 3,000 references to its first cell (at least 3 × 3,000 characters).
    base = project_all_scenarios(make_model())["base"]
    long = replace(base.graph.rows["capex_total"], expr=total([Ref("capex_reported", at=0)] * 3000), per_column=None)
    graph = Graph(dict(base.graph.axes), {**base.graph.rows, "capex_total": long})
    with pytest.raises(ExportError, match=r"line item 'capex_total' \(.*\) in column '2024' is [\d,]+ characters long"):
        write_workbook({"base": replace(base, graph=graph)}, "base", tmp_path / "long.xlsx")


def test_workbook_presentation(meta_workbook):
    _, _, path, layout = meta_workbook
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames[:3] == ["Cover", "Assumptions", "CapEx"]
    assert {"P&L", "Cash flow", "PP&E", "Depreciation", "Fleet", "Cohorts", "Checks"} <= set(workbook.sheetnames)
    # Each input has a defined name; its source is in a comment; base inputs are blue.
    names = set(workbook.defined_names.keys())
    assert {"leasing_utilisation", "wacc", "Scenario"} <= names
    sheet, cell = layout.input_cell("capex_reported", "base", 0)
    comment = workbook[sheet][cell].comment
    assert comment is not None and "Q4'24 release" in comment.text and "capex.by_period.2024.total" in comment.text
    input_sheet, input_cell = layout.input_cell("wacc", "base")
    assert workbook[input_sheet][input_cell].font.color.rgb.endswith("0000FF")
    # The selector is a list validation over the scenarios.
    validations = workbook["Cover"].data_validations.dataValidation
    assert any("C5" in str(v.sqref) and v.type == "list" and "bear" in v.formula1 for v in validations)
    assert workbook["P&L"].freeze_panes == "D3"


def _labels_in_column_a(sheet) -> list[str]:
    return [row[0] for row in sheet.iter_rows(min_col=1, max_col=1, values_only=True) if row[0]]


def test_p_and_l_reads_from_revenue_down_to_net_income(meta_workbook):
    _, projections, path, _ = meta_workbook
    sheet = openpyxl.load_workbook(path, data_only=True)["P&L"]
    keys = [row[0] for row in sheet.iter_rows(min_row=4, min_col=3, max_col=3, values_only=True) if row[0]]
    assert keys[:11] == [
        "leasing_revenue",
        "operating_cost",
        "ebitda",
        "depreciation",
        "disposal_gain",
        "impairment",
        "ebit",
        "interest_expense",
        "pre_tax_profit",
        "tax",
        "net_income",
    ]
    # EBITDA is revenue less operating cost, as values read back from the cells.
    items = projections["base"].line_items
    column = 3 + list(projections["base"].periods).index("2027") + 1
    revenue, cost, ebitda = (sheet.cell(row=4 + index, column=column).value for index in range(3))
    assert ebitda == pytest.approx(revenue - cost)
    assert revenue == pytest.approx(items.loc["2027", "leasing_revenue"])


def test_vintages_that_bought_none_of_a_generation_have_no_rows(meta_workbook):
    meta, projections, path, _ = meta_workbook
    keys = {row[0] for row in openpyxl.load_workbook(path)["Fleet"].iter_rows(min_col=3, max_col=3, values_only=True)}
    shares = meta.capex_shares()
    for column, label in enumerate(meta.timeline.labels):
        for generation in meta.generations_used():
            bought = shares[column].gpu_mix.get(generation, 0) > 0
            assert (f"units_in_service[{generation},{label}]" in keys) == bought, (generation, label)


def test_summary_is_a_metric_by_generation_grid(meta_workbook):
    meta, projections, path, _ = meta_workbook
    sheet = openpyxl.load_workbook(path, data_only=True)["Summary"]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(index for index, row in enumerate(rows) if row[0] == "By generation")
    generations = list(meta.generations_used())
    assert list(rows[header][3 : 3 + len(generations)]) == generations
    irr = next(row for row in rows[header:] if row[2] == "cohort_irr[generation]")
    assert irr[0] == "IRR if leased"
    metrics = projections["base"].metrics
    for column, generation in enumerate(generations):
        assert irr[3 + column] == pytest.approx(metrics[f"cohort_irr[{generation}]"]), generation
    # No per-generation row is left in the list above the grid.
    listed = [row[2] for row in rows[:header] if row[2]]
    assert not any(key.endswith(f"[{g}]") for key in listed for g in generations)


def test_cover_compares_every_scenario_as_values(meta_workbook):
    _, projections, path, _ = meta_workbook
    rows = list(openpyxl.load_workbook(path, data_only=True)["Cover"].iter_rows(values_only=True))
    header = next(index for index, row in enumerate(rows) if row[1] == "Scenarios side by side (values)")
    assert list(rows[header][2 : 2 + len(projections)]) == list(projections)
    verdicts = rows[header + 1][2 : 2 + len(projections)]
    assert [v.lower() for v in verdicts] == [p.verdict.label for p in projections.values()]
    profit = next(row for row in rows[header:] if str(row[1]).startswith("Economic profit"))
    for column, projection in enumerate(projections.values()):
        assert profit[2 + column] == pytest.approx(projection.metrics["horizon_leasing_economic_profit"])


def test_a_structural_scenario_is_compared_but_not_live(tmp_path, make_model):
    model = make_model({"scenarios": {"longer": {"overrides": {"gpus.X1.physical_life_years": 8}}}})
    base = project(model)
    longer = project(model, "longer")
    path = tmp_path / "structural.xlsx"
    write_workbook({"base": base, "longer": longer}, "base", path)
    workbook = openpyxl.load_workbook(path, data_only=True)
    rows = list(workbook["Cover"].iter_rows(values_only=True))
    header = next(row for row in rows if row[1] == "Scenarios side by side (values)")
    assert header[2:4] == ("base", "longer (structural)")
    validations = workbook["Cover"].data_validations.dataValidation
    assert all("longer" not in (v.formula1 or "") for v in validations)
    assert "longer" not in {row[2] for row in workbook["Assumptions"].iter_rows(values_only=True)}


def test_yaml_strings_never_become_formulas(tmp_path, make_model):
    hostile = make_model(
        {"company.name": "=1+2", "company.ticker": "=X", "capex.by_period.2024.source": '=HYPERLINK("x")'}
    )
    path = tmp_path / "hostile.xlsx"
    write_workbook({"base": project(hostile)}, "base", path)
    workbook = openpyxl.load_workbook(path)
    texts = [
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value.startswith("=1+2")
    ]
    assert texts and all(cell.data_type == "s" for cell in texts)
    assert workbook["Cover"]["B1"].value == "=1+2" and workbook["Cover"]["B1"].data_type == "s"


LIFECYCLE = {
    "gpus.X1.available_from": 2021,
    "gpus.X1.resale_value": [{"age_years": 0, "share_of_cost": 0.9}, {"age_years": 2, "share_of_cost": 0.3}],
    "asset_classes.servers.impairment_test": "market_value",
    "opening.balances.servers": {
        "gross_cost": 30_000_000,
        "accumulated_depreciation": 12_000_000,
        "age_profile": {"2022": 0.5, "2023": 0.5},
        "gpu_mix": {"X1": 1.0},
    },
}
"""An opening balance as gross and accumulated, and the impairment test, for the small model."""
BACKLOG = {
    "demand.backlog": {
        "opening": 50_000_000,
        "opening_schedule": [0.6, 0.4],
        "bookings": {"2024": 30_000_000, "2025Q1": 10_000_000, "2025Q3": 25_000_000},
        "growth_per_year": {"2026": 0.2},
        "conversion": [0.5, 0.3, 0.2],
        "compute_share": 0.8,
    },
    "reported.rpo": {"line_item": "backlog", "basis": "RPO", "by_period": {"2024": 40_000_000, "2025Q3": 45_000_000}},
    "reported.cloud": {"line_item": "cloud_revenue", "basis": "cloud revenue", "by_period": {"2025Q3": 9_000_000}},
}
"""A contracted backlog with bookings and a reported backlog dated by fiscal quarter, for the small model."""


PRICE_TIERS = {
    "gpus.X1.available_from": 2022,
    "opening.vintages": {"2023": {"cost": {"servers": 8_000_000}, "gpu_mix": {"X1": 1.0}}},
    "leasing.contracted_share": None,
    "leasing.prices.X1": {
        "contract": {"by_age": {0: 10.0, 1: 8.0, 3: 5.0}, "stepped": True, "decline_after_last_point": 0.2},
        "spot": {"launch_price_usd_per_hour": 12.0, "annual_declines": [0.3, 0.2], "stepped": True},
    },
    "leasing.tiers": {
        "on_demand": {"share": 0.2, "price": "spot", "price_ratio": 1.2},
        "reserved_1y": {"share": 0.3, "price": "contract", "term_years": 1},
        "reserved_3y": {"share": 0.5, "price": "contract", "price_ratio": 0.85, "term_years": 3},
    },
}
"""Three price tiers with terms and a vintage bought before the timeline: contracts signed on dates that
are no period's middle (start of period, before the timeline) read inputs of their own."""


@pytest.mark.parametrize(
    "changes",
    [{}, LIFECYCLE, PRICE_TIERS, BACKLOG],
    ids=["plain", "balance-and-impairment", "price-tiers", "backlog-by-quarter"],
)
def test_small_model_evaluated_by_formulas_matches_the_engine(tmp_path, make_model, changes):
    model = make_model(
        {
            "timeline.end_year": 2026,
            "capex.by_period": {
                "2024": {"total": 40_000_000, "ai_share": 1.0, "asset_mix": {"servers": 1.0}, "gpu_mix": {"X1": 1.0}},
                "2025": {"total": 20_000_000},
                "2026": {"total": 0},
            },
            **changes,
        }
    )
    projection = project(model)
    path = tmp_path / "small.xlsx"
    layout = write_workbook({"base": projection}, "base", path)
    solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
    by_cell = {}
    for key, value in solution.items():
        match = re.match(r"'\[small\.xlsx\](.+)'!([A-Z]+\d+)$", key)
        if match:
            by_cell[(match.group(1).upper(), match.group(2))] = np.asarray(getattr(value, "value", value)).ravel()[0]
    expected = layout.expected(projection)
    checked = 0
    for (sheet, cell), value in expected.items():
        actual = by_cell.get((sheet.upper(), cell))
        if isinstance(value, str):
            assert actual == value
            continue
        assert actual is not None, (sheet, cell)
        assert float(actual) == pytest.approx(value, rel=1e-9, abs=1e-9), (sheet, cell)
        checked += 1
    assert checked == sum(isinstance(v, float) for v in expected.values()) > 300
    if changes is LIFECYCLE:
        assert projection.line_items["impairment"].max() > 0
    if changes is BACKLOG:
        assert projection.line_items["backlog_recognised"].min() > 0
