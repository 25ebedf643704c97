"""Invariants of the demand side (``demand:`` in a model): what clears never exceeds what is offered
nor what is wanted, and every hour of capacity is used internally, leased or idle. A model without
the rows they read passes them."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ._view import _Draw, _each_draw
from ._violation import Violation, close, tolerance


@_each_draw
def leased_hours_within_supply_and_demand(view: _Draw) -> Iterator[Violation]:
    """Leased hours billed never exceed the leasable supply nor the external demand (nor fall below zero),
    contract hours billed never exceed the supply, and a generation's vintages bill its hours between them."""
    rows = view.projection.values
    for g in view.projection.model.generations_in_fleet():
        if f"leasable_hours[{g}]" not in rows:
            continue
        billed, supply = view.row(f"leased_hours_billed[{g}]"), view.row(f"leasable_hours[{g}]")
        demand = view.row(f"external_demand_hours[{g}]")
        contracts = view.row(f"contract_hours_billed[{g}]") if f"contract_hours_billed[{g}]" in rows else None
        vintages = [name for name in rows if name.startswith(f"leased_hours_billed[{g},")]
        by_vintage = view.total(vintages) if vintages else None
        scale = tolerance(supply, demand)
        for t, period in enumerate(view.periods):
            values = {"billed": billed[t], "supply": supply[t], "demand": demand[t]}
            if billed[t] > supply[t] + scale or billed[t] > demand[t] + scale or billed[t] < -scale:
                yield view.violation(
                    f"leased_hours_billed[{g}]", period, "outside 0 .. the lesser of supply and demand", **values
                )
            if contracts is not None and not -scale <= contracts[t] <= supply[t] + scale:
                yield view.violation(
                    f"contract_hours_billed[{g}]", period, "outside 0 .. supply", contracts=contracts[t], **values
                )
            if by_vintage is not None and not close(by_vintage[t], billed[t], scale):
                yield view.violation(
                    f"leased_hours_billed[{g}]",
                    period,
                    "≠ the sum of its vintages' hours billed",
                    vintages=by_vintage[t],
                    **values,
                )


@_each_draw
def hours_conserved(view: _Draw) -> Iterator[Violation]:
    """Hours of capacity = held for internal use + leased hours billed + idle, none negative; internal
    demand served never exceeds internal demand."""
    rows = view.projection.values
    for g in view.projection.model.generations_in_fleet():
        if f"capacity_hours[{g}]" not in rows:
            continue
        capacity = view.row(f"capacity_hours[{g}]")
        parts = {
            "internal": view.row(f"internal_hours_held[{g}]"),
            "leased": view.row(f"leased_hours_billed[{g}]"),
            "idle": view.row(f"idle_hours[{g}]"),
        }
        scale = tolerance(capacity)
        total = np.sum(list(parts.values()), axis=0)
        for t, period in enumerate(view.periods):
            values = {name: float(part[t]) for name, part in parts.items()}
            if not close(total[t], capacity[t], scale) or min(values.values()) < -scale:
                yield view.violation(
                    f"capacity_hours[{g}]", period, "≠ internal + leased + idle hours", capacity=capacity[t], **values
                )
    if "internal_demand" in rows:
        demand, served = view.row("internal_demand"), view.row("internal_demand_served")
        scale = tolerance(demand)
        for t, period in enumerate(view.periods):
            if served[t] > demand[t] + scale or served[t] < -scale:
                yield view.violation(
                    "internal_demand_served", period, "outside 0 .. internal demand", served=served[t], demand=demand[t]
                )
