"""External demand and clearing: take-or-pay contracts, token demand in GPU-hours of each generation,
leased hours as the lesser of supply and demand, the gap, the spot price's response, and where every
hour of capacity goes.

Conventions:

- A contract sold draws on its generation's leasable supply first (``contract_hours_billed``: the
  lesser of the supply and the hours contracted) and bills at its own price; if the supply falls
  short, every contract on the generation is delivered in the same proportion.
- Token demand is split across generations in proportion to the tokens each generation's supply left
  after contracts could serve (its hours ÷ its GPU-hours per billion tokens), so every generation
  clears the same share of it: demand on a generation = its hours left × tokens demanded ÷ tokens
  all of them could serve.
- Without token demand, the open market takes every hour contracts leave: external demand on a
  generation is the larger of its supply and its hours contracted.
- The gap is external demand − leasable supply (a shortage when positive); the spot price in a period
  is the curve's × MAX(0, 1 + elasticity × gap ÷ MAX(demand, supply)).
- Hours of capacity (units in service × hours) = held for internal use + leased hours billed + idle
  (leased capacity not billed, surplus not offered or not sold).
"""

from __future__ import annotations

from .._ir import Expr, Ref, maximum, minimum, safe_divide
from .._keys import Key
from .._prices import market_key
from ..presentation import Schedule
from ._context import Context
from .internal_demand import H100_HOURS, demand_path

TOKENS = "trillion tokens"


def define(ctx: Context) -> None:
    demand = ctx.model.demand
    if not (ctx.internal_demand or ctx.clears or demand.contracts):
        return
    _contracts(ctx)
    if demand.tokens is not None:
        _tokens(ctx)
    if ctx.clears:
        for g in ctx.generations:
            _clearing(ctx, g)
        _totals(ctx)
    _hours(ctx)


def buys_compute(ctx: Context) -> bool:
    """Whether the company buys compute under contracts (a cost line; capacity serving internal demand)."""
    return any(c.side == "buy" for c in ctx.model.demand.contracts.values())


def sold(ctx: Context, generation: str) -> list[str]:
    """The contracts sold on a generation (structural: the contracts are fixed per graph)."""
    return [name for name, c in ctx.model.demand.contracts.items() if c.side == "sell" and c.generation == generation]


def market_share_of_billed(ctx: Context, generation: str) -> Expr | None:
    """Share of a generation's leased hours billed that is sold at market prices (the rest under contracts
    sold); ``None`` when no contract is sold on it."""
    if not sold(ctx, generation):
        return None
    billed = Key("leased_hours_billed", generation=generation).ref()
    return 1 - safe_divide(Key("contract_hours_billed", generation=generation).ref(), billed)


def spot_price(ctx: Context, generation: str) -> Expr:
    """The spot price a period's term-0 spot tier reads: the curve's, or its response to the gap."""
    if ctx.clears and ctx.spot_responds:
        return Key("spot_price_cleared", generation=generation).ref()
    return market_key("spot", generation).ref()


def _contracts(ctx: Context) -> None:
    m = ctx.money
    bought_hours, bought_cost = [], []
    for name, contract in ctx.model.demand.contracts.items():
        hours = ctx.add(
            Key("contract_hours", contract=name),
            Key("contract_hours_per_year", contract=name).ref() * Key("contract_years_in_force", contract=name).ref(),
            label=f"{contract.counterparty} ({contract.side}, {contract.generation or 'H100-equivalent'}): GPU-hours",
            unit="GPU-hours",
            schedule=Schedule.DEMAND,
        )
        if contract.side == "buy":
            g = contract.generation
            performance = (
                1.0
                if g is None
                else Key("relative_performance", generation=g).ref()
                if g in ctx.generations
                else Key("contract_relative_performance", contract=name).ref()
            )
            bought_hours.append(hours * performance)
            bought_cost.append(hours * Key("contract_price_usd_per_hour", contract=name).ref())
    if bought_hours:
        ctx.add(
            "bought_capacity_h100_hours",
            ctx.over(bought_hours),
            label="Capacity bought under contracts (serves internal demand first)",
            unit=H100_HOURS,
            schedule=Schedule.DEMAND,
        )
        ctx.add(
            "purchased_compute_cost",
            ctx.over(bought_cost) / ctx.scale,
            label="Cost of compute bought under contracts (take-or-pay: paid whether used or not)",
            unit=m,
            schedule=Schedule.COSTS,
        )
    for g in ctx.generations:
        names = sold(ctx, g)
        if not names:
            continue
        contracted = ctx.add(
            Key("contracted_demand_hours", generation=g),
            ctx.over(Key("contract_hours", contract=name) for name in names),
            label=f"Hours contracted by customers: {g}",
            unit="GPU-hours",
            schedule=Schedule.DEMAND,
        )
        delivered = ctx.add(
            Key("contract_hours_billed", generation=g),
            minimum(Key("leasable_hours", generation=g).ref(), contracted),
            label=f"Contract hours billed: {g} (the lesser of its leasable supply and the hours contracted)",
            unit="GPU-hours",
            schedule=Schedule.DEMAND,
        )
        ctx.add(
            Key("contract_revenue", generation=g),
            safe_divide(delivered, contracted)
            * ctx.over(
                Key("contract_hours", contract=name).ref() * Key("contract_price_usd_per_hour", contract=name).ref()
                for name in names
            )
            / ctx.scale,
            label=f"Revenue from contracts sold: {g} (hours delivered at each contract's price)",
            unit=m,
            schedule=Schedule.REVENUE,
        )


