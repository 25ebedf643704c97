"""Pydantic's errors rewritten as ``FILE:LINE:COL: dotted.path: message``, with "did you mean"
and indentation hints, located through the documents a model was read from."""

from __future__ import annotations

import functools
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from .._errors import Problem
from ..schema import closest
from ._yaml import Document, Location, PathKey, dotted


class Located:
    """Location lookup across the model file and its catalogue (model file first)."""

    def __init__(self, documents: list[Document]) -> None:
        self.documents = documents

    def locate(self, path: PathKey) -> Location:
        for depth in range(len(path), -1, -1):
            for document in self.documents:
                found = document.locations.get(path[:depth])
                if found is not None:
                    return found
        return (self.documents[0].file, 1, 1)

    def has(self, path: PathKey) -> bool:
        return any(path in document.locations for document in self.documents)

    def paths(self) -> list[PathKey]:
        return [path for document in self.documents for path in document.locations]


def problems_of(
    error: ValidationError,
    located: Located | Document,
    model: type[BaseModel],
    data: Any,
    scenario: str | None = None,
) -> list[Problem]:
    problems: list[Problem] = []
    explained = set()  # missing fields that a mistyped or misplaced key stands for: not reported twice
    errors: list[dict[str, Any]] = [{**item, "loc": _without_tags(tuple(item["loc"]), data)} for item in error.errors()]
    for item in errors:
        if item["type"] == "extra_forbidden":
            loc = tuple(item["loc"])
            key = str(loc[-1])
            close = closest(key, _fields_at(model, loc[:-1]))
            if close:
                explained.add((*loc[:-1], close))
            explained.update((*home, key) for home in _homes(model, loc))
    for item in errors:
        loc = tuple(item["loc"])
        if item["type"] == "missing" and (loc in explained or _generic(model, loc) in explained):
            continue
        ctx = item.get("ctx") or {}
        if item["type"] == "model_inconsistent" and "problems" in ctx:
            for path, message in ctx["problems"]:
                problems.append(located_problem(located, tuple(item["loc"]) + tuple(path), message, scenario))
            continue
        loc = tuple(item["loc"])
        if loc[-1:] == ("[key]",):  # a mapping key that is not allowed: report it at the key
            loc = loc[:-1]
        message = _message(dict(item), model, loc)
        problems.append(located_problem(located, loc, message, scenario))
    return problems


def _without_tags(loc: PathKey, data: Any) -> PathKey:
    """``loc`` without the tags pydantic inserts for a tagged union (``distribution: uniform`` puts
    ``uniform`` in the path): a part that is no key of its mapping but one of its values."""
    kept: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part not in node and part in node.values():
            continue
        kept.append(part)
        node = node.get(part) if isinstance(node, dict) else node[part] if _indexable(node, part) else None
    return tuple(kept)


def _indexable(node: Any, part: object) -> bool:
    return isinstance(node, list | tuple) and isinstance(part, int) and 0 <= part < len(node)


def located_problem(located: Located | Document, loc: PathKey, message: str, scenario: str | None) -> Problem:
    if scenario is not None:
        anchor = ("scenarios", scenario, "overrides")
        override = _matching_override(located, anchor, loc)
        file, line, column = located.locate(override)
        return Problem(
            file, line, column, dotted(anchor), f"scenario {scenario!r} makes {dotted(loc)} invalid: {message}"
        )
    file, line, column = located.locate(loc)
    return Problem(file, line, column, dotted(loc), message)


def _matching_override(located: Located | Document, anchor: PathKey, loc: PathKey) -> PathKey:
    """The override entry whose dotted path leads to, or into, ``loc`` (else the overrides block)."""
    for depth in range(len(loc), 0, -1):
        candidate = (*anchor, dotted(loc[:depth]))
        if located.has(candidate):
            return candidate
    inside = dotted(loc) + "."
    for path in located.paths():
        if len(path) == len(anchor) + 1 and path[: len(anchor)] == anchor and str(path[-1]).startswith(inside):
            return path
    return anchor


