"""Constrained scalar types of the model language.

Each constraint is declared once, with ``annotated_types``, so the same declaration drives
pydantic validation, the JSON Schema and hypothesis strategies (``st.from_type`` reads them).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Literal

from annotated_types import Ge, Gt, Le, Lt
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, Strict, WithJsonSchema
from pydantic_core import PydanticCustomError

MAX_MONEY = 1e13
"""Largest money figure accepted (in the money unit; 1e13 keeps whole-dollar models possible)."""

Number = Annotated[float, Strict()]
"""A number written as one: an integer or a decimal, never text or a YAML boolean (yes, on, true)."""
WholeNumber = Annotated[int, Strict()]
"""An integer written as one, never a YAML boolean."""


def _not_a_boolean(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError("expected the number 1, not a yes/no value")
    return value


SchemaVersion = Annotated[Literal[1], BeforeValidator(_not_a_boolean)]
"""The version of the model language (pydantic would take ``true`` for 1, and cannot make a literal strict)."""

Share = Annotated[Number, Ge(0), Le(1)]
"""A fraction between 0 and 1."""
Money = Annotated[Number, Ge(0), Le(MAX_MONEY)]
"""An amount in the model's money unit (e.g. US$ billions)."""
UnitPriceUsd = Annotated[Number, Ge(1), Le(1e8)]
"""A price of one item in whole currency units (at least one: fleet sizes divide by it)."""
HourlyPriceUsd = Annotated[Number, Ge(0), Le(1000)]
"""A price per accelerator-hour in whole currency units."""
LifeYears = Annotated[Number, Ge(0.25), Le(60)]
"""A life in years (may be fractional: 5.5); at least a quarter, since charges divide by it."""
GrowthRate = Annotated[Number, Gt(-1), Le(10)]
"""An annual rate of change: 0.1 is +10% a year, -0.2 is -20% a year."""
DeclineRate = Annotated[Number, Ge(0), Lt(1)]
"""An annual rate of decline: 0.2 is -20% a year."""
DiscountRate = Annotated[Number, Ge(0), Le(1)]
"""A rate of return per year."""
Kilowatts = Annotated[Number, Ge(0.001), Le(1000)]
"""Power per accelerator in kW, including its share of host, network and cooling fans (at least a watt)."""

_QUARTER = re.compile(r"^(\d{4})\s*Q([1-4])$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FISCAL = re.compile(r"^FY\s*(\d{4})$", re.IGNORECASE)


def parse_point_in_time(value: object) -> float:
    """Turn ``2025``, ``"2025Q3"``, ``"2025-07"`` or a date into a decimal year (2025.5).

    A year or a period label means the start of that period.
    """
    if isinstance(value, bool):
        raise ValueError("expected a year, a quarter such as 2025Q3, a month such as 2025-07, or a date")
    if isinstance(value, int):
        year = value
        if not 1990 <= year <= 2100:
            raise ValueError(f"year {value} is outside 1990..2100")
        return float(year)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        start = dt.date(value.year, 1, 1)
        days = (dt.date(value.year + 1, 1, 1) - start).days
        return value.year + (value - start).days / days
    if isinstance(value, float):
        if value.is_integer():
            return parse_point_in_time(int(value))
        if 1990 <= value <= 2101:
            return value
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return parse_point_in_time(int(text))
        if match := _FISCAL.match(text):
            return parse_point_in_time(int(match.group(1)))
        if match := _QUARTER.match(text):
            return parse_point_in_time(int(match.group(1))) + (int(match.group(2)) - 1) / 4
        if _DATE.match(text):
            try:
                return parse_point_in_time(dt.date.fromisoformat(text))
            except ValueError:
                raise ValueError(f"{value!r} is not a valid date") from None
        if match := _MONTH.match(text):
            month = int(match.group(2))
            if not 1 <= month <= 12:
                raise ValueError(f"month {month} in {value!r} is not 1..12")
            return parse_point_in_time(int(match.group(1))) + (month - 1) / 12
    raise ValueError(
        f"{value!r} is not a point in time: use a year (2025), a quarter (2025Q3), "
        "a month (2025-07) or a date (2025-07-01)"
    )


PointInTime = Annotated[
    float,
    BeforeValidator(parse_point_in_time),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer"},
                {"type": "string", "format": "date"},
                {"type": "string"},
                {"type": "number"},
            ],
            "description": "A year (2025), quarter (2025Q3), month (2025-07) or date (2025-07-01).",
        }
    ),
]
"""A point in time, written as a year, quarter, month or date; held as a decimal year."""


