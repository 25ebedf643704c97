"""Depreciation: the waterfall by asset class and vintage, book and economic, retirement write-offs,
and attribution to accelerator generations.

Book depreciation spreads the depreciable book value over the *remaining* life in force, so a
change of useful life applies prospectively: remaining = life − age. Each method below says how
much of the depreciable value one period takes; all switch to the remainder when the remaining
life ends within the period. Economic depreciation is straight line over the economic life.

Accelerators leave service at their physical life: a vintage's units of a generation retire at the
end of the period in which they reach it, and the part of the vintage's book value they carry is
written off then (the resale proceeds, if any, are booked by the fleet). A vintage of a class tested
for impairment is then written down to its market value where its book value is higher
(:mod:`.impairment`). A vintage bought before the timeline opens at the book value
:mod:`.opening` gives it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from ...schema import AssetClass, DepreciationMethod
from .._history import CHANGED_TRACK
from .._ir import Const, Expr, Ref, if_, le, maximum, minimum, safe_divide, total
from .._keys import Key
from ..presentation import Schedule
from ._context import Context, Vintage
from .impairment import define_class_total, tested, written_down
from .opening import Part, declared_balance, opening_book_value

SpreadRule = Callable[[Expr, Expr, float, Expr, Expr, str], Expr]
"""(opening book value, depreciable value, years in service this period, remaining life, life,
asset class) → the period's depreciation before the end-of-life switch."""


def _straight_line(opening: Expr, depreciable: Expr, span: float, remaining: Expr, life: Expr, c: str) -> Expr:
    return depreciable * span / remaining


def _sum_of_years_digits(opening: Expr, depreciable: Expr, span: float, remaining: Expr, life: Expr, c: str) -> Expr:
    return depreciable * (2 * span) / (remaining + 1)


def _declining_balance(opening: Expr, depreciable: Expr, span: float, remaining: Expr, life: Expr, c: str) -> Expr:
    """The annual rate compounds over the time in service; never below straight line on what remains."""
    kept = maximum(0, 1 - Key("declining_balance_factor", asset_class=c).ref() / life) ** span
    return minimum(depreciable, maximum(opening * (1 - kept), depreciable * span / remaining))


SPREAD_RULES: dict[DepreciationMethod, SpreadRule | None] = {
    DepreciationMethod.STRAIGHT_LINE: _straight_line,
    DepreciationMethod.DECLINING_BALANCE: _declining_balance,
    DepreciationMethod.SUM_OF_YEARS_DIGITS: _sum_of_years_digits,
    DepreciationMethod.NONE: None,
}
"""Every method of the schema's registry; ``None``: not depreciated."""


@dataclass(frozen=True)
class _Track:
    """The part of a vintage on one life path: all of it, or the part a partial life change applies to and the rest."""

    band: str | None
    weight: Expr | None
    life: Key
    with_partial: bool


def define(ctx: Context) -> None:
    m = ctx.money
    for c, asset in ctx.model.asset_classes.items():
        parts = [part for v in ctx.vintages if ctx.cost(v, c) is not None for part in _vintage(ctx, c, asset, v)]
        if c in ctx.model.opening.balances:
            declared_balance(ctx, c, parts)
        held = [v.label for v in ctx.vintages if ctx.cost(v, c) is not None]
        if tested(ctx, c):
            define_class_total(ctx, c, held)
        for item, label in (
            ("depreciation", "Book depreciation"),
            ("economic_depreciation", "Economic depreciation"),
            ("retirement_write_off", "Book value written off at retirement"),
        ):
            ctx.add(
                Key(item, asset_class=c),
                ctx.over(Key(item, asset_class=c, vintage=label) for label in held),
                label=f"{label}: {c}",
                unit=m,
                schedule=Schedule.DEPRECIATION,
            )
    ai_classes = [c for c in ctx.classes if c not in ctx.non_ai_classes]
    for item, label, classes in (
        ("depreciation", "Book depreciation (AI assets)", ai_classes),
        ("economic_depreciation", "Economic depreciation (AI assets)", ai_classes),
        ("depreciation_in_scope", "Book depreciation of every class modelled", ctx.classes),
        ("retirement_write_off", "Book value written off at retirement", ctx.classes),
        ("retired_cost", "Gross cost of assets retired", ctx.classes),
    ):
        source = "depreciation" if item == "depreciation_in_scope" else item
        ctx.add(
            item,
            ctx.over(Key(source, asset_class=c) for c in classes) if item != "retired_cost" else _retired_cost(ctx),
            label=label,
            unit=m,
            schedule=Schedule.PNL if item == "depreciation" else Schedule.DEPRECIATION,
        )
    _by_generation(ctx)


