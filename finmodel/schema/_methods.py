"""The depreciation methods of the model language: one registry, from which the schema's choices
come and against which the engine's depreciation block keys its formulas (a test checks both)."""

from __future__ import annotations

from enum import StrEnum


class DepreciationMethod(StrEnum):
    """How an asset class's book value is spread over its useful life."""

    STRAIGHT_LINE = "straight_line"
    """Equal amounts per year of the remaining life."""
    DECLINING_BALANCE = "declining_balance"
    """A fixed rate (factor / life) of the opening book value, switching to straight line."""
    SUM_OF_YEARS_DIGITS = "sum_of_years_digits"
    """Front-loaded: 2·t / (remaining life + 1) of the depreciable value."""
    NONE = "none"
    """Not depreciated (land)."""
