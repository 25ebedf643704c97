"""Inputs of the demand side (``demand.internal``, ``demand.tokens``, ``demand.contracts``): paths
by period, the periods in which a generation's surplus is offered for lease, token intensities and
the terms of each contract. Line items are in :mod:`finmodel.engine.blocks.internal_demand` and
:mod:`finmodel.engine.blocks.clearing`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..schema import CompanyModel, DemandPath
from ._keys import Key

if TYPE_CHECKING:
    from ._inputs import Assumptions

RUNOFF = " run-off"
"""How a run-off period's label ends ('2033 run-off')."""
INTERNAL_USES = ("training", "inference")
"""The parts of internal demand, each a path of its own."""


def path_name(part: str) -> str:
    """The line item a demand path becomes: ``training_demand``, ``inference_demand``, ``token_demand``."""
    return f"{part}_demand"


def resolve_clearing(result: Assumptions) -> None:
    """Add the demand inputs of ``result.model`` to ``result`` (nothing for a model without them)."""
    model = result.model
    demand = model.demand
    if demand.internal is not None:
        internal = demand.internal
        for use in INTERNAL_USES:
            _path(result, path_name(use), getattr(internal, use), f"demand.internal.{use}", "million H100-eq hours")
        start = internal.lease_surplus_from
        timeline = model.projected_timeline
        for g in model.generations_in_fleet():
            kept = g in internal.not_leased
            shares = [0.0 if kept else _share_after(start, begin, timeline.period_years) for begin in timeline.starts]
            result.add(
                Key("surplus_leased", generation=g),
                "period",
                shares,
                label=f"Share of the period its surplus is offered for lease (0: kept idle): {g}",
                unit="share",
                path="demand.internal.not_leased" if kept else "demand.internal.lease_surplus_from",
            )
    if demand.tokens is not None:
        tokens = demand.tokens
        where = "demand.tokens"
        _path(result, path_name("token"), tokens.trillions, f"{where}.trillions", "trillion tokens")
        for name, field, label, unit in (
            ("token_market_share", "market_share", "Share of the market's tokens served", "share"),
            (
                "h100_gpu_hours_per_billion_tokens",
                "h100_gpu_hours_per_billion",
                "H100 GPU-hours per billion tokens at maximum throughput",
                "GPU-hours",
            ),
            ("serving_efficiency", "serving_efficiency", "Throughput in service / benchmark maximum", "share"),
        ):
            result.add(name, "scalar", getattr(tokens, field), label=label, unit=unit, path=f"{where}.{field}")
        for g in model.generations_in_fleet():
            if g in tokens.gpu_hours_per_billion:
                result.add(
                    Key("gpu_hours_per_billion_tokens", generation=g),
                    "scalar",
                    tokens.gpu_hours_per_billion[g],
                    label=f"GPU-hours per billion tokens at maximum throughput: {g}",
                    unit="GPU-hours",
                    path=f"{where}.gpu_hours_per_billion.{g}",
                )
    for name, contract in demand.contracts.items():
        where = f"demand.contracts.{name}"
        quantity = "accelerators" if contract.accelerators is not None else "gpu_hours"
        who = f"{contract.counterparty} ({name}, {contract.side})"
        result.add(
            Key("contract_hours_per_year", contract=name),
            "scalar",
            contract.hours_per_year,
            label=f"GPU-hours a year under contract: {who}",
            unit="GPU-hours",
            path=f"{where}.{quantity}",
        )
        result.add(
            Key("contract_price_usd_per_hour", contract=name),
            "scalar",
            contract.price_usd_per_hour,
            label=f"Contract price: {who}",
            unit="USD/GPU-hour",
            path=f"{where}.price_usd_per_hour",
        )
        timeline = model.projected_timeline
        end = contract.start + contract.term_years
        result.add(
            Key("contract_years_in_force", contract=name),
            "period",
            [_overlap(contract.start, end, begin, begin + timeline.period_years) for begin in timeline.starts],
            label=f"Years of the period the contract is in force: {who}",
            unit="years",
            path=[f"{where}.start"] * len(timeline.starts),
        )
        generation = contract.generation
        if contract.side == "buy" and generation is not None and generation not in model.generations_in_fleet():
            result.add(
                Key("contract_relative_performance", contract=name),
                "scalar",
                model.gpus[generation].relative_performance,
                label=f"Throughput relative to H100 of the capacity bought: {who}",
                unit="x",
                path=f"gpus.{generation}.relative_performance",
            )
    if demand.spot_price_elasticity is not None:
        result.add(
            "spot_price_elasticity",
            "scalar",
            demand.spot_price_elasticity,
            label="Response of spot prices to the supply–demand gap",
            unit="x",
            path="demand.spot_price_elasticity",
        )


def _path(result: Assumptions, name: str, path: DemandPath, where: str, unit: str) -> None:
    """A path's figures, where they are given, and the growth in force in each projected period. A label
    names its fiscal period whether or not the period is run-off ('2033 run-off' and '2033' are the same
    year), so a timeline extended with periods that buy nothing keeps the same demand."""
    model: CompanyModel = result.model
    labels = model.projected_labels
    figures = {_year(label): (label, value) for label, value in path.by_period.items()}
    rates = {_year(label): (label, value) for label, value in path.growth_per_year.items()}
    growth, growth_from, in_force = 0.0, None, []
    for label in labels:
        if _year(label) in rates:
            growth_from, growth = rates[_year(label)]
        in_force.append((growth, growth_from))
    given = [figures.get(_year(label)) for label in labels]
    figure_paths = [f"{where}.by_period.{found[0]}" if found else f"{where}.by_period" for found in given]
    result.add(
        f"{name}_given",
        "period",
        [found[1] if found else 0.0 for found in given],
        label=f"{name.replace('_', ' ').capitalize()} where given",
        unit=unit,
        path=figure_paths,
    )
    result.add(
        f"{name}_is_given",
        "period",
        [1.0 if found else 0.0 for found in given],
        label=f"1 where {name.replace('_', ' ')} is given, 0 where grown",
        unit="flag",
        path=figure_paths,
    )
    result.add(
        f"{name}_growth",
        "period",
        [rate for rate, _ in in_force],
        label=f"Growth per year of {name.replace('_', ' ')} (periods without a figure)",
        unit="rate",
        path=[f"{where}.growth_per_year.{since}" if since else f"{where}.growth_per_year" for _, since in in_force],
    )


def _year(label: str) -> str:
    """The fiscal period a label names, run-off or not."""
    return label.removesuffix(RUNOFF)


def _share_after(start: float | None, begin: float, length: float) -> float:
    """Share of a period from ``begin`` that falls on or after ``start`` (1 without a start)."""
    if start is None:
        return 1.0
    return min(1.0, max(0.0, (begin + length - start) / length))


def _overlap(first: float, last: float, begin: float, end: float) -> float:
    """Years of ``[begin, end]`` inside ``[first, last]``."""
    return max(0.0, min(end, last) - max(begin, first))
