"""The one exception hierarchy of finmodel."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class FinmodelError(Exception):
    """Base of every error finmodel raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a model file, with where it is."""

    file: Path
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{self.file}:{self.line}:{self.column}: {where}{self.message}"


class ModelError(FinmodelError):
    """A model file could not be loaded; ``problems`` lists everything found, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (str(p.file), p.line, p.column, p.path))
        super().__init__("\n".join(str(problem) for problem in self.problems))


class ScenarioError(FinmodelError):
    """A scenario was asked for that the model does not define."""


class InputError(FinmodelError):
    """Values passed to ``project(inputs=...)`` name no input, are structural, or have the wrong shape."""


class SimulationError(FinmodelError):
    """A simulation cannot run: the model declares no uncertainty, a draw count or chunk size is out of range,
    or its executor (a dask cluster) cannot be reached."""


class ExportError(FinmodelError):
    """An output could not be written."""


class RecalcError(FinmodelError):
    """LibreOffice could not be run, or its output cannot be trusted as a recalculation."""
