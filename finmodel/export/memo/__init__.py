"""The investment memo: a self-contained HTML page per company, and a comparison of companies.

Numbers come from the engine, are arranged by ``_context``, drawn by ``_charts`` (inline SVG)
and written by the templates of the repository's ``templates/`` through the filters of
``_format``. The page fetches nothing: styles and charts are inline, fonts are the reader's.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ...engine import Projection
from ...sensitivity import Sensitivity
from ...simulate import Simulation
from .._atomic import write_all


def write_memo(
    projections: Mapping[str, Projection],
    selected: str,
    path: Path,
    simulation: Simulation | None = None,
    *,
    sensitivity: Sensitivity | None = None,
) -> None:
    """Write one company's memo for the scenario ``selected``.

    ``projections`` maps ``"base"`` and every scenario name to its projection (as
    ``project_all_scenarios`` returns them): the memo compares them all. With a ``simulation`` (of
    the scenario shown) it also shows the spread of the verdict and its tests over the draws; with
    ``sensitivity`` (of the scenario ``selected``) the tornado, the grids and the break-evens.
    """
    from ._render import render_memo

    html = render_memo(projections, selected, simulation, sensitivity)
    write_all({Path(path): lambda target: target.write_text(html, encoding="utf-8")})


def write_comparison(projections_by_model: Mapping[str, Mapping[str, Projection]], path: Path) -> None:
    """Write a memo of several companies' base cases side by side (keys name the companies'
    models, e.g. file stems; each value maps ``"base"`` and every scenario to its projection)."""
    from ._render import render_comparison

    html = render_comparison(projections_by_model)
    write_all({Path(path): lambda target: target.write_text(html, encoding="utf-8")})


__all__ = ["write_comparison", "write_memo"]
