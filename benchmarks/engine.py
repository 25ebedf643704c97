"""Time the engine on the shipped models and report ratios against a baseline in this process.

Baseline: one deterministic projection of each model. Compared with it: a projection with
1,000 draws of leasing utilisation in one vectorised run, and the same 1,000 draws as a loop of
single projections (what the draws axis saves). Prints figures; asserts nothing.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import numpy as np

import finmodel

MODELS = sorted((Path(__file__).resolve().parents[1] / "models").glob("*.yaml"))
DRAWS = 1_000
LOOPED = 50


def seconds(function, repeat: int = 5) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    rng = np.random.default_rng(7)
    header = f"{'model':<10} {'rows':>6} {'1 draw (s)':>11} {DRAWS:,} draws (s) {'ratio':>7}"
    print(f"{header} {'loop/draw (s)':>14} {'speed-up':>9}")
    for file in MODELS:
        model = finmodel.load_model(file)
        base = seconds(lambda model=model: finmodel.project(model))
        utilisation = rng.uniform(0.4, 0.95, size=(DRAWS, 1))
        vectorised = seconds(
            lambda model=model, varied=utilisation: finmodel.project(
                model, draws=DRAWS, inputs={"leasing_utilisation": varied}
            ),
            3,
        )
        looped = (
            seconds(
                lambda model=model, varied=utilisation: [
                    finmodel.project(model, inputs={"leasing_utilisation": varied[i : i + 1]}) for i in range(LOOPED)
                ],
                1,
            )
            / LOOPED
        )
        rows = len(finmodel.project(model).graph.rows)
        print(
            f"{file.stem:<10} {rows:>6} {base:>11.3f} {vectorised:>17.3f} {vectorised / base:>7.1f}x "
            f"{looped:>14.3f} {looped * DRAWS / vectorised:>8.0f}x"
        )


if __name__ == "__main__":
    main()
