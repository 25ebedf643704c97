"""Hypothesis strategies that draw valid company models by construction.

Every range comes from the schema's declared constraints (``annotated_types`` on the pydantic
fields), narrowed where a full range would make absurd plans (a cost falling 99.99% a year)
to a practical one; shares are positive weights normalised to one, dates are drawn in order.
Nothing is drawn and then thrown away, so every example is a model the loader would accept.
Generated models stay small (at most 6 periods and 3 generations) so projecting them is fast; about
half of them declare a demand block (internal demand, tokens, contracts), drawn last.
"""

from __future__ import annotations

import copy
import string
from collections.abc import Mapping, Sequence
from typing import Any

from hypothesis import strategies as st
from pydantic import BaseModel

from ..schema import (
    MONEY_UNITS,
    USES,
    AgeBand,
    AllocationRule,
    AssetClass,
    Capex,
    CapexPeriod,
    CompanyModel,
    DepreciationMethod,
    Financing,
    GenerationPricing,
    GpuGeneration,
    InternalUse,
    Leasing,
    LifeChange,
    PriceTier,
    ResalePoint,
    RunningCosts,
    Scenario,
    Timeline,
)
from ._demand_draws import demand_paths, demands
from ._draws import mixes, numbers, price_curves, price_tiers
from ._perturb import around

__all__ = [
    "GENERATION_NAMES",
    "SCENARIO_PATHS",
    "allocation_rules",
    "around",
    "asset_classes",
    "capex_plans",
    "company_models",
    "demand_paths",
    "demands",
    "gpu_generations",
    "mixes",
    "numbers",
    "price_curves",
    "resale_curves",
    "price_tiers",
    "scenarios",
]

GENERATION_NAMES = ("A1", "B2", "C3")
"""Names of generated GPU generations, in catalogue order."""
MAX_PERIODS = 6
SCENARIO_PATHS = (
    "leasing.utilisation",
    "leasing.contracted_share",
    "internal.utilisation",
    "financing.wacc",
    "financing.tax_rate",
    "running_costs.power_price_usd_per_kwh",
    "asset_classes.servers.useful_life_years",
    "asset_classes.servers.salvage_fraction",
)
"""Value fields a generated scenario overrides (none structural); a model sold through price tiers has a
tier's ``price_ratio`` in place of ``contracted_share``."""


@st.composite
def resale_curves(draw: st.DrawFn, *, max_points: int = 3) -> tuple[ResalePoint, ...]:
    """A secondary-market value curve: share of cost by age, in order of age, or none (scrapped)."""
    ages = sorted(draw(st.sets(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0, 5.0]), max_size=max_points)))
    share = numbers(ResalePoint, "share_of_cost")
    return tuple(ResalePoint(age_years=age, share_of_cost=draw(share)) for age in ages)


@st.composite
def gpu_generations(draw: st.DrawFn, *, available_from: float = 2023.0) -> GpuGeneration:
    """A generation available from ``available_from``, with a market rental price."""
    contract = draw(price_curves(first_year=int(available_from)))
    spot = draw(st.none() | price_curves(first_year=int(available_from)))
    return GpuGeneration(
        available_from=available_from,
        cost_per_accelerator_usd=draw(numbers(GpuGeneration, "cost_per_accelerator_usd", (5_000, 100_000))),
        cost_change_per_year=draw(numbers(GpuGeneration, "cost_change_per_year", (-0.3, 0.1))),
        power_kw_per_accelerator=draw(numbers(GpuGeneration, "power_kw_per_accelerator", (0.3, 3))),
        relative_performance=draw(numbers(GpuGeneration, "relative_performance", (0.1, 10))),
        physical_life_years=draw(numbers(GpuGeneration, "physical_life_years", (1, 8))),
        rental_price=GenerationPricing(contract=contract, spot=spot),
        resale_value=draw(resale_curves()),
    )


