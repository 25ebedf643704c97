"""Reconciliation with what the company reported: for each reported series, the modelled line on
the same basis, the variance and whether it is within the model's own tolerance. Periods without
a reported figure read zero and pass.

A reported backlog is compared with the modelled backlog at the same date (in an annual model
possibly the end of a fiscal quarter); the revenue a company compares its backlog with reconciles
as the multiple backlog ÷ quarterly revenue, modelled backlog over it against reported backlog over it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ...schema import CompanyModel, ReportedSeries, quarters_declared, reported_columns
from .._ir import Const, Expr, Ref, if_, le, safe_divide
from .._keys import Key
from ..presentation import Schedule
from ._context import Context

QUARTER_YEARS = 0.25
Cells = Callable[[Callable[[str, float], Expr]], list[Expr]]
"""Per-column expressions of a reconciliation row from ``build(label, elapsed)``, blank where nothing is reported."""


def define(ctx: Context) -> None:
    for name, series in ctx.model.reported.items():
        _series(ctx, name, series)


def _series(ctx: Context, name: str, series: ReportedSeries) -> None:
    m, schedule = ctx.money, Schedule.RECONCILIATION
    at = reported_columns(ctx.model, series.by_period)

    def where_reported(build: Callable[[str, float], Expr]) -> list[Expr]:
        """Only the periods with a reported figure have cells (the others stay blank); ``build(label, elapsed)``."""
        return [build(*at[t]) if t in at else Const(0.0) for t in range(ctx.count)]

    figure = Key("reported", band=name).ref()
    if series.line_item == "cloud_revenue":
        reported, modelled, m = _multiple(ctx, name, series, where_reported)
    else:
        reported = ctx.add(
            Key("reconciliation_reported", band=name),
            where_reported(lambda _label, _elapsed: figure),
            label=f"{series.basis}: reported",
            unit=m,
            schedule=schedule,
        )
        modelled = ctx.add(
            Key("reconciliation_model", band=name),
            where_reported(lambda label, elapsed: _modelled(ctx, series, label, elapsed)),
            label="   model, on the same basis" + (" (at the end of the quarter named)" if _dated(ctx, series) else ""),
            unit=m,
            schedule=schedule,
        )
    variance = ctx.add(
        Key("reconciliation_variance", band=name),
        where_reported(lambda _label, _elapsed: modelled - reported),
        label="   model − reported",
        unit=m,
        schedule=schedule,
    )
    share = ctx.add(
        Key("reconciliation_variance_share", band=name),
        where_reported(lambda _label, _elapsed: safe_divide(variance, reported)),
        label="   variance, % of reported",
        unit="share",
        schedule=schedule,
    )
    tolerance = Key("reconciliation_tolerance", band=name).ref()
    ctx.add(
        Key("reconciliation_within", band=name),
        where_reported(lambda _label, _elapsed: if_(le(share * share, tolerance * tolerance), 1, 0)),
        label="   within the tolerance (1 = yes)",
        unit="flag",
        schedule=schedule,
    )


def _modelled(ctx: Context, series: ReportedSeries, label: str, elapsed: float) -> Expr:
    if series.line_item == "depreciation":
        return ctx.over(Key("depreciation", asset_class=c) for c in (series.asset_classes or ctx.classes))
    if series.line_item == "backlog":
        return _backlog_at(ctx, label, elapsed)
    return Ref(series.line_item)


def _dated(ctx: Context, series: ReportedSeries) -> bool:
    return any(label not in ctx.periods for label in series.by_period)


def _backlog_at(ctx: Context, label: str, elapsed: float) -> Expr:
    """The modelled backlog at a period's end, or at the end of fiscal quarter n of an annual period: its
    opening backlog + bookings signed by then (the quarters declared, else n/4 of the year's) − n/4 of
    the year's revenue recognised (recognition runs evenly through the year)."""
    if elapsed == 1.0:
        return Ref("backlog_closing")
    year, quarter = label[:4], int(label[-1])
    quarters = quarters_declared(ctx.model).get(year)
    if quarters is None:
        signed = Ref("bookings") * elapsed
    else:
        signed = ctx.over(Key("bookings_in_quarter", band=q) for q in quarters[:quarter])
    return Ref("backlog_opening") + signed - Ref("backlog_recognised") * elapsed


def _multiple(ctx: Context, name: str, series: ReportedSeries, where_reported: Cells) -> tuple[Ref, Ref, str]:
    """The revenue a backlog is compared with, per quarter (a year's ÷ 4), and the backlog ÷ quarterly revenue
    multiple: the reported backlog at the same label over it, and the modelled backlog over it."""
    schedule = Schedule.RECONCILIATION
    backlog = next(key for key, other in ctx.model.reported.items() if other.line_item == "backlog")
    figure = Key("reported", band=name).ref()
    reported_backlog, modelled_backlog = (
        Key(row, band=backlog).ref() for row in ("reconciliation_reported", "reconciliation_model")
    )
    quarterly = ctx.add(
        Key("reconciliation_quarterly_revenue", band=name),
        where_reported(lambda label, _: figure * QUARTER_YEARS if label in ctx.periods and ctx.step == 1 else figure),
        label=f"{series.basis}: reported, per quarter (a year's ÷ 4)",
        unit=ctx.money,
        schedule=schedule,
    )
    reported = ctx.add(
        Key("reconciliation_reported", band=name),
        where_reported(lambda _label, _elapsed: safe_divide(reported_backlog, quarterly)),
        label="   backlog ÷ quarterly revenue: reported backlog ÷ it",
        unit="x",
        schedule=schedule,
    )
    modelled = ctx.add(
        Key("reconciliation_model", band=name),
        where_reported(lambda _label, _elapsed: safe_divide(modelled_backlog, quarterly)),
        label="   model: modelled backlog at the same date ÷ it",
        unit="x",
        schedule=schedule,
    )
    return reported, modelled, "x"


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
    unit: str = "money"
    """``money`` (the model's money unit), or ``x`` for the backlog ÷ quarterly revenue multiple."""


def reconciled(model: CompanyModel, read: Callable[[str, int], float]) -> tuple[Reconciled, ...]:
    """Every reported figure of one draw, in declaration and period order; ``read(row, column)``."""
    items = []
    for name, series in model.reported.items():
        for column, (period, _) in reported_columns(model, series.by_period).items():
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
                    "x" if series.line_item == "cloud_revenue" else "money",
                )
            )
    return tuple(items)
