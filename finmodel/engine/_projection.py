"""``project(model)``: evaluate the line items and judge the result.

Pure: no files are read or written here. The result keeps every row as a ``(draws, columns)``
array. Tables (line items, cohorts, the verdict's reasons) describe one draw: a projection of
one draw shows them directly; with several draws pick one with :meth:`Projection.draw`, or read
the per-draw views (:attr:`Projection.metrics_by_draw`, :attr:`Projection.verdict_labels`).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from .._errors import InputError
from .._scenarios import BASE, with_scenario
from ..schema import CompanyModel
from ._catalogue import InputSpec, catalogue, checked_inputs
from ._inputs import COHORT_PREFIX, Assumptions, resolve
from ._ir import Graph
from ._numpy import evaluate
from ._structure import define_noting_reads, structure_difference
from .blocks import define
from .blocks.reconciliation import Reconciled, reconciled
from .blocks.verdict import Verdict, label_of, reasons
from .presentation import VERDICT_LABELS, VerdictLabel


@dataclass(frozen=True)
class Projection:
    """The projection of one model (in one scenario), over one or more draws."""

    model: CompanyModel
    graph: Graph
    assumptions: Assumptions
    values: Mapping[str, np.ndarray]
    draws: int

    @property
    def scenario(self) -> str | None:
        return self.model.scenario_name

    @property
    def periods(self) -> tuple[str, ...]:
        """Every projected period: the declared timeline, then its run-off."""
        return self.model.projected_labels

    @property
    def declared_periods(self) -> tuple[str, ...]:
        """The timeline's own periods (the first columns of every period row)."""
        return self.model.timeline.labels

    @property
    def money(self) -> str:
        """The money unit of every money row, e.g. ``USD bn``."""
        return f"{self.model.company.currency} {self.model.company.money_unit}"

    def rows_on(self, axis: str, kind: str | None = None) -> list[str]:
        return [
            name for name, row in self.graph.rows.items() if row.axis == axis and (kind is None or row.kind == kind)
        ]

    def draw(self, index: int) -> Projection:
        """The projection of one draw (a view: no recomputation)."""
        if not -self.draws <= index < self.draws:
            raise InputError(f"draw {index} out of range: this projection has {self.draws} draw(s)")
        index %= self.draws
        one = {name: array[index : index + 1] if array.shape[0] > 1 else array for name, array in self.values.items()}
        return Projection(self.model, self.graph, self.assumptions, one, 1)

    def _single(self, view: str) -> None:
        if self.draws != 1:
            raise InputError(
                f"{view} describes one draw and this projection has {self.draws}: use .draw(i).{view}, "
                "or the per-draw views metrics_by_draw and verdict_labels"
            )

    @cached_property
    def line_items(self) -> pd.DataFrame:
        """Every period line item (columns) by period (index)."""
        self._single("line_items")
        names = self.rows_on("period", "calc")
        return pd.DataFrame({name: self.values[name][0] for name in names}, index=pd.Index(self.periods, name="period"))

    @cached_property
    def metrics(self) -> dict[str, float]:
        """Every scalar result (horizon totals, cohort NPV/IRR, costs per hour)."""
        self._single("metrics")
        return {name: float(self.values[name][0, 0]) for name in self.rows_on("scalar", "calc")}

    @cached_property
    def metrics_by_draw(self) -> pd.DataFrame:
        """Every scalar result by draw: a DataFrame of draws × metrics."""
        names = self.rows_on("scalar", "calc")
        columns = {name: np.broadcast_to(self.values[name][:, 0], (self.draws,)) for name in names}
        return pd.DataFrame(columns, index=pd.RangeIndex(self.draws, name="draw"))

    @cached_property
    def cohorts(self) -> dict[str, pd.DataFrame]:
        """Per generation, the representative cohort's flows by year of age."""
        self._single("cohorts")
        tables = {}
        for axis in self.graph.axes.values():
            if axis.name.startswith(COHORT_PREFIX):
                names = self.rows_on(axis.name)
                tables[axis.name.removeprefix(COHORT_PREFIX)] = pd.DataFrame(
                    {name: self.values[name][0] for name in names}, index=pd.Index(axis.labels, name="year")
                )
        return tables

    @cached_property
    def verdict_labels(self) -> tuple[VerdictLabel, ...]:
        """The verdict's label in each draw."""
        codes = np.broadcast_to(self.values["verdict_code"][:, 0], (self.draws,))
        return tuple(label_of(code) for code in codes)

    @cached_property
    def verdict_shares(self) -> dict[VerdictLabel, float]:
        """The share of draws given each label."""
        labels = self.verdict_labels
        return {label: labels.count(label) / len(labels) for label in VERDICT_LABELS}

    @cached_property
    def verdict(self) -> Verdict:
        """The verdict with its reasons in words (of the single draw)."""
        self._single("verdict")
        return Verdict(
            self.verdict_labels[0],
            reasons(lambda name: float(self.values[name][0, 0]), self.model.generations_used(), self.money),
            self.verdict_shares["revenue asset"],
        )

    @cached_property
    def reconciliation(self) -> tuple[Reconciled, ...]:
        """Each reported figure beside the model's, with its variance and tolerance (of the single draw)."""
        self._single("reconciliation")
        return reconciled(self.model, lambda name, column: float(self.values[name][0, column]))

    def series(self, name: str) -> np.ndarray:
        """A row's values for all draws, shape ``(draws, columns)``."""
        return np.broadcast_to(self.values[name], (self.draws, self.values[name].shape[1]))

    def with_inputs(self, inputs: Mapping[str, object], draws: int | None = None) -> Projection:
        """The same model and scenario evaluated again with ``inputs`` varied per draw (as in
        :func:`project`), on this projection's graph: nothing is resolved or built again, which is
        what a simulation's chunks need."""
        return _evaluated(self.model, self.graph, self.assumptions, inputs, draws)


