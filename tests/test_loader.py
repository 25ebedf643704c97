"""Tests of finmodel.loading: YAML → CompanyModel with every problem located.

Every expected line and column is worked out from the text the test writes (by finding the
line in the string), never by asking the loader.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import finmodel
from finmodel import ModelError, ScenarioError, load_catalog, load_model, with_scenario
from finmodel.schema import parse_point_in_time

REPO = Path(__file__).resolve().parents[1]
META = REPO / "models" / "meta.yaml"
CATALOG = REPO / "models" / "catalog" / "gpus.yaml"
META_TEXT = META.read_text(encoding="utf-8")
CATALOG_TEXT = CATALOG.read_text(encoding="utf-8")

FAST = 3.0
"""Seconds: a hostile file is refused within this, a guard against a hang or a blow-up (it takes a
few milliseconds; the margin is for a loaded machine, not a speed target)."""
WELL_UNDER_A_SECOND = 1.0


class TooSlow(Exception):
    """Raised by :func:`deadline` inside a load that runs too long (so a hang costs seconds, not minutes)."""


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Interrupt the block with :class:`TooSlow` after ``seconds`` (pure-Python PyYAML checks signals)."""
    if not hasattr(signal, "setitimer"):
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise TooSlow(f"still running after {seconds}s")

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# --------------------------------------------------------------------------- helpers


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"test text must contain {old!r} exactly once"
    return text.replace(old, new)


def where(text: str, line_contains: str, token: str | None = None, occurrence: int = 1) -> tuple[int, int]:
    """(line, column), both 1-based, of ``token`` on the ``occurrence``-th line containing ``line_contains``."""
    seen = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line_contains in line:
            seen += 1
            if seen == occurrence:
                return number, line.index(token if token is not None else line_contains) + 1
    raise AssertionError(f"{line_contains!r} not found {occurrence} time(s)")


def write_model(directory: Path, text: str, catalog_text: str = CATALOG_TEXT, name: str = "model.yaml") -> Path:
    """A model file beside a copy of the catalogue, so ``gpu_catalog: catalog/gpus.yaml`` resolves."""
    (directory / "catalog").mkdir(exist_ok=True)
    (directory / "catalog" / "gpus.yaml").write_text(catalog_text, encoding="utf-8")
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[finmodel.Problem]:
    with pytest.raises(ModelError) as caught:
        load_model(path)
    return caught.value.problems


def only_problem(path: Path) -> finmodel.Problem:
    problems = problems_of(path)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "finmodel.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=60
    )


# --------------------------------------------------------------------------- the required case

# Three mistakes in one file: a negative useful life, a gpu_mix summing to 1.2 and a typo'd key.
NEGATIVE_LIFE = (
    '    useful_life_years: {value: 4, source: "Meta: servers and network 4 yrs before Q2 2022 (public',
    '    useful_life_years: {value: -4, source: "Meta: servers and network 4 yrs before Q2 2022 (public',
)
MIX_1_2 = (
    "      gpu_mix: {H100: 0.75, H200: 0.20, MTIA_v2: 0.05}",
    "      gpu_mix: {H100: 0.75, H200: 0.40, MTIA_v2: 0.05}",
)

# (section, correct key, typo'd key, the line the typo is on)
TYPO_OPTIONAL = ("internal", "shadow_price_ratio", "shadow_price_ratoi")
TYPO_REQUIRED = ("leasing", "utilisation", "utilisaton")


def three_mistakes(directory: Path, typo: tuple[str, str, str]) -> tuple[Path, str, set[tuple[int, int, str]]]:
    section, good, bad = typo
    text = replace_once(META_TEXT, *NEGATIVE_LIFE)
    text = replace_once(text, *MIX_1_2)
    # the typo'd key sits in its section, indented by two spaces
    section_at = text.index(f"\n{section}:\n")
    key_at = text.index(f"\n  {good}:", section_at)
    text = text[: key_at + 3] + bad + text[key_at + 3 + len(good) :]
    path = write_model(directory, text)
    expected = {
        (*where(text, "H200: 0.40,", "gpu_mix"), "capex.by_period.2024.gpu_mix"),
        (*where(text, "{value: -4,", "useful_life_years"), "asset_classes.servers.useful_life_years"),
        (*where(text, f"  {bad}:", bad), f"{section}.{bad}"),
    }
    return path, text, expected


TYPOS = [
    pytest.param(TYPO_OPTIONAL, id="typo-of-optional-key"),
    pytest.param(TYPO_REQUIRED, id="typo-of-required-key"),
]


def check_three_messages(problems: list[finmodel.Problem], typo: tuple[str, str, str]) -> None:
    section, good, bad = typo
    by_path = {problem.path: problem.message for problem in problems}
    assert re.search(r"\bsums? to 1\.2\b", by_path["capex.by_period.2024.gpu_mix"]), by_path
    assert "greater than or equal to 0.25" in by_path["asset_classes.servers.useful_life_years"], by_path
    assert f"did you mean '{good}'" in by_path[f"{section}.{bad}"], by_path


@pytest.mark.parametrize("typo", TYPOS)
def test_three_mistakes_are_all_reported_in_one_load(tmp_path: Path, typo: tuple[str, str, str]) -> None:
    path, _, expected = three_mistakes(tmp_path, typo)
    problems = problems_of(path)
    assert {(p.line, p.column, p.path) for p in problems} == expected, "\n".join(map(str, problems))
    assert all(p.file == path for p in problems)
    check_three_messages(problems, typo)
    # str(Problem) is FILE:LINE:COL: dotted.path: message
    for problem in problems:
        assert str(problem) == f"{path}:{problem.line}:{problem.column}: {problem.path}: {problem.message}"


