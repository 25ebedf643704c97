"""The HTML memo, read back as a reader's browser would: parsed HTML, not the template context.

Expected numbers are the engine's, written here by hand-rolled formats that follow the filters'
documented conventions (``finmodel/export/memo/_format.py``), so a filter that drifts fails. The
oracle test lays each memo out with headless Chromium, on screen and on A4 and Letter paper.
"""

from __future__ import annotations

import math
import re
import subprocess
import tempfile
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from finmodel import load_model
from finmodel._build import company_model_files, project_all_scenarios
from finmodel.engine import Projection
from finmodel.engine.presentation import HEADLINE_METRICS, MEMO_FIGURES
from finmodel.export import write_comparison, write_memo
from finmodel.export.memo import _format
from finmodel.schema import CompanyModel

ROOT = Path(__file__).resolve().parents[2]
MODELS = company_model_files(ROOT / "models")
HOSTILE = "<script>alert(1)</script>"
RESOURCE_ATTRIBUTES = {"src", "href", "xlink:href", "srcset", "data", "poster", "action"}
ON_LETTER_TOO = {"meta", "comparison"}
LOADING_TAGS = {"script", "link", "img", "iframe", "object", "embed", "video", "audio", "source", "base"}


class Page(HTMLParser):
    """What a test needs of a rendered page: tag counts, text by marker, resource references."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: dict[str, int] = {}
        self.metrics: dict[str, str] = {}
        self.texts_by_class: dict[str, list[str]] = {}
        self.references: list[str] = []
        self.text: list[str] = []
        self._capturing: tuple[str, str] | None = None
        self._style = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] = self.tags.get(tag, 0) + 1
        attributes = dict(attrs)
        self.references += [value or "" for name, value in attrs if name in RESOURCE_ATTRIBUTES]
        self.references += re.findall(r"url\(([^)]*)\)", attributes.get("style") or "")
        self._style = tag == "style"
        if "data-metric" in attributes:
            self._capturing = ("metric", attributes["data-metric"] or "")
        elif attributes.get("class") in ("verdict-label", "badge pass", "badge fail", "label-text"):
            self._capturing = ("class", (attributes["class"] or "").split()[0])

    def handle_endtag(self, tag: str) -> None:
        self._capturing = None
        self._style = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._style:
            self.references += re.findall(r"url\(([^)]*)\)", data)
        if self._capturing is None:
            return
        kind, key = self._capturing
        if kind == "metric":
            self.metrics[key] = self.metrics.get(key, "") + data
        else:
            self.texts_by_class.setdefault(key, []).append(data)


def expected(value: float, unit: str) -> str:
    """The engine's value as the memo documents it, formatted independently of the filters."""
    if unit in ("rate", "share"):
        return f"{value * 100:.1f}%"
    if unit == "x":
        return f"{value:.2f}×"
    assert unit == "USD billions", unit
    text = f"${abs(value):,.1f}bn" if abs(value) >= 0.99995 else f"${abs(value) * 1000:,.0f}m"
    return f"({text})" if value < 0 else text


@pytest.fixture(scope="module")
def meta() -> dict[str, Projection]:
    return project_all_scenarios(load_model(ROOT / "models" / "meta.yaml"))


@pytest.fixture(scope="module")
def rendered(meta: dict[str, Projection], tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], str]:
    """The memo's HTML for a scenario of Meta, rendered once per scenario."""
    pages: dict[str, str] = {}

    def render(selected: str) -> str:
        if selected not in pages:
            path = tmp_path_factory.mktemp("memo") / f"meta-{selected}.html"
            write_memo(meta, selected, path)
            pages[selected] = path.read_text(encoding="utf-8")
        return pages[selected]

    return render


