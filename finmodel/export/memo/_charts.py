"""The memo's charts as inline SVG drawn with matplotlib.

Text is drawn as paths (``svg.fonttype = "path"``), so a chart needs no font; ids are prefixed by
the chart's key so several charts share one HTML page; the date and creator are left out and the
hash salt fixed, so a rebuild is byte-identical. matplotlib is imported on first use: it is slow to
import and only the memo needs it. Figures are built without pyplot, so none stays open.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ...engine import Projection
from ...engine import presentation as p
from . import _format
from ._context import generations

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

WIDTH_INCHES = 7.0
"""The printable width of A4 with 15 mm margins: the charts print at their drawn size."""

LABELLED_POINTS = 12
"""A line chart labels its points with their values up to this many points (a year of months, or
twelve years); beyond, the labels would collide."""

IRR_FLOOR = -0.2
"""IRR bars stop here, labelled with their value (or "no IRR" where the flows have none)."""

INK = "#1F2937"
MUTED = "#6B7280"
THRESHOLD = "#111827"
BREAK_EVEN = "#B91C1C"

_STYLE: dict[str, Any] = {
    "svg.fonttype": "path",
    "svg.hashsalt": "finmodel-memo",
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.titlesize": 8.5,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 8,
    "axes.labelcolor": INK,
    "axes.edgecolor": MUTED,
    "axes.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "axes.axisbelow": True,
    "grid.color": "#E5E7EB",
    "grid.linewidth": 0.6,
    "xtick.color": INK,
    "ytick.color": INK,
    "xtick.major.size": 0,
    "ytick.major.size": 2,
    "legend.frameon": False,
    "legend.fontsize": 7.5,
    "text.parse_math": False,
    "figure.dpi": 72,
}

_SVG_PROLOGUE = re.compile(r"\A.*?(?=<svg)", re.DOTALL)
_SVG_NOISE = re.compile(r"<!--.*?-->|<metadata>.*?</metadata>|<style[^>]*>.*?</style>", re.DOTALL)
_SVG_SIZE = re.compile(r'<svg ([^>]*?)width="[^"]*" height="[^"]*"')
_SVG_NAMESPACES = re.compile(r'\s+xmlns(:xlink)?="[^"]*"')


def memo_figures(projections: Mapping[str, Projection], selected: str) -> dict[str, str]:
    """Each figure of :data:`presentation.MEMO_FIGURES` the model has data for, by key, as SVG."""
    from ._demand import demand_figure

    projection = projections[selected]
    draw: dict[str, Callable[[], str | None]] = {
        "capex_vs_leasing": lambda: _capex_vs_leasing(projection),
        "coverage": lambda: _coverage(projection),
        "fleet": lambda: _fleet(projection),
        "depreciation": lambda: _depreciation(projection),
        "demand": lambda: demand_figure(projection),
        "unit_economics": lambda: _unit_economics(projection),
        "scenarios": lambda: _scenarios(projections, selected),
    }
    drawn = {figure.key: draw[figure.key]() for figure in p.MEMO_FIGURES}
    return {key: svg for key, svg in drawn.items() if svg is not None}


def new_figure(height: float, columns: int = 1, *, sharey: bool = False) -> tuple[Figure, list[Axes]]:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_INCHES, height), layout="constrained")
    axes = figure.subplots(1, columns, sharey=sharey, squeeze=False)[0]
    return figure, list(axes)


def _svg(figure: Figure, key: str) -> str:
    """The figure as an ``<svg>`` element to inline: no prologue, metadata, global style or
    namespace URLs, ids prefixed by ``key``, and scaled to its container's width."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    svg = _SVG_NOISE.sub("", _SVG_PROLOGUE.sub("", buffer.getvalue()))
    svg = _SVG_NAMESPACES.sub("", svg).replace("xlink:href=", "href=")
    svg = re.sub(r'\bid="', f'id="{key}-', svg)
    svg = svg.replace('href="#', f'href="#{key}-').replace("url(#", f"url(#{key}-")
    svg = _SVG_SIZE.sub(r'<svg \1class="chart" preserveAspectRatio="xMidYMid meet"', svg, count=1)
    return re.sub(r">\s+<", "><", svg).strip()