@pytest.mark.parametrize("typo", TYPOS)
def test_validate_command_prints_the_three_problems(tmp_path: Path, typo: tuple[str, str, str]) -> None:
    path, _, expected = three_mistakes(tmp_path, typo)
    result = run_cli("validate", str(path), cwd=tmp_path)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    printed = {
        (int(match[1]), int(match[2]), match[3])
        for match in re.finditer(rf"^{re.escape(str(path))}:(\d+):(\d+): (\S+): ", result.stderr, re.MULTILINE)
    }
    assert printed == expected, result.stderr
    assert f"did you mean '{typo[1]}'" in result.stderr


# --------------------------------------------------------------------------- cross-field errors


def test_generation_bought_before_it_is_available(tmp_path: Path) -> None:
    text = replace_once(META_TEXT, "gpu_mix: {H100: 0.75, H200: 0.20,", "gpu_mix: {H100: 0.75, Rubin: 0.20,")
    path = write_model(tmp_path, text)
    problem = only_problem(path)
    assert problem.path == "capex.by_period.2024.gpu_mix.Rubin"
    assert (problem.line, problem.column) == where(text, "{H100: 0.75, Rubin: 0.20,", "Rubin")
    # the catalogue makes Rubin available from 2026Q3
    assert "2024" in problem.message and "2026Q3" in problem.message


def test_timeline_end_before_start(tmp_path: Path) -> None:
    text = replace_once(META_TEXT, "  end_year: 2032", "  end_year: 2020")
    path = write_model(tmp_path, text)
    problem = only_problem(path)
    assert problem.path == "timeline"
    assert (problem.line, problem.column) == where(text, "timeline:")
    assert "2020" in problem.message and "2024" in problem.message


def test_age_band_that_does_not_add_up(tmp_path: Path) -> None:
    old = "{min_age_years: 2, training: 0.30, inference: 0.70, leasing: 0.0}"
    text = replace_once(META_TEXT, old, "{min_age_years: 2, training: 0.30, inference: 0.60, leasing: 0.0}")
    path = write_model(tmp_path, text)
    problem = only_problem(path)
    assert problem.path == "allocation.0.by_age.1"  # first rule, second band
    assert (problem.line, problem.column) == where(text, "inference: 0.60", "{")
    assert "0.9" in problem.message  # 0.30 + 0.60 + 0.0


def test_unknown_generation_in_gpu_mix_suggests_the_right_one(tmp_path: Path) -> None:
    text = replace_once(META_TEXT, "gpu_mix: {Rubin: 0.95,", "gpu_mix: {Rubinn: 0.95,")
    path = write_model(tmp_path, text)
    problem = only_problem(path)
    assert problem.path == "capex.by_period.2028.gpu_mix.Rubinn"
    assert (problem.line, problem.column) == where(text, "{Rubinn: 0.95,", "Rubinn")
    assert "did you mean 'Rubin'" in problem.message


def test_duplicate_key_is_located_at_the_second_occurrence(tmp_path: Path) -> None:
    text = replace_once(META_TEXT, "  ticker: META\n", "  ticker: META\n  ticker: MSFT\n")
    path = write_model(tmp_path, text)
    problem = only_problem(path)
    assert problem.path == "company.ticker"
    assert (problem.line, problem.column) == where(text, "ticker: MSFT", "ticker")
    assert "duplicate" in problem.message and "ticker" in problem.message


# --------------------------------------------------------------------------- the catalogue


def test_error_in_the_catalogue_is_reported_in_the_catalogue(tmp_path: Path) -> None:
    old = 'physical_life_years: {value: 6, note: "estimate: Hopper'
    catalog_text = replace_once(CATALOG_TEXT, old, old.replace("value: 6", "value: -6"))
    path = write_model(tmp_path, META_TEXT, catalog_text)
    problem = only_problem(path)
    assert problem.file.resolve() == (tmp_path / "catalog" / "gpus.yaml").resolve()
    assert (problem.line, problem.column) == where(catalog_text, "value: -6", "physical_life_years")
    assert problem.path == "generations.H100.physical_life_years"
    assert "greater than or equal to 0.25" in problem.message


def test_typo_in_the_catalogue_is_reported_in_the_catalogue(tmp_path: Path) -> None:
    catalog_text = replace_once(CATALOG_TEXT, "    available_from: 2024Q3\n", "    availabel_from: 2024Q3\n")
    path = write_model(tmp_path, META_TEXT, catalog_text)
    problems = problems_of(path)
    assert all(p.file.resolve() == (tmp_path / "catalog" / "gpus.yaml").resolve() for p in problems)
    typo = [p for p in problems if p.path == "generations.H200.availabel_from"]
    assert len(typo) == 1, "\n".join(map(str, problems))
    assert (typo[0].line, typo[0].column) == where(catalog_text, "availabel_from", "availabel_from")
    assert "did you mean 'available_from'" in typo[0].message


def test_yaml_syntax_error_in_the_catalogue(tmp_path: Path) -> None:
    catalog_text = replace_once(
        CATALOG_TEXT,
        '    cost_change_per_year: {value: -0.10, note: "estimate"}\n',
        '    cost_change_per_year: {value: -0.10, note: "estimate"\n',
    )
    path = write_model(tmp_path, META_TEXT, catalog_text)
    problem = only_problem(path)
    assert problem.file.resolve() == (tmp_path / "catalog" / "gpus.yaml").resolve()
    broken_line, _ = where(catalog_text, 'cost_change_per_year: {value: -0.10, note: "estimate"', occurrence=1)
    assert problem.line >= broken_line and problem.line <= broken_line + 1
    assert "YAML" in problem.message


def test_load_catalog_reports_with_its_own_paths(tmp_path: Path) -> None:
    old = 'physical_life_years: {value: 6, note: "estimate: Hopper'
    catalog_text = replace_once(CATALOG_TEXT, old, old.replace("value: 6", "value: -6"))
    file = tmp_path / "gpus.yaml"
    file.write_text(catalog_text, encoding="utf-8")
    with pytest.raises(ModelError) as caught:
        load_catalog(file)
    (problem,) = caught.value.problems
    assert problem.file == file
    assert problem.path == "generations.H100.physical_life_years"
    assert (problem.line, problem.column) == where(catalog_text, "value: -6", "physical_life_years")


