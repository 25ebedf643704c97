"""Figures for a shipped model (default models/meta.yaml): where a build spends its time, how fast and in
how much memory a simulation runs, and ratios measured in this run. Prints figures; asserts nothing.

    python benchmarks/bench.py [MODEL] [--sizes 1000,10000,100000,1000000]

- build time by phase: load, resolve (assumptions by period), graph (line items), evaluate (one
  draw), workbook, memo;
- draws per second and peak memory of ``finmodel.simulate`` at each size, each in a fresh process
  (peak memory is that process's peak resident set, ``resource.getrusage(RUSAGE_SELF).ru_maxrss``:
  the interpreter and libraries included);
- whole commands: ``finmodel simulate --draws 1`` against ``--draws 100000`` (start-up included);
- ratios per draw against (a) one-draw-at-a-time projections, (b) a bare numpy kernel of one
  slice (an accelerator cohort's billed hours → revenue → after-tax flows → NPV at the hurdle,
  checked against the engine's ``cohort_lease_npv_usd``), both in this process, and (c) LibreOffice
  recalculating the workbook once, where ``soffice`` is installed.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import finmodel
from finmodel.engine._inputs import resolve
from finmodel.engine._ir import Graph
from finmodel.engine._numpy import evaluate
from finmodel.engine.blocks import define
from finmodel.export import write_memo, write_workbook
from finmodel.simulate import simulate

ROOT = Path(__file__).resolve().parents[1]
HOURS_PER_YEAR = 8760.0


def timed(function, repeat: int = 1) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - started)
    return best, result


def phases(file: Path) -> None:
    load, model = timed(lambda: finmodel.load_model(file), 3)
    resolving, assumptions = timed(lambda: resolve(model), 3)
    graphing, graph = timed(lambda: define(assumptions), 3)
    inputs = {name: np.asarray(row.values)[None, :] for name, row in assumptions.rows.items()}
    evaluating, _ = timed(lambda: evaluate(graph, inputs, 1), 3)
    projections = finmodel.project_all_scenarios(model)
    with tempfile.TemporaryDirectory() as scratch:
        workbook, _ = timed(lambda: write_workbook(projections, "base", Path(scratch) / "m.xlsx"))
        memo, _ = timed(lambda: write_memo(projections, "base", Path(scratch) / "m.html"))
    print(f"build phases of {file.name} (s): load {load:.3f}, resolve {resolving:.3f}, graph {graphing:.3f}, "
          f"evaluate {evaluating:.3f}, workbook {workbook:.3f} (all scenarios), memo {memo:.3f}")  # fmt: skip


def one_size(file: Path, draws: int) -> None:
    """Run in a fresh process: one simulation, its time and the process's peak memory, as JSON."""
    model = finmodel.load_model(file)
    seconds, _ = timed(lambda: simulate(model, draws=draws))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"draws": draws, "seconds": seconds, "peak_bytes": peak}))


def sizes(file: Path, counts: list[int]) -> dict[int, float]:
    per_draw = {}
    for draws in counts:
        output = subprocess.run(
            [sys.executable, __file__, str(file), "--one", str(draws)], capture_output=True, text=True, check=True
        ).stdout
        figures = json.loads(output.splitlines()[-1])
        per_draw[draws] = figures["seconds"] / draws
        print(f"{draws:>9,} draws: {figures['seconds']:7.2f} s, {draws / figures['seconds']:9,.0f} draws/s, "
              f"peak memory {figures['peak_bytes'] / 2**30:.2f} GiB")  # fmt: skip
    return per_draw


def commands(file: Path) -> None:
    timings = {}
    with tempfile.TemporaryDirectory() as scratch:
        for draws in (1, 100_000):
            command = [sys.executable, "-m", "finmodel.cli", "simulate", str(file), "--draws", str(draws)]
            timings[draws], _ = timed(
                lambda c=command: subprocess.run([*c, "--out", scratch], check=True, capture_output=True)
            )
    print(f"whole commands: --draws 1 {timings[1]:.2f} s, --draws 100000 {timings[100_000]:.2f} s: "
          f"{timings[100_000] / timings[1]:.1f}x")  # fmt: skip


def cohort_kernel(
    base: finmodel.Projection, generation: str, utilisation: np.ndarray, factor: np.ndarray
) -> np.ndarray:
    """The leased cohort's NPV in plain numpy: the engine's per-year rows that no draw moves are data."""

    def row(name: str) -> np.ndarray:
        return base.series(f"cohort_{name}[{generation}]")[0]

    in_service, ramp, price = (
        row("years_in_service")[1:],
        row("billable_share")[1:],
        row("rental_price_usd_per_hour")[1:],
    )
    running, depreciation, cost = (
        row("running_cost_usd")[1:],
        row("tax_depreciation_usd")[1:],
        -row("lease_cash_flow_usd")[0],
    )
    tax, hurdle = base.series("tax_rate")[0, 0], base.series("hurdle_rate")[0, 0]
    billed = in_service * HOURS_PER_YEAR * utilisation[:, None] * ramp
    flows = (billed * price * factor[:, None] - running) * (1 - tax) + tax * depreciation
    discount = (1 + hurdle) ** -np.arange(1, flows.shape[1] + 1)
    return -cost + flows @ discount


