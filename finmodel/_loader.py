"""YAML → frozen :class:`~finmodel.schema.CompanyModel`, with every problem located.

The file is composed with PyYAML's safe loader into nodes that keep their line and column;
we build plain data from the nodes ourselves, recording a ``path → location`` map, turning
``{value: x, source: ...}`` figures into ``x`` plus provenance, and refusing what a hostile
file might try (aliases expanding without bound, duplicate keys, binary, deep nesting).
Pydantic then validates everything at once; each of its errors is rewritten as
``FILE:LINE:COL: dotted.path: message``.
"""

from __future__ import annotations

import functools
import os
import re
import stat
import types
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from ._errors import ModelError, Problem
from ._scenarios import ScenarioInvalid, with_scenario
from .schema import CompanyModel, GpuCatalog, GpuGeneration, Provenance, closest, name_problems

_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MAP_TAGS = {"tag:yaml.org,2002:map"}
_SEQ_TAGS = {"tag:yaml.org,2002:seq"}

MAX_FILE_BYTES = 1_000_000
MAX_NESTING = 200
_QUOTED_OR_COMMENT = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\n]|\'\')*\'|(?:^|(?<=\s))#[^\n]*', re.MULTILINE)
_BRACKETS = re.compile(r"[\[\]{}]")
_BLOCK_PREFIX = re.compile(r"^[ \t?:-]*", re.MULTILINE)
MAX_NODES = 50_000
FIGURE_KEYS = frozenset({"value", "source", "note"})

Location = tuple[Path, int, int]
PathKey = tuple[str | int, ...]