def test_load_catalog_accepts_the_shipped_catalogue() -> None:
    catalog = load_catalog(CATALOG)
    nvidia = ["H100", "H200", "B200", "GB200", "GB300", "Rubin"]
    custom = ["TPU_v5p", "TPU_v6e", "TPU_v7", "Trainium2", "Trainium3", "MTIA_v2"]
    assert list(catalog.generations) == nvidia + custom
    assert catalog.generations["H200"].available_from == 2024.5  # 2024Q3: half-way through 2024


def test_catalogue_header_is_checked_when_loading_a_model(tmp_path: Path) -> None:
    catalog_text = replace_once(CATALOG_TEXT, "kind: gpu_catalog\n", "kind: gpu_catalogue\n")
    path = write_model(tmp_path, META_TEXT, catalog_text)
    problem = only_problem(path)
    assert problem.file.resolve() == (tmp_path / "catalog" / "gpus.yaml").resolve()
    assert problem.line == where(catalog_text, "kind: gpu_catalogue")[0]


def test_missing_catalogue_is_a_model_error(tmp_path: Path) -> None:
    text = replace_once(META_TEXT, "gpu_catalog: catalog/gpus.yaml", "gpu_catalog: catalog/nothere.yaml")
    path = write_model(tmp_path, text)
    problem = only_problem(path)
    assert "nothere.yaml" in str(problem)
    assert "cannot read" in problem.message or "not found" in problem.message or "No such file" in problem.message


# --------------------------------------------------------------------------- hostile input


def _billion_laughs() -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    names = "abcdefghij"
    for previous, name in zip(names, names[1:], strict=False):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]")
    return "\n".join(lines) + "\n"  # 10**10 "lol"s once expanded


def _numeric(value: str) -> str:
    return replace_once(META_TEXT, "total: {value: 39.23,", f"total: {{value: {value},")


HUGE_INTEGER = "1" + "0" * 499  # 500 digits

