"""The Meet pages in Debian's chromium: a participant sets availability and requests a meeting
through the pages (HTMX, no reload); the organiser schedules and reads the table plan.

The event is the tiny one of ``tests/unit/_meet_support.py`` (three 20-minute slots at 14:00,
14:20 and 14:40 Brussels time, one table), run by an app of this module on a loopback port.
Worked by hand: p1 is free at 14:20 only, p2 everywhere, p2 offers what p1 asks for; once p2
accepts, the one meeting can only be at 14:20, table 1.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _browser_support import PASSWORD, Watch
from _meet_support import SLOT1, SLOT2, SLOT3, TINY_EVENT
from _registry_support import write_mirror

pytestmark = pytest.mark.browser
EVENT = re.sub(r"\[event\.registration\]\nopens = .*\ncloses = .*\n", "", TINY_EVENT)
EMAILS = {name: f"{name}@meet.example.org" for name in ("organiser", "p1", "p2")}


@pytest.fixture(scope="module")
def meet_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The app with the tiny event open, p1 and p2 registered with an item each."""
    uvicorn = pytest.importorskip("uvicorn")
    from clusteratlas.api.app import create_app
    from clusteratlas.meet import service as meet
    from clusteratlas.meet import service_participants as members
    from clusteratlas.registry import create_user, search_organisations, session_scope

    folder = tmp_path_factory.mktemp("meetsite")
    app = create_app(
        database_url=f"sqlite:///{folder / 'registry.sqlite'}",
        store_path=folder / "store.duckdb",
        data_dir=write_mirror(folder / "mirror"),
    )
    from clusteratlas.registry.signup import SignupSettings

    # The verification link names CLUSTERATLAS_PUBLIC_URL; the test follows its path.
    app.state.signup_settings = SignupSettings(enabled=True, public_url="https://atlas.example.org")
    ids = {}
    with session_scope(app.state.sessions) as session:
        users = {n: create_user(session, email=e, password=PASSWORD) for n, e in EMAILS.items()}
        meet.create_event(session, actor=None, definition=EVENT)
        meet.grant_organiser(session, actor=None, slug="tiny2024", user_id=users["organiser"].id)
        meet.set_status(session, actor=users["organiser"], slug="tiny2024", status="open")
        # A second open event for the sign-up test (the first one gets published).
        late = EVENT.replace("tiny2024", "late2024").replace("Tiny Cluster Day", "Late Cluster Day")
        meet.create_event(session, actor=None, definition=late)
        meet.grant_organiser(session, actor=None, slug="late2024", user_id=users["organiser"].id)
        meet.set_status(session, actor=users["organiser"], slug="late2024", status="open")
        for name, text, kind, org in (
            ("p1", "laser welding equipment", "request", "Silicon Saxony"),
            ("p2", "laser welding services", "offer", "Cosmetic Valley"),
        ):
            organisation = search_organisations(session, text=org).items[0].id
            me = members.register(session, actor=users[name], slug="tiny2024",
                                  organisation_id=organisation, type="SME", country="DE")  # fmt: skip
            members.add_item(session, actor=users[name], slug="tiny2024", participant_id=me.id,
                             kind=kind, category="expertise", title=text)  # fmt: skip
            ids[name] = me.id
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="uvicorn-meet", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield {"url": f"http://127.0.0.1:{port}", "ids": ids, "app": app}
    server.should_exit = True
    thread.join(timeout=10)


