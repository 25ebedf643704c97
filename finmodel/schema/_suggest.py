"""Suggestions for a misspelt name ("did you mean ...?"), shared by the schema and the loader."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(name: str, known: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The known name that ``name`` most likely means: the same name in another case first, else
    the closest spelling compared without regard to case (so ``b200`` means ``B200``, not ``H200``)."""
    by_folded: dict[str, str] = {}
    for candidate in known:
        by_folded.setdefault(candidate.casefold(), candidate)
    folded = name.casefold()
    if folded in by_folded:
        return by_folded[folded]
    match = difflib.get_close_matches(folded, list(by_folded), n=1, cutoff=cutoff)
    return by_folded[match[0]] if match else None
