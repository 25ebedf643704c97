"""Internal demand: the company's own need for compute, served by its fleet in a declared order
(:data:`finmodel.schema.SERVING_ORDER`), and the surplus it leaves for lease.

Each server (capacity bought under contracts, then the generations kept in-house, then the rest of
the fleet newest first) takes what the servers before it left, up to its capacity: served =
MAX(0, MIN(capacity, demand − capacity of the servers before)). The first group serves inference
before training, the fleet training before inference. A generation's shares by demand (held for
training, for inference, offered for lease, idle) are what it serves ÷ its capacity, the same for
each of its vintages, and replace the allocation's shares; its units of each use follow
(:mod:`finmodel.engine.blocks.fleet`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from .._clearing import INTERNAL_USES, path_name
from .._ir import Expr, Ref, ge, if_, maximum, minimum, safe_divide, total
from .._keys import Key
from ..presentation import Schedule
from ._context import Context

H100_HOURS = "H100-eq hours"


def define(ctx: Context) -> None:
    if not ctx.internal_demand:
        return
    demand = {use: demand_path(ctx, use, 1e6, f"Internal {use} demand", H100_HOURS) for use in INTERNAL_USES}
    ctx.add(
        "internal_demand",
        demand["training"] + demand["inference"],
        label="Internal demand (useful work)",
        unit=H100_HOURS,
        schedule=Schedule.DEMAND,
    )
    capacity = {}
    for g in ctx.generations:
        capacity[g] = ctx.add(
            Key("internal_capacity_h100_hours", generation=g),
            Key("installed_units", generation=g).ref()
            * ctx.hours
            * Ref("internal_utilisation")
            * Key("relative_performance", generation=g).ref(),
            label=f"Useful work {g} can do for internal use (units × hours × internal utilisation × performance)",
            unit=H100_HOURS,
            schedule=Schedule.DEMAND,
        )
    first: list[tuple[Key, Expr]] = []
    if any(contract.side == "buy" for contract in ctx.model.demand.contracts.values()):
        bought = Ref("bought_capacity_h100_hours") * Ref("internal_utilisation")
        first.append((Key("internal_served_by_purchases"), bought))
    assert ctx.model.demand.internal is not None
    kept = [g for g in ctx.generations if g in ctx.model.demand.internal.not_leased]
    first += [(Key("internal_served", generation=g), capacity[g]) for g in kept]
    rest = [(Key("internal_served", generation=g), capacity[g]) for g in newest_first(ctx, kept)]
    _serve(ctx, first, demand["inference"], demand["training"], "inference")
    if first:
        for use in INTERNAL_USES:
            demand[use] = ctx.add(
                Key("internal_demand_left", use=use),
                demand[use] - ctx.over(replace(server, use=use) for server, _ in first),
                label=f"Internal {use} demand left for the fleet leased out (after purchases and in-house chips)",
                unit=H100_HOURS,
                schedule=Schedule.DEMAND,
            )
    _serve(ctx, rest, demand["training"], demand["inference"], "training")
    ctx.add(
        "internal_demand_served",
        ctx.over(server for server, _ in first + rest),
        label="Internal demand served",
        unit=H100_HOURS,
        schedule=Schedule.DEMAND,
    )
    ctx.add(
        "internal_demand_unserved",
        maximum(0, Ref("internal_demand") - ctx.over(capacity for _, capacity in first + rest)),
        label="Internal demand not served (a shortage: demand beyond the capacity of every server)",
        unit=H100_HOURS,
        schedule=Schedule.DEMAND,
    )
    for g in ctx.generations:
        _shares(ctx, g, capacity[g])


def demand_path(ctx: Context, part: str, factor: float, label: str, unit: str) -> Ref:
    """A path's line item: its figure (× ``factor``) where given, else the same period a year earlier × (1 + growth)."""
    name = path_name(part)
    return ctx.add(
        name,
        if_(
            ge(Ref(f"{name}_is_given"), 1),
            Ref(f"{name}_given") * factor,
            Ref(name, lag=ctx.model.timeline.periods_per_year) * (1 + Ref(f"{name}_growth")),
        ),
        label=f"{label} (without a figure: a year earlier × (1 + growth))",
        unit=unit,
        schedule=Schedule.DEMAND,
    )


def newest_first(ctx: Context, kept: Sequence[str] = ()) -> list[str]:
    """The generations not kept in-house, latest available_from first (ties: later in the catalogue first)."""
    order = list(ctx.generations)
    leased = [g for g in order if g not in kept]
    return sorted(leased, key=lambda g: (ctx.model.gpus[g].available_from, order.index(g)), reverse=True)


def _serve(ctx: Context, servers: Sequence[tuple[Key, Expr]], head: Expr, tail: Expr, head_use: str) -> None:
    """Each server takes, up to its capacity, the demand the servers before it left: ``head`` first, then ``tail``."""
    tail_use = next(use for use in INTERNAL_USES if use != head_use)
    for position, (server, capacity) in enumerate(servers):
        before = total(cap for _, cap in servers[:position])
        who = server.generation or "capacity bought"
        served = ctx.add(
            server,
            maximum(0, minimum(capacity, head + tail - before)),
            label=f"Internal demand served by {who}",
            unit=H100_HOURS,
            schedule=Schedule.DEMAND,
        )
        head_served = ctx.add(
            replace(server, use=head_use),
            maximum(0, minimum(capacity, head - before)),
            label=f"   of which {head_use}",
            unit=H100_HOURS,
            schedule=Schedule.DEMAND,
        )
        ctx.add(
            replace(server, use=tail_use),
            served - head_served,
            label=f"   of which {tail_use}",
            unit=H100_HOURS,
            schedule=Schedule.DEMAND,
        )


def _shares(ctx: Context, g: str, capacity: Ref) -> None:
    """A generation's shares by demand: what it serves of each use ÷ its capacity, the rest offered for
    lease (or idle where its surplus is not leased), and its idle units."""
    for use in INTERNAL_USES:
        ctx.add(
            Key("share_by_demand", generation=g, use=use),
            safe_divide(Key("internal_served", generation=g, use=use).ref(), capacity),
            label=f"Share of {g} held for internal {use} (internal {use} it serves ÷ its capacity)",
            unit="share",
            schedule=Schedule.DEMAND,
        )
    served = Key("internal_served", generation=g).ref()
    surplus = ctx.add(
        Key("share_by_demand", generation=g, use="surplus"),
        1 - safe_divide(served, capacity),
        label=f"Surplus share of {g} (1 − internal demand it serves ÷ its capacity)",
        unit="share",
        schedule=Schedule.DEMAND,
    )
    offered = Key("surplus_leased", generation=g).ref()
    ctx.add(
        Key("share_by_demand", generation=g, use="leasing"),
        surplus * offered,
        label=f"Share of {g} offered for lease: its surplus after internal demand",
        unit="share",
        schedule=Schedule.DEMAND,
    )
    ctx.add(
        Key("units", generation=g, use="idle"),
        Key("installed_units", generation=g).ref() * surplus * (1 - offered),
        label=f"Accelerators idle: surplus of {g} not offered for lease",
        unit="accelerators",
        schedule=Schedule.FLEET,
    )
