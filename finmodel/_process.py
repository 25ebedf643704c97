"""Run a helper program (headless Chromium, LibreOffice) that must not outlive its deadline.

Both start child processes, so the program runs in its own process group and the whole group is
killed on timeout; its output is returned for the caller's error messages.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Mapping, Sequence

from ._errors import FinmodelError


def run_group(
    command: Sequence[str],
    environment: Mapping[str, str],
    timeout_s: float,
    error: type[FinmodelError],
    doing: str,
) -> str:
    """Run ``command`` to completion; its stdout and stderr together. ``doing`` finishes the
    sentences of the errors raised (as ``error``): ``"printing memo.html"``."""
    program = os.path.basename(command[0])
    try:
        process = subprocess.Popen(
            list(command),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(environment),
            start_new_session=True,
        )
    except OSError as failure:
        raise error(f"could not start {program} ({command[0]}) {doing}: {failure}") from failure
    try:
        stdout, stderr = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired as late:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise error(f"{program} did not finish {doing} within {timeout_s:g} s") from late
    output = (stdout + stderr).decode(errors="replace").strip()
    if process.returncode != 0:
        raise error(f"{program} exited with status {process.returncode} {doing}: {output[-500:]}")
    return output
