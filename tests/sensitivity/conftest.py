"""The small model of ``tests/conftest.py`` worked by hand, for the sensitivity's tests.

It buys 1,000 accelerators of X1 ($40,000 each) at the start of 2024, in service for four years, all
leased: 8,760 hours × 80% billed at a flat $3.00 an hour, with power (1 kW × PUE 1.2 × $0.10/kWh, every
hour) and a facility charge ($100 per kW-month) as operating costs; no resale value, so the market
value lost is a straight $10m a year, as is book depreciation; 20% tax, a 10% hurdle, flows discounted
from the middle of each year.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class ByHand:
    units: float = 1_000
    hours: float = 8_760
    tax: float = 0.2
    hurdle: float = 0.1
    value_lost: float = 10e6
    market_value: tuple[float, ...] = (40e6, 30e6, 20e6, 10e6)

    @property
    def operating_cost(self) -> float:
        return self.units * 1.0 * 1.2 * self.hours * 0.10 + self.units * 1.0 * 100 * 12

    @property
    def discount(self) -> tuple[float, ...]:
        return tuple((1 + self.hurdle) ** -(year + 0.5) for year in range(4))

    def revenue(self, utilisation: float, price: float) -> float:
        return self.hours * self.units * utilisation * price

    def economic_profit(self, utilisation: float = 0.8, price: float = 3.0) -> float:
        """Σ DF × [(1 - tax)(revenue - operating cost - value lost) - hurdle × value]: the tax shield on book
        depreciation is the tax on the value lost, both $10m a year."""
        after_tax = (1 - self.tax) * (self.revenue(utilisation, price) - self.operating_cost - self.value_lost)
        return sum(d * (after_tax - self.hurdle * v) for d, v in zip(self.discount, self.market_value, strict=True))

    def coverage(self, utilisation: float = 0.8, price: float = 3.0) -> float:
        """Σ DF × revenue / Σ DF × (operating cost + value lost): every year alike, so the discounting cancels."""
        return self.revenue(utilisation, price) / (self.operating_cost + self.value_lost)


@pytest.fixture
def by_hand() -> ByHand:
    return ByHand()
