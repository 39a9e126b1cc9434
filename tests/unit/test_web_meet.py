"""The Meet dashboard pages through the full app with a TestClient (no browser).

The event is the tiny one of ``_meet_support`` (three 20-minute slots at 14:00, 14:20 and
14:40 Brussels time, one table) without a registration window. Worked by hand: p1 is free
at 14:00 and 14:20, p2 only at 14:20; p1 asks p2, p2 accepts, so the one meeting can only be
at 14:20, table 1; p3 has no meeting, so coverage is 2 of 3 participants and the acceptance
rate 1 of 1 answered requests.
"""

from __future__ import annotations

import itertools
import re
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from _meet_support import SLOT1, SLOT2, SLOT3, TINY_EVENT
from _registry_support import write_mirror

with warnings.catch_warnings():
    # Starlette 1.x warns at import that its TestClient prefers httpx2 (not installed here).
    warnings.filterwarnings(
        "ignore", message="Using `httpx` with `starlette.testclient`", category=Warning
    )
    from starlette.testclient import TestClient

pytest.importorskip("fastapi")
from clusteratlas.meet import service as meet
from clusteratlas.registry import (
    create_organisation,
    create_user,
    search_organisations,
    session_scope,
)

PASSWORD = "correct horse battery"
EVENT = re.sub(r"\[event\.registration\]\nopens = .*\ncloses = .*\n", "", TINY_EVENT)
EVIL = "<b>Evil & Co</b>"
EMAILS = {name: f"{name}@meet.example.org" for name in ("organiser", "p1", "p2", "p3")}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from clusteratlas.api.app import create_app

    folder = tmp_path_factory.mktemp("webmeet")
    app = create_app(
        database_url=f"sqlite:///{folder / 'registry.sqlite'}",
        store_path=folder / "store.duckdb",
        data_dir=write_mirror(folder / "mirror"),
    )
    with session_scope(app.state.sessions) as session:
        orgs = {
            "p1": search_organisations(session, text="Silicon Saxony").items[0].id,
            "p2": search_organisations(session, text="Cosmetic Valley").items[0].id,
            "p3": create_organisation(session, actor=None, data={"name": EVIL, "country": "FR"}).id,
        }
        users = {n: create_user(session, email=e, password=PASSWORD) for n, e in EMAILS.items()}
        meet.create_event(session, actor=None, definition=EVENT)
        meet.grant_organiser(session, actor=None, slug="tiny2024", user_id=users["organiser"].id)
        meet.set_status(session, actor=users["organiser"], slug="tiny2024", status="open")
        meet.create_event(session, actor=None, definition=EVENT.replace("tiny2024", "draft2024"))
    with TestClient(app) as client:
        yield {"client": client, "orgs": orgs, "ids": {}}


def login_csrf(client: TestClient) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert found
    return found.group(1)


def as_user(site: dict[str, Any], name: str) -> TestClient:
    """The client, signed in as ``name`` (cookies of the previous user dropped)."""
    client: TestClient = site["client"]
    client.cookies.clear()
    kept = site.setdefault("cookies", {})
    if name in kept:  # one sign-in per user: sign-in is rate limited per account
        for key, value in kept[name].items():
            client.cookies.set(key, value)
        return client
    done = client.post(
        "/login",
        data={
            "email": EMAILS[name],
            "password": PASSWORD,
            "next": "/events",
            "csrf": login_csrf(client),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    kept[name] = dict(client.cookies.items())
    return client


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]{32})"', page)
    assert found, "the page carries no CSRF token"
    return found.group(1)


def register(site: dict[str, Any], name: str, kind: str, country: str) -> int:
    client = as_user(site, name)
    page = client.get("/events/tiny2024")
    assert page.status_code == 200 and 'id="h-register"' in page.text
    assert f'<option value="{site["orgs"][name]}">' in page.text
    done = client.post(
        "/events/tiny2024/register",
        data={"csrf": csrf_of(page.text), "organisation_id": str(site["orgs"][name]),
              "type": kind, "country": country.lower(), "languages": "en, FR"},
    )  # fmt: skip
    assert done.status_code == 200 and 'id="done"' in done.text
    found = re.search(r"registered as participant (\d+)", done.text)
    assert found
    return int(found.group(1))


@pytest.fixture(scope="module")
def ids(site: dict[str, Any]) -> dict[str, int]:
    return {
        "p1": register(site, "p1", "SME", "DE"),
        "p2": register(site, "p2", "start-up", "FR"),
        "p3": register(site, "p3", "policy maker", "FR"),
    }


