"""``sensitivity(model)``: the tornado, the two-way grids and the break-evens of a model.

The levers are planned first (the block's, else the defaults), every name checked against the
model's input catalogue and projection, and every problem reported at once at its line. Then the
tornado's ends, every grid cell and every break-even's sweep are evaluated together as the draws
of one vectorised engine call (chunked when there are very many), and the break-evens narrowed in
a few more calls, each evaluating every open bracket at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import TypeVar

import numpy as np

from .._scenarios import BASE, with_scenario
from ..engine import InputSpec, Projection, inputs, project
from ..schema import CompanyModel, Lever, closest
from ._batch import TESTS, Evaluator, Sample
from ._defaults import Defaults
from ._fields import field_lever
from ._levers import Context, Moved, Problems, input_lever, refused
from ._result import HURDLE, BreakEvenResult, GridResult, Metric, Sensitivity, TornadoBar, point_of
from ._solve import Crossing, solve, sweep_values

BLOCK = "sensitivity"
T = TypeVar("T")


@dataclass(frozen=True)
class PlannedGrid:
    """A grid's two levers, the values each takes and the metrics read in every cell."""

    rows: Moved
    columns: Moved
    row_values: tuple[float, ...]
    column_values: tuple[float, ...]
    metrics: tuple[str, ...]
    note: str | None


@dataclass(frozen=True)
class Plan:
    """The levers of a model's sensitivity, checked and ready to move."""

    specs: tuple[InputSpec, ...]
    """The model's input catalogue, every point's base."""
    tornado: tuple[Moved, ...]
    rank_by: str
    grids: tuple[PlannedGrid, ...]
    break_evens: tuple[tuple[Moved, str], ...]
    metrics: tuple[str, ...]
    """The single-value results read at every point besides the verdict's: grid metrics, ``show`` metrics."""


def plan(model: CompanyModel, base: Projection, *, located: CompanyModel | None = None) -> Plan:
    """The checked levers of ``model`` (a scenario already applied), whose projection is ``base``;
    problems are located in ``located`` (the model as loaded, default ``model``) and raised together."""
    specs = tuple(inputs(model))
    block = model.sensitivity
    defaults = Defaults(model, specs, base)
    context = Context(model, specs, base)
    problems: Problems = []

    def ready(lever: Lever, where: str) -> Moved | None:
        if lever.input is not None:
            return input_lever(context, lever, where, problems)
        return field_lever(context, lever, where, problems)

    tornado = _each(block.tornado, defaults.tornado(), "tornado", ready)
    grids = []
    for where, grid in _declared(block.grids, defaults.grids(), "grids"):
        rows, columns = ready(grid.rows, f"{where}.rows"), ready(grid.columns, f"{where}.columns")
        if rows is None or columns is None:
            continue
        shared = sorted(set(rows.inputs_moved) & set(columns.inputs_moved))
        if shared:
            problems.append((where or BLOCK, f"rows and columns both move {', '.join(shared[:3])}: choose two levers"))
            continue
        metrics = grid.metrics or defaults.grid_metrics()
        grids.append(
            PlannedGrid(
                rows,
                columns,
                tuple(np.linspace(rows.low, rows.high, grid.rows.steps).tolist()),
                tuple(np.linspace(columns.low, columns.high, grid.columns.steps).tolist()),
                metrics,
                grid.note,
            )
        )
        _check_metrics(base, metrics, f"{where or BLOCK}.metrics", problems)
    break_evens = []
    for where, found in _declared(block.break_even, defaults.break_evens(), "break_even"):
        lever = ready(found, where)
        if lever is not None:
            break_evens.append((lever, found.test))
    levers = [*tornado, *(lever for lever, _ in break_evens)]
    for lever in levers:
        if lever.show is not None:
            _check_metrics(base, (lever.show,), f"{lever.where or BLOCK}.show", problems)
    if problems:
        raise refused(located or model, problems)
    shown = [lever.show for lever in levers if lever.show is not None]
    metrics = tuple(dict.fromkeys([*(m for grid in grids for m in grid.metrics), *shown]))
    return Plan(specs, tornado, block.rank_by, tuple(grids), tuple(break_evens), metrics)


def _declared(declared: Sequence[T] | None, default: Sequence[T], part: str) -> list[tuple[str, T]]:
    """Each item with where it is declared (``""`` for a default: the block leaves the part out)."""
    if declared is None:
        return [("", item) for item in default]
    return [(f"{BLOCK}.{part}.{index}", item) for index, item in enumerate(declared)]


def _each(
    declared: Sequence[Lever] | None,
    default: Sequence[Lever],
    part: str,
    ready: Callable[[Lever, str], Moved | None],
) -> tuple[Moved, ...]:
    found = [ready(lever, where) for where, lever in _declared(declared, default, part)]
    return tuple(lever for lever in found if lever is not None)


def _check_metrics(base: Projection, names: Sequence[str], where: str, problems: Problems) -> None:
    for name in names:
        row = base.graph.rows.get(name)
        if row is None or row.axis != "scalar":
            known = sorted(n for n, r in base.graph.rows.items() if r.axis == "scalar" and r.kind == "calc")
            close = closest(name, known)
            hint = f"; did you mean {close!r}?" if close else ""
            problems.append((where, f"{name!r} is not a single-value result of this model{hint}"))


