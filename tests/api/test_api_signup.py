"""Self-service sign-up: the one answer, the outbox, verification, the least role, throttling.

Checked from outside (HTTP) on an app of its own, with sign-up switched on for it; the
outbox is read back from the ``mail_outbox`` table, as an operator would.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from _api_support import PASSWORD, Users, database_url, write_mirror
from fastapi import FastAPI
from sqlalchemy import select
from starlette.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from _meet_support import TINY_EVENT

from clusteratlas.api import create_app
from clusteratlas.registry import (
    create_organisation,
    create_post,
    create_token,
    create_user,
    session_scope,
)
from clusteratlas.registry.models import EmailVerification, User
from clusteratlas.registry.signup import SignupSettings, outbox

AUTH = "/api/v1/auth"
EVENTS = "/api/v1/events"
EVENT = re.sub(r"\[event\.registration\]\nopens = .*\ncloses = .*\n", "", TINY_EVENT)
LINK = re.compile(r"/signup/verify\?token=([A-Za-z0-9_-]+)")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, store_path: Path) -> Iterator[FastAPI]:
    folder = tmp_path_factory.mktemp("signup")
    application = create_app(
        database_url=database_url(folder),
        store_path=store_path,
        data_dir=write_mirror(folder / "mirror"),
    )
    application.state.signup_settings = SignupSettings(
        enabled=True, public_url="https://atlas.example.org"
    )
    yield application
    application.state.engine.dispose()


@pytest.fixture(scope="module")
def world(app: FastAPI, client: TestClient) -> dict[str, object]:
    """An admin, an organiser, an open event and one organisation."""
    with session_scope(app.state.sessions) as session:
        org = create_organisation(session, actor=None, data={"name": "Meet Org", "country": "BE"})
        admin = create_user(session, email="admin@signup.example.org", password=PASSWORD,
                            role="admin")  # fmt: skip
        known = create_user(session, email="known@signup.example.org", password=PASSWORD)
        admin_token = create_token(session, user=admin)[1]
        post = create_post(
            session, actor=None, organisation_id=org.id, kind="offer", title="Pilot line"
        )
        world = {"org": org.id, "admin": admin_token, "known": known.id, "post": post.id}
    admin_h = Users.auth(str(world["admin"]))
    assert client.post(EVENTS, json={"definition": EVENT}, headers=admin_h).status_code == 201
    r = client.post(f"{EVENTS}/tiny2024/status", json={"status": "open"}, headers=admin_h)
    assert r.status_code == 200, r.text
    return world


def _mails(app: FastAPI, email: str) -> list[tuple[str, str]]:
    with session_scope(app.state.sessions) as session:
        return [(m.subject, m.body) for m in outbox(session, recipient=email)]


def _login(client: TestClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    r = client.post(f"{AUTH}/login", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    client.cookies.clear()
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _register(client: TestClient, headers: dict[str, str], org: object) -> object:
    return client.post(f"{EVENTS}/tiny2024/participants", headers=headers,
                       json={"organisation_id": org, "type": "SME", "country": "BE"})  # fmt: skip


def test_signup_verify_then_register(app: FastAPI, client: TestClient, world: dict) -> None:
    email = "new.person@signup.example.org"
    r = client.post(f"{AUTH}/signup", json={"email": "New.Person@signup.example.org",
                                           "password": PASSWORD, "name": "New Person"})  # fmt: skip
    assert r.status_code == 202, r.text
    mails = _mails(app, email)
    assert len(mails) == 1 and mails[0][0] == "Confirm your e-mail address"
    assert "https://atlas.example.org/signup/verify?token=" in mails[0][1]
    token = LINK.search(mails[0][1]).group(1)  # type: ignore[union-attr]
    with session_scope(app.state.sessions) as session:
        user = session.scalar(select(User).where(User.email == email))
        assert user is not None and user.role == "participant"
        stored = session.scalar(
            select(EmailVerification).where(EmailVerification.user_id == user.id)
        )
        assert stored is not None and token not in stored.token_hash  # only a hash is kept
        assert len(stored.token_hash) == 64 and stored.verified_at is None

    headers = _login(client, email)  # an unconfirmed account signs in ...
    r = _register(client, headers, world["org"])
    assert r.status_code == 403 and "Confirm your e-mail address" in r.json()["detail"]

    assert client.post(f"{AUTH}/verify", json={"token": token}).status_code == 200
    r = _register(client, headers, world["org"])  # ... and registers once confirmed
    assert r.status_code == 201, r.text
    again = client.post(f"{AUTH}/verify", json={"token": token})
    assert again.status_code == 422 and "already used or expired" in again.json()["detail"]


def test_known_address_gets_the_same_answer_and_no_second_account(
    app: FastAPI, client: TestClient, world: dict
) -> None:
    fresh = client.post(f"{AUTH}/signup",
                        json={"email": "other.new@signup.example.org", "password": PASSWORD})  # fmt: skip
    known = client.post(f"{AUTH}/signup",
                        json={"email": "known@signup.example.org", "password": "another pass 1"})  # fmt: skip
    assert known.status_code == fresh.status_code == 202
    assert known.json() == fresh.json()
    mails = _mails(app, "known@signup.example.org")
    assert [m[0] for m in mails] == ["Sign-up attempt"] and "token=" not in mails[0][1]
    with session_scope(app.state.sessions) as session:
        same = session.scalars(select(User).where(User.email == "known@signup.example.org"))
        users = list(same)
        assert len(users) == 1 and users[0].role == "public"
    # The known account's password is untouched.
    _login(client, "known@signup.example.org")


def test_participant_role_does_nothing_else(app: FastAPI, client: TestClient, world: dict) -> None:
    email = "least@signup.example.org"
    assert (
        client.post(f"{AUTH}/signup", json={"email": email, "password": PASSWORD}).status_code
        == 202
    )
    token = LINK.search(_mails(app, email)[0][1]).group(1)  # type: ignore[union-attr]
    assert client.post(f"{AUTH}/verify", json={"token": token}).status_code == 200
    headers = _login(client, email)
    assert client.post(EVENTS, json={"definition": EVENT}, headers=headers).status_code == 403
    r = client.post(f"{EVENTS}/tiny2024/status", json={"status": "draft"}, headers=headers)
    assert r.status_code == 403
    r = client.patch(f"/api/v1/organisations/{world['org']}", headers=headers,
                     json={"version": 1, "website": "https://x.example.org"})  # fmt: skip
    assert r.status_code == 403
    r = client.post(f"/api/v1/organisations/{world['org']}/posts", headers=headers,
                    json={"kind": "offer", "title": "t", "body": "b"})  # fmt: skip
    assert r.status_code == 403
    post = world["post"]
    r = client.post(f"/api/v1/posts/{post}/comments", headers=headers, json={"body": "hello"})
    assert r.status_code == 403 and "participant account" in r.json()["detail"]
    r = client.post(f"/api/v1/posts/{post}/follow", headers=headers)
    assert r.status_code == 403 and "participant account" in r.json()["detail"]


def test_policy_and_address_are_checked(client: TestClient, world: dict) -> None:
    r = client.post(
        f"{AUTH}/signup", json={"email": "short@signup.example.org", "password": "1234567"}
    )
    assert r.status_code == 422 and "at least 8 characters" in r.json()["detail"]
    r = client.post(f"{AUTH}/signup", json={"email": "not-an-address", "password": PASSWORD})
    assert r.status_code == 422 and "'email' parameter" in r.json()["detail"]
    r = client.post(f"{AUTH}/signup", data={"email": "a@b.example", "password": PASSWORD})
    assert r.status_code in (415, 422)
    r = client.post(f"{AUTH}/verify", json={"token": "forged"})
    assert r.status_code == 422 and "unknown, already used or expired" in r.json()["detail"]


def test_expired_link_is_refused_and_a_new_signup_renews_it(
    app: FastAPI, client: TestClient, world: dict
) -> None:
    email = "late@signup.example.org"
    assert (
        client.post(f"{AUTH}/signup", json={"email": email, "password": PASSWORD}).status_code
        == 202
    )
    first = LINK.search(_mails(app, email)[0][1]).group(1)  # type: ignore[union-attr]
    with session_scope(app.state.sessions) as session:
        user = session.scalar(select(User).where(User.email == email))
        row = session.scalar(select(EmailVerification).where(EmailVerification.user_id == user.id))  # type: ignore[union-attr]
        row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)  # type: ignore[union-attr]
    r = client.post(f"{AUTH}/verify", json={"token": first})
    assert r.status_code == 422
    # Signing up again (never confirmed) sends a new link with a new password: nobody can
    # hold an address by signing up with it first.
    assert (
        client.post(
            f"{AUTH}/signup", json={"email": email, "password": "the owner's pw"}
        ).status_code
        == 202
    )
    second = LINK.search(_mails(app, email)[0][1]).group(1)  # type: ignore[union-attr]
    assert second != first
    assert client.post(f"{AUTH}/verify", json={"token": first}).status_code == 422
    assert client.post(f"{AUTH}/verify", json={"token": second}).status_code == 200
    assert (
        client.post(f"{AUTH}/login", json={"email": email, "password": PASSWORD}).status_code == 401
    )
    _login(client, email, "the owner's pw")


def test_signup_is_throttled_per_address(app: FastAPI, client: TestClient, world: dict) -> None:
    email = "flood@signup.example.org"
    app.state.signin_throttle = None  # fresh counts (the address tier counts every test's)
    answers = [
        client.post(f"{AUTH}/signup", json={"email": email, "password": PASSWORD}).status_code
        for _ in range(7)
    ]
    # The account tier allows 5 attempts a minute (registry.auth_config.ACCOUNT_LIMITS).
    assert answers[:5] == [202] * 5 and answers[5] == 429
    # Sign-ups are counted under their own account key: the account can still sign in
    # (the address tier, 20 a minute, counts both).
    r = client.post(f"{AUTH}/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200
    client.cookies.clear()


def test_signup_switched_off(app: FastAPI, client: TestClient, world: dict) -> None:
    app.state.signup_settings = SignupSettings(enabled=False)
    try:
        r = client.post(
            f"{AUTH}/signup", json={"email": "x@signup.example.org", "password": PASSWORD}
        )
        assert r.status_code == 403 and "switched off" in r.json()["detail"]
    finally:
        app.state.signup_settings = SignupSettings(
            enabled=True, public_url="https://atlas.example.org"
        )


def test_settings_from_environment() -> None:
    assert SignupSettings.from_env({}).enabled is False
    on = SignupSettings.from_env({"CLUSTERATLAS_SIGNUP": "on", "CLUSTERATLAS_SIGNUP_VERIFY_HOURS": "2",
                                  "CLUSTERATLAS_SIGNUP_OUTBOX": "log"})  # fmt: skip
    assert on.enabled and on.verify_lifetime == dt.timedelta(hours=2) and on.outbox == "log"
    with pytest.raises(ValueError, match="CLUSTERATLAS_SIGNUP must be 'on' or 'off'"):
        SignupSettings.from_env({"CLUSTERATLAS_SIGNUP": "maybe"})
    with pytest.raises(ValueError, match="CLUSTERATLAS_SIGNUP_OUTBOX"):
        SignupSettings.from_env({"CLUSTERATLAS_SIGNUP_OUTBOX": "smtp"})
