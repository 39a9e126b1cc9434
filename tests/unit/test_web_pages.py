"""The dashboard's pages rendered through the full app with a TestClient (no browser).

The app is seeded from the tiny mirror; map pages need the real data (``CLUSTERATLAS_DATA``)
and are checked both ways: with the data they show tables, without it they say why.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _registry_support import write_mirror

from _data_mirror import has_data

with warnings.catch_warnings():
    # Starlette 1.x warns at import that its TestClient prefers httpx2 (not installed here).
    warnings.filterwarnings(
        "ignore", message="Using `httpx` with `starlette.testclient`", category=Warning
    )
    from starlette.testclient import TestClient

pytest.importorskip("fastapi")
from clusteratlas.registry import create_user, search_organisations, session_scope
from clusteratlas.web.forms import changes_from_form

PASSWORD = "correct horse battery"
WEB = Path(__file__).resolve().parents[2] / "src" / "clusteratlas" / "web"
HAS_DATA = has_data()  # False only under pytest --without-data


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from clusteratlas.api.app import create_app

    folder = tmp_path_factory.mktemp("web")
    app = create_app(
        database_url=f"sqlite:///{folder / 'registry.sqlite'}",
        store_path=folder / "store.duckdb",
        data_dir=write_mirror(folder / "mirror"),
    )
    with session_scope(app.state.sessions) as session:
        managed = search_organisations(session, text="Silicon Saxony").items[0].id
        other = search_organisations(session, text="Cosmetic Valley").items[0].id
        create_user(
            session,
            email="m@example.org",
            password=PASSWORD,
            role="manager",
            organisation_id=managed,
        )
    with TestClient(app) as client:
        yield {"client": client, "managed": managed, "other": other}


def client_of(site: dict[str, Any]) -> TestClient:
    client: TestClient = site["client"]
    client.cookies.clear()
    return client


def login_csrf(client: TestClient) -> str:
    """The sign-in form's CSRF token, tied to the pre-session cookie the form page sets."""
    page = client.get("/login")
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, "the sign-in form carries no CSRF token"
    return found.group(1)


