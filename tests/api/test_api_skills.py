"""The skills routes: ESCO search and tagging, the seed offer, matching a need, cluster needs.

Expected values are worked out from the definitions, not read from the code's output: a
need whose skills are exactly a programme's tags is covered at 1; a need of two of a
programme's tags and two skills no programme has is covered at 2/4 = 0.5 with those two as
the gap; an ESCO preferred label searched verbatim finds its own concept first.
"""

from __future__ import annotations

import sys

import pytest
from _api_support import PASSWORD, Users
from fastapi import FastAPI

from clusteratlas.registry import create_token, create_user, session_scope
from clusteratlas.registry.audit import history
from conftest import TestClient

BASE = "/api/v1/skills"
ESCO = "ESCO – European Skills, Competences, Qualifications and Occupations"
LASER_CUTTING = "http://data.europa.eu/esco/skill/45bef06d-dba9-4192-9805-2f7d27523638"
"""ESCO skill 'operate laser cutting equipment' (v1.2)."""
BEEKEEPING_QUERY = "beekeeping honey bees hives"


def _attribution_ok(text: str) -> None:
    assert ESCO in text
    assert "© European Union" in text and "CC BY 4.0" in text


def test_esco_search_finds_a_preferred_label_first(client: TestClient) -> None:
    answer = client.get(f"{BASE}/esco", params={"q": "operate laser cutting equipment"})
    assert answer.status_code == 200
    body = answer.json()
    _attribution_ok(body["attribution"])
    first = body["results"][0]
    assert first["uri"] == LASER_CUTTING
    assert first["label"].startswith("operate laser cutting equipment")
    scores = [r["score"] for r in body["results"]]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 1 for s in scores)
    assert [r["rank"] for r in body["results"]] == list(range(1, len(scores) + 1))


def test_esco_search_occupations_and_limit(client: TestClient) -> None:
    answer = client.get(f"{BASE}/esco", params={"q": "welder", "kind": "occupation", "limit": 3})
    assert answer.status_code == 200
    results = answer.json()["results"]
    assert len(results) == 3
    assert all(r["uri"].startswith("http://data.europa.eu/esco/") for r in results)
    assert all("/skill/" not in r["uri"] for r in results)
    assert "welder" in results[0]["label"].lower()


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"q": "laser", "language": "fr"}, "language"),
        ({"q": "laser", "kind": "company"}, "kind"),
        ({"q": "laser", "limit": 0}, "limit"),
        ({"q": ""}, "q"),
    ],
)
def test_esco_search_bad_parameters(
    client: TestClient, params: dict[str, object], names: str
) -> None:
    answer = client.get(f"{BASE}/esco", params=params)
    assert answer.status_code == 422
    assert names in answer.json()["detail"]


def test_seed_providers_partnerships_and_programmes(client: TestClient) -> None:
    providers = client.get(f"{BASE}/providers").json()
    names = {p["name"] for p in providers}
    assert {"EQL", "DORANCO", "WEBFORCE3", "PYLA"} <= names
    assert all(p["name_status"] == "CONFIRMED" for p in providers)
    assert all(p["details_status"].startswith("UNCONFIRMED") for p in providers)

    partnerships = client.get(f"{BASE}/partnerships").json()
    systematic = [p for p in partnerships if p["cluster_key"] == "fr:systematic-paris-region"]
    assert sorted(p["provider_name"] for p in systematic) == ["DORANCO", "EQL", "WEBFORCE3"]
    assert all("EQL, DORANCO, WEBFORCE3" in p["source"] for p in systematic)

    body = client.get(f"{BASE}/programmes").json()
    _attribution_ok(body["attribution"])
    laser = next(p for p in body["programmes"] if p["programme_id"] == "pyla-laser")
    assert laser["provider_name"] == "PYLA"
    assert laser["status"].startswith("UNCONFIRMED")
    assert laser["duration_hours"] is None  # unknown, not 0
    assert 1 <= len(laser["tags"]) <= 10
    assert [t["rank"] for t in laser["tags"]] == list(range(1, len(laser["tags"]) + 1))
    assert any("laser" in t["label"] for t in laser["tags"])


