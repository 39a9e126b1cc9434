"""Training partnerships (and, below, programmes) recorded through the API.

The app is seeded from the tiny mirror (Systematic Paris-Region among its pôles) and the
skills seed (five providers, five partnerships, seven programmes); the ``users`` fixture
adds Managed Cluster (managed by ``users.manager``) and Other Cluster.
"""

from __future__ import annotations

import pytest
from _api_support import PASSWORD, Users
from fastapi import FastAPI
from sqlalchemy import select

from clusteratlas.registry import create_token, create_user, session_scope
from clusteratlas.registry.audit import history
from clusteratlas.registry.models import Organisation
from conftest import TestClient

ORGS = "/api/v1/organisations"
PARTNERSHIPS = "/api/v1/skills/partnerships"


def _ids(app: FastAPI) -> dict[str, int]:
    with session_scope(app.state.sessions) as session:
        return dict(session.execute(select(Organisation.key, Organisation.id)).all())  # type: ignore[arg-type]


def _manager_of(app: FastAPI, key: str, email: str) -> str:
    with session_scope(app.state.sessions) as session:
        org = session.scalar(select(Organisation).where(Organisation.key == key))
        assert org is not None
        user = create_user(
            session, email=email, password=PASSWORD, role="manager", organisation_id=org.id
        )
        return create_token(session, user=user)[1]


def test_the_seed_partnerships_are_listed(client: TestClient) -> None:
    rows = client.get(PARTNERSHIPS).json()
    assert len(rows) == 5
    assert [r["provider_name"] for r in rows[:3]] == ["EQL", "DORANCO", "WEBFORCE3"]
    assert {r["status"] for r in rows} == {"active"}
    assert all(r["source"].startswith("Cluster Atlas issue 13 seed wording") for r in rows)
    assert client.get(PARTNERSHIPS, params={"status": "ended"}).json() == []
    assert client.get(PARTNERSHIPS, params={"status": "paused"}).status_code == 422


