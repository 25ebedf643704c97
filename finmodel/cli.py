"""The ``finmodel`` command: a thin layer over :mod:`finmodel._build`."""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as ProgressDisplay
from rich.table import Table
from rich.text import Text

from . import __version__
from ._build import (
    DEFAULT_OUTPUT_DIR,
    BuildReport,
    ModelOutcome,
    Progress,
    Step,
    build,
    company_model_files,
    start_model,
    validate,
    write_sensitivity,
)
from ._errors import FinmodelError, ModelError, Problem
from ._help import PlainCommand as _Command
from ._help import PlainGroup as _Group
from ._sensitivity_text import SUMMARY_WIDTH, sensitivity_summary
from ._simulating import simulate_file
from .engine import inputs
from .engine.presentation import NO_IRR, TERMINAL_ROWS, number_format
from .loading import load_model
from .schema import model_file_schema

app = typer.Typer(
    cls=_Group, add_completion=False, no_args_is_help=True, help="Model AI CapEx: does it become a revenue asset?"
)
# Output carries text from model files (names, keys, paths): never interpret it as markup or emoji.
out = Console(width=None if sys.stdout.isatty() else 160, markup=False, emoji=False, highlight=False)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 160, markup=False, emoji=False, highlight=False)
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")

Models = Annotated[
    list[Path] | None, typer.Argument(metavar="MODEL", help="Model files (default: every model in models/).")
]
AllowPaths = Annotated[
    list[Path] | None,
    typer.Option(
        "--allow-path",
        metavar="DIR",
        help="A folder a model's gpu_catalog may point into, besides the model's own folder tree (repeatable).",
    ),
]


def version() -> str:
    """finmodel's version: as installed, else the source's."""
    try:
        return metadata.version("finmodel")
    except metadata.PackageNotFoundError:
        return __version__


def _print_version(asked: bool) -> None:
    if asked:
        out.print(f"finmodel {version()}")
        raise typer.Exit()


@app.callback()
def _top(
    show_version: Annotated[
        bool,
        typer.Option("--version", help="Print finmodel's version and exit.", callback=_print_version, is_eager=True),
    ] = False,
) -> None:
    """Model AI CapEx: does it become a revenue asset?"""


@app.command("build", cls=_Command)
def build_command(
    models: Models = None,
    out_dir: Annotated[Path, typer.Option("--out", metavar="DIR", help="Folder to write into.")] = DEFAULT_OUTPUT_DIR,
    scenario: Annotated[
        str | None, typer.Option(metavar="NAME", help="Scenario to project (default: the base case).")
    ] = None,
    allow_path: AllowPaths = None,
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Also print each memo to PDF beside it (needs Chromium installed).")
    ] = False,
) -> None:
    """Project models and write each one's workbook, memo, JSON and CSV (and a comparison memo of several)."""
    files = models or company_model_files()
    try:
        with _progress() as progress:
            report = build(files, out_dir, scenario=scenario, allow_paths=allow_path or (), pdf=pdf, progress=progress)
    except FinmodelError as error:
        _fail(error)
    _report(report, built=True)


@app.command("validate", cls=_Command)
def validate_command(
    models: Models = None,
    allow_path: AllowPaths = None,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Also fail a model that misses a reported figure by more than its tolerance."),
    ] = False,
    deep: Annotated[
        bool,
        typer.Option("--deep", help="Also check the invariants on each model, its scenarios and models around it."),
    ] = False,
    examples: Annotated[
        int, typer.Option(metavar="N", help="With --deep: how many perturbed models to check around each model.")
    ] = 50,
    seed: Annotated[
        int, typer.Option(metavar="N", help="With --deep: seed of the perturbations (the same seed repeats a run).")
    ] = 0,
) -> None:
    """Check models and their scenarios without writing anything."""
    files = models or company_model_files()
    if examples < 0:
        err.print("--examples is a count: 0 or more")
        raise typer.Exit(2)
    if deep:
        _deep(files, examples, seed, allow_path or [])
        return
    with _progress() as progress:
        report = validate(files, allow_paths=allow_path or (), strict=strict, progress=progress)
    _report(report, built=False)


