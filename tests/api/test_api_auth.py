from __future__ import annotations

from _api_support import PASSWORD, Users
from fastapi import FastAPI
from starlette.testclient import TestClient

API = "/api/v1"


def test_login_sets_cookie_and_logout_revokes(app: FastAPI, users: Users) -> None:
    with TestClient(app) as browser:
        wrong = browser.post(
            f"{API}/auth/login", json={"email": "public@example.org", "password": "nope-nope"}
        )
        assert wrong.status_code == 401
        response = browser.post(
            f"{API}/auth/login", json={"email": "Public@Example.org", "password": PASSWORD}
        )
        assert response.status_code == 200
        cookie = response.headers["set-cookie"]
        assert "clusteratlas_session=" in cookie and "HttpOnly" in cookie
        assert "samesite=lax" in cookie.lower()
        assert response.json()["user"]["role"] == "public"
        assert browser.get(f"{API}/auth/me").json()["email"] == "public@example.org"
        token = response.json()["token"]
        # Signing out by cookie is a change: without the session's CSRF token it is refused.
        assert browser.post(f"{API}/auth/logout").status_code == 403
        assert browser.get(f"{API}/auth/me").status_code == 200
        csrf = {"X-CSRF-Token": response.json()["csrf_token"]}
        assert browser.post(f"{API}/auth/logout", headers=csrf).status_code == 200
        browser.cookies.clear()
        assert browser.get(f"{API}/auth/me").status_code == 401
        assert browser.get(f"{API}/auth/me", headers=Users.auth(token)).status_code == 401


def test_tokens_and_anonymous(client: TestClient, users: Users) -> None:
    assert client.post(f"{API}/auth/tokens", json={}).status_code == 401
    created = client.post(
        f"{API}/auth/tokens", json={"name": "script"}, headers=Users.auth(users.public)
    )
    assert created.status_code == 201
    token = created.json()["token"]
    me = client.get(f"{API}/auth/me", headers=Users.auth(token))
    assert me.json()["email"] == "public@example.org"
    bogus = client.get(f"{API}/auth/me", headers=Users.auth("ca_nothing_here"))
    assert bogus.status_code == 401
    assert client.post(f"{API}/auth/login", json={"email": "x@y.z"}).status_code == 422


def test_posts_follow_interest_comments(client: TestClient, users: Users) -> None:
    url = f"{API}/organisations/{users.managed_id}/posts"
    post = {"kind": "offer", "title": "Clean-room capacity", "body": "Two days a week."}
    assert client.post(url, json=post).status_code == 401
    assert client.post(url, json=post, headers=Users.auth(users.public)).status_code == 403
    other = f"{API}/organisations/{users.other_id}/posts"
    assert client.post(other, json=post, headers=Users.auth(users.manager)).status_code == 403
    assert (
        client.post(
            url, json={**post, "kind": "gift"}, headers=Users.auth(users.manager)
        ).status_code
        == 422
    )
    created = client.post(url, json=post, headers=Users.auth(users.manager))
    assert created.status_code == 201
    post_id = created.json()["id"]
    public = Users.auth(users.public)
    assert client.post(f"{API}/posts/{post_id}/follow").status_code == 401
    first = client.post(f"{API}/posts/{post_id}/follow", headers=public)
    second = client.post(f"{API}/posts/{post_id}/follow", headers=public)
    assert first.status_code == 200 and first.json()["id"] == second.json()["id"]
    assert client.delete(f"{API}/posts/{post_id}/follow", headers=public).status_code == 204
    interest = client.post(
        f"{API}/posts/{post_id}/interest", json={"message": "We need it."}, headers=public
    )
    assert interest.status_code == 200
    comment = client.post(
        f"{API}/posts/{post_id}/comments", json={"body": "Price?"}, headers=public
    )
    assert comment.status_code == 201
    assert (
        client.post(
            f"{API}/posts/{post_id}/comments", json={"body": " "}, headers=public
        ).status_code
        == 422
    )
    assert (
        client.post(f"{API}/posts/999999/comments", json={"body": "x"}, headers=public).status_code
        == 404
    )
    # Reading is public: the list (newest first, filterable) and one post with its thread.
    client.post(
        url,
        json={**post, "kind": "request", "title": "Need wafers"},
        headers=Users.auth(users.manager),
    )
    listed = client.get(f"{API}/posts", params={"organisation_id": users.managed_id}).json()
    assert (
        listed["total"] == 2 and [p["title"] for p in listed["items"]][1] == "Clean-room capacity"
    )
    only = client.get(f"{API}/posts", params={"kind": "offer", "limit": 1}).json()
    assert only["total"] == 1 and only["items"][0]["id"] == post_id and only["next"] is None
    assert client.get(f"{API}/posts", params={"kind": "gift"}).status_code == 422
    detail = client.get(f"{API}/posts/{post_id}").json()
    assert [c["body"] for c in detail["comments"]] == ["Price?"]
    assert detail["followers"] == 0 and detail["interests"] == 1  # unfollowed above
    assert client.get(f"{API}/posts/999999").status_code == 404


def test_audit_is_admin_only_and_records_actors(client: TestClient, users: Users) -> None:
    assert client.get(f"{API}/audit").status_code == 401
    assert client.get(f"{API}/audit", headers=Users.auth(users.public)).status_code == 403
    admin = Users.auth(users.admin)
    client.patch(
        f"{API}/organisations/{users.other_id}",
        json={
            "version": client.get(f"{API}/organisations/{users.other_id}").json()["organisation"][
                "version"
            ],
            "website": "https://other.example",
        },
        headers=admin,
    )
    entries = client.get(f"{API}/audit", params={"entity": "organisation"}, headers=admin).json()
    assert entries[0]["actor"] == "admin@example.org"
    assert entries[0]["diff"]["website"]["after"] == "https://other.example"
    limited = client.get(f"{API}/audit", params={"limit": 1}, headers=admin).json()
    assert len(limited) == 1


def test_openapi_and_docs(client: TestClient) -> None:
    schema = client.get(f"{API}/openapi.json").json()
    for path, operations in schema["paths"].items():
        assert path.startswith(API)
        for operation in operations.values():
            assert operation.get("tags"), path
    assert client.get(f"{API}/docs").status_code == 200
    health = client.get(f"{API}/health").json()
    assert health["status"] == "ok"
