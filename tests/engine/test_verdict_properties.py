"""The economic verdict has teeth: what should hurt never helps, and where the timeline stops does
not decide it. Checked on every shipped model and, under hypothesis, on generated ones.

Each worse case is a second draw of the same projection (``project(inputs=...)``), so base and
worse share one graph and differ only in the input varied.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finmodel import CompanyModel, inputs, load_model, project
from finmodel.schema import CapexPeriod
from finmodel.testing.strategies import company_models

MODELS = sorted(Path(__file__).resolve().parents[2].joinpath("models").glob("*.yaml"))
RANK = {"revenue asset": 0, "partly": 1, "cost centre": 2}


def _worse(model: CompanyModel, factor: float, names) -> dict[str, np.ndarray]:
    """Two draws of every input ``names`` picks: the base, then the base × ``factor``."""
    varied = {}
    for spec in inputs(model):
        if names(spec.name):
            base = np.asarray(spec.base, dtype=float)
            varied[spec.name] = np.stack([base, base * factor])
    return varied


def _never_better(model: CompanyModel, varied: dict[str, np.ndarray]) -> None:
    if not varied:
        return
    projection = project(model, inputs=varied)
    base, worse = projection.draw(0).verdict, projection.draw(1).verdict
    assert RANK[worse.label] >= RANK[base.label]
    for before, after in zip(base.reasons, worse.reasons, strict=True):
        slack = 1e-9 * (1 + abs(before.value))
        assert after.margin <= before.margin + slack, (before.test, before.margin, after.margin)


def _economic_life(name: str, accelerator_classes: set[str]) -> bool:
    return name.startswith("economic_life_years[") and name[len("economic_life_years[") : -1] in accelerator_classes


def _accelerators(model: CompanyModel) -> set[str]:
    return {c for c, asset in model.asset_classes.items() if asset.buys_accelerators}


@pytest.fixture(scope="module")
def shipped():
    return {file.stem: load_model(file) for file in MODELS}


def test_economic_life_of_two_years_makes_verdicts_worse_and_none_better(shipped):
    worse = 0
    for model in shipped.values():
        classes = _accelerators(model)
        varied = {
            spec.name: np.array([[spec.base[0]], [2.0]]) for spec in inputs(model) if _economic_life(spec.name, classes)
        }
        projection = project(model, inputs=varied)
        before, after = projection.verdict_labels
        assert RANK[after] >= RANK[before]
        worse += RANK[after] > RANK[before]
        _never_better(model, varied)
    assert worse >= 2


@pytest.mark.parametrize("stem", [file.stem for file in MODELS])
def test_lower_prices_and_utilisation_never_improve_a_shipped_verdict(shipped, stem):
    model = shipped[stem]
    _never_better(model, _worse(model, 0.7, lambda name: "price_usd_per_hour" in name))
    _never_better(model, _worse(model, 0.7, lambda name: name == "leasing_utilisation"))


def _extended(model: CompanyModel, years: int) -> CompanyModel:
    """The same model with ``years`` more of timeline and no CapEx in them."""
    timeline = model.timeline.model_copy(update={"end_year": model.timeline.end_year + years})
    added = timeline.labels[len(model.timeline.labels) :]
    by_period = {**model.capex.by_period, **{label: CapexPeriod(total=0.0) for label in added}}
    return model.model_copy(
        update={"timeline": timeline, "capex": model.capex.model_copy(update={"by_period": by_period})}
    )


def _same_verdict(model: CompanyModel, years: int) -> None:
    base, longer = project(model).verdict, project(_extended(model, years)).verdict
    assert longer.label == base.label
    for before, after in zip(base.reasons, longer.reasons, strict=True):
        assert after.value == pytest.approx(before.value, rel=1e-9, abs=1e-9), before.test


@pytest.mark.parametrize("stem", ["meta", "coreweave"])
def test_a_longer_timeline_without_new_capex_keeps_a_shipped_verdict(shipped, stem):
    _same_verdict(shipped[stem], 3)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=company_models(max_scenarios=0), factor=st.sampled_from([0.25, 0.5, 0.8]))
def test_worse_economics_never_improve_a_generated_verdict(model, factor):
    classes = _accelerators(model)
    _never_better(model, _worse(model, factor, lambda name: _economic_life(name, classes)))
    _never_better(model, _worse(model, factor, lambda name: "price_usd_per_hour" in name))
    _never_better(model, _worse(model, factor, lambda name: name == "leasing_utilisation"))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=company_models(max_scenarios=0), years=st.integers(1, 3))
def test_a_longer_timeline_without_new_capex_keeps_a_generated_verdict(model, years):
    _same_verdict(model, years)
