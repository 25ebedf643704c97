"""The contracted backlog's invariant: it rolls forward and never gives more revenue than it holds."""

from __future__ import annotations

from ..engine import Projection
from ._violation import Violation, close, tolerance


def backlog_rollforward(projection: Projection) -> list[Violation]:
    """Backlog opening = last closing (the declared backlog at the start); closing = opening + bookings −
    revenue recognised; revenue recognised never exceeds what is in backlog (opening + bookings)."""
    if projection.model.demand.backlog is None:
        return []
    found = []
    for draw in range(projection.draws):
        opening, closing, bookings, recognised = (
            projection.series(name)[draw]
            for name in ("backlog_opening", "backlog_closing", "bookings", "backlog_recognised")
        )
        start = float(projection.series("backlog_at_start")[draw][0])
        scale = tolerance(opening, bookings, recognised)
        where = f" (draw {draw})" if projection.draws > 1 else ""

        def violation(line_item: str, period: str, message: str, where: str = where, **values: float) -> Violation:
            numbers = {name: float(value) for name, value in values.items()}
            return Violation("backlog_rollforward", line_item, period, numbers, message + where, projection.scenario)

        for t, period in enumerate(projection.periods):
            previous = closing[t - 1] if t else start
            if not close(opening[t], previous, scale):
                found.append(violation("backlog_opening", period, "opening ≠ previous closing", opening=opening[t]))
            if not close(closing[t], opening[t] + bookings[t] - recognised[t], scale):
                found.append(
                    violation(
                        "backlog_closing",
                        period,
                        "closing ≠ opening + bookings − recognised",
                        closing=closing[t],
                        opening=opening[t],
                        bookings=bookings[t],
                        recognised=recognised[t],
                    )
                )
            if recognised[t] > opening[t] + bookings[t] + scale:
                found.append(
                    violation(
                        "backlog_recognised",
                        period,
                        "revenue recognised exceeds what is in backlog (opening + bookings)",
                        recognised=recognised[t],
                        in_backlog=opening[t] + bookings[t],
                    )
                )
    return found
