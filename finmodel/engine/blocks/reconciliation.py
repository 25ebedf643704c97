"""Reconciliation with what the company reported: for each reported series, the modelled line on
the same basis, the variance and whether it is within the model's own tolerance. Periods without
a reported figure read zero and pass."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ...schema import CompanyModel
from .._ir import Expr, Ref, ge, if_, le, safe_divide
from .._keys import Key
from ..presentation import Schedule
from ._context import Context


def define(ctx: Context) -> None:
    m, schedule = ctx.money, Schedule.RECONCILIATION
    for name, series in ctx.model.reported.items():
        given = Key("reported_given", band=name).ref()
        reported = Key("reported", band=name).ref()
        modelled = ctx.add(
            Key("reconciliation_model", band=name),
            _modelled(ctx, series.line_item, series.asset_classes),
            label=f"Model, on the reported basis: {series.basis}",
            unit=m,
            schedule=schedule,
        )
        variance = ctx.add(
            Key("reconciliation_variance", band=name),
            if_(ge(given, 1), modelled - reported, 0),
            label=f"Model − reported: {series.basis}",
            unit=m,
            schedule=schedule,
        )
        share = ctx.add(
            Key("reconciliation_variance_share", band=name),
            safe_divide(variance, reported),
            label=f"(Model − reported) / reported: {series.basis}",
            unit="share",
            schedule=schedule,
        )
        tolerance = Key("reconciliation_tolerance", band=name).ref()
        ctx.add(
            Key("reconciliation_within", band=name),
            if_(le(share * share, tolerance * tolerance), 1, 0),
            label=f"1 if within the tolerance: {series.basis}",
            unit="flag",
            schedule=schedule,
        )


def _modelled(ctx: Context, line_item: str, classes: tuple[str, ...] | None) -> Expr:
    if line_item == "depreciation":
        return ctx.over(Key("depreciation", asset_class=c) for c in (classes or ctx.classes))
    return Ref(line_item)


@dataclass(frozen=True)
class Reconciled:
    """One reported figure beside the model: the variance and whether the model's tolerance accepts it."""

    name: str
    basis: str
    line_item: str
    period: str
    model: float
    reported: float
    variance: float
    variance_share: float
    tolerance: float
    within: bool
    source: str | None


def reconciled(model: CompanyModel, read: Callable[[str, int], float]) -> tuple[Reconciled, ...]:
    """Every reported figure of one draw, in declaration and period order; ``read(row, column)``."""
    items = []
    for name, series in model.reported.items():
        for column, period in enumerate(model.timeline.labels):
            if period not in series.by_period:
                continue
            items.append(
                Reconciled(
                    name,
                    series.basis,
                    series.line_item,
                    period,
                    read(Key("reconciliation_model", band=name).id, column),
                    read(Key("reported", band=name).id, column),
                    read(Key("reconciliation_variance", band=name).id, column),
                    read(Key("reconciliation_variance_share", band=name).id, column),
                    read(Key("reconciliation_tolerance", band=name).id, 0),
                    read(Key("reconciliation_within", band=name).id, column) >= 1,
                    model.source_of(f"reported.{name}.by_period.{period}").source,
                )
            )
    return tuple(items)
