"""Sensitivity analysis: one-way tornado, two-way grids and break-evens of a model's verdict.

Every point is a draw of one vectorised ``project(model, inputs=...)`` call on the model's own
graph, so a sensitivity costs a few engine runs whatever its size. What is varied comes from the
model's ``sensitivity`` block, else from defaults for the model (see :mod:`._defaults`).

At the top level ``finmodel.sensitivity`` is the function :func:`sensitivity`
(``finmodel.sensitivity(model)``), not this package: import its other names with
``from finmodel.sensitivity import ...``.
"""

from ._analysis import Plan, plan, sensitivity
from ._batch import TESTS
from ._levers import Moved
from ._result import BreakEvenResult, GridResult, Metric, Point, Sensitivity, TornadoBar
from ._solve import Crossing

__all__ = [
    "BreakEvenResult",
    "Crossing",
    "GridResult",
    "Metric",
    "Moved",
    "Plan",
    "Point",
    "Sensitivity",
    "TESTS",
    "TornadoBar",
    "plan",
    "sensitivity",
]
