"""The input catalogue: every assumption a projection can vary, and the checks on what a caller
passes as ``project(inputs=...)``.

An input is *structural* when its value shapes the graph (how many years a cohort spans, when a
generation is first bought, which dated prices apply): varying it per draw would leave the graph
describing another model, so it is refused with a pointer to scenarios, which rebuild.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .._errors import InputError
from ._inputs import Assumptions

STRUCTURAL = {
    "physical_life_years": "it sets how many years the generation's cohort spans",
    "available_from": "dated prices and the cost at purchase are resolved from it",
    "gpu_mix": "the first period that buys a generation fixes its cohort",
}
"""Input names (without qualifiers) that are structural, and why."""


@dataclass(frozen=True)
class InputSpec:
    """One input that can be varied: its name, what it is, its base value(s) and where it comes from."""

    name: str
    label: str
    unit: str
    axis: str
    """``scalar`` (one value), ``period`` (one per period) or ``age`` (one per year of a cohort's age)."""
    columns: tuple[str, ...]
    base: tuple[float, ...]
    path: str
    """The YAML field (dotted path) the base value comes from."""
    structural: bool
    why_structural: str = ""


def catalogue(assumptions: Assumptions) -> tuple[InputSpec, ...]:
    """Every input of a resolved model, in the order the workbook lists them."""
    labels = assumptions.model.projected_labels
    specs = []
    columns: tuple[str, ...]
    for row in assumptions.rows.values():
        if row.axis == "scalar":
            axis, columns = "scalar", ("value",)
        elif row.axis == "period":
            axis, columns = "period", labels
        else:
            axis, columns = "age", assumptions.cohort_axes[row.axis]
        why = STRUCTURAL.get(row.key.name, "")
        specs.append(InputSpec(row.name, row.label, row.unit, axis, columns, row.values, row.path, bool(why), why))
    return tuple(specs)


def checked_inputs(
    specs: tuple[InputSpec, ...], inputs: Mapping[str, object], draws: int | None
) -> tuple[dict[str, np.ndarray], int]:
    """Each varied input as a ``(draws or 1, columns or 1)`` array, and the number of draws.

    A scalar, or a 1-D array (one value per draw), applies to every column; a 2-D array is
    ``(draws, columns)``, either dimension may be 1. Draws are inferred unless given.
    """
    by_name = {spec.name: spec for spec in specs}
    arrays: dict[str, np.ndarray] = {}
    for name, value in inputs.items():
        spec = by_name.get(name)
        if spec is None:
            close = difflib.get_close_matches(name, list(by_name), n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise InputError(f"inputs: {name!r} is not an input of this model{hint} (finmodel inputs MODEL lists them)")
        if spec.structural:
            raise InputError(
                f"inputs: {name!r} is structural ({spec.why_structural}), so it cannot vary by draw; "
                "declare a scenario that overrides its field instead"
            )
        try:
            array = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise InputError(f"inputs: {name!r} must be numbers, got {type(value).__name__}") from None
        if array.ndim == 0:
            array = array.reshape(1, 1)
        elif array.ndim == 1:
            array = array[:, None]
        elif array.ndim > 2:
            raise InputError(f"inputs: {name!r} has {array.ndim} dimensions; give (draws,) or (draws, columns)")
        columns = len(spec.columns)
        if array.shape[1] not in (1, columns):
            raise InputError(
                f"inputs: {name!r} has {array.shape[1]} columns; it has {columns} ({spec.axis}: "
                f"{', '.join(spec.columns[:6])}{'…' if columns > 6 else ''}) or give 1 to apply to all"
            )
        if not np.isfinite(array).all():
            raise InputError(f"inputs: {name!r} holds a value that is not a finite number")
        arrays[name] = array
    counts = {array.shape[0] for array in arrays.values()} - {1}
    if len(counts) > 1:
        shapes = ", ".join(f"{name}: {array.shape[0]}" for name, array in arrays.items() if array.shape[0] != 1)
        raise InputError(f"inputs: draws disagree ({shapes}); each input has 1 row or the same number of draws")
    inferred = counts.pop() if counts else 1
    if draws is not None and draws != inferred and inferred != 1:
        raise InputError(f"inputs: draws={draws} but the inputs have {inferred} draws")
    return arrays, draws if draws is not None else inferred
