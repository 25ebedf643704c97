"""Write a set of files so that either all of them are replaced or none is.

Each target is written to a temporary file beside it (``.NAME.XXXX.tmp``). Only when every
writer has succeeded are the temporaries moved into place, each previous file kept as a backup
(``.NAME.backup``) until every move has succeeded; if a move fails (a workbook open in Excel,
a folder in the way), the files already moved get their backups back. A backup found at the
start is from a run interrupted while moving, so it is put back before anything else happens.
"""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from .._errors import ExportError

Writer = Callable[[Path], object]
"""Writes one output to the path it is given (any return value is ignored)."""


def write_all(targets: dict[Path, Writer]) -> None:
    """Write every target, then replace the previous set as a whole; raises :class:`ExportError`."""
    for target in targets:
        _recover(target)
    staged = _stage(targets)
    _swap(staged)


def _backup_of(target: Path) -> Path:
    return target.with_name(f".{target.name}.backup")


def _recover(target: Path) -> None:
    """Undo what an interrupted run left: put its backup back, remove its temporaries."""
    try:
        if _backup_of(target).exists():
            os.replace(_backup_of(target), target)
        for leftover in glob.glob(glob.escape(str(target.parent / f".{target.name}.")) + "*.tmp"):
            os.unlink(leftover)
    except OSError as error:
        raise ExportError(f"cannot clear what an earlier build left beside {target}: {error}") from error


def _stage(targets: dict[Path, Writer]) -> dict[Path, Path]:
    """Each target's finished temporary file; on any failure none is left behind."""
    staged: dict[Path, Path] = {}
    mode = 0o666 & ~_umask()
    try:
        for target, writer in targets.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            os.close(handle)
            staged[target] = Path(temporary)
            writer(Path(temporary))
            os.chmod(temporary, mode)
    except Exception as error:
        for staged_file in staged.values():
            staged_file.unlink(missing_ok=True)
        if isinstance(error, ExportError):
            raise
        raise ExportError(f"could not write {target}: {error}") from error
    return staged


def _swap(staged: dict[Path, Path]) -> None:
    """Move the temporaries into place, all of them or, after a failure, none."""
    backups: dict[Path, Path] = {}
    moved: list[Path] = []
    try:
        for target in staged:
            if target.exists():
                _keep_copy(target, _backup_of(target))
                backups[target] = _backup_of(target)
        for target, temporary in staged.items():
            os.replace(temporary, target)
            moved.append(target)
    except OSError as error:
        for done in moved:
            if done in backups:
                os.replace(backups.pop(done), done)
            else:
                done.unlink()
        for leftover in [*staged.values(), *backups.values()]:
            leftover.unlink(missing_ok=True)
        reason = error.strerror or str(error)
        raise ExportError(f"could not replace {target}: {reason}; the previous outputs are as they were") from None
    for backup in backups.values():
        backup.unlink()


def _keep_copy(target: Path, backup: Path) -> None:
    """A backup of ``target``: a hard link where the file system has them (instant), else a copy."""
    backup.unlink(missing_ok=True)
    try:
        os.link(target, backup)
    except OSError:
        shutil.copy2(target, backup)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