def _sums_to_one(mix: dict[str, float]) -> dict[str, float]:
    if not mix:
        raise ValueError("a mix needs at least one entry")
    total = sum(mix.values())
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"shares sum to {total:.6g}, expected 1.0")
    return mix


Mix = Annotated[dict[str, Share], AfterValidator(_sums_to_one)]
"""Shares by name that must add up to 1."""
FiscalYear = Annotated[str, Field(pattern=r"^\d{4}$")]
"""A fiscal year written as four digits, e.g. '2022' (the year it ends in)."""
YearShares = Annotated[dict[FiscalYear, Share], AfterValidator(_sums_to_one)]
"""Shares by fiscal year that must add up to 1."""


BASE_SCENARIO = "base"
SCENARIO_NAME_MAX = 31
SELECTOR_LIST_MAX = 255
"""Excel's limit on the text of a data-validation list: the workbook's scenario selector."""
_NOT_IN_SCENARIO_NAMES = "\"'/\\[]*?:,"
_FORMULA_STARTS = "=+-@"


def _scenario_name(name: str) -> str:
    """Scenario names are offered in the workbook's selector list (comma-separated, matched without
    regard to case) and picked by formulas, so they stay short, plain and unlike a formula."""
    if name.casefold() == BASE_SCENARIO:
        raise ValueError(f"{BASE_SCENARIO!r} names the model as written, without overrides; choose another name")
    if not 1 <= len(name) <= SCENARIO_NAME_MAX:
        raise ValueError(
            f"a scenario name has at most {SCENARIO_NAME_MAX} characters (and one at least), not {len(name)}"
        )
    forbidden = [char for char in name if char in _NOT_IN_SCENARIO_NAMES or unicodedata.category(char) == "Cc"]
    if forbidden:
        listed = ", ".join(repr(char) for char in dict.fromkeys(forbidden))
        raise ValueError(f"a scenario name cannot contain {listed} (the workbook's scenario selector cannot)")
    if name.startswith(tuple(_FORMULA_STARTS)):
        raise ValueError(f"a scenario name cannot start with {name[0]!r} (a spreadsheet would take it for a formula)")
    return name


_SCENARIO_NAME_CHARACTER = r"""[^"'/\\\[\]*?:,\x00-\x1f\x7f-\x9f]"""
ScenarioName = Annotated[
    str,
    AfterValidator(_scenario_name),
    WithJsonSchema(
        {
            "type": "string",
            "minLength": 1,
            "maxLength": SCENARIO_NAME_MAX,
            "allOf": [{"pattern": f"^(?![=+\\-@]){_SCENARIO_NAME_CHARACTER}+$"}],
            "not": {"pattern": "^[Bb][Aa][Ss][Ee]$"},
            "description": "A scenario name: up to 31 characters, none of \" ' / \\ [ ] * ? : , or control "
            "characters, not starting with = + - @, and not 'base'.",
        }
    ),
]
"""The name of a scenario."""


def located_problems(problems: list[tuple[tuple[str | int, ...], str]]) -> PydanticCustomError:
    """One validation error carrying several problems, each at a path below the field that raises it;
    the loader reports each at its own line."""
    return PydanticCustomError(
        "model_inconsistent",
        "{summary}",
        {
            "summary": "; ".join(f"{'.'.join(map(str, path))}: {message}" for path, message in problems),
            "problems": problems,
        },
    )


class Frozen(BaseModel):
    """Base of every model-language object: immutable, unknown keys refused, no NaN/inf."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False, validate_default=True)


class Sourced(Frozen):
    """A block whose figures can cite where they come from."""

    source: str | None = Field(
        None, description="Where this block's figures come from: filing, call or report, with its date."
    )
    note: str | None = Field(None, description="Anything a reader should know: an estimate, a derivation.")
