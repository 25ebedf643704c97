"""The library calls behind the CLI: build and validate models, returning result objects."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ._errors import ExportError, FinmodelError, ModelError, Problem, ScenarioError
from ._finite import refuse_non_finite
from ._scenarios import BASE
from .engine import Projection, Reconciled, ScenarioProjections, project, project_all_scenarios, structure_difference
from .export import (
    NO_CHROMIUM,
    Writer,
    find_chromium,
    print_pdf,
    projection_document,
    write_all,
    write_comparison,
    write_csv,
    write_json,
    write_memo,
    write_workbook,
)
from .loading import load_model
from .schema import CompanyModel, Scenario
from .sensitivity import Sensitivity, plan, sensitivity
from .simulate import simulate, uncertainty_problems

DEFAULT_MODELS_DIR = Path("models")
DEFAULT_OUTPUT_DIR = Path("outputs")
_MODEL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


@dataclass(frozen=True)
class Step:
    """How far a run has come: ``done`` of ``total`` steps; ``message`` says what has just finished
    (``finished``) or what is starting (its file names come from the caller: print them inert)."""

    done: int
    total: int
    message: str
    finished: bool = True


Progress = Callable[[Step], None]
"""Told of each step of a long run (build, validate, check) as it starts and as it finishes."""


def silent(step: Step) -> None:
    """The progress callback of a run nobody watches."""


@dataclass(frozen=True)
class ModelOutcome:
    """What happened to one model file."""

    file: Path
    projection: Projection | None = None
    scenarios: Mapping[str, Projection] = field(default_factory=dict)
    """Every projection of the model: ``"base"`` and each scenario."""
    warnings: tuple[str, ...] = ()
    """Reported figures the model misses by more than its tolerance."""
    outputs: tuple[Path, ...] = ()
    problems: tuple[Problem, ...] = ()
    error: str | None = None
    sensitivity: Sensitivity | None = None
    """The tornado, grids and break-evens the memo and workbook show (of the scenario built)."""

    @property
    def ok(self) -> bool:
        return not self.problems and self.error is None


@dataclass(frozen=True)
class BuildReport:
    """Outcomes of a build or validate run, in the order the files were given."""

    outcomes: tuple[ModelOutcome, ...] = field(default_factory=tuple)
    comparison: Path | None = None
    """The comparison memo, written when several models were built."""
    comparison_error: str | None = None

    @property
    def ok(self) -> bool:
        return all(outcome.ok for outcome in self.outcomes) and self.comparison_error is None


def company_model_files(directory: Path = DEFAULT_MODELS_DIR) -> list[Path]:
    """The company models shipped in a directory (its ``*.yaml``; catalogues live in subfolders)."""
    return sorted(path for path in directory.glob("*.yaml") if path.is_file())


def validate(
    files: Sequence[Path], *, allow_paths: Sequence[Path] = (), strict: bool = False, progress: Progress = silent
) -> BuildReport:
    """Load each model and run every check a build makes before writing (:func:`checked_projections`); write nothing.

    ``strict`` also fails a model whose base case is outside its own reconciliation tolerance,
    each such figure reported at its line. ``progress`` is told as each model starts and is done.
    """
    outcomes: list[ModelOutcome] = []
    for file in files:
        progress(Step(len(outcomes), len(files), f"checking {file}", finished=False))
        try:
            model = load_model(file, allow_paths=allow_paths)
            projections = checked_projections(model)
            base = projections[BASE]
            plan(model, base)
            outside = [item for item in base.reconciliation if not item.within]
            if strict and outside:
                raise ModelError([_reconciliation_problem(model, item) for item in outside])
        except ModelError as error:
            outcomes.append(ModelOutcome(file, problems=tuple(error.problems)))
        except FinmodelError as error:
            outcomes.append(ModelOutcome(file, error=str(error)))
        else:
            notes = structure_notes(model, projections)
            outcomes.append(ModelOutcome(file, warnings=reconciliation_warnings(base) + notes))
        progress(Step(len(outcomes), len(files), f"{file}: {'checked' if outcomes[-1].ok else 'failed'}"))
    return BuildReport(tuple(outcomes))


def reconciliation_warnings(projection: Projection) -> tuple[str, ...]:
    """A sentence for each reported figure the model misses by more than its tolerance."""
    return tuple(
        f"reconciliation: {item.name} {item.period}: model {item.model:,.3f} vs reported {item.reported:,.3f} "
        f"({item.variance_share:+.1%}, tolerance ±{item.tolerance:.0%}) — {item.basis}"
        for item in projection.reconciliation
        if not item.within
    )


def _reconciliation_problem(model: CompanyModel, item: Reconciled) -> Problem:
    key = f"reported.{item.name}.by_period.{item.period}"
    where, line, column = model.location_of(key) or model.location_of(f"reported.{item.name}") or ("", 1, 1)
    message = (
        f"the model gives {item.model:,.3f} against {item.reported:,.3f} reported ({item.variance_share:+.1%}), "
        f"outside the tolerance of ±{item.tolerance:.0%}"
    )
    return Problem(Path(where), line, column, key, message)


def checked_projections(model: CompanyModel, scenario: str | None = None) -> ScenarioProjections:
    """The base case and every scenario, once they pass the checks a build makes before writing.

    Shared by build, validate and check, so that validate never passes a model that build refuses.
    An ``uncertainty:`` entry must name inputs that can vary by draw (reported at its line), and
    every projected value must be finite. A scenario that changes the structure is projected on a
    graph of its own (see :func:`structure_notes`).
    """
    selected = scenario or BASE
    if selected != BASE and selected not in model.scenarios:
        known = ", ".join(model.scenarios) or "none"
        raise ScenarioError(f"no scenario {selected!r} in {model.company.name} (scenarios: {known})")
    projections = project_all_scenarios(model)
    problems = uncertainty_problems(model)
    if problems:
        raise ModelError(problems)
    refuse_non_finite(projections)
    return projections


def structure_notes(model: CompanyModel, projections: ScenarioProjections) -> tuple[str, ...]:
    """A located sentence for each scenario override that changes the model's structure, not only its
    values: such a scenario is projected on its own graph, and the workbook's selector cannot reach it."""
    notes = []
    base = projections[BASE]
    for name in projections.structural:
        scenario = model.scenarios[name]
        difference = structure_difference({BASE: base.graph, name: projections[name].graph})
        assert difference is not None, "a structural scenario's graph differs from the base's"
        culprits = []
        for path, value in scenario.overrides.items():
            alone = model.model_copy(update={"scenarios": {name: Scenario(overrides={path: value})}})
            if structure_difference({BASE: base.graph, name: project(alone, name).graph}) is not None:
                culprits.append(f"scenarios.{name}.overrides.{path}")
        for key in culprits or [f"scenarios.{name}"]:
            where, line, column = model.location_of(key) or model.location_of(f"scenarios.{name}") or ("", 1, 1)
            notes.append(
                f"{where}:{line}:{column}: {key}: changes the model's structure (line item {difference[1]!r} is "
                "defined differently), so the scenario is projected on its own graph: the workbook's Cover "
                "compares it as values and its selector cannot switch to it"
            )
    return tuple(notes)


