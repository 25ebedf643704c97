"""Inputs of the demand side: the contracted backlog at the start and its recognition schedule,
bookings by period (declared, grown, or none in the run-off) and by fiscal quarter where an annual
model dates them so, the conversion of a booking into revenue and the compute share."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..schema import quarters_declared
from ._keys import Key

if TYPE_CHECKING:
    from ._inputs import Assumptions


def resolve_demand(result: Assumptions) -> None:
    """Add the inputs of ``result.model``'s ``demand`` block to ``result`` (none without a backlog)."""
    model = result.model
    backlog = model.demand.backlog
    if backlog is None:
        return
    add, path = result.add, "demand.backlog"
    money = f"{model.company.currency} {model.company.money_unit}"
    add(
        "backlog_at_start",
        "scalar",
        backlog.opening,
        label="Backlog at the start of the timeline",
        unit=money,
        path=f"{path}.opening",
    )
    for field, name, what in (
        ("opening_schedule", "backlog_opening_share", "Share of the opening backlog recognised in year"),
        ("conversion", "backlog_conversion", "Share of a booking recognised in year"),
    ):
        for index, share in enumerate(getattr(backlog, field)):
            add(
                schedule_key(name, index + 1),
                "scalar",
                share,
                label=f"{what} {index + 1}",
                unit="share",
                path=f"{path}.{field}.{index}",
            )

    declared = len(model.timeline.labels)
    quarters = quarters_declared(model)
    figures, given, growth, paths, growth_paths = [], [], [], [], []
    rate, since = 0.0, None
    for index, label in enumerate(model.projected_labels):
        if label in backlog.growth_per_year:
            rate, since = backlog.growth_per_year[label], label
        figure = backlog.bookings.get(label)
        runoff = index >= declared
        figures.append(figure or 0.0)
        # Grown only where a growth rate is in force; before any, a period without a figure books nothing.
        given.append(1.0 if figure is not None or runoff or label in quarters or since is None else 0.0)
        growth.append(rate if not runoff else 0.0)
        paths.append(
            f"{path}.bookings.{label}"
            if figure is not None or label in quarters
            else "timeline.runoff_years"
            if runoff
            else f"{path}.growth_per_year"
            if since
            else f"{path}.bookings"
        )
        growth_paths.append(f"{path}.growth_per_year.{since}" if since and not runoff else f"{path}.growth_per_year")
    add("bookings_declared", "period", figures, label="Bookings as declared", unit=money, path=paths)
    add(
        "bookings_is_declared",
        "period",
        given,
        label="1 if bookings are declared (none in the run-off unless named), 0 if grown",
        unit="flag",
        path=paths,
    )
    add(
        "bookings_growth_per_year",
        "period",
        growth,
        label="Bookings growth per year (periods without a figure)",
        unit="rate",
        path=growth_paths,
    )
    for named in quarters.values():
        for quarter in named:
            add(
                Key("bookings_in_quarter", band=quarter),
                "scalar",
                backlog.bookings.get(quarter, 0.0),
                label=f"Bookings signed in fiscal quarter {quarter}",
                unit=money,
                path=f"{path}.bookings.{quarter}" if quarter in backlog.bookings else f"{path}.bookings",
            )
    add(
        "backlog_compute_share",
        "scalar",
        backlog.compute_share,
        label="AI/compute share of the backlog",
        unit="share",
        path=f"{path}.compute_share",
    )


def schedule_key(name: str, year: int) -> Key:
    """The input holding year ``year`` (1 first) of a recognition or conversion schedule."""
    return Key(name, band=f"year{year}")
