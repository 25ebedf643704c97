"""Levers: what a sensitivity moves, turned into values of the engine's inputs, one row per draw.

An *input* lever sets inputs of the catalogue directly: a price path carries with it the inputs
read off the same curve at other dates (same model field and unit: the cohort's prices by age,
prices on signing dates), so a factor on a price moves every reading of it alike. A *field* lever
sets model fields, as a scenario override does, and lets the engine resolve the model again: the
inputs that change become the draws' values. The model's structure must not change, since every
draw is evaluated on the base model's graph.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from .._errors import ModelError, Problem
from ..engine import InputSpec, Projection, row_shapes
from ..schema import CompanyModel, Lever, Scale, closest

Problems = list[tuple[str, str]]
"""``(dotted path in the model, message)`` of each problem found, located when they are reported."""
Arrays = dict[str, np.ndarray]
"""Input values by name, each ``(draws, columns)``."""


@dataclass(frozen=True)
class Moved:
    """A lever ready to move: what it is, its range, and how its values become input rows."""

    where: str
    """Where it is declared (``sensitivity.tornado.2``), or ``""`` for a default."""
    label: str
    unit: str
    """The unit of the lever's values: the input's or field's, ``x`` for a factor."""
    scale: Scale
    base: float
    """The lever's value that reproduces the base case: the base value, 1 for a factor, 0 for a shift."""
    low: float
    high: float
    kind: Literal["input", "field"]
    targets: tuple[str, ...]
    inputs_moved: tuple[str, ...]
    """Every input it moves, companions included (for a field: those that change at low or high)."""
    rows: Callable[[np.ndarray], Arrays] = field(repr=False, compare=False)
    """The input rows at an array of the lever's values (see :meth:`arrays`)."""
    show: str | None = None
    note: str | None = None
    source: str | None = None

    def arrays(self, values: Sequence[float] | np.ndarray) -> Arrays:
        """The inputs it moves at each of ``values``: one row per value."""
        return self.rows(np.asarray(values, dtype=float))


@dataclass
class Context:
    """What levers are resolved against: the model (a scenario applied), its inputs and base projection,
    and the field levers' resolutions so far, by ``(fields, scale, value)``."""

    model: CompanyModel
    specs: Sequence[InputSpec]
    base: Projection
    resolved: dict[tuple[tuple[str, ...], str, float], dict[str, tuple[float, ...]] | str] = field(default_factory=dict)
    _shapes: dict[str, str] | None = None

    def base_shapes(self) -> dict[str, str]:
        """The base graph's line items as text, to compare another graph with (computed once)."""
        if self._shapes is None:
            self._shapes = row_shapes(self.base.graph)
        return self._shapes


def input_lever(context: Context, lever: Lever, where: str, problems: Problems) -> Moved | None:
    """An input lever ready to move, or ``None`` with what is wrong added to ``problems``."""
    specs = context.specs
    by_name = {spec.name: spec for spec in specs}
    named: list[InputSpec] = []
    for position, name in enumerate(lever.names):
        at = f"{where}.input" + (f".{position}" if isinstance(lever.input, tuple) else "")
        spec = by_name.get(name)
        if spec is None:
            close = closest(name, by_name)
            hint = f"; did you mean {close!r}?" if close else " (finmodel inputs MODEL lists them)"
            problems.append((at, f"{name!r} is not an input of this model{hint}"))
        elif spec.structural:
            problems.append((at, f"{name!r} is structural ({spec.why_structural}): vary it with a scenario"))
        else:
            named.append(spec)
    if len(named) != len(lever.names):
        return None
    scale = lever.scale or ("value" if all(spec.axis == "scalar" for spec in named) else "factor")
    if scale == "value" and not _one_base(named, where, problems):
        return None
    moving = [*named, *(companion for spec in named for companion in _companions(spec, specs))]
    moving = list({spec.name: spec for spec in moving}.values())
    bases = {spec.name: np.asarray(spec.base, dtype=float) for spec in moving}

    def rows(values: np.ndarray) -> Arrays:
        column = values[:, None]
        if scale == "value":
            return {name: np.broadcast_to(column, (len(values), len(row))).copy() for name, row in bases.items()}
        if scale == "factor":
            return {name: row[None, :] * column for name, row in bases.items()}
        return {name: row[None, :] + column for name, row in bases.items()}

    first = named[0]
    more = f" and {len(named) - 1} more" if len(named) > 1 else ""
    return Moved(
        where=where,
        label=lever.label or f"{first.label}{more}",
        unit="x" if scale == "factor" else first.unit,
        scale=scale,
        base=first.base[0] if scale == "value" else (1.0 if scale == "factor" else 0.0),
        low=lever.low,
        high=lever.high,
        kind="input",
        targets=lever.names,
        inputs_moved=tuple(bases),
        show=lever.show,
        note=lever.note,
        source=lever.source,
        rows=rows,
    )


def _one_base(named: Sequence[InputSpec], where: str, problems: Problems) -> bool:
    """A value replaces the base, so the inputs must hold one value: the same in every column and input."""
    values = {value for spec in named for value in spec.base}
    if len(values) == 1:
        return True
    problems.append(
        (
            f"{where}.scale",
            "a value replaces the base, but the base holds several values "
            f"({min(values):g} to {max(values):g}): give scale: factor or scale: shift",
        )
    )
    return False


def _companions(spec: InputSpec, specs: Sequence[InputSpec]) -> list[InputSpec]:
    """The inputs read off the same field as a path by period, at other dates (by age, on a date)."""
    if spec.axis != "period" or not spec.path:
        return []
    return [
        other
        for other in specs
        if other.axis != "period" and other.path == spec.path and other.unit == spec.unit and not other.structural
    ]


def refused(model: CompanyModel, problems: Problems) -> ModelError:
    """The problems as one error, each at the line of the model file it is about (the block's, for a default)."""
    located = []
    for path, message in problems:
        parts = path.split(".")
        found = next(
            (at for depth in range(len(parts), 0, -1) if (at := model.location_of(".".join(parts[:depth])))), None
        )
        file, line, column = found or ("", 1, 1)
        located.append(Problem(Path(file), line, column, path or "sensitivity", message))
    return ModelError(located)