def build(
    files: Sequence[Path] | None = None,
    out_dir: Path = DEFAULT_OUTPUT_DIR,
    *,
    scenario: str | None = None,
    allow_paths: Sequence[Path] = (),
    pdf: bool = False,
    progress: Progress = silent,
) -> BuildReport:
    """Project each model and write ``<stem>.json``, ``.csv``, ``.xlsx`` and the memo ``.html`` into
    ``out_dir`` (``<stem>-<scenario>.*`` for a scenario, so the base case is never overwritten), and
    with several models a comparison memo; with ``pdf``, each memo also as ``.pdf`` (printed by
    headless Chromium: without one, :class:`ExportError` before anything is built).

    A model that fails leaves its earlier outputs untouched; the others are still built. A model
    whose file name (compared case-insensitively, as some file systems do) is taken by an earlier
    one in the list is not built, so that it cannot overwrite that one's outputs. A model with an
    ``uncertainty:`` block is simulated (its declared ``draws``) for the memo's uncertainty section.
    ``progress`` is told as each model starts and is done.
    """
    files = list(files) if files else company_model_files()
    chromium = find_chromium() if pdf else None
    if pdf and chromium is None:
        raise ExportError(NO_CHROMIUM)
    outcomes: list[ModelOutcome] = []
    claimed: dict[str, Path] = {}
    for file in map(Path, files):
        progress(Step(len(outcomes), len(files), f"building {file}", finished=False))
        first = claimed.setdefault(file.stem.casefold(), file)
        if first.resolve() != file.resolve():
            clash = f"{file} and {first} have the same file name, so their outputs would overwrite each other"
            outcomes.append(ModelOutcome(file, error=f"not built: {clash}; rename one or build it with another --out"))
        else:
            outcomes.append(_build_one(file, out_dir, scenario, allow_paths, chromium))
        progress(Step(len(outcomes), len(files), f"{file}: {'built' if outcomes[-1].ok else 'failed'}"))
    built = {outcome.file.stem: outcome.scenarios for outcome in outcomes if outcome.ok}
    if len(built) < 2:
        return BuildReport(tuple(outcomes))
    progress(Step(len(outcomes), len(files), "writing the comparison memo", finished=False))
    target = out_dir / ("comparison.html" if scenario is None else f"comparison-{scenario}.html")
    try:
        write_all(_with_pdf({target: lambda path: write_comparison(built, path)}, chromium))
    except FinmodelError as error:
        return BuildReport(tuple(outcomes), comparison_error=str(error))
    return BuildReport(tuple(outcomes), comparison=target)


