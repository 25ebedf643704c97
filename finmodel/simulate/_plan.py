"""Which inputs each ``uncertainty:`` entry varies, and how a draw becomes their values.

An entry's key is an input name of the catalogue, or a pattern in which ``*`` stands for any run
of characters. A name that matches nothing, or an input that is structural (its value shapes the
graph), is a problem located at the entry's line: :func:`uncertainty_problems` lists them, and
``finmodel validate`` and ``build`` report them with every other problem of the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._errors import ModelError, Problem
from ..engine import InputSpec, inputs
from ..schema import AppliesAs, CompanyModel, Distribution, closest, rank_matrix

Array = np.ndarray


@dataclass(frozen=True)
class VariedInput:
    """One input a draw sets, and how."""

    spec: InputSpec
    applies_as: AppliesAs
    years: tuple[float, ...]
    """Years from the input's first column to each column (what ``annual_change`` compounds over)."""

    def values(self, drawn: Array) -> Array:
        """The input's values for draws ``drawn`` (one per draw): shape (draws, 1 or columns)."""
        base = np.asarray(self.spec.base)[None, :]
        if self.applies_as == "value":
            return drawn[:, None]
        if self.applies_as == "factor":
            return drawn[:, None] * base
        return base * (1.0 + drawn[:, None]) ** np.asarray(self.years)[None, :]


@dataclass(frozen=True)
class Entry:
    """One entry of ``uncertainty.inputs``: its distribution and the inputs one draw of it sets."""

    key: str
    distribution: Distribution
    varied: tuple[VariedInput, ...]


@dataclass(frozen=True)
class Plan:
    """Every entry, in the model's order, and the factor that correlates their normal scores."""

    entries: tuple[Entry, ...]
    rank_correlation: Array

    def inputs_for(self, drawn: Array) -> dict[str, Array]:
        """``project(inputs=...)`` for draws ``drawn`` (draws × entries)."""
        return {
            varied.spec.name: varied.values(drawn[:, index])
            for index, entry in enumerate(self.entries)
            for varied in entry.varied
        }


def plan_of(model: CompanyModel, scenario: str | None = None) -> Plan:
    """The plan of a model's ``uncertainty:`` block, factors applied to ``scenario``'s values;
    :class:`ModelError` with every problem located."""
    problems, entries = _matched(model, scenario)
    if problems:
        raise ModelError(problems)
    assert model.uncertainty is not None
    matrix = rank_matrix(model.uncertainty, [entry.key for entry in entries])
    return Plan(tuple(entries), matrix)


def uncertainty_problems(model: CompanyModel) -> list[Problem]:
    """Entries that name no input, or a structural one, or an input another entry sets already."""
    return _matched(model)[0]


def _matched(model: CompanyModel, scenario: str | None = None) -> tuple[list[Problem], list[Entry]]:
    if model.uncertainty is None:
        return [], []
    specs = inputs(model, scenario)
    names = [spec.name for spec in specs]
    period_years = model.timeline.period_years
    problems: list[Problem] = []
    entries: list[Entry] = []
    claimed: dict[str, str] = {}

    def problem(key: str, message: str) -> None:
        where, line, column = model.location_of(f"uncertainty.inputs.{key}") or ("", 1, 1)
        problems.append(Problem(Path(where), line, column, f"uncertainty.inputs.{key}", message))

    for key, distribution in model.uncertainty.inputs.items():
        pattern = re.compile(".*".join(re.escape(part) for part in key.split("*")))
        found = [spec for spec in specs if pattern.fullmatch(spec.name)]
        if not found:
            close = closest(key, names)
            hint = f"; did you mean {close!r}?" if close else ""
            problem(key, f"{key!r} is no input of this model{hint} (finmodel inputs MODEL lists them)")
            continue
        structural = [spec for spec in found if spec.structural]
        if structural:
            listed = "; ".join(f"{spec.name} ({spec.why_structural})" for spec in structural)
            problem(key, f"names structural inputs, which cannot vary by draw: {listed}; vary them with a scenario")
            continue
        twice = [spec.name for spec in found if spec.name in claimed]
        if twice:
            problem(key, f"{twice[0]} is varied already by the entry {claimed[twice[0]]!r}")
            continue
        varied = []
        for spec in found:
            claimed[spec.name] = key
            alone = "*" not in key and spec.axis == "scalar"
            applies_as = distribution.applies_as or ("value" if alone else "factor")
            if applies_as == "annual_change" and spec.axis == "scalar":
                problem(key, f"annual_change compounds along a path, and {spec.name} is a single value")
            years = _years(spec, period_years)
            varied.append(VariedInput(spec, applies_as, years))
        entries.append(Entry(key, distribution, tuple(varied)))
    return problems, entries


def _years(spec: InputSpec, period_years: float) -> tuple[float, ...]:
    if spec.axis == "period":
        return tuple(column * period_years for column in range(len(spec.columns)))
    if spec.axis == "age":
        return tuple(float(label) for label in spec.columns)
    return (0.0,)