def test_a_cluster_manager_records_and_the_provider_ends_a_partnership(
    app: FastAPI, client: TestClient, users: Users
) -> None:
    ids = _ids(app)
    pyla = ids["provider:pyla"]
    body = {
        "cluster_id": users.managed_id,
        "provider_organisation_id": pyla,
        "purpose": "laser safety courses for our members",
        "started_on": "2026-09-01",
    }
    assert client.post(PARTNERSHIPS, json=body).status_code == 401
    other = _manager_of(app, "fr:systematic-paris-region", "m@systematic.example")
    refused = client.post(PARTNERSHIPS, json=body, headers=Users.auth(other))
    assert refused.status_code == 403, refused.text
    created = client.post(PARTNERSHIPS, json=body, headers=Users.auth(users.manager))
    assert created.status_code == 201, created.text
    row = created.json()
    assert (row["cluster_id"], row["provider_organisation_id"], row["provider_name"]) == (
        users.managed_id, pyla, "PYLA",
    )  # fmt: skip
    assert (row["status"], row["started_on"], row["version"]) == ("active", "2026-09-01", 1)
    again = client.post(PARTNERSHIPS, json=body, headers=Users.auth(users.manager))
    assert again.status_code == 409
    # both profiles show it
    mine = client.get(f"{ORGS}/{users.managed_id}").json()["training_partnerships"]
    assert [(p["id"], p["provider_organisation_id"]) for p in mine] == [(row["id"], pyla)]
    theirs = client.get(f"{ORGS}/{pyla}").json()["training_partnerships"]
    assert [p["cluster_id"] for p in theirs] == [None, users.managed_id]  # ALPHA-RLH, ours
    # the provider's manager ends it
    url = f"{PARTNERSHIPS}/{row['id']}"
    provider = _manager_of(app, "provider:pyla", "m@pyla.example")
    assert client.patch(url, json={"status": "ended"}).status_code == 401
    assert client.patch(url, json={"status": "ended"}, headers=Users.auth(other)).status_code == (
        403
    )
    stale = client.patch(url, json={"status": "ended", "version": 9}, headers=Users.auth(provider))
    assert stale.status_code == 409
    ended = client.patch(
        url, json={"status": "ended", "ended_on": "2026-12-31", "version": 1},
        headers=Users.auth(provider),
    )  # fmt: skip
    assert ended.status_code == 200, ended.text
    assert (ended.json()["status"], ended.json()["ended_on"]) == ("ended", "2026-12-31")
    assert client.get(PARTNERSHIPS, params={"status": "ended"}).json()[0]["id"] == row["id"]
    with session_scope(app.state.sessions) as session:
        entries = history(session, entity="training_partnership", entity_id=row["id"])
        assert [(e.action, e.actor) for e in entries] == [
            ("update", "m@pyla.example"), ("create", "manager@example.org"),
        ]  # fmt: skip
    assert (
        client.patch(
            f"{PARTNERSHIPS}/999999", json={"status": "ended"}, headers=Users.auth(users.admin)
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"provider_organisation_id": "managed"}, "provider_organisation_id"),
        ({"cluster_id": "pyla"}, "cluster_id"),
        ({"purpose": ""}, "purpose"),
        ({"started_on": "someday"}, "started_on"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_field_is_a_422_naming_it(
    app: FastAPI, client: TestClient, users: Users, change: dict[str, object], field: str
) -> None:
    ids = _ids(app)
    body: dict[str, object] = {
        "cluster_id": users.other_id, "provider_organisation_id": ids["provider:eql"],
        "purpose": "x",
    }  # fmt: skip
    for name, value in change.items():
        body[name] = {"managed": users.managed_id, "pyla": ids["provider:pyla"]}.get(
            str(value), value
        )
    answer = client.post(PARTNERSHIPS, json=body, headers=Users.auth(users.admin))
    assert answer.status_code == 422, answer.text
    assert field in str(answer.json()["detail"])


# --- programmes -------------------------------------------------------------------------

PROGRAMMES = "/api/v1/skills/programmes"
BATTERY = (
    "Battery chemistry for technicians: lithium-ion cells, battery chemistry and safety of "
    "battery packs, battery testing"
)
BATTERY_CHEMISTRY = "http://data.europa.eu/esco/skill/84cc8c9d-db57-42ec-8948-9b632bf06124"
"""ESCO skill 'battery chemistry' (no seed programme is tagged with it automatically)."""


def test_a_provider_manager_records_a_programme_that_is_tagged_and_matched(
    app: FastAPI, client: TestClient, users: Users
) -> None:
    pytest.importorskip("sklearn")
    ids = _ids(app)
    emia = ids["provider:e-mobility-industry-academy"]
    token = _manager_of(app, "provider:e-mobility-industry-academy", "m@emia.example")
    before = client.post("/api/v1/skills/match", json={"skills": [BATTERY_CHEMISTRY]}).json()
    assert before["matches"] == [] and [g["skill_id"] for g in before["gap"]] == [BATTERY_CHEMISTRY]
    body = {
        "provider_organisation_id": emia,
        "title": "Battery chemistry",
        "description": BATTERY,
        "duration_hours": 35,
        "format": "blended",
        "language": "fr",
    }
    assert client.post(PROGRAMMES, json=body).status_code == 401
    cluster = client.post(PROGRAMMES, json=body, headers=Users.auth(users.manager))
    assert cluster.status_code == 403, cluster.text
    created = client.post(PROGRAMMES, json=body, headers=Users.auth(token))
    assert created.status_code == 201, created.text
    row = created.json()
    assert row["programme_id"] == "e-mobility-industry-academy-1"
    assert (row["provider_name"], row["duration_hours"], row["format"], row["version"]) == (
        "E-MOBILITY-INDUSTRY-ACADEMY", 35.0, "blended", 1,
    )  # fmt: skip
    assert row["status"] == "CONFIRMED"  # stated by the provider's own manager
    assert BATTERY_CHEMISTRY in {t["skill_id"] for t in row["tags"]}
    listed = client.get(PROGRAMMES).json()["programmes"]
    assert [p["programme_id"] for p in listed][-1] == "e-mobility-industry-academy-1"
    assert len(listed) == 8
    after = client.post("/api/v1/skills/match", json={"skills": [BATTERY_CHEMISTRY]}).json()
    assert [m["programme_id"] for m in after["matches"]] == ["e-mobility-industry-academy-1"]
    assert after["gap"] == []
    # the id is taken now
    taken = client.post(
        PROGRAMMES, json={**body, "programme_id": "pyla-laser"}, headers=Users.auth(token)
    )
    assert taken.status_code == 409
    # a change of text is tagged again; a stale version is 409
    url = f"{PROGRAMMES}/e-mobility-industry-academy-1"
    assert (
        client.patch(url, json={"title": "x", "version": 7}, headers=Users.auth(token)).status_code
        == 409
    )
    changed = client.patch(
        url, json={"title": "Beekeeping", "description": "honey bees and hives", "version": 1},
        headers=Users.auth(token),
    )  # fmt: skip
    assert changed.status_code == 200, changed.text
    assert BATTERY_CHEMISTRY not in {t["skill_id"] for t in changed.json()["tags"]}
    assert (
        client.patch(url, json={"title": "y"}, headers=Users.auth(users.manager)).status_code == 403
    )
    # deleting it: 204, then 404; audit rows for create, update and delete
    assert client.delete(url).status_code == 401
    assert client.delete(url, headers=Users.auth(users.manager)).status_code == 403
    assert client.delete(url, headers=Users.auth(token)).status_code == 204
    assert client.get(url).status_code == 404
    assert client.delete(url, headers=Users.auth(token)).status_code == 404
    with session_scope(app.state.sessions) as session:
        actions = [
            (e.action, e.actor) for e in history(session, entity="training_programme", limit=3)
        ]
        assert actions == [
            ("delete", "m@emia.example"), ("update", "m@emia.example"),
            ("create", "m@emia.example"),
        ]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"duration_hours": -1}, "duration_hours"),
        ({"format": "by post"}, "format"),
        ({"language": "French"}, "language"),
        ({"programme_id": "-bad id"}, "programme_id"),
        ({"provider_organisation_id": "managed"}, "provider_organisation_id"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_programme_field_is_a_422_naming_it(
    app: FastAPI, client: TestClient, users: Users, change: dict[str, object], field: str
) -> None:
    ids = _ids(app)
    body: dict[str, object] = {"provider_organisation_id": ids["provider:pyla"], "title": "T"}
    for name, value in change.items():
        body[name] = users.managed_id if value == "managed" else value
    answer = client.post(PROGRAMMES, json=body, headers=Users.auth(users.admin))
    assert answer.status_code == 422, answer.text
    assert field in str(answer.json()["detail"])
