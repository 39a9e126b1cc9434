from __future__ import annotations

import csv
import io

from _api_support import Users
from starlette.testclient import TestClient

API = "/api/v1"


def test_search_json_with_pagination(client: TestClient, users: Users) -> None:
    first = client.get(f"{API}/organisations", params={"limit": 2})
    assert first.status_code == 200
    body = first.json()
    assert body["total"] >= 5 and body["limit"] == 2 and body["offset"] == 0
    assert len(body["items"]) == 2
    second = client.get(body["next"])
    assert second.json()["offset"] == 2
    names = [i["name"] for i in body["items"] + second.json()["items"]]
    assert len(set(names)) == 4
    last = client.get(f"{API}/organisations", params={"limit": 500})
    assert last.json()["next"] is None


def test_search_text_filters_and_fuzzy(client: TestClient, users: Users) -> None:
    found = client.get(f"{API}/organisations", params={"q": "Saxony"}).json()
    assert [i["name"] for i in found["items"]] == ["Silicon Saxony"]
    assert found["mode"] == "fulltext"
    fuzzy = client.get(f"{API}/organisations", params={"q": "Minalgic"}).json()
    assert fuzzy["mode"] == "fuzzy" and fuzzy["items"][0]["name"].startswith("Minalogic")
    german = client.get(f"{API}/organisations", params={"country": "de"}).json()
    assert {i["country"] for i in german["items"]} == {"DE"}
    gold = client.get(f"{API}/organisations", params={"label": "ESCA Gold"}).json()
    assert [i["name"] for i in gold["items"]] == ["Silicon Saxony"]


