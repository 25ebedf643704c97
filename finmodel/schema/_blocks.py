"""The blocks of the company model language, ``schema_version: 1``: company and timeline, CapEx,
asset classes, allocation, costs, financing,
verdict rules and scenarios.

Every field is documented where it is declared; ``finmodel schema`` prints these descriptions
as a JSON Schema for editors. Figures may be written bare (``72.22``) or with their provenance
(``{value: 72.22, source: "Meta Q4'25 release, Jan 28 2026"}``); any block may also carry a
``source`` and ``note`` of its own.
"""

from __future__ import annotations

from typing import Annotated, Literal

from annotated_types import Ge, Gt, Le
from pydantic import Field, field_validator, model_validator

from ._methods import DepreciationMethod
from ._types import (
    DiscountRate,
    Frozen,
    GrowthRate,
    LifeYears,
    Mix,
    Money,
    Number,
    PointInTime,
    Share,
    Sourced,
    WholeNumber,
    located_problems,
)

PathKey = tuple[str | int, ...]

MONEY_UNITS = {"units": 1.0, "thousands": 1e3, "millions": 1e6, "billions": 1e9}
USES = ("training", "inference", "leasing")
"""The tiers ``leasing.contracted_share`` stands for."""


class Provenance(Frozen):
    """Where one figure comes from."""

    source: str | None = None
    note: str | None = None


# --------------------------------------------------------------------------- company, time


class Company(Sourced):
    name: str = Field(description="Company name as it should appear in reports.", min_length=1, max_length=200)
    ticker: str = Field(description="Exchange ticker, e.g. META.", min_length=1, max_length=12)
    currency: str = Field("USD", description="ISO 4217 currency of all money figures.", pattern=r"^[A-Z]{3}$")
    money_unit: Literal["units", "thousands", "millions", "billions"] = Field(
        "billions", description="Unit of every money figure in the model (CapEx, P&L, PP&E)."
    )


class Timeline(Sourced):
    start_year: Annotated[WholeNumber, Ge(1990), Le(2100)] = Field(description="First fiscal year projected.")
    end_year: Annotated[WholeNumber, Ge(1990), Le(2100)] = Field(description="Last fiscal year projected (inclusive).")
    frequency: Literal["annual", "quarterly"] = Field("annual", description="Length of one projection period.")
    fiscal_year_end_month: Annotated[WholeNumber, Ge(1), Le(12)] = Field(
        12,
        description=(
            "Month the fiscal year ends (6 for Microsoft, 5 for Oracle). Period labels are fiscal years: "
            "FY2025 of a June year-end runs from July 2024, which is when dated prices, availability and "
            "life changes are read."
        ),
    )
    runoff_years: Annotated[WholeNumber, Ge(0), Le(15)] | None = Field(
        None,
        description=(
            "Years projected after end_year with no new CapEx, so every cohort is followed to retirement and the "
            "verdict does not depend on where the timeline stops; default: the longest physical life in the fleet."
        ),
    )
    purchases_in_service: Literal["mid_period", "start_of_period"] = Field(
        "mid_period",
        description=(
            "When a period's purchases enter service: mid_period (half a period of capacity and depreciation in "
            "the period they are bought, so annual and quarterly models agree) or start_of_period."
        ),
    )

    @model_validator(mode="after")
    def _ordered(self) -> Timeline:
        if self.end_year < self.start_year:
            raise ValueError(f"end_year {self.end_year} is before start_year {self.start_year}")
        if self.end_year - self.start_year > 40:
            raise ValueError("a timeline longer than 40 years is not supported")
        return self

    @property
    def first_period_fraction(self) -> float:
        """Share of its first period that a purchase is in service."""
        return 0.5 if self.purchases_in_service == "mid_period" else 1.0

    @property
    def periods_per_year(self) -> int:
        return 1 if self.frequency == "annual" else 4

    @property
    def period_years(self) -> float:
        """Length of one period in years."""
        return 1.0 if self.frequency == "annual" else 0.25

    @property
    def labels(self) -> tuple[str, ...]:
        years = range(self.start_year, self.end_year + 1)
        if self.frequency == "annual":
            return tuple(str(year) for year in years)
        return tuple(f"{year}Q{quarter}" for year in years for quarter in range(1, 5))

    def runoff_labels(self, extended: tuple[str, ...]) -> tuple[str, ...]:
        """Labels of a longer projection of this timeline: its own, then e.g. '2033 run-off'."""
        return self.labels + tuple(f"{label} run-off" for label in extended[len(self.labels) :])

    @property
    def starts(self) -> tuple[float, ...]:
        """Calendar start of each period as a decimal year (fiscal years shifted by their year-end)."""
        first = self.start_year - 1 + self.fiscal_year_end_month / 12
        return tuple(first + i * self.period_years for i in range(len(self.labels)))

    def opening_in_service(self, year: str | int) -> float:
        """When what was bought in a fiscal year before the timeline entered service (decimal year): the
        year's start, or its middle under mid_period (purchases spread over the year)."""
        return int(year) - 1 + self.fiscal_year_end_month / 12 + (1 - self.first_period_fraction)