def _tokens(ctx: Context) -> None:
    tokens = demand_path(ctx, "token", 1.0, "Tokens processed by the market", TOKENS)
    external = ctx.add(
        "external_token_demand",
        tokens * Ref("token_market_share"),
        label="Tokens demanded of the company's leased capacity (market × share)",
        unit=TOKENS,
        schedule=Schedule.DEMAND,
    )
    listed = ctx.model.demand.tokens.gpu_hours_per_billion if ctx.model.demand.tokens else {}
    for g in ctx.generations:
        benchmark = (
            Key("gpu_hours_per_billion_tokens", generation=g).ref()
            if g in listed
            else Ref("h100_gpu_hours_per_billion_tokens") / Key("relative_performance", generation=g).ref()
        )
        ctx.add(
            Key("token_gpu_hours_per_billion", generation=g),
            benchmark / Ref("serving_efficiency"),
            label=f"GPU-hours per billion tokens in service: {g} (benchmark ÷ serving efficiency)",
            unit="GPU-hours",
            schedule=Schedule.DEMAND,
            axis="scalar",
        )
    capacity = ctx.add(
        "token_capacity",
        ctx.over(
            _open_market(ctx, g) / Key("token_gpu_hours_per_billion", generation=g).ref() / 1000
            for g in ctx.generations
        ),
        label="Tokens the leasable supply left after contracts could serve",
        unit=TOKENS,
        schedule=Schedule.DEMAND,
    )
    for g in ctx.generations:
        ctx.add(
            Key("token_demand_hours", generation=g),
            _open_market(ctx, g) * safe_divide(external, capacity),
            label=f"Token demand on {g} (its hours left × tokens demanded ÷ tokens the supply could serve)",
            unit="GPU-hours",
            schedule=Schedule.DEMAND,
        )


def _open_market(ctx: Context, g: str) -> Expr:
    """A generation's leasable hours left after the contracts sold on it."""
    supply = Key("leasable_hours", generation=g).ref()
    return supply - Key("contract_hours_billed", generation=g).ref() if sold(ctx, g) else supply


def _clearing(ctx: Context, g: str) -> None:
    supply = Key("leasable_hours", generation=g).ref()
    contracted = Key("contracted_demand_hours", generation=g).ref() if sold(ctx, g) else None
    if ctx.model.demand.tokens is not None:
        tokens = Key("token_demand_hours", generation=g).ref()
        external = tokens + contracted if contracted is not None else tokens
        how = "contracts + tokens" if contracted is not None else "tokens"
    else:
        external = maximum(supply, contracted) if contracted is not None else supply
        how = "the larger of supply and contracts: the open market takes the rest"
    demand = ctx.add(
        Key("external_demand_hours", generation=g),
        external,
        label=f"External demand: {g} ({how})",
        unit="GPU-hours",
        schedule=Schedule.DEMAND,
    )
    gap = ctx.add(
        Key("demand_gap_hours", generation=g),
        demand - supply,
        label=f"Supply–demand gap: {g} (external demand − leasable supply; > 0 a shortage)",
        unit="GPU-hours",
        schedule=Schedule.DEMAND,
    )
    ratio = ctx.add(
        Key("demand_gap_ratio", generation=g),
        safe_divide(gap, maximum(demand, supply)),
        label=f"Gap ÷ the larger of demand and supply: {g}",
        unit="share",
        schedule=Schedule.DEMAND,
    )
    if ctx.spot_responds:
        ctx.add(
            Key("spot_price_cleared", generation=g),
            market_key("spot", g).ref() * maximum(0, 1 + Ref("spot_price_elasticity") * ratio),
            label=f"Spot price after the gap: {g} (curve × (1 + elasticity × gap ratio), at least 0)",
            unit="USD/GPU-hour",
            schedule=Schedule.DEMAND,
        )