def slice_of(graph: Graph, target: str) -> Graph:
    """The rows ``target`` is computed from, in the graph's order: the engine's own share of the slice."""
    needed, pending = {target}, [target]
    while pending:
        for dependency, _ in graph.dependencies(graph.rows[pending.pop()]):
            if dependency not in needed:
                needed.add(dependency)
                pending.append(dependency)
    return Graph(dict(graph.axes), {name: row for name, row in graph.rows.items() if name in needed})


def marginal(function, small: int, large: int) -> float:
    """Seconds per draw of ``function(draws)`` beyond its fixed cost: the slope between two sizes."""
    return (timed(lambda: function(large), 3)[0] - timed(lambda: function(small), 3)[0]) / (large - small)


def ratios(file: Path, simulated_per_draw: float) -> None:
    model = finmodel.load_model(file)
    base = finmodel.project(model)
    generation = model.generations_used()[0]
    target = f"cohort_lease_npv_usd[{generation}]"
    rng = np.random.default_rng(1)
    # Every price path of the generation (the cohort's and the market's, which contracts sign at) × one factor.
    prices = [spec for spec in finmodel.inputs(model) if spec.name.endswith(f"_price_usd_per_hour[{generation}]")]

    def draws_of(count: int) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        utilisation, factor = rng.uniform(0.5, 0.95, count), rng.lognormal(0, 0.2, count)
        varied = {"leasing_utilisation": utilisation[:, None]}
        varied.update({spec.name: factor[:, None] * np.asarray(spec.base)[None, :] for spec in prices})
        return utilisation, factor, varied

    utilisation, factor, varied = draws_of(20_000)
    engine = base.with_inputs(varied).series(target)[:, 0]
    agree = bool(np.allclose(cohort_kernel(base, generation, utilisation, factor), engine, rtol=1e-9, atol=1e-6))
    piece = slice_of(base.graph, target)
    fixed = {name: np.asarray(row.values)[None, :] for name, row in base.assumptions.rows.items() if name in piece.rows}

    prepared = {count: draws_of(count) for count in (20_000, 200_000)}

    def engine_slice(count: int) -> None:
        evaluate(piece, {**fixed, **prepared[count][2]}, count)

    def kernel(count: int) -> None:
        cohort_kernel(base, generation, *prepared[count][:2])

    kernel_per_draw = marginal(kernel, 20_000, 200_000)
    slice_per_draw = marginal(engine_slice, 20_000, 200_000)
    looped, _ = timed(lambda: [finmodel.project(model, inputs={"leasing_utilisation": u}) for u in utilisation[:10]])
    print(f"per draw: simulation {simulated_per_draw * 1e6:,.1f} µs; one draw at a time {looped / 10 * 1e6:,.0f} µs "
          f"({looped / 10 / simulated_per_draw:,.0f}x slower)")  # fmt: skip
    print(f"the {generation} cohort slice ({len(piece.rows)} rows; kernel equals the engine's cohort NPV: {agree}): "
          f"engine {slice_per_draw * 1e6:.3f} µs a draw, bare numpy kernel {kernel_per_draw * 1e6:.3f} µs: "
          f"{slice_per_draw / kernel_per_draw:.1f}x")  # fmt: skip
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        print("LibreOffice not installed: no workbook recalculation ratio")
        return
    from finmodel.verify._libreoffice import recalculate

    with tempfile.TemporaryDirectory() as scratch:
        workbook = Path(scratch) / f"{file.stem}.xlsx"
        write_workbook(finmodel.project_all_scenarios(model), "base", workbook)
        seconds, _ = timed(lambda: recalculate([workbook], Path(scratch) / "out"))
    print(f"LibreOffice recalculates the workbook once in {seconds:.2f} s: "
          f"{seconds / simulated_per_draw:,.0f}x a simulated draw")  # fmt: skip


def main() -> None:
    arguments = sys.argv[1:]
    file = Path(arguments[0]) if arguments and not arguments[0].startswith("--") else ROOT / "models" / "meta.yaml"
    if "--one" in arguments:
        one_size(file, int(arguments[arguments.index("--one") + 1]))
        return
    counts = [1_000, 10_000, 100_000, 1_000_000]
    if "--sizes" in arguments:
        counts = [int(n) for n in arguments[arguments.index("--sizes") + 1].split(",")]
    phases(file)
    per_draw = sizes(file, counts)
    commands(file)
    ratios(file, per_draw[max(per_draw)])


if __name__ == "__main__":
    main()
