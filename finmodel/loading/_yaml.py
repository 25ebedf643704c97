"""Reading a YAML file safely into plain data with a ``path → (line, column)`` map.

The file is composed with PyYAML's safe loader into nodes that keep their line and column;
we build plain data from the nodes ourselves, turning ``{value: x, source: ...}`` figures into
``x`` plus provenance, and refusing what a hostile file might try (non-regular files, aliases
expanding without bound, duplicate keys, binary, deep nesting).
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from .._errors import ModelError, Problem
from ..schema import Provenance

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


class Document:
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
        self.problems.append(Problem(self.file, line, column, dotted(path), message))

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
        self.provenance[dotted(path)] = Provenance(source=source, note=note)


class _Refused(Exception):
    def __init__(self, mark: yaml.Mark, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


class Unreadable(Exception):
    """A file that cannot, or must not, be read; the message says why."""


def read_bytes(file: Path) -> bytes:
    """The bytes of a regular file of at most ``MAX_FILE_BYTES``.

    Anything else is refused before it is opened (a FIFO would wait for a writer, ``/dev/zero``
    never ends); the open file is checked again in case the path was swapped meanwhile, and no
    more than the limit is read even if the file grows.
    """
    try:
        if not stat.S_ISREG(os.stat(file).st_mode):
            raise Unreadable("not a regular file")
        with os.fdopen(os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as handle:
            status = os.fstat(handle.fileno())
            if not stat.S_ISREG(status.st_mode):
                raise Unreadable("not a regular file")
            if status.st_size > MAX_FILE_BYTES:
                raise Unreadable(f"file is {status.st_size:,} bytes; the limit is {MAX_FILE_BYTES:,}")
            raw = handle.read(MAX_FILE_BYTES + 1)
    except (OSError, ValueError) as error:
        raise Unreadable(f"cannot read: {getattr(error, 'strerror', None) or error}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise Unreadable(f"file is over the limit of {MAX_FILE_BYTES:,} bytes")
    return raw


def read_document(file: Path) -> tuple[Any, Document]:
    """Read and parse one YAML file into plain data; raises :class:`ModelError` on anything unsafe."""
    try:
        raw = read_bytes(file)
    except Unreadable as refused:
        raise ModelError([Problem(file, 1, 1, "", str(refused))]) from None
    return parse_document(file, raw)


def parse_document(file: Path, raw: bytes) -> tuple[Any, Document]:
    """Parse the bytes of one YAML file into plain data; raises :class:`ModelError` on anything unsafe."""
    document = Document(file)
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


def dotted(path: PathKey) -> str:
    return ".".join(str(part) for part in path)
