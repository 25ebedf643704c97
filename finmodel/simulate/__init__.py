"""Monte Carlo simulation of a model's ``uncertainty:`` block: distributions, seeded sampling in
blocks, chunks run here or on a dask cluster, and the result object the CLI, the build and the
memo read."""

from ._metrics import KeyMetric
from ._plan import Entry, Plan, VariedInput, plan_of, uncertainty_problems
from ._result import CORRELATION_METHOD, PERCENTILES, Simulation, Spread
from ._run import Progress, simulate
from ._sampling import BLOCK_DRAWS

__all__ = [
    "BLOCK_DRAWS",
    "CORRELATION_METHOD",
    "PERCENTILES",
    "Entry",
    "KeyMetric",
    "Plan",
    "Progress",
    "Simulation",
    "Spread",
    "VariedInput",
    "plan_of",
    "simulate",
    "uncertainty_problems",
]
