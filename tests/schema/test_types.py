"""Property tests of the constrained types in finmodel.schema._types."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from finmodel.schema import Leasing, Timeline, model_file_schema, parse_point_in_time
from finmodel.schema._types import (
    MAX_MONEY,
    DeclineRate,
    GrowthRate,
    Kilowatts,
    LifeYears,
    Mix,
    Money,
    PointInTime,
    Share,
    UnitPriceUsd,
)

FEW = settings(max_examples=60, deadline=None, database=None)

share = TypeAdapter(Share)
mix = TypeAdapter(Mix)
point_in_time = TypeAdapter(PointInTime)

NAMES = st.text(alphabet="ABCDEFGHJKLMNPRSTUVWXYZ0123456789", min_size=1, max_size=6)
WEIGHTS = st.dictionaries(NAMES, st.floats(min_value=1e-3, max_value=1e3), min_size=1, max_size=8)


# --------------------------------------------------------------------------- Share


@FEW
@given(st.floats().filter(lambda x: not 0 <= x <= 1))
def test_share_rejects_anything_outside_zero_to_one(value: float) -> None:
    with pytest.raises(ValidationError):
        share.validate_python(value)
    with pytest.raises(ValidationError):  # also inside a model, where NaN/inf are refused too
        Leasing(contracted_share=value, utilisation=0.5)


@FEW
@given(st.floats(min_value=0, max_value=1))
def test_share_accepts_zero_to_one(value: float) -> None:
    assert share.validate_python(value) == value
    assert Leasing(contracted_share=value, utilisation=value).utilisation == value


# --------------------------------------------------------------------------- Mix


def _normalised(weights: dict[str, float]) -> dict[str, float]:
    total = math.fsum(weights.values())
    return {name: weight / total for name, weight in weights.items()}


@FEW
@given(WEIGHTS)
def test_mix_accepts_shares_that_sum_to_one(weights: dict[str, float]) -> None:
    shares = _normalised(weights)
    assert mix.validate_python(shares) == shares


@FEW
@given(WEIGHTS, st.one_of(st.floats(min_value=0.01, max_value=0.999), st.floats(min_value=1.001, max_value=5)))
def test_mix_rejects_shares_that_do_not_sum_to_one(weights: dict[str, float], total: float) -> None:
    shares = {name: share * total for name, share in _normalised(weights).items()}
    with pytest.raises(ValidationError):
        mix.validate_python(shares)


@FEW
@given(st.floats(min_value=1.001, max_value=10))
def test_mix_rejects_a_negative_share_even_when_the_sum_is_one(big: float) -> None:
    with pytest.raises(ValidationError):
        mix.validate_python({"A": big, "B": 1 - big})


def test_mix_message_says_what_it_sums_to() -> None:
    with pytest.raises(ValidationError, match=r"1\.2"):
        mix.validate_python({"H100": 0.8, "H200": 0.4})
    with pytest.raises(ValidationError):
        mix.validate_python({})


# --------------------------------------------------------------------------- other bounded numbers


@FEW
@given(st.floats(max_value=0))
def test_life_must_be_positive(value: float) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(LifeYears).validate_python(value)


@FEW
@given(st.one_of(st.floats(min_value=MAX_MONEY, exclude_min=True), st.floats(max_value=0, exclude_max=True)))
def test_money_is_refused_below_zero_and_above_its_ceiling(value: float) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(Money).validate_python(value)


# A denominator that is almost zero makes the projection overflow: each has a physical floor.
FLOORS = [
    pytest.param(LifeYears, 1e-320, 0.25, id="life: a quarter of a year"),
    pytest.param(UnitPriceUsd, 1e-300, 1.0, id="cost per accelerator: one dollar"),
    pytest.param(Kilowatts, 1e-320, 0.001, id="power per accelerator: one watt"),
]


@pytest.mark.parametrize("annotation, absurd, floor", FLOORS)
def test_almost_zero_lives_costs_and_power_are_refused(annotation: object, absurd: float, floor: float) -> None:
    adapter = TypeAdapter(annotation)
    for value in (absurd, floor * 0.99):
        with pytest.raises(ValidationError, match=f"greater than or equal to {floor:g}"):
            adapter.validate_python(value)
    assert adapter.validate_python(floor) == floor


def test_the_json_schema_shows_the_floors() -> None:
    definitions = model_file_schema()["$defs"]
    generation = definitions["GpuGeneration"]["properties"]
    bare = {name: field["anyOf"][0] for name, field in generation.items() if "anyOf" in field}
    assert bare["cost_per_accelerator_usd"]["minimum"] == 1
    assert bare["power_kw_per_accelerator"]["minimum"] == 0.001
    assert bare["physical_life_years"]["minimum"] == 0.25
    assert bare["relative_performance"]["minimum"] == 0.01
    assert definitions["AssetClass"]["properties"]["useful_life_years"]["anyOf"][0]["minimum"] == 0.25


def test_rate_bounds() -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(DeclineRate).validate_python(1.0)  # a 100% decline a year is not a rate of decline
    with pytest.raises(ValidationError):
        TypeAdapter(GrowthRate).validate_python(-1.0)  # -100% a year wipes the figure out
    assert TypeAdapter(GrowthRate).validate_python(-0.2) == -0.2


# --------------------------------------------------------------------------- PointInTime


@FEW
@given(st.integers(min_value=1990, max_value=2100), st.integers(min_value=1, max_value=4))
def test_quarter_labels_round_trip(year: int, quarter: int) -> None:
    label = f"{year}Q{quarter}"
    value = point_in_time.validate_python(label)
    assert value == year + (quarter - 1) / 4
    assert parse_point_in_time(label.lower()) == value
    # back to the label: the whole year, and the quarter from the fraction
    assert (int(value), round((value - int(value)) * 4) + 1) == (year, quarter)


@FEW
@given(st.integers(min_value=1990, max_value=2100), st.integers(min_value=1, max_value=12))
def test_month_labels(year: int, month: int) -> None:
    assert parse_point_in_time(f"{year}-{month:02d}") == pytest.approx(year + (month - 1) / 12, abs=1e-12)


@FEW
@given(st.integers().filter(lambda year: not 1990 <= year <= 2100))
def test_years_outside_the_range_are_refused(year: int) -> None:
    with pytest.raises(ValueError):
        parse_point_in_time(year)
    with pytest.raises(ValidationError):
        point_in_time.validate_python(year)


@FEW
@given(st.integers(min_value=1990, max_value=2090), st.integers(min_value=0, max_value=10))
def test_quarterly_timeline_labels_parse_to_their_starts(start: int, years: int) -> None:
    timeline = Timeline(start_year=start, end_year=start + years, frequency="quarterly")
    assert len(timeline.labels) == 4 * (years + 1)
    assert [parse_point_in_time(label) for label in timeline.labels] == pytest.approx(list(timeline.starts))