def inputs(model: CompanyModel, scenario: str | None = None) -> tuple[InputSpec, ...]:
    """Every input of a model that ``project(inputs=...)`` can vary, with its base value and source."""
    return catalogue(resolve(with_scenario(model, scenario)))


def project(
    model: CompanyModel,
    scenario: str | None = None,
    *,
    draws: int | None = None,
    inputs: Mapping[str, object] | None = None,
) -> Projection:
    """Project a model. ``inputs`` replaces assumptions by name with values per draw (see
    :func:`inputs` for the names) — the hook for sensitivities and simulation; ``draws`` is
    inferred from them."""
    model = with_scenario(model, scenario)
    assumptions = resolve(model)
    with _cycle_collection_paused():
        return _evaluated(model, define(assumptions), assumptions, inputs or {}, draws)


@dataclass(frozen=True)
class ScenarioProjections(Mapping[str, Projection]):
    """The base case (key ``"base"``) and every scenario of a model, in declaration order.

    A scenario that changes values only is projected on the base case's graph (the same object), so
    one workbook switches to it with its scenario selector; ``structural`` names the scenarios whose
    structure differs (a physical life, the GPU mix, a rule's date, the generations bought), each
    projected on a graph of its own, which the selector cannot reach.
    """

    projections: Mapping[str, Projection]
    structural: tuple[str, ...] = ()

    def __getitem__(self, name: str) -> Projection:
        return self.projections[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.projections)

    def __len__(self) -> int:
        return len(self.projections)


def project_all_scenarios(model: CompanyModel) -> ScenarioProjections:
    """The base case and every scenario, each graph defined once per distinct structure.

    The base graph is defined noting what it reads of the model (:class:`Footprint`); a scenario that
    reads the same is evaluated on it with its own input values. One that does not gets a graph of its
    own, kept for later scenarios of that structure, unless that graph turns out identical to the base's
    (a value the definition read changed without changing a formula).
    """
    with _cycle_collection_paused():
        assumptions = resolve(model)
        base, footprint = define_noting_reads(define, assumptions)
        graphs = [(footprint, base)]
        projections = {BASE: _evaluated(model, base, assumptions, {}, None)}
        for name in model.scenarios:
            changed = with_scenario(model, name)
            assumptions = resolve(changed)
            graph = next((known for reads, known in graphs if reads.matches(assumptions)), None)
            if graph is None:
                graph, footprint = define_noting_reads(define, assumptions)
                if structure_difference({BASE: base, name: graph}) is None:
                    graph = base
                graphs.append((footprint, graph))
            projections[name] = _evaluated(changed, graph, assumptions, {}, None)
    structural = tuple(name for name, projection in projections.items() if projection.graph is not base)
    return ScenarioProjections(projections, structural)


def _evaluated(
    model: CompanyModel, graph: Graph, assumptions: Assumptions, inputs: Mapping[str, object], draws: int | None
) -> Projection:
    """The projection of ``model`` on ``graph``: its assumptions' values, ``inputs`` replacing some by draw."""
    varied, count = checked_inputs(catalogue(assumptions), inputs, draws)
    values = {name: np.asarray(row.values)[None, :] for name, row in assumptions.rows.items()}
    values.update(varied)
    return Projection(model, graph, assumptions, evaluate(graph, values, count), count)


@contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    """Pause Python's cycle collector while graphs are defined and evaluated: a long timeline's graph is
    millions of acyclic nodes, which the collector would otherwise rescan as they pile up (half the
    time of a 20-year quarterly model)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
