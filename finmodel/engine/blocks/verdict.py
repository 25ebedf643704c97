"""The verdict, in one place: its tests as line items (so the workbook computes the same verdict
live), their thresholds, the labels and the words that explain each test. Every test is on
economic terms, over the horizon and the run-off that follows each cohort to retirement, with
present values at the hurdle (see :mod:`.economics`):

1. coverage — leasing revenue ÷ (its operating cost + market value lost + building charge) ≥ ``min_coverage``;
2. economic profit — leasing NOPAT on economic terms less the hurdle on leased accelerators at
   market value > ``min_economic_profit``;
3. cohort NPV — a share ≥ ``min_positive_npv_share`` of leasing revenue comes from generations
   whose accelerator, leased over its economic life, has NPV > 0;
4. materiality — the leased share of AI capacity (H100-equivalent units) ≥ ``min_leasing_share``.

All four: revenue asset; at least one of the first three: partly; none: cost centre.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .._ir import Expr, Ref, all_of, ge, gt, if_, safe_divide, total
from .._keys import Key
from ..presentation import VERDICT_LABELS, VerdictLabel
from ._context import Context


@dataclass(frozen=True)
class Reason:
    """One test of the verdict: what was measured, against what, and whether it passed."""

    test: str
    passed: bool
    value: float
    threshold: float
    detail: str

    @property
    def margin(self) -> float:
        """How far the value clears (positive) or misses (negative) its threshold, in the value's unit."""
        return self.value - self.threshold


@dataclass(frozen=True)
class Verdict:
    """Whether the AI CapEx becomes a revenue asset, with the reasons (of one draw).

    ``probability`` is the share of the projection's draws judged a revenue asset.
    """

    label: VerdictLabel
    reasons: tuple[Reason, ...]
    probability: float


def _flag(condition: Expr) -> Expr:
    return if_(condition, 1, 0)


def define(ctx: Context) -> None:
    """The four tests, as flags, and the verdict code (0 revenue asset, 1 partly, 2 cost centre)."""
    leased = Ref("horizon_leasing_revenue")
    ctx.add_summary(
        "verdict_coverage_passed",
        _flag(all_of(ge(Ref("horizon_coverage"), Ref("min_coverage")), gt(leased, 0))),
        label="Test: leasing revenue covers its operating cost, market value lost and building charge",
        unit="flag",
    )
    ctx.add_summary(
        "verdict_economic_profit_passed",
        _flag(all_of(gt(Ref("horizon_leasing_economic_profit"), Ref("min_economic_profit")), gt(leased, 0))),
        label="Test: leasing earns more than the hurdle on its accelerators at market value",
        unit="flag",
    )
    by_generation = [Key("horizon_leasing_revenue", generation=g).ref() for g in ctx.cohort_generations]
    ctx.add_summary(
        "verdict_positive_npv_share",
        safe_divide(
            total(
                revenue * _flag(gt(Key("cohort_lease_npv_usd", generation=g).ref(), 0))
                for g, revenue in zip(ctx.cohort_generations, by_generation, strict=True)
            ),
            total(by_generation),
        ),
        label="Share of leasing revenue from generations whose leased cohort has a positive NPV",
        unit="share",
    )
    ctx.add_summary(
        "verdict_cohort_npv_passed",
        _flag(all_of(ge(Ref("verdict_positive_npv_share"), Ref("min_positive_npv_share") - 1e-9), gt(leased, 0))),
        label="Test: enough leasing revenue comes from generations with a positive leased-cohort NPV",
        unit="flag",
    )
    ctx.add_summary(
        "verdict_materiality_passed",
        _flag(ge(Ref("horizon_leased_capacity_share"), Ref("min_leasing_share"))),
        label="Test: a material share of AI capacity is leased",
        unit="flag",
    )
    economic = [Ref(f"verdict_{test}_passed") for test in ("coverage", "economic_profit", "cohort_npv")]
    ctx.add_summary(
        "verdict_code",
        if_(ge(total([*economic, Ref("verdict_materiality_passed")]), 4), 0, if_(ge(total(economic), 1), 1, 2)),
        label="Verdict: 0 revenue asset, 1 partly, 2 cost centre",
        unit="code",
    )


Read = Callable[[str], float]
"""A scalar row's value in one draw."""


def label_of(code: float) -> VerdictLabel:
    return VERDICT_LABELS[int(code)]


def reasons(read: Read, generations: tuple[str, ...], money: str) -> tuple[Reason, ...]:
    """The four tests of one draw, explained in words."""

    def passed(test: str) -> bool:
        return read(f"verdict_{test}_passed") >= 1

    revenue, coverage, minimum = read("horizon_leasing_revenue"), read("horizon_coverage"), read("min_coverage")
    profit, min_profit = read("horizon_leasing_economic_profit"), read("min_economic_profit")
    share, min_share = read("horizon_leased_capacity_share"), read("min_leasing_share")
    positive, min_positive = read("verdict_positive_npv_share"), read("min_positive_npv_share")
    leased = [g for g in generations if read(Key("horizon_leasing_revenue", generation=g).id) > 0]
    losing = [g for g in leased if read(Key("cohort_lease_npv_usd", generation=g).id) <= 0]
    return (
        Reason(
            "coverage",
            passed("coverage"),
            coverage,
            minimum,
            f"leasing revenue ({revenue:,.2f} {money} over the horizon and run-off) is {coverage:.2f}x its operating "
            f"cost, market value lost and building charge in present value (needs {minimum:.2f}x)",
        ),
        Reason(
            "economic profit",
            passed("economic_profit"),
            profit,
            min_profit,
            f"leasing NOPAT on economic terms less a {read('hurdle_rate'):.1%} charge on leased accelerators at market "
            f"value has a present value of {profit:,.2f} {money} (needs more than {min_profit:,.2f})",
        ),
        Reason(
            "cohort NPV",
            passed("cohort_npv"),
            positive,
            min_positive,
            "no capacity is leased"
            if not leased
            else (
                f"{positive:.0%} of leasing revenue comes from generations whose accelerator, leased over its "
                f"economic life, has a positive NPV at the hurdle (needs {min_positive:.0%})"
                + (f"; negative: {', '.join(losing)}" if losing else "")
            ),
        ),
        Reason(
            "materiality",
            passed("materiality"),
            share,
            min_share,
            f"{share:.1%} of AI capacity (H100-equivalent units in service) is leased over the horizon and run-off "
            f"(needs {min_share:.0%})",
        ),
    )
