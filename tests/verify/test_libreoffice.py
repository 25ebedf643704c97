"""The LibreOffice oracle: does it really recalculate, and with Excel's semantics for the functions we use?

Every workbook here is written with deliberately wrong cached values, so a value that comes back
right can only have been recomputed. All of them go through one soffice call (the ``recalculated``
fixture) to keep the suite fast; only the tests of the oracle's own failures make calls of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy_financial as npf
import openpyxl
import pytest
import xlsxwriter

from finmodel.verify import _libreoffice
from finmodel.verify._libreoffice import (
    Mismatch,
    RecalcError,
    compare,
    formula_cells,
    recalculate,
    recalculated_values,
)

STALE = -999_999.0
"""The cached value every test formula is written with; no test formula computes it."""

CASH_FLOWS = [-1000.0, 300.0, 400.0, 500.0, 200.0]
RATE = 0.08

# Excel NPV discounts its first value by one period; numpy_financial.npv does not discount it.
FUNCTION_CASES: dict[str, tuple[str, float]] = {
    "H1": ("=A1*A2-A3/A4+A1^3", 2 * 3.5 - (-4) / 10 + 2**3),
    "H2": ("=SUM(A1:A4)", 2 + 3.5 - 4 + 10),
    "H3": ("=SUMPRODUCT(A1:A3,F1:F3)", 2 * 1.5 + 3.5 * 2.5 + -4 * 3.5),
    "H4": ("=MIN(A1:A4)", -4),
    "H5": ("=MAX(A1:A4)", 10),
    "H6": ("=IF(A3<0,A4,A1)", 10),
    "H7": ("=IF(AND(A1>0,A3<0),1,0)", 1),
    "H8": ("=IF(OR(A1<0,A3>0),1,0)", 0),
    "H9": ("=IFERROR(A4/(A1-2),-1)", -1),
    "H10": ("=IFERROR(A4/A1,-1)", 5),
    "H11": ('=INDEX(F1:F3,MATCH("mid",E1:E3,0))', 2.5),
    "H12": ("=CHOOSE(3,A1,A2,A3)", -4),
    "H13": ("=ROUND(2.5,0)", 3),
    "H14": ("=ROUND(-2.5,0)", -3),
    "H15": ("=ROUND(A2*0.123456,3)", 0.432),
    "H16": ("=ROUND(1.005,2)", 1.01),
    "H17": ("=NPV(D1,B2:B5)+B1", float(npf.npv(RATE, CASH_FLOWS))),
    "H18": ("=NPV(D1,B1:B5)", float(npf.npv(RATE, CASH_FLOWS)) / (1 + RATE)),
    "H19": ("=IRR(B1:B5)", float(npf.irr(CASH_FLOWS))),
    "H20": ("=PMT(D1/12,360,250000)", float(npf.pmt(RATE / 12, 360, 250_000))),
    "H21": ("=PMT(D1,5,-10000,0,1)", float(npf.pmt(RATE, 5, -10_000, 0, when="begin"))),
}

SCENARIOS = {"Base": 0.05, "Bull": 0.12, "Bear": -0.03}
SELECTOR_FORMULA = "=INDEX(Growth,MATCH(Selected_Scenario,Scenario_Names,0))"
DEFINED_NAMES = {
    "Scenario_Names": "Inputs!$A$3:$A$5",
    "Growth": "Inputs!$B$3:$B$5",
    "Selected_Scenario": "Inputs!$B$1",
}


def write_canary(path: Path) -> None:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Sheet1")
    sheet.write_number("A1", 1)
    sheet.write_number("A2", 2)
    sheet.write_formula("A3", "=A1+A2", None, 999)
    workbook.close()


def write_functions(path: Path) -> None:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Calc")
    sheet.write_column("A1", [2, 3.5, -4, 10])
    sheet.write_column("B1", CASH_FLOWS)
    sheet.write_number("D1", RATE)
    sheet.write_column("E1", ["low", "mid", "high"])
    sheet.write_column("F1", [1.5, 2.5, 3.5])
    for cell, (formula, _) in FUNCTION_CASES.items():
        sheet.write_formula(cell, formula, None, STALE)
    workbook.close()


def write_scenarios(path: Path) -> None:
    """A selector cell (list validation) drives INDEX/MATCH through defined names, as the exporter will."""
    workbook = xlsxwriter.Workbook(str(path))
    inputs = workbook.add_worksheet("Inputs")
    inputs.write("A1", "Scenario")
    inputs.write("B1", "Base")
    inputs.data_validation("B1", {"validate": "list", "source": list(SCENARIOS)})
    inputs.write_column("A3", list(SCENARIOS))
    inputs.write_column("B3", list(SCENARIOS.values()))
    for name, reference in DEFINED_NAMES.items():
        workbook.define_name(name, f"={reference}")
    model = workbook.add_worksheet("Model")
    model.write_formula("A1", SELECTOR_FORMULA, None, STALE)
    model.write_formula("A2", "=1000*(1+A1)", None, STALE)
    workbook.close()


def select_scenario(source: Path, target: Path, scenario: str) -> None:
    """What the scenario selector does: change the selector cell with openpyxl and save."""
    workbook = openpyxl.load_workbook(source)
    workbook["Inputs"]["B1"] = scenario
    workbook.save(target)


def write_errors(path: Path) -> None:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Checks")
    sheet.write_formula("A1", "=1/0", None, STALE)
    sheet.write_formula("A2", "=10*100", None, STALE)
    sheet.write_formula("A3", "=10*100", None, STALE)
    workbook.close()


def write_times_ten(path: Path, value: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Sheet1")
    sheet.write_number("A1", value)
    sheet.write_formula("B1", "=A1*10", None, STALE)
    workbook.close()


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every test workbook, by name, before recalculation."""
    folder = tmp_path_factory.mktemp("workbooks")
    writers: dict[str, Callable[[Path], None]] = {
        "canary": write_canary,
        "functions": write_functions,
        "scenarios": write_scenarios,
        "errors": write_errors,
    }
    paths = {name: folder / f"{name}.xlsx" for name in writers}
    for name, write in writers.items():
        write(paths[name])
    paths["scenarios_bear"] = folder / "scenarios_bear.xlsx"
    select_scenario(paths["scenarios"], paths["scenarios_bear"], "Bear")
    paths["same_name_a"] = folder / "a" / "model.xlsx"
    paths["same_name_b"] = folder / "b" / "model.xlsx"
    write_times_ten(paths["same_name_a"], 1)
    write_times_ten(paths["same_name_b"], 2)
    return paths


