"""Write a set of files so that either all of them land or none does."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from .._errors import ExportError

Writer = Callable[[Path], None]


def write_all(targets: dict[Path, Writer]) -> None:
    """Write each target through a temporary file beside it, then move them all into place.

    If any writer fails, no target is touched and the temporary files are removed, so the
    outputs of an earlier build stay as they were.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for target, writer in targets.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            os.close(handle)
            staged.append((Path(temporary), target))
            writer(Path(temporary))
    except Exception as error:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        if isinstance(error, ExportError):
            raise
        raise ExportError(f"could not write {target}: {error}") from error
    mode = 0o666 & ~_umask()
    for temporary, target in staged:
        os.chmod(temporary, mode)
        os.replace(temporary, target)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
