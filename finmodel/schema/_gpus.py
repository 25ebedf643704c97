"""GPU generations and their market prices: the catalogue's language (``models/catalog/gpus.yaml``)
and the price curves a company's leasing block may override."""

from __future__ import annotations

import bisect
import math
from functools import cached_property
from typing import Annotated, Literal

from annotated_types import Ge, Le
from pydantic import Field, field_validator, model_validator

from ._history import ResalePoint
from ._types import (
    DeclineRate,
    Frozen,
    GrowthRate,
    HourlyPriceUsd,
    Kilowatts,
    LifeYears,
    Number,
    PointInTime,
    SchemaVersion,
    Sourced,
    UnitPriceUsd,
    located_problems,
    parse_point_in_time,
)

# --------------------------------------------------------------------------- leasing

_EPSILON = 1e-9
"""Dates and ages this close to an anniversary count as on it (decimal years carry float error)."""
AgeYears = Annotated[float, Ge(0), Le(60)]
"""Years since a generation's availability (a mapping key: any number, an integer included)."""


class PriceCurve(Sourced):
    """A market rental price path, in US$ per accelerator-hour, in one of three forms: dated points
    (linear in between), a launch price with yearly declines, or prices by age since launch.

    When it is read: a period's market price is the curve at the middle of the period (1 July for an
    annual period of a December year-end); a contract (``leasing.tiers`` with a term) is priced at the
    curve on the date it is signed; a cohort's year of age k reads the middle of that year, or the
    date its contract was signed. Age is measured from the generation's ``available_from``.
    """

    points: dict[str, HourlyPriceUsd] | None = Field(
        None, description="Price per accelerator-hour at dates (2023, 2025-10, 2026Q2); linear in between."
    )
    decline_after_last_point: DeclineRate = Field(
        0.0,
        description=(
            "Annual decline after the last dated point or the last age of by_age (0: the last price holds); "
            "compounds continuously, or at each anniversary when stepped."
        ),
    )
    launch_price_usd_per_hour: HourlyPriceUsd | None = Field(
        None, description="Price at the generation's availability (alternative to points)."
    )
    annual_declines: tuple[DeclineRate, ...] = Field(
        (), description="Declines in each year after launch; the last one repeats."
    )
    by_age: dict[AgeYears, HourlyPriceUsd] | None = Field(
        None,
        description=(
            "Price by years since the generation's availability, youngest first ({0: 8.0, 1: 5.5, 3: 3.0}); "
            "linear in between unless stepped; the first price holds before the first age."
        ),
    )
    stepped: bool = Field(
        False,
        description=(
            "For a launch price or by_age: the price holds within each year of age and changes at each "
            "anniversary of availability (a launch price falls by that year's decline; by_age takes the price "
            "of the last age reached). Default: declines compound continuously and by_age is linear."
        ),
    )

    @field_validator("points")
    @classmethod
    def _chronological(cls, points: dict[str, float] | None) -> dict[str, float] | None:
        """Each date must read as one and come after the one above it, so the curve reads as written."""
        problems: list[tuple[tuple[str | int, ...], str]] = []
        latest: tuple[str, float] | None = None
        for key in points or {}:
            try:
                when = parse_point_in_time(key)
            except ValueError as error:
                problems.append(((key,), str(error)))
                continue
            if latest is not None and when <= latest[1]:
                problems.append(((key,), f"{key} is not after {latest[0]}: list the points in chronological order"))
            else:
                latest = (key, when)
        if problems:
            raise located_problems(problems)
        return points

    @field_validator("by_age")
    @classmethod
    def _youngest_first(cls, by_age: dict[float, float] | None) -> dict[float, float] | None:
        ages = list(by_age or {})
        problems: list[tuple[tuple[str | int, ...], str]] = [
            ((f"{older:g}",), f"age {older:g} is not above {younger:g}: list the ages youngest first")
            for younger, older in zip(ages, ages[1:], strict=False)
            if older <= younger
        ]
        if problems:
            raise located_problems(problems)
        return by_age

    @model_validator(mode="after")
    def _one_form(self) -> PriceCurve:
        forms = [self.points, self.launch_price_usd_per_hour, self.by_age]
        if sum(form is not None for form in forms) != 1:
            raise ValueError("give one of points, launch_price_usd_per_hour or by_age")
        if self.points is not None and not self.points:
            raise ValueError("points needs at least one date")
        if self.by_age is not None and not self.by_age:
            raise ValueError("by_age needs at least one age")
        if self.stepped and self.points is not None:
            raise ValueError("stepped applies to launch_price_usd_per_hour or by_age, not to dated points")
        return self

    @cached_property
    def knots(self) -> tuple[tuple[float, ...], tuple[float, ...]]:
        """The dated points (decimal years) or ages with their prices, parsed once."""
        if self.points is not None:
            pairs = [(parse_point_in_time(key), price) for key, price in self.points.items()]
        else:
            pairs = list((self.by_age or {}).items())
        return tuple(float(at) for at, _ in pairs), tuple(float(price) for _, price in pairs)

    def price_at(self, when: float, launch: float) -> float:
        """Price per accelerator-hour at a decimal year; ``launch`` is the generation's availability."""
        if self.points is not None:
            return self._along(when, stepped=False)
        age = max(0.0, when - launch)
        if self.by_age is not None:
            return self._along(age, stepped=self.stepped)
        assert self.launch_price_usd_per_hour is not None
        price = self.launch_price_usd_per_hour
        declines = self.annual_declines or (0.0,)
        if self.stepped:
            for year in range(math.floor(age + _EPSILON)):
                price *= 1 - declines[min(year, len(declines) - 1)]
            return price
        year = 0
        while age > 0:
            step = min(1.0, age)
            price *= (1 - declines[min(year, len(declines) - 1)]) ** step
            age -= step
            year += 1
        return price

    def _along(self, at: float, *, stepped: bool) -> float:
        """The price at a date or age along the knots: flat before the first, declining after the last."""
        times, prices = self.knots
        if at <= times[0]:
            return prices[0]
        if at >= times[-1]:
            beyond = at - times[-1]
            years = math.floor(beyond + _EPSILON) if stepped else beyond
            return prices[-1] * (1 - self.decline_after_last_point) ** years
        index = bisect.bisect_right(times, at + (_EPSILON if stepped else 0.0)) - 1
        if stepped:
            return prices[index]
        t0, t1, p0, p1 = times[index], times[index + 1], prices[index], prices[index + 1]
        return p0 + (p1 - p0) * (at - t0) / (t1 - t0)


