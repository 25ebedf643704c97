"""Data flows one way: schema → scenarios → loader → engine → simulate, sensitivity → exporters →
verify/build → CLI.

Each module's imports are read from its source (not by importing it), resolved to package
modules, and checked against what its layer may use.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "finmodel"

# Layer (a module-name prefix) → prefixes it may import from inside the package.
ALLOWED = {
    "finmodel.schema": ("finmodel.schema", "finmodel._errors"),
    "finmodel._scenarios": ("finmodel.schema", "finmodel._errors"),
    "finmodel.loading": ("finmodel.schema", "finmodel._errors", "finmodel._scenarios"),
    "finmodel.engine": ("finmodel.engine", "finmodel.schema", "finmodel._errors", "finmodel._scenarios"),
    "finmodel.simulate": (
        "finmodel.simulate",
        "finmodel.engine",
        "finmodel.engine.presentation",
        "finmodel.schema",
        "finmodel._errors",
        "finmodel._scenarios",
    ),
    "finmodel.sensitivity": (
        "finmodel.engine",
        "finmodel.engine.presentation",
        "finmodel.schema",
        "finmodel._errors",
        "finmodel._scenarios",
    ),
    "finmodel.export": (
        "finmodel.export",
        "finmodel.simulate",
        "finmodel.engine",
        "finmodel.engine.presentation",
        "finmodel.sensitivity",
        "finmodel.schema",
        "finmodel._errors",
        "finmodel._scenarios",
        "finmodel._process",
    ),
}
PUBLIC_ENGINE = {"finmodel.engine", "finmodel.engine.presentation"}
PUBLIC_SENSITIVITY = {"finmodel.sensitivity"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("finmodel"):
                found.add(target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("finmodel"))
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: _module_name(p))
def test_module_imports_only_from_layers_below(path: Path) -> None:
    module = _module_name(path)
    layer = next((prefix for prefix in ALLOWED if module == prefix or module.startswith(prefix + ".")), None)
    if layer is None:
        return
    for target in _imports(path):
        assert any(target == allowed or target.startswith(allowed + ".") for allowed in (layer, *ALLOWED[layer])), (
            f"{module} imports {target}"
        )
        if layer != "finmodel.engine" and target.startswith("finmodel.engine"):
            assert target in PUBLIC_ENGINE, f"{module} reaches into the engine's private module {target}"
        if layer != "finmodel.sensitivity" and target.startswith("finmodel.sensitivity"):
            assert target in PUBLIC_SENSITIVITY, f"{module} reaches into the sensitivity's private module {target}"


def test_the_rules_see_relative_imports() -> None:
    # The checker itself must resolve `from ..engine import x` inside finmodel/export/_tables.py.
    assert "finmodel.engine" in _imports(PACKAGE / "export" / "_tables.py")
    assert "finmodel.engine._ir" in _imports(PACKAGE / "engine" / "blocks" / "capex.py")


def test_no_module_is_longer_than_about_400_lines() -> None:
    long = {_module_name(p): n for p in MODULES if (n := len(p.read_text().splitlines())) > 420}
    assert not long, long
