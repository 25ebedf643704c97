"""The ``uncertainty:`` block: distributions on a model's inputs, for a Monte Carlo simulation.

Each entry names inputs of the input catalogue (``finmodel inputs MODEL``) by its key or its
``inputs`` list, where ``*`` stands for any run of characters (``*_price_usd_per_hour[H100]`` is
every H100 price path), and gives one distribution; one draw of it applies to every input named. Whether a name
exists or is structural is known only once the model is resolved, so the simulation checks it
(``finmodel validate`` reports it at its line); this module checks the distributions themselves
and that the rank correlations form a valid correlation matrix.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from annotated_types import Ge, Gt, Le
from pydantic import Field, model_validator

from ._types import Number, Sourced, WholeNumber, located_problems

MAX_DRAWS = 10_000_000
"""Most draws a simulation runs (about 300 bytes a draw are kept: the varied inputs and key metrics)."""
MAX_ENTRIES = 200

AppliesAs = Literal["value", "factor", "annual_change"]


class _Entry(Sourced):
    """What every distribution entry has: how a draw applies, optional truncation, provenance."""

    inputs: tuple[str, ...] | None = Field(
        None,
        description=(
            "The inputs one draw of this entry sets: names or patterns (* for any characters); default: the entry's "
            "key. A path may take a factor and an annual_change from two entries: they multiply."
        ),
        min_length=1,
        max_length=MAX_ENTRIES,
    )
    applies_as: AppliesAs | None = Field(
        None,
        description=(
            "How a draw applies to each input named: 'value' (the draw is the value, in every column), 'factor' "
            "(the base value or path × the draw), 'annual_change' (the base path × (1 + draw)^years since its first "
            "column: -0.05 makes a price path fall 5% a year faster). Default: value for an entry naming one "
            "single-value input, else factor."
        ),
    )
    min: Number | None = Field(None, description="Truncate the distribution below this value (draws never fall under).")
    max: Number | None = Field(None, description="Truncate the distribution above this value (draws never exceed).")

    def support(self) -> tuple[float, float]:
        """Where the distribution has mass, before truncation."""
        return -math.inf, math.inf

    def _problems(self) -> list[tuple[tuple[str | int, ...], str]]:
        return []

    @model_validator(mode="after")
    def _valid(self) -> _Entry:
        problems = self._problems()
        low, high = self.support()
        if self.min is not None and self.max is not None and self.min >= self.max:
            problems.append((("max",), f"must exceed min ({self.min:g})"))
        elif (self.min is not None and self.min >= high) or (self.max is not None and self.max <= low):
            problems.append(((), f"the truncation leaves no probability: the distribution lies in [{low:g}, {high:g}]"))
        if problems:
            raise located_problems(problems)
        return self


class Uniform(_Entry):
    """Every value between ``low`` and ``high`` equally likely."""

    distribution: Literal["uniform"] = Field(description="uniform")
    low: Number = Field(description="Lowest value.")
    high: Number = Field(description="Highest value.")

    def support(self) -> tuple[float, float]:
        return self.low, self.high

    def _problems(self) -> list[tuple[tuple[str | int, ...], str]]:
        return [(("high",), f"must exceed low ({self.low:g})")] if self.high <= self.low else []


class Triangular(_Entry):
    """Most likely at ``mode``, falling linearly to nothing at ``low`` and ``high``."""

    distribution: Literal["triangular"] = Field(description="triangular")
    low: Number = Field(description="Lowest value.")
    mode: Number = Field(description="Most likely value.")
    high: Number = Field(description="Highest value.")

    def support(self) -> tuple[float, float]:
        return self.low, self.high

    def _problems(self) -> list[tuple[tuple[str | int, ...], str]]:
        if self.high <= self.low:
            return [(("high",), f"must exceed low ({self.low:g})")]
        if not self.low <= self.mode <= self.high:
            return [(("mode",), f"must lie between low ({self.low:g}) and high ({self.high:g})")]
        return []


class Pert(Triangular):
    """PERT: a beta distribution on ``[low, high]`` with mean (low + shape·mode + high) / (shape + 2)."""

    distribution: Literal["pert"] = Field(description="pert")  # type: ignore[assignment]
    shape: Annotated[Number, Gt(0), Le(1000)] = Field(
        4.0, description="Weight of the mode (4 is the classic PERT; larger is more peaked)."
    )


class Normal(_Entry):
    """The bell curve (truncate it with ``min``/``max`` where a value must stay in a range)."""

    distribution: Literal["normal"] = Field(description="normal")
    mean: Number = Field(description="Mean.")
    sd: Annotated[Number, Gt(0)] = Field(description="Standard deviation.")


class Lognormal(_Entry):
    """A value whose logarithm is normal: positive, skewed up (its mean is median × exp(sigma² / 2))."""

    distribution: Literal["lognormal"] = Field(description="lognormal")
    median: Annotated[Number, Gt(0)] = Field(description="Median (1 for a factor centred on the base).")
    sigma: Annotated[Number, Gt(0), Le(5)] = Field(description="Standard deviation of the value's logarithm.")

    def support(self) -> tuple[float, float]:
        return 0.0, math.inf


class Discrete(_Entry):
    """A few values, each with its probability."""

    distribution: Literal["discrete"] = Field(description="discrete")
    values: tuple[Number, ...] = Field(description="The values, in any order.", min_length=1, max_length=1000)
    probabilities: tuple[Annotated[Number, Ge(0), Le(1)], ...] = Field(
        description="The probability of each value, in the same order; they sum to 1."
    )

    def support(self) -> tuple[float, float]:
        return min(self.values), max(self.values)

    def _problems(self) -> list[tuple[tuple[str | int, ...], str]]:
        if len(self.probabilities) != len(self.values):
            return [(("probabilities",), f"{len(self.probabilities)} probabilities for {len(self.values)} values")]
        total = sum(self.probabilities)
        if abs(total - 1.0) > 1e-9:
            return [(("probabilities",), f"probabilities sum to {total:.6g}, expected 1")]
        return []


Distribution = Annotated[
    Uniform | Triangular | Pert | Normal | Lognormal | Discrete, Field(discriminator="distribution")
]
"""One entry of ``uncertainty.inputs``, told apart by its ``distribution``."""


class RankCorrelation(Sourced):
    """Spearman rank correlation between the draws of two entries."""

    between: tuple[str, str] = Field(description="The two entries (keys of uncertainty.inputs).")
    rank: Annotated[Number, Ge(-1), Le(1)] = Field(description="Their rank correlation, -1..1.")


class Uncertainty(Sourced):
    """Distributions on inputs and how many draws a build simulates (``finmodel simulate`` runs more)."""

    draws: Annotated[WholeNumber, Ge(1), Le(MAX_DRAWS)] = Field(
        2000, description="Draws a build simulates for the memo; finmodel simulate --draws overrides it."
    )
    seed: Annotated[WholeNumber, Ge(0), Le(2**63 - 1)] = Field(
        0, description="Seed of the draws: the same seed gives the same draws, however they are run."
    )
    inputs: dict[str, Distribution] = Field(
        description="Per input name (or pattern, * for any characters), its distribution.",
        min_length=1,
        max_length=MAX_ENTRIES,
    )
    correlation: tuple[RankCorrelation, ...] = Field(
        (),
        description="Rank correlations between entries (pairs not listed are independent); applied with a "
        "Gaussian copula.",
    )

    @model_validator(mode="after")
    def _valid_correlation(self) -> Uncertainty:
        problems: list[tuple[tuple[str | int, ...], str]] = []
        names = list(self.inputs)
        seen: set[frozenset[str]] = set()
        for index, pair in enumerate(self.correlation):
            for position, name in enumerate(pair.between):
                if name not in self.inputs:
                    problems.append((("correlation", index, "between", position), f"{name!r} is no entry of inputs"))
            key = frozenset(pair.between)
            if len(key) == 1:
                problems.append((("correlation", index, "between"), "an entry is correlated with itself"))
            elif key in seen:
                problems.append((("correlation", index, "between"), "this pair is given twice"))
            seen.add(key)
        if not problems and self.correlation:
            smallest = float(np.linalg.eigvalsh(rank_matrix(self, names)).min())
            if smallest < -1e-9:
                problems.append(
                    (
                        ("correlation",),
                        f"these rank correlations cannot hold together (the matrix has an eigenvalue of "
                        f"{smallest:.3g}, below 0): weaken some",
                    )
                )
        if problems:
            raise located_problems(problems)
        return self


def rank_matrix(uncertainty: Uncertainty, names: list[str]) -> np.ndarray:
    """The rank correlation matrix of the entries ``names``, 1 on the diagonal, 0 where no pair is given."""
    index = {name: position for position, name in enumerate(names)}
    matrix = np.eye(len(names))
    for pair in uncertainty.correlation:
        first, second = (index[name] for name in pair.between)
        matrix[first, second] = matrix[second, first] = pair.rank
    return matrix
