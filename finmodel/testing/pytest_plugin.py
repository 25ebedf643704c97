"""A pytest plugin: a repository of company models is tested with plain ``pytest``.

Off unless asked, so it never surprises another project: ``pytest --finmodel-models models``
(repeatable), or ``finmodel_models = models`` in the ini file. Every ``*.yaml`` company model
under those folders (catalogues are skipped) becomes a file of test items: ``validate`` (what
``finmodel validate`` checks), ``base`` and ``scenario[NAME]`` (the invariants of each
projection) and ``relational`` (price and economic-life monotonicity, unit consistency).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

FOLDERS = pytest.StashKey[list[Path]]()
_CATALOGUE = re.compile(r"^kind:\s*['\"]?gpu_catalog", re.MULTILINE)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("finmodel", "finmodel company models")
    group.addoption(
        "--finmodel-models",
        action="append",
        default=[],
        metavar="DIR",
        help="test every finmodel company model (*.yaml) under DIR against the invariants (repeatable)",
    )
    parser.addini("finmodel_models", type="paths", default=[], help="folders of finmodel company models to test")


def pytest_configure(config: pytest.Config) -> None:
    """Remember the model folders, and collect them even when they are not among pytest's arguments."""
    given = [config.invocation_params.dir / folder for folder in config.getoption("finmodel_models")]
    folders = [Path(folder).resolve() for folder in [*given, *config.getini("finmodel_models")]]
    config.stash[FOLDERS] = folders
    collected = [(config.invocation_params.dir / arg.split("::")[0]).resolve() for arg in config.args]
    config.args.extend(str(folder) for folder in folders if not any(folder.is_relative_to(arg) for arg in collected))


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    folders = parent.config.stash.get(FOLDERS, [])
    if file_path.suffix not in (".yaml", ".yml") or not any(file_path.is_relative_to(f) for f in folders):
        return None
    if _CATALOGUE.search(file_path.read_text(encoding="utf-8", errors="replace")):
        return None
    return ModelFile.from_parent(parent, path=file_path)


class ModelFile(pytest.File):
    """A company model file: one item if it does not load, else one per check."""

    def collect(self) -> Iterator[pytest.Item]:
        from .. import FinmodelError, load_model, project
        from .invariants import RELATIONAL_INVARIANTS, check_all

        try:
            model = load_model(self.path)
        except FinmodelError as error:
            yield CheckItem.from_parent(self, name="load", check=lambda failure=error: _raise(failure))
            return
        yield CheckItem.from_parent(self, name="validate", check=lambda: _validated(model))
        yield CheckItem.from_parent(self, name="base", check=lambda: check_all(project(model)))
        for scenario in model.scenarios:
            yield CheckItem.from_parent(
                self, name=f"scenario[{scenario}]", check=lambda name=scenario: check_all(project(model, name))
            )
        yield CheckItem.from_parent(
            self, name="relational", check=lambda: [v for check in RELATIONAL_INVARIANTS for v in check(model)]
        )


class InvariantsFailed(Exception):
    """The violations one item found."""


class CheckItem(pytest.Item):
    """One check of a model; fails listing every violation by line item and period."""

    def __init__(self, *, check: Callable[[], list[Any]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check = check

    def runtest(self) -> None:
        violations = self.check()
        if violations:
            raise InvariantsFailed("\n".join(map(str, violations)))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        from .. import FinmodelError

        if isinstance(excinfo.value, InvariantsFailed | FinmodelError):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, self.name


def _raise(error: Exception) -> list[Any]:
    raise error


def _validated(model: Any) -> list[Any]:
    """What ``finmodel validate`` checks after loading (scenarios change values only, values are finite)."""
    from .._build import checked_projections

    checked_projections(model)
    return []
