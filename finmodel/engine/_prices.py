"""Market prices and price tiers as inputs.

Each generation's contract and spot curves are read at the middle of each period (the market
price of the period) and at the middle of each year of its cohort's age. Each price tier
(``leasing.tiers``, or the two that ``contracted_share`` stands for) has its share and price ratio.

Contracts. A vintage's leased capacity signs its contracts when it enters service (its in-service
date under ``timeline.purchases_in_service``; an opening vintage at its own, before the timeline).
A tier of term T re-signs every T years, so in period t the vintage bills that tier at the market
price on its last signing date, in_service + T·floor(age / T), its age taken at the middle of t.
A cohort signs at its start and re-signs every T years of age.

The market price on a signing date stays live: when the date is the middle of a period it is that
period's cell of the market-price row; any other date (before or after the timeline, or between
two middles, as under ``start_of_period``) has an input of its own computed from the curve,
``signed_<curve>_price_usd_per_hour[generation,date]``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..schema import CONTRACT_TIER, SPOT_TIER, CompanyModel
from ._ir import Ref
from ._keys import Key

if TYPE_CHECKING:
    from ._inputs import Assumptions

CURVES = (CONTRACT_TIER, SPOT_TIER)
"""The market curves a tier can be priced off (``PriceTier.price``)."""
ON_A_DATE = 1e-6
"""Two decimal years this close are the same date."""
PRICE_UNIT = "USD/GPU-hour"


def market_key(curve: str, generation: str) -> Key:
    """The market price by period of a generation's contract or spot curve."""
    return Key(f"{curve}_price_usd_per_hour", generation=generation)


def cohort_key(curve: str, generation: str) -> Key:
    """The market price in the middle of each year of a generation's cohort's age."""
    return Key(f"cohort_{curve}_price_usd_per_hour", generation=generation)


def signed_key(curve: str, generation: str, when: float) -> Key:
    """The market price on a signing date that is no period's middle."""
    return Key(f"signed_{curve}_price_usd_per_hour", generation=generation, signed=date_label(when))


def vintage_dates(model: CompanyModel) -> list[tuple[str, int | None, float]]:
    """Every vintage as (label, column or ``None`` before the timeline, in-service date as a decimal year)."""
    timeline = model.timeline
    delay = 1 - timeline.first_period_fraction
    opening = [(year, None, timeline.opening_in_service(year)) for year in model.opening_years()]
    bought = [(label, t, timeline.starts[t] + delay * timeline.period_years) for t, label in enumerate(timeline.labels)]
    return [*opening, *bought]


def bought_generations(model: CompanyModel) -> dict[str, frozenset[str]]:
    """By vintage label, the generations it bought any of (structural: GPU mixes are fixed per graph)."""
    shares = model.capex_shares()
    bought = {}
    for label, column, _ in vintage_dates(model):
        if column is not None:
            mix = shares[column].gpu_mix
        else:
            found = model.opening.gpu_mix_in(label)
            mix = found[0] if found is not None else {}
        bought[label] = frozenset(g for g, share in mix.items() if share > 0)
    return bought


def middles(model: CompanyModel) -> tuple[float, ...]:
    """The middle of each period projected (run-off included), where a period's market price is read."""
    timeline = model.projected_timeline
    return tuple(start + timeline.period_years / 2 for start in timeline.starts)


def signing_date(in_service: float, at: float, term: int) -> float:
    """The last date on or before ``at`` on which capacity in service since ``in_service`` signed a
    contract of ``term`` years (it re-signs at each multiple of the term)."""
    return in_service + term * math.floor((at - in_service) / term + ON_A_DATE)


def signed_price(period_middles: Sequence[float], curve: str, generation: str, when: float) -> Ref:
    """The market price on a signing date: the market row's cell of the period it is the middle of (of
    ``period_middles``, see :func:`middles`), else its input."""
    for column, middle in enumerate(period_middles):
        if abs(middle - when) < ON_A_DATE:
            return market_key(curve, generation).ref(at=column)
    return signed_key(curve, generation, when).ref()


def date_label(when: float) -> str:
    """A decimal year as a date: ``2023-07`` (a month's start), ``2024-02-15`` (its middle) or ``2024.123``."""
    year = math.floor(when + ON_A_DATE)
    months = (when - year) * 12
    if abs(months - round(months)) < 1e-4:
        return f"{year}-{round(months) + 1:02d}"
    if abs(months - math.floor(months) - 0.5) < 1e-4:
        return f"{year}-{math.floor(months) + 1:02d}-15"
    return f"{when:.3f}"


def pricing_path(model: CompanyModel, generation: str) -> str:
    """Where a generation's rental prices are declared: the company's own, else the catalogue's."""
    if generation in model.leasing.prices:
        return f"leasing.prices.{generation}"
    return f"gpus.{generation}.rental_price"


