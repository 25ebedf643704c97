"""Invariants every projection must keep, whatever the model: each function returns the
:class:`Violation` it finds (an empty list when all is well), located by line item and period.

The checks recompute from the line items rather than read the engine's own check rows, so a
mistake that the Checks sheet shares (a block that double counts consistently) is still seen.
Relational invariants, which compare projections of changed models, are in
:mod:`finmodel.testing._relational` and listed here too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import numpy_financial as npf

from ..engine import Projection, project
from ..engine.presentation import Schedule
from ..schema import USES, CompanyModel, DepreciationMethod
from ._backlog import backlog_rollforward
from ._demand_invariants import hours_conserved, leased_hours_within_supply_and_demand
from ._relational import economic_life_monotonicity, price_monotonicity, unit_consistency
from ._view import Invariant, _Draw, _each_draw
from ._violation import HOURS_PER_YEAR, Violation, close, tolerance

__all__ = [
    "PROJECTION_INVARIANTS",
    "RELATIONAL_INVARIANTS",
    "Violation",
    "accumulated_within_depreciable_base",
    "assert_invariants",
    "backlog_rollforward",
    "book_value_above_salvage",
    "capacity_conserved",
    "check_all",
    "check_model",
    "checks_read_zero",
    "cohort_npv_zero_at_irr",
    "depreciation_over_life",
    "economic_life_monotonicity",
    "finite_outputs",
    "hours_conserved",
    "leased_hours_within_capacity",
    "leased_hours_within_supply_and_demand",
    "ppe_rollforward",
    "price_monotonicity",
    "unit_consistency",
]


MINUS_100_PERCENT_RESOLUTION = 1e-9
"""1 + IRR below this is −100% to float precision: its discount factors exceed 1e9 a year."""


def _vintages(view: _Draw) -> Iterator[tuple[str, int, str, float, float]]:
    """``(asset class, vintage index, vintage label, cost, salvage fraction)`` of every purchase."""
    for c in view.projection.model.asset_classes:
        capex = view.row(f"capex[{c}]")
        salvage = view.scalar(f"salvage_fraction[{c}]")
        for v, period in enumerate(view.projection.declared_periods):
            yield c, v, period, float(capex[v]), salvage


@_each_draw
def ppe_rollforward(view: _Draw) -> Iterator[Violation]:
    """Net PP&E closing = opening + CapEx − depreciation − book value written off at retirement − impairment;
    opening = last closing (the vintages bought before the timeline at its start); the totals equal
    the sums of the vintages' depreciation and book values."""
    model = view.projection.model
    opening, closing = view.row("net_ppe_opening"), view.row("net_ppe_closing")
    capex, depreciation = view.row("capex_in_scope"), view.row("depreciation_in_scope")
    written_off = view.row("retirement_write_off")
    impairment = view.row("impairment")
    vintages = (*model.opening_years(), *view.projection.declared_periods)
    rows = view.projection.values
    vintage_dep = view.total(
        f"depreciation[{c},{p}]" for c in model.asset_classes for p in vintages if f"depreciation[{c},{p}]" in rows
    )
    vintage_nbv = view.total(
        f"net_book_value[{c},{p}]" for c in model.asset_classes for p in vintages if f"net_book_value[{c},{p}]" in rows
    )
    at_start = sum(
        view.scalar(f"opening_book_value[{c},{y}]")
        for c in model.asset_classes
        for y in model.opening_years()
        if f"opening_book_value[{c},{y}]" in rows
    )
    scale = tolerance(view.row("gross_ppe_closing"), capex)
    for t, period in enumerate(view.periods):
        expected = opening[t] + capex[t] - depreciation[t] - written_off[t] - impairment[t]
        if not close(closing[t], expected, scale):
            yield view.violation(
                "net_ppe_closing",
                period,
                "closing ≠ opening + CapEx − depreciation − written off − impairment",
                closing=closing[t],
                opening=opening[t],
                capex=capex[t],
                depreciation=depreciation[t],
                written_off=written_off[t],
                impairment=impairment[t],
            )
        previous = closing[t - 1] if t else at_start
        if not close(opening[t], previous, scale):
            yield view.violation(
                "net_ppe_opening", period, "opening ≠ previous closing", opening=opening[t], previous_closing=previous
            )
        if not close(depreciation[t], vintage_dep[t], scale):
            yield view.violation(
                "depreciation",
                period,
                "≠ sum of the vintages' depreciation",
                depreciation=depreciation[t],
                vintages=vintage_dep[t],
            )
        if not close(closing[t], vintage_nbv[t], scale):
            yield view.violation(
                "net_ppe_closing",
                period,
                "≠ sum of the vintages' net book values",
                closing=closing[t],
                vintages=vintage_nbv[t],
            )