def _shot(name: str) -> str:
    folder = Path(os.environ.get("CLUSTERATLAS_SCREENSHOTS", "/tmp/clusteratlas-screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / f"{name}.png")


def _sign_in(page: Any, url: str, name: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{url}/login?next=/events")
    page.get_by_label("E-mail address").fill(EMAILS[name])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/events$"))


def test_participant_and_organiser_through_the_pages(
    meet_site: dict[str, Any], watched: tuple[Any, Watch]
) -> None:
    page, _ = watched
    url, ids = meet_site["url"], meet_site["ids"]
    page.goto(f"{url}/events")
    page.screenshot(path=_shot("meet-events"), full_page=True)
    page.get_by_role("link", name="Tiny Cluster Day").click()
    page.wait_for_url(re.compile(r"/events/tiny2024$"))
    assert "14:20" in page.locator("#slots").inner_text()
    page.screenshot(path=_shot("meet-event"), full_page=True)

    # p1: only 14:20 free, saved with HTMX (the page is not reloaded).
    _sign_in(page, url, "p1")
    page.goto(f"{url}/events/tiny2024/availability")
    page.wait_for_function("window.htmx !== undefined")
    page.evaluate("window.__notReloaded = true")
    for slot in (SLOT1, SLOT3):
        page.locator(f'input[value="{slot}"]').uncheck()
    assert page.locator(f'input[value="{SLOT2}"]').is_checked()
    page.get_by_role("button", name="Save availability").click()
    page.wait_for_selector("#availability-status [role=status]")
    assert "available in 1 of 3 slots" in page.locator("#availability-status").inner_text()
    assert page.evaluate("window.__notReloaded") is True
    page.screenshot(path=_shot("meet-availability"), full_page=True)

    # Whom to meet: p2 is ranked; the row's button asks for the meeting in place.
    page.goto(f"{url}/events/tiny2024/whom-to-meet")
    page.wait_for_function("window.htmx !== undefined")
    page.evaluate("window.__notReloaded = true")
    row = page.locator(f'tr[data-candidate="{ids["p2"]}"]')
    assert "Cosmetic Valley" in row.inner_text()
    page.screenshot(path=_shot("meet-whom-to-meet"), full_page=True)
    row.get_by_role("button", name=re.compile("Request a meeting")).click()
    page.wait_for_selector(f"#ask-{ids['p2']} [role=status]")
    assert "Requested" in page.locator(f"#ask-{ids['p2']}").inner_text()
    assert page.evaluate("window.__notReloaded") is True

    # p2 accepts with a message.
    _sign_in(page, url, "p2")
    page.goto(f"{url}/events/tiny2024/requests")
    received = page.locator("#received tbody tr")
    assert received.count() == 1
    received.first.get_by_label("Message with your accept").fill("Happy to meet")
    received.first.get_by_role("button", name="Accept").click()
    page.wait_for_url(re.compile(r"/events/tiny2024/requests$"))
    assert "accepted" in page.locator("#received").inner_text()
    page.screenshot(path=_shot("meet-requests"), full_page=True)

    # The organiser: scheduling status, run the solver, then the table plan.
    _sign_in(page, url, "organiser")
    page.goto(f"{url}/events/tiny2024/organise")
    page.get_by_label("New status").select_option("scheduling")
    page.get_by_role("button", name="Change status").click()
    page.wait_for_url(re.compile(r"/organise$"))
    assert page.locator("#event-status").inner_text() == "scheduling"
    page.get_by_label("Time limit (seconds)").fill("5")
    page.get_by_role("button", name="Run scheduling").click()
    page.wait_for_selector("#schedule-result")
    assert "Scheduled 1 of 1" in page.locator("#schedule-result").inner_text()
    assert page.locator("#meetings-scheduled").inner_text() == "1"
    page.screenshot(path=_shot("meet-organise"), full_page=True)
    page.get_by_role("link", name="Table plan").first.click()
    page.wait_for_url(re.compile(r"/organise/plan$"))
    page.get_by_label(re.compile(r"^Slot")).select_option(SLOT2)
    page.get_by_label("Table", exact=True).fill("1")
    page.get_by_role("button", name="Show").click()
    page.wait_for_selector("#at-table")
    who = page.locator("#at-table").inner_text()
    assert f"participant {ids['p1']}" in who and f"participant {ids['p2']}" in who
    assert page.locator("#plan tbody tr").count() == 1
    page.screenshot(path=_shot("meet-plan"), full_page=True)
    page.goto(f"{url}/events/tiny2024/organise/stats")
    assert page.locator("#chart-country").is_visible()
    page.screenshot(path=_shot("meet-stats"), full_page=True)

    # Published: p1's printable agenda has the one meeting, and its calendar file.
    page.goto(f"{url}/events/tiny2024/organise")
    page.get_by_label("New status").select_option("published")
    page.get_by_role("button", name="Change status").click()
    page.wait_for_url(re.compile(r"/organise$"))
    _sign_in(page, url, "p1")
    page.goto(f"{url}/events/tiny2024/agenda")
    rows = page.locator("#agenda tbody tr")
    assert rows.count() == 1
    assert "14:20" in rows.first.inner_text() and "Cosmetic Valley" in rows.first.inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the agenda (.ics)").click()
    assert download.value.suggested_filename == "tiny2024-agenda.ics"
    page.screenshot(path=_shot("meet-agenda"), full_page=True)
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()  # the printed agenda has no menus
    page.emulate_media(media="screen")

    # After the event (7 May 2024): a private note and a rating of the meeting.
    page.get_by_role("link", name="Notes and ratings").click()
    page.wait_for_url(re.compile(r"/meetings$"))
    card = page.locator("section.card")
    assert card.count() == 1 and "Cosmetic Valley" in card.inner_text()
    card.get_by_label("Your private note").fill("Ask for the pilot line price list")
    card.get_by_role("button", name="Save note").click()
    page.wait_for_selector("#saved")
    card = page.locator("section.card")
    card.get_by_label("Rating").select_option("5")
    card.get_by_label("It may lead to cooperation").check()
    card.get_by_role("button", name="Rate").click()
    page.wait_for_selector("#saved")
    assert "you rated it 5/5, may lead to cooperation" in page.locator("section.card").inner_text()
    assert (
        page.get_by_label("Your private note").input_value() == "Ask for the pilot line price list"
    )
    page.screenshot(path=_shot("meet-meetings"), full_page=True)


def test_meet_pages_keep_the_content_security_policy(
    meet_site: dict[str, Any], browser: Any
) -> None:
    """Under the enforced CSP (no bypass): HTMX saves, the SVG chart draws, nothing is blocked."""
    context = browser.new_context(bypass_csp=False)
    context.route(
        "**/*",
        lambda h: h.continue_() if "127.0.0.1" in h.request.url else h.abort(),
    )
    page = context.new_page()
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    url = meet_site["url"]
    try:
        _sign_in(page, url, "p2")
        page.goto(f"{url}/events/tiny2024/availability")
        page.get_by_role("button", name="Save availability").click()
        # Saved while scheduling; refused (409, shown by static/js/meet.js) once published.
        page.wait_for_selector("#availability-status [role]")
        said = page.locator("#availability-status").inner_text()
        assert "Saved" in said or "availability is set while open or scheduling" in said
        assert page.evaluate("window.__csp") == []
        _sign_in(page, url, "organiser")
        for path in ("organise", "organise/plan", "organise/stats"):
            page.goto(f"{url}/events/tiny2024/{path}")
            assert page.evaluate("window.__csp") == [], path
        assert page.locator("#chart-type rect").count() == 1
    finally:
        context.close()
    assert errors == []


def test_sign_up_confirm_and_register(
    meet_site: dict[str, Any], watched: tuple[Any, Watch]
) -> None:
    """A newcomer signs up, is refused until they confirm, confirms, then registers."""
    from clusteratlas.registry import session_scope
    from clusteratlas.registry.signup import outbox

    page, watch = watched
    watch.allow_failed_load("/events/late2024/register")  # the refusal below is a 403 page
    url, email = meet_site["url"], "newcomer@meet.example.org"
    page.context.clear_cookies()
    page.goto(f"{url}/events/late2024")
    page.get_by_role("link", name="sign up", exact=True).click()
    page.wait_for_url(re.compile(r"/signup\?next="))
    page.get_by_label("Your name (optional)").fill("New Comer")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password (at least 8 characters)").fill(PASSWORD)
    page.screenshot(path=_shot("meet-signup"), full_page=True)
    page.get_by_role("button", name="Sign up").click()
    assert "on its way" in page.locator("#signup-sent").inner_text()
    page.screenshot(path=_shot("meet-signup-sent"), full_page=True)

    # Signed in but unconfirmed: the registration is refused with the reason.
    page.goto(f"{url}/login?next=/events/late2024")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/events/late2024$"))
    page.locator("#organisation_id").select_option(index=1)
    page.locator("#country").fill("BE")
    page.get_by_role("button", name="Register").click()
    assert "Confirm your e-mail address" in page.locator("body").inner_text()

    with session_scope(meet_site["app"].state.sessions) as session:
        (mail,) = outbox(session, recipient=email)
        link = re.search(r"/signup/verify\?token=[A-Za-z0-9_-]+", mail.body)
    assert link is not None
    page.goto(f"{url}{link.group(0)}")
    page.screenshot(path=_shot("meet-signup-verify"), full_page=True)
    page.get_by_role("button", name="Confirm my e-mail address").click()
    assert "is confirmed" in page.locator("#signup-verified").inner_text()

    page.goto(f"{url}/events/late2024")
    page.locator("#organisation_id").select_option(index=1)
    page.locator("#country").fill("BE")
    page.get_by_role("button", name="Register").click()
    page.wait_for_selector("text=You are registered as participant")
    page.screenshot(path=_shot("meet-signup-registered"), full_page=True)
