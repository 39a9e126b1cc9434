from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from _api_support import Users, database_url
from fastapi import FastAPI
from starlette.testclient import TestClient

from clusteratlas.api import create_app

API = "/api/v1"


@pytest.fixture(scope="module")
def real_app(
    data_dir: Path, tmp_path_factory: pytest.TempPathFactory, store_path: Path
) -> Iterator[FastAPI]:
    """An app seeded from the real mirror (end-to-end)."""
    folder = tmp_path_factory.mktemp("real")
    application = create_app(database_url=database_url(folder), store_path=store_path)
    yield application
    application.state.engine.dispose()


@pytest.fixture(scope="module")
def real(real_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(real_app) as test_client:
        yield test_client


def test_health_and_sources(real: TestClient) -> None:
    assert real.get(f"{API}/health").json()["data"] is True
    body = real.get(f"{API}/sources").json()
    by_name = {s["name"]: s for s in body["sources"]}
    assert 2014 in by_name["eu-sbs"]["years"] and by_name["us-cbp"]["years"] == [2019]
    assert "eco2007" in body["rulesets"] and by_name["us-cbp"]["categories"][0] == "traded"


def test_map_json_pages(real: TestClient) -> None:
    params = {"source": "eu-sbs", "year": 2014, "categories": "divisions", "rules": "eco2007"}
    first = real.get(f"{API}/maps", params={**params, "limit": 3}).json()
    assert first["total"] > 10_000 and len(first["rows"]) == 3 and first["attribution"]
    second = real.get(first["next"]).json()
    assert second["offset"] == 3 and second["rows"][0] != first["rows"][0]
    one = real.get(f"{API}/maps", params={**params, "category": "C26", "region": "DED2"}).json()
    assert one["total"] == 1 and one["rows"][0]["lq"] > 1


def test_map_csv_and_geojson(real: TestClient) -> None:
    params = {"category": "C26", "limit": 1000}
    text = real.get(f"{API}/maps", params={**params, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(text.text)))
    assert text.headers["content-type"].startswith("text/csv") and len(rows) > 200
    response = real.get(f"{API}/maps", params={**params, "format": "geojson"})
    assert response.headers["content-type"].startswith("application/geo+json")
    body = response.json()
    assert body["type"] == "FeatureCollection" and len(body["features"]) == len(rows)
    assert sum(f["geometry"] is not None for f in body["features"]) > 200
    assert len(response.content) < 1_000_000


def test_map_errors_are_4xx(real: TestClient) -> None:
    for params in (
        {"rules": "nope"},
        {"categories": "/etc/passwd.csv"},
        {"year": 1990},
        {"source": "mars"},
        {"format": "xml"},
    ):
        response = real.get(f"{API}/maps", params=params)
        assert response.status_code == 422, params
        assert isinstance(response.json()["detail"], str)


def test_regions(real: TestClient) -> None:
    response = real.get(f"{API}/regions", params={"source": "eu-sbs"})
    assert response.status_code == 200 and len(response.content) < 1_000_000
    assert response.json()["features"][0]["properties"]["region"]
    us = real.get(f"{API}/regions", params={"source": "us-cbp", "format": "json"}).json()
    assert len(us) > 900 and {"region", "name"} <= set(us[0])


def test_portfolios(real: TestClient) -> None:
    eu = real.get(f"{API}/regions/DED2/portfolio").json()
    assert eu["rows"][0]["region"] == "DED2" and "rank_in_category" in eu["rows"][0]
    us = real.get(f"{API}/regions/31080/portfolio", params={"source": "us-cbp"}).json()
    assert "strongly_related" in us["rows"][0]
    unknown = real.get(f"{API}/regions/ZZ99/portfolio")
    assert unknown.status_code == 404 and "ZZ99" in unknown.json()["detail"]


def test_categories_and_rankings(real: TestClient) -> None:
    families = real.get(f"{API}/categories", params={"source": "us-cbp"}).json()
    assert any(c["category"] == "Biopharmaceuticals" for c in families)
    ranked = real.get(f"{API}/categories/C26/regions", params={"limit": 5}).json()
    assert [r["rank"] for r in ranked["rows"]] == [1, 2, 3, 4, 5]
    assert real.get(f"{API}/categories/Z99/regions").status_code == 404
    assert real.get(f"{API}/categories/C26/regions", params={"measure": "nope"}).status_code == 422


def test_real_registry_profile_and_recommendations(real: TestClient, real_app: FastAPI) -> None:
    found = real.get(f"{API}/organisations", params={"q": "Silicon Saxony"}).json()
    assert found["total"] >= 1
    total = real.get(f"{API}/organisations", params={"limit": 1}).json()["total"]
    assert total > 100
    saxony = found["items"][0]
    profile = real.get(f"{API}/organisations/{saxony['id']}").json()
    assert profile["statistics"]["source"] == "eu-sbs"
    us = real.get(f"{API}/organisations", params={"country": "US", "limit": 1}).json()["items"][0]
    recs = real.get(f"{API}/organisations/{us['id']}/recommendations").json()
    assert recs and any(
        c["name"] == "related" and c["score"] > 0 for r in recs for c in r["components"]
    )
    located = real.get(f"{API}/organisations", params={"format": "geojson", "country": "DE"})
    assert any(f["geometry"] for f in located.json()["features"])


def test_profile_statistics_for_a_nuts_region(app: FastAPI, users: Users, data_dir: Path) -> None:
    with TestClient(app) as client:
        admin = Users.auth(users.admin)
        created = client.post(
            f"{API}/organisations",
            json={
                "name": "Dresden Chips",
                "country": "DE",
                "region": "DED2",
                "categories": ["C26"],
            },
            headers=admin,
        ).json()
        body = client.get(f"{API}/organisations/{created['id']}").json()
    rows = body["statistics"]["rows"]
    assert body["statistics"]["rules"] == "eco2007"
    assert [r["category"] for r in rows] == ["C26"] and rows[0]["region"] == "DED2"


def test_label_assessment_prefills_the_regional_location_quotient(
    app: FastAPI, users: Users
) -> None:
    """P13 of the pôles scheme is the highest LQ of the organisation's region in its
    categories: the same number as its profile's statistics (checked by hand against the
    raw SBS file in tests/e2e/test_map_real.py), with the map named as the source."""
    with TestClient(app) as client:
        admin = Users.auth(users.admin)
        created = client.post(
            f"{API}/organisations",
            json={
                "name": "Dresden Chips and Machines",
                "country": "DE",
                "region": "DED2",
                "categories": ["C26", "C28"],
            },
            headers=admin,
        ).json()
        rows = client.get(f"{API}/organisations/{created['id']}").json()["statistics"]["rows"]
        started = client.post(
            f"{API}/labels/assessments",
            json={"organisation_id": created["id"], "scheme": "poles-phase5"},
            headers=admin,
        )
    assert started.status_code == 201, started.text
    by_category = {r["category"]: r["lq"] for r in rows}
    assert set(by_category) == {"C26", "C28"}
    best = max(by_category, key=lambda c: by_category[c])
    answers = {a["indicator"]: a for a in started.json()["answers"]}
    p13 = answers["P13"]
    # The profile's JSON rounds LQs to 10 significant digits; the pre-fill keeps them whole.
    assert p13["value"] == pytest.approx(by_category[best], rel=1e-9)
    assert by_category[best] > 1  # Dresden is specialised in one of the two (1.83 in 2014)
    assert p13["origin"] == "prefilled"
    assert f"DED2 in {best}, the highest of its 2 categories" in p13["source"]
    assert "map eu-sbs 2014, categories divisions, rule-set eco2007" in p13["source"]
