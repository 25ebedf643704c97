"""The memo's uncertainty section: shown when the model declares an uncertainty block, absent otherwise."""

from __future__ import annotations

from finmodel import build

UNCERTAINTY = {
    "draws": 300,
    "seed": 1,
    "inputs": {
        "leasing_utilisation": {"distribution": "uniform", "low": 0.6, "high": 1.0, "note": "<b>estimate</b>"},
    },
}


def test_the_memo_shows_the_simulation_when_the_model_declares_uncertainty(make_model_file, tmp_path):
    file = make_model_file({"uncertainty": UNCERTAINTY})
    report = build([file], tmp_path)
    assert report.ok, report
    html = (tmp_path / "model.html").read_text()
    assert "Uncertainty: 300 draws" in html
    assert "uniform low 0.6, high 1" in html
    # A string from the model file is inert: escaped, never markup.
    assert "&lt;b&gt;estimate&lt;/b&gt;" in html and "<b>estimate</b>" not in html
    assert 'id="figure-' in html.split('class="simulation"')[1]


def test_no_section_without_uncertainty(make_model_file, tmp_path):
    build([make_model_file()], tmp_path)
    assert 'class="simulation"' not in (tmp_path / "model.html").read_text()