def test_tag_a_text(client: TestClient) -> None:
    answer = client.post(f"{BASE}/tag", json={"text": "operate laser cutting equipment", "top": 2})
    assert answer.status_code == 200
    body = answer.json()
    assert body["results"][0]["uri"] == LASER_CUTTING
    assert len(body["results"]) == 2
    _attribution_ok(body["attribution"])


def test_tag_limits(client: TestClient) -> None:
    too_long = client.post(f"{BASE}/tag", json={"text": "laser " * 1000})
    assert too_long.status_code == 422 and "text" in too_long.json()["detail"]
    huge = client.post(
        f"{BASE}/tag",
        content=b'{"text": "' + b"a" * (70 * 1024) + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert huge.status_code == 413
    extra = client.post(f"{BASE}/tag", json={"text": "laser", "colour": "red"})
    assert extra.status_code == 422


def _programme_tags(client: TestClient, programme_id: str) -> list[str]:
    body = client.get(f"{BASE}/programmes").json()
    found = next(p for p in body["programmes"] if p["programme_id"] == programme_id)
    return [t["skill_id"] for t in found["tags"]]


def _untagged_skills(client: TestClient, count: int) -> list[str]:
    """ESCO skills no seed programme is tagged with (bee-keeping: far from every seed subject)."""
    tagged = {t["skill_id"] for p in client.get(f"{BASE}/programmes").json()["programmes"]
              for t in p["tags"]}  # fmt: skip
    found = client.get(f"{BASE}/esco", params={"q": BEEKEEPING_QUERY, "limit": 20}).json()
    free = [r["uri"] for r in found["results"] if r["uri"] not in tagged]
    assert len(free) >= count
    return free[:count]


def test_match_exact_tags_cover_the_need(client: TestClient) -> None:
    tags = _programme_tags(client, "pyla-optics-photonics")
    answer = client.post(f"{BASE}/match", json={"skills": tags, "people": 3})
    assert answer.status_code == 200
    body = answer.json()
    first = body["matches"][0]
    assert first["programme_id"] == "pyla-optics-photonics"
    assert first["coverage"] == 1.0
    assert first["n_shared"] == first["n_needed"] == len(tags)
    assert first["gap_skills"] == []
    assert {s["skill_id"] for s in first["shared_skills"]} == set(tags)
    assert all(s["source"] == "stated" and s["score"] is None for s in body["needed"])
    assert body["gap"] == []
    _attribution_ok(body["attribution"])


def test_match_partial_overlap_share_and_gap(client: TestClient) -> None:
    tags = _programme_tags(client, "pyla-laser")[:2]
    others = _untagged_skills(client, 2)
    answer = client.post(f"{BASE}/match", json={"skills": tags + others, "region": "FRI1"})
    assert answer.status_code == 200
    body = answer.json()
    laser = next(m for m in body["matches"] if m["programme_id"] == "pyla-laser")
    assert laser["coverage"] == pytest.approx(2 / 4)
    assert [s["skill_id"] for s in laser["shared_skills"]] == tags
    assert {s["skill_id"] for s in laser["gap_skills"]} == set(others)
    assert {s["skill_id"] for s in body["gap"]} == set(others)
    assert laser["reachable"] is False  # seed programmes have no region and no format yet
    assert laser["distance_km"] is None  # nor coordinates: unknown, not 0


def test_match_a_text_explains_with_shared_skills(client: TestClient) -> None:
    text = "laser cutting, laser welding and laser marking of metal parts; laser safety"
    answer = client.post(f"{BASE}/match", json={"text": text, "people": 5, "horizon": "2027"})
    body = answer.json()
    assert answer.status_code == 200
    assert body["matches"][0]["programme_id"] == "pyla-laser"
    for match in body["matches"]:
        assert len(match["shared_skills"]) == match["n_shared"] >= 1
        assert match["coverage"] == pytest.approx(match["n_shared"] / match["n_needed"])
    assert all(s["source"] == "text" and 0 < s["score"] <= 1 for s in body["needed"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "text"),
        ({"text": "   "}, "text"),
        ({"skills": ["http://data.europa.eu/esco/skill/0000-not-a-skill"]}, "skills"),
        ({"skills": ["http://data.europa.eu/esco/occupation/x"]}, "skills"),
        ({"text": "laser", "people": 0}, "people"),
        ({"text": "laser", "format": "by post"}, "format"),
        ({"text": "laser", "top": 500}, "top"),
        ({"text": "laser", "lat": 91}, "lat"),
    ],
)
def test_match_bad_needs(client: TestClient, body: dict[str, object], field: str) -> None:
    answer = client.post(f"{BASE}/match", json=body)
    assert answer.status_code == 422, answer.text
    assert field in answer.json()["detail"]


