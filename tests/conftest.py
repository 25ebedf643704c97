"""Fixtures shared by every test directory: the oracle switch and a small model to vary."""

from __future__ import annotations

import copy
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import settings
from openpyxl.formula.tokenizer import Token, Tokenizer

from finmodel.schema import CompanyModel
from finmodel.verify import find_soffice


def _program(name: str, path: str | None) -> str:
    """An oracle's executable. Absent, its tests skip, unless FINMODEL_REQUIRE_ORACLES=1 (as in CI) fails them."""
    if path is None:
        if os.environ.get("FINMODEL_REQUIRE_ORACLES") == "1":
            pytest.fail(f"{name} not found, and FINMODEL_REQUIRE_ORACLES=1 requires it")
        pytest.skip(f"{name} not found; set FINMODEL_REQUIRE_ORACLES=1 to fail instead")
    return path


# Property tests draw the same examples on every run, here and in CI: a red run reproduces, a green one stays green.
settings.register_profile("finmodel", derandomize=True, database=None)
settings.load_profile("finmodel")


@pytest.fixture(scope="session")
def libreoffice() -> str:
    """The soffice executable, which recalculates exported workbooks."""
    return _program("LibreOffice (soffice)", find_soffice())


@pytest.fixture(scope="session")
def chromium() -> str:
    """Headless Chromium, which lays the memo out on screen and on paper."""
    found = (shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"))
    return _program("Chromium", next((path for path in found if path), None))


@pytest.fixture(scope="session")
def pdftotext() -> str:
    """Poppler's pdftotext, which reads back the text of each printed page."""
    return _program("pdftotext (poppler-utils)", shutil.which("pdftotext"))


@pytest.fixture(autouse=True)
def _oracle_available(request: pytest.FixtureRequest) -> None:
    """Give every test marked ``oracle`` its programs' skip-or-fail, so marking is enough:
    ``@pytest.mark.oracle`` needs LibreOffice; ``@pytest.mark.oracle("chromium", "pdftotext")`` names others."""
    marker = request.node.get_closest_marker("oracle")
    if marker is not None:
        for program in marker.args or ("libreoffice",):
            request.getfixturevalue(program)


def _base() -> dict[str, Any]:
    return {
        "schema_version": 1,
        "company": {"name": "Test Co", "ticker": "TEST", "money_unit": "units"},
        "timeline": {
            "start_year": 2024,
            "end_year": 2030,
            "frequency": "annual",
            "purchases_in_service": "start_of_period",
            # Hand-worked examples read the declared periods only; run-off has its own tests.
            "runoff_years": 0,
        },
        "gpus": {
            "X1": {
                "available_from": 2024,
                "cost_per_accelerator_usd": 40_000,
                "power_kw_per_accelerator": 1.0,
                "physical_life_years": 4,
            }
        },
        "capex": {
            "by_period": {
                "2024": {"total": 40_000_000, "ai_share": 1.0, "asset_mix": {"servers": 1.0}, "gpu_mix": {"X1": 1.0}},
                **{str(year): {"total": 0} for year in range(2025, 2031)},
            },
        },
        "asset_classes": {
            "servers": {"method": "straight_line", "useful_life_years": 4, "buys_accelerators": True},
        },
        "allocation": [{"by_age": [{"min_age_years": 0, "training": 0, "inference": 0, "leasing": 1}]}],
        "leasing": {
            "prices": {"X1": {"contract": {"launch_price_usd_per_hour": 3.0}}},
            "contracted_share": 1.0,
            "utilisation": 0.8,
        },
        "internal": {"utilisation": 0.9},
        "running_costs": {
            "power_usage_effectiveness": 1.2,
            "power_price_usd_per_kwh": 0.1,
            "load_factor": 1.0,
            "facility_cost_usd_per_kw_month": 100,
        },
        "financing": {"wacc": 0.1, "tax_rate": 0.2},
    }


def _changed(changes: dict[str, Any] | None) -> dict[str, Any]:
    data = copy.deepcopy(_base())
    for dotted, value in (changes or {}).items():
        _set(data, dotted, value)
    return data


def _set(data: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    for part in parts[:-1]:
        data = data.setdefault(part, {})
    data[parts[-1]] = value


def _excel_shape(text: str) -> tuple[int, int, int]:
    """A formula's length, the most arguments any of its functions takes and how deep its functions
    nest, read by openpyxl's tokenizer (independent of the engine's printer and of its own check)."""
    open_calls: list[int] = []
    widest = deepest = 0
    for token in Tokenizer(text).items:
        if token.type == Token.FUNC and token.subtype == Token.OPEN:
            open_calls.append(1)
            deepest = max(deepest, len(open_calls))
        elif token.type == Token.SEP and token.subtype == Token.ARG and open_calls:
            open_calls[-1] += 1
        elif token.type == Token.FUNC and token.subtype == Token.CLOSE:
            widest = max(widest, open_calls.pop())
    return len(text), widest, deepest


@pytest.fixture(scope="session")
def excel_shape() -> Callable[[str], tuple[int, int, int]]:
    """``excel_shape(formula)`` → (characters, most arguments of one function, depth of nested functions)."""
    return _excel_shape


@pytest.fixture
def make_model() -> Callable[..., CompanyModel]:
    """``make_model({"asset_classes.servers.method": "sum_of_years_digits"})`` → a validated model."""

    def make(changes: dict[str, Any] | None = None) -> CompanyModel:
        return CompanyModel.model_validate(_changed(changes))

    return make


@pytest.fixture
def make_model_file(tmp_path: Path) -> Callable[..., Path]:
    """``make_model_file({...}, "name.yaml")`` → the same small model, changed, as a YAML file in tmp_path."""

    def make(changes: dict[str, Any] | None = None, name: str = "model.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(_changed(changes), sort_keys=False), encoding="utf-8")
        return path

    return make