# --------------------------------------------------------------------------- CapEx


class CapexPeriod(Sourced):
    total: Money | None = Field(
        None, description="Total CapEx of the period (money unit). Omit to project it with growth_per_year."
    )
    ai_share: Share | None = Field(None, description="Share of total CapEx that is AI infrastructure.")
    asset_mix: Mix | None = Field(None, description="Split of AI CapEx across asset classes (sums to 1).")
    gpu_mix: Mix | None = Field(None, description="Split of accelerator CapEx across GPU generations (sums to 1).")
    other_mix: Mix | None = Field(
        None, description="Split of the rest of CapEx (total − AI) across classes with scope 'other' (sums to 1)."
    )


class Capex(Sourced):
    by_period: dict[str, CapexPeriod] = Field(
        description=(
            "CapEx by period label (2025, or 2025Q1 in quarterly models). ai_share, asset_mix and gpu_mix "
            "carry forward until changed; the first period must give all of them and a total."
        ),
        min_length=1,
    )
    growth_per_year: dict[str, GrowthRate] = Field(
        default_factory=dict,
        description="Annual growth of total CapEx from a period on, used for periods without a total.",
    )


# --------------------------------------------------------------------------- depreciation


class LifeChange(Sourced):
    effective: PointInTime = Field(description="Date the new useful life applies from (prospectively).")
    useful_life_years: LifeYears = Field(description="New useful life, measured from each asset's in-service date.")
    share: Annotated[Number, Gt(0), Le(1)] = Field(
        1.0, description="Share of the class the change applies to (Amazon's 'a subset of servers'); default all."
    )
    vintages: tuple[str, ...] | None = Field(
        None, description="Vintages (years or period labels bought) the change applies to; default every vintage."
    )

    @property
    def partial(self) -> bool:
        """Applies to part of the class: a share below 1 or named vintages (at most one such change per class)."""
        return self.share < 1 or self.vintages is not None


class AssetClass(Sourced):
    method: DepreciationMethod = Field(
        DepreciationMethod.STRAIGHT_LINE,
        description="Depreciation method: " + ", ".join(DepreciationMethod) + " ('none' for land).",
    )
    useful_life_years: LifeYears = Field(description="Book useful life in years.")
    salvage_fraction: Share = Field(0.0, description="Residual value as a share of cost.")
    declining_balance_factor: Annotated[Number, Gt(0), Le(4)] = Field(
        2.0, description="Declining-balance rate = factor / life (2 = double declining); switches to straight line."
    )
    life_changes: tuple[LifeChange, ...] = Field(
        (), description="Changes of useful life, applied prospectively to the remaining book value."
    )
    economic_life_years: LifeYears | None = Field(
        None, description="Economic life for comparing with book depreciation (straight line); default: book life."
    )
    buys_accelerators: bool = Field(
        False, description="CapEx of this class buys accelerators (servers, their network)."
    )
    scope: Literal["ai", "other"] = Field(
        "ai",
        description=(
            "'ai': a share (asset_mix) of AI CapEx; 'other': a share of the rest of CapEx, so a model can cover "
            "the company's whole PP&E and compare total depreciation with what it reports."
        ),
    )
    impairment_test: Literal["none", "market_value"] = Field(
        "none",
        description=(
            "'market_value' (a class that buys accelerators): at the end of each period, a vintage whose book value "
            "after the period's depreciation and retirements exceeds what its accelerators in service would fetch "
            "(cost when bought × their generation's resale_value share at their age) is written down to that value "
            "as impairment, a P&L line; later depreciation spreads the lower book value over the remaining life. "
            "Generations without a resale_value curve are not tested; an impairment is never reversed (US GAAP). "
            "Default 'none'."
        ),
    )

    @model_validator(mode="after")
    def _tested_at_market_value(self) -> AssetClass:
        if self.impairment_test == "market_value" and not self.buys_accelerators:
            message = "market_value tests accelerators against their resale value: the class must buy accelerators"
            raise located_problems([(("impairment_test",), message)])
        return self

    @field_validator("life_changes")
    @classmethod
    def _chronological(cls, changes: tuple[LifeChange, ...]) -> tuple[LifeChange, ...]:
        dates = [change.effective for change in changes if not change.partial]
        if dates != sorted(dates) or len(set(dates)) != len(dates):
            raise ValueError("life changes must be listed in chronological order, one per date")
        if sum(change.partial for change in changes) > 1:
            raise ValueError("at most one life change per class may apply to a share or to named vintages")
        return changes

    def life_in_force(self, point: float, *, with_partial: bool) -> tuple[float, int | None]:
        """The useful life in force at ``point`` and the index of the change that set it (``None``: as bought).

        ``with_partial``: for the part of the class its partial change applies to; otherwise that change
        is left out. The latest change in effect wins.
        """
        life, index, since = self.useful_life_years, None, float("-inf")
        for position, change in enumerate(self.life_changes):
            if change.partial and not with_partial:
                continue
            if since <= change.effective <= point + 1e-9:
                life, index, since = change.useful_life_years, position, change.effective
        return life, index

    @property
    def partial_change(self) -> LifeChange | None:
        return next((change for change in self.life_changes if change.partial), None)


