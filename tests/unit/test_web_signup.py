"""The sign-up and verification pages through the full app with a TestClient (no browser)."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from _meet_support import TINY_EVENT
from _registry_support import write_mirror

with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore", message="Using `httpx` with `starlette.testclient`", category=Warning
    )
    from starlette.testclient import TestClient

pytest.importorskip("fastapi")
from clusteratlas.meet import service as meet
from clusteratlas.registry import create_user, session_scope
from clusteratlas.registry.signup import SignupSettings, is_verified, outbox
from clusteratlas.registry.users import find_user

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf" value="([0-9a-f]*)"')
EVENT = re.sub(r"\[event\.registration\]\nopens = .*\ncloses = .*\n", "", TINY_EVENT)
SITE = "https://atlas.example.org"
"""The site's address (CLUSTERATLAS_PUBLIC_URL): links must not come from the request's Host."""
LINK = re.compile(r"https?://[^/\s]+(/signup/verify\?token=[A-Za-z0-9_-]+)")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from clusteratlas.api.app import create_app

    folder = tmp_path_factory.mktemp("websignup")
    app = create_app(
        database_url=f"sqlite:///{folder / 'registry.sqlite'}",
        store_path=folder / "store.duckdb",
        data_dir=write_mirror(folder / "mirror"),
    )
    app.state.signup_settings = SignupSettings(enabled=True, public_url=SITE)
    with session_scope(app.state.sessions) as session:
        create_user(session, email="known@example.org", password=PASSWORD)
        organiser = create_user(session, email="organiser@example.org", password=PASSWORD)
        create_user(session, email="proposer@example.org", password=PASSWORD)
        meet.create_event(session, actor=None, definition=EVENT)
        meet.grant_organiser(session, actor=None, slug="tiny2024", user_id=organiser.id)
        meet.set_status(session, actor=organiser, slug="tiny2024", status="open")
    with TestClient(app) as client:
        yield {"app": app, "client": client}
    app.state.engine.dispose()


def _csrf(page: str) -> str:
    found = CSRF.search(page)
    assert found is not None, page
    return found.group(1)


def _sign_up(client: TestClient, email: str) -> Any:
    page = client.get("/signup")
    assert page.status_code == 200
    form = {"email": email, "password": PASSWORD, "csrf": _csrf(page.text)}
    return client.post("/signup", data=form)


def test_sign_up_verify_with_a_button(site: dict[str, Any]) -> None:
    client, app = site["client"], site["app"]
    assert 'href="/signup"' in client.get("/login").text  # the nav offers it when switched on
    answer = _sign_up(client, "web.new@example.org")
    assert answer.status_code == 200 and "a link to confirm it is on its way" in answer.text
    with session_scope(app.state.sessions) as session:
        (mail,) = outbox(session, recipient="web.new@example.org")
        link = LINK.search(mail.body)
    assert link is not None
    page = client.get(link.group(1))
    assert page.status_code == 200 and "Confirm my e-mail address" in page.text
    with session_scope(app.state.sessions) as session:  # a GET (a mail scanner) uses nothing
        assert not is_verified(session, find_user(session, "web.new@example.org"))
    token = link.group(1).split("token=")[1]
    forged = client.post("/signup/verify", data={"token": token, "csrf": "0" * 32})
    assert forged.status_code == 403
    done = client.post("/signup/verify", data={"token": token, "csrf": _csrf(page.text)})
    assert done.status_code == 200 and "is confirmed" in done.text
    with session_scope(app.state.sessions) as session:
        assert is_verified(session, find_user(session, "web.new@example.org"))
    again = client.post("/signup/verify", data={"token": token, "csrf": _csrf(page.text)})
    assert again.status_code == 422 and "already used or expired" in again.text


def test_known_address_gets_the_same_page(site: dict[str, Any]) -> None:
    new = _sign_up(site["client"], "web.other@example.org")
    known = _sign_up(site["client"], "known@example.org")
    assert new.status_code == known.status_code == 200
    strip = re.compile(r'value="[^"]*"')  # tokens and the typed address differ
    assert strip.sub("", new.text.replace("web.other", "X")) == strip.sub(
        "", known.text.replace("known", "X")
    )


def test_forged_form_bad_password_and_switched_off(site: dict[str, Any]) -> None:
    client = site["client"]
    client.get("/signup")
    forged = client.post("/signup", data={"email": "f@example.org", "password": PASSWORD,
                                          "csrf": "0" * 32})  # fmt: skip
    assert forged.status_code == 403 and "did not come from our sign-up page" in forged.text
    page = client.get("/signup")
    short = client.post("/signup", data={"email": "s@example.org", "password": "short",
                                         "csrf": _csrf(page.text)})  # fmt: skip
    assert short.status_code == 422 and "at least 8 characters" in short.text
    site["app"].state.signup_settings = SignupSettings(enabled=False)
    try:
        off = client.get("/signup")
        assert off.status_code == 403 and "switched off" in off.text
        assert 'href="/signup"' not in client.get("/login").text
    finally:
        site["app"].state.signup_settings = SignupSettings(enabled=True, public_url=SITE)


def _sign_in(client: TestClient, email: str) -> None:
    client.cookies.clear()
    page = client.get("/login")
    form = {"email": email, "password": PASSWORD, "csrf": _csrf(page.text), "next": "/events"}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303


def test_register_with_a_proposed_organisation_seen_by_the_organiser(
    site: dict[str, Any],
) -> None:
    client = site["client"]
    _sign_in(client, "proposer@example.org")
    page = client.get("/events/tiny2024")
    assert "Or propose an organisation not in the registry" in page.text
    form = {"csrf": _csrf(page.text), "organisation_id": "", "type": "start-up", "country": "de",
            "new_name": "Photon <Start-up>", "new_country": "de", "new_type": "start-up",
            "new_website": "https://photon.example.org"}  # fmt: skip
    done = client.post("/events/tiny2024/register", data=form, follow_redirects=True)
    assert done.status_code == 200
    assert "awaits an administrator" in done.text
    _sign_in(client, "organiser@example.org")
    organise = client.get("/events/tiny2024/organise")
    assert organise.status_code == 200
    pending = re.search(r'<ul id="pending-organisations">(.*?)</ul>', organise.text, re.S)
    assert pending is not None
    assert "Photon &lt;Start-up&gt; (proposed, pending) (start-up, DE)" in pending.group(1)
    client.cookies.clear()
