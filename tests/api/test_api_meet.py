"""The events (Meet) routes: a whole event life cycle, roles, privacy, concurrency, exports.

The event is the tiny one of ``tests/unit/_meet_support.py`` (three 20-minute slots, one
table) without a registration window; its schedule is worked out by hand there.
"""

from __future__ import annotations

import re
import sys
import threading
from pathlib import Path

import pytest
from _api_support import PASSWORD, Users
from fastapi import FastAPI
from starlette.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from _meet_support import SLOT1, SLOT2, TINY_EVENT

from clusteratlas.registry import create_organisation, create_token, create_user, session_scope
from clusteratlas.registry.models import User

API = "/api/v1/events"
EVENT = re.sub(r"\[event\.registration\]\nopens = .*\ncloses = .*\n", "", TINY_EVENT)


@pytest.fixture(scope="module")
def people(app: FastAPI, users: Users) -> dict[str, object]:
    """An organiser and four would-be participants (tokens), and one organisation."""
    with session_scope(app.state.sessions) as session:
        org = create_organisation(
            session, actor=None, data={"name": "Meet Cluster", "country": "BE"}
        )
        made = {}
        for name in ("organiser", "p1", "p2", "p3", "p4"):
            user = create_user(session, email=f"{name}@meet.example.org", password=PASSWORD)
            made[name] = (user.id, create_token(session, user=user)[1])
        # A second session of p2, for the concurrency test.
        made["p2bis"] = (
            made["p2"][0],
            create_token(session, user=session.get(User, made["p2"][0]))[1],
        )
        return {"org": org.id, **made}


def _h(people: dict, name: str) -> dict[str, str]:
    return Users.auth(people[name][1])