def test_without_scikit_learn_the_routes_say_how_to_install(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "sklearn", None)  # import sklearn now raises ImportError
    for answer in (
        client.get(f"{BASE}/esco", params={"q": "laser"}),
        client.post(f"{BASE}/tag", json={"text": "laser"}),
        client.post(f"{BASE}/match", json={"text": "laser"}),
    ):
        assert answer.status_code == 503
        assert 'pip install "clusteratlas[skills]"' in answer.json()["detail"]
    assert client.get(f"{BASE}/providers").status_code == 200  # no scikit-learn needed


def test_reads_need_no_sign_in(client: TestClient, users: Users) -> None:
    anonymous = client.get(f"{BASE}/partnerships", headers={})
    assert anonymous.status_code == 200


# --- cluster needs on the registry ------------------------------------------------------


@pytest.fixture(scope="module")
def stranger(app: FastAPI, users: Users) -> str:
    """A token of the other organisation's manager."""
    with session_scope(app.state.sessions) as session:
        user = create_user(
            session,
            email="skills-stranger@example.org",
            password=PASSWORD,
            role="manager",
            organisation_id=users.other_id,
        )
        return create_token(session, user=user)[1]


def _needs(organisation_id: int) -> str:
    return f"/api/v1/organisations/{organisation_id}/skills/needs"


def test_a_manager_posts_edits_and_withdraws_a_need(
    client: TestClient, app: FastAPI, users: Users, stranger: str
) -> None:
    manager, public = Users.auth(users.manager), Users.auth(users.public)
    body = {"text": "laser welding technicians", "people": 4, "horizon": "2027"}
    posted = client.post(_needs(users.managed_id), json=body, headers=manager)
    assert posted.status_code == 201, posted.text
    need = posted.json()
    assert need["region"] == "DED2"  # the organisation's region when none is given
    assert (need["status"], need["version"], need["people"]) == ("open", 1, 4)

    # only the organisation's managers (and administrators) write
    for headers in (public, Users.auth(stranger)):
        assert client.post(_needs(users.managed_id), json=body, headers=headers).status_code == 403
        change = {"version": 1, "people": 9}
        answer = client.patch(f"{BASE}/needs/{need['id']}", json=change, headers=headers)
        assert answer.status_code == 403
    assert client.post(_needs(users.managed_id), json=body).status_code == 401

    # readable by anyone signed in, not anonymously
    assert client.get(_needs(users.managed_id), headers=public).json()[0]["id"] == need["id"]
    assert client.get(f"{BASE}/needs/{need['id']}").status_code == 401

    edited = client.patch(
        f"{BASE}/needs/{need['id']}", json={"version": 1, "people": 6}, headers=manager
    )
    assert edited.status_code == 200 and edited.json()["version"] == 2
    stale = client.patch(
        f"{BASE}/needs/{need['id']}", json={"version": 1, "people": 7}, headers=manager
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2

    withdrawn = client.post(f"{BASE}/needs/{need['id']}/withdraw", headers=manager)
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    again = client.post(f"{BASE}/needs/{need['id']}/withdraw", headers=manager)
    assert again.status_code == 409
    assert client.get(f"{BASE}/needs/{need['id']}", headers=public).status_code == 404
    mine = client.get(_needs(users.managed_id), params={"status": "all"}, headers=manager).json()
    assert need["id"] in [n["id"] for n in mine]

    with session_scope(app.state.sessions) as session:
        entries = history(session, entity="skill_need", entity_id=need["id"])
        assert [e.action for e in reversed(entries)] == ["create", "update", "withdraw"]
        assert entries[1].diff == {"people": {"before": 4, "after": 6}}
        assert entries[0].diff == {"status": {"before": "open", "after": "withdrawn"}}
        assert all(e.actor == "manager@example.org" for e in entries)


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"text": ""}, 422, "text"),
        ({"skills": ["http://data.europa.eu/esco/skill/0000-not-a-skill"]}, 422, "skills"),
        ({"text": "laser", "people": -1}, 422, "people"),
        ({"text": "laser", "format": "correspondence"}, 422, "format"),
        ({"text": "laser", "owner": "me"}, 422, "owner"),
    ],
)
def test_bad_needs_are_refused(
    client: TestClient, users: Users, body: dict[str, object], status: int, field: str
) -> None:
    answer = client.post(_needs(users.managed_id), json=body, headers=Users.auth(users.manager))
    assert answer.status_code == status
    assert field in answer.json()["detail"]