def _with_pdf(targets: dict[Path, Writer], chromium: str | None) -> dict[Path, Writer]:
    """The targets and, given Chromium, a ``.pdf`` of each ``.html``, printed from its staged copy so
    that the PDF is replaced together with the rest of the set."""
    if chromium is None:
        return targets
    staged: dict[Path, Path] = {}

    def staging(target: Path, writer: Writer) -> Writer:
        def write(path: Path) -> None:
            writer(path)
            staged[target] = path

        return write

    def printing(html: Path) -> Writer:
        return lambda path: print_pdf(staged[html], path, chromium=chromium)

    written = {target: staging(target, writer) for target, writer in targets.items()}
    pdfs = {target.with_suffix(".pdf"): printing(target) for target in targets if target.suffix == ".html"}
    return written | pdfs


def _build_one(
    file: Path, out_dir: Path, scenario: str | None, allow_paths: Sequence[Path], chromium: str | None = None
) -> ModelOutcome:
    try:
        model = load_model(file, allow_paths=allow_paths)
        selected = scenario or BASE
        projections = checked_projections(model, scenario)
        projection = projections[selected]
        simulation = simulate(model, scenario=scenario) if model.uncertainty is not None else None
        analysis = sensitivity(model, scenario, base=projection)
        others = {name: other for name, other in projections.items() if name != selected}
        descriptions = {BASE: "the model as written, without scenario overrides"}
        descriptions.update({name: scenario.description for name, scenario in model.scenarios.items()})
        document = projection_document(projection, source_file=str(file), scenarios=others, descriptions=descriptions)
        stem = file.stem if scenario is None else f"{file.stem}-{scenario}"
        targets: dict[Path, Writer] = {
            out_dir / f"{stem}.json": lambda path: write_json(document, path),
            out_dir / f"{stem}.csv": lambda path: write_csv(projection, path),
            out_dir / f"{stem}.xlsx": lambda path: write_workbook(projections, selected, path, sensitivity=analysis),
            out_dir / f"{stem}.html": lambda path: write_memo(
                projections, selected, path, simulation, sensitivity=analysis
            ),
        }
        targets = _with_pdf(targets, chromium)
        write_all(targets)
    except ModelError as error:
        return ModelOutcome(file, problems=tuple(error.problems))
    except FinmodelError as error:
        return ModelOutcome(file, error=str(error))
    return ModelOutcome(
        file,
        projection=projection,
        scenarios=projections,
        outputs=tuple(targets),
        warnings=reconciliation_warnings(projection) + structure_notes(model, projections),
        sensitivity=analysis,
    )


@dataclass(frozen=True)
class SensitivityReport:
    """A model's sensitivity and the JSON file it was written to."""

    file: Path
    sensitivity: Sensitivity
    output: Path


def write_sensitivity(
    file: Path,
    out_dir: Path = DEFAULT_OUTPUT_DIR,
    *,
    scenario: str | None = None,
    allow_paths: Sequence[Path] = (),
) -> SensitivityReport:
    """Compute a model's sensitivity (:func:`finmodel.sensitivity`) after the checks a build makes, and
    write ``out_dir/<stem>-sensitivity.json`` (``<stem>-<scenario>-sensitivity.json`` for a scenario),
    replacing any earlier one only once it is complete. Raises :class:`FinmodelError`."""
    file = Path(file)
    model = load_model(file, allow_paths=allow_paths)
    projection = checked_projections(model, scenario)[scenario or BASE]
    analysis = sensitivity(model, scenario, base=projection)
    stem = file.stem if scenario is None else f"{file.stem}-{scenario}"
    target = Path(out_dir) / f"{stem}-sensitivity.json"
    write_all({target: lambda path: write_json(analysis.document(), path)})
    return SensitivityReport(file, analysis, target)


def start_model(name: str, directory: Path = Path(".")) -> Path:
    """Write ``directory/NAME.yaml``, a commented starter model that builds as it is (on the GPU
    catalogue shipped with finmodel, every figure a placeholder marked as an estimate to replace).

    Never overwrites: an existing file, or a name that is not a plain file name, is an :class:`ExportError`.
    """
    stem = name.removesuffix(".yaml")
    if not _MODEL_NAME.fullmatch(stem):
        raise ExportError(
            f"{name!r} cannot name a model: use up to 64 letters, digits, '-' and '_', starting with a letter or digit"
        )
    ticker = re.sub(r"[^A-Za-z0-9]", "", stem).upper()[:12]
    starter = (resources.files("finmodel.loading") / "starter.yaml").read_text(encoding="utf-8")
    text = starter.replace("__NAME__", stem).replace("__TICKER__", ticker)
    target = Path(directory) / f"{stem}.yaml"
    created = False
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "x", encoding="utf-8") as handle:
            created = True
            handle.write(text)
    except FileExistsError:
        raise ExportError(f"{target} exists already, and is left as it is: choose another name or folder") from None
    except OSError as error:
        if created:
            target.unlink(missing_ok=True)
        raise ExportError(f"could not write {target}: {error.strerror or error}") from None
    return target
