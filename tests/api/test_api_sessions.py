"""Sign-in, sessions, tokens and CSRF through the API and the web forms (one app per module)."""

from __future__ import annotations

import datetime as dt
import re

from _api_support import PASSWORD, Users
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.testclient import TestClient

from clusteratlas.registry import ApiToken, create_user, session_scope

API = "/api/v1"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)*\.[A-Za-z]{2,}")
"""An e-mail address (a domain ending in letters: not a rule-set tag such as eco2007@1.0)."""
CHANGES = {"POST", "PUT", "PATCH", "DELETE"}


def _login(client: TestClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post(f"{API}/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    body: dict[str, str] = response.json()
    return body


def test_signed_out_session_cookie_is_refused(app: FastAPI, users: Users) -> None:
    with TestClient(app) as browser:
        body = _login(browser, "manager@example.org")
        cookie = browser.cookies["clusteratlas_session"]
        assert cookie == body["token"] and cookie.startswith("cas_")
        listed = browser.get(f"{API}/auth/sessions").json()
        assert [s["current"] for s in listed if s["id"]].count(True) == 1
        out = browser.post(f"{API}/auth/logout", headers={"X-CSRF-Token": body["csrf_token"]})
        assert out.status_code == 200
    with TestClient(app, cookies={"clusteratlas_session": cookie}) as replay:
        assert replay.get(f"{API}/auth/me").status_code == 401
        edit = replay.get(f"/organisations/{users.managed_id}/edit", follow_redirects=False)
        assert edit.status_code == 303 and edit.headers["location"].startswith("/login")
    bearer = {"Authorization": f"Bearer {cookie}"}
    with TestClient(app) as script:
        assert script.get(f"{API}/auth/me", headers=bearer).status_code == 401


def test_back_dated_token_is_refused(app: FastAPI, client: TestClient, users: Users) -> None:
    created = client.post(
        f"{API}/auth/tokens",
        json={"name": "ci", "expires_in_days": 7},
        headers=Users.auth(users.public),
    )
    assert created.status_code == 201
    token, token_id = created.json()["token"], created.json()["id"]
    expires = dt.datetime.fromisoformat(created.json()["expires_at"])
    assert dt.timedelta(days=6.99) < expires - dt.datetime.now(dt.UTC) < dt.timedelta(days=7.01)
    assert client.get(f"{API}/auth/me", headers=Users.auth(token)).status_code == 200
    with session_scope(app.state.sessions) as session:
        stored = session.get(ApiToken, token_id)
        assert stored is not None
        stored.expires_at = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    assert client.get(f"{API}/auth/me", headers=Users.auth(token)).status_code == 401
    too_long = client.post(
        f"{API}/auth/tokens", json={"expires_in_days": 400}, headers=Users.auth(users.public)
    )
    assert too_long.status_code == 422 and "at most 365" in too_long.json()["detail"]


def test_tokens_scopes_listing_and_revocation(client: TestClient, users: Users) -> None:
    public, admin = Users.auth(users.public), Users.auth(users.admin)
    reader = client.post(f"{API}/auth/tokens", json={"scopes": ["read"]}, headers=public).json()
    assert reader["scopes"] == ["read"]
    read_only = Users.auth(reader["token"])
    assert client.get(f"{API}/auth/me", headers=read_only).status_code == 200
    refused = client.post(f"{API}/auth/tokens", json={}, headers=read_only)
    assert refused.status_code == 403 and "write" in refused.json()["detail"]
    assert (
        client.post(f"{API}/auth/tokens", json={"scopes": ["admin"]}, headers=public).status_code
        == 403
    )
    plain_admin = client.post(
        f"{API}/auth/tokens", json={"scopes": ["read", "write"]}, headers=admin
    ).json()
    assert client.get(f"{API}/audit", headers=Users.auth(plain_admin["token"])).status_code == 403
    mine = client.get(f"{API}/auth/tokens", headers=public).json()
    assert reader["id"] in [t["id"] for t in mine] and all("token" not in t for t in mine)
    assert {t["user_id"] for t in mine} == {reader["user_id"]}
    others = client.get(
        f"{API}/auth/tokens", params={"user_id": plain_admin["user_id"]}, headers=public
    )
    assert others.status_code == 403
    assert (
        client.delete(f"{API}/auth/tokens/{plain_admin['id']}", headers=public).status_code == 404
    )
    everyone = client.get(f"{API}/auth/tokens", headers=admin).json()
    assert {reader["user_id"], plain_admin["user_id"]} <= {t["user_id"] for t in everyone}
    assert client.delete(f"{API}/auth/tokens/{reader['id']}", headers=admin).status_code == 204
    assert client.get(f"{API}/auth/me", headers=read_only).status_code == 401
    listed = client.get(f"{API}/auth/tokens", params={"all": True}, headers=public).json()
    assert [t["revoked_at"] is not None for t in listed if t["id"] == reader["id"]] == [True]


def test_admin_ends_sessions_of_a_user(app: FastAPI, users: Users) -> None:
    admin = Users.auth(users.admin)
    with TestClient(app) as laptop, TestClient(app) as phone:
        _login(laptop, "public@example.org")
        _login(phone, "public@example.org")
        sessions = laptop.get(f"{API}/auth/sessions").json()
        assert len(sessions) >= 2 and all(s["client"] == "testclient" for s in sessions)
        user_id = sessions[0]["user_id"]
        with TestClient(app) as console:
            ended = console.delete(
                f"{API}/auth/sessions", params={"user_id": user_id}, headers=admin
            )
            assert ended.status_code == 200 and ended.json()["ended"] >= 2
        assert laptop.get(f"{API}/auth/me").status_code == 401
        assert phone.get(f"{API}/auth/me").status_code == 401


def test_flood_is_throttled_within_ten_attempts(app: FastAPI, client: TestClient) -> None:
    with session_scope(app.state.sessions) as session:
        create_user(session, email="flood@example.org", password=PASSWORD)
    statuses = []
    with TestClient(app, client=("10.9.8.7", 5000)) as attacker:
        for _ in range(10):
            answer = attacker.post(
                f"{API}/auth/login", json={"email": "flood@example.org", "password": "guess-1234"}
            )
            statuses.append(answer.status_code)
            if answer.status_code == 429:
                assert 1 <= int(answer.headers["retry-after"]) <= 60
                break
        assert statuses[-1] == 429 and set(statuses[:-1]) == {401}
        right = attacker.post(
            f"{API}/auth/login", json={"email": "flood@example.org", "password": PASSWORD}
        )
        assert right.status_code == 429
    # Another account from another address is not affected.
    with TestClient(app, client=("10.9.8.8", 5000)) as other:
        _login(other, "manager@example.org")


def test_sign_ins_are_audited_without_passwords(client: TestClient, users: Users) -> None:
    client.post(f"{API}/auth/login", json={"email": "manager@example.org", "password": "bad-guess"})
    with TestClient(client.app) as browser:
        _login(browser, "manager@example.org")
    entries = client.get(
        f"{API}/audit", params={"entity": "app_user", "limit": 500}, headers=Users.auth(users.admin)
    )
    assert entries.status_code == 200
    actions = [e["action"] for e in entries.json()]
    assert "login" in actions and "login_failed" in actions
    assert PASSWORD not in entries.text and "bad-guess" not in entries.text


def test_login_needs_json(client: TestClient) -> None:
    form = client.post(
        f"{API}/auth/login", data={"email": "public@example.org", "password": PASSWORD}
    )
    assert form.status_code in (415, 422)
    plain = client.post(
        f"{API}/auth/login",
        content=b'{"email": "public@example.org", "password": "correct horse battery"}',
        headers={"content-type": "text/plain"},
    )
    assert plain.status_code in (415, 422) and "clusteratlas_session" not in plain.headers.get(
        "set-cookie", ""
    )


def test_web_sign_in_form_needs_its_csrf_token_and_sign_out_ends_the_session(
    app: FastAPI, users: Users
) -> None:
    with TestClient(app) as browser:
        forged = browser.post(
            "/login",
            data={"email": "manager@example.org", "password": PASSWORD},
            follow_redirects=False,
        )
        assert forged.status_code == 403 and "clusteratlas_session" not in browser.cookies
        page = browser.get("/login")
        token = re.search(r'name="csrf" value="([0-9a-f]{32})"', page.text)
        assert token is not None
        signed = browser.post(
            "/login",
            data={"email": "manager@example.org", "password": PASSWORD, "csrf": token[1]},
            follow_redirects=False,
        )
        assert signed.status_code == 303
        cookie = browser.cookies["clusteratlas_session"]
        edit = browser.get(f"/organisations/{users.managed_id}/edit")
        assert edit.status_code == 200
        csrf = re.search(r'name="csrf" value="([0-9a-f]{32})"', edit.text)
        assert csrf is not None
        assert browser.post("/logout", data={}, follow_redirects=False).status_code == 403
        out = browser.post("/logout", data={"csrf": csrf[1]}, follow_redirects=False)
        assert out.status_code == 303
    with TestClient(app, cookies={"clusteratlas_session": cookie}) as replay:
        assert replay.get(f"{API}/auth/me").status_code == 401


def _fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: values.get(m[1], "1"), path)


def test_every_state_changing_route_refuses_cookie_auth_without_csrf(
    app: FastAPI, client: TestClient, users: Users
) -> None:
    admin = Users.auth(users.admin)
    post = client.post(
        f"{API}/organisations/{users.managed_id}/posts",
        json={"kind": "offer", "title": "Pilot line", "body": "Free in May."},
        headers=admin,
    ).json()
    token = client.post(f"{API}/auth/tokens", json={}, headers=admin).json()
    with TestClient(app) as browser:
        body = _login(browser, "admin@example.org")
        current = next(s for s in browser.get(f"{API}/auth/sessions").json() if s["current"])
        values = {
            "organisation_id": str(users.other_id),
            "post_id": str(post["id"]),
            "token_id": str(token["id"]),
            "session_id": str(current["id"]),
        }
        routes = [
            (method, str(getattr(route, "path", "")))
            for route in iter_route_contexts(app.routes)  # included routers, flattened
            for method in sorted(set(getattr(route, "methods", None) or ()) & CHANGES)
        ]
        assert len(routes) >= 15  # API and web routes, enumerated from the app
        # What a cross-site form would send: the browser's cookie, fields, no CSRF token.
        forged = {"name": "x", "email": "admin@example.org", "password": PASSWORD}
        for method, path in routes:
            answer = browser.request(
                method, _fill(path, values), data=forged, follow_redirects=False
            )
            # Sign-in, sign-up and verification take JSON only: no form can send it.
            json_only = {f"{API}/auth/login", f"{API}/auth/signup", f"{API}/auth/verify"}
            expected = {415, 422} if path in json_only else {403}
            assert answer.status_code in expected, (method, path, answer.status_code)
        # Nothing happened: still signed in, the organisation and the token still there.
        assert browser.get(f"{API}/auth/me").status_code == 200
        assert browser.get(f"{API}/organisations/{users.other_id}").status_code == 200
        assert client.get(f"{API}/auth/me", headers=Users.auth(token["token"])).status_code == 200
        # With the token the same cookie-authenticated change is accepted.
        followed = browser.post(
            f"{API}/posts/{post['id']}/follow", headers={"X-CSRF-Token": body["csrf_token"]}
        )
        assert followed.status_code == 200


def test_anonymous_crawl_of_every_get_route_finds_no_email(
    app: FastAPI, client: TestClient, users: Users
) -> None:
    manager, public = Users.auth(users.manager), Users.auth(users.public)
    url = f"{API}/organisations/{users.managed_id}"
    version = client.get(url).json()["organisation"]["version"]
    assert (
        client.patch(url, json={"version": version, "acronym": "MC"}, headers=manager).status_code
        == 200
    )
    post = client.post(
        f"{url}/posts",
        json={"kind": "request", "title": "Wafers", "body": "Need 200."},
        headers=manager,
    ).json()
    client.post(f"{API}/posts/{post['id']}/comments", json={"body": "We can."}, headers=public)
    client.post(f"{API}/posts/{post['id']}/interest", json={"message": "Call us"}, headers=public)
    values = {
        "organisation_id": str(users.managed_id),
        "post_id": str(post["id"]),
        "region": "DED2",
        "category": "C26",
        "source": "eu-sbs",
    }
    schema = client.get(f"{API}/openapi.json").json()
    paths = [p for p, ops in schema["paths"].items() if "get" in ops]
    assert len(paths) >= 15
    pages = [  # the HTML pages too (not in the OpenAPI schema)
        str(route.path)
        for route in iter_route_contexts(app.routes)
        if "GET" in (getattr(route, "methods", None) or ())
        and not str(getattr(route, "path", "")).startswith((API, "/docs"))
    ]
    assert {"/organisations", "/organisations/{organisation_id}", "/login"} <= set(pages)
    paths += pages
    with TestClient(app) as anonymous:
        for path in paths:
            answer = anonymous.get(_fill(path, values))
            assert answer.status_code < 500, (path, answer.status_code)
            found = EMAIL.search(answer.text)
            assert found is None, (path, found and found[0])
            assert "@example.org" not in answer.text, path
        history = anonymous.get(f"{url}/history").json()
        assert history and history[0]["actor"] == "manager"