def _totals(ctx: Context) -> None:
    for item, label in (
        ("leasable_hours", "Leasable supply"),
        ("external_demand_hours", "External demand"),
        ("leased_hours_billed", "Leased hours billed (cleared)"),
    ):
        ctx.add(
            item,
            ctx.over(Key(item, generation=g) for g in ctx.generations),
            label=f"{label}, all generations",
            unit="GPU-hours",
            schedule=Schedule.DEMAND,
        )
    ctx.add(
        "demand_gap_h100_hours",
        ctx.over(
            Key("demand_gap_hours", generation=g).ref() * Key("relative_performance", generation=g).ref()
            for g in ctx.generations
        ),
        label="Supply–demand gap, all generations (> 0 a shortage)",
        unit=H100_HOURS,
        schedule=Schedule.DEMAND,
    )
    if ctx.model.demand.tokens is not None:
        served = ctx.add(
            "tokens_served",
            ctx.over(
                (
                    Key("leased_hours_billed", generation=g).ref() * share
                    if (share := market_share_of_billed(ctx, g)) is not None
                    else Key("leased_hours_billed", generation=g).ref()
                )
                / Key("token_gpu_hours_per_billion", generation=g).ref()
                / 1000
                for g in ctx.generations
            ),
            label="Tokens served on leased capacity (market hours billed ÷ GPU-hours per billion)",
            unit=TOKENS,
            schedule=Schedule.DEMAND,
        )
        ctx.add(
            "token_demand_unserved",
            Ref("external_token_demand") - served,
            label="Tokens demanded but not served (> 0: demand beyond the supply)",
            unit=TOKENS,
            schedule=Schedule.DEMAND,
        )


def _hours(ctx: Context) -> None:
    """Where every hour of capacity goes, and the net compute position in H100-equivalent hours."""
    for g in ctx.generations:
        ctx.add(
            Key("capacity_hours", generation=g),
            Key("installed_units", generation=g).ref() * ctx.hours,
            label=f"Hours of capacity: {g} (units in service × hours)",
            unit="GPU-hours",
            schedule=Schedule.DEMAND,
        )
        ctx.add(
            Key("internal_hours_held", generation=g),
            (Key("units", generation=g, use="training").ref() + Key("units", generation=g, use="inference").ref())
            * ctx.hours,
            label=f"Hours held for internal use: {g}",
            unit="GPU-hours",
            schedule=Schedule.DEMAND,
        )
        not_internal: Expr = Key("units", generation=g, use="leasing").ref()
        if ctx.internal_demand:
            not_internal = not_internal + Key("units", generation=g, use="idle").ref()
        ctx.add(
            Key("idle_hours", generation=g),
            not_internal * ctx.hours - Key("leased_hours_billed", generation=g).ref(),
            label=f"Hours idle: {g} (leased and idle units' hours − leased hours billed)",
            unit="GPU-hours",
            schedule=Schedule.DEMAND,
        )
    performance = {g: Key("relative_performance", generation=g).ref() for g in ctx.generations}
    owned = ctx.over(Key("capacity_hours", generation=g).ref() * performance[g] for g in ctx.generations)
    leased = ctx.over(Key("leased_hours_billed", generation=g).ref() * performance[g] for g in ctx.generations)
    if ctx.internal_demand:
        needed: Expr = safe_divide(Ref("internal_demand"), Ref("internal_utilisation"))
    else:
        needed = ctx.over(Key("internal_hours_held", generation=g).ref() * performance[g] for g in ctx.generations)
    available = owned + Ref("bought_capacity_h100_hours") if buys_compute(ctx) else owned
    ctx.add(
        "net_compute_position_h100_hours",
        available - needed - leased,
        label="Net compute position: capacity owned and bought − internal need − leased billed (< 0: short)",
        unit=H100_HOURS,
        schedule=Schedule.DEMAND,
    )