def render(key: str, draw: Callable[[], Figure]) -> str:
    import matplotlib

    with matplotlib.rc_context(_STYLE):  # type: ignore[arg-type]
        return _svg(draw(), key)


def period_ticks(axes: Axes, periods: Sequence[str], *, compact: bool = False) -> None:
    """Period labels on the x axis: every year (``'24`` when compact), Q1 only for quarters."""
    positions = np.arange(len(periods))
    shown = [label[:4] if not label.isdigit() and label.endswith("Q1") else label for label in periods]
    shown = [label if label.isdigit() else "" for label in shown]
    if compact:
        shown = [f"’{label[2:]}" if label else "" for label in shown]
    axes.set_xticks(positions, shown)
    axes.set_xlim(-0.6, len(periods) - 0.4)


def money_axis(axes: Axes, label: str) -> None:
    axes.set_ylabel(label)
    axes.axhline(0, color=MUTED, linewidth=0.6)


def _money_scale(projection: Projection, *rows: np.ndarray) -> tuple[float, str]:
    """The divisor and axis label that show these money rows in bn, m or k by their size."""
    company = projection.model.company
    largest = max((float(np.nanmax(np.abs(row))) for row in rows if len(row)), default=0.0)
    return _format.money_scale(largest, company.currency, company.money_unit)


def _stack(axes: Axes, x: np.ndarray, layers: list[tuple[np.ndarray, str, str]], width: float = 0.75) -> None:
    """Stacked columns, one layer per ``(values, colour, legend label)``."""
    bottom = np.zeros(len(x))
    for values, colour, label in layers:
        axes.bar(x, values, width, bottom=bottom, color=colour, label=label, linewidth=0)
        bottom = bottom + values


def _generation_layers(projection: Projection, prefix: str, scale: float = 1.0) -> list[tuple[np.ndarray, str, str]]:
    model = projection.model
    palette = tuple(model.gpus)
    items = projection.line_items
    return [
        (items[f"{prefix}[{g}]"].to_numpy() / scale, p.generation_colour(palette, g), g)
        for g in model.generations_used()
    ]


def legend_above(figure: Figure, axes: Axes, columns: int, order: Sequence[str] = ()) -> None:
    """One legend above all panels, in ``order`` of labels when given (else drawing order)."""
    handles = dict(zip(*reversed(axes.get_legend_handles_labels()), strict=True))
    labels = [label for label in order if label in handles] or list(handles)
    figure.legend(
        [handles[label] for label in labels], labels, loc="outside upper center", ncols=columns, handlelength=1.2
    )


# --------------------------------------------------------------------------- memo figures


def _capex_vs_leasing(projection: Projection) -> str:
    chart = next(c for c in p.CHARTS if c.key == "capex_vs_leasing")
    items = projection.line_items
    periods = projection.periods

    divisor, unit = _money_scale(projection, *(items[series.row].to_numpy() for series in chart.series))

    def draw() -> Figure:
        figure, (axes,) = new_figure(2.9)
        x = np.arange(len(periods))
        for series in chart.series:
            values = items[series.row].to_numpy() / divisor
            if series.style == "column":
                axes.bar(x, values, 0.65, color=series.colour, label=series.label, linewidth=0)
            else:
                style = "--" if series.style == "dashed line" else "-"
                axes.plot(x, values, style, color=series.colour, label=series.label, linewidth=1.8, marker="o", ms=3)
        reported = projection.values["capex_is_reported"][0]
        projected = [i for i, flag in enumerate(reported) if flag < 1]
        if projected and projected[0] > 0:
            axes.axvline(projected[0] - 0.5, color=MUTED, linewidth=0.8, linestyle=":")
            axes.annotate(
                "CapEx projected →",
                (projected[0] - 0.4, 1),
                xycoords=("data", "axes fraction"),
                va="top",
                fontsize=7,
                color=MUTED,
            )
        period_ticks(axes, periods)
        money_axis(axes, unit)
        legend_above(figure, axes, len(chart.series), [series.label for series in chart.series])
        return figure

    return render("capex", draw)


