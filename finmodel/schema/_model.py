"""The whole company model: its blocks together, the views the engine reads, and the rules that
span blocks (shares that sum to one, names that exist, dates inside the timeline)."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import Field, PrivateAttr, field_validator, model_validator

from ._blocks import (
    MONEY_UNITS,
    AllocationRule,
    AssetClass,
    Capex,
    Company,
    Financing,
    PathKey,
    Provenance,
    RunningCosts,
    Scenario,
    Timeline,
    VerdictRules,
)
from ._demand import Demand, demand_problems
from ._gpus import GenerationPricing, GpuGeneration
from ._history import Opening, ReportedSeries, balance_problems, reported_problems
from ._leasing import InternalUse, Leasing
from ._sensitivity import SensitivityBlock
from ._suggest import not_a_period, unknown_name
from ._types import (
    BASE_SCENARIO,
    SELECTOR_LIST_MAX,
    Frozen,
    ScenarioName,
    SchemaVersion,
    located_problems,
)
from ._uncertainty import Uncertainty

# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class CapexShares:
    """The CapEx shares in force in one period, and the period label each was declared in."""

    ai_share: float
    asset_mix: dict[str, float]
    gpu_mix: dict[str, float]
    other_mix: dict[str, float]
    declared_in: dict[str, str]


class CompanyModel(Frozen):
    """A company's AI infrastructure plan."""

    schema_version: SchemaVersion = Field(description="Version of the model language (1).")
    company: Company
    timeline: Timeline
    gpu_catalog: str | None = Field(
        None, description="GPU catalogue merged under gpus: builtin (finmodel's own) or a path relative to this file."
    )
    gpus: dict[str, GpuGeneration] = Field(
        default_factory=dict,
        description="Generations, merged from the catalogue; an entry here overrides the catalogue's fields.",
    )
    capex: Capex
    asset_classes: dict[str, AssetClass] = Field(description="Asset classes by name.", min_length=1)
    allocation: tuple[AllocationRule, ...] = Field(
        description="How installed capacity is used by age; later rules override earlier ones.", min_length=1
    )
    leasing: Leasing
    internal: InternalUse = Field(
        default_factory=lambda: InternalUse(utilisation=0.0), description="Internal use; a pure lessor may omit it."
    )
    running_costs: RunningCosts
    financing: Financing
    verdict: VerdictRules = Field(default_factory=VerdictRules)
    opening: Opening = Field(default_factory=Opening, description="Balances at the start of the timeline.")
    reported: dict[str, ReportedSeries] = Field(
        default_factory=dict,
        description="Figures the company reported, by name; every build reconciles the model with them.",
    )
    demand: Demand = Field(
        default_factory=Demand,
        description=(
            "What customers have contracted to buy (backlog) and who needs the capacity: internal demand, token "
            "demand and contracts, and how leased hours clear."
        ),
    )
    scenarios: dict[ScenarioName, Scenario] = Field(
        default_factory=dict, description="Named alternative assumptions; the workbook offers them in a selector."
    )
    uncertainty: Uncertainty | None = Field(
        None, description="Distributions on inputs for a Monte Carlo simulation (finmodel simulate; the memo)."
    )
    sensitivity: SensitivityBlock = Field(
        default_factory=SensitivityBlock,
        description="What the sensitivity analysis varies: tornado levers, two-way grids and break-evens.",
    )
    source: str | None = None
    note: str | None = None

    _provenance: dict[str, Provenance] = PrivateAttr(default_factory=dict)
    _scenario_name: str | None = PrivateAttr(default=None)
    _locations: dict[str, tuple[str, int, int]] = PrivateAttr(default_factory=dict)

    @field_validator("scenarios")
    @classmethod
    def _selectable(cls, scenarios: dict[str, Scenario]) -> dict[str, Scenario]:
        """The workbook's selector matches names without regard to case and holds 255 characters."""
        problems: list[tuple[tuple[str | int, ...], str]] = []
        seen: dict[str, str] = {}
        for name in scenarios:
            first = seen.setdefault(name.casefold(), name)
            if first != name:
                problems.append(((name,), f"differs from the scenario {first!r} only in case; choose another name"))
        listed = ",".join([BASE_SCENARIO, *scenarios])
        if len(listed) > SELECTOR_LIST_MAX:
            message = f"the scenario names take {len(listed)} characters in the workbook's selector list"
            problems.append(((), f"{message} (with 'base' and commas); Excel allows {SELECTOR_LIST_MAX}"))
        if problems:
            raise located_problems(problems)
        return scenarios

    @model_validator(mode="after")
    def _consistent(self) -> CompanyModel:
        problems = list(_cross_checks(self))
        if problems:
            raise located_problems(problems)
        return self

    # ---- derived views used by the engine

    @property
    def scenario_name(self) -> str | None:
        return self._scenario_name

    @property
    def money_scale(self) -> float:
        """Currency units per money unit (1e9 for billions)."""
        return MONEY_UNITS[self.company.money_unit]

    @property
    def hurdle_rate(self) -> float:
        return self.verdict.hurdle_rate if self.verdict.hurdle_rate is not None else self.financing.wacc

    def capex_shares(self) -> list[CapexShares]:
        """The AI share, asset mix and GPU mix in force in each period (carried forward until changed)."""
        shares: list[CapexShares] = []
        current: dict[str, Any] = {"ai_share": None, "asset_mix": None, "gpu_mix": None, "other_mix": None}
        set_in = {"ai_share": "", "asset_mix": "", "gpu_mix": "", "other_mix": ""}
        for label in self.timeline.labels:
            period = self.capex.by_period.get(label)
            if period is not None:
                for key in current:
                    if getattr(period, key) is not None:
                        current[key], set_in[key] = getattr(period, key), label
            shares.append(
                CapexShares(
                    current["ai_share"] or 0.0,
                    current["asset_mix"] or {},
                    current["gpu_mix"] or {},
                    current["other_mix"] or {},
                    dict(set_in),
                )
            )
        return shares

    def first_purchase(self, generation: str) -> int | None:
        """Index of the first period whose AI CapEx buys ``generation`` through an accelerator class."""
        accelerator_classes = [name for name, asset in self.asset_classes.items() if asset.buys_accelerators]
        for index, shares in enumerate(self.capex_shares()):
            buys_accelerators = sum(shares.asset_mix.get(name, 0.0) for name in accelerator_classes) > 0
            if shares.ai_share > 0 and buys_accelerators and shares.gpu_mix.get(generation, 0.0) > 0:
                return index
        return None

    def generations_used(self) -> tuple[str, ...]:
        """Generations the plan buys, in catalogue order."""
        return tuple(name for name in self.gpus if self.first_purchase(name) is not None)

    def generations_opening(self) -> tuple[str, ...]:
        """Generations bought before the timeline (opening vintages and balances), in catalogue order."""
        mixes = (self.opening.gpu_mix_in(year) for year in self.opening.years())
        bought = {name for found in mixes if found is not None for name, share in found[0].items() if share > 0}
        return tuple(name for name in self.gpus if name in bought)

    def generations_in_fleet(self) -> tuple[str, ...]:
        """Generations in the fleet at some point: bought before or during the timeline, in catalogue order."""
        held = set(self.generations_used()) | set(self.generations_opening())
        return tuple(name for name in self.gpus if name in held)

    @property
    def runoff_years(self) -> int:
        """Years projected after the timeline with no new CapEx (declared, else the longest physical life)."""
        lives = [self.gpus[g].physical_life_years for g in self.generations_in_fleet()]
        declared = self.timeline.runoff_years
        return declared if declared is not None else math.ceil(max(lives, default=0.0) - 1e-9)

    @property
    def projected_timeline(self) -> Timeline:
        """The timeline the engine projects: the declared one and its run-off years."""
        return self.timeline.model_copy(update={"end_year": self.timeline.end_year + self.runoff_years})

    @property
    def projected_labels(self) -> tuple[str, ...]:
        """Period labels of the projected timeline; run-off periods read e.g. '2033 run-off'."""
        return self.timeline.runoff_labels(self.projected_timeline.labels)

    def opening_years(self) -> tuple[str, ...]:
        """The years of the opening vintages and balances, oldest first."""
        return self.opening.years()

    def location_of(self, path: str) -> tuple[str, int, int] | None:
        """``(file, line, column)`` of a scenario, an override, a reported figure or a sensitivity entry (dotted
        path), when loaded from a file."""
        return self._locations.get(path)

    def pricing(self, generation: str) -> GenerationPricing:
        """The rental prices that apply to a generation: the company's, else the catalogue's."""
        own = self.leasing.prices.get(generation)
        if own is not None:
            return own
        market = self.gpus[generation].rental_price
        assert market is not None, "checked when the model was validated"
        return market

    def source_of(self, path: str) -> Provenance:
        """Provenance of the figure at a dotted path: its own, else its nearest block's."""
        parts = path.split(".")
        for depth in range(len(parts), 0, -1):
            found = self._provenance.get(".".join(parts[:depth]))
            if found is not None:
                return found
        return Provenance()


