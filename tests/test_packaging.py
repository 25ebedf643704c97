"""The wheel's contents: pyproject lists packages by hand (the templates and the GPU catalogue live
outside the package), so every package folder must be on that list, the folders outside must map
into the package, and every file they hold must be package data."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTSIDE = {"finmodel.templates": "templates", "finmodel.catalog": "models/catalog"}


def _setuptools() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_pyproject_lists_every_package_and_maps_the_folders_outside() -> None:
    setuptools = _setuptools()
    folders = {".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "finmodel").rglob("__init__.py")}
    assert set(setuptools["packages"]) == folders | set(OUTSIDE)
    assert setuptools["package-dir"] == OUTSIDE
    templates = {path.suffix for path in (ROOT / "templates").rglob("*") if path.is_file()}
    assert templates <= {".j2", ".css"}, "a template of another kind would be left out of the wheel"


def test_the_builtin_catalogue_and_the_starter_model_are_package_data() -> None:
    data = _setuptools()["package-data"]
    catalogue = [path for path in (ROOT / "models" / "catalog").rglob("*") if path.is_file()]
    assert catalogue and all(path.parent == ROOT / "models" / "catalog" for path in catalogue)
    assert data["finmodel.catalog"] == ["*.yaml"] and all(path.suffix == ".yaml" for path in catalogue), (
        "a catalogue file of another kind, or in a subfolder, would be left out of the wheel"
    )
    assert "starter.yaml" in data["finmodel.loading"]
    assert (ROOT / "finmodel" / "loading" / "starter.yaml").is_file()


def test_the_version_has_one_source() -> None:
    import finmodel

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "finmodel.__version__"}
    assert finmodel.__version__.count(".") == 2