def _deep(files: list[Path], examples: int, seed: int, allow_paths: list[Path]) -> None:
    try:
        from .testing.deep import deep_validate
    except ImportError as missing:
        err.print(f"finmodel validate --deep needs {missing.name}: pip install 'finmodel[testing]'")
        raise typer.Exit(2) from None
    outcomes = deep_validate(files, examples=examples, seed=seed, allow_paths=allow_paths)
    for outcome in outcomes:
        for line in [*outcome.problems, *([outcome.error] if outcome.error else [])]:
            err.print(_inert(line if isinstance(line, Problem) else f"{outcome.file}: {line}"), soft_wrap=True)
        for violation in outcome.violations:
            err.print(_inert(f"{outcome.file}: {violation}"), soft_wrap=True)
        if outcome.ok:
            cases = f"base, {len(outcome.scenarios)} scenario(s), {outcome.examples} model(s) around it (seed {seed})"
            out.print(_inert(f"{outcome.file}: ok: invariants hold on {cases}"))
    failed = [outcome for outcome in outcomes if not outcome.ok]
    if failed:
        err.print(f"{len(failed)} of {len(outcomes)} model(s) failed")
        raise typer.Exit(1)


@app.command("check", cls=_Command)
def check_command(
    models: Models = None,
    keep: Annotated[
        Path | None, typer.Option(metavar="DIR", help="Keep the workbooks and their recalculated copies here.")
    ] = None,
    allow_path: AllowPaths = None,
) -> None:
    """Recalculate each model's workbook in every scenario with LibreOffice and compare it with the engine."""
    from .verify import check_models

    try:
        with _progress() as progress:
            checks = check_models(
                models or company_model_files(), keep, allow_paths=allow_path or (), progress=progress
            )
    except FinmodelError as error:
        _fail(error)
    table = Table(title="Workbook vs engine (LibreOffice recalculation)")
    for column in ("model", "scenario", "formula cells", "formula share", "mismatches", "error cells"):
        table.add_column(column, justify="left" if column in ("model", "scenario") else "right")
    for check in checks:
        table.add_row(
            _inert(check.model_file.stem),
            _inert(check.scenario),
            f"{check.formula_cells:,}",
            f"{check.formula_share:.1%}",
            str(len(check.mismatches)),
            str(len(check.error_cells)),
        )
    out.print(table)
    for check in checks:
        for problem in [*map(str, check.mismatches[:10]), *check.error_cells[:10]]:
            err.print(_inert(f"{check.model_file}:{check.scenario}: {problem}"))
    if not all(check.ok for check in checks):
        raise typer.Exit(1)


@app.command("inputs", cls=_Command)
def inputs_command(
    model: Annotated[Path, typer.Argument(metavar="MODEL", help="A model file.")],
    scenario: Annotated[
        str | None, typer.Option(metavar="NAME", help="Scenario whose values to show (default: the base case).")
    ] = None,
    allow_path: AllowPaths = None,
) -> None:
    """List the inputs a simulation can vary, with their unit, base value and the field they come from."""
    try:
        specs = inputs(load_model(model, allow_paths=allow_path or ()), scenario)
    except FinmodelError as error:
        _fail(error)
    table = Table(
        title=_inert(f"Inputs of {model}"), caption="structural inputs change the graph: vary them with a scenario"
    )
    for column in ("name", "unit", "axis", "base", "from", "structural"):
        table.add_column(column, justify="right" if column == "base" else "left")
    for spec in specs:
        base = f"{spec.base[0]:,.4g}" if len(set(spec.base)) == 1 else f"{spec.base[0]:,.4g} … {spec.base[-1]:,.4g}"
        table.add_row(
            _inert(spec.name), spec.unit, spec.axis, base, _inert(spec.path), "yes" if spec.structural else ""
        )
    out.print(table)