def name_problems(data: Mapping[str, Any]) -> Iterator[tuple[PathKey, str]]:
    """Names of GPU generations and asset classes that refer to none, read from plain model data.

    Only names are read, never values, so the loader can run this on a file whose values fail
    validation and report a mistyped name with them, without follow-on errors from bad values.
    """
    generations = list(_mapping(data.get("gpus")))
    classes = list(_mapping(data.get("asset_classes")))
    for label, period in _mapping(_mapping(data.get("capex")).get("by_period")).items():
        for mix in ("asset_mix", "other_mix"):
            for name in _mapping(_mapping(period).get(mix)):
                if name not in classes:
                    yield ("capex", "by_period", label, mix, name), unknown_name("asset class", name, classes)
        for name in _mapping(_mapping(period).get("gpu_mix")):
            if name not in generations:
                yield ("capex", "by_period", label, "gpu_mix", name), unknown_name("GPU generation", name, generations)
    for index, rule in enumerate(_sequence(data.get("allocation"))):
        for position, name in enumerate(_sequence(_mapping(rule).get("generations"))):
            if name not in generations:
                yield ("allocation", index, "generations", position), unknown_name("GPU generation", name, generations)
    for name in _mapping(_mapping(data.get("leasing")).get("prices")):
        if name not in generations:
            yield ("leasing", "prices", name), unknown_name("GPU generation", name, generations)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _sequence(value: Any) -> list[Any] | tuple[Any, ...]:
    return value if isinstance(value, list | tuple) else ()


