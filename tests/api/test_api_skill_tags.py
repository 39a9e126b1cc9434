"""Hand corrections of programme ESCO tags through the API, and matching on the result.

Worked by hand from the definition of coverage (shared / needed): a need stating one skill
is covered at 1/1 by a programme tagged with it and not matched by one without it. "use
laser therapy for skin conditions" is a wrong automatic tag of the industrial laser
programme; "battery chemistry" is a skill of the e-mobility course that its text does not
name (no programme is tagged with it automatically).
"""

from __future__ import annotations

import pytest
from _api_support import Users

from conftest import TestClient

pytest.importorskip("sklearn")

BASE = "/api/v1/skills"
SKIN_LASER = "http://data.europa.eu/esco/skill/09e8e770-b467-4fba-80dd-7e896ada0d5e"
BATTERY_CHEMISTRY = "http://data.europa.eu/esco/skill/84cc8c9d-db57-42ec-8948-9b632bf06124"
UNKNOWN = "http://data.europa.eu/esco/skill/00000000-0000-0000-0000-000000000000"


def _tags_url(programme_id: str) -> str:
    return f"{BASE}/programmes/{programme_id}/tags"


def _matched(client: TestClient, skill: str) -> dict[str, float]:
    answer = client.post(f"{BASE}/match", json={"skills": [skill], "top": 20})
    assert answer.status_code == 200, answer.text
    return {m["programme_id"]: m["coverage"] for m in answer.json()["matches"]}


def test_who_may_correct(client: TestClient, users: Users) -> None:
    body = {"add": [BATTERY_CHEMISTRY]}
    assert client.patch(_tags_url("pyla-laser"), json=body).status_code == 401
    for token in (users.manager, users.public):
        answer = client.patch(_tags_url("pyla-laser"), json=body, headers=Users.auth(token))
        assert answer.status_code == 403, answer.text
        assert "administrators" in answer.json()["detail"]
    programme = client.get(f"{BASE}/programmes/pyla-laser").json()
    assert BATTERY_CHEMISTRY not in {t["skill_id"] for t in programme["tags"]}


@pytest.mark.parametrize(
    ("programme_id", "body", "status", "names"),
    [
        ("no-such-programme", {"add": [BATTERY_CHEMISTRY]}, 404, "no-such-programme"),
        ("pyla-laser", {"add": [UNKNOWN]}, 422, UNKNOWN),
        ("pyla-laser", {"remove": ["http://example.org/skill/x"]}, 422, "remove"),
        ("pyla-laser", {"add": [BATTERY_CHEMISTRY], "colour": "red"}, 422, "colour"),
        ("pyla-laser", {}, 422, "at least one"),
        ("pyla-laser", {"add": [SKIN_LASER], "remove": [SKIN_LASER]}, 422, "both"),
        ("pyla-laser", {"add": [BATTERY_CHEMISTRY] * 51}, 422, "add"),
    ],
)
def test_bad_corrections(
    client: TestClient,
    users: Users,
    programme_id: str,
    body: dict[str, object],
    status: int,
    names: str,
) -> None:
    answer = client.patch(_tags_url(programme_id), json=body, headers=Users.auth(users.admin))
    assert answer.status_code == status, answer.text
    assert names in answer.json()["detail"]


def test_body_limit(client: TestClient, users: Users) -> None:
    huge = b'{"add": ["' + b"a" * (70 * 1024) + b'"]}'
    answer = client.patch(
        _tags_url("pyla-laser"),
        content=huge,
        headers={**Users.auth(users.admin), "Content-Type": "application/json"},
    )
    assert answer.status_code == 413


def test_unknown_programme_is_404(client: TestClient) -> None:
    assert client.get(f"{BASE}/programmes/no-such-programme").status_code == 404


def test_remove_and_add_change_the_programmes_and_the_matching(
    client: TestClient, users: Users
) -> None:
    admin = Users.auth(users.admin)
    assert _matched(client, SKIN_LASER).get("pyla-laser") == 1.0  # the premise
    assert _matched(client, BATTERY_CHEMISTRY) == {}
    answer = client.patch(_tags_url("pyla-laser"), json={"remove": [SKIN_LASER]}, headers=admin)
    assert answer.status_code == 200, answer.text
    assert SKIN_LASER not in {t["skill_id"] for t in answer.json()["tags"]}
    assert "pyla-laser" not in _matched(client, SKIN_LASER)

    answer = client.patch(
        _tags_url("emia-emobility-products"), json={"add": [BATTERY_CHEMISTRY]}, headers=admin
    )
    assert answer.status_code == 200, answer.text
    listed = client.get(f"{BASE}/programmes").json()["programmes"]
    emobility = next(p for p in listed if p["programme_id"] == "emia-emobility-products")
    first = emobility["tags"][0]
    assert first["skill_id"] == BATTERY_CHEMISTRY
    assert first["source"] == "hand" and first["score"] is None
    assert first["label"].startswith("battery chemistry")
    assert all(t["source"] == "auto" and t["score"] is not None for t in emobility["tags"][1:])
    assert _matched(client, BATTERY_CHEMISTRY) == {"emia-emobility-products": 1.0}
    # and a cluster's gaps read the same corrected tags
    manager = Users.auth(users.manager)
    need = client.post(
        f"/api/v1/organisations/{users.managed_id}/skills/needs",
        json={"skills": [BATTERY_CHEMISTRY], "people": 3},
        headers=manager,
    )
    assert need.status_code == 201, need.text
    gaps = client.get(
        f"/api/v1/organisations/{users.managed_id}/skills/gaps", headers=manager
    ).json()
    row = next(r for r in gaps["skills"] if r["skill_id"] == BATTERY_CHEMISTRY)
    matches = next(n for n in gaps["needs"] if n["need"]["id"] == need.json()["id"])
    assert [m["programme_id"] for m in matches["result"]["matches"]] == ["emia-emobility-products"]
    assert row["people"] == 3
