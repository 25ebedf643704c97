"""Helper programs run under a deadline, their children with them."""

from __future__ import annotations

import os
import time

import pytest

from finmodel._errors import ExportError, RecalcError
from finmodel._process import run_group


def test_output_of_a_program_that_succeeds_is_returned() -> None:
    assert run_group(["sh", "-c", "echo out; echo err >&2"], os.environ, 10, ExportError, "testing") == "out\nerr"


def test_a_failing_program_raises_the_caller_s_error_with_its_status_and_output() -> None:
    with pytest.raises(RecalcError, match=r"sh exited with status 3 converting 2 files: broken"):
        run_group(["sh", "-c", "echo broken; exit 3"], os.environ, 10, RecalcError, "converting 2 files")


def test_a_missing_program_is_named() -> None:
    with pytest.raises(ExportError, match="could not start no-such-program"):
        run_group(["no-such-program"], os.environ, 10, ExportError, "printing")


def test_a_program_past_its_deadline_is_killed_with_the_children_it_started(tmp_path) -> None:
    marker = tmp_path / "child-survived"
    # The child would write the marker after 2 s if it outlived the group's kill at 0.5 s.
    script = f"(sleep 2; touch {marker}) & sleep 30"
    started = time.monotonic()
    with pytest.raises(ExportError, match=r"sh did not finish printing within 0.5 s"):
        run_group(["sh", "-c", script], os.environ, 0.5, ExportError, "printing")
    assert time.monotonic() - started < 10
    time.sleep(2.5)
    assert not marker.exists()
