"""Totals over the verdict's horizon and per-generation returns."""

from __future__ import annotations

from .._ir import PerColumn, Ref, ge, gt, if_, safe_divide, total
from .._keys import Key
from ..presentation import Schedule
from ._context import Context
from .depreciation import generation_opening_value, generation_write_offs
from .impairment import generation_impairments

HORIZON_TOTALS = (
    ("leasing_revenue", "Leasing revenue"),
    ("leasing_depreciation", "Depreciation attributed to leasing"),
    ("leasing_book_profit", "Leasing economic profit on book terms"),
    ("leasing_nopat", "Leasing NOPAT"),
    ("leasing_capital", "Capital employed in leasing (sum over periods)"),
    ("leased_h100_equivalents", "Leased H100-equivalent units (sum over periods)"),
    ("installed_h100_equivalents", "H100-equivalent units in service (sum over periods)"),
)
"""Undiscounted sums over the horizon and run-off."""

PRESENT_VALUES = (
    ("leasing_economic_revenue", "Leasing revenue within the economic life"),
    ("leasing_operating_cost", "Operating cost of leasing"),
    ("leasing_economic_depreciation", "Economic depreciation of leased capacity"),
    ("leasing_economic_value_added", "Leasing economic profit, economic terms"),
)
"""Sums over the horizon and run-off discounted at the hurdle to the start of the timeline."""


def define(ctx: Context) -> None:
    _horizon(ctx)
    for item, label in HORIZON_TOTALS:
        unit = "H100-eq units" if item.endswith("h100_equivalents") else ctx.money
        ctx.add_summary(f"horizon_{item}", ctx.over_horizon(item), label=f"{label} over the horizon", unit=unit)
    for item, label in PRESENT_VALUES:
        ctx.add_summary(
            f"pv_{item}",
            total(Ref(item, at=t) * Ref("discount_factor", at=t) * Ref("in_horizon", at=t) for t in range(ctx.count)),
            label=f"{label}: present value at the hurdle over the horizon and run-off",
            unit=ctx.money,
        )
    ctx.add_summary(
        "horizon_leasing_economic_profit",
        Ref("pv_leasing_economic_value_added"),
        label="Leasing economic profit (present value; market value lost, capital at market value)",
        unit=ctx.money,
    )
    ctx.add_summary(
        "horizon_coverage",
        safe_divide(
            Ref("pv_leasing_economic_revenue"),
            Ref("pv_leasing_operating_cost") + Ref("pv_leasing_economic_depreciation"),
        ),
        label="Leasing revenue within the economic life / operating cost, market value lost and building charge (PV)",
        unit="x",
    )
    ctx.add_summary(
        "horizon_book_coverage",
        safe_divide(Ref("horizon_leasing_revenue"), Ref("horizon_leasing_depreciation")),
        label="Leasing revenue / attributed book depreciation (for reference)",
        unit="x",
    )
    ctx.add_summary(
        "horizon_leasing_roic",
        safe_divide(Ref("horizon_leasing_nopat"), Ref("horizon_leasing_capital") * ctx.step),
        label="Leasing ROIC over the horizon (NOPAT / capital employed)",
        unit="rate",
    )
    ctx.add_summary(
        "horizon_leased_capacity_share",
        safe_divide(Ref("horizon_leased_h100_equivalents"), Ref("horizon_installed_h100_equivalents")),
        label="Leased share of AI capacity (H100-equivalent units in service) over the horizon and run-off",
        unit="share",
    )
    for g in ctx.generations:
        _generation(ctx, g)


def _horizon(ctx: Context) -> None:
    """``in_horizon``: 1 from the configured year, else from the first period with units leased."""
    if ctx.model.verdict.horizon_start_year is not None:
        years = PerColumn(tuple(float(label[:4]) for label in ctx.periods))
        expr = if_(ge(years, Ref("horizon_start_year")), 1, 0)
    else:
        leased = ctx.over(Key("units", generation=g, use="leasing") for g in ctx.generations)
        expr = if_(ge(Ref("in_horizon", lag=1) + if_(gt(leased, 0), 1, 0), 1), 1, 0)
    ctx.add("in_horizon", expr, label="1 in the verdict's horizon", unit="flag", schedule=Schedule.SUMMARY)


def _generation(ctx: Context, g: str) -> None:
    m, tax = ctx.money, Ref("tax_rate")
    revenue = ctx.add_summary(
        Key("horizon_leasing_revenue", generation=g),
        ctx.over_horizon(Key("leasing_revenue", generation=g)),
        label=f"{g}: leasing revenue over the horizon",
        unit=m,
    )
    capex = Key("capex_generation", generation=g)
    opening = generation_opening_value(ctx, g)
    write_offs = generation_write_offs(ctx, g)
    impairments = generation_impairments(ctx, g)
    if impairments is not None:
        write_offs = [written + impaired for written, impaired in zip(write_offs, impairments, strict=True)]
    for item, depreciation, label in (
        ("generation_capital", "depreciation_generation", "Net book value"),
        ("generation_economic_capital", "economic_depreciation_generation", "Net value at economic depreciation"),
    ):
        key = Key(item, generation=g)
        ctx.add(
            key,
            [
                (opening if t == 0 else key.ref(lag=1)) + capex.ref() - Key(depreciation, generation=g).ref()
                if item != "generation_capital"
                else (opening if t == 0 else key.ref(lag=1))
                + capex.ref()
                - Key(depreciation, generation=g).ref()
                - write_offs[t]
                for t in range(ctx.count)
            ],
            label=f"{label} of {g}",
            unit=m,
            schedule=Schedule.DEPRECIATION,
        )
    ctx.add(
        Key("generation_ebitda", generation=g),
        Key("leasing_revenue", generation=g).ref()
        + Key("internal_value", generation=g).ref()
        - Key("power_cost", generation=g).ref()
        - Key("facility_cost", generation=g).ref()
        - Key("maintenance_cost", generation=g).ref(),
        label=f"{g}: EBITDA + internal use at its declared value",
        unit=m,
        schedule=Schedule.LEASING,
    )
    for suffix, capital, depreciation in (
        ("book", "generation_capital", "depreciation_generation"),
        ("economic", "generation_economic_capital", "economic_depreciation_generation"),
    ):
        employed = total(
            ((Key(capital, generation=g).ref(at=t - 1) if t > 0 else opening) + ctx.first_fraction * capex.ref(at=t))
            * Ref("in_horizon", at=t)
            for t in range(ctx.count)
        )
        profit = ctx.over_horizon(Key("generation_ebitda", generation=g)) - ctx.over_horizon(
            Key(depreciation, generation=g)
        )
        ctx.add_summary(
            Key(f"generation_roic_{suffix}", generation=g),
            safe_divide(profit * (1 - tax), employed * ctx.step),
            label=f"{g}: ROIC with internal use at its declared value, {suffix} depreciation",
            unit="rate",
        )
    ctx.add_summary(
        Key("generation_coverage", generation=g),
        safe_divide(revenue, ctx.over_horizon(Key("leasing_depreciation", generation=g))),
        label=f"{g}: leasing revenue / depreciation of leased units",
        unit="x",
    )
