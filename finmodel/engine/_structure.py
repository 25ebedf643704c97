"""Whether two graphs have the same structure, and which scenarios can share the base case's graph.

Defining a graph is a pure function of the resolved assumptions' names and of the facts it reads
from the model (a field's value, a mapping's keys, a method's result). :func:`define_noting_reads`
defines the base graph through a read-only view of the model that notes each such fact with the
path it was read at; :meth:`Footprint.matches` reads the same paths in another model (a scenario),
and where every fact and every assumption's name and shape agree, the other model is defined by the
same graph and is projected on it by swapping input values alone. Nothing is listed by hand, so a
block that starts to read a new field is covered as it is written.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, cast

from pydantic import BaseModel

from ..schema import CompanyModel
from ._excel import formula
from ._inputs import Assumptions
from ._ir import Graph

Step = tuple[Any, ...]
"""One step of a read: ``("attr", name)``, ``("item", key)``, ``("call", args, kwargs)``, or what was
learnt of the object reached: ``("type",)``, ``("keys",)``, ``("len",)``, ``("has", key)``."""
Path = tuple[Step, ...]
_FACTS: dict[str, Callable[[Any], object]] = {"type": type, "keys": tuple, "len": len}
_PLAIN = {float, int, str, bool, type(None)}


@dataclass(frozen=True)
class Footprint:
    """What a graph's definition read: every model fact by path, and each assumption's name and shape."""

    reads: Mapping[Path, object]
    shapes: tuple[tuple[object, ...], ...]

    def matches(self, assumptions: Assumptions) -> bool:
        """Whether another model's assumptions define the same graph: the same facts at every path read."""
        if _shapes(assumptions) != self.shapes:
            return False
        reached: dict[Path, Any] = {(): assumptions.model}
        for path, value in self.reads.items():
            try:
                found = _follow(reached, path)
            except (LookupError, AttributeError, TypeError, ValueError):
                return False
            if type(found) is not type(value) or found != value:
                return False
        return True


def define_noting_reads(define: Callable[[Assumptions], Graph], assumptions: Assumptions) -> tuple[Graph, Footprint]:
    """``define(assumptions)``, and the footprint of what it read of the model."""
    reads: dict[Path, object] = {}
    watched = cast(CompanyModel, _Watched(assumptions.model, (), reads))
    graph = define(dataclasses.replace(assumptions, model=watched))
    return graph, Footprint(reads, _shapes(assumptions))


def _shapes(assumptions: Assumptions) -> tuple[tuple[object, ...], ...]:
    rows = tuple((row.key, row.axis, len(row.values), row.label, row.unit) for row in assumptions.rows.values())
    return (
        rows,
        tuple(assumptions.cohort_axes.items()),
        tuple(assumptions.allocation_cells.items()),
    )


def _follow(reached: dict[Path, Any], path: Path) -> Any:
    """The object or fact at ``path`` from the root ``reached[()]``, remembering each prefix on the way."""
    if path in reached:
        return reached[path]
    parent = _follow(reached, path[:-1])
    kind, *rest = path[-1]
    if kind == "attr":
        found = getattr(parent, rest[0])
    elif kind == "item":
        found = parent[rest[0]]
    elif kind == "call":
        found = parent(*rest[0], **dict(rest[1]))
    elif kind == "has":
        found = rest[0] in parent
    else:
        found = _FACTS[kind](parent)
    reached[path] = found
    return found


def _is_value(value: object) -> bool:
    """A value noted as it is (compared with ``==``), rather than an object to watch inside."""
    if type(value) in _PLAIN:
        return True
    if isinstance(value, BaseModel | Mapping) or dataclasses.is_dataclass(value) or callable(value):
        return False
    if isinstance(value, list | tuple):
        return all(_is_value(item) for item in value)
    return True


class _Watched:
    """A read-only view of a model object that notes every fact read through it."""

    __slots__ = ("_target", "_path", "_reads")

    def __init__(self, target: Any, path: Path, reads: dict[Path, object]) -> None:
        self._target = target
        self._path = path
        self._reads = reads

    def _seen(self, step: Step, value: object) -> Any:
        path = (*self._path, step)
        if _is_value(value):
            self._reads[path] = value
            return value
        if callable(value) and not isinstance(value, BaseModel | Mapping):
            return _WatchedCall(value, path, self._reads)
        self._reads[(*path, ("type",))] = type(value)
        if isinstance(value, Mapping):
            return _WatchedMapping(value, path, self._reads)
        if isinstance(value, list | tuple):
            return _WatchedSequence(value, path, self._reads)
        return _Watched(value, path, self._reads)

    def _fact(self, step: Step, value: object) -> Any:
        self._reads[(*self._path, step)] = value
        return value

    def __getattr__(self, name: str) -> Any:
        return self._seen(("attr", name), getattr(self._target, name))


class _WatchedCall(_Watched):
    def __call__(self, *args: object, **kwargs: object) -> Any:
        return self._seen(("call", args, tuple(sorted(kwargs.items()))), self._target(*args, **kwargs))


class _WatchedMapping(_Watched):
    def _keys(self) -> tuple[object, ...]:
        return self._fact(("keys",), tuple(self._target))

    def __getitem__(self, key: object) -> Any:
        return self._seen(("item", key), self._target[key])

    def __contains__(self, key: object) -> bool:
        return self._fact(("has", key), key in self._target)

    def get(self, key: object, default: object = None) -> Any:
        if key not in self:
            return default
        return self[key]

    def __iter__(self) -> Iterator[object]:
        return iter(self._keys())

    def __len__(self) -> int:
        return len(self._keys())

    def keys(self) -> tuple[object, ...]:
        return self._keys()

    def values(self) -> list[Any]:
        return [self[key] for key in self._keys()]

    def items(self) -> list[tuple[object, Any]]:
        return [(key, self[key]) for key in self._keys()]


class _WatchedSequence(_Watched):
    def _length(self) -> int:
        return self._fact(("len",), len(self._target))

    def __getitem__(self, index: int) -> Any:
        if not isinstance(index, int):
            raise TypeError("a watched sequence is read by position")
        return self._seen(("item", index), self._target[index])

    def __iter__(self) -> Iterator[Any]:
        return (self[index] for index in range(self._length()))

    def __len__(self) -> int:
        return self._length()

    def __contains__(self, item: object) -> bool:
        return self._fact(("has", item), item in self._target)


def structure_difference(graphs: Mapping[str, Graph]) -> tuple[str, str] | None:
    """The first ``(name, row)`` whose definition differs from the first graph's, or ``None``.

    A graph that is the first graph itself (a scenario projected on the base case's graph) is the same.
    """
    base_name, base = next(iter(graphs.items()))
    reference: dict[str, str] | None = None
    for name, other in graphs.items():
        if name == base_name or other is base:
            continue
        reference = reference if reference is not None else row_shapes(base)
        shape = row_shapes(other)
        for row in [*reference, *shape]:
            if reference.get(row) != shape.get(row):
                return name, row
    return None


def row_shapes(graph: Graph) -> dict[str, str]:
    """Each row's definition as text: formulas with placeholder addresses, or its input axis."""

    def cell(name: str, column: int) -> str:
        return f"{name}@{0 if graph.rows[name].axis == 'scalar' else column}"

    def cell_range(name: str, first: int, last: int) -> str:
        return f"{name}@{first}:{last}"

    shape = {}
    for name, row in graph.rows.items():
        if row.kind == "input":
            shape[name] = f"input:{row.axis}"
        else:
            shape[name] = "|".join(
                formula(row.expr_at(c), c, cell, cell_range) for c in range(graph.axes[row.axis].size)
            )
    return shape
