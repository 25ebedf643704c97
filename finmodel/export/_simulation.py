"""A simulation's files: its summary as JSON and one row per draw as Parquet (presentation only)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..simulate import Simulation


def write_simulation_json(document: dict[str, Any], path: Path) -> None:
    """The summary: percentiles, probabilities, seed and distributions (numbers finite, else null)."""
    path.write_text(json.dumps(document, indent=1, allow_nan=False) + "\n", encoding="utf-8")


def write_draws_parquet(simulation: Simulation, path: Path) -> None:
    """One row per draw: each entry's draw, each key metric (null where it has no value, an IRR that
    does not exist), each test's pass and the verdict label."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(simulation.table(), preserve_index=False)
    pq.write_table(table, path, compression="zstd")