@_each_draw
def accumulated_within_depreciable_base(view: _Draw) -> Iterator[Violation]:
    """Accumulated depreciation never exceeds gross PP&E less salvage, in total and per vintage, nor goes below zero."""
    base = view.row("gross_ppe_closing")
    accumulated = view.row("accumulated_depreciation_closing")
    scale = tolerance(view.row("gross_ppe_closing"))
    for t, period in enumerate(view.periods):
        if accumulated[t] > base[t] + scale or accumulated[t] < -scale:
            yield view.violation(
                "accumulated_depreciation_closing",
                period,
                "outside 0 .. gross PP&E − salvage",
                accumulated=accumulated[t],
                depreciable_base=base[t],
            )
    for c, v, period, cost, salvage in _vintages(view):
        to_date = np.cumsum(view.row(f"depreciation[{c},{period}]"))
        for t in range(v, len(view.periods)):
            if to_date[t] > cost * (1 - salvage) + scale or to_date[t] < -scale:
                yield view.violation(
                    f"depreciation[{c},{period}]",
                    view.periods[t],
                    "depreciation to date outside 0 .. cost − salvage",
                    to_date=to_date[t],
                    cost=cost,
                    salvage=cost * salvage,
                )
                break


@_each_draw
def book_value_above_salvage(view: _Draw) -> Iterator[Violation]:
    """A vintage's net book value stays between its salvage value (zero once units retire or it is
    impaired) and its cost."""
    scale = tolerance(view.row("gross_ppe_closing"))
    for c, v, period, cost, salvage in _vintages(view):
        book = view.row(f"net_book_value[{c},{period}]")
        written_down = view.row(f"retirement_write_off[{c},{period}]") + _impairment(view, c, period)
        retired = np.cumsum(written_down) > scale
        for t in range(v, len(view.periods)):
            floor = 0.0 if retired[t] else salvage * cost
            if book[t] < floor - scale or book[t] > cost + scale:
                yield view.violation(
                    f"net_book_value[{c},{period}]",
                    view.periods[t],
                    "book value outside salvage .. cost",
                    book_value=book[t],
                    salvage=salvage * cost,
                    cost=cost,
                )
                break


@_each_draw
def depreciation_over_life(view: _Draw) -> Iterator[Violation]:
    """A vintage whose useful life (in force at the end) ends inside the timeline has been depreciated by
    exactly cost − salvage, whatever the method or life change; an asset of method ``none`` never is."""
    model = view.projection.model
    last = len(view.periods) - 1
    scale = tolerance(view.row("gross_ppe_closing"))
    for c, v, period, cost, salvage in _vintages(view):
        total = float(view.row(f"depreciation[{c},{period}]").sum())
        written_off = float(view.row(f"retirement_write_off[{c},{period}]").sum())
        written_off += float(_impairment(view, c, period).sum())
        if model.asset_classes[c].method == DepreciationMethod.NONE:
            expected = 0.0
        elif written_off > scale:
            # Units retired or impaired: what was not depreciated was written off, down to the book value left.
            total += written_off
            expected = cost - float(view.row(f"net_book_value[{c},{period}]")[last])
        elif view.age_at_end(v, last) >= _longest_life(view, c, last) - 1e-9:
            expected = cost * (1 - salvage)
        else:
            continue
        if not close(total, expected, scale):
            yield view.violation(
                f"depreciation[{c},{period}]",
                view.periods[last],
                "depreciation over the whole life ≠ cost − salvage",
                total=total,
                expected=expected,
            )


def _impairment(view: _Draw, asset_class: str, period: str) -> np.ndarray:
    """A vintage's impairment by period (zero for a class not tested)."""
    name = f"impairment[{asset_class},{period}]"
    return view.row(name) if name in view.projection.values else np.zeros(len(view.periods))


def _longest_life(view: _Draw, asset_class: str, column: int) -> float:
    """The longest book life in force for a class: its own, or that of the part a partial change applies to."""
    lives = [f"useful_life_years[{asset_class}]", f"useful_life_years[{asset_class},changed]"]
    return max(float(view.row(name)[column]) for name in lives if name in view.projection.values)


@_each_draw
def capacity_conserved(view: _Draw) -> Iterator[Violation]:
    """Accelerators in service = training + inference + leasing units (+ idle, with internal demand), per
    generation and period; none negative."""
    for g in view.projection.model.generations_used():
        installed = view.row(f"installed_units[{g}]")
        uses = {
            use: view.row(f"{use}_units[{g}]")
            for use in (*USES, "idle")
            if f"{use}_units[{g}]" in view.projection.values
        }
        scale = tolerance(installed)
        for t, period in enumerate(view.periods):
            parts = {use: float(units[t]) for use, units in uses.items()}
            if not close(installed[t], sum(parts.values()), scale) or min(parts.values()) < -scale:
                yield view.violation(
                    f"installed_units[{g}]",
                    period,
                    "≠ training + inference + leasing units",
                    installed=installed[t],
                    **parts,
                )


