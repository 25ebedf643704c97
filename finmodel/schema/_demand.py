"""The demand side: what customers have contracted to buy and who needs the capacity. Its first part
is the contracted backlog (remaining performance obligations, RPO): the backlog at the start of the
timeline and when it is recognised, new bookings by period and how a booking turns into revenue, year
by year after signing. The others (internal demand, token demand, take-or-pay contracts for compute,
the spot price's response to the gap) are declared in :mod:`._clearing`.

Period labels are those of the timeline. An annual model may also date a booking, or a reported
backlog and the revenue it is compared with, by a fiscal quarter of a declared year ("2026Q1" is the
first quarter of fiscal 2026): the quarters reported since the last year-end can then be used
without making the whole model quarterly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated

from annotated_types import Len
from pydantic import AfterValidator, Field

from ._clearing import DemandSide, demand_side_problems
from ._suggest import closest
from ._types import GrowthRate, Money, Share, Sourced

if TYPE_CHECKING:
    from ._model import CompanyModel

PathKey = tuple[str | int, ...]
MAX_SCHEDULE_YEARS = 20
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


def _schedule_sums_to_one(shares: tuple[float, ...]) -> tuple[float, ...]:
    total = sum(shares)
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"shares sum to {total:.6g}, expected 1.0")
    return shares


ShareSchedule = Annotated[tuple[Share, ...], Len(1, MAX_SCHEDULE_YEARS), AfterValidator(_schedule_sums_to_one)]
"""Shares by year (year 1 first) that must add up to 1."""


class Backlog(Sourced):
    """Contracted backlog: opening + bookings − revenue recognised = closing, period by period."""

    opening: Money = Field(
        description=(
            "Backlog (remaining performance obligations) at the start of the timeline, i.e. at the end of the fiscal "
            "year before the first period (money unit), as the company reports it (its whole RPO: see compute_share)."
        )
    )
    opening_schedule: ShareSchedule = Field(
        description=(
            "Share of the opening backlog recognised as revenue in each fiscal year from the start (the first "
            "value: the first year of the timeline); sums to 1. A quarterly model spreads each year's share evenly "
            "over its four quarters."
        )
    )
    bookings: dict[str, Money] = Field(
        default_factory=dict,
        description=(
            "New contracts signed, by period label (money unit): the amount added to the backlog. An annual model "
            "may give a declared year by its fiscal quarters instead ('2026Q1': the first quarter of fiscal 2026); "
            "the year's bookings are then the sum of the quarters given, and the backlog at a quarter's end counts "
            "the bookings signed by then. Run-off periods book nothing unless named ('2033 run-off')."
        ),
    )
    growth_per_year: dict[str, GrowthRate] = Field(
        default_factory=dict,
        description=(
            "Growth of bookings from a period on, for declared periods without a figure: the same period a year "
            "earlier × (1 + growth). A period without a figure and before any growth rate books nothing."
        ),
    )
    conversion: ShareSchedule = Field(
        description=(
            "Share of a booking recognised as revenue in year 1, 2, 3... after signing; sums to 1. In an annual "
            "model year 1 is the fiscal year of signing; in a quarterly model each year's share is spread evenly "
            "over four quarters, the first being the quarter of signing."
        )
    )
    compute_share: Share = Field(
        1.0,
        description=(
            "AI/compute share of the backlog, where the company's RPO covers more than compute (Microsoft's "
            "commercial RPO also holds Microsoft 365; Oracle's holds software support). It sizes the compute "
            "rows (backlog_compute_closing, backlog_compute_recognised); the roll-forward, the reconciliation "
            "with the reported backlog and the backlog ÷ quarterly revenue multiple use the whole backlog, as "
            "companies report it. Default 1: all of it is compute."
        ),
    )


class Demand(DemandSide):
    """What customers have contracted to buy and who needs the capacity (optional, each part; a model
    without it is unchanged)."""

    backlog: Backlog | None = Field(
        None,
        description=(
            "Contracted backlog (RPO): opening backlog and its recognition, bookings and their conversion into "
            "revenue; line items on the Demand schedule."
        ),
    )


def dated(model: CompanyModel, label: str) -> tuple[int, float] | None:
    """Where a label falls: the column of the projected timeline and the share of that period elapsed at
    the label's end (1 for a period; n/4 for fiscal quarter n of a declared year of an annual model)."""
    labels = model.projected_labels
    if label in labels:
        return labels.index(label), 1.0
    if is_fiscal_quarter(model, label):
        return labels.index(label[:4]), int(label[-1]) / 4
    return None


