"""The levers a model gets when its ``sensitivity`` block leaves a part out: what bulls and bears
argue about, where the model has it — economic life, the rental price level and its decline,
utilisation, power price, the hurdle rate and demand growth.

Each default is written as the model language would write it, so it is checked and moved exactly
as a lever declared in the file.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from ..engine import InputSpec, Projection
from ..schema import BreakEven, CompanyModel, Grid, GridAxis, Lever
from ._fields import read_field

PRICE_CURVE = re.compile(r"(gpus\.[^.]+\.rental_price|leasing\.prices\.[^.]+)\.(contract|spot)")
"""The model field of a generation's market price curve."""
LIFE_SHIFT_YEARS = 2.0
SHORTEST_LIFE_YEARS = 1.0
UTILISATION_SHIFT = 0.15
GRID_STEPS = 5


def _lever(**fields: object) -> Lever | None:
    """A default lever, or none where the model's base leaves no range to move over (a price of
    zero or of float dust, whose ±30% rounds back to itself)."""
    low, high = fields["low"], fields["high"]
    assert isinstance(low, float | int) and isinstance(high, float | int)
    if not (math.isfinite(low) and math.isfinite(high) and high > low):
        return None
    return Lever.model_validate(fields)


class Defaults:
    """The default levers of one model, from its inputs and its base projection."""

    def __init__(self, model: CompanyModel, specs: Sequence[InputSpec], base: Projection) -> None:
        self.model = model
        self.specs = specs
        self.base = base
        self.by_path = {spec.path: spec for spec in specs if not spec.structural}
        leased = {g: base.metrics.get(f"horizon_leasing_revenue[{g}]", 0.0) for g in model.generations_used()}
        self.main = max(leased, key=lambda g: leased[g]) if leased else None

    def _metric(self, name: str) -> str | None:
        """A cohort metric of the generation with the most leasing revenue, when the projection has it."""
        full = f"{name}[{self.main}]"
        return full if self.main is not None and full in self.base.metrics else None

    # ---- the levers

    def economic_life(self, low: float, high: float) -> Lever | None:
        classes = [c for c, asset in self.model.asset_classes.items() if asset.buys_accelerators]
        specs = [spec for c in classes if (spec := self.by_path.get(f"asset_classes.{c}.economic_life_years"))]
        if not specs:
            return None
        shortest = min(spec.base[0] for spec in specs)
        return _lever(
            input=tuple(spec.name for spec in specs),
            scale="shift",
            low=min(0.0, max(low, SHORTEST_LIFE_YEARS - shortest)),
            high=high,
            label="Economic life (years added)",
            show=self._metric("cohort_economic_life_years"),
            note="every accelerator class's economic life moved by the same number of years",
        )

    def price_level(self, low: float, high: float) -> Lever | None:
        names = tuple(spec.name for spec in self.specs if spec.axis == "period" and _price_curve(spec))
        if not names:
            return None
        return _lever(
            input=names,
            scale="factor",
            low=low,
            high=high,
            label="Rental price level (×)",
            show=self._metric("cohort_first_year_price_usd_per_hour"),
            note="every generation's contract and spot prices, at every date, times the same factor",
        )

    def price_decline(self) -> Lever | None:
        data = self.model.model_dump(mode="python", exclude={"scenarios"})
        fields: list[str] = []
        rates: list[float] = []
        for spec in self.specs:
            if spec.axis != "period" or not _price_curve(spec):
                continue
            curve, _ = read_field(data, spec.path)
            if not isinstance(curve, dict):
                continue
            name = (
                "annual_declines" if curve.get("launch_price_usd_per_hour") is not None else "decline_after_last_point"
            )
            declines = curve.get(name)
            values = [
                float(v) for v in (declines if isinstance(declines, list | tuple) else [declines]) if v is not None
            ]
            if values and max(values) > 0:
                fields.append(f"{spec.path}.{name}")
                rates.extend(values)
        if not fields:
            return None
        return _lever(
            field=tuple(fields),
            scale="factor",
            low=0.5,
            high=min(1.5, 0.95 / max(rates)),
            label="Rental price decline (×)",
            note="each price curve's yearly decline after its last dated price (or from launch) times the same factor",
        )

    def utilisation(self, low: float | None = None, high: float | None = None) -> Lever | None:
        spec = self.by_path.get("leasing.utilisation")
        if spec is None:
            return None
        base = spec.base[0]
        return _lever(
            input=spec.name,
            low=low if low is not None else max(0.0, base - UTILISATION_SHIFT),
            high=high if high is not None else min(1.0, base + UTILISATION_SHIFT),
            label="Leasing utilisation",
            note="the share of leasable hours billed",
        )

    def power_price(self) -> Lever | None:
        spec = self.by_path.get("running_costs.power_price_usd_per_kwh")
        if spec is None or spec.base[0] <= 0:
            return None
        return _lever(
            input=spec.name,
            low=spec.base[0] * 0.7,
            high=spec.base[0] * 1.3,
            label="Electricity price",
            note="the first period's electricity price, ±30%",
        )

    def hurdle(self) -> Lever | None:
        spec = self.by_path.get("verdict.hurdle_rate")
        if spec is None:
            return None
        return _lever(
            input=spec.name,
            low=max(0.0, spec.base[0] - 0.02),
            high=spec.base[0] + 0.02,
            label="Hurdle rate",
            note="the return the verdict's tests discount at, ±2 points",
        )

    def demand_growth(self, low: float, high: float) -> Lever | None:
        names = tuple(
            spec.name
            for spec in self.specs
            if spec.path.startswith("demand.") and spec.path.endswith("growth_per_year") and any(spec.base)
        )
        if not names:
            return None
        return _lever(
            input=names,
            scale="factor",
            low=low,
            high=high,
            label="Demand growth (×)",
            note="the yearly growth of every demand path, times the same factor",
        )

    # ---- the block's parts

    def tornado(self) -> tuple[Lever, ...]:
        found = (
            self.economic_life(-LIFE_SHIFT_YEARS, LIFE_SHIFT_YEARS),
            self.price_level(0.7, 1.3),
            self.price_decline(),
            self.utilisation(),
            self.power_price(),
            self.hurdle(),
            self.demand_growth(0.5, 1.5),
        )
        return tuple(lever for lever in found if lever is not None)

    def grids(self) -> tuple[Grid, ...]:
        rows = self.economic_life(-LIFE_SHIFT_YEARS, LIFE_SHIFT_YEARS)
        columns = self.price_decline() or self.price_level(0.7, 1.3)
        if rows is None or columns is None:
            return ()
        return (Grid(rows=_axis(rows), columns=_axis(columns), metrics=self.grid_metrics()),)

    def grid_metrics(self) -> tuple[str, ...]:
        """The economic profit and the IRR of the generation with the most leasing revenue."""
        return tuple(m for m in ("horizon_leasing_economic_profit", self._metric("cohort_irr")) if m is not None)

    def break_evens(self) -> tuple[BreakEven, ...]:
        found = (
            self.price_level(0.25, 4.0),
            self.utilisation(0.05, 1.0),
            self.economic_life(-10.0, 6.0),
            self.demand_growth(0.0, 3.0),
        )
        return tuple(
            BreakEven(**lever.model_dump(exclude_unset=True), test=test)
            for lever in found
            if lever is not None
            for test in ("economic_profit", "coverage")
        )


def _axis(lever: Lever) -> GridAxis:
    return GridAxis(**lever.model_dump(exclude_unset=True), steps=GRID_STEPS)


def _price_curve(spec: InputSpec) -> bool:
    return PRICE_CURVE.fullmatch(spec.path) is not None