def _retired_cost(ctx: Context) -> list[Expr]:
    """Per period, the original cost of the accelerator-class assets whose units retire."""
    return [
        total(
            cost * retiring
            for c in ctx.accelerator_classes
            for vintage in ctx.vintages
            if (cost := ctx.cost(vintage, c)) is not None and (retiring := _retiring_share(ctx, vintage, t)) is not None
        )
        for t in range(ctx.count)
    ]


def _by_generation(ctx: Context) -> None:
    m = ctx.money
    for vintage in ctx.vintages:
        ctx.add(
            Key("accelerator_depreciation", vintage=vintage.label),
            ctx.over(
                Key("depreciation", asset_class=c, vintage=vintage.label)
                for c in ctx.accelerator_classes
                if ctx.cost(vintage, c) is not None
            ),
            label=f"Depreciation of accelerator assets bought {vintage.label}",
            unit=m,
            schedule=Schedule.DEPRECIATION,
        )
        ctx.add(
            Key("accelerator_capital", vintage=vintage.label),
            ctx.by_vintage(vintage, partial(_accelerator_capital, ctx, vintage)),
            label=f"Capital employed in accelerator assets bought {vintage.label}",
            unit=m,
            schedule=Schedule.DEPRECIATION,
        )
    ctx.add(
        "accelerator_depreciation",
        ctx.over(Key("depreciation", asset_class=c) for c in ctx.accelerator_classes),
        label="Depreciation of accelerator assets",
        unit=m,
        schedule=Schedule.DEPRECIATION,
    )
    for g in ctx.generations:
        for item, source, label in (
            ("depreciation_generation", "accelerator_depreciation", "Depreciation"),
            ("economic_depreciation_generation", None, "Economic depreciation"),
        ):
            ctx.add(
                Key(item, generation=g),
                [
                    ctx.over(
                        _vintage_rows(ctx, vintage, source) * weight
                        for vintage in ctx.vintages
                        if (weight := generation_weight(ctx, g, vintage, t)) is not None
                    )
                    for t in range(ctx.count)
                ],
                label=f"{label} of {g} assets",
                unit=m,
                schedule=Schedule.DEPRECIATION,
            )


def _accelerator_capital(ctx: Context, vintage: Vintage, t: int) -> Expr:
    return ctx.over(ctx.capital_employed(c, vintage, t) for c in ctx.accelerator_classes)


def _vintage_rows(ctx: Context, vintage: Vintage, source: str | None) -> Expr:
    if source is not None:
        return Key(source, vintage=vintage.label).ref()
    return ctx.over(
        Key("economic_depreciation", asset_class=c, vintage=vintage.label)
        for c in ctx.accelerator_classes
        if ctx.cost(vintage, c) is not None
    )


def generation_weight(ctx: Context, g: str, vintage: Vintage, t: int) -> Expr | None:
    """The share of a vintage's accelerator assets in service in period ``t`` that are ``g``'s
    (``None`` when it holds none of ``g`` then)."""
    if t < vintage.first_column or not ctx.buys(vintage, g) and vintage.column is None:
        return None
    mix = ctx.gpu_mix(vintage, g)
    alive = alive_share(ctx, vintage, t)
    if alive is None:
        return mix
    if not ctx.alive(g, vintage, t):
        return None
    return safe_divide(mix, alive)


def leased_part(ctx: Context, g: str, term: Callable[[Vintage, int], Expr]) -> list[Expr]:
    """Per period, Σ over vintages of ``term`` (a vintage's accelerator-asset figure) × ``g``'s part of
    the vintage × its leased share: what of that figure belongs to leased ``g``."""
    return [
        ctx.over(
            term(vintage, t) * weight * ctx.share(g, vintage, t, "leasing")
            for vintage in ctx.vintages
            if (weight := generation_weight(ctx, g, vintage, t)) is not None
        )
        for t in range(ctx.count)
    ]


