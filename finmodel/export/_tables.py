"""JSON and CSV views of a projection (presentation only: every number comes from the engine)."""

from __future__ import annotations

import csv
import json
import math
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..engine import Projection
from ..engine.presentation import HEADLINE_METRICS

HEADLINE_ROWS = tuple(metric.row for metric in HEADLINE_METRICS)


def _clean(value: float) -> float | None:
    return None if not math.isfinite(value) else round(float(value), 12)


def projection_document(
    projection: Projection, *, source_file: str, scenarios: dict[str, Projection], descriptions: dict[str, str]
) -> dict[str, Any]:
    """Everything a reader of the JSON needs: periods, line items, metrics, verdict, provenance."""
    model = projection.model
    graph = projection.graph
    items = projection.line_items
    assumptions = {}
    for name, row in projection.assumptions.rows.items():
        provenance = model.source_of(row.path)
        entry: dict[str, Any] = {
            "values": [_clean(v) for v in row.values] if row.axis != "scalar" else _clean(row.values[0]),
            "unit": row.unit,
            "label": row.label,
            "path": row.path,
            "source": provenance.source,
            "note": provenance.note,
        }
        if len(set(row.paths)) > 1:
            entry["sources_by_column"] = [
                {"path": path, "source": model.source_of(path).source, "note": model.source_of(path).note}
                for path in row.paths
            ]
        assumptions[name] = entry
    return {
        "finmodel_schema_version": 1,
        "model": {
            "file": source_file,
            "company": model.company.name,
            "ticker": model.company.ticker,
            "currency": model.company.currency,
            "money_unit": model.company.money_unit,
            "frequency": model.timeline.frequency,
            "scenario": projection.scenario,
        },
        "periods": list(projection.periods),
        "runoff_periods": list(projection.periods[len(projection.declared_periods) :]),
        "line_items": {name: [_clean(v) for v in items[name]] for name in items.columns},
        "units": {name: graph.rows[name].unit for name in items.columns},
        "metrics": {name: _clean(value) for name, value in projection.metrics.items()},
        "cohorts": {
            generation: {name: [_clean(v) for v in table[name]] for name in table.columns}
            for generation, table in projection.cohorts.items()
        },
        "verdict": _verdict(projection),
        "reconciliation": [
            {key: _clean(value) if isinstance(value, float) else value for key, value in asdict(item).items()}
            for item in projection.reconciliation
        ],
        "scenarios": {
            name: {
                "description": descriptions.get(name, ""),
                "verdict": _verdict(other),
                "metrics": {key: _clean(other.metrics[key]) for key in HEADLINE_ROWS if key in other.metrics},
            }
            for name, other in scenarios.items()
        },
        "assumptions": assumptions,
    }


def _verdict(projection: Projection) -> dict[str, Any]:
    verdict = projection.verdict
    return {
        "label": verdict.label,
        "probability": verdict.probability,
        "reasons": [
            {
                "test": reason.test,
                "passed": reason.passed,
                "value": _clean(reason.value),
                "threshold": _clean(reason.threshold),
                "margin": _clean(reason.margin),
                "detail": reason.detail,
            }
            for reason in verdict.reasons
        ],
    }


def write_json(document: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(document, indent=1, allow_nan=False) + "\n", encoding="utf-8")


def write_csv(projection: Projection, path: Path) -> None:
    """Line items as rows, periods as columns, with label and unit, as an analyst lays them out."""
    items = projection.line_items
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([_inert(text) for text in ("line_item", "label", "unit", *projection.periods)])
        for name in items.columns:
            row = projection.graph.rows[name]
            texts = [_inert(text) for text in (name, row.label, row.unit)]
            writer.writerow([*texts, *(repr(float(v)) for v in items[name])])


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _inert(text: str) -> str:
    """Text a spreadsheet would run as a formula (labels carry names from the model) gets a leading quote."""
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text
