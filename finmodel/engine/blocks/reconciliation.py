"""Reconciliation with what the company reported: for each reported series, the modelled line on
the same basis, the variance and whether it is within the model's own tolerance. Periods without
a reported figure read zero and pass."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ...schema import CompanyModel, ReportedSeries
from .._ir import Const, Expr, Ref, if_, le, safe_divide
from .._keys import Key
from ..presentation import Schedule
from ._context import Context


def define(ctx: Context) -> None:
    for name, series in ctx.model.reported.items():
        _series(ctx, name, series)


def _series(ctx: Context, name: str, series: ReportedSeries) -> None:
    m, schedule = ctx.money, Schedule.RECONCILIATION
    given = [period in series.by_period for period in ctx.periods]

    def where_reported(expr: Expr) -> list[Expr]:
        """Only the periods with a reported figure have cells (the others stay blank)."""
        return [expr if reported else Const(0.0) for reported in given]

    reported = ctx.add(
        Key("reconciliation_reported", band=name),
        where_reported(Key("reported", band=name).ref()),
        label=f"{series.basis}: reported",
        unit=m,
        schedule=schedule,
    )
    modelled = ctx.add(
        Key("reconciliation_model", band=name),
        where_reported(_modelled(ctx, series.line_item, series.asset_classes)),
        label="   model, on the same basis",
        unit=m,
        schedule=schedule,
    )
    variance = ctx.add(
        Key("reconciliation_variance", band=name),
        where_reported(modelled - reported),
        label="   model − reported",
        unit=m,
        schedule=schedule,
    )
    share = ctx.add(
        Key("reconciliation_variance_share", band=name),
        where_reported(safe_divide(variance, reported)),
        label="   variance, % of reported",
        unit="share",
        schedule=schedule,
    )
    tolerance = Key("reconciliation_tolerance", band=name).ref()
    ctx.add(
        Key("reconciliation_within", band=name),
        where_reported(if_(le(share * share, tolerance * tolerance), 1, 0)),
        label="   within the tolerance (1 = yes)",
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
                    read(Key("reconciliation_reported", band=name).id, column),
                    read(Key("reconciliation_variance", band=name).id, column),
                    read(Key("reconciliation_variance_share", band=name).id, column),
                    read(Key("reconciliation_tolerance", band=name).id, 0),
                    read(Key("reconciliation_within", band=name).id, column) >= 1,
                    model.source_of(f"reported.{name}.by_period.{period}").source,
                )
            )
    return tuple(items)