class GenerationPricing(Sourced):
    """The two market prices of a generation that price tiers read (``leasing.tiers``: ``price``)."""

    contract: PriceCurve = Field(
        description="Market price of a term contract signed at a date (e.g. a one-year contract index)."
    )
    spot: PriceCurve | None = Field(
        None, description="Spot / on-demand market price, without commitment; default: the contract curve."
    )

    @property
    def spot_curve(self) -> PriceCurve:
        return self.spot or self.contract


# --------------------------------------------------------------------------- GPU catalogue


class GpuGeneration(Sourced):
    available_from: PointInTime = Field(description="When volume shipments start (year, quarter or date).")
    cost_per_accelerator_usd: UnitPriceUsd = Field(
        description=(
            "All-in capital cost of one accelerator when it becomes available: its share of the server, "
            "network and installation (the capex of every asset class with buys_accelerators)."
        )
    )
    cost_change_per_year: GrowthRate = Field(
        0.0, description="Annual change of that cost after availability (-0.1: 10% cheaper each year)."
    )
    power_kw_per_accelerator: Kilowatts = Field(
        description="IT power drawn per accelerator at full load, including its share of host and network (kW)."
    )
    relative_performance: Annotated[Number, Ge(0.01), Le(1000)] = Field(
        1.0, description="Throughput relative to H100 = 1 (used to compare cost per unit of work; at least 0.01)."
    )
    physical_life_years: LifeYears = Field(description="Years an accelerator stays in service before retirement.")
    rental_price: GenerationPricing | None = Field(
        None, description="Market rental price (US$ per accelerator-hour); a company's leasing.prices overrides it."
    )
    resale_value: tuple[ResalePoint, ...] = Field(
        (),
        description=(
            "Secondary-market value by age (linear in between, flat beyond the ends); retired units are sold at it. "
            "Empty: retired units are scrapped for nothing."
        ),
    )

    def resale_share_at(self, age_years: float) -> float:
        """Resale value / cost when bought, at an age."""
        points = sorted((point.age_years, point.share_of_cost) for point in self.resale_value)
        if not points:
            return 0.0
        if age_years <= points[0][0]:
            return points[0][1]
        for (a0, v0), (a1, v1) in zip(points, points[1:], strict=False):
            if a0 <= age_years <= a1:
                return v0 if a1 == a0 else v0 + (v1 - v0) * (age_years - a0) / (a1 - a0)
        return points[-1][1]

    def resale_weights(self, age_years: float) -> tuple[tuple[int, float], ...]:
        """The resale value at an age as weights on the curve's points, ``(index in resale_value, weight)``:
        Σ weight × share_of_cost is :meth:`resale_share_at`, so a formula can read the points themselves."""
        order = sorted(
            range(len(self.resale_value)),
            key=lambda i: (self.resale_value[i].age_years, self.resale_value[i].share_of_cost),
        )
        if not order:
            return ()
        ages = [self.resale_value[i].age_years for i in order]
        if age_years <= ages[0]:
            return ((order[0], 1.0),)
        for k in range(len(order) - 1):
            if ages[k] <= age_years <= ages[k + 1]:
                if ages[k + 1] == ages[k]:
                    return ((order[k], 1.0),)
                later = (age_years - ages[k]) / (ages[k + 1] - ages[k])
                return tuple((i, w) for i, w in ((order[k], 1 - later), (order[k + 1], later)) if w > 0)
        return ((order[-1], 1.0),)


class GpuCatalog(Frozen):
    """A catalogue file shared by company models (``models/catalog/gpus.yaml``)."""

    schema_version: SchemaVersion = Field(description="Version of the model language.")
    kind: Literal["gpu_catalog"] = Field(description="Marks this file as a catalogue, not a company model.")
    generations: dict[str, GpuGeneration] = Field(description="Accelerator generations by name.", min_length=1)
    source: str | None = None
    note: str | None = None