def test_events_list_and_event_page_show_public_facts_in_the_event_zone(
    site: dict[str, Any], ids: dict[str, int]
) -> None:
    client: TestClient = site["client"]
    client.cookies.clear()
    listing = client.get("/events")
    assert listing.status_code == 200 and 'href="/events/tiny2024"' in listing.text
    page = client.get("/events/tiny2024")
    assert page.status_code == 200
    assert "Town hall, Brussels (BE)" in page.text and "Europe/Brussels" in page.text
    # Slots in local time (UTC+2): 14:00–14:20, 14:20–14:40, 14:40–15:00.
    for start, end in (("14:00", "14:20"), ("14:20", "14:40"), ("14:40", "15:00")):
        assert f"Tue 07 May 2024, {start}</td><td>{end}</td>" in page.text
    assert '<span class="badge" id="event-status">open</span>' in page.text
    assert "<dt>Participants</dt><dd>3</dd>" in page.text
    assert 'id="h-register"' not in page.text  # anonymous: a sign-in link instead
    assert client.get("/events/nope").status_code == 404


ITEMS = {
    "p1": ("request", "<script>alert(1)</script> laser welding equipment"),
    "p2": ("offer", "laser welding services"),
    "p3": ("offer", "laser welding training"),
}
"""Only text can score here (the organisations' industries name no related cluster for one
another), so p2 and p3, who offer laser welding, are whom p1 should meet."""


def publish(site: dict[str, Any], name: str) -> Any:
    client = as_user(site, name)
    page = client.get("/events/tiny2024/items")
    assert page.status_code == 200
    kind, title = ITEMS[name]
    return client.post("/events/tiny2024/items", data={
        "csrf": csrf_of(page.text), "kind": kind, "category": "expertise", "title": title,
        "text": "MEMS & packaging"})  # fmt: skip


@pytest.fixture(scope="module")
def market(site: dict[str, Any], ids: dict[str, int]) -> dict[str, Any]:
    """Each participant's item, published through the page (p1's page kept for the checks)."""
    return {name: publish(site, name) for name in ("p2", "p3", "p1")}


@pytest.fixture(scope="module")
def available(site: dict[str, Any], ids: dict[str, int]) -> None:
    """p1 free at 14:00 and 14:20, p2 at 14:20 only (saved through the page, with HTMX)."""
    for name, slots in (("p1", [SLOT1, SLOT2]), ("p2", [SLOT2])):
        client = as_user(site, name)
        page = client.get("/events/tiny2024/availability")
        saved = client.post("/events/tiny2024/availability", headers={"HX-Request": "true"},
                            data={"csrf": csrf_of(page.text), "slot": slots})  # fmt: skip
        assert saved.status_code == 200
        assert f"available in {len(slots)} of 3 slots" in saved.text
        assert "<html" not in saved.text  # an HTMX fragment, not a page


def test_html_is_escaped(site: dict[str, Any], market: dict[str, Any]) -> None:
    done = market["p1"]
    assert done.status_code == 200 and 'id="done"' in done.text
    assert "<script>alert(1)</script>" not in done.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; laser welding" in done.text
    assert "MEMS &amp; packaging" in done.text
    client = as_user(site, "p1")
    advice = client.get("/events/tiny2024/whom-to-meet")
    assert advice.status_code == 200
    assert EVIL not in advice.text and "&lt;b&gt;Evil &amp; Co&lt;/b&gt;" in advice.text


def test_whom_to_meet_lists_marketplace_items_with_their_scores(
    site: dict[str, Any], ids: dict[str, int], market: dict[str, Any]
) -> None:
    client = as_user(site, "p1")
    page = client.get("/events/tiny2024/whom-to-meet").text
    table = re.search(r'<table class="data" id="item-recommendations">(.*?)</table>', page, re.S)
    assert table is not None
    rows = re.findall(r'<tr data-item="(\d+)">(.*?)</tr>', table.group(1), re.S)
    # p2's and p3's offers (laser welding), never p1's own request (quoted in "Why" only).
    items = [re.search(r'<th scope="row">(.*?)</th>', row, re.S) for _, row in rows]
    titles = sorted(m.group(1) for m in items if m)
    assert len(titles) == 2 and "alert" not in " ".join(titles)
    assert "laser welding services" in titles[0] and "laser welding training" in titles[1]
    assert all('<span class="badge">offer</span>' in row for _, row in rows)
    cells = [re.findall(r'<td class="num">([0-9.]+)</td>', row) for _, row in rows]
    ranks = [int(c[0]) for c in cells]
    scores = [float(c[1]) for c in cells]
    text_part = [float(c[2]) for c in cells]  # the first part column is "Text"
    assert ranks == sorted(ranks) and scores == sorted(scores, reverse=True)
    assert all(t > 0 for t in text_part) and all(0 < s <= 1 for s in scores)
    assert "Cosmetic Valley" in table.group(1)  # p2's organisation, as the item's author