@app.command("simulate", cls=_Command)
def simulate_command(
    model: Annotated[Path, typer.Argument(metavar="MODEL", help="A model file with an uncertainty block.")],
    draws: Annotated[int | None, typer.Option(metavar="N", help="Draws (default: the block's draws).")] = None,
    seed: Annotated[int | None, typer.Option(metavar="S", help="Seed (default: the block's seed).")] = None,
    out_dir: Annotated[Path, typer.Option("--out", metavar="DIR", help="Folder to write into.")] = DEFAULT_OUTPUT_DIR,
    scenario: Annotated[str | None, typer.Option(metavar="NAME", help="Scenario to simulate.")] = None,
    chunk_size: Annotated[int | None, typer.Option(metavar="K", help="Draws evaluated together.")] = None,
    dask: Annotated[str | None, typer.Option(metavar="ADDRESS", help="Run on dask: 'local' or an address.")] = None,
    allow_path: AllowPaths = None,
) -> None:
    """Draw the uncertain inputs N times and project each draw; write the summary (JSON) and the draws (Parquet)."""
    try:
        with _progress() as progress:
            run = simulate_file(
                model, out_dir, draws=draws, seed=seed, scenario=scenario, chunk_size=chunk_size, dask=dask,
                allow_paths=allow_path or (), progress=lambda done, total: progress(Step(done, total, "draws", False)),
            )  # fmt: skip
    except FinmodelError as error:
        _fail(error)
    result = run.simulation
    table = Table(title=_inert(f"{model}: {result.draws:,} draws, seed {result.seed}"), box=box.SIMPLE_HEAD)
    for column in ("", "base", "mean", "P5", "P50", "P95"):
        table.add_column(column, justify="left" if not column else "right")
    for metric in result.metrics:
        spread = result.spreads[metric.name]
        shown = (spread.base, spread.mean, spread.p5, spread.p50, spread.p95)
        table.add_row(_inert(metric.label), *(NO_IRR if math.isnan(v) else f"{v:,.4g}" for v in shown))
    out.print(table)
    shares = ", ".join(f"{label} {share:.1%}" for label, share in result.verdict_probabilities.items())
    out.print(_inert(f"verdict: {shares}; written: {', '.join(map(str, run.outputs))}"))


@app.command("sensitivity", cls=_Command)
def sensitivity_command(
    model: Annotated[Path, typer.Argument(metavar="MODEL", help="A model file.")],
    out_dir: Annotated[Path, typer.Option("--out", metavar="DIR", help="Folder to write into.")] = DEFAULT_OUTPUT_DIR,
    scenario: Annotated[
        str | None, typer.Option(metavar="NAME", help="Scenario to analyse (default: the base case).")
    ] = None,
    allow_path: AllowPaths = None,
) -> None:
    """Tornado, two-way grids and break-evens of a model's verdict: writes its JSON into DIR."""
    try:
        report = write_sensitivity(model, out_dir, scenario=scenario, allow_paths=allow_path or ())
    except FinmodelError as error:
        _fail(error)
    for block in sensitivity_summary(report.sensitivity, _inert):
        out.print(block, width=SUMMARY_WIDTH)
    out.print(_inert(f"written: {report.output}"), soft_wrap=True)


@app.command("schema", cls=_Command)
def schema_command() -> None:
    """Print the JSON Schema of a model file, for an editor's completion and checks."""
    sys.stdout.write(json.dumps(model_file_schema(), indent=2) + "\n")


@app.command("init", cls=_Command)
def init_command(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The model's name: the file is NAME.yaml.")],
    out_dir: Annotated[Path, typer.Option("--out", metavar="DIR", help="Folder to write it in.")] = Path("."),
) -> None:
    """Write NAME.yaml, a commented starter model that builds as it is, for you to fill in."""
    try:
        written = start_model(name, out_dir)
    except FinmodelError as error:
        _fail(error)
    out.print(_inert(f"wrote {written}: replace each estimate, then run: finmodel build {written}"))


@contextmanager
def _progress() -> Iterator[Progress]:
    """A progress display on stderr, with a line as each model is done, while both outputs are a
    terminal; silent when either is piped or redirected."""
    if not (out.is_terminal and err.is_terminal):
        yield lambda step: None
        return
    columns = (SpinnerColumn(), TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn())
    with ProgressDisplay(*columns, TimeElapsedColumn(), console=err, transient=True) as display:
        task = display.add_task("", total=None)

        def show(step: Step) -> None:
            if step.finished:
                display.console.print(_inert(step.message), soft_wrap=True)
            display.update(task, completed=step.done, total=step.total, description=_plain(step.message))

        yield show