HOSTILE: dict[str, tuple[str | bytes, str]] = {
    # name: (file content, regex the message must match)
    "billion-laughs": (_billion_laughs(), r"refused|alias|too many|more than"),
    "random-bytes": (random.Random(1).randbytes(4096) + b"\x00\xff\xfe", r"UTF-8|binary"),
    "invalid-utf8": (b"schema_version: 1\ncompany:\n  name: \xff\xfe\n", r"UTF-8|binary"),
    "nul-byte": (b"schema_version: 1\x00\n", r"NUL|binary"),
    "float-overflow-1e400": (_numeric("1.0e+400"), r"finite|too large|less than"),
    "float-overflow-bare-1e400": (_numeric("1e400"), r"finite|too large|less than|valid number"),
    "500-digit-integer": (_numeric(HUGE_INTEGER), r"finite|too large|less than|valid number"),
    "nan": (_numeric(".nan"), r"finite|NaN|nan"),
    "infinity": (_numeric(".inf"), r"finite|inf|less than"),
    "python-name-tag": (
        replace_once(META_TEXT, "  ticker: META", "  ticker: !!python/name:os.system"),
        r"python/name",
    ),
    "empty-file": ("", r"empty|document"),
    "only-comments": ("# nothing here\n", r"empty|document"),
    "two-documents": (META_TEXT + "---\nschema_version: 1\n", r"one YAML document|document"),
    "top-level-list": ("- schema_version: 1\n- company: x\n", r"top level.*mapping|mapping"),
    "top-level-scalar": ("just some words\n", r"top level.*mapping|mapping"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_input_is_refused_quickly_with_a_model_error(tmp_path: Path, name: str) -> None:
    content, pattern = HOSTILE[name]
    path = tmp_path / "hostile.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "gpus.yaml").write_text(CATALOG_TEXT, encoding="utf-8")
    started = time.perf_counter()
    with deadline(3 * FAST), pytest.raises(ModelError) as caught:
        load_model(path)
    elapsed = time.perf_counter() - started
    assert elapsed < FAST, f"{name} took {elapsed:.2f}s"
    problems = caught.value.problems
    assert problems, "a ModelError must say what is wrong"
    assert all(problem.file == path for problem in problems)
    assert any(re.search(pattern, problem.message, re.IGNORECASE) for problem in problems), "\n".join(
        map(str, problems)
    )


@pytest.mark.parametrize("value", ["1.0e+400", "1e400", HUGE_INTEGER, ".nan", ".inf"])
def test_hostile_number_is_located_at_its_field(tmp_path: Path, value: str) -> None:
    text = _numeric(value)
    path = write_model(tmp_path, text)
    problem = only_problem(path)
    assert problem.path == "capex.by_period.2024.total"
    assert (problem.line, problem.column) == where(text, f"total: {{value: {value},", "total")


DEEP_NESTING = {
    "100000-brackets": "[" * 100_000,
    "under-a-key": "a: " + "[" * 100_000 + "]" * 100_000 + "\n",
}


@pytest.mark.parametrize("name", list(DEEP_NESTING))
def test_deep_nesting_is_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(DEEP_NESTING[name], encoding="utf-8")
    with deadline(3 * FAST), pytest.raises(ModelError) as caught:
        load_model(path)
    (problem,) = caught.value.problems
    assert re.search(r"nest|deep", problem.message), str(problem)


def test_deep_nesting_is_refused_well_under_a_second(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(DEEP_NESTING["100000-brackets"], encoding="utf-8")
    started = time.perf_counter()
    with deadline(3 * FAST), pytest.raises(ModelError):
        load_model(path)
    assert time.perf_counter() - started < WELL_UNDER_A_SECOND


def test_many_values_under_the_size_limit_are_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "many.yaml"
    path.write_text("a: [" + ",".join(["0"] * 495_000) + "]\n", encoding="utf-8")
    assert path.stat().st_size < 1_000_000
    with deadline(FAST), pytest.raises(ModelError):
        load_model(path)


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    from finmodel.loading import MAX_FILE_BYTES

    path = tmp_path / "big.yaml"
    size = MAX_FILE_BYTES + 1
    path.write_bytes(b"a: 1\n" + b"#" * (size - 6) + b"\n")
    assert path.stat().st_size == size
    started = time.perf_counter()
    with deadline(3 * FAST), pytest.raises(ModelError) as caught:
        load_model(path)
    assert time.perf_counter() - started < FAST
    (problem,) = caught.value.problems
    assert f"{size:,}" in problem.message and "limit" in problem.message


def test_a_python_tag_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    text = _numeric(f'!!python/object/apply:os.system ["touch {marker}"]')
    path = write_model(tmp_path, text)
    with pytest.raises(ModelError):
        load_model(path)
    assert not marker.exists()


@pytest.mark.parametrize(
    "old, new",
    [
        ("company:\n", "company: !!python/object:finmodel.schema.Company\n"),
        ("total: {value: 39.23,", 'total: {value: !!python/object/apply:os.system ["true"],'),
    ],
    ids=["on-a-mapping", "on-a-sequence"],
)
def test_a_python_object_tag_is_refused_by_name(tmp_path: Path, old: str, new: str) -> None:
    text = replace_once(META_TEXT, old, new)
    path = write_model(tmp_path, text)
    problems = problems_of(path)
    assert any("python/object" in problem.message for problem in problems), "\n".join(map(str, problems))


def test_integer_beyond_pythons_digit_limit_is_a_model_error(tmp_path: Path) -> None:
    text = _numeric("1" + "0" * 4999)
    path = write_model(tmp_path, text)
    problem = only_problem(path)
    assert problem.path == "capex.by_period.2024.total"


def test_binary_tag_is_refused(tmp_path: Path) -> None:
    text = replace_once(META_TEXT, "  ticker: META", "  ticker: !!binary aGVsbG8=")
    path = write_model(tmp_path, text)
    problems = problems_of(path)
    assert {p.path for p in problems} == {"company.ticker"}
    assert any("binary" in p.message for p in problems)
    assert all(p.line == where(text, "!!binary")[0] for p in problems)


# --------------------------------------------------------------------------- provenance


@pytest.fixture(scope="module")
def meta() -> finmodel.CompanyModel:
    return load_model(META)


def test_meta_yaml_loads(meta: finmodel.CompanyModel) -> None:
    assert meta.company.ticker == "META"
    assert meta.capex.by_period["2024"].total == 39.23
    assert meta.leasing.utilisation == 0.75
    # 2025-01-01 is the very start of 2025
    assert meta.asset_classes["servers"].life_changes[2].effective == 2025.0
    assert list(meta.scenarios) == ["bear", "bull", "demand_shortfall", "tight"]


def test_figure_source(meta: finmodel.CompanyModel) -> None:
    assert "Q4'24" in meta.source_of("capex.by_period.2024.total").source
    assert "Q4'25" in meta.source_of("capex.by_period.2025.total").source
    assert meta.source_of("capex.by_period.2025.ai_share").note == "estimate"


def test_block_source_applies_to_figures_without_their_own(meta: finmodel.CompanyModel) -> None:
    # 2027's gpu_mix has no provenance and neither has the 2027 block: the capex block's source applies
    capex_source = "public-figures §1: Meta CapEx including finance leases"  # meta.yaml, capex: source
    assert meta.source_of("capex.by_period.2027.gpu_mix").source == capex_source
    # allocation rule 1 (the second) has a block-level source
    assert meta.source_of("allocation.1.by_age.0.training").source.startswith("Bloomberg, Jul 1 2026")
    # bare catalogue price under a rental_price block with a source
    assert "price path was a V" in meta.source_of("gpus.H100.rental_price.spot.points.2026-03").source


def test_catalogue_figures_keep_their_source(meta: finmodel.CompanyModel) -> None:
    assert "§8.1" in meta.source_of("gpus.H100.cost_per_accelerator_usd").source
    assert "one-year contract trough" in meta.source_of("gpus.H100.rental_price.contract.points.2025-10").source
    assert "Q3 2026" in meta.source_of("gpus.Rubin.available_from").source


def test_path_without_any_provenance(meta: finmodel.CompanyModel) -> None:
    provenance = meta.source_of("company.ticker")
    assert provenance.source is None and provenance.note is None


def test_figure_with_a_non_string_source_is_a_problem(tmp_path: Path) -> None:
    old = 'total: {value: 39.23, source: "Meta Q4\'24 release (Jan 29 2025), incl. finance leases [primary]"}'
    text = replace_once(META_TEXT, old, "total: {value: 39.23, source: 2024}")
    path = write_model(tmp_path, text)
    problem = only_problem(path)
    assert problem.line == where(text, "source: 2024}")[0]


# --------------------------------------------------------------------------- scenarios


def test_scenario_changes_the_overridden_fields_and_nothing_else(meta: finmodel.CompanyModel) -> None:
    bear = with_scenario(meta, "bear")
    expected = meta.model_dump(mode="json", exclude={"scenarios"})
    # meta.yaml's bear scenario, by hand
    expected["leasing"]["utilisation"] = 0.55
    kept = [
        {**change, "source": None} for change in expected["asset_classes"]["servers"]["life_changes"][:2]
    ]  # the 2022 changes, without the 2025 one
    for name in ("servers", "network", "other_servers_network"):
        expected["asset_classes"][name]["life_changes"] = kept
    assert bear.model_dump(mode="json", exclude={"scenarios"}) == expected
    assert bear.scenario_name == "bear"
    assert meta.leasing.utilisation == 0.75  # the base model is untouched
    assert meta.scenario_name is None
    assert with_scenario(meta, None) is meta


def test_scenario_override_has_the_scenarios_provenance(meta: finmodel.CompanyModel) -> None:
    bull = with_scenario(meta, "bull")
    assert bull.leasing.utilisation == 0.9 and bull.leasing.price_tiers["one_year"].share == 0.85
    provenance = bull.source_of("leasing.utilisation")
    assert "bull" in (provenance.source or "")
    assert provenance.note == "upside case of ours"
    # figures not overridden keep theirs
    assert "Q4'24" in bull.source_of("capex.by_period.2024.total").source


def test_unknown_scenario(meta: finmodel.CompanyModel) -> None:
    with pytest.raises(ScenarioError, match="nosuch") as caught:
        with_scenario(meta, "nosuch")
    assert "bear" in str(caught.value) and "bull" in str(caught.value)
    assert isinstance(caught.value, finmodel.FinmodelError)


def test_invalid_scenario_override_is_located_at_the_override(tmp_path: Path) -> None:
    text = replace_once(META_TEXT, "      leasing.utilisation: 0.55\n", "      leasing.utilisation: 1.5\n")
    path = write_model(tmp_path, text)
    problem = only_problem(path)
    assert (problem.line, problem.column) == where(text, "leasing.utilisation: 1.5", "leasing.utilisation")
    assert problem.path.startswith("scenarios.bear")
    assert "bear" in problem.message and "leasing.utilisation" in problem.message
    assert "less than or equal to 1" in problem.message


def test_typo_in_a_scenario_override_path(tmp_path: Path) -> None:
    typo = ("      leasing.tiers.one_year.share: 0.85\n", "      leasing.tiers.one_yaer.share: 0.85\n")
    text = replace_once(META_TEXT, *typo)
    path = write_model(tmp_path, text)
    problem = only_problem(path)
    assert (problem.line, problem.column) == where(text, "leasing.tiers.one_yaer.share:", "leasing")
    assert "did you mean 'one_year'" in problem.message


def test_scenario_cannot_override_the_schema_version(tmp_path: Path) -> None:
    text = replace_once(META_TEXT, "      leasing.utilisation: 0.55\n", "      schema_version: 1\n")
    path = write_model(tmp_path, text)
    problem = only_problem(path)
    assert problem.line == where(text, "      schema_version: 1")[0]


BULL_LAST_OVERRIDE = "      leasing.tiers.spot.share: 0.15\n"


def test_override_inside_a_list_field_is_applied(tmp_path: Path) -> None:
    override = "      asset_classes.servers.life_changes.0.useful_life_years: 6\n"
    text = replace_once(META_TEXT, BULL_LAST_OVERRIDE, BULL_LAST_OVERRIDE + override)
    model = load_model(write_model(tmp_path, text))
    assert with_scenario(model, "bull").asset_classes["servers"].life_changes[0].useful_life_years == 6


@pytest.mark.parametrize(
    "override",
    ["allocation.0.by_age.0.leasing: 0.5", "leasing.utilisation.foo: 0.5"],
    ids=["through-a-tuple", "through-a-number"],
)
def test_override_that_cannot_be_applied_is_a_problem(tmp_path: Path, override: str) -> None:
    text = replace_once(META_TEXT, BULL_LAST_OVERRIDE, BULL_LAST_OVERRIDE + f"      {override}\n")
    path = write_model(tmp_path, text)
    problem = only_problem(path)
    assert problem.line == where(text, override)[0]


# --------------------------------------------------------------------------- points in time


@pytest.mark.parametrize(
    "value, expected",
    [
        (2025, 2025.0),
        ("2025", 2025.0),
        (2025.0, 2025.0),
        ("2025Q1", 2025.0),
        ("2025Q3", 2025.5),  # two quarters gone: 2/4
        ("2025q4", 2025.75),
        ("2025-07", 2025.5),  # six months gone: 6/12
        ("2025-01", 2025.0),
        ("2025-10", 2025.75),  # nine months gone: 9/12
        ("FY2027", 2027.0),
        # Jan 31 + Feb 28 + Mar 31 + Apr 30 + May 31 + Jun 30 = 181 days, so Jul 2 is 182 days in, of 365
        (dt.date(2025, 7, 2), 2025 + 182 / 365),
        (dt.datetime(2025, 7, 2, 18, 30), 2025 + 182 / 365),
        # 2024 is a leap year: Feb has 29 days, so Jul 2 is 183 days in, of 366
        (dt.date(2024, 7, 2), 2024 + 183 / 366),
        (dt.date(2025, 1, 1), 2025.0),
        ("2025-07-02", 2025 + 182 / 365),
    ],
)
def test_parse_point_in_time(value: object, expected: float) -> None:
    assert parse_point_in_time(value) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    "value",
    ["soon", "", "2025Q5", "2025Q0", "2025-13", "2025-00", "2025-02-30", "Q3 2025", "20255"]
    + [1989, 2101, True, None, [2025]],
)
def test_parse_point_in_time_refuses_garbage(value: object) -> None:
    with pytest.raises(ValueError):
        parse_point_in_time(value)


# --------------------------------------------------------------------------- what may be read


def test_a_fifo_as_the_model_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    path = tmp_path / "model.yaml"
    os.mkfifo(path)
    with deadline(FAST), pytest.raises(ModelError) as caught:
        load_model(path)
    (problem,) = caught.value.problems
    assert problem.file == path and "not a regular file" in problem.message


def test_a_device_as_the_model_is_refused() -> None:
    with deadline(FAST), pytest.raises(ModelError) as caught:
        load_model("/dev/zero")
    (problem,) = caught.value.problems
    assert "not a regular file" in problem.message


def catalogue_at(tmp_path: Path, yaml_text: str) -> tuple[Path, str, tuple[int, int]]:
    """meta.yaml with ``gpu_catalog: <yaml_text>``, and where that line's key is."""
    text = replace_once(META_TEXT, "gpu_catalog: catalog/gpus.yaml", f"gpu_catalog: {yaml_text}")
    return write_model(tmp_path, text), text, where(text, "gpu_catalog:")


UNUSABLE_CATALOGUE_PATHS = {
    "nul": ('"catalog/gp\\0us.yaml"', r"null|NUL"),
    "300-character-name": ("catalog/" + "g" * 300 + ".yaml", r"too long"),
    "symlink-loop": ("catalog/loop.yaml", r"loop|symbolic links"),
    "fifo": ("catalog/fifo.yaml", r"not a regular file"),
    "folder": ("catalog", r"not a regular file"),
}


@pytest.mark.parametrize("name", list(UNUSABLE_CATALOGUE_PATHS))
def test_an_unusable_catalogue_path_is_located_at_gpu_catalog(tmp_path: Path, name: str) -> None:
    yaml_text, pattern = UNUSABLE_CATALOGUE_PATHS[name]
    path, _, (line, column) = catalogue_at(tmp_path, yaml_text)
    (tmp_path / "catalog" / "loop.yaml").symlink_to(tmp_path / "catalog" / "loop.yaml")
    os.mkfifo(tmp_path / "catalog" / "fifo.yaml")
    with deadline(FAST):
        problem = only_problem(path)
    assert (problem.file, problem.line, problem.column, problem.path) == (path, line, column, "gpu_catalog")
    assert re.search(pattern, problem.message, re.IGNORECASE), problem.message


SECRET = "aws_secret_access_key: wJalrXUtnFEMI\nschema_version: 1\n"


@pytest.mark.parametrize("outside", ["absolute", "parent"])
def test_a_catalogue_outside_the_models_folder_is_refused_unless_allowed(tmp_path: Path, outside: str) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "gpus.yaml").write_text(CATALOG_TEXT, encoding="utf-8")
    (shared / "secret.yaml").write_text(SECRET, encoding="utf-8")
    models = tmp_path / "models"
    models.mkdir()
    for catalogue in ("gpus.yaml", "secret.yaml"):
        target = str(shared / catalogue) if outside == "absolute" else f"../shared/{catalogue}"
        path, _, (line, column) = catalogue_at(models, target)
        problem = only_problem(path)
        assert (problem.file, problem.line, problem.column, problem.path) == (path, line, column, "gpu_catalog")
        assert "outside" in problem.message and "allow" in problem.message
        assert "aws" not in problem.message and "wJalr" not in problem.message
    path, _, _ = catalogue_at(models, str(shared / "gpus.yaml") if outside == "absolute" else "../shared/gpus.yaml")
    assert load_model(path, allow_paths=[shared]).company.ticker == "META"
    assert load_model(path, allow_paths=[tmp_path]).company.ticker == "META"


def test_a_catalogue_reached_through_a_symlink_to_outside_is_refused(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "gpus.yaml").write_text(CATALOG_TEXT, encoding="utf-8")
    models = tmp_path / "models"
    models.mkdir()
    (models / "catalog").symlink_to(tmp_path / "shared")
    path = models / "meta.yaml"
    path.write_text(META_TEXT, encoding="utf-8")
    assert "outside" in only_problem(path).message
    assert load_model(path, allow_paths=[tmp_path / "shared"]).company.ticker == "META"


def test_a_file_that_is_not_a_catalogue_is_refused_without_echoing_it(tmp_path: Path) -> None:
    path, _, _ = catalogue_at(tmp_path, "catalog/secret.yaml")
    (tmp_path / "catalog" / "secret.yaml").write_text(SECRET + "aws_secret_access_key: again\n", encoding="utf-8")
    problem = only_problem(path)
    assert problem.file == tmp_path / "catalog" / "secret.yaml"
    assert "not a GPU catalogue" in problem.message
    assert "aws" not in problem.message and "wJalr" not in problem.message


def test_the_cli_allows_a_catalogue_folder_with_allow_path(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "gpus.yaml").write_text(CATALOG_TEXT, encoding="utf-8")
    (tmp_path / "models").mkdir()
    path, _, (line, column) = catalogue_at(tmp_path / "models", "../shared/gpus.yaml")
    refused = run_cli("validate", str(path), cwd=tmp_path)
    assert refused.returncode == 1
    assert f"{path}:{line}:{column}: gpu_catalog: refused" in refused.stderr
    allowed = run_cli("validate", str(path), "--allow-path", str(tmp_path / "shared"), cwd=tmp_path)
    assert allowed.returncode == 0, allowed.stderr


# --------------------------------------------------------------------------- scenario names

BAD_SCENARIO_NAMES = {
    # YAML key as written: why the workbook's selector list (or a formula) cannot hold it
    '"bear/case"': r"'/'",
    '"bear\\"s"': "'\"'",
    '"bear\'s"': r"\"'\"",
    '"[bear]"': r"'\['",
    '"bear*"': r"'\*'",
    '"bear?"': r"'\?'",
    '"bear: slow"': "':'",
    '"bear\\\\x"': r"'\\\\'",
    '"bear,bull"': "','",
    '"bear\\a"': r"'\\x07'",
    '"bear\\u0085"': r"'\\x85'",
    '"=bear"': "start with '='",
    '"+bear"': "start with '\\+'",
    '"-bear"': "start with '-'",
    '"@bear"': "start with '@'",
    "b" * 32: "at most 31 characters",
    "base": "'base' names the model as written",
    "BASE": "'base' names the model as written",
}


@pytest.mark.parametrize("yaml_key", list(BAD_SCENARIO_NAMES))
def test_a_scenario_name_the_workbook_cannot_offer_is_refused_at_its_line(tmp_path: Path, yaml_key: str) -> None:
    text = replace_once(META_TEXT, "\n  bear:\n", f"\n  {yaml_key}:\n")
    path = write_model(tmp_path, text)
    problem = only_problem(path)
    assert (problem.line, problem.column) == where(text, f"  {yaml_key}:", yaml_key)
    assert problem.path.startswith("scenarios.") and problem.path.count(".") >= 1
    assert re.search(BAD_SCENARIO_NAMES[yaml_key], problem.message), problem.message


def test_scenario_names_that_differ_only_in_case_are_refused(tmp_path: Path) -> None:
    text = replace_once(META_TEXT, "\n  bull:\n", "\n  Bear:\n")
    path = write_model(tmp_path, text)
    problem = only_problem(path)
    assert (problem.path, problem.line, problem.column) == ("scenarios.Bear", *where(text, "  Bear:", "Bear"))
    assert "'bear'" in problem.message and "case" in problem.message


def test_scenario_names_that_overflow_the_selector_list_are_refused(tmp_path: Path) -> None:
    # "base,bear,bull" and 9 more names of 31 characters, each after a comma: 14 + 9 x 32 = 302, over Excel's 255.
    names = [f"scenario_{index}_" + "x" * 20 for index in range(9)]
    extra = "".join(f"  {name}:\n    overrides:\n      leasing.utilisation: 0.6\n" for name in names)
    text = replace_once(META_TEXT, "\nscenarios:\n", "\nscenarios:\n" + extra)
    path = write_model(tmp_path, text)
    problem = only_problem(path)
    assert (problem.path, problem.line) == ("scenarios", where(text, "scenarios:")[0])
    assert "255" in problem.message


# --------------------------------------------------------------------------- every problem at once

RUBINN = ("gpu_mix: {Rubin: 0.95,", "gpu_mix: {Rubinn: 0.95,")
H20 = ("    generations: [H100, H200, B200]\n", "    generations: [H100, H20, B200]\n")


@pytest.mark.parametrize("typo", [RUBINN, H20], ids=["in-gpu_mix", "in-allocation-generations"])
def test_a_typod_generation_is_reported_with_a_share_that_does_not_sum(tmp_path: Path, typo: tuple[str, str]) -> None:
    text = replace_once(replace_once(META_TEXT, *MIX_1_2), *typo)
    path = write_model(tmp_path, text)
    problems = problems_of(path)
    found = {(p.path, p.line, p.column): p.message for p in problems}
    name, close = ("Rubinn", "Rubin") if typo is RUBINN else ("H20", "H200")
    typo_at = (
        ("capex.by_period.2028.gpu_mix.Rubinn", *where(text, "{Rubinn: 0.95,", "Rubinn"))
        if typo is RUBINN
        else ("allocation.1.generations.1", *where(text, "[H100, H20, B200]", "H20"))
    )
    sum_at = ("capex.by_period.2024.gpu_mix", *where(text, "H200: 0.40,", "gpu_mix"))
    assert set(found) == {sum_at, typo_at}, "\n".join(map(str, problems))
    assert "sum to 1.2" in found[sum_at]
    assert found[typo_at] == f"unknown GPU generation {name!r}; did you mean {close!r}?"


@pytest.mark.parametrize(
    "old, new, at",
    [
        ("gpu_mix: {H100: 0.75, H200: 0.20,", "gpu_mix: {H100: 0.75, H200: 1.20,", "capex.by_period.2024.gpu_mix.H200"),
        ("gpu_mix: {H100: 0.75, H200: 0.20,", "gpu_mix: {H100: 0.75, H200: lots,", "capex.by_period.2024.gpu_mix.H200"),
        ("asset_mix: {servers: 0.48,", "asset_mix: {servers: -0.48,", "capex.by_period.2024.asset_mix.servers"),
        ("{min_age_years: 0, training: 0.70,", "{min_age_years: 0, training: 1.70,", "allocation.0.by_age.0.training"),
    ],
    ids=["share-above-one", "share-not-a-number", "negative-share", "age-band-share"],
)
def test_a_bad_share_is_the_only_problem_reported(tmp_path: Path, old: str, new: str, at: str) -> None:
    path = write_model(tmp_path, replace_once(META_TEXT, old, new))
    assert only_problem(path).path == at


def test_did_you_mean_ignores_case_and_prefers_the_same_name_in_another_case(tmp_path: Path) -> None:
    text = replace_once(META_TEXT, "{H200: 0.28, B200: 0.19,", "{H200: 0.28, b200: 0.19,")
    text = replace_once(text, "  utilisation: {value: 0.75,", "  Utilisation: {value: 0.75,")
    problems = {p.path: p.message for p in problems_of(write_model(tmp_path, text))}
    assert problems == {
        "capex.by_period.2025.gpu_mix.b200": "unknown GPU generation 'b200'; did you mean 'B200'?",
        "leasing.Utilisation": "unknown key 'Utilisation'; did you mean 'utilisation'?",
    }


FACILITY = '  facility_cost_usd_per_kw_month: {value: 30, note: "estimate: operating cost'
ECONOMIC = '    economic_life_years: {value: 4, note: "estimate: the bear case'


def test_a_key_indented_under_the_wrong_block_says_where_it_belongs(tmp_path: Path) -> None:
    # facility_cost_usd_per_kw_month moved from running_costs up into internal
    line = next(row for row in META_TEXT.splitlines() if row.startswith(FACILITY))
    text = replace_once(META_TEXT, line + "\n", "")
    text = replace_once(text, "\ninternal:\n", f"\ninternal:\n{line}\n")
    problem = only_problem(write_model(tmp_path, text))  # and no "required field is missing" in running_costs
    assert (problem.path, problem.line, problem.column) == (
        "internal.facility_cost_usd_per_kw_month",
        *where(text, FACILITY, "facility_cost_usd_per_kw_month"),
    )
    assert problem.message == (
        "unknown key 'facility_cost_usd_per_kw_month' under 'internal'; "
        "is it indented wrongly? it belongs under 'running_costs'"
    )


def test_a_key_indented_too_deep_says_where_it_belongs_and_what_it_resembles(tmp_path: Path) -> None:
    # servers' economic_life_years indented into its first life change
    line = next(row for row in META_TEXT.splitlines() if row.startswith(ECONOMIC))
    text = replace_once(META_TEXT, line + "\n", "")
    change = next(row for row in text.splitlines() if "Meta Q4'24 release / FY25 10-K" in row)
    text = replace_once(text, change + "\n", f"{change}\n    {line}\n")
    problem = only_problem(write_model(tmp_path, text))
    assert problem.path == "asset_classes.servers.life_changes.2.economic_life_years"
    assert problem.message == (
        "unknown key 'economic_life_years' under 'asset_classes.servers.life_changes.2'; did you mean "
        "'useful_life_years', or is it indented wrongly? it belongs under 'asset_classes.servers'"
    )


@pytest.mark.parametrize("word", ["yes", "true", "on", "True"])
def test_a_yaml_boolean_is_not_a_number(tmp_path: Path, word: str) -> None:
    text = replace_once(META_TEXT, "  utilisation: {value: 0.75,", f"  utilisation: {{value: {word},")
    text = replace_once(text, "  fiscal_year_end_month: 12\n", f"  fiscal_year_end_month: {word}\n")
    problems = {p.path: p for p in problems_of(write_model(tmp_path, text))}
    assert set(problems) == {"leasing.utilisation", "timeline.fiscal_year_end_month"}
    assert "valid number" in problems["leasing.utilisation"].message
    assert "valid integer" in problems["timeline.fiscal_year_end_month"].message


def test_whole_numbers_are_still_numbers(tmp_path: Path) -> None:
    text = replace_once(META_TEXT, "  utilisation: {value: 0.85,", "  utilisation: {value: 1,")
    assert load_model(write_model(tmp_path, text)).internal.utilisation == 1.0


def test_dated_prices_out_of_order_are_refused_at_the_point(tmp_path: Path) -> None:
    prices = (
        "  prices:\n    H100:\n      contract:\n        points:\n"
        "          2024-05: 4.25\n          2025-10: 1.70\n          2025-06: 2.10\n          2026-03: 2.35\n"
    )
    text = replace_once(META_TEXT, "  prices:\n", prices)  # beside meta.yaml's own MTIA_v2 prices
    problem = only_problem(write_model(tmp_path, text))
    assert (problem.path, problem.line, problem.column) == (
        "leasing.prices.H100.contract.points.2025-06",
        *where(text, "          2025-06: 2.10", "2025-06"),
    )
    assert "chronological" in problem.message and "2025-10" in problem.message


def test_price_tiers_whose_shares_do_not_sum_to_one_are_refused_at_tiers(tmp_path: Path) -> None:
    # meta.yaml sells 0.6 on one-year contracts and 0.4 at spot; 0.6 + 0.3 = 0.9.
    text = replace_once(META_TEXT, "    spot: {share: 0.4,", "    spot: {share: 0.3,")
    problem = only_problem(write_model(tmp_path, text))
    assert (problem.path, problem.line, problem.column) == ("leasing.tiers", *where(text, "  tiers:", "tiers"))
    assert "sum to 0.9" in problem.message


def test_tiers_and_contracted_share_together_are_refused_at_contracted_share(tmp_path: Path) -> None:
    text = replace_once(META_TEXT, "\nleasing:\n", "\nleasing:\n  contracted_share: 0.6\n")
    problem = only_problem(write_model(tmp_path, text))
    assert (problem.path, problem.line, problem.column) == (
        "leasing.contracted_share",
        *where(text, "  contracted_share: 0.6", "contracted_share"),
    )
    assert "not both" in problem.message


# --------------------------------------------------------------------------- the builtin catalogue, internal optional


def test_load_catalog_reads_the_builtin_catalogue_which_is_the_repositorys() -> None:
    from finmodel.loading import builtin_catalog

    assert builtin_catalog().read_bytes() == CATALOG.read_bytes()  # one copy: the package maps models/catalog/
    assert load_catalog("builtin") == load_catalog(CATALOG)


def test_a_model_anywhere_may_name_the_builtin_catalogue(tmp_path: Path) -> None:
    text = replace_once(META_TEXT, "gpu_catalog: catalog/gpus.yaml", "gpu_catalog: builtin")
    path = tmp_path / "elsewhere" / "meta.yaml"  # no catalogue beside it, and no --allow-path
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    model = load_model(path)
    assert model.gpus == load_model(META).gpus
    assert model.source_of("gpus.H100.cost_per_accelerator_usd").source.startswith("public-figures §8.1")


def test_a_problem_in_the_builtin_catalogue_names_its_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from finmodel.loading import _load

    old = 'physical_life_years: {value: 6, note: "estimate: Hopper'
    catalog_text = replace_once(CATALOG_TEXT, old, old.replace("value: 6", "value: -6"))
    broken = tmp_path / "installed" / "gpus.yaml"
    broken.parent.mkdir()
    broken.write_text(catalog_text, encoding="utf-8")
    monkeypatch.setattr(_load, "builtin_catalog", lambda: broken)
    path = tmp_path / "model.yaml"
    path.write_text(replace_once(META_TEXT, "gpu_catalog: catalog/gpus.yaml", "gpu_catalog: builtin"), encoding="utf-8")
    problem = only_problem(path)
    assert problem.file == broken
    assert (problem.line, problem.column) == where(catalog_text, "value: -6", "physical_life_years")
    with pytest.raises(ModelError) as caught:
        load_catalog("builtin")
    assert [(p.file, p.line) for p in caught.value.problems] == [(broken, problem.line)]


def test_a_pure_lessor_leaves_out_the_internal_block(tmp_path: Path) -> None:
    coreweave = (REPO / "models" / "coreweave.yaml").read_text(encoding="utf-8")
    start = coreweave.index("\ninternal:\n")
    end = coreweave.index("\n\n", start + 1)
    path = write_model(tmp_path, coreweave[:start] + coreweave[end:])
    model = load_model(path)
    assert "internal" not in model.model_fields_set
    assert model.internal.utilisation == 0.0
    with_internal = write_model(tmp_path, coreweave, name="coreweave.yaml")
    assert finmodel.project(model).verdict == finmodel.project(load_model(with_internal)).verdict


def test_a_model_with_internal_use_must_give_the_internal_block(tmp_path: Path) -> None:
    start = META_TEXT.index("\ninternal:\n")
    end = META_TEXT.index("\n\n", start + 1)
    text = META_TEXT[:start] + META_TEXT[end:]
    problem = only_problem(write_model(tmp_path, text))
    assert problem.path == "internal"
    assert "internal use" in problem.message
