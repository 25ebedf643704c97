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


def not_a_period(label: str, labels: tuple[str, ...]) -> str:
    """What to say of a label that is no period of the timeline ``labels``."""
    close = closest(label, labels, cutoff=0.5)
    hint = f"; did you mean {close!r}?" if close else ""
    return f"{label!r} is not a period of the timeline ({labels[0]}..{labels[-1]}){hint}"


def unknown_name(kind: str, name: object, known: list[str]) -> str:
    """What to say of a name of ``kind`` (an asset class, a GPU generation) that is none of ``known``."""
    close = closest(str(name), known)
    hint = f"; did you mean {close!r}?" if close else f"; known: {', '.join(known)}"
    return f"unknown {kind} {name!r}{hint}"
