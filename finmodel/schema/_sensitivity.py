"""What a sensitivity analysis varies: the optional ``sensitivity`` block of a company model.

A *lever* is one quantity moved from a low to a high value: one or several inputs of the input
catalogue (``finmodel inputs MODEL``) or one or several model fields, all moved together. The block
lists the levers of the tornado, the pairs of levers of two-way grids and the break-evens to solve;
a part left out gets the defaults for the model (see ``finmodel.sensitivity``), an empty list none.

Names are checked against the model's input catalogue when the sensitivity is planned (``validate``
does it too), since only the engine knows the catalogue; here only their shape is.
"""

from __future__ import annotations

from typing import Annotated, Literal

from annotated_types import Ge, Le
from pydantic import Field, model_validator

from ._types import Number, Sourced, WholeNumber, located_problems

TEST_KEYS = ("coverage", "economic_profit", "cohort_npv", "materiality")
"""The verdict's tests by key: a test's name in ``Verdict.reasons`` with spaces as underscores, lower case."""
TestKey = Literal["coverage", "economic_profit", "cohort_npv", "materiality"]
Scale = Literal["value", "factor", "shift"]

LEVER_LIMIT = 40
"""Levers of a tornado, break-evens of a block: enough for any analysis, few enough to stay fast."""
GRID_LIMIT = 4
GRID_STEPS_LIMIT = 25
NAMES_LIMIT = 64
"""Inputs or fields one lever moves together."""

Name = Annotated[str, Field(min_length=1, max_length=200)]
"""An input's name from the catalogue, or a dotted model field."""
LeverBound = Annotated[Number, Ge(-1e12), Le(1e12)]


class Lever(Sourced):
    """One quantity moved from ``low`` to ``high``, with a note of why that range."""

    input: Name | tuple[Name, ...] | None = Field(
        None,
        description=(
            "Input(s) of the catalogue moved together (finmodel inputs MODEL lists them), e.g. "
            "economic_life_years[servers]. A price path carries the same curve read at other dates with it (the "
            "cohort's prices by age, the prices on contract signing dates). Give input or field."
        ),
    )
    field: Name | tuple[Name, ...] | None = Field(
        None,
        description=(
            "Model field(s) moved together, as dotted paths like scenario overrides, e.g. "
            "gpus.H100.rental_price.contract.decline_after_last_point; each must hold a number or a list of "
            "numbers and must not change the model's structure. Give input or field."
        ),
    )
    low: LeverBound = Field(description="The low end of the range, on the lever's scale.")
    high: LeverBound = Field(description="The high end of the range (above low), on the lever's scale.")
    scale: Scale | None = Field(
        None,
        description=(
            "How low and high apply: value (replace the base: the default for a single value and for fields), "
            "factor (× the base: the default for paths by period or by age) or shift (+ the base)."
        ),
    )
    label: Annotated[str, Field(min_length=1, max_length=80)] | None = Field(
        None, description="What the lever is called in tables and charts; default: from the input or field."
    )
    show: Name | None = Field(
        None,
        description=(
            "A single-value result shown beside the lever's value, so a factor reads in units, e.g. "
            "cohort_first_year_price_usd_per_hour[H100] beside a factor on the H100 prices."
        ),
    )

    @model_validator(mode="after")
    def _one_target(self) -> Lever:
        problems: list[tuple[tuple[str | int, ...], str]] = []
        if (self.input is None) == (self.field is None):
            problems.append(((), "give input (names from the input catalogue) or field (model fields), one of them"))
        for key, names in (("input", self.input), ("field", self.field)):
            if isinstance(names, tuple):
                if not 1 <= len(names) <= NAMES_LIMIT:
                    problems.append(((key,), f"list 1 to {NAMES_LIMIT} names, not {len(names)}"))
                repeated = sorted({name for name in names if names.count(name) > 1})
                if repeated:
                    problems.append(((key,), f"{', '.join(map(repr, repeated))} listed more than once"))
        if not self.low < self.high:
            problems.append((("high",), f"high ({self.high:g}) must be above low ({self.low:g})"))
        if problems:
            raise located_problems(problems)
        return self

    @property
    def names(self) -> tuple[str, ...]:
        """The inputs or fields the lever moves."""
        target = self.input if self.input is not None else self.field
        return (target,) if isinstance(target, str) else tuple(target or ())


class GridAxis(Lever):
    """One axis of a two-way grid: a lever and how many values of its range to take."""

    steps: Annotated[WholeNumber, Ge(2), Le(GRID_STEPS_LIMIT)] = Field(
        5, description=f"Values taken from low to high, evenly spaced, ends included (2 to {GRID_STEPS_LIMIT})."
    )


class Grid(Sourced):
    """Two levers moved together over every pair of their values."""

    rows: GridAxis = Field(description="The lever down the grid.")
    columns: GridAxis = Field(description="The lever across the grid.")
    metrics: tuple[Name, ...] = Field(
        (),
        max_length=6,
        description=(
            "Single-value results shown in each cell (names of the projection's metrics, e.g. "
            "horizon_leasing_economic_profit, cohort_irr[H100]); the verdict's label is always shown. "
            "Default: the economic profit and the IRR of the generation with the most leasing revenue."
        ),
    )


class BreakEven(Lever):
    """The value of a lever, searched between ``low`` and ``high``, at which a test's margin is zero."""

    test: TestKey = Field(
        "economic_profit",
        description=(
            "The verdict test whose margin (its value less its threshold) is solved for zero: coverage, "
            "economic_profit, cohort_npv or materiality."
        ),
    )


class SensitivityBlock(Sourced):
    """The sensitivity analysis of the model: what the memo, the workbook and ``finmodel sensitivity`` show."""

    tornado: tuple[Lever, ...] | None = Field(
        None,
        max_length=LEVER_LIMIT,
        description=(
            "Levers of the one-way tornado, each moved alone to its low and its high end. Default: economic life, "
            "rental price level and decline, utilisation, power price, hurdle rate and demand growth, where the "
            "model has them."
        ),
    )
    rank_by: TestKey = Field(
        "economic_profit", description="The test whose margin ranks the tornado's levers by their swing."
    )
    grids: tuple[Grid, ...] | None = Field(
        None,
        max_length=GRID_LIMIT,
        description="Two-way grids. Default: economic life × rental price decline.",
    )
    break_even: tuple[BreakEven, ...] | None = Field(
        None,
        max_length=LEVER_LIMIT,
        description=(
            "Break-evens to solve. Default: rental price level, utilisation, economic life and demand growth "
            "against the economic-profit and coverage tests."
        ),
    )
