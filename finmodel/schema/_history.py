"""What a model starts from and what it is checked against: balances at the start of the
timeline (assets bought in earlier years, debt) and the figures the company reported."""

from __future__ import annotations

from typing import Annotated, Literal

from annotated_types import Ge, Le
from pydantic import Field

from ._types import Mix, Money, Number, Share, Sourced


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


class Opening(Sourced):
    """Balances at the start of the timeline."""

    vintages: dict[Annotated[str, Field(pattern=r"^\d{4}$")], OpeningVintage] = Field(
        default_factory=dict,
        description="Assets by the fiscal year they were bought (e.g. '2022'), each year before the first period.",
    )
    debt: Money = Field(0.0, description="Debt and finance-lease liabilities outstanding at the start (money unit).")


ReportedLine = Literal["depreciation", "capex_total", "leasing_revenue"]


class ReportedSeries(Sourced):
    """A figure the company reported, by period, and the modelled line it reconciles with."""

    line_item: ReportedLine = Field(
        description=(
            "What it compares with: depreciation (of the asset_classes listed, default all), capex_total, "
            "or leasing_revenue."
        )
    )
    basis: str = Field(description="The company's own name for the figure, e.g. 'depreciation of servers and network'.")
    asset_classes: tuple[str, ...] | None = Field(
        None, description="For depreciation: the classes whose depreciation the reported figure covers."
    )
    tolerance: Annotated[Number, Ge(0), Le(1)] = Field(
        0.1, description="Largest variance (model − reported) / reported accepted, as a share (0.1 = 10%)."
    )
    by_period: dict[str, Money] = Field(description="Reported value by period label (money unit).", min_length=1)


class ResalePoint(Sourced):
    """What a used accelerator fetches at an age, as a share of its all-in cost when bought."""

    age_years: Annotated[Number, Ge(0), Le(60)] = Field(description="Age in years.")
    share_of_cost: Share = Field(description="Resale value / all-in cost when bought.")