# --------------------------------------------------------------------------- allocation


class AgeBand(Sourced):
    min_age_years: Annotated[Number, Ge(0), Le(60)] = Field(description="Band applies from this age (years).")
    training: Share = Field(description="Share of installed capacity used for internal training.")
    inference: Share = Field(description="Share used for internal inference.")
    leasing: Share = Field(description="Share leased to external customers.")
    billed_share: Share = Field(
        1.0,
        description=(
            "Share of leased capacity at this age that is delivered and billable (capacity still being "
            "installed and energised is leased but not yet billed); multiplies leasing.utilisation."
        ),
    )

    @model_validator(mode="after")
    def _whole(self) -> AgeBand:
        total = self.training + self.inference + self.leasing
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"training + inference + leasing = {total:.6g}, expected 1.0")
        return self


class AllocationRule(Sourced):
    effective: PointInTime | None = Field(None, description="Rule applies from this date (default: always).")
    generations: tuple[str, ...] | None = Field(None, description="Generations it applies to (default: all).")
    by_age: tuple[AgeBand, ...] = Field(description="Uses by age band, youngest first.", min_length=1)

    @field_validator("by_age")
    @classmethod
    def _bands(cls, bands: tuple[AgeBand, ...]) -> tuple[AgeBand, ...]:
        ages = [band.min_age_years for band in bands]
        if ages[0] != 0:
            raise ValueError("the first age band must start at min_age_years: 0")
        if ages != sorted(ages) or len(set(ages)) != len(ages):
            raise ValueError("age bands must be in increasing order of min_age_years")
        return bands


# --------------------------------------------------------------------------- costs, financing


class RunningCosts(Sourced):
    power_usage_effectiveness: Annotated[Number, Ge(1), Le(3)] = Field(description="PUE: facility power / IT power.")
    power_price_usd_per_kwh: Annotated[Number, Ge(0), Le(2)] = Field(description="Electricity price.")
    power_price_growth_per_year: GrowthRate = Field(0.0, description="Annual change of the electricity price.")
    load_factor: Share = Field(0.8, description="Average IT power draw as a share of full load.")
    facility_cost_usd_per_kw_month: Annotated[Number, Ge(0), Le(10_000)] = Field(
        description="Data-centre operating cost or colocation rent per kW of IT capacity per month."
    )
    maintenance_share_of_cost_per_year: Share = Field(
        0.0, description="Annual maintenance as a share of the gross cost of accelerator assets."
    )


class Financing(Sourced):
    wacc: DiscountRate = Field(description="Weighted average cost of capital (nominal, after tax).")
    tax_rate: Share = Field(description="Cash tax rate on segment profit.")
    tax_losses: Literal["group_relief", "carry_forward"] = Field(
        "group_relief",
        description=(
            "group_relief: a segment loss reduces the group's tax (a hyperscaler); carry_forward: losses are "
            "carried forward against later profits (a standalone company such as CoreWeave)."
        ),
    )
    debt_share_of_capex: Share = Field(0.0, description="Share of AI CapEx funded with debt.")
    debt_interest_rate: DiscountRate = Field(0.0, description="Interest rate on that debt.")
    debt_amortisation_years: LifeYears = Field(
        5.0, description="Debt is repaid at 1/this of the outstanding balance each year."
    )


class VerdictRules(Sourced):
    hurdle_rate: DiscountRate | None = Field(None, description="Return a cohort must earn; default: the WACC.")
    horizon_start_year: Annotated[WholeNumber, Ge(1990), Le(2100)] | None = Field(
        None, description="First fiscal year the verdict looks at; default: the first period with capacity leased."
    )
    min_coverage: Annotated[Number, Ge(0), Le(100)] = Field(
        1.0,
        description=(
            "Coverage test: present value of leasing revenue / present value of its operating cost and economic "
            "depreciation, at least this."
        ),
    )
    min_economic_profit: Annotated[Number, Ge(-1e6), Le(1e6)] = Field(
        0.0,
        description=(
            "Economic-profit test: present value at the hurdle of leasing NOPAT at economic depreciation less the "
            "hurdle on capital at economic value, over the horizon and run-off, above this (money unit)."
        ),
    )
    min_positive_npv_share: Share = Field(
        1.0,
        description=(
            "Cohort-NPV test: share of leasing revenue from generations whose leased accelerator, over its economic "
            "life, has a positive NPV at the hurdle; at least this."
        ),
    )
    min_leasing_share: Share = Field(
        0.1,
        description=(
            "Materiality test: leased share of AI accelerator capacity (H100-equivalent units in service, summed "
            "over the horizon and run-off), at least this."
        ),
    )


class Scenario(Sourced):
    description: str = Field("", description="What this scenario represents.")
    overrides: dict[str, object] = Field(
        default_factory=dict,
        description="Replacement values by dotted path into the model, e.g. leasing.utilisation: 0.7.",
    )
