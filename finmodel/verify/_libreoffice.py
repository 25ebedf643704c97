"""Recalculate workbooks with headless LibreOffice, the oracle that proves exported formulas.

An exported workbook stores each formula's value as computed by the engine. Those cached values
prove nothing about the formulas, and LibreOffice trusts them on load unless its profile says
otherwise, so every run gets a throwaway profile that forces recalculation, and a canary workbook
whose cached value is deliberately wrong rides along in the same soffice call: if the canary comes
back uncorrected, no output of that call is trusted.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import xlsxwriter
from openpyxl.worksheet.formula import ArrayFormula

from .._errors import RecalcError
from .._process import run_group

Coordinate = tuple[str, str]
"""(sheet title, "A1"-style cell reference)."""

_SOFFICE_NAMES = ("soffice", "libreoffice")
_SOFFICE_FALLBACKS = (
    "/usr/bin/soffice",
    "/usr/bin/libreoffice",
    "/usr/lib/libreoffice/program/soffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
)

# 0 = "always recalculate" for both file families; the default (1 = never) keeps cached values.
_RECALC_ALWAYS_PROFILE = """\
<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" \
xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""

_CANARY_NAME = "canary.xlsx"
_CANARY_SHEET = "Canary"
_CANARY_CELL = "A3"
_CANARY_STALE_VALUE = 999
_CANARY_TRUE_VALUE = 3


@dataclass(frozen=True)
class Mismatch:
    """One cell whose recalculated value is not the engine's."""

    sheet: str
    cell: str
    expected: float
    actual: object

    def __str__(self) -> str:
        return f"{self.sheet}!{self.cell}: expected {self.expected!r}, LibreOffice computed {self.actual!r}"


def find_soffice() -> str | None:
    """The LibreOffice executable to use, or None when LibreOffice is not installed."""
    for name in _SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return found
    opt_installs = sorted(Path("/opt").glob("libreoffice*/program/soffice"), reverse=True)
    for candidate in [*map(Path, _SOFFICE_FALLBACKS), *opt_installs]:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def recalculate(files: Sequence[Path], out_dir: Path, *, timeout_s: float = 300) -> dict[Path, Path]:
    """Recalculate every workbook in one soffice call; map each input to its recalculated copy.

    Copies land in ``out_dir`` as ``NNN-<stem>.xlsx`` (NNN = position in ``files``), so inputs with
    the same name from different folders do not overwrite each other. Raises RecalcError when an
    input or soffice is missing, or soffice fails, times out, leaves any output unwritten, or
    leaves the canary's stale value in place.
    """
    inputs = [Path(file) for file in files]
    absent = [str(file) for file in inputs if not file.is_file()]
    if absent:
        raise RecalcError(f"cannot recalculate missing workbooks: {', '.join(absent)}")
    soffice = find_soffice()
    if soffice is None:
        raise RecalcError("LibreOffice not found: install it (Debian: libreoffice-calc-nogui) or put soffice on PATH")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="finmodel-soffice-") as scratch_name:
        scratch = Path(scratch_name)
        staged_dir, converted_dir = scratch / "in", scratch / "out"
        staged_dir.mkdir()
        converted_dir.mkdir()
        staged_names = {file: f"{index:03d}-{file.stem}" for index, file in enumerate(inputs)}
        staged = [staged_dir / f"{staged_names[file]}{file.suffix}" for file in inputs]
        for file, copy in zip(inputs, staged, strict=True):
            shutil.copyfile(file, copy)
        canary = staged_dir / _CANARY_NAME
        _write_canary(canary)
        soffice_output = _run_soffice(soffice, [canary, *staged], converted_dir, scratch, timeout_s)
        unwritten = [str(file) for file in inputs if not (converted_dir / f"{staged_names[file]}.xlsx").is_file()]
        if unwritten:
            raise RecalcError(f"LibreOffice wrote no recalculated copy of: {', '.join(unwritten)}\n{soffice_output}")
        _check_canary(converted_dir / _CANARY_NAME, soffice_output)
        recalculated: dict[Path, Path] = {}
        for file in inputs:
            target = out_dir / f"{staged_names[file]}.xlsx"
            shutil.move(converted_dir / target.name, target)
            recalculated[file] = target
    return recalculated


