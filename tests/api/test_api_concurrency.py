from __future__ import annotations

import threading

from _api_support import Users
from fastapi import FastAPI
from starlette.testclient import TestClient

API = "/api/v1"
WRITERS = 20


def test_concurrent_writers_lose_no_update(app: FastAPI, users: Users) -> None:
    admin = Users.auth(users.admin)
    with TestClient(app) as setup:
        created = setup.post(
            f"{API}/organisations",
            json={"name": "Counter Cluster", "country": "NL", "members_sme": 0},
            headers=admin,
        ).json()
    url = f"{API}/organisations/{created['id']}"
    conflicts: list[int] = []
    failures: list[str] = []
    start = threading.Barrier(WRITERS)

    def increment() -> None:
        with TestClient(app) as own:
            start.wait()
            for _ in range(200):
                current = own.get(url).json()["organisation"]
                response = own.patch(
                    url,
                    json={
                        "version": current["version"],
                        "members_sme": current["members"]["sme"] + 1,
                    },
                    headers=admin,
                )
                if response.status_code == 200:
                    return
                if response.status_code != 409:
                    failures.append(f"{response.status_code}: {response.text}")
                    return
                conflicts.append(1)
            failures.append("no success after 200 tries")

    threads = [threading.Thread(target=increment) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with TestClient(app) as check:
        final = check.get(url).json()["organisation"]
    assert final["members"]["sme"] == WRITERS
    assert final["version"] == 1 + WRITERS
