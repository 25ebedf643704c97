"""Break-evens worked by hand on the small model (see ``conftest.py`` here), and said plainly when
the range holds none."""

from __future__ import annotations

import pytest

from finmodel import project, sensitivity
from finmodel.schema import BreakEven, SensitivityBlock


def _only(model, *break_evens: BreakEven):
    return model.model_copy(update={"sensitivity": SensitivityBlock(tornado=(), grids=(), break_even=break_evens)})


def test_the_rental_price_at_which_economic_profit_is_zero_is_the_hand_worked_one(make_model, by_hand):
    # Economic profit is linear in the price p: (1 - tax) Σ DF (8,760 h × units × 80% × p - operating cost - value
    # lost) = hurdle × Σ DF × value.
    hours_billed = by_hand.revenue(0.8, 1.0)
    charge = by_hand.hurdle * sum(d * v for d, v in zip(by_hand.discount, by_hand.market_value, strict=True))
    price = (by_hand.operating_cost + by_hand.value_lost) / hours_billed + charge / (
        (1 - by_hand.tax) * sum(by_hand.discount) * hours_billed
    )
    assert by_hand.economic_profit(0.8, price) == pytest.approx(0, abs=1e-6)
    lever = BreakEven(input="contract_price_usd_per_hour[X1]", scale="value", low=0.5, high=10.0)
    (found,) = sensitivity(_only(make_model(), lever)).break_evens
    (crossing,) = found.crossings
    assert crossing.value == pytest.approx(price, rel=1e-9)
    assert crossing.passes_above and not crossing.step
    assert found.base_margin == pytest.approx(project(make_model()).metrics["horizon_leasing_economic_profit"])


def test_the_utilisation_at_which_coverage_is_one_is_the_hand_worked_one(make_model, by_hand):
    utilisation = (by_hand.operating_cost + by_hand.value_lost) / by_hand.revenue(1.0, 3.0)
    lever = BreakEven(input="leasing_utilisation", low=0.05, high=1.0, test="coverage")
    (found,) = sensitivity(_only(make_model(), lever)).break_evens
    assert [crossing.value for crossing in found.crossings] == [pytest.approx(utilisation, rel=1e-9)]


def test_no_break_even_in_the_range_is_said_plainly(make_model):
    lever = BreakEven(input="contract_price_usd_per_hour[X1]", scale="factor", low=1.5, high=3.0)
    result = sensitivity(_only(make_model(), lever))
    (found,) = result.break_evens
    assert found.crossings == () and found.passes_throughout is True
    (written,) = result.document()["break_evens"]
    assert written["found"] is False and written["passes_throughout"] is True and written["crossings"] == []
