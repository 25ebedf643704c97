"""Named scenarios: a model with a scenario's dotted-path overrides applied.

Below the loader and the engine (it needs only the schema), so both can apply scenarios and
neither imports the other.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import ValidationError

from ._errors import ScenarioError
from .schema import CompanyModel, Provenance, closest

BASE = "base"
"""The name of the model as written, without scenario overrides."""


class ScenarioInvalid(Exception):
    """A scenario's overrides cannot be applied (``error`` from pydantic, or ``message`` at ``path``)."""

    def __init__(self, error: ValidationError | None, data: dict[str, Any], path: str = "", message: str = "") -> None:
        super().__init__(message or str(error))
        self.error = error
        self.data = data
        self.path = path
        self.message = message


def _as_lists(value: Any) -> Any:
    """Dumped model data with tuples as lists, so overrides can index into them."""
    if isinstance(value, dict):
        return {key: _as_lists(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_as_lists(item) for item in value]
    return value


def with_scenario(model: CompanyModel, name: str | None) -> CompanyModel:
    """The model with a named scenario's overrides applied (``None``: the model itself)."""
    if name is None:
        return model
    scenario = model.scenarios.get(name)
    if scenario is None:
        known = ", ".join(model.scenarios) or "none"
        raise ScenarioError(f"no scenario {name!r} in {model.company.name} (scenarios: {known})")
    data = _as_lists(model.model_dump(mode="python", exclude={"scenarios"}))
    for dotted, value in scenario.overrides.items():
        problem = _set_path(data, dotted.split("."), value)
        if problem:
            raise ScenarioInvalid(None, data, dotted, problem)
    try:
        result = CompanyModel.model_validate(data)
    except ValidationError as error:
        raise ScenarioInvalid(error, data) from None
    result._provenance = dict(model._provenance)
    for dotted in scenario.overrides:
        result._provenance[dotted] = Provenance(
            source=scenario.source or f"scenario {name}", note=scenario.note or scenario.description or None
        )
    result._scenario_name = name
    return result


def _set_path(data: Any, parts: list[str], value: Any) -> str | None:
    """Set ``value`` at a dotted path; return why it cannot be set, or ``None``."""
    target = data
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if isinstance(target, list):
            if not part.isdigit() or int(part) >= len(target):
                return f"{'.'.join(parts[: depth + 1])} is not an item of a list of {len(target)}"
            if last:
                target[int(part)] = copy.deepcopy(value)
            else:
                target = target[int(part)]
        elif isinstance(target, dict):
            if last:
                target[part] = copy.deepcopy(value)
            elif part in target:
                target = target[part]
            else:
                close = closest(part, [str(key) for key in target])
                hint = f"; did you mean {close!r}?" if close else ""
                return f"{'.'.join(parts[: depth + 1])} does not exist{hint}"
        else:
            return f"{'.'.join(parts[:depth])} is a value, not a block with fields"
    return None
