"""Registering with a new organisation: stored pending, checked, decided by an administrator.

Checked from outside (HTTP): the participant is registered with the proposal and flagged,
organisers see it, only administrators decide, and approval puts the organisation in the
registry (through its own create_organisation) and gives it to the participant.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from _api_support import PASSWORD, Users
from fastapi import FastAPI
from starlette.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from _meet_support import TINY_EVENT

from clusteratlas.registry import create_organisation, create_token, create_user, session_scope

API = "/api/v1"
EVENTS = f"{API}/events"
EVENT = re.sub(r"\[event\.registration\]\nopens = .*\ncloses = .*\n", "", TINY_EVENT)
NEW = {"name": "Laser Start-up GmbH", "country": "DE", "type": "start-up",
       "website": "https://laser.example.org"}  # fmt: skip


@pytest.fixture(scope="module")
def people(app: FastAPI, client: TestClient, users: Users) -> dict[str, object]:
    """An organiser and three would-be participants of the tiny event, opened."""
    with session_scope(app.state.sessions) as session:
        known = create_organisation(session, actor=None, data={"name": "Known", "country": "BE"})
        made: dict[str, object] = {"known": known.id}
        for name in ("organiser", "p1", "p2", "p3"):
            user = create_user(session, email=f"{name}@proposals.example.org", password=PASSWORD)
            made[name] = create_token(session, user=user)[1]
    admin = Users.auth(users.admin)
    assert client.post(EVENTS, json={"definition": EVENT}, headers=admin).status_code == 201
    with session_scope(app.state.sessions) as session:
        from clusteratlas.meet import service as meet
        from clusteratlas.registry.users import find_user

        organiser = find_user(session, "organiser@proposals.example.org")
        meet.grant_organiser(session, actor=None, slug="tiny2024", user_id=organiser.id)
    r = client.post(f"{EVENTS}/tiny2024/status", json={"status": "open"}, headers=admin)
    assert r.status_code == 200
    return made


def _h(people: dict, name: str) -> dict[str, str]:
    return Users.auth(str(people[name]))


def _register(client: TestClient, people: dict, name: str, **body: object) -> object:
    payload = {"type": "start-up", "country": "DE", **body}
    return client.post(f"{EVENTS}/tiny2024/participants", json=payload, headers=_h(people, name))


def test_new_organisation_is_pending_until_an_admin_approves(
    client: TestClient, users: Users, people: dict
) -> None:
    r = _register(client, people, "p1", new_organisation=NEW)
    assert r.status_code == 201, r.text
    me = r.json()
    assert me["organisation_id"] is None and me["organisation_pending"] is True
    # Organisers see the participant, flagged, in the export too.
    org = client.get(f"{EVENTS}/tiny2024/participants", headers=_h(people, "organiser")).json()
    assert [p["organisation_pending"] for p in org if p["id"] == me["id"]] == [True]
    export = client.get(f"{EVENTS}/tiny2024/export/participants", headers=_h(people, "organiser"))
    rows = export.json()["rows"]
    assert [r["organisation"] for r in rows if r["participant_id"] == str(me["id"])] == [
        "Laser Start-up GmbH (proposed, pending)"
    ]
    # Not in the registry yet.
    found = client.get(f"{API}/organisations", params={"q": "Laser Start-up"}).json()
    assert all(o["name"] != NEW["name"] for o in found.get("items", found))
    # Only administrators see and decide proposals.
    assert client.get(f"{API}/organisation-proposals", headers=_h(people, "p1")).status_code == 403
    assert client.get(f"{API}/organisation-proposals").status_code == 401
    admin = Users.auth(users.admin)
    listed = client.get(f"{API}/organisation-proposals", headers=admin).json()
    (proposal,) = [p for p in listed if p["name"] == NEW["name"]]
    assert proposal["status"] == "pending" and proposal["website"] == NEW["website"]
    refused = client.post(f"{API}/organisation-proposals/{proposal['id']}/approve", json={},
                          headers=_h(people, "organiser"))  # fmt: skip
    assert refused.status_code == 403
    done = client.post(f"{API}/organisation-proposals/{proposal['id']}/approve", json={},
                       headers=admin)  # fmt: skip
    assert done.status_code == 200, done.text
    new_id = done.json()["organisation_id"]
    assert done.json()["status"] == "approved" and new_id is not None
    registry = client.get(f"{API}/organisations/{new_id}").json()["organisation"]
    assert registry["name"] == NEW["name"] and registry["country"] == "DE"
    assert registry["website"] == NEW["website"]
    after = client.get(f"{EVENTS}/tiny2024/participants", headers=_h(people, "organiser")).json()
    (mine,) = [p for p in after if p["id"] == me["id"]]
    assert mine["organisation_id"] == new_id and mine["organisation_pending"] is False
    again = client.post(f"{API}/organisation-proposals/{proposal['id']}/approve", json={},
                        headers=admin)  # fmt: skip
    assert again.status_code == 409 and "already approved" in again.json()["detail"]


def test_duplicate_is_linked_and_a_bad_one_rejected(
    client: TestClient, users: Users, people: dict
) -> None:
    admin = Users.auth(users.admin)
    r = _register(client, people, "p2", new_organisation={**NEW, "name": "Known (again)"})
    assert r.status_code == 201
    (dup,) = [p for p in client.get(f"{API}/organisation-proposals", headers=admin).json()
              if p["name"] == "Known (again)"]  # fmt: skip
    linked = client.post(f"{API}/organisation-proposals/{dup['id']}/approve",
                         json={"organisation_id": people["known"]}, headers=admin)  # fmt: skip
    assert linked.status_code == 200 and linked.json()["organisation_id"] == people["known"]
    me = r.json()["id"]  # type: ignore[attr-defined]
    got = client.get(f"{EVENTS}/tiny2024/participants", headers=_h(people, "organiser")).json()
    assert [p["organisation_id"] for p in got if p["id"] == me] == [people["known"]]

    r = _register(client, people, "p3", new_organisation={**NEW, "name": "Spam Ltd"})
    assert r.status_code == 201
    (spam,) = [p for p in client.get(f"{API}/organisation-proposals", headers=admin).json()
               if p["name"] == "Spam Ltd"]  # fmt: skip
    no_reason = client.post(f"{API}/organisation-proposals/{spam['id']}/reject",
                            json={"reason": " "}, headers=admin)  # fmt: skip
    assert no_reason.status_code == 422 and "'reason'" in no_reason.json()["detail"]
    rejected = client.post(f"{API}/organisation-proposals/{spam['id']}/reject",
                           json={"reason": "Not an organisation"}, headers=admin)  # fmt: skip
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert rejected.json()["organisation_id"] is None
    listed = client.get(
        f"{API}/organisation-proposals", params={"status": "rejected"}, headers=admin
    )
    assert [p["name"] for p in listed.json()] == ["Spam Ltd"]


def test_registration_input_is_checked(client: TestClient, people: dict) -> None:
    both = _register(
        client, people, "organiser", organisation_id=people["known"], new_organisation=NEW
    )
    assert both.status_code == 422 and "either 'organisation_id'" in both.json()["detail"]
    neither = _register(client, people, "organiser")
    assert neither.status_code == 422 and "either 'organisation_id'" in neither.json()["detail"]
    bad = _register(client, people, "organiser", new_organisation={**NEW, "country": "Germany"})
    assert bad.status_code == 422
    web = _register(
        client, people, "organiser", new_organisation={**NEW, "website": "laser.example"}
    )
    assert web.status_code == 422
