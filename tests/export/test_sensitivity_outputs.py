"""The sensitivity in the memo and the workbook: present when the build computed it, text from the
model inert in both, the workbook's figures values with a note of how they were made."""

from __future__ import annotations

import re

import openpyxl

from finmodel import build, project, sensitivity
from finmodel.export import write_memo, write_workbook
from finmodel.schema import BreakEven, Grid, GridAxis, Lever, SensitivityBlock

HOSTILE = '<script>alert("x")</script> =HYPERLINK("http://x") [bold]'
UTILISATION = {"input": "leasing_utilisation", "low": 0.4, "high": 0.9}
PRICE = {"input": "contract_price_usd_per_hour[X1]", "low": 0.5, "high": 1.5}


def _analysed(make_model):
    block = SensitivityBlock(
        tornado=(Lever(**UTILISATION, label=HOSTILE, note=HOSTILE), Lever(**PRICE)),
        grids=(Grid(rows=GridAxis(**UTILISATION, steps=3), columns=GridAxis(**PRICE, steps=3)),),
        break_even=(BreakEven(**PRICE, show="cohort_first_year_price_usd_per_hour[X1]"),),
    )
    model = make_model().model_copy(update={"sensitivity": block})
    return {"base": project(model)}, sensitivity(model)


def test_the_memo_shows_the_tornado_a_heat_table_and_the_break_even_in_words(make_model, tmp_path):
    projections, result = _analysed(make_model)
    write_memo(projections, "base", tmp_path / "memo.html", sensitivity=result)
    html = (tmp_path / "memo.html").read_text(encoding="utf-8")
    section = html[html.index('<section class="sensitivity">') :]
    assert 'id="figure-7"' in section and "<svg" in section and 'id="tornado-' in section
    assert section.count('<table class="heat">') == 3  # the default metrics, economic profit and IRR, and the verdict
    assert re.search(r'<td class="num" style="background: #[0-9A-F]{6}">', section)
    (crossing,) = result.break_evens[0].crossings
    # The price at which the test passes, in words, with the first-year price it means.
    assert f"it passes above {crossing.value:,.2f}×" in section
    assert f"blended rental price in its first year ${crossing.shown:,.2f}/h" in section
    assert "<script>" not in section and "&lt;script&gt;" in section


def test_a_memo_without_a_sensitivity_has_no_such_section(make_model, tmp_path):
    write_memo({"base": project(make_model())}, "base", tmp_path / "memo.html")
    assert '<section class="sensitivity">' not in (tmp_path / "memo.html").read_text(encoding="utf-8")


def test_the_workbook_sheet_holds_values_text_as_text_and_a_note(make_model, tmp_path):
    projections, result = _analysed(make_model)
    write_workbook(projections, "base", tmp_path / "book.xlsx", sensitivity=result)
    sheet = openpyxl.load_workbook(tmp_path / "book.xlsx")["Sensitivity"]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [cell for cell in cells if cell.data_type == "f"], "values, not formulas"
    assert "vectorised engine run" in sheet["A2"].value and "Values, not formulas" in sheet["A2"].value
    hostile = [cell for cell in cells if cell.value == HOSTILE]
    assert len(hostile) == 2 and all(cell.data_type == "s" for cell in hostile)  # the label and the note
    numbers = [cell.value for cell in cells if cell.data_type == "n"]
    top = result.tornado[0]
    written = [top.low.margins["economic_profit"], top.high.margins["economic_profit"]]
    written.append(result.break_evens[0].crossings[0].value)
    for value in written:  # Excel keeps 15 significant digits
        assert any(abs(number - value) <= 1e-14 * abs(value) for number in numbers), value


def test_a_build_computes_the_sensitivity_for_the_memo_and_the_workbook(make_model_file, tmp_path):
    (outcome,) = build([make_model_file()], tmp_path / "out").outcomes
    assert outcome.ok and outcome.sensitivity is not None and outcome.sensitivity.tornado
    assert "Sensitivity" in openpyxl.load_workbook(tmp_path / "out" / "model.xlsx").sheetnames
    assert "Break-evens" in (tmp_path / "out" / "model.html").read_text(encoding="utf-8")
    assert sorted(path.name for path in outcome.outputs) == ["model.csv", "model.html", "model.json", "model.xlsx"]
