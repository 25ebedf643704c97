"""YAML → frozen :class:`~finmodel.schema.CompanyModel`, with every problem located.

The file is composed with PyYAML's safe loader into nodes that keep their line and column;
we build plain data from the nodes ourselves, recording a ``path → location`` map, turning
``{value: x, source: ...}`` figures into ``x`` plus provenance, and refusing what a hostile
file might try (aliases expanding without bound, duplicate keys, binary, deep nesting).
Pydantic then validates everything at once; each of its errors is rewritten as
``FILE:LINE:COL: dotted.path: message``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .._errors import ModelError, Problem
from .._scenarios import ScenarioInvalid, with_scenario
from ..schema import CompanyModel, GpuCatalog, GpuGeneration, closest, name_problems
from ._messages import Located, located_problem, problems_of
from ._yaml import Document, Unreadable, dotted, parse_document, read_bytes, read_document

BUILTIN_CATALOG = "builtin"
"""What ``gpu_catalog`` (or :func:`load_catalog`) says for the GPU catalogue shipped with finmodel."""


def builtin_catalog() -> Path:
    """The GPU catalogue shipped with finmodel: inside the installed package (pyproject maps the
    repository's ``models/catalog/`` to ``finmodel/catalog``), else in the source tree, so there is one copy."""
    packaged = Path(str(resources.files("finmodel"))) / "catalog" / "gpus.yaml"
    return packaged if packaged.is_file() else Path(__file__).resolve().parents[2] / "models" / "catalog" / "gpus.yaml"


def load_catalog(path: str | Path) -> GpuCatalog:
    """Load a shared GPU catalogue file; ``"builtin"`` loads the one shipped with finmodel."""
    file = builtin_catalog() if str(path) == BUILTIN_CATALOG else Path(path)
    data, document = read_document(file)
    if document.problems:
        raise ModelError(document.problems)
    try:
        return GpuCatalog.model_validate(data)
    except ValidationError as error:
        raise ModelError(problems_of(error, document, GpuCatalog, data)) from None


def load_model(path: str | Path, *, allow_paths: Sequence[str | Path] = ()) -> CompanyModel:
    """Load and validate a company model; every problem is reported at once as a :class:`ModelError`.

    Its ``gpu_catalog`` is ``builtin`` (the catalogue shipped with finmodel), or a file that must lie
    in the model file's folder tree, or in one of ``allow_paths``.
    """
    file = Path(path)
    data, document = read_document(file)
    documents = [document]
    catalog_name = data.get("gpu_catalog")
    if isinstance(catalog_name, str):
        catalog_data, catalog_document = _read_catalog(file, document, catalog_name, allow_paths)
        documents.append(catalog_document)
        try:
            GpuCatalog.model_validate(catalog_data)
        except ValidationError as error:
            raise ModelError(problems_of(error, catalog_document, GpuCatalog, catalog_data)) from None
        _merge_catalog(data, document, catalog_data, catalog_document)
    problems = [problem for doc in documents for problem in doc.problems]
    located = Located(documents)
    try:
        model = CompanyModel.model_validate(data)
    except ValidationError as error:
        problems.extend(problems_of(error, located, CompanyModel, data))
        # Cross-field rules run only once every field is valid: report mistyped names now, not after
        # a fix (unless those rules did run, and reported them already).
        reported = {(problem.path, problem.message) for problem in problems}
        for where, message in name_problems(data):
            if (dotted(where), message) not in reported:
                problems.append(located_problem(located, where, message, None))
        raise ModelError(problems) from None
    if problems:
        raise ModelError(problems)
    provenance = {key: value for doc in documents for key, value in doc.provenance.items()}
    model._provenance = provenance
    figures = (
        key
        for name, series in model.reported.items()
        for key in (("reported", name), *(("reported", name, "by_period", label) for label in series.by_period))
    )
    scenarios = (
        key
        for name, scenario in model.scenarios.items()
        for key in (("scenarios", name), *(("scenarios", name, "overrides", path) for path in scenario.overrides))
    )
    uncertain = (("uncertainty", "inputs", name) for name in (model.uncertainty.inputs if model.uncertainty else ()))
    levers = (key for key in located.paths() if key[:1] == ("sensitivity",))
    for key in (*scenarios, *figures, *uncertain, *levers):
        source_file, line, column = located.locate(key)
        model._locations[dotted(key)] = (str(source_file), line, column)
    for name in model.scenarios:
        try:
            with_scenario(model, name)
        except ScenarioInvalid as invalid:
            if invalid.error is None:
                anchor = ("scenarios", name, "overrides", invalid.path)
                problems.append(located_problem(located, anchor, f"cannot apply: {invalid.message}", None))
            else:
                problems.extend(problems_of(invalid.error, located, CompanyModel, invalid.data, scenario=name))
    if problems:
        raise ModelError(problems)
    return model


def _read_catalog(file: Path, document: Document, name: str, allow_paths: Sequence[str | Path]) -> tuple[Any, Document]:
    """The catalogue a model names, read only if it lies in the model's folder tree or an allowed
    folder (symlinks resolved), and kept only if it declares itself a catalogue: a model cannot
    make finmodel read, or echo the keys of, any other file."""
    _, line, column = document.locate(("gpu_catalog",))

    def refused(message: str) -> ModelError:
        return ModelError([Problem(file, line, column, "gpu_catalog", message)])

    if name == BUILTIN_CATALOG:
        return _catalog_data(builtin_catalog(), refused)
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
    return _catalog_data(target, refused)


def _catalog_data(target: Path, refused: Callable[[str], ModelError]) -> tuple[Any, Document]:
    try:
        raw = read_bytes(target)
    except Unreadable as unreadable:
        raise refused(f"catalogue {target}: {unreadable}") from None
    data, catalog_document = parse_document(target, raw)
    if data.get("kind") != "gpu_catalog":
        _, kind_line, kind_column = catalog_document.locate(("kind",))
        message = "not a GPU catalogue: a catalogue file declares kind: gpu_catalog"
        raise ModelError([Problem(target, kind_line, kind_column, "kind", message)])
    return data, catalog_document


def _merge_catalog(data: dict, document: Document, catalog: dict, catalog_document: Document) -> None:
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
