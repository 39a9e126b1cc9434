"""Admission control: throttled sign-ins cost no hash and no query; writes and hashes are bounded."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest
from _api_support import PASSWORD, Users
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from clusteratlas.api.admission import DEFAULT_THROTTLE_DELAY, HashWorkers, Slots, Tarpit
from clusteratlas.registry import auth as auth_module
from clusteratlas.registry import create_user, session_scope

API = "/api/v1"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # uvicorn's loop


class HashSpy:
    """Counts argon2 verifications and how many ran at once (each made to last 50 ms)."""

    def __init__(self) -> None:
        self.real = auth_module._HASHER
        self.calls = self.inside = self.peak = 0
        self.lock = threading.Lock()

    def verify(self, hashed: str, password: str) -> bool:
        with self.lock:
            self.calls += 1
            self.inside += 1
            self.peak = max(self.peak, self.inside)
        try:
            time.sleep(0.05)
            return bool(self.real.verify(hashed, password))
        finally:
            with self.lock:
                self.inside -= 1

    def check_needs_rehash(self, hashed: str) -> bool:
        return bool(self.real.check_needs_rehash(hashed))

    def hash(self, password: str) -> str:
        return str(self.real.hash(password))


@pytest.fixture
def state(app: FastAPI) -> Iterator[Any]:
    """The app's state; the admission settings and session factory are put back afterwards."""
    names = ("sessions", "write_slots", "hash_slots", "hash_workers", "signin_tarpit")
    saved = {name: getattr(app.state, name) for name in names}
    yield app.state
    for name, value in saved.items():
        setattr(app.state, name, value)


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Iterator[HashSpy]:
    auth_module._dummy_hash()  # made once per process, before the spy is in place
    hashes = HashSpy()
    monkeypatch.setattr(auth_module, "_HASHER", hashes)
    yield hashes


def test_a_throttled_sign_in_makes_no_password_check_and_no_query(
    app: FastAPI, spy: HashSpy
) -> None:
    with session_scope(app.state.sessions) as session:
        create_user(session, email="throttled@example.org", password=PASSWORD)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    wrong = {"email": "throttled@example.org", "password": "guess-1234"}
    with TestClient(app, client=("10.9.7.1", 5000)) as attacker:
        answers = []
        for _ in range(10):
            answers.append(attacker.post(f"{API}/auth/login", json=wrong).status_code)
            if answers[-1] == 429:
                break
        assert answers[-1] == 429 and set(answers[:-1]) == {401}
        checked = spy.calls
        assert checked == len(answers) - 1  # one verification per attempt let through
        event.listen(app.state.engine, "before_cursor_execute", count)
        try:
            later = [attacker.post(f"{API}/auth/login", json=wrong) for _ in range(5)]
            right = attacker.post(
                f"{API}/auth/login", json={"email": "throttled@example.org", "password": PASSWORD}
            )
        finally:
            event.remove(app.state.engine, "before_cursor_execute", count)
    assert [a.status_code for a in later] == [429] * 5 and right.status_code == 429
    assert all(1 <= int(a.headers["retry-after"]) <= 60 for a in later)
    assert spy.calls == checked  # no argon2 for a refused attempt …
    assert statements == []  # … and not a single SQL statement


def test_a_throttled_sign_in_is_answered_after_the_tarpit_pause(app: FastAPI, state: Any) -> None:
    # The app made without CLUSTERATLAS_THROTTLE_DELAY pauses refusals for the default.
    assert state.signin_tarpit.delay == DEFAULT_THROTTLE_DELAY
    state.signin_tarpit = Tarpit(0.4)
    wrong = {"email": "tarpit@example.org", "password": "guess-1234"}
    with TestClient(app, client=("10.9.7.2", 5000)) as attacker:
        statuses = []
        for _ in range(10):
            statuses.append(attacker.post(f"{API}/auth/login", json=wrong).status_code)
            if statuses[-1] == 429:
                break
        assert statuses[-1] == 429
        started = time.monotonic()
        refused = attacker.post(f"{API}/auth/login", json=wrong)
        waited = time.monotonic() - started
    assert refused.status_code == 429 and waited >= 0.4
    assert state.signin_tarpit.held == 0


