"""Prove a model's workbook: recalculate it with LibreOffice and compare every formula cell.

For each scenario a copy of the workbook has only its selector cell changed (as an analyst
would in Excel); LibreOffice recalculates all copies in one call, and each copy must equal
the engine's projection of that scenario.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from .._build import Progress, Step, checked_projections, silent
from ..export import WorkbookLayout, write_workbook
from ..loading import load_model
from ._libreoffice import Mismatch, compare, recalculate, recalculated_values

REL_TOL = 1e-9


@dataclass(frozen=True)
class WorkbookCheck:
    """The verdict of the oracle on one scenario of one model's workbook."""

    model_file: Path
    scenario: str
    formula_cells: int
    numeric_cells: int
    mismatches: tuple[Mismatch, ...]
    error_cells: tuple[str, ...]

    @property
    def formula_share(self) -> float:
        """Share of numeric cells that are formulas (inputs are the rest)."""
        return self.formula_cells / self.numeric_cells if self.numeric_cells else 0.0

    @property
    def ok(self) -> bool:
        return not self.mismatches and not self.error_cells


def check_models(
    files: list[Path], work_dir: Path | None = None, *, allow_paths: Sequence[Path] = (), progress: Progress = silent
) -> list[WorkbookCheck]:
    """Write each model's workbook, switch it to every scenario, recalculate, compare.

    ``progress`` is told of each step as it starts and is done: each model's workbooks written, the
    one LibreOffice run over all of them (the slow step), each model's comparison."""
    total = 2 * len(files) + 1
    with tempfile.TemporaryDirectory(prefix="finmodel-check-") as scratch:
        directory = Path(work_dir) if work_dir else Path(scratch)
        directory.mkdir(parents=True, exist_ok=True)
        jobs: list[list[tuple]] = []
        for file in files:
            progress(Step(len(jobs), total, f"writing the workbooks of {file}", finished=False))
            model = load_model(file, allow_paths=allow_paths)
            projections = checked_projections(model)
            original = directory / f"{file.stem}.xlsx"
            layout = write_workbook(projections, "base", original)
            formula_count, numeric_count = count_cells(original)
            jobs.append([])
            for scenario, projection in projections.items():
                switched = directory / f"{file.stem}--{scenario}.xlsx"
                if scenario in projections.structural:  # its own formulas: a workbook of its own
                    own = write_workbook(projections, scenario, switched)
                    jobs[-1].append((file, scenario, switched, own, projection, *count_cells(switched)))
                    continue
                select_scenario(original, switched, layout, scenario)
                jobs[-1].append((file, scenario, switched, layout, projection, formula_count, numeric_count))
            progress(Step(len(jobs), total, f"{file}: {len(jobs[-1])} workbook(s) written, one per scenario"))
        switched_copies = [job[2] for model_jobs in jobs for job in model_jobs]
        message = f"recalculating {len(switched_copies)} workbook(s) with LibreOffice"
        progress(Step(len(files), total, message, finished=False))
        recalculated = recalculate(switched_copies, directory / "recalculated")
        progress(Step(len(files) + 1, total, f"{len(switched_copies)} workbook(s) recalculated"))
        checks: list[WorkbookCheck] = []
        for done, model_jobs in enumerate(jobs, len(files) + 2):
            found = [
                _compare(file, scenario, recalculated[switched], layout, projection, formulas, numbers)
                for file, scenario, switched, layout, projection, formulas, numbers in model_jobs
            ]
            checks.extend(found)
            verdict = "every formula cell agrees" if all(check.ok for check in found) else "differences found"
            progress(Step(done, total, f"{model_jobs[0][0]}: compared with the engine: {verdict}"))
        return checks


def select_scenario(source: Path, target: Path, layout: WorkbookLayout, scenario: str) -> None:
    """Save a copy of a workbook with the Cover's scenario selector set (nothing else changes)."""
    workbook = openpyxl.load_workbook(source)
    sheet, cell = layout.selector
    workbook[sheet][cell] = scenario
    workbook.save(target)


def count_cells(path: Path) -> tuple[int, int]:
    """(formula cells, numeric cells): a numeric cell is a number or a formula."""
    workbook = openpyxl.load_workbook(path)
    formulas = numbers = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    formulas += 1
                    numbers += 1
                elif cell.data_type == "n" and cell.value is not None:
                    numbers += 1
    return formulas, numbers


def _compare(file, scenario, recalculated_path, layout, projection, formula_count, numeric_count) -> WorkbookCheck:
    values = recalculated_values(recalculated_path)
    expected = layout.expected(projection)
    numeric = {key: value for key, value in expected.items() if isinstance(value, float)}
    mismatches = compare(numeric, values, rel_tol=REL_TOL, abs_tol=1e-9)  # NaN never matches
    for key, value in expected.items():
        if isinstance(value, str) and values.get(key) != value:
            mismatches.append(Mismatch(key[0], key[1], value, values.get(key)))  # type: ignore[arg-type]
    errors = tuple(
        f"{sheet}!{cell}: {value}"
        for (sheet, cell), value in values.items()
        if isinstance(value, str) and value.startswith("#")
    )
    return WorkbookCheck(file, scenario, formula_count, numeric_count, tuple(mismatches), errors)
