"""Fuzz the loader and the build: thousands of mutated model files, each validated in-process.

Every mutant must end, within 10 s, either ok or with problems located in the file (or an error
against it) — never an unhandled exception — and a build never writes a number that is not
finite. Mutations are drawn from a seeded random (shipped and small models) and by hypothesis
(generated models), so a run repeats exactly.
"""

from __future__ import annotations

import copy
import json
import random
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finmodel import build, validate
from finmodel.testing._bounds import plain_data
from finmodel.testing.strategies import company_models

REPO = Path(__file__).resolve().parents[2]
SHIPPED = sorted((REPO / "models").glob("*.yaml"))
SECONDS = 60.0
"""A guard against a hang, far above a normal validate (about a second), so a loaded machine does not trip it."""
EXTREMES: list[Any] = [
    0, -0.0, -1, 1e308, -1e308, 2.2250738585072014e-308, 5e-324, 1e-300, 10**40, -(10**40),
    float("inf"), float("nan"), 0.999999999999, 1 - 1e-16, 2**63, 1.5, 1e13, 1e14, 40.0001,
]  # fmt: skip
TEXTS = [
    "",
    " ",
    "x" * 100_000,
    "é",
    "名前",
    "🚀",
    "\u202eRTL",
    "a\u0301",
    "=1+1",
    "2025Q5",
    "2025-13",
    "yes",
    "~",
    "null",
]
Mutation = Callable[[random.Random, Any], Any]