def alive_share(ctx: Context, vintage: Vintage, t: int) -> Expr | None:
    """Share of a vintage's accelerator cost whose units are in service when period ``t`` begins;
    ``None`` while every unit is (the formulas then need no factor)."""
    bought = [g for g in ctx.generations if ctx.buys(vintage, g)]
    alive = [g for g in bought if ctx.alive(g, vintage, t)]
    if len(alive) == len(bought):
        return None
    return total(ctx.gpu_mix(vintage, g) for g in alive)


def _retiring_share(ctx: Context, vintage: Vintage, t: int) -> Expr | None:
    """Share of a vintage's accelerator cost whose units retire during period ``t`` (``None``: none do)."""
    if t < vintage.first_column:
        return None
    retiring = [g for g in ctx.generations if ctx.buys(vintage, g) and ctx.retiring(g, vintage, t)]
    return total(ctx.gpu_mix(vintage, g) for g in retiring) if retiring else None


def _tracks(ctx: Context, c: str, asset: AssetClass, vintage: Vintage) -> list[_Track]:
    life = Key("useful_life_years", asset_class=c)
    change = asset.partial_change
    if change is None or (change.vintages is not None and vintage.label not in change.vintages):
        return [_Track(None, None, life, False)]
    share = Key("life_change_share", asset_class=c).ref()
    changed = _Track(CHANGED_TRACK, share, Key("useful_life_years", asset_class=c, band=CHANGED_TRACK), True)
    if change.share >= 1:
        return [_Track(None, None, changed.life, True)]
    return [_Track("rest", 1 - share, life, False), changed]


def _vintage(ctx: Context, c: str, asset: AssetClass, vintage: Vintage) -> list[Part]:
    """Book and economic depreciation, write-offs, impairment and net book value of one class bought in
    one period; for an opening balance's vintage, its parts in the adjustment to the reported book value."""
    spread = SPREAD_RULES[asset.method]
    full_cost = ctx.cost(vintage, c)
    assert full_cost is not None
    accelerators = c in ctx.accelerator_classes
    label, m, schedule = vintage.label, ctx.money, Schedule.DEPRECIATION
    tracks = _tracks(ctx, c, asset, vintage)
    parts = []
    for track in tracks:
        cost = full_cost if track.weight is None else full_cost * track.weight
        part = _track_rows(ctx, c, asset, spread, vintage, track, cost, accelerators)
        parts += [part] if part is not None else []
    if len(tracks) > 1:
        items = ["depreciation", "retirement_write_off", "net_book_value"]
        items += ["impairment"] if tested(ctx, c) else []
        items += ["opening_book_value"] if vintage.column is None else []
        for item in items:
            keys = [Key(item, asset_class=c, vintage=label, band=track.band) for track in tracks]
            ctx.add(
                Key(item, asset_class=c, vintage=label),
                ctx.over(keys),
                label=f"{c} bought {label}: {item.replace('_', ' ')}",
                unit=m,
                schedule=schedule,
                axis="scalar" if item == "opening_book_value" else "period",
            )

    def economic(t: int) -> Expr:
        if spread is None:
            return Const(0.0)
        economic_life = Key("economic_life_years", asset_class=c).ref()
        span, age = ctx.years_in_service(vintage, t), ctx.age_at_start(vintage, t)
        fraction = maximum(0, minimum(span, economic_life - age))
        amount = full_cost * (1 - Key("salvage_fraction", asset_class=c).ref()) * fraction / economic_life
        alive = alive_share(ctx, vintage, t) if accelerators else None
        return amount if alive is None else amount * alive

    ctx.add(
        Key("economic_depreciation", asset_class=c, vintage=label),
        ctx.by_vintage(vintage, economic),
        label=f"{c} bought {label}: economic depreciation",
        unit=m,
        schedule=schedule,
    )
    return parts


