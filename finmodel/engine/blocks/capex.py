"""CapEx: reported or grown totals, the AI share, the split by asset class and by generation."""

from __future__ import annotations

from .._ir import Ref, ge, if_
from .._keys import Key
from ..presentation import Schedule
from ._context import Context


def define(ctx: Context) -> None:
    per_year = ctx.model.timeline.periods_per_year
    total_capex = ctx.add(
        "capex_total",
        if_(
            ge(Ref("capex_is_reported"), 1),
            Ref("capex_reported"),
            Ref("capex_total", lag=per_year) * (1 + Ref("capex_growth_per_year")),
        ),
        label="Total CapEx (projected periods: same period a year earlier × (1 + growth))",
        unit=ctx.money,
        schedule=Schedule.CAPEX,
    )
    ai = ctx.add(
        "capex_ai", total_capex * Ref("ai_share_of_capex"), label="AI CapEx", unit=ctx.money, schedule=Schedule.CAPEX
    )
    for asset_class in ctx.classes:
        if asset_class in ctx.non_ai_classes:
            share, label = total_capex - ai, "Other CapEx"
            mix = Key("other_mix", asset_class=asset_class)
        else:
            share, label, mix = ai, "AI CapEx", Key("asset_mix", asset_class=asset_class)
        ctx.add(
            Key("capex", asset_class=asset_class),
            share * mix.ref(),
            label=f"{label}: {asset_class}",
            unit=ctx.money,
            schedule=Schedule.CAPEX,
        )
    ctx.add(
        "capex_in_scope",
        ctx.over(Key("capex", asset_class=c) for c in ctx.classes),
        label="CapEx of every asset class modelled (AI, and other where the model covers it)",
        unit=ctx.money,
        schedule=Schedule.CAPEX,
    )
    accelerator = ctx.add(
        "capex_accelerators",
        ctx.over(Key("capex", asset_class=a) for a in ctx.accelerator_classes),
        label="CapEx buying accelerators",
        unit=ctx.money,
        schedule=Schedule.CAPEX,
    )
    for g in ctx.generations:
        ctx.add(
            Key("capex_generation", generation=g),
            accelerator * Key("gpu_mix", generation=g).ref(),
            label=f"Accelerator CapEx: {g}",
            unit=ctx.money,
            schedule=Schedule.CAPEX,
        )