@pytest.fixture(scope="module")
def recalculated(
    libreoffice: str, workbooks: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """Every test workbook's recalculated copy, by name, all from a single soffice call."""
    outputs = recalculate(list(workbooks.values()), tmp_path_factory.mktemp("recalculated"))
    return {name: outputs[path] for name, path in workbooks.items()}


@pytest.mark.oracle
def test_canary_stale_value_is_corrected(workbooks: dict[str, Path], recalculated: dict[str, Path]) -> None:
    assert recalculated_values(workbooks["canary"])[("Sheet1", "A3")] == 999
    assert recalculated_values(recalculated["canary"])[("Sheet1", "A3")] == 3


@pytest.mark.oracle
def test_allowed_functions_recompute_to_independent_values(
    workbooks: dict[str, Path], recalculated: dict[str, Path]
) -> None:
    stale = recalculated_values(workbooks["functions"])
    assert all(stale[("Calc", cell)] == STALE for cell in FUNCTION_CASES)
    expected = {("Calc", cell): value for cell, (_, value) in FUNCTION_CASES.items()}
    assert compare(expected, recalculated_values(recalculated["functions"])) == []


@pytest.mark.oracle
def test_formulas_survive_recalculation(recalculated: dict[str, Path]) -> None:
    formulas = formula_cells(recalculated["functions"])
    assert formulas == {("Calc", cell): formula for cell, (formula, _) in FUNCTION_CASES.items()}


@pytest.mark.oracle
def test_scenario_selector_drives_index_match(recalculated: dict[str, Path]) -> None:
    base = recalculated_values(recalculated["scenarios"])
    bear = recalculated_values(recalculated["scenarios_bear"])
    assert compare({("Model", "A1"): SCENARIOS["Base"], ("Model", "A2"): 1050.0}, base) == []
    assert compare({("Model", "A1"): SCENARIOS["Bear"], ("Model", "A2"): 970.0}, bear) == []


@pytest.mark.oracle
def test_defined_names_and_selector_validation_survive(recalculated: dict[str, Path]) -> None:
    workbook = openpyxl.load_workbook(recalculated["scenarios_bear"])
    names = {name: workbook.defined_names[name].attr_text for name in DEFINED_NAMES}
    assert names == DEFINED_NAMES
    validations = workbook["Inputs"].data_validations.dataValidation
    assert [(str(rule.sqref), rule.type, rule.formula1) for rule in validations] == [("B1", "list", '"Base,Bull,Bear"')]
    assert workbook["Inputs"]["B1"].value == "Bear"
    assert formula_cells(recalculated["scenarios_bear"])[("Model", "A1")] == SELECTOR_FORMULA


@pytest.mark.oracle
def test_compare_flags_error_cell_and_relative_drift(recalculated: dict[str, Path]) -> None:
    values = recalculated_values(recalculated["errors"])
    assert values[("Checks", "A1")] == "#DIV/0!"
    expected = {
        ("Checks", "A1"): 0.0,
        ("Checks", "A2"): 1000 * (1 + 1e-6),
        ("Checks", "A3"): 1000 * (1 + 1e-12),
    }
    assert compare(expected, values) == [
        Mismatch("Checks", "A1", 0.0, "#DIV/0!"),
        Mismatch("Checks", "A2", 1000 * (1 + 1e-6), 1000),
    ]


@pytest.mark.oracle
def test_same_file_names_from_different_folders_do_not_collide(recalculated: dict[str, Path]) -> None:
    assert recalculated["same_name_a"] != recalculated["same_name_b"]
    assert recalculated_values(recalculated["same_name_a"])[("Sheet1", "B1")] == 10
    assert recalculated_values(recalculated["same_name_b"])[("Sheet1", "B1")] == 20


@pytest.mark.oracle
def test_profile_without_forced_recalculation_is_caught_by_canary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """LibreOffice's default keeps cached values; the canary must notice and fail the whole run."""
    keep_cached = _libreoffice._RECALC_ALWAYS_PROFILE.replace("<value>0</value>", "<value>1</value>")
    monkeypatch.setattr(_libreoffice, "_RECALC_ALWAYS_PROFILE", keep_cached)
    with pytest.raises(RecalcError, match="did not recalculate"):
        recalculate([], tmp_path)


@pytest.mark.oracle
def test_unreadable_workbook_is_reported_by_name(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a workbook")
    with pytest.raises(RecalcError, match="no recalculated copy of: .*broken.xlsx"):
        recalculate([broken], tmp_path / "out")


def test_compare_counts_missing_and_error_values_as_mismatches() -> None:
    expected = {("S", "A1"): 1.0, ("S", "A2"): 2.0, ("S", "A3"): 3.0}
    recalculated = {("S", "A1"): 1.0, ("S", "A3"): "#NAME?"}
    assert compare(expected, recalculated) == [Mismatch("S", "A2", 2.0, None), Mismatch("S", "A3", 3.0, "#NAME?")]


def test_missing_input_is_reported_before_running(tmp_path: Path) -> None:
    with pytest.raises(RecalcError, match="missing workbooks: .*absent.xlsx"):
        recalculate([tmp_path / "absent.xlsx"], tmp_path / "out")


def test_recalculate_without_libreoffice_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_libreoffice, "find_soffice", lambda: None)
    with pytest.raises(RecalcError, match="libreoffice-calc-nogui"):
        recalculate([], tmp_path)
