"""Reads never wait for a writer; a write that cannot get the lock answers 503 + Retry-After.

A write session (``app.state.sessions``) changes an organisation and holds its transaction
open (on SQLite: the database's write lock, on PostgreSQL: the row's lock) until an event
is set; meanwhile requests go to the API.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from _api_support import PASSWORD, Users, database_url, write_mirror
from fastapi import FastAPI
from sqlalchemy import text
from starlette.testclient import TestClient

from clusteratlas.api import create_app
from clusteratlas.registry import create_organisation, create_token, create_user, session_scope

API = "/api/v1"


@pytest.fixture(scope="module")
def busy_app(
    tmp_path_factory: pytest.TempPathFactory, store_path: Path
) -> Iterator[tuple[FastAPI, int, str]]:
    folder = tmp_path_factory.mktemp("locking")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CLUSTERATLAS_DB_BUSY_TIMEOUT", "0.5")
        app = create_app(
            database_url=database_url(folder),
            store_path=store_path,
            data_dir=write_mirror(folder / "mirror"),
        )
    with session_scope(app.state.sessions) as session:
        organisation = create_organisation(
            session, actor=None, data={"name": "Locked Cluster", "country": "DE"}
        )
        admin = create_user(
            session, email="lock-admin@example.org", password=PASSWORD, role="admin"
        )
        _, token = create_token(session, user=admin, name="lock test")
        organisation_id = organisation.id
    yield app, organisation_id, token
    app.state.engine.dispose()


def _hold_write_lock(
    app: FastAPI, organisation_id: int, held: threading.Event, release: threading.Event
) -> threading.Thread:
    def hold() -> None:
        with session_scope(app.state.sessions) as session:
            session.execute(
                text("UPDATE organisation SET acronym = 'LOCK' WHERE id = :id"),
                {"id": organisation_id},
            )
            session.flush()
            held.set()
            release.wait(timeout=30)

    thread = threading.Thread(target=hold)
    thread.start()
    assert held.wait(timeout=10), "the writer did not get the lock"
    return thread


def test_search_does_not_wait_for_a_writer(busy_app: tuple[FastAPI, int, str]) -> None:
    app, organisation_id, token = busy_app
    held, release = threading.Event(), threading.Event()
    thread = _hold_write_lock(app, organisation_id, held, release)
    try:
        with TestClient(app) as client:
            found = client.get(f"{API}/organisations", params={"q": "Locked"})
            profile = client.get(
                f"{API}/organisations/{organisation_id}", headers=Users.auth(token)
            )
            page = client.get("/organisations", params={"q": "Locked"})
        # The writer is still holding its lock: nothing above waited for it to finish.
        assert not release.is_set() and thread.is_alive()
    finally:
        release.set()
        thread.join()
    assert found.status_code == 200, found.text
    assert [i["name"] for i in found.json()["items"]] == ["Locked Cluster"]
    assert found.json()["items"][0]["acronym"] != "LOCK"  # the uncommitted change is not seen
    assert profile.status_code == 200, profile.text
    assert page.status_code == 200


def test_write_blocked_past_the_timeout_gets_503(busy_app: tuple[FastAPI, int, str]) -> None:
    app, organisation_id, token = busy_app
    held, release = threading.Event(), threading.Event()
    thread = _hold_write_lock(app, organisation_id, held, release)
    try:
        with TestClient(app) as client:
            version = client.get(f"{API}/organisations/{organisation_id}").json()
            response = client.patch(
                f"{API}/organisations/{organisation_id}",
                json={"version": version["organisation"]["version"], "acronym": "NEW"},
                headers=Users.auth(token),
            )
    finally:
        release.set()
        thread.join()
    assert response.status_code == 503, response.text
    assert int(response.headers["Retry-After"]) >= 1
    assert "try again" in response.json()["detail"]
    with TestClient(app) as client:  # once the lock is released, the write goes through
        current = client.get(f"{API}/organisations/{organisation_id}").json()["organisation"]
        retried = client.patch(
            f"{API}/organisations/{organisation_id}",
            json={"version": current["version"], "acronym": "NEW"},
            headers=Users.auth(token),
        )
    assert retried.status_code == 200, retried.text
    assert retried.json()["acronym"] == "NEW"
