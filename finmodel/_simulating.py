"""The library call behind ``finmodel simulate``: load a model, simulate it, write its files."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .export import Writer, write_all, write_draws_parquet, write_simulation_json
from .loading import load_model
from .simulate import Progress, Simulation, simulate


@dataclass(frozen=True)
class SimulationRun:
    """A simulation of one model file and the files written: ``<stem>-simulation.json`` and ``<stem>-draws.parquet``."""

    file: Path
    simulation: Simulation
    outputs: tuple[Path, ...]


def simulate_file(
    file: Path,
    out_dir: Path,
    *,
    draws: int | None = None,
    seed: int | None = None,
    scenario: str | None = None,
    chunk_size: int | None = None,
    dask: Any = None,
    allow_paths: Sequence[Path] = (),
    progress: Progress | None = None,
) -> SimulationRun:
    """Simulate a model file (see :func:`finmodel.simulate.simulate`) and write its summary and draws
    into ``out_dir`` as a set (both replaced, or neither)."""
    model = load_model(file, allow_paths=allow_paths)
    simulation = simulate(
        model, draws=draws, seed=seed, scenario=scenario, chunk_size=chunk_size, dask=dask, progress=progress
    )
    stem = file.stem if scenario is None else f"{file.stem}-{scenario}"
    document = simulation.document(source_file=str(file))
    targets: dict[Path, Writer] = {
        out_dir / f"{stem}-simulation.json": lambda path: write_simulation_json(document, path),
        out_dir / f"{stem}-draws.parquet": lambda path: write_draws_parquet(simulation, path),
    }
    write_all(targets)
    return SimulationRun(file, simulation, tuple(targets))