@pytest.fixture(scope="module")
def life(client: TestClient, users: Users, people: dict) -> dict[str, int]:
    """Create, open and fill the event through the API; return the participants' ids."""
    admin = Users.auth(users.admin)
    created = client.post(API, json={"definition": EVENT}, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "draft"
    grant = client.post(
        f"{API}/tiny2024/organisers", json={"user_id": people["organiser"][0]}, headers=admin
    )
    assert grant.status_code == 201
    opened = client.post(
        f"{API}/tiny2024/status", json={"status": "open"}, headers=_h(people, "organiser")
    )
    assert opened.json()["status"] == "open"
    ids = {}
    for name, kind, country in (("p1", "SME", "BE"), ("p2", "SME", "DE"), ("p3", "start-up", "DE"),
                                ("p4", "policy maker", "FR")):  # fmt: skip
        r = client.post(f"{API}/tiny2024/participants", headers=_h(people, name),
                        json={"organisation_id": people["org"], "type": kind, "country": country,
                              "languages": ["en"]})  # fmt: skip
        assert r.status_code == 201, r.text
        ids[name] = r.json()["id"]
    return ids


def test_anonymous_and_wrong_role_writes_are_refused(
    client: TestClient, users: Users, people: dict, life: dict
) -> None:
    assert client.post(API, json={"definition": EVENT}).status_code == 401
    assert client.post(API, json={"definition": EVENT}, headers=_h(people, "p1")).status_code == 403
    assert client.post(f"{API}/tiny2024/status", json={"status": "scheduling"}).status_code == 401
    r = client.post(
        f"{API}/tiny2024/status", json={"status": "scheduling"}, headers=_h(people, "p1")
    )
    assert r.status_code == 403 and "organiser" in r.json()["detail"]
    r = client.post(
        f"{API}/tiny2024/organisers",
        json={"user_id": people["p1"][0]},
        headers=_h(people, "organiser"),
    )
    assert r.status_code == 403
    assert (
        client.post(f"{API}/tiny2024/schedule", json={}, headers=_h(people, "p1")).status_code
        == 403
    )
    assert client.get(f"{API}/tiny2024/stats", headers=_h(people, "p1")).status_code == 403
    assert (
        client.get(f"{API}/tiny2024/export/requests", headers=_h(people, "p1")).status_code == 403
    )
    assert client.post(f"{API}/tiny2024/participants", json={"organisation_id": people["org"],
                       "type": "SME", "country": "BE"}).status_code == 401  # fmt: skip


def test_bad_input_gets_a_clear_4xx(
    client: TestClient, users: Users, people: dict, life: dict
) -> None:
    admin = Users.auth(users.admin)
    r = client.post(
        API, json={"definition": EVENT.replace("tables = 1", "tables = 0")}, headers=admin
    )
    assert r.status_code == 422 and "sessions[1].tables" in r.json()["detail"]
    r = client.post(API, json={"definition": "[event"}, headers=admin)
    assert r.status_code == 422 and "not valid TOML" in r.json()["detail"]
    r = client.put(f"{API}/tiny2024/participants/{life['p1']}/availability",
                   json={"slots": ["2024-05-07T09:00:00+02:00"]}, headers=_h(people, "p1"))  # fmt: skip
    assert r.status_code == 422 and "not a slot of 'tiny2024'" in r.json()["detail"]
    assert client.get(f"{API}/nope", headers=admin).status_code == 404
    r = client.post(f"{API}/tiny2024/participants", headers=_h(people, "p1"),
                    json={"organisation_id": people["org"], "type": "SME", "country": "BE"})  # fmt: skip
    assert r.status_code == 409 and "already registered" in r.json()["detail"]


def test_availability_and_notes_are_private(client: TestClient, people: dict, life: dict) -> None:
    url = f"{API}/tiny2024/participants/{life['p1']}/availability"
    assert client.put(url, json={"slots": [SLOT1, SLOT2]}, headers=_h(people, "p1")).json()[
        "slots"
    ] == [SLOT1, SLOT2]
    assert client.get(url, headers=_h(people, "p2")).status_code == 403
    assert client.get(url).status_code == 401
    assert client.get(url, headers=_h(people, "organiser")).json()["slots"] == [SLOT1, SLOT2]
    assert client.put(url, json={"slots": [SLOT1]}, headers=_h(people, "p2")).status_code == 403


def test_concurrent_acceptance_leaves_one_state(
    app: FastAPI, client: TestClient, users: Users, people: dict, life: dict
) -> None:
    made = client.post(f"{API}/tiny2024/requests", json={"to": life["p2"], "message": "coffee?"},
                       headers=_h(people, "p1"))  # fmt: skip
    assert made.status_code == 201, made.text
    url = f"{API}/tiny2024/requests/{made.json()['id']}/accept"
    start = threading.Barrier(2)
    codes: list[int] = []

    def accept(who: str) -> None:
        with TestClient(app) as own:
            start.wait()
            codes.append(own.post(url, json={"message": who}, headers=_h(people, who)).status_code)

    threads = [threading.Thread(target=accept, args=(w,)) for w in ("p2", "p2bis")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [200, 409]
    mine = client.get(f"{API}/tiny2024/requests", headers=_h(people, "p2")).json()
    assert [(r["id"], r["status"]) for r in mine] == [(made.json()["id"], "accepted")]
    audit = client.get("/api/v1/audit", params={"entity": "meet_request", "entity_id": made.json()["id"]},
                       headers=Users.auth(users.admin))  # fmt: skip
    assert [e["action"] for e in audit.json()] == ["accept", "create"]


def test_life_cycle_to_schedule_agenda_and_stats(
    client: TestClient, people: dict, life: dict
) -> None:
    icalendar = pytest.importorskip("icalendar")
    # Runs after the tests above (file order), which set p1's availability and accepted 1-2.
    org = _h(people, "organiser")
    # p1-p2 accepted (concurrency test). p3 is free at 14:00 and 14:20 only; p1 at 14:00, 14:20.
    client.put(f"{API}/tiny2024/participants/{life['p3']}/availability", json={"slots": [SLOT1, SLOT2]},
               headers=_h(people, "p3"))  # fmt: skip
    r13 = client.post(
        f"{API}/tiny2024/requests", json={"to": life["p3"]}, headers=_h(people, "p1")
    ).json()
    assert (
        client.post(
            f"{API}/tiny2024/requests/{r13['id']}/accept", json={}, headers=_h(people, "p3")
        ).status_code
        == 200
    )
    r34 = client.post(
        f"{API}/tiny2024/proposals", json={"a": life["p3"], "b": life["p4"]}, headers=org
    ).json()
    assert r34["proposed"] is True
    client.post(
        f"{API}/tiny2024/requests/{r34['id']}/decline",
        json={"message": "no"},
        headers=_h(people, "p4"),
    )
    assert (
        client.post(f"{API}/tiny2024/schedule", json={}, headers=org).status_code == 409
    )  # still open
    client.post(f"{API}/tiny2024/status", json={"status": "scheduling"}, headers=org)
    done = client.post(f"{API}/tiny2024/schedule", json={"time_limit": 20}, headers=org)
    assert done.status_code == 200, done.text
    # 1-2 and 1-3 both accepted; p1 and p3 share 14:00 and 14:20, p2 is free in all three:
    # both fit (one table per slot), 2 x 100 + fairness 1 x min(1, 2, 1) = 201 (p4 asked none).
    body = done.json()
    assert (body["meetings"], body["status"], body["objective"], body["gap"]) == (
        2,
        "optimal",
        201.0,
        0.0,
    )
    all_meetings = client.get(f"{API}/tiny2024/meetings", headers=org).json()
    slots = sorted((m["slot"], m["table"]) for m in all_meetings)
    assert slots == [(SLOT1, 1), (SLOT2, 1)]  # no slot holds more than its one table
    mine = client.get(f"{API}/tiny2024/meetings", headers=_h(people, "p2")).json()
    assert len(mine) == 1 and {mine[0]["a"], mine[0]["b"]} == {life["p1"], life["p2"]}
    note = client.put(f"{API}/tiny2024/meetings/{mine[0]['id']}/note", json={"note": "=secret"},
                      headers=_h(people, "p2"))  # fmt: skip
    assert note.json()["note"] == "=secret"
    assert all(
        m["note"] is None
        for m in client.get(f"{API}/tiny2024/meetings", headers=_h(people, "p1")).json()
    )
    assert all(
        m["note"] is None for m in client.get(f"{API}/tiny2024/meetings", headers=org).json()
    )
    assert client.get(f"{API}/tiny2024/agenda.ics", headers=_h(people, "p2")).status_code == 409
    client.post(f"{API}/tiny2024/status", json={"status": "published"}, headers=org)
    ics = client.get(f"{API}/tiny2024/agenda.ics", headers=_h(people, "p1"))
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    events = icalendar.Calendar.from_ical(ics.content).walk("VEVENT")
    starts = sorted(e.decoded("dtstart").isoformat() for e in events)
    assert starts == [SLOT1, SLOT2]
    assert client.get(f"{API}/tiny2024/agenda.ics", headers=_h(people, "p4")).status_code == 200
    rated = client.post(f"{API}/tiny2024/meetings/{mine[0]['id']}/rating",
                        json={"score": 5, "cooperation": True}, headers=_h(people, "p2"))  # fmt: skip
    assert rated.status_code == 200, rated.text
    stats = client.get(f"{API}/tiny2024/stats", headers=org).json()
    # Requests: 1-2 accepted, 1-3 accepted, 3-4 declined: acceptance 2 / 3.
    assert stats["acceptance_rate"] == pytest.approx(2 / 3)
    assert stats["by_country"] == {"BE": 1, "DE": 2, "FR": 1}
    assert (stats["meetings_scheduled"], stats["meetings_held"], stats["coverage"]) == (2, 1, 0.75)
    csv = client.get(f"{API}/tiny2024/export/requests", params={"format": "csv"}, headers=org)
    assert csv.status_code == 200 and csv.text.splitlines()[0].startswith("id,from,to,status")
    items = client.post(f"{API}/tiny2024/participants/{life['p1']}/items", headers=_h(people, "p1"),
                        json={"kind": "offer", "category": "expertise", "title": "=HYPERLINK(1)"})  # fmt: skip
    assert items.status_code == 201
    exported = client.get(
        f"{API}/tiny2024/export/items", params={"format": "csv"}, headers=org
    ).text
    assert "'=HYPERLINK(1)" in exported
    assert "secret" not in client.get(f"{API}/tiny2024/export/meetings", headers=org).text
    plan = client.get(f"{API}/tiny2024/export/plan", headers=org).json()
    assert len(plan["rows"]) == 2 and {r["organisation_a"] for r in plan["rows"]} == {
        "Meet Cluster"
    }
    cal = client.get(f"{API}/tiny2024/calendar.ics")
    assert cal.status_code == 200 and b"Tiny Cluster Day: B2B" in cal.content


def test_concurrent_requests_respect_the_limit(
    app: FastAPI, client: TestClient, people: dict, life: dict
) -> None:
    # After the life cycle (published event): p4 has sent nothing; the limit becomes 1.
    limited = client.patch(
        f"{API}/tiny2024", json={"request_limit": 1}, headers=_h(people, "organiser")
    )
    assert limited.json()["request_limit"] == 1
    start = threading.Barrier(2)
    codes: list[int] = []

    def ask(to: str) -> None:
        with TestClient(app) as own:
            start.wait()
            r = own.post(
                f"{API}/tiny2024/requests", json={"to": life[to]}, headers=_h(people, "p4")
            )
            codes.append(r.status_code)

    threads = [threading.Thread(target=ask, args=(to,)) for to in ("p1", "p2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [201, 409]
    sent = [r for r in client.get(f"{API}/tiny2024/requests", headers=_h(people, "p4")).json()
            if r["from"] == life["p4"]]  # fmt: skip
    assert len(sent) == 1


def test_packaged_european_cluster_conference(client: TestClient, users: Users) -> None:
    admin = Users.auth(users.admin)
    both = client.post(API, json={"packaged": "ecc2024", "definition": EVENT}, headers=admin)
    assert both.status_code == 422 and "exactly one" in both.json()["detail"]
    made = client.post(API, json={"packaged": "ecc2024"}, headers=admin)
    assert made.status_code == 201, made.text
    body = made.json()
    # The facts of issue 12: 9th edition, 7-8 May 2024, Square, Brussels.
    assert (body["start_date"], body["end_date"], body["city"]) == (
        "2024-05-07",
        "2024-05-08",
        "Brussels",
    )
    assert body["venue"].startswith("Square") and "9th edition" in body["name"]
    assert body["synthetic"] == ["status", "registration", "sessions"] and body["status"] == "draft"
    assert client.get(f"{API}/ecc2024").status_code == 404  # a draft: organisers only
    slots = client.get(f"{API}/ecc2024/slots", headers=admin).json()
    # Day 1 14:00-17:00 and day 2 09:30-12:30 in 20-minute slots around a 20-minute break:
    # 8 slots a day, 75 tables each.
    assert len(slots) == 16 and {s["tables"] for s in slots} == {75}
    assert (slots[0]["slot"], slots[4]["slot"]) == (
        "2024-05-07T14:00:00+02:00",
        "2024-05-07T15:40:00+02:00",
    )
    assert slots[8]["slot"] == "2024-05-08T09:30:00+02:00"
