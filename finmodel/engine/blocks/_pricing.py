"""Rental prices of leased hours through the price tiers: the tier mix at a period's market prices,
a vintage's price under the contracts it signed, and a cohort's price by year of age. The
conventions (when contracts sign, where a signing date's market price comes from) are in
:mod:`finmodel.engine._prices`."""

from __future__ import annotations

from dataclasses import dataclass

from ...schema import CONTRACT_TIER, SPOT_TIER
from .._ir import Const, Expr, Ref, total
from .._keys import Key
from .._prices import cohort_key, market_key, signed_price, signing_date
from ._context import Context, Vintage
from .clearing import spot_price


@dataclass(frozen=True)
class Tier:
    """One price tier as the formulas read it: its curve and term, its share and price ratio as inputs."""

    curve: str
    term: int
    share: Expr
    ratio: Expr | None
    """``None`` for the ``contracted_share`` shorthand, whose tiers sell at the market price itself."""

    def weighted(self, price: Expr) -> Expr:
        """This tier's part of a blended price: share × ratio × the market price it reads."""
        part = self.share * price
        return part if self.ratio is None else part * self.ratio


def tiers(ctx: Context) -> list[Tier]:
    leasing = ctx.model.leasing
    if leasing.tiers is None:
        contracted = Ref("contracted_share")
        return [Tier(CONTRACT_TIER, 0, contracted, None), Tier(SPOT_TIER, 0, 1 - contracted, None)]
    return [
        Tier(tier.price, tier.term_years, Key("tier_share", tier=name).ref(), Key("tier_price_ratio", tier=name).ref())
        for name, tier in leasing.tiers.items()
    ]


def has_contracts(ctx: Context) -> bool:
    """Whether any tier holds a price for a term (otherwise every vintage bills at the market price)."""
    return any(tier.term > 0 for tier in tiers(ctx))


def period_price(ctx: Context, curve: str, generation: str) -> Expr:
    """A curve's market price in the period; the spot price after the supply–demand gap where the model
    declares a spot price elasticity (see :mod:`finmodel.engine.blocks.clearing`)."""
    return spot_price(ctx, generation) if curve == SPOT_TIER else market_key(curve, generation).ref()


def market_price(ctx: Context, generation: str) -> Expr:
    """The tier mix at the period's market prices: what capacity signed in the period would bill."""
    return total(tier.weighted(period_price(ctx, tier.curve, generation)) for tier in tiers(ctx))


def vintage_price(ctx: Context, generation: str, vintage: Vintage, column: int) -> Expr:
    """A vintage's price in a period: term-0 tiers at the period's market, the others at the market
    price on their last signing date (``in_service + T·floor(age / T)``, age at the period's middle)."""
    middle = ctx.starts[column] + ctx.step / 2

    def read(tier: Tier) -> Expr:
        if tier.term == 0:
            return period_price(ctx, tier.curve, generation)
        signed = signing_date(vintage.in_service, middle, tier.term)
        return signed_price(ctx.middles, tier.curve, generation, signed)

    return total(tier.weighted(read(tier)) for tier in tiers(ctx))


def cohort_prices(ctx: Context, generation: str, start: float, years: int) -> list[Expr]:
    """A cohort's price by year of age k = 1..years (year 0, the purchase, holds nothing): term-0
    tiers at the market in the middle of year k, a tier of term T at the market on the day it last
    signed, ``start + T·floor((k − 1) / T)``."""

    def read(tier: Tier, k: int) -> Expr:
        if tier.term == 0:
            return cohort_key(tier.curve, generation).ref()
        return signed_price(ctx.middles, tier.curve, generation, start + tier.term * ((k - 1) // tier.term))

    return [Const(0.0)] + [total(tier.weighted(read(tier, k)) for tier in tiers(ctx)) for k in range(1, years + 1)]
