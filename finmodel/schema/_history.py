"""What a model starts from and what it is checked against: balances at the start of the
timeline (assets bought in earlier years, debt) and the figures the company reported.

Assets on the books at the start are given per fiscal year bought (``opening.vintages``: cost by
class) or per class as a balance sheet gives them (``opening.balances``: gross cost, accumulated
depreciation and an age profile). Both become the same thing, vintages of cost by year, which
depreciate, retire and can be leased like any purchase; :meth:`Opening.years`,
:meth:`Opening.classes_in` and :meth:`Opening.gpu_mix_in` are the merged view the engine reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Literal

from annotated_types import Ge, Le
from pydantic import Field

from ._demand import DATED_LINES, is_fiscal_quarter
from ._suggest import closest, not_a_period, unknown_name
from ._types import FiscalYear, Mix, Money, Number, Share, Sourced, YearShares

if TYPE_CHECKING:
    from ._model import CompanyModel


class OpeningVintage(Sourced):
    """Assets bought in one fiscal year before the timeline that are still on the books at its start."""

    cost: dict[str, Money] = Field(
        description=(
            "Gross cost bought that year by asset class (money unit). Accelerator classes' cost buys "
            "accelerators at the generation's cost then; it depreciates, retires and can be leased like any purchase."
        ),
        min_length=1,
    )
    gpu_mix: Mix | None = Field(
        None, description="Split of that year's accelerator-class cost across GPU generations (sums to 1)."
    )


class OpeningBalance(Sourced):
    """One asset class's property and equipment at the start of the timeline as a balance sheet gives
    it: gross cost, accumulated depreciation and the fiscal years the cost was bought in.

    It becomes vintages of cost by year (gross cost × the year's share), depreciated before the
    timeline with the lives then in force like ``opening.vintages``. The book value the method leaves
    them at the start generally differs from the reported one; the roll-forward opens at the reported
    net book value (gross − accumulated), the difference being spread over the class's vintages so
    each stays between its salvage value and its cost (``opening_book_value_adjustment[class]``).
    """

    gross_cost: Money = Field(
        description="Gross cost on the books at the start, as the 10-K's 'property and equipment, gross' (money unit)."
    )
    accumulated_depreciation: Money = Field(
        description=(
            "Accumulated depreciation at the start (money unit); at most the gross cost less salvage. The roll-forward "
            "opens at gross − accumulated. Where that differs from the book value the method implies for the age "
            "profile, the difference (shown as opening_book_value_adjustment) is spread over the years: a higher "
            "reported value in proportion to the depreciation the method has taken from each year, a lower one in "
            "proportion to the depreciable book value each has left. Each year then depreciates what it carries over "
            "its remaining life."
        )
    )
    age_profile: YearShares = Field(
        description=(
            "Share of the gross cost bought in each fiscal year before the first period (e.g. '2022': 0.4, "
            "'2023': 0.6); sums to 1. Years whose accelerators have already reached their physical life are off "
            "the books and cannot be listed."
        )
    )
    gpu_mix: Mix | None = Field(
        None,
        description=(
            "For a class that buys accelerators: split of its cost across GPU generations, in every year of the age "
            "profile (sums to 1). Default: the year's opening.vintages gpu_mix, or another balance's for that year; "
            "a year has one mix across accelerator classes."
        ),
    )
    gpu_mix_by_year: dict[FiscalYear, Mix] = Field(
        default_factory=dict,
        description="Split by generation for named years of the age profile, overriding gpu_mix in those years.",
    )

    def mix_in(self, year: str) -> tuple[dict[str, float], str] | None:
        """This balance's own GPU mix for a year and the field it is read from (relative), if it gives one."""
        if year in self.gpu_mix_by_year:
            return self.gpu_mix_by_year[year], f"gpu_mix_by_year.{year}"
        if self.gpu_mix is not None:
            return self.gpu_mix, "gpu_mix"
        return None


class Opening(Sourced):
    """Balances at the start of the timeline."""

    vintages: dict[FiscalYear, OpeningVintage] = Field(
        default_factory=dict,
        description="Assets by the fiscal year they were bought (e.g. '2022'), each year before the first period.",
    )
    balances: dict[str, OpeningBalance] = Field(
        default_factory=dict,
        description=(
            "Assets by class as a balance sheet reports them: gross cost, accumulated depreciation and an age "
            "profile. A class is given here or in vintages, not both."
        ),
    )
    debt: Money = Field(0.0, description="Debt and finance-lease liabilities outstanding at the start (money unit).")

    def years(self) -> tuple[str, ...]:
        """Every fiscal year assets on the books at the start were bought in, oldest first."""
        return tuple(sorted({*self.vintages, *(year for b in self.balances.values() for year in b.age_profile)}))

    def classes_in(self, year: str) -> tuple[str, ...]:
        """The classes with a cost bought in ``year``: named in its vintage, or a balance whose profile lists it."""
        vintage = self.vintages.get(year)
        listed = tuple(vintage.cost) if vintage is not None else ()
        return (*listed, *(name for name, b in self.balances.items() if year in b.age_profile and name not in listed))

    def gpu_mix_in(self, year: str) -> tuple[dict[str, float], str] | None:
        """The split by generation of the accelerator cost bought in ``year`` and the field it is read from:
        the year's vintage's gpu_mix, else the first balance buying then that gives one."""
        vintage = self.vintages.get(year)
        if vintage is not None and vintage.gpu_mix:
            return vintage.gpu_mix, f"opening.vintages.{year}.gpu_mix"
        for name, balance in self.balances.items():
            own = balance.mix_in(year) if balance.age_profile.get(year, 0.0) > 0 else None
            if own is not None:
                return own[0], f"opening.balances.{name}.{own[1]}"
        return None


ReportedLine = Literal["depreciation", "capex_total", "leasing_revenue", "backlog", "cloud_revenue"]


class ReportedSeries(Sourced):
    """A figure the company reported, by period, and the modelled line it reconciles with."""

    line_item: ReportedLine = Field(
        description=(
            "What it compares with: depreciation (of the asset_classes listed, default all), capex_total, "
            "leasing_revenue; backlog (the closing backlog of demand.backlog; in an annual model also at the end of a "
            "fiscal quarter, '2026Q3', as the opening backlog of the year + bookings signed by then − the elapsed "
            "quarters' share of the year's revenue recognised); or cloud_revenue, the revenue the company compares "
            "its backlog with (Microsoft Cloud, AWS, Google Cloud, OCI), of the period or fiscal quarter named: what "
            "reconciles is the multiple backlog ÷ quarterly revenue (a year's revenue ÷ 4), the modelled backlog at "
            "that date over this revenue against the reported backlog at the same label over it. One series of each."
        )
    )
    basis: str = Field(description="The company's own name for the figure, e.g. 'depreciation of servers and network'.")
    asset_classes: tuple[str, ...] | None = Field(
        None, description="For depreciation: the classes whose depreciation the reported figure covers."
    )
    tolerance: Annotated[Number, Ge(0), Le(1)] = Field(
        0.1, description="Largest variance (model − reported) / reported accepted, as a share (0.1 = 10%)."
    )
    by_period: dict[str, Money] = Field(
        description="Reported value by period label (money unit); backlog and cloud_revenue also by fiscal quarter.",
        min_length=1,
    )


class ResalePoint(Sourced):
    """What a used accelerator fetches at an age, as a share of its all-in cost when bought."""

    age_years: Annotated[Number, Ge(0), Le(60)] = Field(description="Age in years.")
    share_of_cost: Share = Field(description="Resale value / all-in cost when bought.")


PathKey = tuple[str | int, ...]


def balance_problems(model: CompanyModel) -> Iterator[tuple[PathKey, str]]:
    """Opening balances of classes that exist and are not also given as vintages, bought before the
    timeline, with no more depreciation than their cost less salvage, and one GPU mix per year
    (each problem once, though a gpu_mix applies to several years)."""
    seen: set[tuple[PathKey, str]] = set()
    for problem in _balance_problems(model):
        if problem not in seen:
            seen.add(problem)
            yield problem


def _balance_problems(model: CompanyModel) -> Iterator[tuple[PathKey, str]]:
    timeline = model.timeline
    classes = list(model.asset_classes)
    in_vintages = {name: year for year, vintage in model.opening.vintages.items() for name in vintage.cost}
    for name, balance in model.opening.balances.items():
        where: PathKey = ("opening", "balances", name)
        asset = model.asset_classes.get(name)
        if asset is None:
            close = closest(name, classes)
            hint = f"; did you mean {close!r}?" if close else f"; known: {', '.join(classes)}"
            yield where, f"unknown asset class {name!r}{hint}"
            continue
        if name in in_vintages:
            yield where, f"{name} also has cost in opening.vintages.{in_vintages[name]}: give a class in one form"
        for year in balance.age_profile:
            if int(year) >= timeline.start_year:
                yield (
                    (*where, "age_profile", year),
                    f"the assets on the books at the start were bought before the first period {timeline.labels[0]}",
                )
        gross, accumulated = balance.gross_cost, balance.accumulated_depreciation
        if accumulated > gross:
            yield (*where, "accumulated_depreciation"), f"{accumulated:g} is more than the gross cost {gross:g}"
        elif accumulated > gross * (1 - asset.salvage_fraction) + 1e-9 * gross:
            yield (
                (*where, "accumulated_depreciation"),
                f"{accumulated:g} is more than the gross cost less salvage, {gross * (1 - asset.salvage_fraction):g} "
                f"({asset.salvage_fraction:g} of {gross:g} is never depreciated)",
            )
        for year in balance.gpu_mix_by_year:
            if year not in balance.age_profile:
                yield (*where, "gpu_mix_by_year", year), f"{year} is not a year of the age profile"
        if not asset.buys_accelerators:
            if balance.gpu_mix is not None or balance.gpu_mix_by_year:
                yield (*where, "gpu_mix"), f"{name} does not buy accelerators: a GPU mix is for classes that do"
            continue
        for year, share in balance.age_profile.items():
            if share > 0 and model.opening.gpu_mix_in(year) is None:
                yield (
                    (*where, "age_profile", year),
                    f"{name} bought accelerators in {year}: give gpu_mix (or gpu_mix_by_year.{year}) here, "
                    f"or gpu_mix in opening.vintages.{year}",
                )
            own = balance.mix_in(year)
            if own is not None and share > 0:
                yield from _mix_problems(model, year, own[0], (*where, *own[1].split(".")))
    for year in model.opening.years():
        yield from _one_mix_a_year(model, year)


def _mix_problems(
    model: CompanyModel, year: str, mix: dict[str, float], where: PathKey
) -> Iterator[tuple[PathKey, str]]:
    """Generations of a balance's mix that exist, were available then and are still in service at the start."""
    timeline = model.timeline
    in_service = timeline.opening_in_service(year)
    for generation, share in mix.items():
        gpu = model.gpus.get(generation)
        if gpu is None:
            close = closest(generation, list(model.gpus))
            hint = f"; did you mean {close!r}?" if close else ""
            yield (*where, generation), f"unknown GPU generation {generation!r}{hint}"
        elif share > 0 and int(year) - 1 + timeline.fiscal_year_end_month / 12 + 1 <= gpu.available_from:
            hint = " (gpu_mix_by_year gives the mix of single years)" if where[-1] == "gpu_mix" else ""
            yield (*where, generation), f"{generation} is not available before the end of fiscal {year}{hint}"
        elif share > 0 and timeline.starts[0] - in_service >= gpu.physical_life_years - 1e-9:
            yield (
                (*where, generation),
                f"{generation} units bought in {year} reach their physical life ({gpu.physical_life_years:g} years) "
                "before the timeline starts, so they are no longer on the books",
            )


def _one_mix_a_year(model: CompanyModel, year: str) -> Iterator[tuple[PathKey, str]]:
    """A year's accelerator cost has one GPU mix, whichever classes and forms give it."""
    chosen = model.opening.gpu_mix_in(year)
    if chosen is None:
        return
    first, first_path = chosen
    for name, balance in model.opening.balances.items():
        own = balance.mix_in(year) if balance.age_profile.get(year, 0.0) > 0 else None
        if own is None or f"opening.balances.{name}.{own[1]}" == first_path:
            continue
        names = set(own[0]) | set(first)
        if any(abs(own[0].get(g, 0.0) - first.get(g, 0.0)) > 1e-9 for g in names):
            yield (
                ("opening", "balances", name, *own[1].split(".")),
                f"differs from {year}'s GPU mix in {first_path}: a year has one mix across accelerator classes",
            )


def reported_problems(model: CompanyModel) -> Iterator[tuple[PathKey, str]]:
    """Reported figures at periods of the timeline (a backlog and the revenue it is compared with also at
    fiscal quarters of an annual model), naming classes that exist, and classes only for depreciation."""
    labels, classes = model.timeline.labels, list(model.asset_classes)
    for name, series in model.reported.items():
        for label in series.by_period:
            if label not in labels and not (series.line_item in DATED_LINES and is_fiscal_quarter(model, label)):
                yield ("reported", name, "by_period", label), not_a_period(label, labels)
        for position, asset_class in enumerate(series.asset_classes or ()):
            if asset_class not in classes:
                yield ("reported", name, "asset_classes", position), unknown_name("asset class", asset_class, classes)
        if series.asset_classes is not None and series.line_item != "depreciation":
            yield ("reported", name, "asset_classes"), "asset_classes applies only to depreciation"
