"""Render the memo's HTML: Jinja templates from the repository's ``templates/`` and the number filters.

The templates are found inside the installed package when it was built as a wheel (pyproject maps
``templates/`` to ``finmodel/templates``), else at the top of the source tree (a checkout or an
editable install, where the package is the source folder itself).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from ...engine import Projection
from ...engine import presentation as p
from ...sensitivity import Sensitivity
from ...simulate import Simulation
from . import _format
from ._comparison import comparison_context
from ._context import memo_context


def render_memo(
    projections: Mapping[str, Projection],
    selected: str,
    simulation: Simulation | None = None,
    sensitivity: Sensitivity | None = None,
) -> str:
    """One company's memo for the scenario ``selected``, as a self-contained HTML page (with its
    sensitivity: the tornado, numbered after the memo's own figures, the grids and the break-evens;
    with its simulation: the spread of the verdict over the draws)."""
    from ._charts import memo_figures
    from ._demand import demand_of
    from ._sensitivity_charts import sensitivity_section, tornado_figure

    context = memo_context(projections, selected) | {"demand": demand_of(projections[selected])}
    specs, svgs = p.MEMO_FIGURES, memo_figures(projections, selected)
    context["sensitivity"] = None if sensitivity is None else sensitivity_section(sensitivity)
    if sensitivity is not None:
        tornado, svg = tornado_figure(sensitivity)
        specs, svgs = (*specs, tornado), {**svgs, tornado.key: svg}
    context["figures"] = _figures(specs, svgs)
    context["simulation"] = _simulation(simulation, len(context["figures"]) + 1)
    return environment().get_template("memo.html.j2").render(context)


def _simulation(simulation: Simulation | None, number: int) -> dict[str, Any] | None:
    """The uncertainty section, its figure numbered after the others (it is read last), or None."""
    if simulation is None:
        return None
    from ._simulation_charts import simulation_section

    return simulation_section(simulation, number)


def render_comparison(projections_by_model: Mapping[str, Mapping[str, Projection]]) -> str:
    """Several companies' base cases side by side, as a self-contained HTML page."""
    from ._comparison_charts import comparison_figures

    context = comparison_context(projections_by_model)
    context["figures"] = _figures(p.COMPARISON_FIGURES, comparison_figures(context["companies"]))
    return environment().get_template("comparison.html.j2").render(context)


def _figures(specs: tuple[p.MemoFigure, ...], svgs: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Each figure by key with its number in reading order; the SVG is matplotlib's, whose text is
        drawn as paths, so it carries no string from the model and is inlined as it is. A figure a model
    has nothing for (no demand, say) is left out and the others are numbered without it."""
    drawn = [spec for spec in specs if spec.key in svgs]
    return {
        spec.key: {"number": number, "title": spec.title, "note": spec.note, "svg": Markup(svgs[spec.key])}
        for number, spec in enumerate(drawn, start=1)
    }


def template_dir() -> Path:
    """The templates folder: inside the installed package, else at the top of the source tree."""
    packaged = Path(str(resources.files("finmodel"))) / "templates"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[3] / "templates"


@functools.cache
def environment() -> jinja2.Environment:
    """The Jinja environment: every string from the model is escaped; numbers go through filters."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_dir()),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        money=_money,
        fmt=_by_unit,
        amount=_format.amount,
        pct=_format.pct,
        irr=_format.irr,
        points=_format.points,
        multiple=_format.multiple,
        years=_format.years,
        decimal=_format.decimal,
        year=_format.year,
        usd=_format.usd,
        usd_per_hour=_format.usd_per_hour,
        count=_format.count,
        gpu_hours=_format.gpu_hours,
    )
    return env


@jinja2.pass_context
def _money(context: jinja2.runtime.Context, value: float, money: Mapping[str, str] | None = None) -> str:
    """``money`` in the memo's currency and unit, or in ``money`` (a company's, in the comparison)."""
    money = money or context["money"]
    return _format.money(value, money["currency"], money["money_unit"])


@jinja2.pass_context
def _by_unit(context: jinja2.runtime.Context, value: float, unit: str, money: Mapping[str, str] | None = None) -> str:
    """Any value by its row's unit; ``"money"`` is the model's money unit."""
    money = money or context["money"]
    if unit == "money":
        return _format.money(value, money["currency"], money["money_unit"])
    return _format.by_unit(value, unit, money["currency"], money["money_unit"])
