"""The CSV and JSON views of a projection."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from finmodel import project
from finmodel.export import write_csv
from finmodel.schema import CompanyModel

FORMULA = "=cmd|' /C calc'!A0"
DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")


def test_csv_text_that_a_spreadsheet_would_run_is_neutralised(
    make_model: Callable[..., CompanyModel], tmp_path: Path
) -> None:
    generation = {"available_from": 2024, "cost_per_accelerator_usd": 40_000}
    generation |= {"power_kw_per_accelerator": 1.0, "physical_life_years": 4}
    model = make_model(
        {
            "gpus": {FORMULA: generation},
            "capex.by_period.2024.gpu_mix": {FORMULA: 1.0},
            "leasing.prices": {FORMULA: {"contract": {"launch_price_usd_per_hour": 3.0}}},
        }
    )
    path = tmp_path / "model.csv"
    write_csv(project(model), path)
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))

    labels = {row[0]: row[1] for row in rows[1:]}
    # The fleet row of the 2024 vintage is labelled "<generation> bought <period>: ...".
    name = f"units_in_service[{FORMULA},2024]"
    assert labels[name] == f"'{FORMULA} bought 2024: accelerators in service (period average)"
    for row in rows:
        for text in row[:3]:
            assert not text.startswith(DANGEROUS_STARTS), row
    # Numbers stay numbers: 2024's free cash flow is negative (the whole fleet is bought then).
    numbers = [float(cell) for row in rows[1:] for cell in row[3:]]
    free_cash_flow = next(row for row in rows if row[0] == "free_cash_flow")
    assert free_cash_flow[3].startswith("-") and float(free_cash_flow[3]) < 0
    assert len(numbers) == (len(rows) - 1) * 7  # 2024..2030
