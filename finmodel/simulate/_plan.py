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

    def values(self, drawn: Array, current: Array | None) -> Array:
        """The input's values for draws ``drawn`` (one per draw), applied to ``current`` (what another
        entry made of it, else its base): shape (draws, 1 or columns)."""
        if self.applies_as == "value":
            return drawn[:, None]
        start = np.asarray(self.spec.base)[None, :] if current is None else current
        if self.applies_as == "factor":
            return start * drawn[:, None]
        return start * (1.0 + drawn[:, None]) ** np.asarray(self.years)[None, :]


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
        """``project(inputs=...)`` for draws ``drawn`` (draws × entries); factors on one input multiply."""
        values: dict[str, Array] = {}
        for index, entry in enumerate(self.entries):
            for varied in entry.varied:
                values[varied.spec.name] = varied.values(drawn[:, index], values.get(varied.spec.name))
        return values


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
    claimed: dict[str, tuple[str, AppliesAs]] = {}

    def problem(key: str, message: str) -> None:
        where, line, column = model.location_of(f"uncertainty.inputs.{key}") or ("", 1, 1)
        problems.append(Problem(Path(where), line, column, f"uncertainty.inputs.{key}", message))

    for key, distribution in model.uncertainty.inputs.items():
        found: dict[str, InputSpec] = {}
        for pattern in distribution.inputs or (key,):
            matcher = re.compile(".*".join(re.escape(part) for part in pattern.split("*")))
            matched = [spec for spec in specs if matcher.fullmatch(spec.name)]
            if not matched:
                close = closest(pattern, names)
                hint = f"; did you mean {close!r}?" if close else ""
                problem(key, f"{pattern!r} is no input of this model{hint} (finmodel inputs MODEL lists them)")
            found.update((spec.name, spec) for spec in matched)
        structural = [spec for spec in found.values() if spec.structural]
        if structural:
            listed = "; ".join(f"{spec.name}, from {spec.path} ({spec.why_structural})" for spec in structural)
            problem(key, f"names structural inputs, which cannot vary by draw: {listed}; vary them with a scenario")
            continue
        alone = len(found) == 1 and "*" not in key and not distribution.inputs
        varied = []
        for spec in found.values():
            applies_as = distribution.applies_as or ("value" if alone and spec.axis == "scalar" else "factor")
            if applies_as == "annual_change" and spec.axis == "scalar":
                problem(key, f"annual_change compounds along a path, and {spec.name} is a single value")
            earlier = claimed.setdefault(spec.name, (key, applies_as))
            if earlier[0] != key and "value" in (earlier[1], applies_as):
                problem(key, f"{spec.name} is set by the entry {earlier[0]!r} already (two entries can only multiply)")
            varied.append(VariedInput(spec, applies_as, _years(spec, period_years)))
        if found:
            entries.append(Entry(key, distribution, tuple(varied)))
    return problems, entries


def _years(spec: InputSpec, period_years: float) -> tuple[float, ...]:
    if spec.axis == "period":
        return tuple(column * period_years for column in range(len(spec.columns)))
    if spec.axis == "age":
        return tuple(float(label) for label in spec.columns)
    return (0.0,)