def sign_in(client: TestClient) -> None:
    response = client.post(
        "/login",
        data={
            "email": "m@example.org",
            "password": PASSWORD,
            "next": "/",
            "csrf": login_csrf(client),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "HttpOnly" in response.headers["set-cookie"]
    assert "clusteratlas_session=" in response.headers["set-cookie"]


REMOTE = r"""\s*["']?\s*(?:https?:)?//"""


def test_no_cdn_links_in_templates_or_static() -> None:
    ours = [
        p
        for p in WEB.rglob("*")
        if p.suffix in {".html", ".js", ".css"} and "vendor" not in p.parts
    ]
    assert len(ours) >= 10
    link = re.compile(rf"(?:\b(?:src|href)\s*=|url\(){REMOTE}", re.I)
    assert [str(p) for p in ours if link.search(p.read_text(encoding="utf-8"))] == []
    # Vendored code may carry hyperlinks (MapLibre's attribution, hidden here) but loads
    # nothing remote: no script/style/image source and no CSS url() outside the site.
    load = re.compile(rf"(?:\bsrc\s*=|url\(){REMOTE}", re.I)
    vendored = list((WEB / "static" / "vendor").rglob("*.*s"))
    assert sorted(p.name for p in vendored) == [
        "htmx.min.js",
        "maplibre-gl.css",
        "maplibre-gl.js",
        "swagger-ui-bundle.js",
        "swagger-ui.css",
    ]
    assert [str(p) for p in vendored if load.search(p.read_text(encoding="utf-8"))] == []


def test_vendored_assets_carry_licence_and_version(site: dict[str, Any]) -> None:
    client = client_of(site)
    for folder, version in (
        ("maplibre-gl", "maplibre-gl 5."),
        ("htmx", "htmx.org 2."),
        ("swagger-ui", "swagger-ui-dist 5."),
    ):
        assert (WEB / "static" / "vendor" / folder / "VERSION").read_text().startswith(version)
        assert any((WEB / "static" / "vendor" / folder).glob("LICENSE*"))
    for path in (
        "/static/vendor/maplibre-gl/maplibre-gl.js",
        "/static/vendor/maplibre-gl/maplibre-gl.css",
        "/static/vendor/htmx/htmx.min.js",
        "/static/css/app.css",
        "/static/js/atlas.js",
        "/static/js/orgmap.js",
        "/static/js/sortable.js",
    ):
        assert client.get(path).status_code == 200, path


def test_atlas_page_has_labelled_controls_and_map(site: dict[str, Any]) -> None:
    page = client_of(site).get("/")
    assert page.status_code == 200
    html = page.text
    assert '<a class="skip-link" href="#main">' in html
    for name in ("source", "year", "category", "measure"):
        assert f'<label for="{name}">' in html and f'id="{name}"' in html
    assert 'id="atlas-map"' in html and 'data-map-state="idle"' in html
    assert 'data-api="/api/v1/maps"' in html
    assert "/static/vendor/maplibre-gl/maplibre-gl.js" in html
    if HAS_DATA:
        assert re.search(r'<option value="C26"\s+selected>', html)
        assert '<option value="stars"' in html
    else:
        assert "cannot be built here" in html


def test_atlas_page_unknown_source_is_404(site: dict[str, Any]) -> None:
    assert client_of(site).get("/?source=mars").status_code == 404


@pytest.mark.skipif(not HAS_DATA, reason="needs CLUSTERATLAS_DATA")
def test_region_portfolio_and_category_ranking(site: dict[str, Any]) -> None:
    client = client_of(site)
    page = client.get("/regions/eu-sbs/DED2")
    assert page.status_code == 200
    assert "Dresden" in page.text and 'class="data sortable"' in page.text
    assert 'href="/organisations?region=DED2"' in page.text
    assert client.get("/regions/eu-sbs/XX99").status_code == 404
    ranking = client.get("/categories/eu-sbs/C26")
    assert ranking.status_code == 200
    assert ranking.text.count('href="/regions/eu-sbs/') == 25
    assert client.get("/categories/eu-sbs/NOPE").status_code == 404


def test_map_pages_without_data_say_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # An app whose data directory is empty and whose publishers cannot be reached (a closed
    # loopback port, so no network): the map pages say why instead of failing.
    from clusteratlas.api.app import create_app

    monkeypatch.setenv("CLUSTERATLAS_DATA", str(tmp_path / "empty"))
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("CLUSTERATLAS_DOWNLOAD_BASE", "http://127.0.0.1:9")
    app = create_app(
        database_url=f"sqlite:///{tmp_path / 'registry.sqlite'}",
        store_path=tmp_path / "store.duckdb",
        data_dir=write_mirror(tmp_path / "mirror"),
    )
    with TestClient(app) as client:
        page = client.get("/regions/eu-sbs/DED2")
        assert page.status_code == 503 and "cannot be built here" in page.text
        home = client.get("/")
        assert home.status_code == 200 and "cannot be built here" in home.text


def test_directory_lists_filters_and_paginates(site: dict[str, Any]) -> None:
    client = client_of(site)
    page = client.get("/organisations")
    assert page.status_code == 200
    assert 'hx-get="/organisations/results"' in page.text and 'role="search"' in page.text
    assert re.search(r'<option value="FR"\s*>', page.text)
    assert 'id="org-map"' in page.text
    filtered = client.get("/organisations?country=FR")
    assert filtered.text.count('<a href="/organisations/') >= 3
    assert "Silicon Saxony" not in filtered.text.split('id="results"')[1]


def test_results_partial_pushes_the_page_url(site: dict[str, Any]) -> None:
    partial = client_of(site).get("/organisations/results", params={"q": "silicon"})
    assert partial.status_code == 200
    assert "<html" not in partial.text
    assert "Silicon Saxony" in partial.text
    assert partial.headers["HX-Push-Url"] == "/organisations?q=silicon"
    typo = client_of(site).get("/organisations/results", params={"q": "Minalgic"})
    assert "Minalogic" in typo.text and "similar name" in typo.text


def test_profile_shows_sources_validation_and_partners(site: dict[str, Any]) -> None:
    page = client_of(site).get(f"/organisations/{site['managed']}")
    assert page.status_code == 200
    html = page.text
    assert "<h1" in html and "Silicon Saxony" in html
    assert "status-badge" in html and "CONFIRMED" in html
    assert 'id="validation-status"' in html and "V1" in html and "V4" in html
    assert "Recommended partners" in html
    assert "Edit profile" not in html
    assert client_of(site).get("/organisations/999999").status_code == 404


def test_login_rejects_a_wrong_password(site: dict[str, Any]) -> None:
    client = client_of(site)
    response = client.post(
        "/login",
        data={"email": "m@example.org", "password": "wrong password", "csrf": login_csrf(client)},
    )
    assert response.status_code == 401
    assert 'role="alert"' in response.text
    # No session is opened (the re-shown form only renews its pre-session CSRF cookie).
    assert "clusteratlas_session=" not in response.headers.get("set-cookie", "")


def test_edit_needs_sign_in_and_the_right_organisation(site: dict[str, Any]) -> None:
    client = client_of(site)
    anonymous = client.get(f"/organisations/{site['managed']}/edit", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=")
    sign_in(client)
    assert client.get(f"/organisations/{site['other']}/edit").status_code == 403
    refused = client.post(
        f"/organisations/{site['other']}/edit", data={"version": "1", "name": "Taken"}
    )
    assert refused.status_code == 403


def test_edit_saves_and_detects_conflicts(site: dict[str, Any]) -> None:
    client = client_of(site)
    sign_in(client)
    url = f"/organisations/{site['managed']}/edit"
    form = client.get(url)
    assert form.status_code == 200 and 'name="version"' in form.text
    version = re.search(r'name="version" value="(\d+)"', form.text).group(1)  # type: ignore[union-attr]
    csrf = re.search(r'name="csrf" value="([0-9a-f]{32})"', form.text).group(1)  # type: ignore[union-attr]
    # A form posted from another site lacks the token derived from the HttpOnly session.
    forged = client.post(url, data={"version": version, "name": "Silicon Saxony", "acronym": "X"})
    assert forged.status_code == 403 and "did not come from one of our pages" in forged.text
    assert client.post("/logout", follow_redirects=False).status_code == 403
    saved = client.post(
        url,
        data={
            "csrf": csrf,
            "version": version,
            "name": "Silicon Saxony",
            "acronym": "SiSax",
            "management_fte": "3.5",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"].endswith("?saved=1")
    profile = client.get(saved.headers["location"])
    assert "(SiSax)" in profile.text and "The profile was saved" in profile.text
    assert "Edit profile" in profile.text
    stale = client.post(
        url, data={"csrf": csrf, "version": version, "name": "Silicon Saxony", "acronym": "Stale"}
    )
    assert stale.status_code == 409
    assert "Someone else saved this profile" in stale.text and "Stale" in stale.text
    invalid = client.post(
        url,
        data={
            "csrf": csrf,
            "version": str(int(version) + 1),
            "name": "Silicon Saxony",
            "founding_year": "soon",
        },
    )
    assert invalid.status_code == 422 and "whole number" in invalid.text


def test_changes_from_form_parses_types() -> None:
    version, changes = changes_from_form(
        {
            "version": "3",
            "name": " A ",
            "founding_year": "",
            "management_fte": "1.5",
            "technologies": "x, y,,",
        }
    )
    assert version == 3
    assert changes == {
        "name": "A",
        "founding_year": None,
        "management_fte": 1.5,
        "technologies": ["x", "y"],
    }