@_each_draw
def leased_hours_within_capacity(view: _Draw) -> Iterator[Violation]:
    """Leased hours billed never exceed the leased units' hours in the period, nor fall below zero."""
    hours = HOURS_PER_YEAR * view.projection.model.timeline.period_years
    for g in view.projection.model.generations_used():
        billed, leasing = view.row(f"leased_hours_billed[{g}]"), view.row(f"leasing_units[{g}]")
        scale = tolerance(leasing * hours)
        for t, period in enumerate(view.periods):
            if billed[t] > leasing[t] * hours + scale or billed[t] < -scale:
                yield view.violation(
                    f"leased_hours_billed[{g}]",
                    period,
                    "more hours billed than leased units have",
                    billed=billed[t],
                    capacity=leasing[t] * hours,
                )


@_each_draw
def cohort_npv_zero_at_irr(view: _Draw) -> Iterator[Violation]:
    """A leased cohort's cash flows discounted at its IRR sum to zero (unless it has no IRR: NaN, or its
    IRR is −100% to float precision, where the discount factors 1/(1+irr)^t pass what a float can
    resolve and no rate can be checked)."""
    for g in view.projection.model.generations_used():
        irr = view.scalar(f"cohort_irr[{g}]")
        if not np.isfinite(irr) or 1.0 + irr < MINUS_100_PERCENT_RESOLUTION:
            continue
        flows = view.row(f"cohort_lease_cash_flow_usd[{g}]")
        npv = float(npf.npv(irr, flows))
        # Near an IRR of -100% each discounted term is huge; the residual is judged against them.
        discounted = flows / (1.0 + irr) ** np.arange(len(flows))
        if not close(npv, 0.0, tolerance(discounted, relative=1e-6)):
            yield view.violation(
                f"cohort_irr[{g}]", None, "cash flows discounted at the IRR do not sum to zero", irr=irr, npv=npv
            )


@_each_draw
def finite_outputs(view: _Draw) -> Iterator[Violation]:
    """Every value of every row is a finite number (an IRR may be NaN: the flows have none)."""
    graph = view.projection.graph
    for name, row in graph.rows.items():
        values = view.row(name)
        bad = np.flatnonzero(~np.isfinite(values) & ~(np.isnan(values) & row.may_have_no_value))
        if bad.size:
            column = graph.axes[row.axis].labels[bad[0]]
            yield view.violation(name, column, "not a finite number", value=values[bad[0]])


@_each_draw
def checks_read_zero(view: _Draw) -> Iterator[Violation]:
    """Every identity on the Checks schedule reads zero (to float noise on the size of its unit's
    figures), and the schedule's one summary flag says so."""
    graph = view.projection.graph
    magnitude: dict[str, float] = {}
    for name, row in graph.rows.items():
        if row.axis == "period" and row.group != Schedule.CHECKS:
            magnitude[row.unit] = max(magnitude.get(row.unit, 0.0), float(np.nanmax(np.abs(view.row(name)), initial=0)))
    if "checks_all_pass" in graph.rows and view.scalar("checks_all_pass") != 1:
        yield view.violation(
            "checks_all_pass", None, "the all-checks flag does not read 1", value=view.scalar("checks_all_pass")
        )
    for name, row in graph.rows.items():
        if row.group == Schedule.CHECKS and row.axis == "period":
            values = view.row(name)
            limit = 1e-6 + 1e-9 * magnitude.get(row.unit, 0.0)
            for t in np.flatnonzero(~(np.abs(values) <= limit)):
                yield view.violation(name, view.periods[t], "check does not read zero", value=values[t])


PROJECTION_INVARIANTS: tuple[Invariant, ...] = (
    ppe_rollforward,
    accumulated_within_depreciable_base,
    book_value_above_salvage,
    depreciation_over_life,
    capacity_conserved,
    leased_hours_within_capacity,
    leased_hours_within_supply_and_demand,
    hours_conserved,
    cohort_npv_zero_at_irr,
    backlog_rollforward,
    finite_outputs,
    checks_read_zero,
)
"""The invariants of one projection, in the order :func:`check_all` runs them."""
RELATIONAL_INVARIANTS: tuple[Callable[[CompanyModel], list[Violation]], ...] = (
    price_monotonicity,
    economic_life_monotonicity,
    unit_consistency,
)
"""The invariants that compare a model's projection with projections of changed copies of it."""


def check_all(projection: Projection) -> list[Violation]:
    """Every violation of :data:`PROJECTION_INVARIANTS` in a projection (empty: all hold)."""
    return [found for invariant in PROJECTION_INVARIANTS for found in invariant(projection)]


def assert_invariants(projection: Projection) -> None:
    """Raise ``AssertionError`` listing every violation, one per line."""
    violations = check_all(projection)
    if violations:
        raise AssertionError(f"{len(violations)} invariant violation(s):\n" + "\n".join(map(str, violations)))


def check_model(model: CompanyModel, *, relational: bool = True) -> list[Violation]:
    """The projection invariants on the base case and every scenario, and the relational ones on the base case."""
    found = check_all(project(model))
    for name in model.scenarios:
        found.extend(check_all(project(model, name)))
    if relational:
        found.extend(violation for invariant in RELATIONAL_INVARIANTS for violation in invariant(model))
    return found
