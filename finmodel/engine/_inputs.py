"""Resolve a validated model into the assumption values the line items read.

This is the only place where the model language's conveniences (carry-forward of CapEx
shares, dated life changes, price curves, allocation rules) are turned into plain numbers by
period. Each assumption keeps the dotted path of the YAML field it came from, so outputs can
cite its source.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..schema import USES, CompanyModel
from ._clearing import resolve_clearing
from ._demand import resolve_demand
from ._history import resolve_history
from ._keys import Key
from ._prices import add_cohort_prices, add_market_prices, add_signed_prices, add_tiers

COHORT_PREFIX = "cohort:"


@dataclass(frozen=True)
class Assumption:
    """One input row: its values on its axis and, per column, the model field each came from."""

    key: Key
    axis: str
    values: tuple[float, ...]
    label: str
    unit: str
    paths: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.key.id

    @property
    def path(self) -> str:
        """The field path common to every column (e.g. ``capex.by_period``)."""
        parts = [path.split(".") for path in self.paths]
        common = []
        for pieces in zip(*parts, strict=False):
            if len(set(pieces)) != 1:
                break
            common.append(pieces[0])
        return ".".join(common)


@dataclass
class Assumptions:
    """Every input of a model, plus the structural facts the line items are shaped by."""

    model: CompanyModel
    rows: dict[str, Assumption] = field(default_factory=dict)
    allocation_cells: dict[tuple[int, int, str], str] = field(default_factory=dict)
    cohort_axes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Per generation bought, the axis of its representative cohort's years of age."""
    _rule_table: tuple[tuple[tuple[str, ...] | None, float | None, tuple[float, ...]], ...] | None = field(
        default=None, init=False, repr=False
    )

    def add(self, key: Key | str, axis: str, values, *, label: str, unit: str, path: str | list[str]) -> str:
        key = key if isinstance(key, Key) else Key(key)
        values = tuple(float(v) for v in np.atleast_1d(values))
        paths = tuple(path) if isinstance(path, list) else (path,) * len(values)
        self.rows[key.id] = Assumption(key, axis, values, label, unit, paths)
        return key.id

    def allocation_inputs(
        self, generation: str, point: float, ages: tuple[float, float], use: str
    ) -> list[tuple[str, float]]:
        """The allocation inputs for ``use`` that apply to accelerators of a generation in service
        over an age span at a point in time, each with the share of the span its age band covers.

        The rule is the last one in force at ``point`` that names the generation (or all).
        """
        rule_index = 0
        for index, (generations, effective, _) in enumerate(self._rules()):
            applies_to = generations is None or generation in generations
            started = effective is None or point >= effective - 1e-9
            if applies_to and started:
                rule_index = index
        bands = self._rules()[rule_index][2]
        young, old = ages
        weights = []
        for index, lower in enumerate(bands):
            upper = bands[index + 1] if index + 1 < len(bands) else float("inf")
            if old > young:
                overlap = max(0.0, min(old, upper) - max(young, lower)) / (old - young)
            else:
                overlap = 1.0 if lower - 1e-9 <= young < upper else 0.0
            if overlap > 1e-12:
                weights.append((self.allocation_cells[(rule_index, index, use)], overlap))
        return weights

    def _rules(self) -> tuple[tuple[tuple[str, ...] | None, float | None, tuple[float, ...]], ...]:
        """Each allocation rule as (generations named, effective date, its bands' lower ages), read once
        from the model: a graph of a long timeline asks for them at every vintage and period."""
        if self._rule_table is None:
            self._rule_table = tuple(
                (rule.generations, rule.effective, tuple(band.min_age_years for band in rule.by_age))
                for rule in self.model.allocation
            )
        return self._rule_table