def test_search_csv(client: TestClient, users: Users) -> None:
    response = client.get(f"{API}/organisations", params={"format": "csv", "country": "DE"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["name"] for r in rows} >= {"Silicon Saxony", "Managed Cluster"}
    assert int(response.headers["x-total-count"]) == len(rows)


def test_search_geojson(client: TestClient, users: Users) -> None:
    response = client.get(f"{API}/organisations", params={"format": "geojson", "limit": 100})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    body = response.json()
    assert body["type"] == "FeatureCollection" and body["total"] == len(body["features"])
    assert body["features"], "no organisation to check"
    by_name = {f["properties"]["name"]: f for f in body["features"]}
    # Managed Cluster is in DED2 (Dresden): a point inside the Dresden region's box.
    lon, lat = by_name["Managed Cluster"]["geometry"]["coordinates"]
    assert 12.5 < lon < 15.1 and 50.6 < lat < 51.7
    for feature in body["features"]:
        geometry = feature["geometry"]
        assert geometry is None or geometry["type"] == "Point"
        if feature["properties"]["region"] is None:
            assert geometry is None


def test_search_rejects_bad_parameters(client: TestClient) -> None:
    for params in ({"limit": 0}, {"limit": 501}, {"offset": -1}, {"format": "xml"}, {"q": "a\x00"}):
        response = client.get(f"{API}/organisations", params=params)
        assert response.status_code == 422, params
        assert isinstance(response.json()["detail"], str)


def test_profile_validation_and_history(client: TestClient, users: Users) -> None:
    response = client.get(f"{API}/organisations/{users.managed_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["organisation"]["name"] == "Managed Cluster"
    assert body["validation"]["status"] == "incomplete"
    assert [c["code"] for c in body["validation"]["checks"]] == ["V1", "V2", "V3", "V4"]
    assert set(body["statistics"]) >= {"rows", "note", "source"}
    history = client.get(f"{API}/organisations/{users.managed_id}/history").json()
    assert history[-1]["action"] == "create"
    assert client.get(f"{API}/organisations/999999").status_code == 404
    assert client.get(f"{API}/organisations/999999/history").status_code == 404


def test_profile_without_region_has_no_statistics(client: TestClient, users: Users) -> None:
    items = client.get(f"{API}/organisations", params={"country": "US"}).json()["items"]
    body = client.get(f"{API}/organisations/{items[0]['id']}").json()
    assert body["statistics"]["rows"] == [] and body["statistics"]["note"]


def test_recommendations_are_explained(client: TestClient, users: Users) -> None:
    items = client.get(f"{API}/organisations", params={"country": "US"}).json()["items"]
    alpha = next(i for i in items if i["name"].startswith("Alpha"))
    response = client.get(f"{API}/organisations/{alpha['id']}/recommendations")
    assert response.status_code == 200
    assert response.json(), "no recommendation to check"
    for rec in response.json():
        assert rec["score"] > 0 and rec["explanation"]
        assert {c["name"] for c in rec["components"]} == {
            "related",
            "value_chain",
            "region",
            "technology",
        }
    assert client.get(f"{API}/organisations/999999/recommendations").status_code == 404


def test_region_organisations(client: TestClient, users: Users) -> None:
    response = client.get(f"{API}/regions/DED2/organisations")
    assert {o["name"] for o in response.json()} == {"Silicon Saxony", "Managed Cluster"}
    assert client.get(f"{API}/regions/XX99/organisations").json() == []


def test_create_requires_admin(client: TestClient, users: Users) -> None:
    data = {"name": "New Cluster", "country": "IT", "region": "ITC4", "categories": ["C26"]}
    assert client.post(f"{API}/organisations", json=data).status_code == 401
    for token in (users.manager, users.public):
        assert (
            client.post(f"{API}/organisations", json=data, headers=Users.auth(token)).status_code
            == 403
        )
    created = client.post(f"{API}/organisations", json=data, headers=Users.auth(users.admin))
    assert created.status_code == 201
    assert created.json()["version"] == 1 and created.json()["categories"] == ["C26"]
    again = client.post(f"{API}/organisations", json=data, headers=Users.auth(users.admin))
    assert again.status_code == 409


def test_create_validates_input(client: TestClient, users: Users) -> None:
    admin = Users.auth(users.admin)
    for data in (
        {"name": "X", "country": "France"},
        {"name": "", "country": "FR"},
        {"name": "X", "country": "FR", "colour": "red"},
        {"name": "X\x00", "country": "FR"},
        {"name": "X", "country": "FR", "members_sme": -1},
        {"name": "X", "country": "FR", "stages": ["no-colon"]},
        {"country": "FR"},
    ):
        response = client.post(f"{API}/organisations", json=data, headers=admin)
        assert response.status_code == 422, data
        assert isinstance(response.json()["detail"], str)
    broken = client.post(
        f"{API}/organisations",
        content=b"{not json",
        headers={**admin, "content-type": "application/json"},
    )
    assert broken.status_code == 422


def test_patch_permissions_and_versions(client: TestClient, users: Users) -> None:
    url = f"{API}/organisations/{users.managed_id}"
    version = client.get(url).json()["organisation"]["version"]
    change = {"version": version, "acronym": "MC"}
    assert client.patch(url, json=change).status_code == 401
    assert client.patch(url, json=change, headers=Users.auth(users.public)).status_code == 403
    other = f"{API}/organisations/{users.other_id}"
    other_version = client.get(other).json()["organisation"]["version"]
    denied = client.patch(
        other, json={"version": other_version, "acronym": "NO"}, headers=Users.auth(users.manager)
    )
    assert denied.status_code == 403
    ok = client.patch(url, json=change, headers=Users.auth(users.manager))
    assert ok.status_code == 200 and ok.json()["version"] == version + 1
    stale = client.patch(url, json=change, headers=Users.auth(users.admin))
    assert stale.status_code == 409
    assert stale.json()["current_version"] == version + 1
    admin = client.patch(
        url,
        json={"version": version + 1, "stages": ["microelectronics:design"]},
        headers=Users.auth(users.admin),
    )
    assert admin.status_code == 200 and admin.json()["stages"] == ["microelectronics:design"]
    # Anonymous readers see the actor's role, never the e-mail; administrators see the e-mail.
    entry = client.get(f"{url}/history").json()[0]
    assert entry["actor"] == "administrator" and entry["action"] == "update"
    assert entry["user_id"] is None
    seen = client.get(f"{url}/history", headers=Users.auth(users.admin)).json()[0]
    assert seen["actor"] == "admin@example.org" and seen["id"] == entry["id"]
    assert (
        client.patch(url, json={"acronym": "X"}, headers=Users.auth(users.admin)).status_code == 422
    )
    missing = client.patch(
        f"{API}/organisations/999999", json=change, headers=Users.auth(users.admin)
    )
    assert missing.status_code == 404


def test_delete_is_admin_only(client: TestClient, users: Users) -> None:
    admin = Users.auth(users.admin)
    created = client.post(
        f"{API}/organisations", json={"name": "Short-lived", "country": "ES"}, headers=admin
    ).json()
    url = f"{API}/organisations/{created['id']}"
    assert client.delete(url).status_code == 401
    assert client.delete(url, headers=Users.auth(users.manager)).status_code == 403
    assert client.delete(url, headers=admin).status_code == 204
    assert client.get(url).status_code == 404
    assert client.delete(url, headers=admin).status_code == 404
