"""What an invariant reports, and the float tolerance it reports with."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HOURS_PER_YEAR = 8760.0
RELATIVE = 1e-7
"""Relative tolerance: float noise on sums of a few hundred terms, far below any real error."""
ABSOLUTE = 1e-9


@dataclass(frozen=True)
class Violation:
    """One place where an invariant does not hold: the line item, the period (or column), the
    values compared, and in words what is wrong."""

    invariant: str
    line_item: str
    period: str | None
    values: dict[str, float]
    message: str
    scenario: str | None = None

    def __str__(self) -> str:
        where = f"[{self.scenario}] " if self.scenario else ""
        column = f" in {self.period}" if self.period is not None else ""
        values = ", ".join(f"{name}={value:.10g}" for name, value in self.values.items())
        return f"{where}{self.invariant}: {self.line_item}{column}: {self.message} ({values})"


def tolerance(*rows: np.ndarray, relative: float = RELATIVE) -> float:
    """The absolute tolerance for comparing figures of the size of ``rows`` (NaN, an IRR that does not exist, aside)."""
    largest = max((float(np.nanmax(np.abs(row), initial=0.0)) for row in rows), default=0.0)
    return ABSOLUTE + relative * largest


def close(value: float, expected: float, tolerance: float) -> bool:
    return bool(abs(value - expected) <= tolerance)
