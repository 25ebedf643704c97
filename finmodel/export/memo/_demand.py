"""The memo's demand section: who is there to rent the capacity to, and how much of the company's
own demand its fleet serves — its figures (numbers for the sentences) and its chart. Shown only for a
model whose ``demand:`` block clears leased hours against demand or holds capacity for internal demand."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ...engine import Projection
from ...engine import presentation as p
from ._charts import MUTED, legend_above, new_figure, period_ticks, render

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

BILLION = 1e9
SUPPLY = "#111827"
DEMAND = "#B91C1C"
SERVED = "#9DB4C0"
UNSERVED = "#FCA5A5"
RUNOFF = "#F3F4F6"


def demand_of(projection: Projection) -> dict[str, Any] | None:
    """The demand section's numbers over the declared timeline (run-off years have no new demand
    forecast worth quoting); ``None`` when the model declares no demand that clears."""
    items = projection.line_items.loc[list(projection.declared_periods)]
    clears = "external_demand_hours" in items
    internal = "internal_demand" in items
    if not (clears or internal):
        return None
    section: dict[str, Any] = {"clears": clears, "internal": internal}
    if clears:
        supply = float(items["leasable_hours"].sum())
        gap = items["demand_gap_h100_hours"]
        section |= {
            "supply_hours": supply,
            "demand_hours": float(items["external_demand_hours"].sum()),
            "billed_share": float(items["leased_hours_billed"].sum()) / supply if supply > 0 else 0.0,
            "shortage_periods": [str(period) for period, value in gap.items() if value > 0],
            "surplus_periods": [str(period) for period, value in gap.items() if value < 0],
        }
    if internal:
        unserved = items["internal_demand_unserved"]
        short = [str(period) for period, value in unserved.items() if value > 0]
        section |= {
            "internal_peak_hours": float(items["internal_demand"].max()),
            "internal_first_short": short[0] if short else None,
            "internal_served_share": float(items["internal_demand_served"].sum() / items["internal_demand"].sum())
            if items["internal_demand"].sum() > 0
            else 1.0,
        }
    return section


def demand_figure(projection: Projection) -> str | None:
    """Leasable supply against external demand (and the hours billed, by generation), beside the
    internal demand the fleet serves; ``None`` when the model declares neither."""
    items = projection.line_items
    clears = "external_demand_hours" in items
    internal = "internal_demand" in items
    if not (clears or internal):
        return None
    periods = projection.periods
    declared = len(projection.declared_periods)
    palette = tuple(projection.model.gpus)
    x = np.arange(len(periods))

    def external(axes: Axes) -> None:
        bottom = np.zeros(len(x))
        for g in projection.model.generations_used():
            column = f"leased_hours_billed[{g}]"
            if column not in items:
                continue
            values = items[column].to_numpy() / BILLION
            if not values.any():
                continue
            axes.bar(x, values, 0.7, bottom=bottom, color=p.generation_colour(palette, g), label=g, linewidth=0)
            bottom = bottom + values
        axes.plot(x, items["leasable_hours"] / BILLION, "-", color=SUPPLY, linewidth=1.6, label="Leasable supply")
        axes.plot(
            x, items["external_demand_hours"] / BILLION, "--", color=DEMAND, linewidth=1.6, label="External demand"
        )
        axes.set_title("Leasing: hours billed against supply and demand")
        axes.set_ylabel("billion GPU-hours")

    def own(axes: Axes) -> None:
        served = items["internal_demand_served"].to_numpy() / BILLION
        unserved = np.maximum(items["internal_demand_unserved"].to_numpy(), 0) / BILLION
        axes.bar(x, served, 0.7, color=SERVED, label="Served by the fleet", linewidth=0)
        axes.bar(x, unserved, 0.7, bottom=served, color=UNSERVED, label="Not served (to buy or build)", linewidth=0)
        axes.plot(x, items["internal_demand"] / BILLION, "-", color=SUPPLY, linewidth=1.2, label="Internal demand")
        axes.set_title("Internal demand and what the fleet serves")
        axes.set_ylabel("billion H100-equivalent hours")

    panels = [panel for panel, present in ((external, clears), (own, internal)) if present]

    def draw() -> Figure:
        figure, axes_list = new_figure(2.7, len(panels))
        for axes, panel in zip(axes_list, panels, strict=True):
            panel(axes)
            axes.axhline(0, color=MUTED, linewidth=0.6)
            period_ticks(axes, periods, compact=True)
            if declared < len(periods):
                axes.axvspan(declared - 0.5, len(periods) - 0.5, color=RUNOFF, linewidth=0, zorder=0)
                axes.annotate(
                    "run-off",
                    ((declared + len(periods) - 1) / 2, -0.02),
                    xycoords=("data", "axes fraction"),
                    ha="center",
                    va="top",
                    color=MUTED,
                )
            if len(panels) > 1:
                axes.legend(loc="upper left", fontsize=6.5, ncols=2)
                axes.set_ylim(top=axes.get_ylim()[1] * 1.3)
        if len(panels) == 1:
            legend_above(figure, axes_list[0], 6)
        return figure

    return render("demand", draw)
