"""Field levers: model fields set as a scenario override would set them, the model resolved again,
and the inputs that change taken as the draws' values.

Every draw is evaluated on the base model's graph, so a field may change values only. At each
value the input catalogue must keep the same inputs and structural values; for a lever declared in
the model file (which may name any field: an allocation rule's date reshapes the graph without
changing a single input) the line items at both ends of the range are also compared with the base
case's. The defaults move only price-curve declines, which reach the engine through the price
inputs alone, so they skip that comparison, which costs a graph build per end.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .._scenarios import ScenarioInvalid, with_scenario
from ..engine import inputs, project, row_shapes
from ..schema import Lever, Scale, Scenario, closest
from ._levers import Arrays, Context, Moved, Problems, refused

PROBE = "sensitivity"
"""The name of the scenario a field lever's values are applied through."""
Resolution = dict[str, tuple[float, ...]] | str
"""The inputs that change, with their new values, or why the value cannot be used."""


def field_lever(context: Context, lever: Lever, where: str, problems: Problems) -> Moved | None:
    """A field lever ready to move, or ``None`` with what is wrong added to ``problems``."""
    data = context.model.model_dump(mode="python", exclude={"scenarios"})
    current: dict[str, Any] = {}
    for position, path in enumerate(lever.names):
        at = f"{where}.field" + (f".{position}" if isinstance(lever.field, tuple) else "")
        value, problem = read_field(data, path)
        if problem is None and not _numbers(value):
            problem = f"{path} holds {type(value).__name__}, not a number or a list of numbers"
        if problem is not None:
            problems.append((at, problem))
        else:
            current[path] = value
    if len(current) != len(lever.names):
        return None
    scale = lever.scale or "value"
    flat = [v for value in current.values() for v in (value if isinstance(value, list | tuple) else [value])]
    if scale == "value" and len(set(flat)) != 1:
        problems.append((f"{where}.scale", "a value replaces the fields, which hold several values: give a scale"))
        return None
    base_values = {spec.name: spec.base for spec in context.specs}

    def resolution(value: float, *, compare_lines: bool = False) -> Resolution:
        key = (lever.names, scale, value)
        if key not in context.resolved:
            context.resolved[key] = _resolve(context, current, scale, value, compare_lines)
        return context.resolved[key]

    ends = {value: resolution(value, compare_lines=bool(where)) for value in (lever.low, lever.high)}
    for value, outcome in ends.items():
        if isinstance(outcome, str):
            problems.append((f"{where or 'sensitivity'}.{'low' if value == lever.low else 'high'}", outcome))
    if any(isinstance(outcome, str) for outcome in ends.values()):
        return None

    def rows(values: np.ndarray) -> Arrays:
        arrays: Arrays = {}
        for draw, value in enumerate(values):
            outcome = resolution(float(value))
            if isinstance(outcome, str):
                raise refused(context.model, [(where or "sensitivity", outcome)])
            for name, row in outcome.items():
                if name not in arrays:
                    arrays[name] = np.tile(np.asarray(base_values[name], dtype=float), (len(values), 1))
                arrays[name][draw] = row
        return arrays

    units = {spec.path: spec.unit for spec in context.specs}
    first = lever.names[0]
    more = f" and {len(lever.names) - 1} more" if len(lever.names) > 1 else ""
    touched = tuple(dict.fromkeys(name for outcome in ends.values() if isinstance(outcome, dict) for name in outcome))
    return Moved(
        where=where,
        label=lever.label or f"{first}{more}",
        unit="x" if scale == "factor" else units.get(first, ""),
        scale=scale,
        base=float(flat[0]) if scale == "value" else (1.0 if scale == "factor" else 0.0),
        low=lever.low,
        high=lever.high,
        kind="field",
        targets=lever.names,
        inputs_moved=touched,
        show=lever.show,
        note=lever.note,
        source=lever.source,
        rows=rows,
    )


def _resolve(
    context: Context, current: Mapping[str, Any], scale: Scale, value: float, compare_lines: bool
) -> Resolution:
    """The inputs that change when the fields take ``value``, or why they cannot."""
    overrides = {path: _scaled(old, value, scale) for path, old in current.items()}
    probe = context.model.model_copy(update={"scenarios": {PROBE: Scenario(overrides=overrides)}})
    try:
        changed = with_scenario(probe, PROBE)
    except ScenarioInvalid as invalid:
        return f"at {value:g} the model is invalid: {_why(invalid)}"
    resolved = inputs(changed)
    if [(s.name, s.axis, s.columns) for s in resolved] != [(s.name, s.axis, s.columns) for s in context.specs]:
        return f"at {value:g} the model has other inputs: that changes its structure, so use a scenario"
    base_values = {spec.name: spec.base for spec in context.specs}
    moved_inputs = {s.name: s.base for s in resolved if s.base != base_values[s.name]}
    if any(s.structural for s in resolved if s.name in moved_inputs):
        return f"at {value:g} a structural input changes: vary it with a scenario"
    if compare_lines and row_shapes(project(changed).graph) != context.base_shapes():
        return f"at {value:g} the model's line items are defined differently: that changes its structure"
    return moved_inputs


def read_field(data: Any, path: str) -> tuple[Any, str | None]:
    """The value at a dotted path of dumped model data, or why there is none."""
    parts = path.split(".")
    target = data
    for depth, part in enumerate(parts):
        here = ".".join(parts[: depth + 1])
        if isinstance(target, Mapping):
            if part not in target:
                close = closest(part, [str(key) for key in target])
                return None, f"{here} does not exist" + (f"; did you mean {close!r}?" if close else "")
            target = target[part]
        elif isinstance(target, list | tuple):
            if not part.isdigit() or int(part) >= len(target):
                return None, f"{here} is not an item of a list of {len(target)}"
            target = target[int(part)]
        else:
            return None, f"{'.'.join(parts[:depth])} is a value, not a block with fields"
    return target, None


def _why(invalid: ScenarioInvalid) -> str:
    if invalid.error is None:
        return invalid.message
    errors = invalid.error.errors()
    shown = "; ".join(f"{'.'.join(map(str, error['loc']))}: {error['msg']}" for error in errors[:3])
    return shown + (f"; and {len(errors) - 3} more" if len(errors) > 3 else "")


def _numbers(value: Any) -> bool:
    def number(item: Any) -> bool:
        return isinstance(item, int | float) and not isinstance(item, bool)

    return number(value) or (isinstance(value, list | tuple) and bool(value) and all(map(number, value)))


def _scaled(old: Any, value: float, scale: Scale) -> Any:
    if isinstance(old, list | tuple):
        return [_scaled(item, value, scale) for item in old]
    if scale == "value":
        return value
    return old * value if scale == "factor" else old + value