def _paths(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in nested data (mappings and lists), the root excluded."""
    found = []
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else []
    for key, value in items:
        found.append((*path, key))
        found.extend(_paths(value, (*path, key)))
    return found


def _at(data: Any, path: tuple[Any, ...]) -> tuple[Any, Any]:
    for key in path[:-1]:
        data = data[key]
    return data, path[-1]


def _delete(rng: random.Random, data: Any) -> None:
    parent, key = _at(data, rng.choice(_paths(data)))
    del parent[key]


def _retype(rng: random.Random, data: Any) -> None:
    parent, key = _at(data, rng.choice(_paths(data)))
    parent[key] = rng.choice([rng.choice(TEXTS), [parent[key]], {"value": parent[key]}, True, None, 7, {}, []])


def _extreme(rng: random.Random, data: Any) -> None:
    numbers = [path for path in _paths(data) if isinstance(_get(data, path), int | float)]
    parent, key = _at(data, rng.choice(numbers or _paths(data)))
    parent[key] = rng.choice(EXTREMES)


def _text(rng: random.Random, data: Any) -> None:
    parent, key = _at(data, rng.choice(_paths(data)))
    if isinstance(parent, dict) and rng.random() < 0.5:
        parent[rng.choice(TEXTS) or "k"] = parent.pop(key)  # a strange key
    else:
        parent[key] = rng.choice(TEXTS)


def _swap(rng: random.Random, data: Any) -> None:
    containers = [path for path in _paths(data) if isinstance(_get(data, path), dict | list)]
    parent, key = _at(data, rng.choice(containers or _paths(data)))
    value = parent[key]
    parent[key] = list(value.values()) if isinstance(value, dict) else {str(i): v for i, v in enumerate(value)}


def _graft(rng: random.Random, data: Any) -> None:
    """Copy one subtree over another (a block where a number belongs, and the reverse)."""
    paths = _paths(data)
    parent, key = _at(data, rng.choice(paths))
    parent[key] = copy.deepcopy(_get(data, rng.choice(paths)))


def _override(rng: random.Random, data: Any) -> None:
    """A scenario overriding a random path (existing or not) with a random value."""
    path = ".".join(str(part) for part in rng.choice(_paths(data)))
    value = rng.choice([*EXTREMES, *TEXTS[:4], [], {}, None])
    data["scenarios"] = {"fuzz": {"overrides": {path + rng.choice(["", "", ".x", ".0"]): value}}}


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        data = data[key]
    return data


DATA_MUTATIONS: list[Mutation] = [_delete, _retype, _extreme, _text, _swap, _graft, _override]


def _text_mutation(rng: random.Random, text: str) -> str:
    """Mutations that only text can carry: duplicate keys, deep nesting, broken syntax, odd bytes."""
    lines = text.splitlines()
    line = rng.randrange(len(lines))
    choice = rng.randrange(6)
    if choice == 0:
        lines.insert(line, lines[line])  # a duplicate key (or a repeated list item)
    elif choice == 1:
        depth = rng.choice([50, 199, 201, 5000])
        lines.append("deep: " + "[" * depth + "]" * depth)
    elif choice == 2:
        lines.append("nested:" + "".join("\n" + "  " * (i + 1) + f"k{i}:" for i in range(rng.choice([50, 250]))) + " 1")
    elif choice == 3:
        lines[line] = lines[line][: rng.randrange(len(lines[line]) + 1)] + rng.choice(
            ["{", "[", ":", "'", "&a", "*a", "!!python/object:os.system", "\t"]
        )
    elif choice == 4:
        lines.insert(line, "anchor: &a [" + ", ".join(["*a"] * 3) + "]")
    else:
        lines[line] += rng.choice([" # 🚀", "\u00a0", "\ufeff", "\x1b[31m"])
    return "\n".join(lines) + "\n"


def _mutant(rng: random.Random, data: dict[str, Any], text: str) -> str:
    if rng.random() < 0.25:
        return _text_mutation(rng, text)
    mutated = copy.deepcopy(data)
    for _ in range(rng.choice([1, 1, 2, 3])):
        if not _paths(mutated):
            break
        rng.choice(DATA_MUTATIONS)(rng, mutated)
    return yaml.safe_dump(mutated, sort_keys=False, allow_unicode=rng.random() < 0.5, width=10**9)


class Workspace:
    """A folder holding a model file beside the shipped catalogue, rewritten for each mutant."""

    def __init__(self, folder: Path) -> None:
        self.model = folder / "model.yaml"
        self.catalog = folder / "catalog" / "gpus.yaml"
        shutil.copytree(REPO / "models" / "catalog", folder / "catalog")
        self.valid = 0

    def check(self, text: str, what: str) -> bool:
        """Validate ``text`` as a model file; fail the test on anything but ok or located problems."""
        self.model.write_text(text, encoding="utf-8", errors="surrogatepass")
        start = time.perf_counter()
        try:
            (outcome,) = validate([self.model]).outcomes
        except Exception as error:  # the fuzz's whole point: report any escape with the file that caused it
            pytest.fail(f"{what}: {type(error).__name__}: {error}\n--- model.yaml ---\n{text[:3000]}")
        elapsed = time.perf_counter() - start
        assert elapsed < SECONDS, f"{what}: validate took {elapsed:.1f}s\n{text[:3000]}"
        located = all(
            problem.file in (self.model, self.catalog.resolve(), self.catalog) for problem in outcome.problems
        )
        assert located, f"{what}: {[str(p) for p in outcome.problems]}"
        self.valid += outcome.ok
        return outcome.ok


def _written_numbers_are_finite(model: Path, out: Path) -> None:
    (outcome,) = build([model], out).outcomes
    if not outcome.ok:
        return
    json.loads((out / f"{model.stem}.json").read_text(), parse_constant=lambda name: pytest.fail(f"{name} in JSON"))
    for cell in (out / f"{model.stem}.csv").read_text().replace("\n", ",").split(","):
        assert cell.strip().lower() not in ("nan", "inf", "-inf"), cell


SMALL = {
    "schema_version": 1,
    "company": {"name": "Fuzz Co", "ticker": "FUZZ", "money_unit": "millions"},
    "timeline": {"start_year": 2024, "end_year": 2026},
    "gpu_catalog": "catalog/gpus.yaml",
    "capex": {
        "by_period": {"2024": {"total": 100, "ai_share": 1.0, "asset_mix": {"servers": 0.8, "buildings": 0.2},
                               "gpu_mix": {"H100": 1.0}}},
        "growth_per_year": {"2024": 0.1},
    },
    "asset_classes": {
        "servers": {"method": "declining_balance", "useful_life_years": 4, "buys_accelerators": True,
                    "life_changes": [{"effective": "2025-07", "useful_life_years": 5}]},
        "buildings": {"useful_life_years": 30},
    },
    "allocation": [{"by_age": [{"min_age_years": 0, "training": 0.5, "inference": 0.2, "leasing": 0.3}]}],
    "leasing": {"contracted_share": 0.5, "utilisation": 0.8},
    "internal": {"utilisation": 0.9},
    "running_costs": {"power_usage_effectiveness": 1.2, "power_price_usd_per_kwh": 0.08,
                      "facility_cost_usd_per_kw_month": 50},
    "financing": {"wacc": 0.09, "tax_rate": 0.2},
    "scenarios": {"bear": {"overrides": {"leasing.utilisation": 0.5}}},
}  # fmt: skip


@pytest.mark.parametrize(("name", "mutants"), [("small", 1800), *((path.stem, 60) for path in SHIPPED)])
def test_mutated_models_end_ok_or_with_located_problems(tmp_path, name, mutants):
    workspace = Workspace(tmp_path)
    text = yaml.safe_dump(SMALL, sort_keys=False) if name == "small" else (REPO / "models" / f"{name}.yaml").read_text()
    data = yaml.safe_load(text)
    rng = random.Random(f"finmodel fuzz {name}")
    assert workspace.check(text, f"{name} unmutated")
    built = 0
    for index in range(mutants):
        mutant = _mutant(rng, data, text)
        if workspace.check(mutant, f"{name} mutant {index}") and built < 3 and name == "small":
            built += 1
            _written_numbers_are_finite(workspace.model, tmp_path / "out")


@settings(max_examples=25, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(company_models(max_periods=3), st.randoms(use_true_random=False))
def test_mutated_generated_models_end_ok_or_with_located_problems(tmp_path_factory, model, rng):
    workspace = Workspace(tmp_path_factory.mktemp("fuzz"))
    data = plain_data(model)
    data = json.loads(json.dumps(data, default=str, allow_nan=False))  # enums as text: what a YAML file holds
    text = yaml.safe_dump(data, sort_keys=False)
    assert workspace.check(text, "generated")
    for index in range(20):
        workspace.check(_mutant(rng, data, text), f"generated mutant {index}")
