"""Run a simulation in chunks of whole blocks and keep a few numbers a draw.

Each chunk samples its blocks, sets the inputs its draws vary and evaluates the model's graph
once for all of them (``Projection.with_inputs``: the graph is built once per run, not per
chunk); it hands back the draws and the key metrics of each draw, never a row by period. Memory
therefore holds one chunk's varied rows (rows no varied input reaches are computed once) plus
about 300 bytes a draw. Chunks run one after another here, or as tasks on a dask cluster; both
give the same arrays, because a draw depends on (seed, draw index) alone.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import numpy as np

from .._errors import SimulationError
from ..engine import Projection, project
from ..schema import MAX_DRAWS, CompanyModel
from ._metrics import KeyMetric, key_metrics, per_draw
from ._plan import Plan, plan_of
from ._result import Simulation
from ._sampling import BLOCK_DRAWS, blocks_for, normal_correlation, sample_blocks

MEMORY_BUDGET_BYTES = 768 * 2**20
"""What one chunk's varied rows may take; the default chunk size follows from it."""
BYTES_PER_CELL = 8 * 4
"""A float of a varied row and the temporaries evaluating it takes beside it."""
MAX_CHUNK_BLOCKS = 32

Progress = Callable[[int, int], None]
"""Told ``(draws done, draws in all)`` as each chunk finishes."""
Chunk = tuple[int, int, int]
"""(first block, blocks, draws kept)."""


def simulate(
    model: CompanyModel,
    *,
    draws: int | None = None,
    seed: int | None = None,
    scenario: str | None = None,
    chunk_size: int | None = None,
    dask: Any = None,
    progress: Progress | None = None,
) -> Simulation:
    """Draw the model's ``uncertainty:`` inputs ``draws`` times (default: the block's ``draws``)
    and project each draw. ``chunk_size`` draws are evaluated together (rounded up to whole blocks
    of 1,024; default: as many as fit a memory budget); ``dask`` runs the chunks on a dask cluster:
    ``"local"`` starts one on this machine, else a scheduler address or a ``distributed.Client``.
    The same seed gives identical results whatever the chunk size or executor."""
    if model.uncertainty is None:
        raise SimulationError(f"{model.company.name} declares no uncertainty: add an uncertainty block to simulate")
    count = model.uncertainty.draws if draws is None else draws
    if not 1 <= count <= MAX_DRAWS:
        raise SimulationError(f"draws must be 1..{MAX_DRAWS:,}, not {count:,}")
    chosen_seed = model.uncertainty.seed if seed is None else seed
    if not 0 <= chosen_seed < 2**63:
        raise SimulationError(f"the seed must be 0..2^63-1, not {chosen_seed}")
    base = project(model, scenario)
    plan = plan_of(model, scenario)
    metrics = key_metrics(base)
    blocks = _chunk_blocks(base, plan, chunk_size)
    chunks = list(_chunks(count, blocks))
    factor = normal_correlation(plan.rank_correlation)
    job = (base, plan, metrics, factor, chosen_seed)
    report = progress or (lambda done, total: None)
    results = _run_local(job, chunks, report) if dask is None else _run_dask(dask, job, chunks, report)
    columns = {name: np.concatenate([result[name] for result in results]) for name in results[0]}
    return Simulation(base, plan, metrics, columns, count, chosen_seed)


def run_chunk(
    base: Projection, plan: Plan, metrics: tuple[KeyMetric, ...], factor: np.ndarray, seed: int, chunk: Chunk
) -> dict[str, np.ndarray]:
    """One chunk's draws and the key metrics of each (a module-level function, so dask can ship it)."""
    first_block, blocks, kept = chunk
    distributions = [entry.distribution for entry in plan.entries]
    drawn = sample_blocks(distributions, factor, seed, first_block, blocks)[:kept]
    projection = base.with_inputs(plan.inputs_for(drawn), draws=kept)
    columns = {entry.key: drawn[:, index] for index, entry in enumerate(plan.entries)}
    columns.update(per_draw(projection, metrics))
    return columns


def _chunk_blocks(base: Projection, plan: Plan, chunk_size: int | None) -> int:
    if chunk_size is not None:
        if chunk_size < 1:
            raise SimulationError(f"the chunk size is a number of draws, 1 or more, not {chunk_size}")
        return blocks_for(chunk_size)
    cells = _varied_cells(base, {varied.spec.name for entry in plan.entries for varied in entry.varied})
    per_block = max(cells, 1) * BYTES_PER_CELL * BLOCK_DRAWS
    return int(np.clip(MEMORY_BUDGET_BYTES // per_block, 1, MAX_CHUNK_BLOCKS))


def _varied_cells(base: Projection, varied: set[str]) -> int:
    """Cells a draw adds: the columns of every row that a varied input reaches."""
    graph = base.graph
    readers: dict[str, list[str]] = {}
    for name, row in graph.rows.items():
        for dependency, _ in graph.dependencies(row):
            readers.setdefault(dependency, []).append(name)
    reached, pending = set(varied), list(varied)
    while pending:
        for reader in readers.get(pending.pop(), []):
            if reader not in reached:
                reached.add(reader)
                pending.append(reader)
    return sum(graph.size(name) for name in reached)


def _chunks(draws: int, blocks_per_chunk: int) -> Iterator[Chunk]:
    total_blocks = blocks_for(draws)
    for first in range(0, total_blocks, blocks_per_chunk):
        blocks = min(blocks_per_chunk, total_blocks - first)
        yield first, blocks, min(blocks * BLOCK_DRAWS, draws - first * BLOCK_DRAWS)


Job = tuple[Projection, Plan, tuple[KeyMetric, ...], np.ndarray, int]


def _run_local(job: Job, chunks: list[Chunk], progress: Progress) -> list[dict[str, np.ndarray]]:
    total = sum(chunk[2] for chunk in chunks)
    results, done = [], 0
    for chunk in chunks:
        results.append(run_chunk(*job, chunk))
        done += chunk[2]
        progress(done, total)
    return results


def _run_dask(dask: Any, job: Job, chunks: list[Chunk], progress: Progress) -> list[dict[str, np.ndarray]]:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise SimulationError("running on dask needs dask.distributed: pip install 'finmodel[dask]'") from None
    total = sum(chunk[2] for chunk in chunks)
    with ExitStack() as stack:
        if dask == "local":
            cluster = LocalCluster(
                n_workers=os.cpu_count() or 1, threads_per_worker=1, dashboard_address=None, silence_logs="error"
            )
            client = stack.enter_context(Client(stack.enter_context(cluster)))
        elif isinstance(dask, str):
            try:
                client = stack.enter_context(Client(dask, timeout="20s"))
            except (OSError, TimeoutError) as error:
                raise SimulationError(f"cannot reach the dask scheduler at {dask}: {error}") from None
        else:
            client = dask
        base, *rest = job
        shared = client.scatter(base, broadcast=True)
        futures = [client.submit(run_chunk, shared, *rest, chunk, pure=False) for chunk in chunks]
        done = 0
        for finished in as_completed(futures):
            done += chunks[futures.index(finished)][2]
            progress(done, total)
        return list(client.gather(futures))
