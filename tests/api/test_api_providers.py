"""Training providers through the API: the kind of an organisation, its filter, tag rights
and the training part of a profile.

The app is seeded from the tiny mirror (9 organisations, among them Systematic
Paris-Region) and the skills seed's five providers (EQL, DORANCO, WEBFORCE3, PYLA,
E-MOBILITY-INDUSTRY-ACADEMY); the ``users`` fixture adds two cluster organisations
(Managed Cluster, Other Cluster). PYLA's three programmes are, in the seed's order, "Laser
technologies", "Optics and photonics" and "Electronics and microwave", formats unknown.
"""

from __future__ import annotations

from typing import Any

import pytest
from _api_support import PASSWORD, Users
from fastapi import FastAPI
from sqlalchemy import select

from clusteratlas.registry import create_token, create_user, session_scope
from clusteratlas.registry.models import Organisation
from conftest import TestClient

ORGS = "/api/v1/organisations"
PROVIDERS = ["DORANCO", "E-MOBILITY-INDUSTRY-ACADEMY", "EQL", "PYLA", "WEBFORCE3"]
BATTERY_CHEMISTRY = "http://data.europa.eu/esco/skill/84cc8c9d-db57-42ec-8948-9b632bf06124"


def _ids(app: FastAPI) -> dict[str, int]:
    with session_scope(app.state.sessions) as session:
        return dict(session.execute(select(Organisation.key, Organisation.id)).all())  # type: ignore[arg-type]


def _names(client: TestClient, **params: Any) -> tuple[int, list[str]]:
    answer = client.get(ORGS, params={"limit": 100, **params})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return body["total"], [item["name"] for item in body["items"]]


def test_kind_filter_returns_exactly_the_providers(client: TestClient, users: Users) -> None:
    total, names = _names(client, kind="training provider")
    assert (total, names) == (5, PROVIDERS)
    total, names = _names(client, kind="cluster organisation")
    assert total == 9 + 2 and "Managed Cluster" in names and "PYLA" not in names
    assert _names(client)[0] == 9 + 2 + 5
    items = client.get(ORGS, params={"kind": "training provider", "limit": 1}).json()["items"]
    assert items[0]["kind"] == "training provider"
    csv_text = client.get(ORGS, params={"kind": "training provider", "format": "csv"}).text
    assert csv_text.splitlines()[0].split(",")[:4] == ["id", "key", "name", "kind"]
    bad = client.get(ORGS, params={"kind": "school"})
    assert bad.status_code == 422
    assert "kind" in bad.json()["detail"] and "'training provider'" in bad.json()["detail"]
    # an administrator creates one more provider: the filter finds six
    created = client.post(
        ORGS,
        json={"name": "Zeta Academy", "country": "FR", "kind": "training provider"},
        headers=Users.auth(users.admin),
    )
    assert created.status_code == 201, created.text
    assert created.json()["kind"] == "training provider"
    assert _names(client, kind="training provider") == (6, [*PROVIDERS, "Zeta Academy"])
    assert _names(client, kind="cluster organisation")[0] == 11


@pytest.mark.parametrize("method", ["post", "patch"])
def test_a_bad_kind_is_a_422_naming_the_field(
    client: TestClient, users: Users, method: str
) -> None:
    if method == "post":
        answer = client.post(
            ORGS, json={"name": "X", "country": "FR", "kind": "school"},
            headers=Users.auth(users.admin),
        )  # fmt: skip
    else:
        version = client.get(f"{ORGS}/{users.managed_id}").json()["organisation"]["version"]
        answer = client.patch(
            f"{ORGS}/{users.managed_id}", json={"version": version, "kind": "school"},
            headers=Users.auth(users.manager),
        )  # fmt: skip
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert "kind" in detail
    assert "'cluster organisation'" in detail and "'training provider'" in detail


def _provider_manager(app: FastAPI, key: str, email: str) -> str:
    with session_scope(app.state.sessions) as session:
        org = session.scalar(select(Organisation).where(Organisation.key == key))
        assert org is not None
        user = create_user(
            session, email=email, password=PASSWORD, role="manager", organisation_id=org.id
        )
        return create_token(session, user=user)[1]


def test_a_provider_manager_corrects_only_their_programmes(
    app: FastAPI, client: TestClient, users: Users
) -> None:
    pytest.importorskip("sklearn")
    token = _provider_manager(app, "provider:pyla", "manager@pyla.example")
    body = {"add": [BATTERY_CHEMISTRY]}
    url = "/api/v1/skills/programmes/{}/tags"
    assert client.patch(url.format("pyla-laser"), json=body).status_code == 401
    own = client.patch(url.format("pyla-laser"), json=body, headers=Users.auth(token))
    assert own.status_code == 200, own.text
    first = own.json()["tags"][0]
    assert (first["skill_id"], first["source"], first["score"]) == (BATTERY_CHEMISTRY, "hand", None)
    other = client.patch(
        url.format("emia-emobility-products"), json=body, headers=Users.auth(token)
    )
    assert other.status_code == 403
    assert "provider:e-mobility-industry-academy" in other.json()["detail"]
    cluster = client.patch(url.format("pyla-laser"), json=body, headers=Users.auth(users.manager))
    assert cluster.status_code == 403
    tags = client.get("/api/v1/skills/programmes/emia-emobility-products").json()["tags"]
    assert BATTERY_CHEMISTRY not in {t["skill_id"] for t in tags}


