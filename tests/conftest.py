"""Shared fixtures: the real-data mirror and an isolated user home for every test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


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
    """The real data mirror (``CLUSTERATLAS_DATA``); end-to-end tests skip without it."""
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