@st.composite
def asset_classes(
    draw: st.DrawFn,
    *,
    buys_accelerators: bool = False,
    methods: Sequence[DepreciationMethod] = tuple(DepreciationMethod),
    lives: tuple[float, float] = (1, 8),
    changes_between: tuple[int, int] = (2023, 2031),
) -> AssetClass:
    """An asset class with any of ``methods`` and up to two life changes dated in ``changes_between``; one
    that buys accelerators may be tested for impairment at market value."""
    life = numbers(AssetClass, "useful_life_years", lives)
    quarters = st.sets(st.integers(changes_between[0] * 4, changes_between[1] * 4), max_size=2)
    changes = [LifeChange(effective=quarter / 4, useful_life_years=draw(life)) for quarter in sorted(draw(quarters))]
    return AssetClass(
        method=draw(st.sampled_from(list(methods))),
        useful_life_years=draw(life),
        salvage_fraction=draw(numbers(AssetClass, "salvage_fraction", (0, 0.3))),
        declining_balance_factor=draw(numbers(AssetClass, "declining_balance_factor")),
        life_changes=tuple(changes),
        economic_life_years=draw(st.none() | life),
        buys_accelerators=buys_accelerators,
        impairment_test=draw(st.sampled_from(["none", "market_value"])) if buys_accelerators else "none",
    )


@st.composite
def allocation_rules(
    draw: st.DrawFn,
    generations: Sequence[str] | None = None,
    *,
    effective: float | None = None,
) -> AllocationRule:
    """Uses by age band (the first from age 0, in increasing order), for ``generations`` from ``effective``."""
    ages = sorted({0.0, *draw(st.sets(st.sampled_from([0.5, 1.0, 2.0, 3.0, 4.0]), max_size=2))})
    bands = [
        AgeBand(
            min_age_years=age,
            **draw(mixes(USES)),
            billed_share=draw(numbers(AgeBand, "billed_share", (0.5, 1))),
        )
        for age in ages
    ]
    return AllocationRule(
        effective=effective, generations=tuple(generations) if generations else None, by_age=tuple(bands)
    )


@st.composite
def capex_plans(
    draw: st.DrawFn,
    labels: Sequence[str],
    classes: Sequence[str],
    generations: Sequence[Sequence[str]],
    *,
    money_scale: float = 1e9,
    quarterly: bool = False,
) -> Capex:
    """CapEx by period: the first period (the first year, if ``quarterly``) gives totals and every share;
    later ones change a share, give a total or leave it to growth. ``generations[i]`` lists those that
    can be bought in period ``i``."""
    money = numbers(CapexPeriod, "total", (0, 100 * 1e9 / money_scale))
    by_period: dict[str, CapexPeriod] = {}
    given_totals = 4 if quarterly else 1
    for index, label in enumerate(labels):
        first = index == 0
        total = draw(money) if index < given_totals or draw(st.booleans()) else None
        by_period[label] = CapexPeriod(
            total=total,
            ai_share=draw(numbers(CapexPeriod, "ai_share", (0.05, 1))) if first or draw(st.booleans()) else None,
            asset_mix=draw(mixes(classes)) if first or draw(st.booleans()) else None,
            gpu_mix=draw(mixes(generations[index])) if first or draw(st.booleans()) else None,
        )
    growth = {labels[0]: draw(numbers(Capex, "growth_per_year", (-0.3, 0.5)))} if len(labels) > 1 else {}
    return Capex(by_period=by_period, growth_per_year=growth)


@st.composite
def scenarios(
    draw: st.DrawFn, *, max_scenarios: int = 2, value_paths: Sequence[str] = SCENARIO_PATHS
) -> dict[str, Scenario]:
    """Up to ``max_scenarios`` named scenarios overriding value fields (:data:`SCENARIO_PATHS`, or
    ``value_paths``: a tier's ``leasing.tiers.<name>.price_ratio`` too) within their ranges."""
    names = draw(st.lists(st.text(string.ascii_lowercase, min_size=1, max_size=8), unique=True, max_size=max_scenarios))
    result = {}
    for name in names:
        paths = draw(st.lists(st.sampled_from(list(value_paths)), min_size=1, max_size=3, unique=True))
        overrides = {path: draw(_value_at(path)) for path in paths}
        result[f"{name} case"] = Scenario(description=f"generated: {', '.join(paths)}", overrides=overrides)
    return result


