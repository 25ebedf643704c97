"""The library calls behind the CLI: build and validate models, returning result objects."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ._errors import FinmodelError, ModelError, Problem, ScenarioError
from ._finite import refuse_non_finite
from ._scenarios import BASE
from .engine import Projection, project, structure_difference
from .export import Writer, projection_document, write_all, write_csv, write_json, write_workbook
from .loading import load_model
from .schema import CompanyModel, Scenario

DEFAULT_MODELS_DIR = Path("models")
DEFAULT_OUTPUT_DIR = Path("outputs")


@dataclass(frozen=True)
class ModelOutcome:
    """What happened to one model file."""

    file: Path
    projection: Projection | None = None
    outputs: tuple[Path, ...] = ()
    problems: tuple[Problem, ...] = ()
    error: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems and self.error is None


@dataclass(frozen=True)
class BuildReport:
    """Outcomes of a build or validate run, in the order the files were given."""

    outcomes: tuple[ModelOutcome, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return all(outcome.ok for outcome in self.outcomes)


def company_model_files(directory: Path = DEFAULT_MODELS_DIR) -> list[Path]:
    """The company models shipped in a directory (its ``*.yaml``; catalogues live in subfolders)."""
    return sorted(path for path in directory.glob("*.yaml") if path.is_file())


def validate(files: Sequence[Path], *, allow_paths: Sequence[Path] = ()) -> BuildReport:
    """Load each model and run every check a build makes before writing (:func:`checked_projections`); write nothing."""
    outcomes = []
    for file in files:
        try:
            checked_projections(load_model(file, allow_paths=allow_paths))
        except ModelError as error:
            outcomes.append(ModelOutcome(file, problems=tuple(error.problems)))
        except FinmodelError as error:
            outcomes.append(ModelOutcome(file, error=str(error)))
        else:
            outcomes.append(ModelOutcome(file))
    return BuildReport(tuple(outcomes))


def checked_projections(model: CompanyModel, scenario: str | None = None) -> dict[str, Projection]:
    """The base case and every scenario, once they pass the checks a build makes before writing.

    Shared by build, validate and check, so that validate never passes a model that build refuses.
    A scenario must change values only, so the workbook can switch to it (an override that changes
    the model's structure is reported at its line), and every projected value must be finite.
    """
    selected = scenario or BASE
    if selected != BASE and selected not in model.scenarios:
        known = ", ".join(model.scenarios) or "none"
        raise ScenarioError(f"no scenario {selected!r} in {model.company.name} (scenarios: {known})")
    try:
        projections = project_all_scenarios(model)
    except np.linalg.LinAlgError as error:
        # numpy-financial's IRR solves a polynomial whose coefficients are the cash flows; flows spanning
        # more than float's 600 orders of magnitude (a figure such as 2e-308 beside a cost) overflow it.
        raise FinmodelError(
            f"cannot be projected: a cohort's IRR could not be solved ({error}); a figure in the model is "
            "probably float dust (such as 2e-308): write 0 instead"
        ) from None
    problems = structure_problems(model, projections)
    if problems:
        raise ModelError(problems)
    refuse_non_finite(projections)
    return projections


def structure_problems(model: CompanyModel, projections: dict[str, Projection]) -> list[Problem]:
    """Each scenario override that changes the model's structure rather than its values."""
    problems = []
    base = projections[BASE]
    for name, scenario in model.scenarios.items():
        difference = structure_difference({BASE: base.graph, name: projections[name].graph})
        if difference is None:
            continue
        culprits = []
        for path, value in scenario.overrides.items():
            alone = model.model_copy(update={"scenarios": {name: Scenario(overrides={path: value})}})
            if structure_difference({BASE: base.graph, name: project(alone, name).graph}) is not None:
                culprits.append(f"scenarios.{name}.overrides.{path}")
        for key in culprits or [f"scenarios.{name}"]:
            where, line, column = model.location_of(key) or model.location_of(f"scenarios.{name}") or ("", 1, 1)
            problems.append(
                Problem(
                    Path(where),
                    line,
                    column,
                    key,
                    f"changes the model's structure, not only its values (line item {difference[1]!r} is defined "
                    "differently), so the workbook cannot switch to it. Structure: allocation rule dates and "
                    "generations, which generations are bought, physical lives, purchases_in_service, tax_losses, "
                    "horizon_start_year",
                )
            )
    return problems


def build(
    files: Sequence[Path] | None = None,
    out_dir: Path = DEFAULT_OUTPUT_DIR,
    *,
    scenario: str | None = None,
    allow_paths: Sequence[Path] = (),
) -> BuildReport:
    """Project each model and write ``<stem>.json``, ``<stem>.csv`` and ``<stem>.xlsx`` into ``out_dir``.

    A model that fails leaves its earlier outputs untouched; the others are still built. A model
    whose file name (compared case-insensitively, as some file systems do) is taken by an earlier
    one in the list is not built, so that it cannot overwrite that one's outputs.
    """
    files = list(files) if files else company_model_files()
    outcomes = []
    claimed: dict[str, Path] = {}
    for file in map(Path, files):
        first = claimed.setdefault(file.stem.casefold(), file)
        if first.resolve() != file.resolve():
            clash = f"{file} and {first} have the same file name, so their outputs would overwrite each other"
            outcomes.append(ModelOutcome(file, error=f"not built: {clash}; rename one or build it with another --out"))
            continue
        outcomes.append(_build_one(file, out_dir, scenario, allow_paths))
    return BuildReport(tuple(outcomes))


def project_all_scenarios(model: CompanyModel) -> dict[str, Projection]:
    """The base case (key ``"base"``) and every scenario of a model, in declaration order."""
    return {BASE: project(model), **{name: project(model, name) for name in model.scenarios}}


def _build_one(file: Path, out_dir: Path, scenario: str | None, allow_paths: Sequence[Path]) -> ModelOutcome:
    try:
        model = load_model(file, allow_paths=allow_paths)
        selected = scenario or BASE
        projections = checked_projections(model, scenario)
        projection = projections[selected]
        others = {name: other for name, other in projections.items() if name != selected}
        descriptions = {BASE: "the model as written, without scenario overrides"}
        descriptions.update({name: scenario.description for name, scenario in model.scenarios.items()})
        document = projection_document(projection, source_file=str(file), scenarios=others, descriptions=descriptions)
        targets: dict[Path, Writer] = {
            out_dir / f"{file.stem}.json": lambda path: write_json(document, path),
            out_dir / f"{file.stem}.csv": lambda path: write_csv(projection, path),
            out_dir / f"{file.stem}.xlsx": lambda path: write_workbook(projections, selected, path),
        }
        write_all(targets)
    except ModelError as error:
        return ModelOutcome(file, problems=tuple(error.problems))
    except FinmodelError as error:
        return ModelOutcome(file, error=str(error))
    return ModelOutcome(file, projection=projection, outputs=tuple(targets))