def test_needs_of_an_unknown_organisation(client: TestClient, users: Users) -> None:
    admin = Users.auth(users.admin)
    assert client.post(_needs(999_999), json={"text": "x"}, headers=admin).status_code == 404
    assert client.get(_needs(999_999), headers=admin).status_code == 404


def test_cluster_gaps(client: TestClient, users: Users) -> None:
    """Two needs: the exact tags of a programme (coverage 1), then 2 of its tags + 2 others."""
    admin = Users.auth(users.admin)
    organisation = users.other_id
    optics = _programme_tags(client, "pyla-optics-photonics")
    laser = _programme_tags(client, "pyla-laser")[:2]
    others = _untagged_skills(client, 2)
    first = client.post(_needs(organisation), json={"skills": optics, "people": 2}, headers=admin)
    second = client.post(
        _needs(organisation), json={"skills": laser + others, "people": 5}, headers=admin
    )
    assert first.status_code == second.status_code == 201
    answer = client.get(f"/api/v1/organisations/{organisation}/skills/gaps", headers=admin)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    _attribution_ok(body["attribution"])
    by_need = {m["need"]["id"]: m["result"] for m in body["needs"]}
    exact = by_need[first.json()["id"]]["matches"][0]
    assert (exact["programme_id"], exact["coverage"]) == ("pyla-optics-photonics", 1.0)
    partial = next(
        m for m in by_need[second.json()["id"]]["matches"] if m["programme_id"] == "pyla-laser"
    )
    assert partial["coverage"] == pytest.approx(0.5)
    rows = {r["skill_id"]: r for r in body["skills"]}
    assert set(rows) == set(optics) | set(laser) | set(others)
    for uri in others:
        assert rows[uri]["people"] == 5 and rows[uri]["n_programmes"] == 0 and rows[uri]["gap"]
    # the seed programmes state neither a region nor a format: none is known to be
    # reachable from FR71, so every skill is a gap of the cluster until they are sourced
    assert all(r["gap"] for r in body["skills"])


def test_gaps_need_a_sign_in(client: TestClient, users: Users) -> None:
    answer = client.get(f"/api/v1/organisations/{users.managed_id}/skills/gaps")
    assert answer.status_code == 401
    empty = client.get(
        f"/api/v1/organisations/{users.managed_id}/skills/gaps",
        headers=Users.auth(users.public),
    )
    assert empty.status_code == 200
