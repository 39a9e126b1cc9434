"""The directory through the API: labelled search, partnerships, recommendation notes,
the map backdrop and the offline API docs."""

from __future__ import annotations

import re
from pathlib import Path

from _api_support import Users
from starlette.testclient import TestClient

API = "/api/v1"
# Silicon Europe members of the tiny mirror that are clusters (NMI is not located).
MEMBERS = {
    "Silicon Saxony",
    "Minalogic Auvergne-Rhône-Alpes",
    "NMI (National Microelectronics Institute)",
}


def _names(client: TestClient, q: str) -> set[str]:
    body = client.get(f"{API}/organisations", params={"q": q, "limit": 100}).json()
    assert body["mode"] == "fulltext"
    return {i["name"] for i in body["items"]}


def test_search_reaches_the_alliance_and_its_sector(client: TestClient, users: Users) -> None:
    for word in ("semiconductor", "microelectronics", "chips"):
        assert _names(client, word) >= MEMBERS


def test_profile_lists_partnerships(client: TestClient, users: Users) -> None:
    found = client.get(f"{API}/organisations", params={"q": "Saxony"}).json()["items"]
    body = client.get(f"{API}/organisations/{found[0]['id']}").json()["organisation"]
    [alliance] = body["partnerships"]
    assert alliance["name"] == "Silicon Europe" and alliance["key"] == "silicon-europe"
    assert alliance["role"] == "founding cluster member"
    assert alliance["sectors"] == ["C26"]
    assert "semiconductor" in alliance["description"]
    assert alliance["status"] == "CONFIRMED"


def test_recommendations_need_a_profile(client: TestClient, users: Users) -> None:
    response = client.get(f"{API}/organisations/{users.managed_id}/recommendations")
    assert response.status_code == 200 and response.json() == []
    note = response.headers["x-recommendation-note"]
    assert note == "Add categories or technologies to get recommendations."


def test_backdrop_is_country_outlines(client: TestClient, data_dir: Path) -> None:
    response = client.get(f"{API}/backdrop")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    body = response.json()
    assert body["type"] == "FeatureCollection" and body["missing"] == []
    assert any("EuroGeographics" in line for line in body["attribution"])
    by_country = {f["properties"]["country"]: f for f in body["features"]}
    assert {"DE", "FR", "US"} <= set(by_country)

    def bbox(feature: dict) -> tuple[float, float, float, float]:
        text = str(feature["geometry"]["coordinates"])
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", text)]
        xs, ys = numbers[0::2], numbers[1::2]
        return min(xs), min(ys), max(xs), max(ys)

    # Germany spans about 5.87–15.04 °E and 47.27–55.06 °N (mainland and islands).
    west, south, east, north = bbox(by_country["DE"])
    assert 5.5 < west < 6.2 and 14.8 < east < 15.3 and 47.0 < south < 47.6 and 54.8 < north < 55.3
    assert all(f["geometry"]["type"] in {"Polygon", "MultiPolygon"} for f in body["features"])
    assert len(response.content) < 1_000_000  # small enough for the browser


def test_docs_are_served_from_vendored_files(client: TestClient) -> None:
    page = client.get(f"{API}/docs")
    assert page.status_code == 200
    html = page.text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "/static/vendor/swagger-ui/swagger-ui.css" in html
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"):
        assert client.get(f"/static/vendor/swagger-ui/{asset}").status_code == 200
    # Started by a static script (the CSP allows no inline one), which never calls the
    # public validator service.
    assert "<script>" not in html
    init = client.get("/static/js/swagger-init.js")
    assert init.status_code == 200
    assert "validatorUrl: null" in init.text
