"""How leased hours are sold (price tiers with terms) and how internal use is valued: the
``leasing`` and ``internal`` blocks of the model language."""

from __future__ import annotations

from typing import Annotated, Literal

from annotated_types import Ge, Le
from pydantic import Field, model_validator

from ._gpus import GenerationPricing
from ._types import HourlyPriceUsd, Number, Share, Sourced, WholeNumber, located_problems

CONTRACT_TIER, SPOT_TIER = "contract", "spot"
"""The two tiers that ``contracted_share`` stands for."""


class PriceTier(Sourced):
    """One way leased hours are sold: a share of them, the market curve it is priced off, and its term."""

    share: Share = Field(
        description="Share of each vintage's leased billed hours sold in this tier (the tiers' shares sum to 1)."
    )
    price: Literal["contract", "spot"] = Field(
        "contract", description="The generation's market curve the tier is priced off (leasing.prices / catalogue)."
    )
    price_ratio: Annotated[Number, Ge(0), Le(10)] = Field(
        1.0,
        description=(
            "The tier's price as a multiple of that market price: 0.85 for a 3-year reserved discount, 1.2 for "
            "an on-demand premium over spot."
        ),
    )
    term_years: Annotated[WholeNumber, Ge(0), Le(20)] = Field(
        0,
        description=(
            "0: re-priced every period at the market (read at the middle of the period). T > 0: a contract "
            "signed at the market price on the day the capacity enters service (the vintage's in-service date "
            "under timeline.purchases_in_service), held for T years, then re-signed at that day's market price "
            "for another T; a period's hours bill at the contract in force at its middle."
        ),
    )


class Leasing(Sourced):
    prices: dict[str, GenerationPricing] = Field(
        default_factory=dict,
        description="The company's rental prices by generation (US$ per accelerator-hour); default: the catalogue's.",
    )
    tiers: dict[str, PriceTier] | None = Field(
        None,
        description=(
            "Price tiers by name (on_demand, reserved_1y, take_or_pay...): how each vintage's leased hours are "
            "sold; their shares sum to 1. Give tiers or contracted_share."
        ),
    )
    contracted_share: Share | None = Field(
        None,
        description=(
            "Shorthand for two tiers re-priced every period: this share of leased hours at the contract curve, "
            "the rest at spot. Give contracted_share or tiers, not both."
        ),
    )
    utilisation: Share = Field(description="Share of leasable hours actually billed.")
    moved_at_age_years: dict[str, Annotated[WholeNumber, Ge(1), Le(20)]] = Field(
        default_factory=dict,
        description=(
            "By generation: the age (whole years) at which capacity built for internal use moves to leasing; the "
            "cohort table then values moving it at its market value then, beside leasing it from new."
        ),
    )

    @model_validator(mode="after")
    def _one_pricing(self) -> Leasing:
        if self.tiers is None and self.contracted_share is None:
            raise ValueError("give tiers (price tiers with their shares) or contracted_share")
        if self.tiers is not None and self.contracted_share is not None:
            problem = "give contracted_share or tiers, not both: contracted_share is a shorthand for two tiers"
            raise located_problems([(("contracted_share",), problem)])
        if self.tiers is not None:
            total = sum(tier.share for tier in self.tiers.values())
            if abs(total - 1.0) > 1e-6:
                raise located_problems([(("tiers",), f"the tiers' shares sum to {total:.6g}, expected 1.0")])
        return self

    @property
    def price_tiers(self) -> dict[str, PriceTier]:
        """The tiers, with ``contracted_share`` read as a ``contract`` and a ``spot`` tier of term 0."""
        if self.tiers is not None:
            return dict(self.tiers)
        share = self.contracted_share or 0.0
        return {
            CONTRACT_TIER: PriceTier(share=share, price="contract"),
            SPOT_TIER: PriceTier(share=1 - share, price="spot"),
        }


InternalValueBasis = Literal["at_cost", "per_gpu_hour", "market_ratio"]


class InternalUse(Sourced):
    utilisation: Share = Field(description="Share of internal hours doing useful work.")
    value_basis: InternalValueBasis = Field(
        "at_cost",
        description=(
            "How an hour of internal use is valued: at_cost (what an hour of a new accelerator costs to own and run: "
            "capital recovery at the hurdle over its physical life, power, facility, maintenance), per_gpu_hour (a "
            "declared value per H100-equivalent hour, e.g. from ad-revenue uplift, with its source) or market_ratio "
            "(shadow_price_ratio × the market rental price). Never market rent unless declared."
        ),
    )
    value_usd_per_gpu_hour: HourlyPriceUsd | None = Field(
        None, description="With value_basis per_gpu_hour: value of one H100-equivalent hour of internal use (USD)."
    )
    shadow_price_ratio: Annotated[Number, Ge(0), Le(10)] = Field(
        1.0,
        description="With value_basis market_ratio: internal hours are valued at this multiple of the market price.",
    )

    @model_validator(mode="after")
    def _value_declared(self) -> InternalUse:
        if (self.value_basis == "per_gpu_hour") != (self.value_usd_per_gpu_hour is not None):
            raise ValueError("value_usd_per_gpu_hour is given exactly when value_basis is per_gpu_hour")
        return self
