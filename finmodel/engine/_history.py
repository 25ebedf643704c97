"""Inputs from what a model starts from and is checked against: opening vintages, balances and
debt, the part of a class a partial life change applies to, resale values at retirement and, for
the impairment test, along the curve, reported figures."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..schema import reported_columns
from ._keys import Key

if TYPE_CHECKING:
    from ._inputs import Assumptions

CHANGED_TRACK = "changed"
"""The band qualifier of rows for the part of a class its partial life change applies to."""


def resolve_history(result: Assumptions) -> None:
    """Add the history inputs of ``result.model`` to ``result``."""
    model = result.model
    add = result.add
    money = f"{model.company.currency} {model.company.money_unit}"
    accelerator = [name for name, asset in model.asset_classes.items() if asset.buys_accelerators]
    opening = model.opening
    for year in model.opening_years():
        vintage = opening.vintages.get(year)
        for asset_class in model.asset_classes:
            if vintage is not None and asset_class in vintage.cost:
                add(
                    Key("opening_cost", asset_class=asset_class, vintage=year),
                    "scalar",
                    vintage.cost[asset_class],
                    label=f"Gross cost bought in {year}, before the timeline: {asset_class}",
                    unit=money,
                    path=f"opening.vintages.{year}.cost.{asset_class}",
                )
        listed = vintage.cost if vintage is not None else {}
        balances = [opening.balances[name] for name in accelerator if name in opening.balances]
        if any(listed.get(name, 0.0) > 0 for name in accelerator) or any(
            balance.age_profile.get(year, 0.0) > 0 for balance in balances
        ):
            mix, path = opening.gpu_mix_in(year) or ({}, f"opening.vintages.{year}.gpu_mix")
            for generation in model.generations_in_fleet():
                add(
                    Key("opening_gpu_mix", generation=generation, vintage=year),
                    "scalar",
                    mix.get(generation, 0.0),
                    label=f"Share of {year}'s accelerator cost: {generation}",
                    unit="share",
                    path=f"{path}.{generation}",
                )
    for asset_class, balance in opening.balances.items():
        path = f"opening.balances.{asset_class}"
        for item, value, label in (
            ("opening_gross_cost", balance.gross_cost, "Gross cost at the start of the timeline (as reported)"),
            (
                "opening_accumulated_depreciation",
                balance.accumulated_depreciation,
                "Accumulated depreciation at the start of the timeline (as reported)",
            ),
        ):
            field = item.removeprefix("opening_")
            add(
                Key(item, asset_class=asset_class),
                "scalar",
                value,
                label=f"{label}: {asset_class}",
                unit=money,
                path=f"{path}.{field}",
            )
        for year, share in sorted(balance.age_profile.items()):
            add(
                Key("opening_age_share", asset_class=asset_class, vintage=year),
                "scalar",
                share,
                label=f"Share of the gross cost at the start bought in {year}: {asset_class}",
                unit="share",
                path=f"{path}.age_profile.{year}",
            )
    add(
        "opening_debt",
        "scalar",
        model.opening.debt,
        label="Debt and finance leases at the start",
        unit=money,
        path="opening.debt",
    )

    for asset_class, asset in model.asset_classes.items():
        change = asset.partial_change
        if change is None:
            continue
        index = asset.life_changes.index(change)
        lives, paths = [], []
        for start in model.projected_timeline.starts:
            life, source = asset.life_in_force(start, with_partial=True)
            lives.append(life)
            where = f"asset_classes.{asset_class}"
            paths.append(f"{where}.useful_life_years" if source is None else f"{where}.life_changes.{source}")
        add(
            Key("useful_life_years", asset_class=asset_class, band=CHANGED_TRACK),
            "period",
            lives,
            label=f"Useful life in force, part a life change applies to: {asset_class}",
            unit="years",
            path=paths,
        )
        add(
            Key("life_change_share", asset_class=asset_class),
            "scalar",
            change.share,
            label=f"Share of each vintage the partial life change applies to: {asset_class}",
            unit="share",
            path=f"asset_classes.{asset_class}.life_changes.{index}.share",
        )

    for generation in model.generations_in_fleet():
        gpu = model.gpus[generation]
        add(
            Key("resale_share_at_retirement", generation=generation),
            "scalar",
            gpu.resale_share_at(gpu.physical_life_years),
            label=f"Resale value at retirement / cost when bought: {generation}",
            unit="share of cost",
            path=f"gpus.{generation}.resale_value",
        )
        for index, point in enumerate(gpu.resale_value):
            add(
                resale_point(generation, index),
                "scalar",
                point.share_of_cost,
                label=f"Resale value at age {point.age_years:g} / cost when bought: {generation}",
                unit="share of cost",
                path=f"gpus.{generation}.resale_value.{index}.share_of_cost",
            )

    count = len(model.projected_labels)
    for name, series in model.reported.items():
        path = f"reported.{name}"
        at = {column: label for column, (label, _) in reported_columns(model, series.by_period).items()}
        add(
            Key("reported", band=name),
            "period",
            [series.by_period[at[t]] if t in at else 0.0 for t in range(count)],
            label=f"Reported: {series.basis}",
            unit=money,
            path=[f"{path}.by_period.{at[t]}" if t in at else path for t in range(count)],
        )
        add(
            Key("reported_given", band=name),
            "period",
            [1.0 if t in at else 0.0 for t in range(count)],
            label=f"1 where reported: {series.basis}",
            unit="flag",
            path=f"{path}.by_period",
        )
        add(
            Key("reconciliation_tolerance", band=name),
            "scalar",
            series.tolerance,
            label=f"Variance accepted: {series.basis}",
            unit="share",
            path=f"{path}.tolerance",
        )


def resale_point(generation: str, index: int) -> Key:
    """The input holding point ``index`` of a generation's resale value curve (read by the impairment test
    and by the verdict's market value of leased accelerators)."""
    return Key("resale_value_share", generation=generation, band=f"point{index + 1}")