@pytest.mark.parametrize("selected", ["base", "bear"])
def test_headline_numbers_and_verdict_are_the_engine_s(
    meta: dict[str, Projection], rendered: Callable[[str], str], selected: str
) -> None:
    projection = meta[selected]
    page = Page(rendered(selected))
    for metric in HEADLINE_METRICS:
        unit = projection.graph.rows[metric.row].unit
        assert page.metrics[metric.row] == expected(projection.metrics[metric.row], unit), metric.row
    assert page.texts_by_class["verdict-label"] == [projection.verdict.label]
    badges = page.texts_by_class["badge"][: len(projection.verdict.reasons)]
    assert badges == ["pass" if reason.passed else "fail" for reason in projection.verdict.reasons]
    scenarios_table = page.texts_by_class["label-text"][: len(meta)]
    assert scenarios_table == [other.verdict.label for other in meta.values()]
    assert f"{selected}: " in "".join(page.text)


def test_memo_has_its_charts_and_fetches_nothing(rendered: Callable[[str], str]) -> None:
    html = rendered("base")
    page = Page(html)
    assert page.tags["svg"] >= 5
    assert page.tags["figure"] == len(MEMO_FIGURES)
    assert not LOADING_TAGS & set(page.tags)
    assert page.references, "the charts' glyphs and clip paths are referenced within the page"
    assert all(reference.strip("'\" ").startswith("#") for reference in page.references)
    assert "http://" not in html and "https://" not in html
    assert "@media print" in html and "break-inside: avoid" in html


def test_demand_section_states_the_engine_s_supply_and_demand(
    meta: dict[str, Projection], rendered: Callable[[str], str]
) -> None:
    items = meta["base"].line_items.loc[list(meta["base"].declared_periods)]
    supply, demand = items["leasable_hours"].sum(), items["external_demand_hours"].sum()
    text = " ".join("".join(Page(rendered("base")).text).split())
    assert f"external demand for {demand / 1e9:,.1f}bn GPU-hours against {supply / 1e9:,.1f}bn GPU-hours" in text
    short = [period for period, value in items["demand_gap_h100_hours"].items() if value > 0]
    assert f"falls short of it in {', '.join(short[:-1])} and {short[-1]}" in text
    assert "Demand for the capacity" in text


def test_figures_are_numbered_in_reading_order(rendered: Callable[[str], str]) -> None:
    numbers = [int(n) for n in re.findall(r'<span class="figure-number">Figure (\d+)</span>', rendered("base"))]
    assert numbers == list(range(1, len(MEMO_FIGURES) + 1))


def test_a_model_without_demand_has_no_demand_section_and_figures_numbered_in_order(
    make_model: Callable[..., CompanyModel], tmp_path: Path
) -> None:
    model = make_model()
    assert not model.demand.contracts and model.demand.tokens is None
    path = tmp_path / "plain.html"
    write_memo(project_all_scenarios(model), "base", path)
    html = path.read_text(encoding="utf-8")
    assert 'class="demand"' not in html
    numbers = [int(n) for n in re.findall(r'<span class="figure-number">Figure (\d+)</span>', html)]
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(numbers) == len(MEMO_FIGURES) - 1


def test_memo_rebuilds_byte_identical(meta: dict[str, Projection], rendered: Callable[[str], str], tmp_path: Path):
    write_memo(meta, "base", tmp_path / "again.html")
    assert (tmp_path / "again.html").read_text(encoding="utf-8") == rendered("base")


def test_strings_from_the_model_are_inert_text(make_model: Callable[..., CompanyModel], tmp_path: Path) -> None:
    gpu = {
        "available_from": 2024,
        "cost_per_accelerator_usd": 40_000,
        "power_kw_per_accelerator": 1.0,
        "physical_life_years": 4,
    }
    purchase = {"total": 40_000_000, "ai_share": 1.0, "asset_mix": {HOSTILE: 1.0}, "gpu_mix": {HOSTILE: 1.0}}
    model = make_model(
        {
            "company.name": HOSTILE,
            "gpus": {HOSTILE: gpu},
            "capex.by_period.2024": purchase,
            "asset_classes": {HOSTILE: {"method": "straight_line", "useful_life_years": 4, "buys_accelerators": True}},
            "leasing.prices": {HOSTILE: {"contract": {"launch_price_usd_per_hour": 3.0}}},
        }
    )
    write_memo(project_all_scenarios(model), "base", tmp_path / "memo.html")
    write_comparison({"hostile": project_all_scenarios(model)}, tmp_path / "comparison.html")
    for name in ("memo.html", "comparison.html"):
        page = Page((tmp_path / name).read_text(encoding="utf-8"))
        assert "script" not in page.tags
        assert HOSTILE in "".join(page.text)