def resolve(model: CompanyModel) -> Assumptions:
    """All inputs of ``model`` by name (scalars on the ``scalar`` axis, series on ``period``)."""
    result = Assumptions(model)
    timeline = model.projected_timeline
    labels = model.projected_labels
    declared = len(model.timeline.labels)
    add = result.add

    reported, is_reported, growth = [], [], []
    generations = model.generations_in_fleet()
    growth_in_force, growth_from = 0.0, None
    total_paths, growth_paths = [], []
    for column, label in enumerate(labels):
        period = model.capex.by_period.get(label)
        if label in model.capex.growth_per_year:
            growth_in_force, growth_from = model.capex.growth_per_year[label], label
        total = period.total if period is not None else None
        if column >= declared:
            total = 0.0
        reported.append(total or 0.0)
        is_reported.append(1.0 if total is not None else 0.0)
        total_paths.append(
            "timeline.runoff_years"
            if column >= declared
            else f"capex.by_period.{label}.total"
            if total is not None
            else "capex.growth_per_year"
        )
        growth.append(growth_in_force)
        growth_paths.append(f"capex.growth_per_year.{growth_from}" if growth_from else "capex.growth_per_year")
    shares = model.capex_shares()
    shares += shares[-1:] * (len(labels) - declared)
    ai_share = [period.ai_share for period in shares]
    share_paths = [period.declared_in for period in shares]
    asset_mix = {
        (c, asset.scope): [
            (period.asset_mix if asset.scope == "ai" else period.other_mix).get(c, 0.0) for period in shares
        ]
        for c, asset in model.asset_classes.items()
    }
    gpu_mix = {g: [period.gpu_mix.get(g, 0.0) for period in shares] for g in generations}

    add("capex_reported", "period", reported, label="CapEx as reported or guided", unit=_money(model), path=total_paths)
    add(
        "capex_is_reported",
        "period",
        is_reported,
        label="1 if CapEx is reported, 0 if projected",
        unit="flag",
        path=total_paths,
    )
    add(
        "capex_growth_per_year",
        "period",
        growth,
        label="CapEx growth per year (projected periods)",
        unit="rate",
        path=growth_paths,
    )
    add(
        "ai_share_of_capex",
        "period",
        ai_share,
        label="AI share of CapEx",
        unit="share",
        path=[f"capex.by_period.{where['ai_share']}.ai_share" for where in share_paths],
    )
    for (c, scope), values in asset_mix.items():
        mix = "asset_mix" if scope == "ai" else "other_mix"
        add(
            Key(mix, asset_class=c),
            "period",
            values,
            label=f"Share of {'AI' if scope == 'ai' else 'other'} CapEx: {c}",
            unit="share",
            path=[f"capex.by_period.{where[mix]}.{mix}.{c}" for where in share_paths],
        )
    for g, values in gpu_mix.items():
        add(
            Key("gpu_mix", generation=g),
            "period",
            values,
            label=f"Share of accelerator CapEx: {g}",
            unit="share",
            path=[f"capex.by_period.{where['gpu_mix']}.gpu_mix.{g}" for where in share_paths],
        )

    for c, asset in model.asset_classes.items():
        path = f"asset_classes.{c}"
        lives, life_paths = [], []
        for start in timeline.starts:
            life, index = asset.life_in_force(start, with_partial=False)
            lives.append(life)
            life_paths.append(f"{path}.useful_life_years" if index is None else f"{path}.life_changes.{index}")
        add(
            Key("useful_life_years", asset_class=c),
            "period",
            lives,
            label=f"Useful life in force: {c}",
            unit="years",
            path=life_paths,
        )
        add(
            Key("salvage_fraction", asset_class=c),
            "scalar",
            asset.salvage_fraction,
            label=f"Salvage value: {c}",
            unit="share of cost",
            path=f"{path}.salvage_fraction",
        )
        if asset.method == "declining_balance":
            add(
                Key("declining_balance_factor", asset_class=c),
                "scalar",
                asset.declining_balance_factor,
                label=f"Declining-balance factor: {c}",
                unit="x",
                path=f"{path}.declining_balance_factor",
            )
        add(
            Key("economic_life_years", asset_class=c),
            "scalar",
            asset.economic_life_years or asset.useful_life_years,
            label=f"Economic life: {c}",
            unit="years",
            path=f"{path}.economic_life_years",
        )

    for g in generations:
        gpu = model.gpus[g]
        path = f"gpus.{g}"
        add(
            Key("cost_per_accelerator_usd", generation=g),
            "scalar",
            gpu.cost_per_accelerator_usd,
            label=f"All-in cost per accelerator at launch: {g}",
            unit="USD",
            path=f"{path}.cost_per_accelerator_usd",
        )
        add(
            Key("cost_change_per_year", generation=g),
            "scalar",
            gpu.cost_change_per_year,
            label=f"Cost change per year: {g}",
            unit="rate",
            path=f"{path}.cost_change_per_year",
        )
        add(
            Key("power_kw_per_accelerator", generation=g),
            "scalar",
            gpu.power_kw_per_accelerator,
            label=f"Power per accelerator: {g}",
            unit="kW",
            path=f"{path}.power_kw_per_accelerator",
        )
        add(
            Key("available_from", generation=g),
            "scalar",
            gpu.available_from,
            label=f"Available from (decimal year): {g}",
            unit="year",
            path=f"{path}.available_from",
        )
        add(
            Key("relative_performance", generation=g),
            "scalar",
            gpu.relative_performance,
            label=f"Throughput relative to H100: {g}",
            unit="x",
            path=f"{path}.relative_performance",
        )
        add(
            Key("physical_life_years", generation=g),
            "scalar",
            gpu.physical_life_years,
            label=f"Physical life: {g}",
            unit="years",
            path=f"{path}.physical_life_years",
        )
        add_market_prices(result, g)

    for rule_index, rule in enumerate(model.allocation):
        for band_index, band in enumerate(rule.by_age):
            for use in (*USES, "billed_share"):
                name = Key(
                    f"allocation_{use.removesuffix('_share')}", band=f"rule{rule_index + 1},age{band.min_age_years:g}"
                )
                result.allocation_cells[(rule_index, band_index, use)] = name.id
                add(
                    name,
                    "scalar",
                    getattr(band, use),
                    label=f"Share {'of leased capacity billed' if use == 'billed_share' else 'for ' + use}: "
                    f"rule {rule_index + 1}, from age {band.min_age_years:g}",
                    unit="share",
                    path=f"allocation.{rule_index}.by_age.{band_index}.{use}",
                )

    add_tiers(result)
    for scalar, label, unit, path in _SCALARS:
        value = model.hurdle_rate if scalar == "hurdle_rate" else _at_path(model, path)
        add(scalar, "scalar", value, label=label, unit=_money(model) if unit == "money" else unit, path=path)
    if model.internal.value_usd_per_gpu_hour is not None:
        add(
            "internal_value_usd_per_gpu_hour",
            "scalar",
            model.internal.value_usd_per_gpu_hour,
            label="Value of an H100-equivalent hour of internal use",
            unit="USD/GPU-hour",
            path="internal.value_usd_per_gpu_hour",
        )
    if model.verdict.horizon_start_year is not None:
        add(
            "horizon_start_year",
            "scalar",
            model.verdict.horizon_start_year,
            label="First fiscal year of the verdict's horizon",
            unit="year",
            path="verdict.horizon_start_year",
        )

    cohorts = {}
    for g in model.generations_used():
        years = cohort_years(model.gpus[g].physical_life_years)
        axis = f"{COHORT_PREFIX}{g}"
        result.cohort_axes[axis] = tuple(str(k) for k in range(years + 1))
        cohorts[g] = (cohort_start(model, g), years)
        add_cohort_prices(result, g, *cohorts[g], axis)
    add_signed_prices(result, cohorts)
    resolve_history(result)
    resolve_demand(result)
    resolve_clearing(result)
    return result