def _track_rows(
    ctx: Context,
    c: str,
    asset: AssetClass,
    spread: SpreadRule | None,
    vintage: Vintage,
    track: _Track,
    cost: Expr,
    accelerators: bool,
) -> Part | None:
    label, m, schedule = vintage.label, ctx.money, Schedule.DEPRECIATION
    dep = Key("depreciation", asset_class=c, vintage=label, band=track.band)
    nbv = Key("net_book_value", asset_class=c, vintage=label, band=track.band)
    write_off = Key("retirement_write_off", asset_class=c, vintage=label, band=track.band)
    impaired = Key("impairment", asset_class=c, vintage=label, band=track.band)
    impairment_tested = tested(ctx, c)
    salvage_fraction = Key("salvage_fraction", asset_class=c).ref()
    life = track.life.ref()
    part = None
    if vintage.column is None:
        alive = alive_share(ctx, vintage, 0) if accelerators else None
        start_value, part = opening_book_value(
            ctx, c, asset, spread, vintage, track.band, track.with_partial, cost, alive
        )

    def opening(t: int) -> Expr:
        if t == vintage.column:
            return cost
        return start_value if t == 0 and vintage.column is None else nbv.ref(lag=1)

    def salvage(t: int) -> Expr:
        alive = alive_share(ctx, vintage, t) if accelerators else None
        return salvage_fraction * cost if alive is None else salvage_fraction * cost * alive

    def book(t: int) -> Expr:
        if spread is None:
            return Const(0.0)
        # An impairment can take the book value under salvage: nothing is then left to depreciate.
        depreciable = maximum(0, opening(t) - salvage(t)) if impairment_tested else opening(t) - salvage(t)
        span = ctx.years_in_service(vintage, t)
        remaining = life - ctx.age_at_start(vintage, t)
        return if_(le(remaining, span), depreciable, spread(opening(t), depreciable, span, remaining, life, c))

    def written_off(t: int) -> Expr:
        retiring = _retiring_share(ctx, vintage, t) if accelerators else None
        if retiring is None:
            return Const(0.0)
        alive = alive_share(ctx, vintage, t)
        ratio = retiring if alive is None else safe_divide(retiring, alive)
        return ratio * (opening(t) - Ref(dep.id))

    ctx.add(dep, ctx.by_vintage(vintage, book), label=f"{c} bought {label}: depreciation", unit=m, schedule=schedule)
    ctx.add(
        write_off,
        ctx.by_vintage(vintage, written_off),
        label=f"{c} bought {label}: book value written off as its units retire",
        unit=m,
        schedule=schedule,
    )

    def after_retirements(t: int) -> Expr:
        return opening(t) - Ref(dep.id) - Ref(write_off.id)

    if impairment_tested:
        ctx.add(
            impaired,
            ctx.by_vintage(vintage, lambda t: written_down(ctx, vintage, t, cost, after_retirements(t))),
            label=f"{c} bought {label}: impairment (book value above the market value of its units in service)",
            unit=m,
            schedule=schedule,
        )
    ctx.add(
        nbv,
        ctx.by_vintage(
            vintage, lambda t: after_retirements(t) - Ref(impaired.id) if impairment_tested else after_retirements(t)
        ),
        label=f"{c} bought {label}: net book value",
        unit=m,
        schedule=schedule,
    )
    return part


def generation_write_offs(ctx: Context, g: str) -> list[Expr]:
    """Per period, the book value of accelerator assets written off as ``g``'s units retire."""
    columns = []
    for t in range(ctx.count):
        terms = []
        for vintage in ctx.vintages:
            retiring = _retiring_share(ctx, vintage, t)
            if retiring is None or not (ctx.buys(vintage, g) and ctx.retiring(g, vintage, t)):
                continue
            written = ctx.over(
                Key("retirement_write_off", asset_class=c, vintage=vintage.label)
                for c in ctx.accelerator_classes
                if ctx.cost(vintage, c) is not None
            )
            terms.append(written * safe_divide(ctx.gpu_mix(vintage, g), retiring))
        columns.append(total(terms))
    return columns


def generation_opening_value(ctx: Context, g: str) -> Expr:
    """Book value of ``g``'s accelerator assets bought before the timeline, at its start."""
    return total(
        Key("opening_book_value", asset_class=c, vintage=vintage.label).ref() * weight
        for vintage in ctx.vintages
        if vintage.column is None and (weight := generation_weight(ctx, g, vintage, 0)) is not None
        for c in ctx.accelerator_classes
        if ctx.cost(vintage, c) is not None
    )
