"""The memo's simulation section: what the draws say of the verdict, its tests' margins and the
key metrics, with a chart of each test's margin over the draws (inline SVG, like every chart: text
drawn as paths, so the SVG carries no string from the model and is inlined as it is)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from markupsafe import Markup

from ...engine.presentation import VERDICT_LABELS, VERDICT_TESTS
from ...simulate import Simulation
from . import _format
from ._charts import INK, MUTED, THRESHOLD, new_figure, render

if TYPE_CHECKING:
    from matplotlib.figure import Figure

BINS = 40
FILL = "#60A5FA"


def simulation_section(simulation: Simulation, number: int) -> dict[str, Any]:
    """Everything the simulation partial shows; ``number`` is its figure's number in the memo."""
    spreads = simulation.spreads
    tests = {metric.test: metric for metric in simulation.metrics if metric.test}
    return {
        "draws": simulation.draws,
        "seed": simulation.seed,
        "probabilities": [
            {"label": label, "share": simulation.verdict_probabilities[label]} for label in VERDICT_LABELS
        ],
        "tests": [
            {
                "title": spec.title,
                "unit": tests[spec.test].unit,
                "pass_share": simulation.pass_probabilities[spec.test],
                "spread": spreads[tests[spec.test].name],
            }
            for spec in VERDICT_TESTS
        ],
        "metrics": [
            {
                "label": metric.label,
                "unit": metric.unit,
                "spread": spreads[metric.name],
                "irr": metric.row.startswith("cohort_irr"),
            }
            for metric in simulation.metrics
            if metric.test is None
        ],
        "inputs": [
            {
                "key": entry.key,
                "distribution": _words(entry.distribution.model_dump(exclude_none=True)),
                "applies": sorted({varied.applies_as for varied in entry.varied}),
                "count": len(entry.varied),
                "source": entry.distribution.source or entry.distribution.note or "",
            }
            for entry in simulation.plan.entries
        ],
        "figure": {
            "number": number,
            "title": "Verdict tests' margins over the draws",
            "note": (
                "Histograms of each test's value less its threshold over every draw (right of the dashed line "
                "passes); the dark line marks the deterministic base case."
            ),
            "svg": Markup(margins_chart(simulation)),
        },
    }


def _words(fields: dict[str, Any]) -> str:
    """A distribution in a few words: its kind, its parameters, any truncation."""
    kind = fields["distribution"]
    shown = {
        "uniform": ("low", "high"),
        "triangular": ("low", "mode", "high"),
        "pert": ("low", "mode", "high", "shape"),
        "normal": ("mean", "sd"),
        "lognormal": ("median", "sigma"),
    }
    if kind == "discrete":
        text = "discrete " + ", ".join(
            f"{value:g} ({probability:.0%})"
            for value, probability in zip(fields["values"], fields["probabilities"], strict=True)
        )
    else:
        text = f"{kind} " + ", ".join(f"{name} {fields[name]:g}" for name in shown[kind])
    bounds = [f"{name} {fields[name]:g}" for name in ("min", "max") if name in fields]
    return text + (f"; truncated to {' and '.join(bounds)}" if bounds else "")


def margins_chart(simulation: Simulation) -> str:
    """Four small histograms, one per verdict test: its margin in each draw."""
    tests = {metric.test: metric for metric in simulation.metrics if metric.test}

    def draw() -> Figure:
        figure, panels = new_figure(2.2, len(VERDICT_TESTS))
        for axes, spec in zip(panels, VERDICT_TESTS, strict=True):
            metric = tests[spec.test]
            values = simulation.columns[metric.name]
            values = values[np.isfinite(values)]
            axes.hist(values, bins=BINS, color=FILL, linewidth=0)
            axes.axvline(0, color=THRESHOLD, linestyle="--", linewidth=0.9)
            axes.axvline(simulation.spreads[metric.name].base, color=INK, linewidth=1.2)
            axes.set_title(spec.title)
            axes.set_yticks([])
            axes.tick_params(axis="x", labelsize=6.5, colors=MUTED)
            axes.xaxis.set_major_formatter(_tick_format(metric.unit))
            axes.xaxis.set_major_locator(_locator())
        return figure

    return render("simulation", draw)


def _tick_format(unit: str) -> Callable[[float, float], str]:
    write = _format.pct if unit == "share" else _format.decimal
    return lambda value, _position: write(value)


def _locator() -> Any:
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(4)
