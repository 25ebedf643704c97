"""The memo's number formats as plain functions: the Jinja filters and the charts' labels write numbers alike.

Every function takes a number as the engine gives it and returns text; a value that is not finite
is written ``n/a``. Negative money is in parentheses; other negatives keep a minus sign.

======================  ==============================  ======================
filter                  input                           example
======================  ==============================  ======================
``money``               money unit (e.g. USD bn)        ``$12.3bn``, ``$450m``, ``($1,234.5bn)``
``amount``              money unit, for a table whose   ``12.3``, ``(0.9)``
                        header names the unit
``pct``                 fraction                        ``7.7%``, ``-1.3%``
``irr``                 a rate of return, NaN for none  ``12.5%``, ``no IRR``
``points``              fraction                        ``8.2 pts``
``multiple``            ratio                           ``1.35×``
``years``               years                           ``5.5 years``
``decimal``             a number, for a table whose     ``5.5``
                        header names the unit
``usd_per_hour``        USD per GPU-hour                ``$2.35/h``
``usd``                 USD per accelerator             ``$30,000``, ``($7,962)``
``count``               a number of things              ``7.87m``, ``245k``, ``950``, ``1.02``
======================  ==============================  ======================

``money`` picks bn (one decimal), m or k (no decimals) by size, after rounding, so 999.96m is
``$1.0bn``, not ``$1,000m``.
"""

from __future__ import annotations

import math

from ...engine.presentation import NO_IRR, number_format
from ...schema import MONEY_UNITS

NOT_AVAILABLE = "n/a"
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}
_SCALES = ((1e9, "bn", 1), (1e6, "m", 0), (1e3, "k", 0), (1.0, "", 0))


def currency_symbol(currency: str) -> str:
    """``$`` for USD; a currency without a symbol here is written as its code and a space."""
    return _SYMBOLS.get(currency, f"{currency} ")


def money_scale(largest: float, currency: str, money_unit: str) -> tuple[float, str]:
    """The unit a chart or table of money figures up to ``largest`` (in ``money_unit``) is shown in:
    the divisor from the model's unit to it, and its label, e.g. ``(1.0, "USD bn")``."""
    absolute = abs(largest) * MONEY_UNITS[money_unit] if math.isfinite(largest) else 0.0
    divisor, suffix = next(((d, s) for d, s, _ in _SCALES if absolute >= d), (1.0, ""))
    return divisor / MONEY_UNITS[money_unit], f"{currency} {suffix}".strip()


def money(value: float, currency: str = "USD", money_unit: str = "billions") -> str:
    """A money figure given in ``money_unit`` of ``currency``, scaled to bn, m or k by its size."""
    if not math.isfinite(value):
        return NOT_AVAILABLE
    rounded, suffix, digits = _scaled(abs(value) * MONEY_UNITS[money_unit])
    text = f"{currency_symbol(currency)}{rounded:,.{digits}f}{suffix}"
    return f"({text})" if value < 0 and rounded != 0 else text


def _scaled(absolute: float) -> tuple[float, str, int]:
    """The largest scale at which the rounded amount is at least one."""
    for divisor, suffix, digits in _SCALES:
        rounded = round(absolute / divisor, digits)
        if rounded >= 1:
            return rounded, suffix, digits
    return round(absolute), "", 0


def usd(value: float) -> str:
    """A US-dollar amount per accelerator, whole dollars, negatives in parentheses."""
    if not math.isfinite(value):
        return NOT_AVAILABLE
    text = f"${abs(value):,.0f}"
    return f"({text})" if value < 0 and text != "$0" else text


def amount(value: float) -> str:
    """A money figure in the table's unit: one decimal, negatives in parentheses."""
    if not math.isfinite(value):
        return NOT_AVAILABLE
    text = f"{abs(value):,.1f}"
    return f"({text})" if value < 0 and text != "0.0" else text


def pct(value: float, digits: int = 1) -> str:
    """A fraction as a percentage."""
    return f"{value * 100:,.{digits}f}%" if math.isfinite(value) else NOT_AVAILABLE


def irr(value: float) -> str:
    """An internal rate of return; NaN means the flows have none."""
    return NO_IRR if math.isnan(value) else pct(value)


def points(value: float) -> str:
    """A difference of two fractions, in percentage points."""
    return f"{value * 100:,.1f} pts" if math.isfinite(value) else NOT_AVAILABLE


def multiple(value: float) -> str:
    """A ratio such as coverage."""
    return f"{value:,.2f}×" if math.isfinite(value) else NOT_AVAILABLE


def years(value: float) -> str:
    """A duration in years."""
    return f"{value:,.1f} years" if math.isfinite(value) else NOT_AVAILABLE


def decimal(value: float) -> str:
    """A number with one decimal, for a table whose header names the unit."""
    return f"{value:,.1f}" if math.isfinite(value) else NOT_AVAILABLE


def usd_per_hour(value: float) -> str:
    """A price or cost per GPU-hour, always in US dollars (the catalogue's currency)."""
    return f"${value:,.2f}/h" if math.isfinite(value) else NOT_AVAILABLE


def count(value: float) -> str:
    """A number of things: millions and thousands abbreviated, small numbers to two decimals."""
    if not math.isfinite(value):
        return NOT_AVAILABLE
    size = abs(value)
    if size >= 999_500:
        return f"{value / 1e6:,.2f}m"
    if size >= 9_999.5:
        return f"{value / 1e3:,.0f}k"
    if size >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def gpu_hours(value: float, unit: str = "GPU-hours") -> str:
    """Hours of accelerator time: billions and millions spelled as a reader says them."""
    if not math.isfinite(value):
        return NOT_AVAILABLE
    size = abs(value)
    if size >= 999.5e6:
        return f"{value / 1e9:,.1f}bn {unit}"
    if size >= 999.5e3:
        return f"{value / 1e6:,.0f}m {unit}"
    return f"{value:,.0f} {unit}"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def year(value: float) -> str:
    """A point in time as a reader writes it: ``2025`` for the start of a year, ``Apr 2022`` within one."""
    if not math.isfinite(value):
        return NOT_AVAILABLE
    whole = math.floor(value + 1e-9)
    month = round((value - whole) * 12)
    if month in (0, 12):
        return f"{whole + month // 12:d}"
    return f"{_MONTHS[month]} {whole:d}"


def by_unit(value: float, unit: str, currency: str = "USD", money_unit: str = "billions") -> str:
    """Any value by the unit of its row, through the presentation registry's format kinds."""
    kind = number_format(unit).kind
    if kind == "money":
        return money(value, currency, money_unit)
    if kind == "share":
        return pct(value)
    if kind == "multiple":
        return multiple(value)
    if kind == "years":
        return years(value)
    if kind == "year":
        return year(value)
    if kind == "flag":
        return "yes" if value >= 1 else "no"
    if kind == "count":
        return f"{count(value)} {unit}"
    if kind == "price":
        if unit == "USD/GPU-hour":
            return usd_per_hour(value)
        digits = 2 if abs(value) >= 1 else 3
        return f"${value:,.{digits}f}/{unit.removeprefix('USD/')}" if math.isfinite(value) else NOT_AVAILABLE
    if unit == "USD":
        return usd(value)
    return f"{value:,.2f} {unit}" if math.isfinite(value) else NOT_AVAILABLE