def _value_at(path: str) -> st.SearchStrategy[float]:
    blocks: dict[str, type[BaseModel]] = {
        "leasing": Leasing,
        "internal": InternalUse,
        "financing": Financing,
        "running_costs": RunningCosts,
        "asset_classes": AssetClass,
    }
    block, field = path.split(".")[0], path.split(".")[-1]
    if field == "price_ratio":
        return numbers(PriceTier, field, (0.5, 1.5))
    practical = (1.0, 8.0) if field == "useful_life_years" else (0.0, 0.3) if field == "salvage_fraction" else None
    return numbers(blocks[block], field, practical)


def company_models(
    *,
    max_periods: int = MAX_PERIODS,
    max_generations: int = len(GENERATION_NAMES),
    frequencies: Sequence[str] = ("annual", "annual", "annual", "quarterly"),
    methods: Sequence[DepreciationMethod] = tuple(DepreciationMethod),
    max_scenarios: int = 2,
    **fixed: object,
) -> st.SearchStrategy[CompanyModel]:
    """Valid company models. ``fixed`` holds top-level blocks to keep (``financing={...}``, a block
    object, or a strategy of one), e.g. ``company_models(leasing={"contracted_share": 1, "utilisation": 0.8})``;
    a fixed block must agree with the rest (generations A1.., asset classes servers, network, buildings, land)."""
    unknown = set(fixed) - set(CompanyModel.model_fields)
    if unknown:
        raise TypeError(
            f"company_models: no top-level block {sorted(unknown)}; blocks: {list(CompanyModel.model_fields)}"
        )
    if not 1 <= max_periods <= MAX_PERIODS or not 1 <= max_generations <= len(GENERATION_NAMES):
        raise ValueError(f"company_models: at most {MAX_PERIODS} periods and {len(GENERATION_NAMES)} generations")
    return _company_models(max_periods, max_generations, frequencies, methods, max_scenarios, fixed)