def _coverage(projection: Projection) -> str:
    chart = next(c for c in p.CHARTS if c.key == "coverage")
    (series,) = chart.series
    items = projection.line_items
    inside = [
        i
        for i, (flag, depreciation) in enumerate(zip(items["in_horizon"], items["leasing_depreciation"], strict=True))
        if flag >= 1 and depreciation > 0
    ]
    periods = [projection.periods[i] for i in inside]
    values = items[series.row].to_numpy()[inside]
    minimum = float(projection.values["min_coverage"][0, 0])

    def draw() -> Figure:
        figure, (axes,) = new_figure(2.3)
        x = np.arange(len(periods))
        axes.plot(x, values, "-", color=series.colour, linewidth=1.8, marker="o", ms=3.5, label=series.label)
        axes.axhline(minimum, color=THRESHOLD, linestyle="--", linewidth=0.9, label="Minimum for the verdict")
        if len(values) <= LABELLED_POINTS:
            for position, value in zip(x, values, strict=True):
                axes.annotate(
                    _format.multiple(value), (position, value), textcoords="offset points", xytext=(0, 5), ha="center"
                )
        axes.set_ylim(0, max([minimum, *values]) * 1.2)
        axes.set_ylabel("× (revenue ÷ depreciation)")
        period_ticks(axes, periods)
        legend_above(figure, axes, 2)
        return figure

    return render("coverage", draw)


def _fleet(projection: Projection) -> str:
    periods = projection.periods
    units = projection.line_items["installed_units"].max()
    scale, unit = (1e6, "million accelerators") if units >= 1e6 else (1e3, "thousand accelerators")

    def draw() -> Figure:
        figure, panels = new_figure(2.6, len(p.FLEET_USES), sharey=True)
        x = np.arange(len(periods))
        for axes, (prefix, title) in zip(panels, p.FLEET_USES, strict=True):
            _stack(axes, x, _generation_layers(projection, prefix, scale))
            axes.set_title(title)
            period_ticks(axes, periods, compact=True)
        panels[0].set_ylabel(unit)
        legend_above(figure, panels[0], len(projection.model.generations_used()))
        return figure

    return render("fleet", draw)


def _depreciation(projection: Projection) -> str:
    periods = projection.periods
    panels_rows = (("depreciation_generation", "Book"), ("economic_depreciation_generation", "Economic"))
    items = projection.line_items
    divisor, unit = _money_scale(
        projection, items["depreciation"].to_numpy(), items["economic_depreciation"].to_numpy()
    )

    def draw() -> Figure:
        figure, panels = new_figure(2.7, 2, sharey=True)
        x = np.arange(len(periods))
        for axes, (prefix, title) in zip(panels, panels_rows, strict=True):
            _stack(axes, x, _generation_layers(projection, prefix, divisor))
            axes.set_title(title)
            period_ticks(axes, periods, compact=True)
        money_axis(panels[0], unit)
        legend_above(figure, panels[0], len(projection.model.generations_used()))
        return figure

    return render("depreciation", draw)


