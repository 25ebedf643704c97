"""Invariants that hold for any valid model, checked on generated ones (hypothesis).

Models are drawn inside the declared constraints (shares normalised from positive weights,
lives and prices within their ranges), never by filtering invalid draws away.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finmodel import project
from finmodel.schema import CompanyModel

GENERATIONS = ("A1", "B2")
METHODS = ("straight_line", "declining_balance", "sum_of_years_digits")


def _number(low: float, high: float) -> st.SearchStrategy[float]:
    """A value within declared bounds (subnormals excluded: nobody writes 2e-313 in a model)."""
    return st.floats(low, high, allow_subnormal=False)


def _mix(draw, names):
    weights = [draw(st.integers(1, 10)) for _ in names]
    return {name: weight / sum(weights) for name, weight in zip(names, weights, strict=True)}


@st.composite
def models(draw) -> CompanyModel:
    years = draw(st.integers(1, 6))
    labels = [str(2024 + i) for i in range(years)]
    by_period = {label: {"total": draw(_number(0, 100))} for label in labels}
    by_period[labels[0]].update(
        {
            "ai_share": draw(_number(0.1, 1)),
            "asset_mix": _mix(draw, ["servers", "buildings"]),
            "gpu_mix": _mix(draw, list(GENERATIONS)),
        }
    )
    bands = []
    for age in sorted({0.0, *draw(st.sets(st.sampled_from([0.5, 1.0, 2.0, 3.0]), max_size=2))}):
        shares = _mix(draw, ["training", "inference", "leasing"])
        bands.append({"min_age_years": age, **shares, "billed_share": draw(_number(0.5, 1))})
    return CompanyModel.model_validate(
        {
            "schema_version": 1,
            "company": {"name": "Generated", "ticker": "GEN"},
            "timeline": {
                "start_year": 2024,
                "end_year": 2024 + years - 1,
                "purchases_in_service": draw(st.sampled_from(["mid_period", "start_of_period"])),
            },
            "gpus": {
                name: {
                    "available_from": 2023,
                    "cost_per_accelerator_usd": draw(_number(10_000, 100_000)),
                    "cost_change_per_year": draw(_number(-0.3, 0.1)),
                    "power_kw_per_accelerator": draw(_number(0.5, 3)),
                    "physical_life_years": draw(_number(1, 8)),
                    "rental_price": {
                        "contract": {
                            "launch_price_usd_per_hour": draw(_number(0.5, 10)),
                            "annual_declines": [draw(_number(0, 0.5))],
                        }
                    },
                }
                for name in GENERATIONS
            },
            "capex": {"by_period": by_period},
            "asset_classes": {
                "servers": {
                    "method": draw(st.sampled_from(METHODS)),
                    "useful_life_years": draw(_number(1, 8)),
                    "salvage_fraction": draw(_number(0, 0.2)),
                    "life_changes": [{"effective": 2025, "useful_life_years": draw(_number(1, 8))}],
                    "buys_accelerators": True,
                },
                "buildings": {"useful_life_years": draw(_number(10, 40))},
            },
            "allocation": [{"by_age": bands}],
            "leasing": {
                "contracted_share": draw(_number(0, 1)),
                "utilisation": draw(st.one_of(st.just(0.0), _number(0.01, 1))),
            },
            "internal": {"utilisation": draw(_number(0, 1))},
            "running_costs": {
                "power_usage_effectiveness": draw(_number(1, 2)),
                "power_price_usd_per_kwh": draw(_number(0, 0.2)),
                "facility_cost_usd_per_kw_month": draw(_number(0, 200)),
                "maintenance_share_of_cost_per_year": draw(_number(0, 0.05)),
            },
            "financing": {
                "wacc": draw(_number(0, 0.2)),
                "tax_rate": draw(_number(0, 0.4)),
                "tax_losses": draw(st.sampled_from(["group_relief", "carry_forward"])),
                "debt_share_of_capex": draw(_number(0, 0.9)),
                "debt_interest_rate": draw(_number(0, 0.15)),
            },
        }
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=models())
def test_invariants(model):
    projection = project(model)
    items = projection.line_items
    capex = items["capex_ai"].to_numpy()
    # Every value is a number.
    assert np.isfinite(items.to_numpy()).all()
    assert all(np.isfinite(value) or name.endswith("irr") for name, value in projection.metrics.items())
    # Every identity on the Checks sheet reads zero.
    for name in (c for c in items.columns if c.startswith("check_")):
        assert np.allclose(items[name], 0.0, atol=1e-6), name
    # Depreciation is never negative, and never more than what was bought.
    assert (items["depreciation"] >= -1e-9).all()
    assert items["depreciation"].sum() <= capex.sum() * (1 + 1e-9) + 1e-9
    # What is leased or used never exceeds what is in service; shares stay within 0..1.
    for g in model.generations_used():
        assert (items[f"leasing_units[{g}]"] <= items[f"installed_units[{g}]"] * (1 + 1e-9) + 1e-9).all()
        assert ((items[f"leased_share[{g}]"] >= -1e-12) & (items[f"leased_share[{g}]"] <= 1 + 1e-12)).all()
    assert (items["leasing_depreciation"] <= items["depreciation"] * (1 + 1e-9) + 1e-9).all()
    assert (items["leasing_capital"] <= items["capital_employed"] * (1 + 1e-9) + 1e-9).all()
    # The horizon, once started, stays.
    horizon = items["in_horizon"].to_numpy()
    assert (np.diff(horizon) >= 0).all()
    # The verdict is one of three and agrees with its four flags.
    flags = [reason.passed for reason in projection.verdict.reasons]
    expected = "revenue asset" if all(flags) else ("partly" if any(flags[:3]) else "cost centre")
    assert projection.verdict.label == expected