def cohort_years(physical_life_years: float) -> int:
    """Whole years a cohort's cash flows span."""
    return max(1, math.ceil(physical_life_years - 1e-9))


def cohort_start(model: CompanyModel, generation: str) -> float:
    """When the representative accelerator enters service (decimal year)."""
    timeline = model.timeline
    bought = first_purchase(model, generation)
    return timeline.starts[bought] + (1 - timeline.first_period_fraction) * timeline.period_years


def first_purchase(model: CompanyModel, generation: str) -> int:
    """Index of the period whose purchase is the generation's representative cohort."""
    index = model.first_purchase(generation)
    assert index is not None, f"{generation} is never bought"
    return index


def _money(model: CompanyModel) -> str:
    return f"{model.company.currency} {model.company.money_unit}"


_SCALARS: tuple[tuple[str, str, str, str], ...] = (
    ("leasing_utilisation", "Leased hours billed", "share", "leasing.utilisation"),
    ("internal_utilisation", "Internal hours doing useful work", "share", "internal.utilisation"),
    ("shadow_price_ratio", "Shadow price / market rental price", "x", "internal.shadow_price_ratio"),
    ("power_usage_effectiveness", "PUE", "x", "running_costs.power_usage_effectiveness"),
    ("power_price_usd_per_kwh", "Electricity price (first period)", "USD/kWh", "running_costs.power_price_usd_per_kwh"),
    ("power_price_growth_per_year", "Electricity price growth", "rate", "running_costs.power_price_growth_per_year"),
    ("load_factor", "Average draw / full load", "share", "running_costs.load_factor"),
    (
        "facility_cost_usd_per_kw_month",
        "Facility cost per kW-month",
        "USD/kW-month",
        "running_costs.facility_cost_usd_per_kw_month",
    ),
    (
        "maintenance_share_per_year",
        "Maintenance per year / accelerator gross cost",
        "share",
        "running_costs.maintenance_share_of_cost_per_year",
    ),
    ("wacc", "WACC", "rate", "financing.wacc"),
    ("tax_rate", "Tax rate", "rate", "financing.tax_rate"),
    ("debt_share_of_capex", "Debt-funded share of AI CapEx", "share", "financing.debt_share_of_capex"),
    ("debt_interest_rate", "Interest rate on debt", "rate", "financing.debt_interest_rate"),
    ("debt_amortisation_years", "Debt amortisation period", "years", "financing.debt_amortisation_years"),
    ("hurdle_rate", "Hurdle rate (default: the WACC)", "rate", "verdict.hurdle_rate"),
    (
        "min_coverage",
        "Coverage needed (revenue / operating cost and economic depreciation)",
        "x",
        "verdict.min_coverage",
    ),
    ("min_economic_profit", "Economic profit needed (present value)", "money", "verdict.min_economic_profit"),
    (
        "min_positive_npv_share",
        "Revenue share from positive-NPV cohorts needed",
        "share",
        "verdict.min_positive_npv_share",
    ),
    ("min_leasing_share", "Leased share of AI capacity to be material", "share", "verdict.min_leasing_share"),
)
"""Scalar inputs read straight from one model field: name, label, unit, field path."""


def _at_path(model: CompanyModel, path: str) -> float:
    value: object = model
    for part in path.split("."):
        value = getattr(value, part)
    return float(value)  # type: ignore[arg-type]
