"""The comparison memo's content: each company's verdict, margins, returns and policies side by side."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..._scenarios import BASE
from ...engine import Projection
from ...engine import presentation as p
from ._context import (
    generations,
    horizon_sum,
    life_policy,
    metrics_of,
    money_of,
    safe_ratio,
    scenarios_of,
    tests_of,
    title_of,
    verdict_of,
)


def comparison_context(projections_by_model: Mapping[str, Mapping[str, Projection]]) -> dict[str, Any]:
    """Every company's base case side by side, with each company's scenarios' verdicts."""
    companies: list[dict[str, Any]] = []
    for key, projections in projections_by_model.items():
        projection = projections[BASE]
        tests = tests_of(projection)
        companies.append(
            {
                "key": key,
                "title": title_of(projections, BASE),
                "money": money_of(projection.model),
                "verdict": verdict_of(projection, tests),
                "metrics": metrics_of(projection),
                "generations": generations(projection),
                "lives": life_policy(projection),
                "intensity": _intensity(projection),
                "scenarios": scenarios_of(projections, BASE),
            }
        )
    names = [g["name"] for company in companies for g in company["generations"]]
    shifts: dict[tuple[str, str], list[str]] = {}
    for company in companies:
        for scenario in company["scenarios"]:
            if scenario["label"] != company["verdict"]["label"]:
                shifts.setdefault((scenario["name"], scenario["label"]), []).append(company["title"]["company"])
    return {
        "companies": companies,
        "scenario_shifts": [
            {"scenario": scenario, "label": label, "companies": judged} for (scenario, label), judged in shifts.items()
        ],
        "tests": [test.title for test in p.VERDICT_TESTS],
        "generation_names": list(dict.fromkeys(names)),
    }


def _intensity(projection: Projection) -> dict[str, Any]:
    """CapEx intensity and the weight of leasing, over the verdict's horizon."""
    metrics = projection.metrics
    capex_ai = horizon_sum(projection, "capex_ai")
    leased_units = sum(horizon_sum(projection, f"leasing_units[{g}]") for g in projection.model.generations_used())
    return {
        "capex_ai": capex_ai,
        "ai_share_of_capex": float(projection.values["ai_share_of_capex"][0][-1]),
        "capex_per_leasing_revenue": safe_ratio(capex_ai, metrics["horizon_leasing_revenue"]),
        "leasing_revenue": metrics["horizon_leasing_revenue"],
        "leased_capacity_share": metrics["horizon_leased_capacity_share"],
        "leased_share_of_fleet": safe_ratio(leased_units, horizon_sum(projection, "installed_units")),
        "book_depreciation": horizon_sum(projection, "depreciation"),
        "economic_depreciation": horizon_sum(projection, "economic_depreciation"),
    }


# --------------------------------------------------------------------------- appendix