def test_profiles_list_programmes_and_partners(app: FastAPI, client: TestClient) -> None:
    ids = _ids(app)
    pyla = client.get(f"{ORGS}/{ids['provider:pyla']}").json()
    assert pyla["organisation"]["kind"] == "training provider"
    # The ECCP validation and the regional cluster statistics are a cluster's, not a provider's.
    assert (pyla["validation"], pyla["statistics"]) == (None, None)
    programmes = pyla["training_programmes"]
    assert [(p["programme_id"], p["title"], p["format"]) for p in programmes] == [
        ("pyla-laser", "Laser technologies", ""),
        ("pyla-optics-photonics", "Optics and photonics", ""),
        ("pyla-electronics-microwave", "Electronics and microwave", ""),
    ]
    if programmes[0]["tagged"]:  # with scikit-learn: the tags of the programme list
        listed = client.get("/api/v1/skills/programmes/pyla-laser").json()["tags"]
        assert len(listed) >= 10
        assert [t["skill_id"] for t in programmes[0]["tags"]] == [t["skill_id"] for t in listed]
    (partner,) = pyla["training_partnerships"]  # ALPHA-RLH, not in the tiny mirror
    assert partner["cluster_name"].startswith("ALPHA-RLH")
    assert (partner["cluster_id"], partner["provider_organisation_id"]) == (
        None, ids["provider:pyla"],
    )  # fmt: skip
    systematic = client.get(f"{ORGS}/{ids['fr:systematic-paris-region']}").json()
    assert systematic["training_programmes"] == []
    assert systematic["validation"]["status"] and "note" in systematic["statistics"]
    assert [
        (p["provider_name"], p["provider_organisation_id"], p["cluster_id"])
        for p in systematic["training_partnerships"]
    ] == [
        (name, ids[f"provider:{name.lower()}"], ids["fr:systematic-paris-region"])
        for name in ("EQL", "DORANCO", "WEBFORCE3")
    ]


def _profile(client: TestClient, organisation_id: int) -> dict[str, Any]:
    answer = client.get(f"{ORGS}/{organisation_id}")
    assert answer.status_code == 200, answer.text
    organisation: dict[str, Any] = answer.json()["organisation"]
    return organisation


def test_a_manager_may_not_change_the_kind(client: TestClient, users: Users) -> None:
    url = f"{ORGS}/{users.managed_id}"
    before = _profile(client, users.managed_id)
    assert before["kind"] == "cluster organisation"
    entries = len(client.get(f"{url}/history").json())
    refused = client.patch(
        url, json={"version": before["version"], "kind": "training provider", "acronym": "MC"},
        headers=Users.auth(users.manager),
    )  # fmt: skip
    assert refused.status_code == 403, refused.text
    detail = refused.json()["detail"]
    assert "kind" in detail and "only an administrator" in detail
    after = _profile(client, users.managed_id)
    assert (after["kind"], after["acronym"], after["version"]) == (
        "cluster organisation", before["acronym"], before["version"],
    )  # fmt: skip  # the whole change is refused, not only the kind
    assert len(client.get(f"{url}/history").json()) == entries
    assert _names(client, kind="training provider")[1].count("Managed Cluster") == 0
    # the stored kind sent back unchanged (as a form or a client echoing a profile does)
    same = client.patch(
        url, json={"version": before["version"], "kind": "cluster organisation", "acronym": "MC"},
        headers=Users.auth(users.manager),
    )  # fmt: skip
    assert same.status_code == 200, same.text
    assert (same.json()["kind"], same.json()["acronym"]) == ("cluster organisation", "MC")
    latest = client.get(f"{url}/history").json()[0]
    assert latest["diff"] == {"acronym": {"before": before["acronym"], "after": "MC"}}


def test_an_administrator_changes_the_kind_with_an_audit_entry(
    client: TestClient, users: Users
) -> None:
    url = f"{ORGS}/{users.other_id}"
    version = _profile(client, users.other_id)["version"]
    changed = client.patch(
        url, json={"version": version, "kind": "training provider"},
        headers=Users.auth(users.admin),
    )  # fmt: skip
    assert changed.status_code == 200, changed.text
    assert changed.json()["kind"] == "training provider"
    assert _profile(client, users.other_id)["kind"] == "training provider"
    assert "Other Cluster" in _names(client, kind="training provider")[1]
    entry = client.get(f"{url}/history", headers=Users.auth(users.admin)).json()[0]
    assert (entry["action"], entry["actor"]) == ("update", "admin@example.org")
    assert entry["diff"] == {
        "kind": {"before": "cluster organisation", "after": "training provider"}
    }
    back = client.patch(
        url, json={"version": version + 1, "kind": "cluster organisation"},
        headers=Users.auth(users.admin),
    )  # fmt: skip
    assert back.status_code == 200 and back.json()["kind"] == "cluster organisation"
