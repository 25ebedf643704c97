"""The small draws the model strategies are built from: numbers within the schema's declared
bounds, shares that sum to one, rental price curves and price tiers."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st
from pydantic import BaseModel

from ..schema import PriceCurve, PriceTier
from ._bounds import Bounds, declared_bounds

DUST = 1e-12
"""Floats below this drawn in a range that allows zero are drawn as zero."""


def numbers(
    block: type[BaseModel], field: str, practical: tuple[float, float] | None = None
) -> st.SearchStrategy[float]:
    """A float within the range ``block.field`` declares, narrowed to ``practical`` if given."""
    bounds = declared_bounds(block, field)
    return _floats(bounds.within(*practical) if practical else bounds)


def _floats(bounds: Bounds) -> st.SearchStrategy[float]:
    """Floats in a range; float dust (2e-308, or a subnormal) is drawn as the zero it stands for when
    the range allows zero: nobody writes it in a model, and it only tests numpy's overflow."""
    floats = st.floats(
        bounds.low,
        bounds.high,
        exclude_min=bounds.low_open,
        exclude_max=bounds.high_open,
        allow_subnormal=False,
        allow_nan=False,
        allow_infinity=False,
    )
    if bounds.clip(0.0) == 0.0:
        return floats.map(lambda value: 0.0 if abs(value) < DUST else value)
    return floats


@st.composite
def mixes(draw: st.DrawFn, names: Sequence[str], *, all_positive: bool = False) -> dict[str, float]:
    """Shares by name summing to one: positive weights (on a non-empty subset, unless ``all_positive``) normalised."""
    chosen = list(names) if all_positive else draw(st.lists(st.sampled_from(list(names)), min_size=1, unique=True))
    weights = {name: draw(st.integers(1, 10)) if name in chosen else 0 for name in names}
    total = sum(weights.values())
    return {name: weight / total for name, weight in weights.items()}


@st.composite
def price_curves(draw: st.DrawFn, *, first_year: int = 2023) -> PriceCurve:
    """A rental price path: dated points in chronological order, a launch price with yearly declines,
    or prices by age since launch; the last two continuous or stepped."""
    price = numbers(PriceCurve, "launch_price_usd_per_hour", (0.1, 20))
    declines = numbers(PriceCurve, "annual_declines", (0, 0.6))
    after = numbers(PriceCurve, "decline_after_last_point", (0, 0.6))
    form = draw(st.sampled_from(["launch", "points", "by_age"]))
    if form == "launch":
        return PriceCurve(
            launch_price_usd_per_hour=draw(price),
            annual_declines=tuple(draw(st.lists(declines, max_size=3))),
            stepped=draw(st.booleans()),
        )
    if form == "by_age":
        ages = sorted(draw(st.sets(st.sampled_from([0, 0.5, 1, 2, 3, 5]), min_size=1, max_size=4)))
        return PriceCurve(
            by_age={age: draw(price) for age in ages}, decline_after_last_point=draw(after), stepped=draw(st.booleans())
        )
    months = sorted(draw(st.sets(st.integers(0, 6 * 12 - 1), min_size=1, max_size=3)))
    points = {_date_label(first_year + month // 12, month % 12 + 1): draw(price) for month in months}
    return PriceCurve(points=points, decline_after_last_point=draw(after))


TIER_NAMES = ("on_demand", "reserved_1y", "reserved_3y")
"""Names of generated price tiers."""


@st.composite
def price_tiers(draw: st.DrawFn) -> dict[str, PriceTier]:
    """One to three price tiers whose shares sum to one, each at the contract or spot curve, at a
    ratio to it, re-priced every period or held for a whole number of years."""
    names = draw(st.lists(st.sampled_from(TIER_NAMES), min_size=1, unique=True))
    shares = draw(mixes(names, all_positive=True))
    return {
        name: PriceTier(
            share=shares[name],
            price=draw(st.sampled_from(["contract", "spot"])),
            price_ratio=draw(numbers(PriceTier, "price_ratio", (0.5, 1.5))),
            term_years=draw(st.sampled_from([0, 1, 2, 3])),
        )
        for name in names
    }


def _date_label(year: int, month: int) -> str:
    """The shortest way to write the start of a month: 2025, 2025Q3 or 2025-08."""
    if month == 1:
        return str(year)
    if month % 3 == 1:
        return f"{year}Q{month // 3 + 1}"
    return f"{year}-{month:02d}"