def test_availability_is_saved_and_stays_private(
    site: dict[str, Any], ids: dict[str, int], available: None
) -> None:
    client = as_user(site, "p3")
    page = client.get("/events/tiny2024/availability")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    # p3 never chose: all three slots ticked (p1's and p2's choices are not shown here).
    assert page.text.count('type="checkbox"') == 3 and page.text.count(" checked>") == 3
    client = as_user(site, "p1")
    page = client.get("/events/tiny2024/availability").text
    assert f'value="{SLOT1}" checked>' in page and f'value="{SLOT2}" checked>' in page
    assert f'value="{SLOT3}" >' in page
    # Without the session's token the change is refused and nothing is stored.
    forged = client.post("/events/tiny2024/availability", data={"slot": [SLOT3]})
    assert forged.status_code == 403 and "did not come from one of our pages" in forged.text
    assert f'value="{SLOT3}" >' in client.get("/events/tiny2024/availability").text
    bad = client.post(
        "/events/tiny2024/availability",
        data={"csrf": csrf_of(page), "slot": ["2024-05-07T09:00:00+02:00"]},
        headers={"HX-Request": "true"},
    )
    assert bad.status_code == 422 and 'role="alert"' in bad.text and "not a slot" in bad.text


def test_request_answer_schedule_plan_agenda_and_stats(
    site: dict[str, Any], ids: dict[str, int], market: dict[str, Any], available: None
) -> None:
    client = as_user(site, "p1")
    advice = client.get("/events/tiny2024/whom-to-meet")
    assert f'data-candidate="{ids["p2"]}"' in advice.text
    asked = client.post(
        "/events/tiny2024/requests",
        data={"csrf": csrf_of(advice.text), "to": str(ids["p2"])},
        headers={"HX-Request": "true"},
    )
    assert asked.status_code == 200 and "Requested" in asked.text
    assert f'data-candidate="{ids["p2"]}"' not in client.get("/events/tiny2024/whom-to-meet").text
    # p3 cannot answer a request addressed to p2.
    client = as_user(site, "p3")
    page = client.get("/events/tiny2024/requests")
    assert "None." in page.text and "data-request" not in page.text
    request_id = _only_request(site)
    refused = client.post(f"/events/tiny2024/requests/{request_id}/accept",
                          data={"csrf": csrf_of(page.text)})  # fmt: skip
    assert refused.status_code == 403
    client = as_user(site, "p2")
    page = client.get("/events/tiny2024/requests")
    assert f'data-request="{request_id}"' in page.text and ">Accept</button>" in page.text
    done = client.post(f"/events/tiny2024/requests/{request_id}/accept",
                       data={"csrf": csrf_of(page.text), "message": "See you <there>"})  # fmt: skip
    assert done.status_code == 200 and "See you &lt;there&gt;" in done.text
    assert '<span class="badge">accepted</span>' in done.text
    # The organiser schedules: the only common free slot of p1 and p2 is 14:20, table 1.
    client = as_user(site, "organiser")
    empty = client.get("/events/tiny2024/organise/plan")
    assert empty.status_code == 200 and "No meeting in this slot." in empty.text
    page = client.get("/events/tiny2024/organise")
    assert page.status_code == 200
    client.post("/events/tiny2024/organise/status",
                data={"csrf": csrf_of(page.text), "status": "scheduling"})  # fmt: skip
    page = client.get("/events/tiny2024/organise")
    assert '<strong id="event-status">scheduling</strong>' in page.text
    ran = client.post("/events/tiny2024/organise/schedule",
                      data={"csrf": csrf_of(page.text), "time_limit": "5"})  # fmt: skip
    assert ran.status_code == 200 and "Scheduled 1 of 1 wanted meetings" in ran.text
    assert '<dd id="meetings-scheduled">1</dd>' in ran.text
    plan = client.get("/events/tiny2024/organise/plan", params={"slot": SLOT2, "table": 1})
    assert plan.status_code == 200
    at = re.search(r'<p id="at-table">(.*?)</p>', plan.text, re.S)
    assert (
        at
        and f"participant {ids['p1']}" in at.group(1)
        and f"participant {ids['p2']}" in at.group(1)
    )
    free = client.get("/events/tiny2024/organise/plan", params={"slot": SLOT1, "table": 1})
    assert "table 1 is free in this slot" in free.text
    assert client.get("/events/tiny2024/organise/plan", params={"slot": "x"}).status_code == 422
    stats = client.get("/events/tiny2024/organise/stats")
    assert stats.status_code == 200
    assert '<dd id="acceptance">100 %</dd>' in stats.text
    assert '<dd id="coverage">66.67 %</dd>' in stats.text
    # Bars: FR has 2 participants, DE 1: the longest bar is FR's (360 px), DE's half of it.
    chart = re.search(r'<svg role="img"[^>]*id="chart-country">(.*?)</svg>', stats.text, re.S)
    assert chart and 'width="360"' in chart.group(1) and 'width="180"' in chart.group(1)
    assert "Registrations by country: FR 2, DE 1" in chart.group(1)
    csv = client.get("/events/tiny2024/organise/export/plan.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("slot_start,slot_end,session,room,table")
    assert SLOT2 in csv.text
    page = client.get("/events/tiny2024/organise")
    client.post("/events/tiny2024/organise/status",
                data={"csrf": csrf_of(page.text), "status": "published"})  # fmt: skip
    # p1's agenda: one meeting, at 14:20, table 1, with p2's organisation.
    client = as_user(site, "p1")
    agenda = client.get("/events/tiny2024/agenda")
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</th><td class=\"num\">(\d+)</td>", agenda.text)
    assert rows == [("Tue 07 May 2024, 14:20–14:40", "1")]
    assert "Cosmetic Valley" in agenda.text
    ics = client.get("/events/tiny2024/agenda.ics")
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    assert "DTSTART;TZID=Europe/Brussels:20240507T142000" in ics.text.replace("\r\n ", "")
    # p3 has no meeting and sees nobody else's.
    client = as_user(site, "p3")
    assert "No meeting scheduled for you yet." in client.get("/events/tiny2024/agenda").text


