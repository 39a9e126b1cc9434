"""Security headers on every page, body size limit, trusted hosts and proxies, CSV formulas."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from typing import Any

from _api_support import Users
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import Route
from starlette.testclient import TestClient

from clusteratlas.api.security import DEFAULT_MAX_BODY

API = "/api/v1"
MB = 1024 * 1024


def _routes(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, set[str]]]:
    """(path, methods) of every route, through included routers (FastAPI >= 0.165 keeps
    them as ``_IncludedRouter`` objects) and plain ones."""
    for route in routes:
        original = getattr(route, "original_router", None)
        if original is not None:
            yield from _routes(original.routes, prefix + route.include_context.prefix)
        elif isinstance(route, APIRoute | Route):
            yield prefix + route.path, set(route.methods or ())


def _get_paths(app: FastAPI, users: Users) -> list[str]:
    """Every GET route of the app, path parameters filled with existing records."""
    values = {
        "organisation_id": str(users.managed_id),
        "post_id": "1",
        "region": "DED2",
        "source": "eu-sbs",
        "category": "C10",
    }
    paths = [
        re.sub(r"\{(\w+)(:\w+)?\}", lambda m: values.get(m.group(1), "1"), path)
        for path, methods in _routes(app.routes)
        if "GET" in methods
    ]
    return sorted(set(paths))


def test_security_headers_on_every_get_route(
    app: FastAPI, client: TestClient, users: Users
) -> None:
    paths = _get_paths(app, users)
    html_pages = 0
    assert len(paths) >= 20
    for path in paths:
        if path.startswith(f"{API}/maps") or path.startswith(f"{API}/regions"):
            continue  # the map routes are checked once below (a map takes seconds)
        response = client.get(path, headers=Users.auth(users.admin))
        assert response.status_code < 500, (path, response.status_code)
        headers = response.headers
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["x-frame-options"] == "DENY", path
        assert headers["referrer-policy"] == "same-origin", path
        csp = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp, path
        # Every page, the Swagger UI docs included, gets the one strict policy.
        assert "script-src 'self';" in csp and "unsafe-inline" not in csp, path
        assert headers["cache-control"] == "no-store", path  # the request carried a token
        if headers.get("content-type", "").startswith("text/html"):
            html_pages += 1
            assert "<script>" not in response.text, f"inline script on {path}"
    assert html_pages >= 5


def test_html_pages_have_no_inline_script_or_style(client: TestClient) -> None:
    client.cookies.clear()
    for path in ("/", "/organisations", "/login"):
        page = client.get(path)
        assert page.status_code == 200
        scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page.text)
        assert scripts == [], (path, scripts)
        assert not re.search(r"\sstyle=|<style|\son[a-z]+=", page.text), path
        csp = page.headers["content-security-policy"]
        assert "worker-src 'self' blob:" in csp and "img-src 'self' data: blob:" in csp


def test_no_store_only_with_credentials(client: TestClient, users: Users) -> None:
    client.cookies.clear()
    anonymous = client.get(f"{API}/organisations")
    assert anonymous.headers.get("cache-control") != "no-store"
    signed = client.get(f"{API}/organisations", headers=Users.auth(users.public))
    assert signed.headers["cache-control"] == "no-store"
    static = client.get("/static/css/app.css", headers={"Cookie": "clusteratlas_session=x"})
    assert static.status_code == 200 and static.headers.get("cache-control") != "no-store"


def _call(
    app: FastAPI, *, headers: list[tuple[bytes, bytes]], chunks: int, size: int
) -> dict[str, Any]:
    """POST to the app over raw ASGI, counting how much of the body the app pulled."""
    pulled = {"bytes": 0, "calls": 0}
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        pulled["calls"] += 1
        if pulled["calls"] > chunks:
            return {"type": "http.disconnect"}
        pulled["bytes"] += size
        return {"type": "http.request", "body": b"x" * size, "more_body": pulled["calls"] < chunks}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": f"{API}/organisations",
        "raw_path": f"{API}/organisations".encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"), *headers],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
        "state": {},
    }
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return {"status": start["status"], "body": body, **pulled}


def test_50_mb_body_is_refused_before_it_is_read(app: FastAPI) -> None:
    declared = [(b"content-length", str(50 * MB).encode())]
    result = _call(app, headers=declared, chunks=800, size=64 * 1024)
    assert result["status"] == 413
    assert result["bytes"] == 0  # not one chunk was pulled


def test_streamed_body_is_cut_at_the_limit(app: FastAPI) -> None:
    chunked = [(b"transfer-encoding", b"chunked")]
    result = _call(app, headers=chunked, chunks=800, size=64 * 1024)  # 50 MiB
    assert result["status"] == 413
    assert result["bytes"] <= DEFAULT_MAX_BODY + 64 * 1024  # stopped one chunk past the limit


def test_body_under_the_limit_is_served(client: TestClient, users: Users) -> None:
    body = {"name": "Small Body Cluster", "country": "DE", "description": "x" * 15000}
    response = client.post(f"{API}/organisations", json=body, headers=Users.auth(users.admin))
    assert response.status_code == 201, response.text


def test_csv_exports_neutralise_formulas(client: TestClient, users: Users) -> None:
    created = client.post(
        f"{API}/organisations",
        json={"name": '=HYPERLINK("http://evil")', "country": "DE", "acronym": "@SUM(A1)"},
        headers=Users.auth(users.admin),
    )
    assert created.status_code == 201, created.text
    text = client.get(f"{API}/organisations", params={"q": "HYPERLINK", "format": "csv"}).text
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text
    assert not re.search(r'(^|,)"?[=@]', text, re.M)
