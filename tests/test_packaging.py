"""The wheel's contents: pyproject lists packages by hand (the templates live outside the package),
so every package folder must be on that list, and the templates folder must map into the package."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_pyproject_lists_every_package_and_maps_the_templates() -> None:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    folders = {".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "finmodel").rglob("__init__.py")}
    assert set(setuptools["packages"]) == folders | {"finmodel.templates"}
    assert setuptools["package-dir"] == {"finmodel.templates": "templates"}
    templates = {path.suffix for path in (ROOT / "templates").rglob("*") if path.is_file()}
    assert templates <= {".j2", ".css"}, "a template of another kind would be left out of the wheel"