def _unit_economics(projection: Projection) -> str:
    rows = generations(projection)
    hurdle = float(projection.values["hurdle_rate"][0, 0])
    names = [g["name"] for g in rows]
    colours = [g["colour"] for g in rows]

    def draw() -> Figure:
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch

        figure, (prices, irr, payback) = new_figure(2.8, 3)
        x = np.arange(len(rows))
        prices.bar(x, [g["cost_per_hour"] for g in rows], 0.6, color=colours)
        prices.scatter(x, [g["first_year_price"] for g in rows], marker="D", s=18, color=INK, zorder=3)
        prices.scatter(
            x, [g["break_even_price"] for g in rows], marker="_", s=220, linewidths=2, color=BREAK_EVEN, zorder=3
        )
        prices.legend(
            [
                Patch(color="#9CA3AF"),
                Line2D([], [], marker="D", ms=4, color=INK, linestyle=""),
                Line2D([], [], color=BREAK_EVEN, linewidth=2),
            ],
            ["Cost per GPU-hour", "First-year price", "Break-even price"],
            loc="upper left",
            fontsize=6.5,
            handlelength=1.2,
        )
        prices.set_title("USD per GPU-hour")
        prices.set_ylim(0, max(max(g["first_year_price"], g["break_even_price"]) for g in rows) * 1.45)

        returns = [IRR_FLOOR if math.isnan(g["irr"]) else max(g["irr"], IRR_FLOOR) for g in rows]
        irr.bar(x, returns, 0.6, color=colours)
        irr.axhline(hurdle, color=THRESHOLD, linestyle="--", linewidth=0.9, label=f"Hurdle {_format.pct(hurdle)}")
        irr.legend(loc="upper left", fontsize=6.5)
        irr.axhline(0, color=MUTED, linewidth=0.6)
        irr.yaxis.set_major_formatter(lambda value, _: _format.pct(value, 0))
        irr.set_title("IRR if leased")
        irr.set_ylim(top=max([*returns, hurdle]) * 1.3)
        for position, g in zip(x, rows, strict=True):
            if math.isnan(g["irr"]) or g["irr"] < IRR_FLOOR:
                text = _format.irr(g["irr"]) if math.isnan(g["irr"]) else _format.pct(g["irr"], 0)
                irr.annotate(text, (position, IRR_FLOOR), ha="center", va="bottom", fontsize=6.5)

        payback.bar(x, [g["payback"] for g in rows], 0.6, color=colours)
        payback.scatter(
            x, [g["book_life"] for g in rows], marker="_", s=220, linewidths=2, color=INK, label="Book life", zorder=3
        )
        for position, g in zip(x, rows, strict=True):
            if not g["pays_back"]:
                payback.annotate("never", (position, g["payback"]), ha="center", va="bottom", fontsize=6.5)
        payback.set_title("Payback vs book life")
        payback.set_ylabel("years")
        payback.legend(loc="upper left", fontsize=6.5)
        payback.set_ylim(0, max(max(g["payback"], g["book_life"]) for g in rows) * 1.3)
        for axes in (prices, irr, payback):
            axes.set_xticks(x, names, rotation=45 if len(names) > 4 else 0, ha="right" if len(names) > 4 else "center")
        return figure

    return render("unit", draw)


def _scenarios(projections: Mapping[str, Projection], selected: str) -> str:
    names = list(projections)
    selected_projection = projections[selected]
    # A structural scenario (a longer life, say) may run off for longer: the axis spans the longest.
    periods = max((projection.periods for projection in projections.values()), key=len)
    company = selected_projection.model.company
    by_year_rows = {name: projections[name].line_items["leasing_economic_value_added"].to_numpy() for name in names}
    sums = [projections[name].metrics["horizon_leasing_economic_profit"] for name in names]
    divisor, label = _money_scale(selected_projection, *by_year_rows.values(), np.array(sums))

    def draw() -> Figure:
        figure, (by_year, total) = new_figure(2.6, 2)
        for name in names:
            values = by_year_rows[name] / divisor
            x = np.arange(len(values))
            width = 2.2 if name == selected else 1.3
            by_year.plot(
                x, values, color=p.scenario_colour(names, name), linewidth=width, marker="o", ms=2.5, label=name
            )
        period_ticks(by_year, periods, compact=True)
        money_axis(by_year, label)
        by_year.set_title(
            "Per fiscal year" if selected_projection.model.timeline.frequency == "annual" else "Per quarter"
        )
        legend_above(figure, by_year, len(names))

        y = np.arange(len(names))[::-1]
        scaled = [value / divisor for value in sums]
        total.barh(y, scaled, 0.6, color=[p.scenario_colour(names, name) for name in names])
        total.set_yticks(y, names)
        total.grid(axis="x", color="#E5E7EB", linewidth=0.6)
        total.grid(axis="y", visible=False)
        total.axvline(0, color=MUTED, linewidth=0.6)
        room = 0.6 * (max(abs(value) for value in scaled) or 1.0)
        total.set_xlim(min(-room, min(scaled) * 1.05), max(room, max(scaled) * 1.05))
        for position, value in zip(y, sums, strict=True):
            text = _format.money(value, company.currency, company.money_unit)
            total.annotate(
                text,
                (0, position),
                textcoords="offset points",
                xytext=(-4 if value >= 0 else 4, 0),
                ha="right" if value >= 0 else "left",
                va="center",
                fontsize=7.5,
            )
        total.set_xlabel(label)
        total.set_title("Over the verdict's horizon")
        return figure

    return render("scenarios", draw)


# --------------------------------------------------------------------------- comparison figures
