"""Shared fixtures: the real-data mirror and an isolated user home for every test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from _data_mirror import mirror_problem


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--without-data",
        action="store_true",
        help="run without the real data mirror (CLUSTERATLAS_DATA): the tests that need it skip",
    )


def pytest_sessionstart(session: pytest.Session) -> None:
    # A missing mirror must fail the run, not turn ~90 tests into skips that pass.
    if session.config.getoption("--without-data"):
        return
    problem = mirror_problem()
    if problem is not None:
        pytest.exit(
            f"The tests need the real data mirror: {problem}. Point CLUSTERATLAS_DATA at it "
            "(see ../shared/data/CATALOG.md), or run pytest --without-data to skip the "
            "tests that need it.",
            returncode=pytest.ExitCode.USAGE_ERROR,
        )


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests never touch the user's real cache or database.
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("CLUSTERATLAS_HOME", str(home))
    monkeypatch.setenv("CLUSTERATLAS_CACHE", str(home / "cache"))


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The real data mirror (``CLUSTERATLAS_DATA``); checked at start, skipped only with --without-data."""
    value = os.environ.get("CLUSTERATLAS_DATA")
    if not value or not Path(value).is_dir():
        pytest.skip("CLUSTERATLAS_DATA does not point at the real data mirror")
    return Path(value)


@pytest.fixture
def publisher_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A loopback server standing in for every publisher (``CLUSTERATLAS_DOWNLOAD_BASE``)."""
    from _loopback import start_server

    state, server = start_server(tmp_path / "publishers")
    monkeypatch.setenv("CLUSTERATLAS_DOWNLOAD_BASE", state.base)
    yield state
    server.shutdown()
    server.server_close()
