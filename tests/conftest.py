"""Fixtures shared by every test directory."""

from __future__ import annotations

import os

import pytest

from finmodel.export._libreoffice import find_soffice


@pytest.fixture(scope="session")
def libreoffice() -> str:
    """The soffice executable. Absent, oracle tests skip, unless FINMODEL_REQUIRE_ORACLES=1 (as in CI) fails them."""
    soffice = find_soffice()
    if soffice is None:
        if os.environ.get("FINMODEL_REQUIRE_ORACLES") == "1":
            pytest.fail("LibreOffice (soffice) not found, and FINMODEL_REQUIRE_ORACLES=1 requires it")
        pytest.skip("LibreOffice (soffice) not found; set FINMODEL_REQUIRE_ORACLES=1 to fail instead")
    return soffice


@pytest.fixture(autouse=True)
def _oracle_available(request: pytest.FixtureRequest) -> None:
    """Give every test marked ``oracle`` the libreoffice fixture's skip-or-fail, so marking is enough."""
    if request.node.get_closest_marker("oracle") is not None:
        request.getfixturevalue("libreoffice")