def recalculated_values(path: Path) -> dict[Coordinate, object]:
    """Every non-empty cell's stored value; on a recalculated copy these are LibreOffice's results."""
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return {
            (sheet.title, cell.coordinate): cell.value
            for sheet in workbook.worksheets
            for row in sheet.iter_rows()
            for cell in row
            if cell.value is not None
        }
    finally:
        workbook.close()


def formula_cells(path: Path) -> dict[Coordinate, str]:
    """Every formula cell's formula text (with its leading '='), to check what a workbook computes."""
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        return {
            (sheet.title, cell.coordinate): _formula_text(cell.value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows()
            for cell in row
            if cell.data_type == "f"
        }
    finally:
        workbook.close()


def compare(
    expected: Mapping[Coordinate, float],
    recalculated: Mapping[Coordinate, object],
    *,
    rel_tol: float = 1e-9,
    abs_tol: float = 1e-9,
) -> list[Mismatch]:
    """The expected cells whose recalculated value differs, in the order of ``expected``.

    A number matches within the tolerances (math.isclose); an Excel error value ('#DIV/0!',
    '#NAME?', ...) never matches, whatever was expected; a cell absent from ``recalculated`` is a
    mismatch with actual None. Cells not named in ``expected`` are not examined.
    """
    return [
        Mismatch(sheet, cell, value, recalculated.get((sheet, cell)))
        for (sheet, cell), value in expected.items()
        if not _matches(value, recalculated.get((sheet, cell)), rel_tol=rel_tol, abs_tol=abs_tol)
    ]


def _matches(expected: object, actual: object, *, rel_tol: float, abs_tol: float) -> bool:
    if actual is None or _is_excel_error(actual):
        return False
    if isinstance(actual, int | float) and isinstance(expected, int | float) and _is_number(actual):
        return math.isclose(float(actual), float(expected), rel_tol=rel_tol, abs_tol=abs_tol)
    return actual == expected


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_excel_error(value: object) -> bool:
    return isinstance(value, str) and value.startswith("#")


def _formula_text(value: object) -> str:
    return value.text if isinstance(value, ArrayFormula) else str(value)


def _write_canary(path: Path) -> None:
    """A workbook whose cached value is wrong on purpose: only a real recalculation corrects it."""
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet(_CANARY_SHEET)
    sheet.write_number("A1", 1)
    sheet.write_number("A2", 2)
    sheet.write_formula(_CANARY_CELL, "=A1+A2", None, _CANARY_STALE_VALUE)
    workbook.close()


def _check_canary(path: Path, soffice_output: str) -> None:
    if not path.is_file():
        raise RecalcError(f"LibreOffice wrote no recalculated copy of the canary workbook\n{soffice_output}")
    value = recalculated_values(path).get((_CANARY_SHEET, _CANARY_CELL))
    if value != _CANARY_TRUE_VALUE:
        raise RecalcError(
            f"LibreOffice did not recalculate: canary {_CANARY_SHEET}!{_CANARY_CELL} (=A1+A2 with A1=1, A2=2) "
            f"reads {value!r}, not {_CANARY_TRUE_VALUE}; no output of this run is trusted"
        )


def _run_soffice(soffice: str, files: list[Path], out_dir: Path, scratch: Path, timeout_s: float) -> str:
    """Convert ``files`` to xlsx in ``out_dir`` with a private, recalculate-always profile; return its output.

    The profile and HOME live in ``scratch``, so no other LibreOffice instance (which would take the
    files over and ignore this profile) and no user setting can touch the run; it runs under a
    deadline, its helper processes with it (:mod:`finmodel._process`).
    """
    profile = scratch / "profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_RECALC_ALWAYS_PROFILE, encoding="utf-8")
    home = scratch / "home"
    home.mkdir()
    command = [
        soffice,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        "xlsx",
        "--outdir",
        str(out_dir),
        *map(str, files),
    ]
    environment = {**os.environ, "HOME": str(home), "TMPDIR": str(scratch)}
    return run_group(command, environment, timeout_s, RecalcError, f"converting {len(files)} files")