def is_fiscal_quarter(model: CompanyModel, label: str) -> bool:
    """A fiscal quarter of a declared year of an annual model ('2026Q1'), not a period of its own."""
    match = _QUARTER.match(label)
    return model.timeline.frequency == "annual" and match is not None and match.group(1) in model.timeline.labels


def quarters_declared(model: CompanyModel) -> dict[str, tuple[str, ...]]:
    """In an annual model, the years whose bookings are given by fiscal quarter: year → its four quarters."""
    backlog = model.demand.backlog
    years = {label[:4] for label in (backlog.bookings if backlog else ()) if is_fiscal_quarter(model, label)}
    return {year: tuple(f"{year}Q{q}" for q in range(1, 5)) for year in sorted(years)}


def reported_columns(model: CompanyModel, by_period: dict[str, float]) -> dict[int, tuple[str, float]]:
    """The declared periods a reported series has a figure in: column → (its label, the share of the
    period elapsed at the label's end, 1 for a period and n/4 for fiscal quarter n of an annual model)."""
    found = ((label, dated(model, label)) for label in by_period)
    return {
        at[0]: (label, at[1]) for label, at in sorted(found, key=lambda item: item[1] or (0, 0.0)) if at is not None
    }


DATED_LINES = ("backlog", "cloud_revenue")
"""Reported line items an annual model may date by fiscal quarter."""


def demand_problems(model: CompanyModel) -> Iterator[tuple[PathKey, str]]:
    """Bookings and growth rates at periods that exist; reported backlogs and the revenue they are
    compared with only for a model with a backlog, one figure per period, a revenue beside a backlog;
    the rules of internal demand, tokens and contracts (:func:`._clearing.demand_side_problems`)."""
    yield from demand_side_problems(model)
    backlog = model.demand.backlog
    declared = model.timeline.labels
    if backlog is not None:
        where: PathKey = ("demand", "backlog")
        for label in backlog.bookings:
            if dated(model, label) is None:
                yield (*where, "bookings", label), _not_dated(model, label)
            elif is_fiscal_quarter(model, label) and label[:4] in backlog.bookings:
                yield (*where, "bookings", label), f"{label[:4]} is given as a year and by quarter: give one"
        for label in backlog.growth_per_year:
            if label not in declared:
                yield (*where, "growth_per_year", label), _not_dated(model, label, quarters=False)
    lines = {line: [n for n, s in model.reported.items() if s.line_item == line] for line in DATED_LINES}
    for line, names in lines.items():
        for name in names[1:]:
            yield ("reported", name, "line_item"), f"one {line} series per model; {names[0]!r} is already one"
        for name in names:
            if backlog is None:
                yield ("reported", name, "line_item"), f"{line} is compared with demand.backlog, which is not given"
            yield from _one_a_period(model, name)
    backlogs = [model.reported[name] for name in lines["backlog"]]
    for name in lines["cloud_revenue"]:
        for label in model.reported[name].by_period:
            if not any(label in series.by_period for series in backlogs):
                yield (
                    ("reported", name, "by_period", label),
                    f"the revenue is compared with the backlog at the same date: give a reported backlog at {label}",
                )


def _one_a_period(model: CompanyModel, name: str) -> Iterator[tuple[PathKey, str]]:
    seen: dict[int, str] = {}
    for label in model.reported[name].by_period:
        found = dated(model, label)
        if found is None or found[0] >= len(model.timeline.labels):
            continue  # not a declared period: reported with the other reported series
        first = seen.setdefault(found[0], label)
        if first != label:
            yield (
                ("reported", name, "by_period", label),
                f"{first} and {label} fall in the same period: one figure a period (the latest, usually)",
            )


def _not_dated(model: CompanyModel, label: str, *, quarters: bool = True) -> str:
    labels = model.timeline.labels if not quarters else model.projected_labels
    annual = quarters and model.timeline.frequency == "annual"
    close = closest(label, labels, cutoff=0.5)
    hint = f"; did you mean {close!r}?" if close else ""
    also = f", or a fiscal quarter of one such as {labels[0]}Q1" if annual else ""
    return f"{label!r} is not a period of the timeline ({labels[0]}..{labels[-1]}){also}{hint}"