@st.composite
def _company_models(
    draw: st.DrawFn,
    max_periods: int,
    max_generations: int,
    frequencies: Sequence[str],
    methods: Sequence[DepreciationMethod],
    max_scenarios: int,
    fixed: Mapping[str, object],
) -> CompanyModel:
    timeline = _fixed(draw, fixed, "timeline") or draw(_timelines(max_periods, frequencies))
    timeline = timeline if isinstance(timeline, Timeline) else Timeline.model_validate(timeline)
    labels, starts = timeline.labels, timeline.starts
    count = draw(st.integers(1, max_generations))
    names = list(GENERATION_NAMES[:count])
    # The first generation is available before the first period; each later one from some period on.
    first_period = {names[0]: 0, **{name: draw(st.integers(0, len(labels) - 1)) for name in names[1:]}}
    gpus = _fixed(draw, fixed, "gpus") or {
        name: draw(
            gpu_generations(available_from=round(starts[first_period[name]] - draw(st.sampled_from([0, 0.25, 1])), 2))
        )
        for name in names
    }
    buyable = [[name for name in names if first_period[name] <= index] for index in range(len(labels))]
    classes: dict[str, AssetClass] = {
        "servers": draw(
            asset_classes(
                buys_accelerators=True,
                methods=methods,
                changes_between=(timeline.start_year - 1, timeline.end_year + 1),
            )
        ),
    }
    if draw(st.booleans()):
        classes["network"] = draw(asset_classes(buys_accelerators=True, methods=methods))
    classes["buildings"] = draw(asset_classes(methods=methods, lives=(10, 40)))
    if draw(st.booleans()):
        classes["land"] = AssetClass(method=DepreciationMethod.NONE, useful_life_years=1)
    money_unit = draw(st.sampled_from(list(MONEY_UNITS)))
    company = {"name": "Generated", "ticker": "GEN", "money_unit": money_unit}
    rules = [draw(allocation_rules())]
    if len(labels) > 1 and draw(st.booleans()):
        later = draw(st.integers(1, len(labels) - 1))
        rules.append(
            draw(
                allocation_rules(
                    draw(st.lists(st.sampled_from(names), min_size=1, unique=True)), effective=starts[later]
                )
            )
        )
    tiers = draw(st.none() | price_tiers())
    pricing = {"contracted_share": draw(numbers(Leasing, "contracted_share"))} if tiers is None else {"tiers": tiers}
    value_paths = list(SCENARIO_PATHS)
    if tiers is not None:
        value_paths[value_paths.index("leasing.contracted_share")] = f"leasing.tiers.{next(iter(tiers))}.price_ratio"
    data: dict[str, Any] = {
        "schema_version": 1,
        "company": company,
        "timeline": timeline,
        "gpus": gpus,
        "capex": draw(
            capex_plans(
                labels,
                list(classes),
                buyable,
                money_scale=MONEY_UNITS[money_unit],
                quarterly=timeline.frequency == "quarterly",
            )
        ),
        "asset_classes": _fixed(draw, fixed, "asset_classes") or classes,
        "allocation": tuple(rules),
        "leasing": {
            "prices": {name: GenerationPricing(contract=draw(price_curves())) for name in names if draw(st.booleans())},
            **pricing,
            "utilisation": draw(st.just(0.0) | numbers(Leasing, "utilisation")),
        },
        "internal": {
            "utilisation": draw(numbers(InternalUse, "utilisation")),
            "shadow_price_ratio": draw(numbers(InternalUse, "shadow_price_ratio", (0, 2))),
        },
        "running_costs": {
            "power_usage_effectiveness": draw(numbers(RunningCosts, "power_usage_effectiveness", (1, 2))),
            "power_price_usd_per_kwh": draw(numbers(RunningCosts, "power_price_usd_per_kwh", (0, 0.3))),
            "power_price_growth_per_year": draw(numbers(RunningCosts, "power_price_growth_per_year", (-0.1, 0.1))),
            "load_factor": draw(numbers(RunningCosts, "load_factor")),
            "facility_cost_usd_per_kw_month": draw(numbers(RunningCosts, "facility_cost_usd_per_kw_month", (0, 300))),
            "maintenance_share_of_cost_per_year": draw(
                numbers(RunningCosts, "maintenance_share_of_cost_per_year", (0, 0.1))
            ),
        },
        "financing": {
            "wacc": draw(numbers(Financing, "wacc", (0, 0.3))),
            "tax_rate": draw(numbers(Financing, "tax_rate", (0, 0.5))),
            "tax_losses": draw(st.sampled_from(["group_relief", "carry_forward"])),
            "debt_share_of_capex": draw(numbers(Financing, "debt_share_of_capex")),
            "debt_interest_rate": draw(numbers(Financing, "debt_interest_rate", (0, 0.2))),
            "debt_amortisation_years": draw(numbers(Financing, "debt_amortisation_years", (1, 20))),
        },
        "scenarios": draw(scenarios(max_scenarios=max_scenarios, value_paths=value_paths)),
    }
    for block in fixed:
        if block not in ("timeline", "gpus", "asset_classes"):
            data[block] = _fixed(draw, fixed, block)
    model = CompanyModel.model_validate(data)
    if "demand" in fixed:
        return model
    per_year = timeline.periods_per_year
    held = model.generations_in_fleet()
    demand = draw(st.none() | demands(labels, held, starts, per_year=per_year)) if held else None
    return model if demand is None else CompanyModel.model_validate({**data, "demand": demand})


def _fixed(draw: st.DrawFn, fixed: Mapping[str, object], block: str) -> Any:
    """A fixed block's value (drawn, if it is a strategy), or ``None`` when it is not fixed."""
    value = fixed.get(block)
    if isinstance(value, st.SearchStrategy):
        return draw(value)
    return copy.deepcopy(value)


@st.composite
def _timelines(draw: st.DrawFn, max_periods: int, frequencies: Sequence[str]) -> Timeline:
    frequency = draw(st.sampled_from(list(frequencies))) if max_periods >= 4 else "annual"
    start = draw(st.integers(2020, 2030))
    years = 1 if frequency == "quarterly" else draw(st.integers(1, max_periods))
    return Timeline(
        start_year=start,
        end_year=start + years - 1,
        frequency=frequency,
        fiscal_year_end_month=draw(st.sampled_from([12, 12, 6, 9])),
        purchases_in_service=draw(st.sampled_from(["mid_period", "start_of_period"])),
    )
