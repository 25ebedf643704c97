"""Print a memo to PDF with headless Chromium, where it is installed.

The memo is self-contained (inline SVG and styles, no external resource), so it prints from a
private copy in a scratch folder, with a private profile: no other Chromium window, profile or
setting takes part; it runs under a deadline, its helper processes with it (:mod:`finmodel._process`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .._errors import ExportError
from .._process import run_group

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
        environment = {**os.environ, "HOME": str(scratch), "TMPDIR": str(scratch)}
        output = run_group(command, environment, timeout_s, ExportError, f"printing {html}")
        data = printed.read_bytes() if printed.is_file() else b""
        if not data.startswith(b"%PDF"):
            raise ExportError(f"Chromium printed no PDF of {html}: {output[-500:] or 'no output'}")
        Path(target).write_bytes(data)