def _only_request(site: dict[str, Any]) -> int:
    from clusteratlas.registry.models import MeetRequest

    app = site["client"].app
    with session_scope(app.state.sessions) as session:
        (request,) = session.query(MeetRequest).all()
        return int(request.id)


def test_organiser_pages_are_refused_to_participants_and_anonymous(
    site: dict[str, Any], ids: dict[str, int]
) -> None:
    client = as_user(site, "p1")
    for path in ("organise", "organise/plan", "organise/stats", "organise/export/plan.csv"):
        refused = client.get(f"/events/tiny2024/{path}")
        assert refused.status_code == 403, path
        assert "Only an organiser" in refused.text
    page = client.get("/events/tiny2024/availability")
    refused = client.post("/events/tiny2024/organise/status",
                          data={"csrf": csrf_of(page.text), "status": "closed"})  # fmt: skip
    assert refused.status_code == 403
    client.cookies.clear()
    anonymous = client.get("/events/tiny2024/organise", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?")
    assert client.get("/events/tiny2024/agenda", follow_redirects=False).status_code == 303


def test_forms_need_the_csrf_token_and_pages_are_labelled(
    site: dict[str, Any], ids: dict[str, int]
) -> None:
    client = as_user(site, "organiser")
    forged = client.post("/events/tiny2024/organise/status", data={"status": "draft"})
    assert forged.status_code == 403
    client = as_user(site, "p3")
    for path in ("availability", "items", "whom-to-meet", "requests", "agenda"):
        page = client.get(f"/events/tiny2024/{path}").text
        controls = re.findall(
            r'<(?:input|select|textarea)\b(?![^>]*type="hidden")[^>]*\bid="([^"]+)"', page
        )
        for control in controls:
            assert f'for="{control}"' in page, (path, control)
        unlabelled = re.findall(
            r'<(?:input|select|textarea)\b(?![^>]*type="hidden")(?![^>]*\bid=)[^>]*>', page
        )
        assert unlabelled == [], (path, unlabelled)
        assert "<th>" not in page  # every header cell has a scope
        levels = [int(h) for h in re.findall(r"<h([1-6])\b", page)]
        assert levels[0] == 1 and all(b - a <= 1 for a, b in itertools.pairwise(levels)), path
        forms = re.findall(r'<form method="post".*?</form>', page, re.S)
        assert all('name="csrf"' in f for f in forms), path
    assert client.post("/events/tiny2024/items", data={"kind": "offer"}).status_code == 403
    assert client.post("/events/tiny2024/requests", data={"to": str(ids["p1"])}).status_code == 403


def test_a_draft_event_is_hidden_from_all_but_its_organisers(
    site: dict[str, Any], ids: dict[str, int]
) -> None:
    client = as_user(site, "p1")
    assert 'href="/events/draft2024"' not in client.get("/events").text
    for path in ("", "/availability", "/organise", "/organise/stats"):
        assert client.get(f"/events/draft2024{path}").status_code == 404, path
    # The organiser of tiny2024 is not one of draft2024's.
    client = as_user(site, "organiser")
    assert client.get("/events/draft2024/organise").status_code == 404


def test_the_organiser_proposes_a_meeting_and_the_participant_sees_it(
    site: dict[str, Any], ids: dict[str, int]
) -> None:
    client = as_user(site, "organiser")
    page = client.get("/events/tiny2024/organise")
    if "propose-a" not in page.text:
        pytest.skip("the event is past the statuses in which meetings are proposed")
    done = client.post("/events/tiny2024/organise/propose", data={
        "csrf": csrf_of(page.text), "a": str(ids["p2"]), "b": str(ids["p3"]), "message": "Meet!"})  # fmt: skip
    assert done.status_code == 200 and 'id="proposed"' in done.text
    same = client.post("/events/tiny2024/organise/propose", data={
        "csrf": csrf_of(page.text), "a": str(ids["p2"]), "b": str(ids["p2"])})  # fmt: skip
    assert same.status_code in (409, 422) and 'role="alert"' in same.text
    client = as_user(site, "p3")
    received = client.get("/events/tiny2024/requests").text
    assert "proposed by the organisers" in received and "Meet!" in received


def _meeting_id(page: str) -> int:
    found = re.findall(r'<section class="card" id="meeting-(\d+)"', page)
    assert len(found) == 1, page
    return int(found[0])


def test_private_notes_and_ratings_after_the_event(
    site: dict[str, Any], ids: dict[str, int]
) -> None:
    client = as_user(site, "p1")
    page = client.get("/events/tiny2024/meetings")
    if 'class="card" id="meeting-' not in page.text:
        pytest.skip("needs the meeting scheduled by the test before")
    meeting = _meeting_id(page.text)
    assert "Cosmetic Valley" in page.text
    forged = client.post(f"/events/tiny2024/meetings/{meeting}/note", data={"note": "x"})
    assert forged.status_code == 403
    secret = "Follow up on the <laser> pilot"
    saved = client.post(f"/events/tiny2024/meetings/{meeting}/note",
                        data={"csrf": csrf_of(page.text), "note": secret})  # fmt: skip
    assert saved.status_code == 200 and 'id="saved"' in saved.text
    assert "Follow up on the &lt;laser&gt; pilot</textarea>" in saved.text
    # The meeting is over (7 May 2024): p1 rates it and says it may lead to cooperation.
    rated = client.post(f"/events/tiny2024/meetings/{meeting}/rating",
                        data={"csrf": csrf_of(page.text), "score": "4", "held": "on",
                              "cooperation": "on", "comment": "Promising"})  # fmt: skip
    assert rated.status_code == 200
    assert "you rated it 4/5, may lead to cooperation" in rated.text
    bad = client.post(f"/events/tiny2024/meetings/{meeting}/rating",
                      data={"csrf": csrf_of(page.text), "score": "9"})  # fmt: skip
    assert bad.status_code == 422 and "parameter must be an int in [1, 5]" in bad.text
    # The other side sees the meeting, not the note; p3 may neither read nor write it.
    client = as_user(site, "p2")
    theirs = client.get("/events/tiny2024/meetings")
    assert _meeting_id(theirs.text) == meeting and "laser" not in theirs.text
    assert "you rated it" not in theirs.text
    client = as_user(site, "p3")
    page = client.get("/events/tiny2024/meetings")
    assert "laser" not in page.text and f'id="meeting-{meeting}"' not in page.text
    refused = client.post(f"/events/tiny2024/meetings/{meeting}/note",
                          data={"csrf": csrf_of(page.text), "note": "mine now"})  # fmt: skip
    assert refused.status_code == 403 and "Only the two participants" in refused.text
    # The organiser sees the rating in the exports, never the note.
    client = as_user(site, "organiser")
    assert client.get("/events/tiny2024/meetings").status_code == 404  # not a participant
    for table in ("meetings", "ratings"):
        export = client.get(f"/events/tiny2024/organise/export/{table}.csv")
        assert export.status_code == 200 and "laser" not in export.text
    ratings = client.get("/events/tiny2024/organise/export/ratings.csv").text.splitlines()
    header = ratings[0].split(",")
    (row,) = [dict(zip(header, line.split(","), strict=True)) for line in ratings[1:]]
    assert row["score"] == "4" and row["cooperation"] == "True" and row["comment"] == "Promising"
    assert row["participant_id"] == str(ids["p1"])