def _report(report: BuildReport, *, built: bool) -> None:
    if not report.outcomes:
        err.print("no model files given and none found in models/")
        raise typer.Exit(2)
    for outcome in report.outcomes:
        for problem in outcome.problems:
            err.print(_inert(problem), soft_wrap=True)
        if outcome.error:
            err.print(_inert(f"{outcome.file}: {outcome.error}"), soft_wrap=True)
        for warning in outcome.warnings:
            err.print(_inert(f"{outcome.file}: warning: {warning}"), soft_wrap=True)
        if outcome.ok and built and outcome.projection is not None:
            out.print(_summary(outcome))
            for reason in outcome.projection.verdict.reasons:
                mark = ("pass", "green") if reason.passed else ("fail", "red")
                out.print(Text.assemble("  ", mark, " ", _inert(f"{reason.test}: {reason.detail}")))
        elif outcome.ok:
            out.print(_inert(f"{outcome.file}: ok"))
    if report.comparison is not None:
        pdf = report.comparison.with_suffix(".pdf")
        out.print(_inert(f"comparison memo: {report.comparison}" + (f" and {pdf}" if pdf.is_file() else "")))
    if report.comparison_error is not None:
        err.print(_inert(f"comparison memo not written: {report.comparison_error}"), soft_wrap=True)
    failed = [o for o in report.outcomes if not o.ok]
    if report.comparison_error is not None and not failed:
        raise typer.Exit(1)
    if failed:
        err.print(f"{len(failed)} of {len(report.outcomes)} model(s) failed")
        raise typer.Exit(1)


def _summary(outcome: ModelOutcome) -> Table:
    projection = outcome.projection
    assert projection is not None
    model = projection.model
    verdict = projection.verdict
    unit = f"{model.company.currency} {model.company.money_unit}"
    title = f"{model.company.name} ({model.company.ticker}) — {verdict.label.upper()}"
    if projection.scenario:
        title += f" [{projection.scenario}]"
    written = ", ".join(str(path) for path in outcome.outputs)
    declared = len(projection.declared_periods)
    runoff = projection.periods[declared:]
    span = f"; run-off = {runoff[0].split()[0]}–{runoff[-1].split()[0]} summed" if runoff else ""
    table = Table(
        title=_inert(title),
        caption=_inert(f"money in {unit}{span}; written: {written}"),
        padding=0,
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
    )
    table.add_column("", no_wrap=True)
    for period in projection.declared_periods:
        table.add_column(_inert(period), justify="right", no_wrap=True)
    if runoff:
        table.add_column("run-off", justify="right", no_wrap=True)
    items = projection.line_items
    for name, label in TERMINAL_ROWS:
        kind = number_format(projection.graph.rows[name].unit).kind
        text = "{:.0%}" if kind == "share" else "{:,.2f}" if kind == "multiple" else "{:,.1f}"
        values = items[name].to_numpy()
        cells = [text.format(value) for value in values[:declared]]
        if runoff:
            cells.append(text.format(values[declared:].sum()) if kind not in ("share", "multiple") else "")
        table.add_row(label, *cells)
    return table


def _fail(error: FinmodelError) -> NoReturn:
    """Print an error (each located problem on its own line) and exit 1, never a traceback."""
    for line in error.problems if isinstance(error, ModelError) else [error]:
        err.print(_inert(line), soft_wrap=True)
    raise typer.Exit(1) from None


def _inert(text: object) -> Text:
    """Text from a model as plain characters: control characters are spelled out (ESC as \\x1b),
    so a name in a model file cannot move the cursor, recolour or retitle the terminal."""
    return Text(_plain(text))


def _plain(text: object) -> str:
    return _CONTROL_CHARACTERS.sub(lambda match: f"\\x{ord(match.group()):02x}", str(text))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
