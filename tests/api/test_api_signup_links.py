"""Verification links never come from an unchecked ``Host`` header.

The link in a sign-up mail carries the account's token. Built from the request's ``Host``,
an attacker signing up a victim's address with ``Host: evil.example`` would mail the victim
a link that hands the token to evil.example. So the link comes from
``CLUSTERATLAS_PUBLIC_URL``, or from the request only when ``CLUSTERATLAS_ALLOWED_HOSTS``
makes the trusted-host middleware check the ``Host``; with neither, sign-up is refused (503).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from _api_support import PASSWORD
from fastapi import FastAPI
from sqlalchemy import func, select
from starlette.testclient import TestClient

from clusteratlas.api import create_app
from clusteratlas.api.security import host_checked, install_security
from clusteratlas.registry import session_scope
from clusteratlas.registry.models import OutboxMail, User
from clusteratlas.registry.signup import SignupSettings, outbox

SIGNUP = "/api/v1/auth/signup"
SITE = "https://atlas.example.org"
VARIABLES = ("CLUSTERATLAS_PUBLIC_URL", "CLUSTERATLAS_ALLOWED_HOSTS", "CLUSTERATLAS_SIGNUP")


def _app(folder: Path, **env: str) -> FastAPI:
    folder.mkdir(parents=True, exist_ok=True)
    with pytest.MonkeyPatch.context() as patch:
        for name in VARIABLES:
            patch.delenv(name, raising=False)
        for name, value in env.items():
            patch.setenv(name, value)
        return create_app(database_url=f"sqlite:///{folder / 'registry.sqlite'}",
                          store_path=folder / "store.duckdb", seed=False)  # fmt: skip


@pytest.fixture(scope="module")
def open_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """Any Host answered (no CLUSTERATLAS_ALLOWED_HOSTS)."""
    app = _app(tmp_path_factory.mktemp("open-host"))
    yield app
    app.state.engine.dispose()


@pytest.fixture(scope="module")
def checked_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """CLUSTERATLAS_ALLOWED_HOSTS=atlas.test: the trusted-host middleware checks the Host."""
    app = _app(tmp_path_factory.mktemp("checked-host"), CLUSTERATLAS_ALLOWED_HOSTS="atlas.test")
    app.state.signup_settings = SignupSettings(enabled=True)
    yield app
    app.state.engine.dispose()


def _sign_up(app: FastAPI, email: str, host: str) -> tuple[int, str]:
    with TestClient(app, base_url=f"http://{host}") as client:
        r = client.post(SIGNUP, json={"email": email, "password": PASSWORD})
    return r.status_code, r.text


def _mail_bodies(app: FastAPI) -> list[str]:
    with session_scope(app.state.sessions) as session:
        return [m.body for m in outbox(session)]


def _counts(app: FastAPI) -> tuple[int, int]:
    with session_scope(app.state.sessions) as session:
        users = session.scalar(select(func.count()).select_from(User)) or 0
        mails = session.scalar(select(func.count()).select_from(OutboxMail)) or 0
    return users, mails


def test_without_either_variable_sign_up_is_refused(open_host: FastAPI) -> None:
    open_host.state.signup_settings = SignupSettings(enabled=True)
    before = _counts(open_host)
    status, text = _sign_up(open_host, "victim@example.org", "evil.example")
    assert status == 503
    assert "CLUSTERATLAS_PUBLIC_URL" in text and "CLUSTERATLAS_ALLOWED_HOSTS" in text
    assert _counts(open_host) == before  # no account, no mail
    with TestClient(open_host, base_url="http://evil.example") as client:
        page = client.get("/signup")
        form = {"email": "victim@example.org", "password": PASSWORD, "next": "/events",
                "csrf": page.text.split('name="csrf" value="')[1].split('"')[0]}  # fmt: skip
        answer = client.post("/signup", data=form)
    assert answer.status_code == 503 and "CLUSTERATLAS_PUBLIC_URL" in answer.text
    assert _counts(open_host) == before


def test_a_forged_host_never_reaches_the_mail(open_host: FastAPI) -> None:
    open_host.state.signup_settings = SignupSettings(enabled=True, public_url=SITE + "/")
    status, _ = _sign_up(open_host, "victim@example.org", "evil.example")
    assert status == 202
    (body,) = _mail_bodies(open_host)
    assert "evil.example" not in body
    assert f"\n{SITE}/signup/verify?token=" in body  # one slash between site and path


def test_a_checked_host_gives_the_link(checked_host: FastAPI) -> None:
    assert _sign_up(checked_host, "a@example.org", "atlas.test")[0] == 202
    (body,) = _mail_bodies(checked_host)
    assert "\nhttp://atlas.test/signup/verify?token=" in body
    forged = _sign_up(checked_host, "b@example.org", "evil.example")
    assert forged[0] == 400  # the trusted-host middleware, before any work
    assert _mail_bodies(checked_host) == [body]


def test_a_wildcard_for_every_host_checks_nothing() -> None:
    assert host_checked(FastAPI()) is False  # no install_security: nothing checked
    for hosts, checked in ((["*"], False), ([], False), (["*.example.org"], True),
                           (["atlas.test", "*"], False)):  # fmt: skip
        app = FastAPI()
        install_security(app, cookie_name="s", allowed_hosts=hosts)
        assert host_checked(app) is checked, hosts


def test_the_unsafe_setting_is_logged_at_start(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="clusteratlas.api.routes_signup"):
        app = _app(tmp_path / "on", CLUSTERATLAS_SIGNUP="on")
        app.state.engine.dispose()
        safe = _app(tmp_path / "safe", CLUSTERATLAS_SIGNUP="on", CLUSTERATLAS_PUBLIC_URL=SITE)
        safe.state.engine.dispose()
    warned = [r.getMessage() for r in caplog.records if "CLUSTERATLAS_PUBLIC_URL" in r.getMessage()]
    assert len(warned) == 1 and "CLUSTERATLAS_ALLOWED_HOSTS" in warned[0]