def _message(item: dict[str, Any], model: type[BaseModel], loc: PathKey) -> str:
    kind = item["type"]
    if kind == "extra_forbidden":
        allowed = _fields_at(model, loc[:-1])
        key = str(loc[-1])
        close = closest(key, allowed)
        homes = _homes(model, loc)
        if homes:
            where = f"under {dotted(loc[:-1])!r}" if loc[:-1] else "at the top level"
            question = f"did you mean {close!r}, or is it" if close else "is it"
            belongs = " or ".join(repr(dotted(home)) for home in homes)
            return f"unknown key {key!r} {where}; {question} indented wrongly? it belongs under {belongs}"
        hint = f"; did you mean {close!r}?" if close else (f"; allowed: {', '.join(allowed)}" if allowed else "")
        return f"unknown key {key!r}{hint}"
    if kind == "missing":
        return "required field is missing"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        context = item.get("ctx") or {}
        tags = [tag.strip(" '") for tag in str(context.get("expected_tags", "")).split(",")]
        field = context.get("discriminator", "kind").strip("'")
        if kind == "union_tag_not_found":
            return f"{field!r} is missing: it says which kind of entry this is"
        close = closest(str(context.get("tag", "")), tags)
        hint = f"; did you mean {close!r}?" if close else ""
        return f"unknown {field} {context.get('tag')!r}{hint} (one of {', '.join(tags)})"
    message = item["msg"]
    return message.removeprefix("Value error, ")


_ANY_NAME, _ANY_ITEM = "<name>", "<n>"
"""Stand-ins for a mapping key and a list position in a generic path such as ``asset_classes.<name>``."""


def _walk(model: type[BaseModel], loc: PathKey) -> tuple[Any, PathKey] | None:
    """The annotation at ``loc`` and its generic path, by walking the model's annotations (None: no such place)."""
    current: Any = model
    generic: list[str | int] = []
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return None
            current, step = field.annotation, part
        elif typing.get_origin(current) is dict:
            current, step = typing.get_args(current)[1], _ANY_NAME
        elif typing.get_origin(current) in (tuple, list):
            current, step = typing.get_args(current)[0], _ANY_ITEM
        else:
            return None
        generic.append(step)
    return _unwrap(current), tuple(generic)


def _fields_at(model: type[BaseModel], loc: PathKey) -> list[str]:
    """Names of the fields allowed at ``loc``."""
    found = _walk(model, loc)
    if found is not None and isinstance(found[0], type) and issubclass(found[0], BaseModel):
        return list(found[0].model_fields)
    return []


def _generic(model: type[BaseModel], loc: PathKey) -> PathKey | None:
    found = _walk(model, loc)
    return found[1] if found is not None else None


def _homes(model: type[BaseModel], loc: PathKey) -> list[PathKey]:
    """Where the key at ``loc``, unknown there, is a field: an indentation slip rather than a typo.

    An enclosing block is the likeliest home, given as its actual path (``asset_classes.servers``);
    otherwise every block that has the field, as generic paths.
    """
    key, parent = str(loc[-1]), _generic(model, loc[:-1])
    homes = [generic for generic, block in _blocks(model) if key in block.model_fields]
    if parent is None:
        return homes
    enclosing = [home for home in homes if parent[: len(home)] == home]
    if enclosing:
        return [loc[: len(max(enclosing, key=len))]]
    return homes


@functools.cache
def _blocks(model: type[BaseModel]) -> tuple[tuple[PathKey, type[BaseModel]], ...]:
    """Every block of the model language with its generic path, outermost first."""
    found: list[tuple[PathKey, type[BaseModel]]] = []

    def visit(annotation: Any, path: PathKey) -> None:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            found.append((path, annotation))
            for name, field in annotation.model_fields.items():
                visit(field.annotation, (*path, name))
        elif typing.get_origin(annotation) is dict:
            visit(typing.get_args(annotation)[1], (*path, _ANY_NAME))
        elif typing.get_origin(annotation) in (tuple, list):
            visit(typing.get_args(annotation)[0], (*path, _ANY_ITEM))

    visit(model, ())
    return tuple(found)


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            options = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            annotation = options[0]
        else:
            return annotation