def test_comparison_shows_each_company_s_verdict_and_metrics(tmp_path: Path) -> None:
    projections = {path.stem: project_all_scenarios(load_model(path)) for path in MODELS[:2]}
    write_comparison(projections, tmp_path / "comparison.html")
    html = (tmp_path / "comparison.html").read_text(encoding="utf-8")
    page = Page(html)
    bases = [by_scenario["base"] for by_scenario in projections.values()]
    assert page.texts_by_class["label-text"][: len(bases)] == [base.verdict.label for base in bases]
    coverage = re.findall(r'data-metric="horizon_coverage">([^<]*)<', html)
    assert coverage == [expected(base.metrics["horizon_coverage"], "x") for base in bases]
    assert page.tags["svg"] >= 5
    assert "http://" not in html and "https://" not in html


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (_format.money(-1234.5, "USD", "billions"), "($1,234.5bn)"),
        (_format.money(12.34, "USD", "billions"), "$12.3bn"),
        (_format.money(0.45, "USD", "billions"), "$450m"),
        (_format.money(0.99996, "USD", "billions"), "$1.0bn"),
        (_format.money(-0.0004, "USD", "billions"), "($400k)"),
        (_format.money(450, "EUR", "millions"), "€450m"),
        (_format.money(2.5, "CHF", "billions"), "CHF 2.5bn"),
        (_format.money(12_345, "USD", "units"), "$12k"),
        (_format.money(-0.0001, "USD", "units"), "$0"),
        (_format.money(math.nan, "USD", "billions"), "n/a"),
        (_format.amount(-0.94), "(0.9)"),
        (_format.amount(-0.04), "0.0"),
        (_format.amount(1234.56), "1,234.6"),
        (_format.pct(0.0766), "7.7%"),
        (_format.pct(-0.013), "-1.3%"),
        (_format.points(0.082), "8.2 pts"),
        (_format.multiple(1.3456), "1.35×"),
        (_format.years(5.5), "5.5 years"),
        (_format.usd_per_hour(2.3456), "$2.35/h"),
        (_format.usd(-7962.4), "($7,962)"),
        (_format.count(7_869_486), "7.87m"),
        (_format.count(245_779), "246k"),
        (_format.count(950), "950"),
        (_format.count(1.02), "1.02"),
        (_format.by_unit(0.071, "USD/kWh"), "$0.071/kWh"),
        (_format.by_unit(30_000, "USD"), "$30,000"),
        (_format.by_unit(1.0, "flag"), "yes"),
        (_format.by_unit(2025.5, "year"), "Jul 2025"),
        (_format.by_unit(2022.2465753424658, "year"), "Apr 2022"),
        (_format.by_unit(2025.0, "year"), "2025"),
        (_format.by_unit(0.7, "kW"), "0.70 kW"),
        (_format.gpu_hours(62_812_000_000), "62.8bn GPU-hours"),
        (_format.gpu_hours(4_730_000, "H100-equivalent hours"), "5m H100-equivalent hours"),
        (_format.gpu_hours(8_760), "8,760 GPU-hours"),
    ],
)
def test_filters_on_hand_worked_values(value: str, text: str) -> None:
    assert value == text


def test_money_scale_picks_the_unit_by_size() -> None:
    assert _format.money_scale(206.6, "USD", "billions") == (1.0, "USD bn")
    assert _format.money_scale(40_000_000, "USD", "units") == (1e6, "USD m")
    assert _format.money_scale(0.4, "USD", "billions") == (1e-3, "USD m")


