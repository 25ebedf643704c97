"""Print a memo to PDF with headless Chromium, where it is installed.

The memo is self-contained (inline SVG and styles, no external resource), so it prints from a
private copy in a scratch folder, with a private profile: no other Chromium window, profile or
setting takes part. Chromium starts child processes, so it runs in its own process group, and the
whole group is killed on timeout.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from .._errors import ExportError

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
NO_CHROMIUM = (
    "printing to PDF needs headless Chromium, and none was found: install it (Debian: apt-get install chromium) "
    f"or put one of {', '.join(CHROMIUM_NAMES)} on PATH"
)


def find_chromium() -> str | None:
    """The first Chromium on PATH (chromium, chromium-browser, google-chrome), else None."""
    return next((path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None)


def print_pdf(html: Path, target: Path, *, chromium: str | None = None, timeout_s: float = 180) -> None:
    """Print the HTML file ``html`` to ``target`` as PDF, on the paper Chromium defaults to (Letter)
    unless the page's print stylesheet sets a size, without the browser's header and footer; raises
    :class:`ExportError`."""
    program = chromium or find_chromium()
    if program is None:
        raise ExportError(NO_CHROMIUM)
    with tempfile.TemporaryDirectory(prefix="finmodel-pdf-") as scratch_name:
        scratch = Path(scratch_name)
        page, printed = scratch / "memo.html", scratch / "memo.pdf"
        shutil.copyfile(html, page)  # Chromium reads a page by its extension: a staged .tmp would print as text
        command = [
            program,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            f"--user-data-dir={scratch / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={printed}",
            page.as_uri(),
        ]
        output = _run(command, scratch, timeout_s, html)
        data = printed.read_bytes() if printed.is_file() else b""
        if not data.startswith(b"%PDF"):
            raise ExportError(f"Chromium printed no PDF of {html}: {output[-500:] or 'no output'}")
        Path(target).write_bytes(data)


def _run(command: list[str], scratch: Path, timeout_s: float, html: Path) -> str:
    environment = {**os.environ, "HOME": str(scratch), "TMPDIR": str(scratch)}
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environment,
            start_new_session=True,
        )
    except OSError as error:
        raise ExportError(f"could not start Chromium ({command[0]}): {error}") from error
    try:
        stdout, stderr = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired as error:
        _kill_group(process.pid)
        process.communicate()
        raise ExportError(f"Chromium did not print {html} within {timeout_s:g} s") from error
    output = (stdout + stderr).decode(errors="replace").strip()
    if process.returncode != 0:
        raise ExportError(f"Chromium exited with status {process.returncode} printing {html}: {output[-500:]}")
    return output


def _kill_group(group: int) -> None:
    """Kill Chromium and the helper processes it started (its process group, not yet reaped)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, signal.SIGKILL)