async def _concurrent_sign_ins(app: FastAPI, n: int) -> list[int]:
    transport = httpx.ASGITransport(app=app, client=(f"10.9.7.{n + 10}", 5000))
    statuses: list[int] = []
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:

        async def attempt(i: int) -> None:
            body = {"email": f"nobody-{n}-{i}@example.org", "password": "guess-1234"}
            statuses.append((await client.post(f"{API}/auth/login", json=body)).status_code)

        async with anyio.create_task_group() as group:
            for i in range(n):
                group.start_soon(attempt, i)
    return statuses


@pytest.mark.anyio
async def test_password_checks_wait_for_the_hash_slots(
    app: FastAPI, spy: HashSpy, state: Any
) -> None:
    state.hash_slots = Slots(1, wait=30, what="sign-ins")
    state.hash_workers = HashWorkers(3)
    assert await _concurrent_sign_ins(app, 4) == [401] * 4
    assert (spy.calls, spy.peak) == (4, 1)  # one at a time, though 3 threads were free
    # Without the bound the same sign-ins overlap: the spy does see concurrency.
    state.hash_slots = Slots(3, wait=30, what="sign-ins")
    spy.calls = spy.peak = 0
    assert await _concurrent_sign_ins(app, 5) == [401] * 5
    assert spy.calls == 5 and spy.peak >= 2


def _count_write_sessions(app: FastAPI) -> dict[str, int]:
    """Wrap the app's write-session factory; return live and peak counts of open sessions."""
    real = app.state.sessions
    seen = {"live": 0, "peak": 0}
    lock = threading.Lock()

    def factory() -> Session:
        session: Session = real()
        closed = session.close
        with lock:
            seen["live"] += 1
            seen["peak"] = max(seen["peak"], seen["live"])

        def close() -> None:
            with lock:
                seen["live"] -= 1
            closed()

        session.close = close  # type: ignore[method-assign]
        return session

    app.state.sessions = factory  # put back by the ``state`` fixture
    return seen


async def _concurrent_edits(app: FastAPI, users: Users, n: int) -> list[int]:
    statuses: list[int] = []
    transport = httpx.ASGITransport(app=app)
    headers = Users.auth(users.admin)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        url = f"{API}/organisations/{users.other_id}"

        async def edit(i: int) -> None:
            version = (await client.get(url)).json()["organisation"]["version"]
            body = {"version": version, "description": f"Edit {i} of a crowd"}
            statuses.append((await client.patch(url, json=body, headers=headers)).status_code)

        async with anyio.create_task_group() as group:
            for i in range(n):
                group.start_soon(edit, i)
    return statuses


@pytest.mark.anyio
async def test_concurrent_writes_hold_at_most_the_write_slots(
    app: FastAPI, users: Users, state: Any
) -> None:
    seen = _count_write_sessions(app)
    state.write_slots = Slots(1, wait=30, what="registry writes")
    statuses = await _concurrent_edits(app, users, 6)
    assert len(statuses) == 6 and set(statuses) <= {200, 409} and 200 in statuses
    assert (seen["peak"], seen["live"]) == (1, 0)
    # With more slots the same crowd does overlap: the count can see it.
    state.write_slots = Slots(6, wait=30, what="registry writes")
    seen["peak"] = 0
    await _concurrent_edits(app, users, 6)
    assert seen["peak"] >= 2 and seen["live"] == 0


@pytest.mark.anyio
async def test_a_write_that_cannot_get_a_slot_is_answered_503_while_reads_go_on(
    app: FastAPI, users: Users, state: Any
) -> None:
    slots = Slots(1, wait=0.2, what="registry writes")
    state.write_slots = slots
    url = f"{API}/organisations/{users.other_id}"
    headers = Users.auth(users.admin)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        version = (await client.get(url)).json()["organisation"]["version"]
        body = {"version": version, "description": "Waited for a slot"}
        async with slots.hold():  # another writer holds the only slot
            refused = await client.patch(url, json=body, headers=headers)
            searched = await client.get(f"{API}/organisations", params={"q": "cluster"})
        saved = await client.patch(url, json=body, headers=headers)
    assert refused.status_code == 503 and int(refused.headers["retry-after"]) >= 1
    assert "busy with other registry writes" in refused.json()["detail"]
    assert searched.status_code == 200  # reads take no slot
    assert saved.status_code == 200 and saved.json()["version"] == version + 1