def _cross_checks(model: CompanyModel):
    """Yield ``(path, message)`` for every rule that spans fields."""
    timeline = model.timeline
    labels = timeline.labels
    yield from name_problems(model.model_dump(include={"gpus", "asset_classes", "capex", "allocation", "leasing"}))

    if not any(asset.buys_accelerators for asset in model.asset_classes.values()):
        yield ("asset_classes",), "no asset class has buys_accelerators: true"

    for label in model.capex.by_period:
        if label not in labels:
            yield ("capex", "by_period", label), not_a_period(label, labels)
    for label in model.capex.growth_per_year:
        if label not in labels:
            yield ("capex", "growth_per_year", label), not_a_period(label, labels)

    first = model.capex.by_period.get(labels[0])
    if first is None or first.total is None:
        yield ("capex", "by_period"), f"the first period {labels[0]} needs a total"
    for field in ("ai_share", "asset_mix", "gpu_mix"):
        if first is None or getattr(first, field) is None:
            yield ("capex", "by_period", labels[0]), f"the first period needs {field}"

    growth_known = False
    for label in labels:
        if label in model.capex.growth_per_year:
            growth_known = True
        period = model.capex.by_period.get(label)
        if (period is None or period.total is None) and not growth_known and label != labels[0]:
            if all(key in labels for key in model.capex.by_period):
                yield ("capex", "by_period", label), "no total and no growth_per_year in force for this period"
            break

    start_of = dict(zip(labels, timeline.starts, strict=True))
    for label, period in model.capex.by_period.items():
        for name, share in (period.gpu_mix or {}).items():
            generation = model.gpus.get(name)
            if (
                generation is not None
                and share > 0
                and label in start_of
                and start_of[label] + timeline.period_years <= generation.available_from
            ):
                yield (
                    ("capex", "by_period", label, "gpu_mix", name),
                    f"{name} is bought in {label} but is only available from {_when(generation.available_from)}",
                )

    internal_use = any(band.training + band.inference > 0 for rule in model.allocation for band in rule.by_age)
    if internal_use and "internal" not in model.model_fields_set:
        yield ("internal",), "the allocation puts capacity to internal use (training or inference): give internal"

    if model.allocation[0].effective is not None or model.allocation[0].generations is not None:
        yield ("allocation", 0), "the first allocation rule must apply to all generations from the start"

    for name in model.generations_in_fleet():
        if name not in model.leasing.prices and model.gpus[name].rental_price is None:
            yield ("leasing", "prices"), f"no rental price for {name}, which the fleet holds"

    yield from _history_checks(model)
    yield from demand_problems(model)

    horizon = model.verdict.horizon_start_year
    if horizon is not None and not timeline.start_year <= horizon <= timeline.end_year:
        yield (
            ("verdict", "horizon_start_year"),
            f"{horizon} is outside the timeline {timeline.start_year}..{timeline.end_year}",
        )

    if timeline.frequency == "quarterly":
        for label in labels[: timeline.periods_per_year]:
            period = model.capex.by_period.get(label)
            if period is None or period.total is None:
                yield (
                    ("capex", "by_period", label),
                    "quarterly models need a total for each quarter of the first year "
                    "(later quarters grow on the same quarter a year earlier)",
                )

    for name, scenario in model.scenarios.items():
        for path in scenario.overrides:
            if path.split(".")[0] in ("scenarios", "schema_version", "gpu_catalog"):
                yield ("scenarios", name, "overrides", path), "a scenario cannot override this"