class _Document:
    """Plain data built from one YAML file, with where each path came from."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self.locations: dict[PathKey, Location] = {}
        self.provenance: dict[str, Provenance] = {}
        self.problems: list[Problem] = []
        self._visited = 0
        self._constructor = yaml.SafeLoader("")

    def problem(self, path: PathKey, message: str, mark: yaml.Mark | None = None) -> None:
        if mark is not None:
            line, column = mark.line + 1, mark.column + 1
        else:
            _, line, column = self.locate(path)
        self.problems.append(Problem(self.file, line, column, _dotted(path), message))

    def locate(self, path: PathKey) -> Location:
        for depth in range(len(path), -1, -1):
            found = self.locations.get(path[:depth])
            if found is not None:
                return found
        return (self.file, 1, 1)

    def has(self, path: PathKey) -> bool:
        return path in self.locations

    def paths(self) -> list[PathKey]:
        return list(self.locations)

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        self._visited += 1
        if self._visited > MAX_NODES:
            raise _Refused(node.start_mark, f"more than {MAX_NODES:,} values (aliases expanding?)")
        self.locations.setdefault(path, (self.file, node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.MappingNode):
            if node.tag not in _MAP_TAGS:
                raise _Refused(node.start_mark, f"the tag {node.tag!r} is not allowed; plain YAML only")
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            if node.tag not in _SEQ_TAGS:
                raise _Refused(node.start_mark, f"the tag {node.tag!r} is not allowed; plain YAML only")
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        try:
            value = self._constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as error:
            raise _Refused(node.start_mark, f"the tag {node.tag!r} is not allowed; plain YAML only") from error
        except ValueError as error:
            if node.tag == "tag:yaml.org,2002:int":
                return float("inf")  # too many digits to convert: pydantic reports it as not finite
            self.problem(path, f"cannot read {node.value!r}: {error}", node.start_mark)
            return None
        if isinstance(value, bytes):
            self.problem(path, "binary data is not allowed here", node.start_mark)
            return None
        return value

    def _mapping(self, node: yaml.MappingNode, path: PathKey) -> Any:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(path, "mapping keys must be plain scalars", key_node.start_mark)
                continue
            try:
                key = str(self._constructor.construct_object(key_node, deep=True))
            except (yaml.YAMLError, ValueError) as error:
                self.problem(path, f"cannot read this key: {error}", key_node.start_mark)
                continue
            child = (*path, key)
            if key in result:
                self.problem(child, f"duplicate key {key!r}", key_node.start_mark)
                continue
            self.locations[child] = (self.file, key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = self.build(value_node, child)
        if "value" in result and set(result) <= FIGURE_KEYS:
            self._record(path, result)
            return result["value"]
        if "source" in result or "note" in result:
            self._record(path, result)
        return result

    def _record(self, path: PathKey, mapping: dict[str, Any]) -> None:
        source, note = mapping.get("source"), mapping.get("note")
        for key, value in (("source", source), ("note", note)):
            if value is not None and not isinstance(value, str):
                self.problem((*path, key), f"{key} must be text, got {value!r}")
                return
        self.provenance[_dotted(path)] = Provenance(source=source, note=note)


class _Refused(Exception):
    def __init__(self, mark: yaml.Mark, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


class _Unreadable(Exception):
    """A file that cannot, or must not, be read; the message says why."""


def _read_bytes(file: Path) -> bytes:
    """The bytes of a regular file of at most ``MAX_FILE_BYTES``.

    Anything else is refused before it is opened (a FIFO would wait for a writer, ``/dev/zero``
    never ends); the open file is checked again in case the path was swapped meanwhile, and no
    more than the limit is read even if the file grows.
    """
    try:
        if not stat.S_ISREG(os.stat(file).st_mode):
            raise _Unreadable("not a regular file")
        with os.fdopen(os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as handle:
            status = os.fstat(handle.fileno())
            if not stat.S_ISREG(status.st_mode):
                raise _Unreadable("not a regular file")
            if status.st_size > MAX_FILE_BYTES:
                raise _Unreadable(f"file is {status.st_size:,} bytes; the limit is {MAX_FILE_BYTES:,}")
            raw = handle.read(MAX_FILE_BYTES + 1)
    except (OSError, ValueError) as error:
        raise _Unreadable(f"cannot read: {getattr(error, 'strerror', None) or error}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise _Unreadable(f"file is over the limit of {MAX_FILE_BYTES:,} bytes")
    return raw


def _read(file: Path) -> tuple[Any, _Document]:
    """Read and parse one YAML file into plain data; raises :class:`ModelError` on anything unsafe."""
    try:
        raw = _read_bytes(file)
    except _Unreadable as refused:
        raise ModelError([Problem(file, 1, 1, "", str(refused))]) from None
    return _parse(file, raw)


def _parse(file: Path, raw: bytes) -> tuple[Any, _Document]:
    """Parse the bytes of one YAML file into plain data; raises :class:`ModelError` on anything unsafe."""
    document = _Document(file)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ModelError([Problem(file, line, 1, "", "not UTF-8 text (binary file?)")]) from None
    if "\x00" in text:
        raise ModelError([Problem(file, 1, 1, "", "file contains NUL bytes (binary file?)")])
    if text.count(",") + text.count("\n") > MAX_NODES:
        raise ModelError([Problem(file, 1, 1, "", f"refused: more than {MAX_NODES:,} values or lines")])
    _refuse_deep_nesting(file, text)
    try:
        nodes = list(yaml.compose_all(text, Loader=_COMPOSER))
        if len(nodes) != 1 or nodes[0] is None:
            raise ModelError([Problem(file, 1, 1, "", "expected exactly one YAML document")])
        data = document.build(nodes[0], ())
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise ModelError([Problem(file, line, column, "", f"YAML syntax: {error.problem or error}")]) from None
    except yaml.YAMLError as error:
        raise ModelError([Problem(file, 1, 1, "", f"YAML: {error}")]) from None
    except RecursionError:
        raise ModelError([Problem(file, 1, 1, "", "nesting is too deep")]) from None
    except _Refused as refused:
        line, column = refused.mark.line + 1, refused.mark.column + 1
        raise ModelError([Problem(file, line, column, "", f"refused: {refused.message}")]) from None
    if not isinstance(data, dict):
        raise ModelError([Problem(file, 1, 1, "", "the top level must be a mapping of keys")])
    return data, document


def _refuse_deep_nesting(file: Path, text: str) -> None:
    """Refuse absurd nesting before the parser sees it (libyaml recurses, and would crash)."""
    flow = _QUOTED_OR_COMMENT.sub(lambda match: "\n" * match.group(0).count("\n"), text)
    depth = 0
    for bracket in _BRACKETS.finditer(flow):
        depth += 1 if bracket.group(0) in "[{" else -1
        if depth > MAX_NESTING:
            line = flow.count("\n", 0, bracket.start()) + 1
            raise ModelError([Problem(file, line, 1, "", f"refused: nested more than {MAX_NESTING} levels deep")])
    for prefix in _BLOCK_PREFIX.finditer(text):
        if len(prefix.group(0)) > 2 * MAX_NESTING:
            line = text.count("\n", 0, prefix.start()) + 1
            raise ModelError([Problem(file, line, 1, "", f"refused: indented more than {2 * MAX_NESTING} columns")])


def load_catalog(path: str | Path) -> GpuCatalog:
    """Load a shared GPU catalogue file."""
    file = Path(path)
    data, document = _read(file)
    if document.problems:
        raise ModelError(document.problems)
    try:
        return GpuCatalog.model_validate(data)
    except ValidationError as error:
        raise ModelError(_problems(error, document, GpuCatalog, data)) from None


def load_model(path: str | Path, *, allow_paths: Sequence[str | Path] = ()) -> CompanyModel:
    """Load and validate a company model; every problem is reported at once as a :class:`ModelError`.

    Its ``gpu_catalog`` must lie in the model file's folder tree, or in one of ``allow_paths``.
    """
    file = Path(path)
    data, document = _read(file)
    documents = [document]
    catalog_name = data.get("gpu_catalog")
    if isinstance(catalog_name, str):
        catalog_data, catalog_document = _read_catalog(file, document, catalog_name, allow_paths)
        documents.append(catalog_document)
        try:
            GpuCatalog.model_validate(catalog_data)
        except ValidationError as error:
            raise ModelError(_problems(error, catalog_document, GpuCatalog, catalog_data)) from None
        _merge_catalog(data, document, catalog_data, catalog_document)
    problems = [problem for doc in documents for problem in doc.problems]
    located = _Located(documents)
    try:
        model = CompanyModel.model_validate(data)
    except ValidationError as error:
        problems.extend(_problems(error, located, CompanyModel, data))
        # Cross-field rules run only once every field is valid: report mistyped names now, not after
        # a fix (unless those rules did run, and reported them already).
        reported = {(problem.path, problem.message) for problem in problems}
        for where, message in name_problems(data):
            if (_dotted(where), message) not in reported:
                problems.append(_located(located, where, message, None))
        raise ModelError(problems) from None
    if problems:
        raise ModelError(problems)
    provenance = {key: value for doc in documents for key, value in doc.provenance.items()}
    model._provenance = provenance
    for name, scenario in model.scenarios.items():
        for key in (("scenarios", name), *(("scenarios", name, "overrides", path) for path in scenario.overrides)):
            source_file, line, column = located.locate(key)
            model._locations[_dotted(key)] = (str(source_file), line, column)
    for name in model.scenarios:
        try:
            with_scenario(model, name)
        except ScenarioInvalid as invalid:
            if invalid.error is None:
                anchor = ("scenarios", name, "overrides", invalid.path)
                problems.append(_located(located, anchor, f"cannot apply: {invalid.message}", None))
            else:
                problems.extend(_problems(invalid.error, located, CompanyModel, invalid.data, scenario=name))
    if problems:
        raise ModelError(problems)
    return model


def _read_catalog(
    file: Path, document: _Document, name: str, allow_paths: Sequence[str | Path]
) -> tuple[Any, _Document]:
    """The catalogue a model names, read only if it lies in the model's folder tree or an allowed
    folder (symlinks resolved), and kept only if it declares itself a catalogue: a model cannot
    make finmodel read, or echo the keys of, any other file."""
    _, line, column = document.locate(("gpu_catalog",))

    def refused(message: str) -> ModelError:
        return ModelError([Problem(file, line, column, "gpu_catalog", message)])

    try:
        folders = [file.parent.resolve(), *(Path(folder).resolve() for folder in allow_paths)]
        target = (file.parent / name).resolve()
    except (OSError, ValueError, RuntimeError) as error:
        raise refused(f"cannot use this catalogue path: {error}") from None
    if not any(target.is_relative_to(folder) for folder in folders):
        raise refused(
            f"refused: the catalogue {target} is outside the model's folder {folders[0]}; "
            "allow its folder with --allow-path (allow_paths= in Python)"
        )
    try:
        raw = _read_bytes(target)
    except _Unreadable as unreadable:
        raise refused(f"catalogue {target}: {unreadable}") from None
    data, catalog_document = _parse(target, raw)
    if data.get("kind") != "gpu_catalog":
        _, kind_line, kind_column = catalog_document.locate(("kind",))
        message = "not a GPU catalogue: a catalogue file declares kind: gpu_catalog"
        raise ModelError([Problem(target, kind_line, kind_column, "kind", message)])
    return data, catalog_document


def _merge_catalog(data: dict, document: _Document, catalog: dict, catalog_document: _Document) -> None:
    """Put the catalogue's generations under ``gpus``, the model's own entries overriding field by field."""
    generations = catalog.get("generations")
    if not isinstance(generations, dict):
        catalog_document.problem(("generations",), "a catalogue needs a mapping 'generations'")
        return
    overrides = data.get("gpus") or {}
    if not isinstance(overrides, dict):
        return
    merged: dict[str, Any] = {}
    for name, entry in generations.items():
        merged[name] = dict(entry) if isinstance(entry, dict) else entry
        for path, location in catalog_document.locations.items():
            if path[:2] == ("generations", name):
                document.locations.setdefault(("gpus", name, *path[2:]), location)
        for key, provenance in catalog_document.provenance.items():
            if key.startswith(f"generations.{name}"):
                document.provenance.setdefault("gpus." + key.removeprefix("generations."), provenance)
    required = [key for key, field in GpuGeneration.model_fields.items() if field.is_required()]
    for name, entry in overrides.items():
        if isinstance(entry, dict) and isinstance(merged.get(name), dict):
            merged[name] = {**merged[name], **entry}
        elif isinstance(entry, dict) and not all(key in entry for key in required):
            close = closest(name, generations)
            hint = f"; did you mean {close!r}?" if close else ""
            missing = ", ".join(key for key in required if key not in entry)
            document.problem(
                ("gpus", name), f"{name!r} is not in the catalogue{hint} (a new generation also needs {missing})"
            )
        else:
            merged[name] = entry
    data["gpus"] = merged


class _Located:
    """Location lookup across the model file and its catalogue (model file first)."""

    def __init__(self, documents: list[_Document]) -> None:
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


def _problems(
    error: ValidationError,
    located: _Located | _Document,
    model: type[BaseModel],
    data: Any,
    scenario: str | None = None,
) -> list[Problem]:
    problems: list[Problem] = []
    explained = set()  # missing fields that a mistyped or misplaced key stands for: not reported twice
    for item in error.errors():
        if item["type"] == "extra_forbidden":
            loc = tuple(item["loc"])
            key = str(loc[-1])
            close = closest(key, _fields_at(model, loc[:-1]))
            if close:
                explained.add((*loc[:-1], close))
            explained.update((*home, key) for home in _homes(model, loc))
    for item in error.errors():
        loc = tuple(item["loc"])
        if item["type"] == "missing" and (loc in explained or _generic(model, loc) in explained):
            continue
        ctx = item.get("ctx") or {}
        if item["type"] == "model_inconsistent" and "problems" in ctx:
            for path, message in ctx["problems"]:
                problems.append(_located(located, tuple(item["loc"]) + tuple(path), message, scenario))
            continue
        loc = tuple(item["loc"])
        if loc[-1:] == ("[key]",):  # a mapping key that is not allowed: report it at the key
            loc = loc[:-1]
        message = _message(dict(item), model, loc)
        problems.append(_located(located, loc, message, scenario))
    return problems


def _located(located: _Located | _Document, loc: PathKey, message: str, scenario: str | None) -> Problem:
    if scenario is not None:
        anchor = ("scenarios", scenario, "overrides")
        override = _matching_override(located, anchor, loc)
        file, line, column = located.locate(override)
        return Problem(
            file, line, column, _dotted(anchor), f"scenario {scenario!r} makes {_dotted(loc)} invalid: {message}"
        )
    file, line, column = located.locate(loc)
    return Problem(file, line, column, _dotted(loc), message)


def _matching_override(located: _Located | _Document, anchor: PathKey, loc: PathKey) -> PathKey:
    """The override entry whose dotted path leads to, or into, ``loc`` (else the overrides block)."""
    for depth in range(len(loc), 0, -1):
        candidate = (*anchor, _dotted(loc[:depth]))
        if located.has(candidate):
            return candidate
    inside = _dotted(loc) + "."
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
            where = f"under {_dotted(loc[:-1])!r}" if loc[:-1] else "at the top level"
            question = f"did you mean {close!r}, or is it" if close else "is it"
            belongs = " or ".join(repr(_dotted(home)) for home in homes)
            return f"unknown key {key!r} {where}; {question} indented wrongly? it belongs under {belongs}"
        hint = f"; did you mean {close!r}?" if close else (f"; allowed: {', '.join(allowed)}" if allowed else "")
        return f"unknown key {key!r}{hint}"
    if kind == "missing":
        return "required field is missing"
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


def _dotted(path: PathKey) -> str:
    return ".".join(str(part) for part in path)