def sensitivity(model: CompanyModel, scenario: str | None = None, *, base: Projection | None = None) -> Sensitivity:
    """The sensitivity of a model (in a scenario): its tornado, grids and break-evens.

    ``base`` is the projection of the same model and scenario, when the caller has it already.
    Pure: nothing is read or written. Raises :class:`~finmodel.ModelError` for a lever that names
    what the model does not have, or whose range gives values that are not finite numbers.
    """
    applied = with_scenario(model, scenario)
    base = base if base is not None else project(applied)
    planned = plan(applied, base, located=model)
    evaluator = Evaluator(applied, planned.specs, planned.metrics)
    blocks: list[tuple[int, dict[str, np.ndarray]]] = []
    owners: list[tuple[Moved, ...]] = []
    for lever in planned.tornado:
        blocks.append((2, lever.arrays([lever.low, lever.high])))
        owners.append((lever,))
    for grid in planned.grids:
        rows = grid.rows.arrays(np.repeat(grid.row_values, len(grid.column_values)))
        columns = grid.columns.arrays(np.tile(grid.column_values, len(grid.row_values)))
        blocks.append((len(grid.row_values) * len(grid.column_values), {**rows, **columns}))
        owners.append((grid.rows, grid.columns))
    for lever, _ in planned.break_evens:
        blocks.append((len(sweep_values(lever)), lever.arrays(sweep_values(lever))))
        owners.append((lever,))
    samples = evaluator.evaluate(blocks)
    _refuse_non_finite(model, owners, samples)
    tornado_samples = samples[: len(planned.tornado)]
    grid_samples = samples[len(planned.tornado) : len(planned.tornado) + len(planned.grids)]
    sweeps = samples[len(planned.tornado) + len(planned.grids) :]
    crossings = solve(evaluator, planned.break_evens, sweeps)
    base_sample = Sample({name: base.series(name)[:, 0] for name in evaluator.metric_names})
    lines = base.graph.rows
    return Sensitivity(
        company=applied.company.name,
        ticker=applied.company.ticker,
        scenario=scenario or BASE,
        currency=applied.company.currency,
        money_unit=applied.company.money_unit,
        base=point_of(base_sample, 0, float("nan"), None),
        rank_by=planned.rank_by,
        tornado=_tornado(planned, tornado_samples),
        grids=tuple(_grid(grid, sample, base) for grid, sample in zip(planned.grids, grid_samples, strict=True)),
        break_evens=tuple(
            _break_even(lever, key, found, sweep, base_sample)
            for (lever, key), found, sweep in zip(planned.break_evens, crossings, sweeps, strict=True)
        ),
        shown={name: Metric(name, lines[name].label, lines[name].unit) for name in planned.metrics},
        base_metrics={name: float(base.series(name)[0, 0]) for name in (*planned.metrics, HURDLE)},
        engine_calls=evaluator.runs.calls,
        draws=evaluator.runs.draws,
        finmodel_version=_version(),
    )


def _refuse_non_finite(model: CompanyModel, owners: Sequence[tuple[Moved, ...]], samples: Sequence[Sample]) -> None:
    problems: Problems = []
    for levers, sample in zip(owners, samples, strict=True):
        bad = ~np.all([np.isfinite(sample.margin(key)) for key in TESTS], axis=0)
        if bad.any():
            for lever in levers:
                problems.append(
                    (
                        lever.where or BLOCK,
                        f"{lever.label} between {lever.low:g} and {lever.high:g} gives verdict figures that are not "
                        "finite numbers: narrow the range",
                    )
                )
    if problems:
        raise refused(model, problems)


def _tornado(planned: Plan, samples: Sequence[Sample]) -> tuple[TornadoBar, ...]:
    bars = []
    for lever, sample in zip(planned.tornado, samples, strict=True):
        low, high = point_of(sample, 0, lever.low, lever.show), point_of(sample, 1, lever.high, lever.show)
        swing = abs(high.margins[planned.rank_by] - low.margins[planned.rank_by])
        bars.append(TornadoBar(lever, low, high, swing))
    return tuple(sorted(bars, key=lambda bar: -bar.swing))


def _grid(grid: PlannedGrid, sample: Sample, base: Projection) -> GridResult:
    shape = (len(grid.row_values), len(grid.column_values))
    rows = base.graph.rows
    values = {
        name: tuple(tuple(float(v) for v in row) for row in sample.metrics[name].reshape(shape))
        for name in grid.metrics
    }
    labels = tuple(tuple(sample.label(r * shape[1] + c) for c in range(shape[1])) for r in range(shape[0]))
    return GridResult(
        rows=grid.rows,
        row_values=grid.row_values,
        columns=grid.columns,
        column_values=grid.column_values,
        metrics=tuple(Metric(name, rows[name].label, rows[name].unit) for name in grid.metrics),
        values=values,
        labels=labels,
        note=grid.note,
    )


def _break_even(
    lever: Moved, key: str, crossings: tuple[Crossing, ...], sweep: Sample, base: Sample
) -> BreakEvenResult:
    return BreakEvenResult(
        lever=lever,
        test=key,
        title=TESTS[key].title,
        crossings=crossings,
        base_margin=float(base.margin(key)[0]),
        passes_throughout=None if crossings else bool(np.all(sweep.passed(key))),
    )


def _version() -> str:
    try:
        return metadata.version("finmodel")
    except metadata.PackageNotFoundError:
        return "(not installed)"
