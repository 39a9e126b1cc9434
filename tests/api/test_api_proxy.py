"""Deployment behind a reverse proxy: trusted hosts, forwarded scheme, configured body limit.

An app of its own (on PostgreSQL, ``database_url`` empties the shared test database, so it
lives in a module of its own) built with the three settings in the environment.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from _api_support import PASSWORD, database_url, write_mirror
from fastapi import FastAPI
from starlette.testclient import TestClient

from clusteratlas.api import create_app

API = "/api/v1"


@pytest.fixture(scope="module")
def proxied_app(tmp_path_factory: pytest.TempPathFactory, store_path: Path) -> Iterator[FastAPI]:
    folder = tmp_path_factory.mktemp("proxied")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CLUSTERATLAS_ALLOWED_HOSTS", "atlas.example.org,testserver")
        patch.setenv("CLUSTERATLAS_FORWARDED_ALLOW_IPS", "10.0.0.1")
        patch.setenv("CLUSTERATLAS_MAX_BODY", "2048")
        app = create_app(
            database_url=database_url(folder),
            store_path=store_path,
            data_dir=write_mirror(folder / "mirror"),
        )
    from clusteratlas.registry import create_user, session_scope

    with session_scope(app.state.sessions) as session:
        create_user(session, email="proxy@example.org", password=PASSWORD, role="public")
    yield app
    app.state.engine.dispose()


def test_untrusted_host_is_refused_and_links_use_the_trusted_one(proxied_app: FastAPI) -> None:
    with TestClient(proxied_app, base_url="http://atlas.example.org") as client:
        evil = client.get(f"{API}/organisations?limit=1", headers={"Host": "evil.example"})
        assert evil.status_code == 400
        page = client.get(f"{API}/organisations?limit=1")
        assert page.status_code == 200
        assert page.json()["next"].startswith("http://atlas.example.org/")


def test_configured_body_limit(proxied_app: FastAPI) -> None:
    with TestClient(proxied_app) as client:
        response = client.post(f"{API}/auth/login", json={"email": "a" * 3000, "password": "x"})
    assert response.status_code == 413
    small = {"email": "proxy@example.org", "password": "x" * 100}
    with TestClient(proxied_app) as client:
        assert client.post(f"{API}/auth/login", json=small).status_code != 413


def _login_cookie(client: TestClient, forwarded_proto: str) -> str:
    response = client.post(
        f"{API}/auth/login",
        json={"email": "proxy@example.org", "password": PASSWORD},
        headers={"X-Forwarded-Proto": forwarded_proto},
    )
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"  # a response that sets a cookie
    return response.headers["set-cookie"]


def test_secure_cookie_follows_a_trusted_proxy(proxied_app: FastAPI) -> None:
    with TestClient(proxied_app, client=("10.0.0.1", 4000)) as behind_proxy:
        cookie = _login_cookie(behind_proxy, "https")
    assert "secure" in cookie.lower()
    with TestClient(proxied_app, client=("203.0.113.9", 4000)) as direct:
        cookie = _login_cookie(direct, "https")  # a forged header from an untrusted client
    assert "secure" not in cookie.lower()
