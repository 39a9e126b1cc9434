"""Whom to meet through the API: ranked, explained, private, checked against scikit-learn.

Three organisations; p1 asks for laser welding, p2 offers it, p3 offers bakery products and
p4, p1's colleague, offers laser welding too. Only text can score here (the organisations are
not in the packaged seed and the items name no clusters or stages), so p2 is the one
participant to recommend to p1, its text part is the TF-IDF cosine of the two items (computed
below with scikit-learn, fitted on all the event's items as the recommender does), and the
score is that part times its weight.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from _api_support import PASSWORD, Users
from fastapi import FastAPI
from starlette.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from _meet_support import TINY_EVENT

from clusteratlas.registry import create_organisation, create_token, create_user, session_scope

API = "/api/v1/events/advice2024"
EVENT = TINY_EVENT.replace('id = "tiny2024"', 'id = "advice2024"').replace(
    "[event.registration]\nopens = 2024-03-01T09:00:00\ncloses = 2024-04-30T23:59:00\n", ""
)
ITEMS = {
    "p1": ("request", "laser welding equipment for battery packs"),
    "p2": ("offer", "laser welding equipment and welding services"),
    "p3": ("offer", "organic bakery products"),
    "p4": ("offer", "laser welding equipment"),
}


@pytest.fixture(scope="module")
def event(client: TestClient, app: FastAPI, users: Users) -> dict[str, tuple[int, dict]]:
    """The event, open, with four participants and their items: name -> (id, auth headers)."""
    made: dict[str, tuple[int, dict]] = {}
    with session_scope(app.state.sessions) as session:
        orgs = [create_organisation(session, actor=None, data={"name": f"Advice {k}",
                                                               "country": "BE"}).id
                for k in ("A", "B", "C")]  # fmt: skip
        tokens = {}
        for name in ("organiser", *ITEMS):
            user = create_user(session, email=f"{name}@advice.example.org", password=PASSWORD)
            tokens[name] = (user.id, Users.auth(create_token(session, user=user)[1]))
    admin = Users.auth(users.admin)
    assert (
        client.post("/api/v1/events", json={"definition": EVENT}, headers=admin).status_code == 201
    )
    grant = client.post(
        f"{API}/organisers", json={"user_id": tokens["organiser"][0]}, headers=admin
    )
    assert grant.status_code == 201
    opened = client.post(f"{API}/status", json={"status": "open"}, headers=tokens["organiser"][1])
    assert opened.status_code == 200, opened.text
    made["organiser"] = tokens["organiser"]
    for name, org, country in (("p1", orgs[0], "BE"), ("p2", orgs[1], "DE"), ("p3", orgs[2], "FR"),
                               ("p4", orgs[0], "BE")):  # fmt: skip
        headers = tokens[name][1]
        joined = client.post(f"{API}/participants", headers=headers,
                             json={"organisation_id": org, "type": "SME", "country": country})  # fmt: skip
        assert joined.status_code == 201, joined.text
        pid = joined.json()["id"]
        kind, title = ITEMS[name]
        item = client.post(f"{API}/participants/{pid}/items", headers=headers,
                           json={"kind": kind, "category": "product", "title": title})  # fmt: skip
        assert item.status_code == 201, item.text
        made[name] = (pid, headers)
    return made


def _expected_text_part() -> float:
    text = pytest.importorskip("sklearn.feature_extraction.text")
    docs = [title for _, title in ITEMS.values()]
    vectors = text.TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(docs)
    return float((vectors[0] @ vectors[1].T).toarray()[0, 0])  # rows are L2-normalised


def test_recommendations_rank_and_explain(client: TestClient, event: dict) -> None:
    p1, headers = event["p1"]
    r = client.get(f"{API}/participants/{p1}/recommendations", headers=headers)
    assert r.status_code == 200, r.text
    people = [row for row in r.json() if row["kind"] == "participant"]
    # p3 matches nothing, p4 is p1's colleague: p2 alone.
    assert [row["candidate"] for row in people] == [event["p2"][0]]
    best = people[0]
    assert best["rank"] == 1
    assert best["parts"]["text"] == pytest.approx(_expected_text_part(), abs=1e-9)
    assert best["parts"]["text"] > 0.3
    assert best["score"] == pytest.approx(
        sum(best["parts"][c] * best["weights"][c] for c in best["parts"]), abs=1e-12
    )
    assert sum(best["weights"].values()) == pytest.approx(1.0)
    assert best["explanation"]
    items = [row for row in r.json() if row["kind"] == "item"]
    assert items and items[0]["candidate"] == event["p2"][0] and items[0]["item_id"] is not None


def test_recommendations_are_private(client: TestClient, event: dict) -> None:
    p1, _ = event["p1"]
    url = f"{API}/participants/{p1}/recommendations"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=event["p2"][1]).status_code == 403
    assert client.get(url, headers=event["organiser"][1]).status_code == 200
    assert client.get(f"{API}/participants/999999/recommendations",
                      headers=event["organiser"][1]).status_code == 404  # fmt: skip
    assert client.get(f"{url}?top=0", headers=event["p1"][1]).status_code == 422


def test_people_already_asked_are_not_recommended_again(client: TestClient, event: dict) -> None:
    p1, headers = event["p1"]
    asked = client.post(f"{API}/requests", json={"to": event["p2"][0]}, headers=headers)
    assert asked.status_code == 201, asked.text
    r = client.get(f"{API}/participants/{p1}/recommendations?kind=participant", headers=headers)
    assert r.status_code == 200
    assert r.json() == []


def test_items_with_an_unknown_value_chain_stage_are_refused(
    client: TestClient, event: dict
) -> None:
    p3, headers = event["p3"]
    r = client.post(f"{API}/participants/{p3}/items", headers=headers,
                    json={"kind": "offer", "category": "project_partner", "title": "Pilot line",
                          "stages": ["automotive:partz"]})  # fmt: skip
    assert r.status_code == 422
    assert "automotive:partz" in r.json()["detail"] and "chain:stage" in r.json()["detail"]
