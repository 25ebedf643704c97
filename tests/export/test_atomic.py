"""Outputs are replaced as a set, or not at all."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from finmodel import ExportError
from finmodel.export import _atomic
from finmodel.export._atomic import write_all

NAMES = ("m.json", "m.csv", "m.xlsx")


def writing(text: str):
    return lambda path: Path(path).write_text(text, encoding="utf-8")


def contents(directory: Path) -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in directory.iterdir()}


def old_set(directory: Path) -> dict[str, str]:
    for name in NAMES:
        (directory / name).write_text(f"old {name}", encoding="utf-8")
    return contents(directory)


def test_a_move_that_fails_puts_the_previous_set_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = old_set(tmp_path)
    real_replace = os.replace

    def locked_workbook(source: str | Path, target: str | Path) -> None:
        if str(target).endswith("m.xlsx") and str(source).endswith(".tmp"):
            raise PermissionError(13, "The process cannot access the file because it is being used")
        real_replace(source, target)

    monkeypatch.setattr(_atomic.os, "replace", locked_workbook)
    with pytest.raises(ExportError, match=r"m\.xlsx.*being used") as caught:
        write_all({tmp_path / name: writing(f"new {name}") for name in NAMES})
    assert "previous" in str(caught.value)
    assert contents(tmp_path) == before  # the JSON and CSV moved first: they are back, and nothing is left over


def test_leftovers_of_an_interrupted_build_are_cleared_first(tmp_path: Path) -> None:
    old_set(tmp_path)
    # Killed while writing: a temporary of each kind; killed while moving: the JSON is new, its backup old.
    (tmp_path / ".m.json.k2j4.tmp").write_text("half", encoding="utf-8")
    (tmp_path / ".m.xlsx.a8c1.tmp").write_text("half", encoding="utf-8")
    (tmp_path / "m.json").write_text("new m.json", encoding="utf-8")
    (tmp_path / ".m.json.backup").write_text("old m.json", encoding="utf-8")
    (tmp_path / ".other.json.zz99.tmp").write_text("another build's", encoding="utf-8")

    def failing(path: Path) -> None:
        raise OSError("disk full")

    with pytest.raises(ExportError, match="disk full"):
        write_all({tmp_path / "m.json": writing("newer"), tmp_path / "m.csv": failing, tmp_path / "m.xlsx": failing})
    # The interrupted move is undone, so the old set is whole again; other stems are not touched.
    assert contents(tmp_path) == {**{name: f"old {name}" for name in NAMES}, ".other.json.zz99.tmp": "another build's"}

    write_all({tmp_path / name: writing(f"new {name}") for name in NAMES})
    assert contents(tmp_path) == {**{name: f"new {name}" for name in NAMES}, ".other.json.zz99.tmp": "another build's"}
