"""``finmodel validate --deep``: the invariants on a model, its scenarios and models around it.

A model that loads and projects can still hide a bug that only shows on other numbers; running
the invariants on perturbed copies (every bounded figure within ±30%, clipped to its declared
range) probes the engine near the user's own plan. Draws are seeded, so a run repeats exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .._build import validate
from .._errors import Problem
from ..engine import project
from ..loading import load_model
from ..schema import CompanyModel
from ._violation import Violation
from .invariants import RELATIONAL_INVARIANTS, check_all

DEFAULT_VARY = (
    "capex",
    "gpus",
    "asset_classes",
    "allocation",
    "leasing",
    "internal",
    "running_costs",
    "financing",
    "demand",
)
"""Every block with figures to vary (dates, years and names are never varied)."""


@dataclass(frozen=True)
class DeepOutcome:
    """What the deep check found in one model file: problems loading it, or violations (with the
    case each was found in: a scenario, or ``around #i``, the i-th perturbed copy)."""

    file: Path
    problems: tuple[Problem, ...] = ()
    error: str | None = None
    violations: tuple[Violation, ...] = ()
    scenarios: tuple[str, ...] = ()
    examples: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and self.error is None and not self.violations


def deep_validate(
    files: Sequence[Path], *, examples: int = 50, seed: int = 0, allow_paths: Sequence[Path] = ()
) -> list[DeepOutcome]:
    """Validate each file as ``finmodel validate`` does, then check the invariants on the model,
    its scenarios and ``examples`` seeded perturbations around it."""
    outcomes = []
    for outcome in validate(files, allow_paths=allow_paths).outcomes:
        if not outcome.ok:
            outcomes.append(DeepOutcome(outcome.file, outcome.problems, outcome.error))
            continue
        model = load_model(outcome.file, allow_paths=allow_paths)
        violations, drawn = deep_check(model, examples=examples, seed=seed)
        outcomes.append(
            DeepOutcome(outcome.file, violations=tuple(violations), scenarios=tuple(model.scenarios), examples=drawn)
        )
    return outcomes


def deep_check(
    model: CompanyModel, *, examples: int = 50, seed: int = 0, vary: Sequence[str] = DEFAULT_VARY
) -> tuple[list[Violation], int]:
    """Violations on the model, its scenarios and perturbed copies; and how many copies were drawn."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as seeded

    from ._perturb import around

    found = check_all(project(model))
    for name in model.scenarios:
        found.extend(check_all(project(model, name)))
    for invariant in RELATIONAL_INVARIANTS:
        found.extend(invariant(model))
    drawn: list[CompanyModel] = []

    @seeded(seed)
    @settings(
        max_examples=examples,
        phases=[Phase.generate],
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(around(model, vary))
    def perturbed(copy: CompanyModel) -> None:
        case = f"around #{len(drawn)}"
        drawn.append(copy)
        try:
            violations = check_all(project(copy))
        except Exception as error:  # a crash on a nearby model is a finding to report, not a reason to stop
            violations = [Violation("projects", "(model)", None, {}, f"{type(error).__name__}: {error}")]
        found.extend(Violation(v.invariant, v.line_item, v.period, v.values, v.message, case) for v in violations)

    if examples > 0:
        perturbed()
    return found, len(drawn)