# --------------------------------------------------------------------------- oracle: Chromium


def _chromium(chromium: str, *arguments: str) -> None:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}", *arguments],
            check=True,
            capture_output=True,
            timeout=180,
        )


@pytest.fixture(scope="module")
def laid_out(chromium: str, pdftotext: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    """Each shipped model's memo and the comparison memo as a screenshot and as a PDF on A4, and
    the two layouts (Meta's memo, the comparison) on Letter too: A4 is the narrower page, Letter the
    shorter. The page size is forced by an extra ``@page`` rule. One Chromium run at a time: on a
    small machine parallel runs are no faster."""
    folder = tmp_path_factory.mktemp("chromium")
    projections = {path.stem: project_all_scenarios(load_model(path)) for path in MODELS}
    pages = {}
    for stem, by_scenario in projections.items():
        write_memo(by_scenario, "base", folder / f"{stem}.html")
        pages[stem] = folder / f"{stem}.html"
    write_comparison(projections, folder / "comparison.html")
    pages["comparison"] = folder / "comparison.html"
    outputs: dict[str, dict[str, Path]] = {}
    runs = []
    for stem, page in pages.items():
        outputs[stem] = {"png": folder / f"{stem}.png"}
        runs.append(("--hide-scrollbars", "--window-size=1200,6000", f"--screenshot={outputs[stem]['png']}", page))
        for size in ("A4", "letter") if stem in ON_LETTER_TOO else ("A4",):
            sized = folder / f"{stem}-{size}.html"
            forced = f"<style>@page {{ size: {size}; }}</style></head>"
            sized.write_text(page.read_text(encoding="utf-8").replace("</head>", forced), encoding="utf-8")
            outputs[stem][size] = folder / f"{stem}-{size}.pdf"
            runs.append(("--no-pdf-header-footer", f"--print-to-pdf={outputs[stem][size]}", sized))
    for *arguments, page in runs:
        _chromium(chromium, *arguments, page.as_uri())
    return outputs


def _page_texts(pdftotext: str, pdf: Path) -> list[str]:
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return [page for page in text.split("\f") if page.strip()]


@pytest.mark.oracle("chromium", "pdftotext")
def test_memos_lay_out_on_screen_and_on_paper_without_splitting_a_figure(
    laid_out: dict[str, dict[str, Path]], pdftotext: str
) -> None:
    from PIL import Image

    for stem, files in laid_out.items():
        pixels = np.asarray(Image.open(files["png"]).convert("L"), dtype=float)
        assert pixels.var() > 100, f"{stem}: the screenshot is blank"
        for size in ("A4", "letter") if stem in ON_LETTER_TOO else ("A4",):
            pages = _page_texts(pdftotext, files[size])
            assert len(pages) > 1, f"{stem} on {size}"
            numbers = sorted({int(n) for page in pages for n in re.findall(r"Figure (\d+) ", page)})
            assert len(numbers) >= 5, f"{stem} on {size}: {numbers}"
            for number in numbers:
                caption = [i for i, page in enumerate(pages) if f"Figure {number} " in page]
                notes = [i for i, page in enumerate(pages) if f"Notes to figure {number}:" in page]
                assert caption == notes and len(caption) == 1, f"{stem} on {size}: figure {number} is split"


def test_memo_shows_the_reconciliation_with_reported_figures(
    meta: dict[str, Projection], rendered: Callable[[str], str]
) -> None:
    html = rendered("base")
    items = meta["base"].reconciliation
    assert items, "meta.yaml declares reported figures"
    for item in items:
        start = html.index(f'data-reported="{item.name}" data-period="{item.period}"')
        row = html[start : html.index("</tr>", start)]
        assert expected(item.variance_share, "share") in row
        assert expected(item.reported, meta["base"].money) in row