def _when(point: float) -> str:
    year = int(point)
    quarter = int(round((point - year) * 4)) + 1
    return str(year) if quarter == 1 else f"{year}Q{quarter}"


def _history_checks(model: CompanyModel):
    """Opening vintages before the timeline, named classes and periods, scopes with CapEx to share."""
    timeline = model.timeline
    classes = list(model.asset_classes)
    accelerator = {name for name, asset in model.asset_classes.items() if asset.buys_accelerators}
    for year, vintage in model.opening.vintages.items():
        where = ("opening", "vintages", year)
        if int(year) >= timeline.start_year:
            yield where, f"opening vintages are bought before the first period {timeline.labels[0]}"
        for name in vintage.cost:
            if name not in classes:
                yield (*where, "cost", name), unknown_name("asset class", name, classes)
        buys = any(vintage.cost.get(name, 0.0) > 0 for name in accelerator)
        if buys and not vintage.gpu_mix:
            yield where, "accelerator classes have cost here: give gpu_mix, the generations it bought"
        bought_from = int(year) - 1 + timeline.fiscal_year_end_month / 12
        for name, share in (vintage.gpu_mix or {}).items():
            generation = model.gpus.get(name)
            if generation is None:
                yield (*where, "gpu_mix", name), unknown_name("GPU generation", name, list(model.gpus))
            elif share > 0 and bought_from + 1 <= generation.available_from:
                yield (
                    (*where, "gpu_mix", name),
                    f"{name} is only available from {_when(generation.available_from)}, after fiscal {year}",
                )
    yield from balance_problems(model)
    labels = timeline.labels
    scopes = {name: asset.scope for name, asset in model.asset_classes.items()}
    for name, asset in model.asset_classes.items():
        if asset.buys_accelerators and asset.scope != "ai":
            yield ("asset_classes", name, "scope"), "a class that buys accelerators is AI infrastructure: scope 'ai'"
    for label, period in model.capex.by_period.items():
        for mix, scope in (("asset_mix", "ai"), ("other_mix", "other")):
            for name in getattr(period, mix) or {}:
                if scopes.get(name, scope) != scope:
                    yield ("capex", "by_period", label, mix, name), f"{mix} shares out classes with scope '{scope}'"
    first = model.capex.by_period.get(labels[0])
    if any(scope == "other" for scope in scopes.values()) and (first is None or first.other_mix is None):
        yield ("capex", "by_period", labels[0]), "classes with scope 'other' need other_mix in the first period"
    yield from reported_problems(model)
    for name, asset in model.asset_classes.items():
        change = asset.partial_change
        if change is None or change.vintages is None:
            continue
        known = (*model.opening_years(), *labels)
        for position, label in enumerate(change.vintages):
            if label not in known:
                yield (
                    ("asset_classes", name, "life_changes", asset.life_changes.index(change), "vintages", position),
                    f"{label!r} is neither an opening vintage nor a period",
                )
