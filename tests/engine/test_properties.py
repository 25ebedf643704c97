"""Invariants that hold for any valid model, checked on generated ones (hypothesis).

Models come from the public strategies (:mod:`finmodel.testing.strategies`): drawn inside the
schema's declared constraints, never by filtering invalid draws away. The accounting invariants
themselves are in :mod:`finmodel.testing.invariants` (tested in ``tests/testing``); these are
the engine's own: bounds on shares and attributions, the horizon, the verdict's logic.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings

from finmodel import project
from finmodel.testing.strategies import company_models


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=company_models())
def test_engine_bounds_and_verdict_logic(model):
    projection = project(model)
    items = projection.line_items
    # Float noise is relative to the model's money figures (a model in units holds 1e10s).
    money = 1e-9 * (1 + np.abs(items["gross_ppe_closing"].to_numpy()).max())
    # What is leased or used never exceeds what is in service; shares stay within 0..1.
    for g in model.generations_used():
        installed = items[f"installed_units[{g}]"]
        assert (items[f"leasing_units[{g}]"] <= installed * (1 + 1e-9) + 1e-9).all()
        assert ((items[f"leased_share[{g}]"] >= -1e-12) & (items[f"leased_share[{g}]"] <= 1 + 1e-12)).all()
    # Leasing's attributed depreciation and capital are parts of the whole.
    assert (items["leasing_depreciation"] <= items["depreciation"] + money).all()
    assert (items["leasing_capital"] <= items["capital_employed"] + money).all()
    # The horizon, once started, stays.
    horizon = items["in_horizon"].to_numpy()
    assert (np.diff(horizon) >= 0).all()
    # The verdict is one of three and agrees with its four flags.
    flags = [reason.passed for reason in projection.verdict.reasons]
    expected = "revenue asset" if all(flags) else ("partly" if any(flags[:3]) else "cost centre")
    assert projection.verdict.label == expected
