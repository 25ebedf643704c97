"""The schema's declared constraints, read from its annotations: the one source of the ranges that
strategies draw from and perturbations are clipped to, so the kit cannot drift from the schema."""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel

from ..schema import CompanyModel
from ..schema._demand import ShareSchedule
from ..schema._types import Mix, Money, YearShares

PathKey = tuple[str | int, ...]
POSITIONS = frozenset({"min_age_years", "share"})
"""Numbers that place or shape things rather than measure them: never perturbed. Age bands must stay
in order; a life change's ``share`` decides whether it applies to part of a class (a structure)."""


@dataclass(frozen=True)
class Bounds:
    """A declared range: ``low``/``high`` (±inf when undeclared), each closed or open."""

    low: float = -math.inf
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False

    def clip(self, value: float) -> float:
        """The nearest value inside the range (an open end is approached by one float step)."""
        low = math.nextafter(self.low, math.inf) if self.low_open else self.low
        high = math.nextafter(self.high, -math.inf) if self.high_open else self.high
        return min(max(value, low), high)

    def within(self, low: float, high: float) -> Bounds:
        """This range narrowed to ``low..high`` (a practical range for generated models)."""
        return Bounds(
            max(self.low, low),
            min(self.high, high),
            self.low_open and self.low >= low,
            self.high_open and self.high <= high,
        )


def bounds_of(metadata: typing.Iterable[object]) -> Bounds:
    """The range that ``annotated_types`` constraints in ``metadata`` declare."""
    low, high, low_open, high_open = -math.inf, math.inf, False, False
    for item in metadata:
        if isinstance(item, Ge):
            low, low_open = float(typing.cast(float, item.ge)), False
        elif isinstance(item, Gt):
            low, low_open = float(typing.cast(float, item.gt)), True
        elif isinstance(item, Le):
            high, high_open = float(typing.cast(float, item.le)), False
        elif isinstance(item, Lt):
            high, high_open = float(typing.cast(float, item.lt)), True
    return Bounds(low, high, low_open, high_open)


def declared_bounds(block: type[BaseModel], field: str) -> Bounds:
    """The range a block's numeric field declares, looking through ``X | None``, mappings and tuples."""
    info = block.model_fields[field]
    return bounds_of([*info.metadata, *_annotated_metadata(_number_annotation(info.annotation))])


@dataclass(frozen=True)
class Leaf:
    """A number in model data: where it is, its declared range, and what it means."""

    container: Any
    """The mapping or list holding it."""
    key: str | int
    path: PathKey
    bounds: Bounds
    money: bool
    """In the model's money unit (restated with ``company.money_unit``)."""


def numbers(data: Any, annotation: Any = CompanyModel, path: PathKey = ()) -> Iterator[Leaf]:
    """Every float with a declared range in plain model data (``model_dump`` output), with its
    range; integers (years, months), dates and free-form values (scenario overrides) are skipped."""
    bare, metadata = _strip(annotation)
    if isinstance(bare, type) and issubclass(bare, BaseModel) and isinstance(data, dict):
        for name, info in bare.model_fields.items():
            if name in data:
                annotation = typing.Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
                yield from leaves(data, name, annotation, path)
    elif typing.get_origin(bare) is dict and isinstance(data, dict):
        for key in data:
            yield from leaves(data, key, typing.get_args(bare)[1], path)
    elif typing.get_origin(bare) in (tuple, list) and isinstance(data, list):
        for index in range(len(data)):
            yield from leaves(data, index, typing.get_args(bare)[0], path)


def leaves(container: Any, key: str | int, annotation: Any, path: PathKey) -> Iterator[Leaf]:
    """The numbers with a declared range at ``container[key]`` (itself one, or anything inside it)."""
    value = container[key]
    bare, metadata = _strip(annotation)
    if key in POSITIONS:
        return
    if bare is float and isinstance(value, int | float) and not isinstance(value, bool):
        bounds = bounds_of(metadata)
        if math.isfinite(bounds.low) or math.isfinite(bounds.high):
            yield Leaf(container, key, (*path, key), bounds, _is(annotation, Money))
    else:
        yield from numbers(value, annotation, (*path, key))


def is_mix(annotation: Any) -> bool:
    """True for shares that must sum to one: a mapping (``asset_mix``, ``gpu_mix``, an ``age_profile``) or a
    schedule by year (a backlog's ``conversion``)."""
    return _is(annotation, Mix) or _is(annotation, YearShares) or _is(annotation, ShareSchedule)


def annotation_at(path: PathKey) -> Any:
    """The annotation of the model field at ``path`` (mapping keys and list positions included)."""
    current: Any = CompanyModel
    for part in path:
        bare, _ = _strip(current)
        if isinstance(bare, type) and issubclass(bare, BaseModel):
            info = bare.model_fields.get(str(part))
            if info is None:
                raise KeyError(part)
            current = typing.Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
        elif typing.get_origin(bare) is dict:
            current = typing.get_args(bare)[1]
        elif typing.get_origin(bare) in (tuple, list):
            current = typing.get_args(bare)[0]
        else:
            raise KeyError(part)
    return current


def _is(annotation: Any, alias: Any) -> bool:
    """Whether ``annotation`` is the type alias ``alias``, possibly optional."""
    options = typing.get_args(annotation) if _is_union(annotation) else (annotation,)
    return any(option == alias for option in options)


def _is_union(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


def _strip(annotation: Any) -> tuple[Any, list[object]]:
    """The bare type under ``Annotated`` and ``X | None``, with the metadata collected on the way."""
    metadata: list[object] = []
    while True:
        if typing.get_origin(annotation) is typing.Annotated:
            metadata.extend(annotation.__metadata__)
            annotation = typing.get_args(annotation)[0]
        elif _is_union(annotation):
            annotation = next(arg for arg in typing.get_args(annotation) if arg is not type(None))
        else:
            return annotation, metadata


def _number_annotation(annotation: Any) -> Any:
    """The element annotation of a field holding numbers directly, optionally, or in a mapping or tuple."""
    bare, _ = _strip(annotation)
    if typing.get_origin(bare) is dict:
        return typing.get_args(bare)[1]
    if typing.get_origin(bare) in (tuple, list):
        return typing.get_args(bare)[0]
    return annotation


def _annotated_metadata(annotation: Any) -> list[object]:
    return _strip(annotation)[1]


def plain_data(model: CompanyModel) -> dict[str, Any]:
    """The model as plain data (tuples as lists), ready to change and validate again."""
    return typing.cast(dict[str, Any], _as_lists(model.model_dump(mode="python")))


def _as_lists(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _as_lists(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_as_lists(item) for item in value]
    return value
