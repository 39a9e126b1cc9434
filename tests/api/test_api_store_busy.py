"""A CLI run writing the DuckDB store beside ``serve``: the API waits, then answers 503, never 500.

Before the store took its reader/writer lock, a ``clusteratlas map`` run beside the server
made ``/api/v1/maps`` answer 500 (DuckDB's "Could not set lock on file").
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from filelock import ReadWriteLock

from clusteratlas.api import create_app


def test_maps_answer_503_while_a_writer_holds_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLUSTERATLAS_STORE_TIMEOUT", "1")
    store = tmp_path / "store.duckdb"
    app = create_app(
        database_url=f"sqlite:///{tmp_path / 'registry.sqlite'}", store_path=store, seed=False
    )
    holder = ReadWriteLock(store.with_name(store.name + ".lock"), is_singleton=False)
    try:
        with TestClient(app, raise_server_exceptions=False) as client, holder.write_lock():
            started = time.monotonic()
            response = client.get("/api/v1/maps", params={"source": "eu-sbs"})
            waited = time.monotonic() - started
            assert response.status_code == 503, response.text
            assert "is busy" in response.json()["detail"]
            assert str(store) in response.json()["detail"]
            assert 0.9 < waited < 30  # it waited for the writer before giving up
            assert client.get("/api/v1/health").status_code == 200  # the rest goes on
    finally:
        holder.close()
        app.state.engine.dispose()