def terms(model: CompanyModel) -> list[tuple[str, int]]:
    """The (curve, term) pairs of the tiers with a term: each needs the market price on its signing dates."""
    found = {(tier.price, tier.term_years) for tier in model.leasing.price_tiers.values() if tier.term_years > 0}
    return sorted(found)


# --------------------------------------------------------------------------- inputs


def add_market_prices(result: Assumptions, generation: str) -> None:
    """A generation's contract and spot prices by period, read at each period's middle."""
    model = result.model
    pricing = model.pricing(generation)
    available = model.gpus[generation].available_from
    path = pricing_path(model, generation)
    for curve, name in ((pricing.contract, CONTRACT_TIER), (pricing.spot_curve, SPOT_TIER)):
        result.add(
            market_key(name, generation),
            "period",
            [curve.price_at(t, available) for t in middles(model)],
            label=f"{name.capitalize()} rental price: {generation}",
            unit=PRICE_UNIT,
            path=f"{path}.{name}",
        )


def add_cohort_prices(result: Assumptions, generation: str, start: float, years: int, axis: str) -> None:
    """A generation's contract and spot prices in the middle of each year of its cohort's age."""
    model = result.model
    pricing = model.pricing(generation)
    available = model.gpus[generation].available_from
    path = pricing_path(model, generation)
    points = [start + k - 0.5 for k in range(years + 1)]
    for curve, name in ((pricing.contract, CONTRACT_TIER), (pricing.spot_curve, SPOT_TIER)):
        result.add(
            cohort_key(name, generation),
            axis,
            [curve.price_at(t, available) for t in points],
            label=f"{name.capitalize()} price by year of age: {generation}",
            unit=PRICE_UNIT,
            path=f"{path}.{name}",
        )


def add_tiers(result: Assumptions) -> None:
    """Each tier's share and price ratio; ``contracted_share`` stays the one input of its shorthand."""
    leasing = result.model.leasing
    if leasing.tiers is None:
        result.add(
            "contracted_share",
            "scalar",
            leasing.contracted_share,
            label="Contracted share of leased hours",
            unit="share",
            path="leasing.contracted_share",
        )
        return
    for name, tier in leasing.tiers.items():
        sold = f"{tier.term_years}-year contracts" if tier.term_years else "re-priced every period"
        result.add(
            Key("tier_share", tier=name),
            "scalar",
            tier.share,
            label=f"Share of leased hours in tier {name} ({sold}, at the {tier.price} price)",
            unit="share",
            path=f"leasing.tiers.{name}.share",
        )
        result.add(
            Key("tier_price_ratio", tier=name),
            "scalar",
            tier.price_ratio,
            label=f"Price of tier {name} / the {tier.price} market price",
            unit="x",
            path=f"leasing.tiers.{name}.price_ratio",
        )


def add_signed_prices(result: Assumptions, cohort_starts: dict[str, tuple[float, int]]) -> None:
    """The market price on every signing date that is no period's middle, for the vintages and the
    cohorts (``cohort_starts``: per generation with a cohort, its start and years)."""
    model = result.model
    signed = terms(model)
    if not signed:
        return
    starts = model.projected_timeline.starts
    needed: dict[tuple[str, str], set[float]] = {}
    bought = bought_generations(model)
    period_middles = middles(model)
    for generation in model.generations_in_fleet():
        life = model.gpus[generation].physical_life_years
        for label, column, in_service in vintage_dates(model):
            if generation not in bought[label]:
                continue
            for t, middle in enumerate(period_middles):
                # As Context.alive, loosened by a hair: at worst an input no formula reads, never one missing.
                alive = max(0.0, starts[t] - in_service) < life + 1e-6
                if (column is None or t >= column) and alive:
                    for curve, term in signed:
                        needed.setdefault((generation, curve), set()).add(signing_date(in_service, middle, term))
    for generation, (start, years) in cohort_starts.items():
        for curve, term in signed:
            needed.setdefault((generation, curve), set()).update(start + age for age in range(0, years, term))
    for (generation, curve), dates in needed.items():
        pricing = model.pricing(generation)
        market = pricing.contract if curve == CONTRACT_TIER else pricing.spot_curve
        available = model.gpus[generation].available_from
        for when in sorted(dates):
            reference = signed_price(period_middles, curve, generation, when)
            if reference.at is None and reference.row not in result.rows:  # one input per date label
                result.add(
                    signed_key(curve, generation, when),
                    "scalar",
                    market.price_at(when, available),
                    label=f"{curve.capitalize()} price when a contract is signed on {date_label(when)}: {generation}",
                    unit=PRICE_UNIT,
                    path=f"{pricing_path(model, generation)}.{curve}",
                )
