"""Refusals of the dashboard's forms, through the full app with a TestClient (no browser).

Each case posts what a browser could post (a signed-out visitor, a stale session, a bad
field, a step out of order) and checks the status, the message shown, and that nothing was
stored. People: two managers (Silicon Saxony, Cosmetic Valley), a reviewer of ESCA Gold who
manages no organisation, the organiser of a Meet event and a participant. The event is the
tiny one of ``_meet_support`` (three slots, one table) renamed ``edge2024``, open, without a
registration window.
"""

from __future__ import annotations

import html
import re
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from _meet_support import TINY_EVENT
from _registry_support import write_mirror
from _web_support import signed_in

with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore", message="Using `httpx` with `starlette.testclient`", category=Warning
    )
    from starlette.testclient import TestClient

pytest.importorskip("fastapi")
from clusteratlas.meet import service as meet
from clusteratlas.meet import service_participants as members
from clusteratlas.registry import create_user, search_organisations, session_scope
from clusteratlas.registry.services_reviews import grant_reviewer

PASSWORD = "correct horse battery"
SLUG = "edge2024"
EVENT = re.sub(r"\[event\.registration\]\nopens = .*\ncloses = .*\n", "", TINY_EVENT).replace(
    "tiny2024", SLUG
)
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from clusteratlas.api.app import create_app

    folder = tmp_path_factory.mktemp("web-edges")
    app = create_app(
        database_url=f"sqlite:///{folder / 'registry.sqlite'}",
        store_path=folder / "store.duckdb",
        data_dir=write_mirror(folder / "mirror"),
    )
    with session_scope(app.state.sessions) as session:
        saxony = search_organisations(session, text="Silicon Saxony").items[0].id
        valley = search_organisations(session, text="Cosmetic Valley").items[0].id
        create_user(session, email="m@example.org", password=PASSWORD, role="manager",
                    organisation_id=saxony)  # fmt: skip
        create_user(session, email="s@example.org", password=PASSWORD, role="manager",
                    organisation_id=valley)  # fmt: skip
        admin = create_user(session, email="a@example.org", password=PASSWORD, role="admin")
        reviewer = create_user(session, email="r@example.org", password=PASSWORD)
        grant_reviewer(session, actor=admin, user_id=reviewer.id, scheme="esca-gold")
        organiser = create_user(session, email="o@example.org", password=PASSWORD)
        participant = create_user(session, email="p@example.org", password=PASSWORD)
        meet.create_event(session, actor=None, definition=EVENT)
        meet.grant_organiser(session, actor=None, slug=SLUG, user_id=organiser.id)
        meet.set_status(session, actor=organiser, slug=SLUG, status="open")
        me = members.register(session, actor=participant, slug=SLUG, organisation_id=saxony,
                              type="SME", country="DE")  # fmt: skip
        ids = {"participant": me.id}
    with TestClient(app) as client:
        yield {"client": client, "app": app, "ids": ids, "cookies": {}}


def as_user(site: dict[str, Any], email: str, page: str = "/labels") -> tuple[TestClient, str]:
    """The client signed in as ``email`` (one sign-in per user), and ``page``'s CSRF token."""
    client: TestClient = site["client"]
    kept = site["cookies"]
    if email not in kept:
        signed_in(client, email, password=PASSWORD, page=page)
        kept[email] = dict(client.cookies.items())
    client.cookies.clear()
    for key, value in kept[email].items():
        client.cookies.set(key, value)
    token = CSRF.search(client.get(page).text)
    assert token, f"{page} carries no CSRF token"
    return client, token.group(1)


def text_of(response: Any) -> str:
    """The page's text with the HTML entities decoded (messages quote with &#39;)."""
    return html.unescape(response.text)


def new_draft(site: dict[str, Any], email: str, scheme: str) -> int:
    client, csrf = as_user(site, email)
    started = client.post("/labels/assessments", data={"scheme": scheme, "csrf": csrf},
                          follow_redirects=False)  # fmt: skip
    assert started.status_code == 303, started.text
    return int(started.headers["location"].rsplit("/", 1)[1])


def assessment(site: dict[str, Any], ident: int) -> Any:
    from clusteratlas.registry.models_labels import LabelAssessment

    with session_scope(site["app"].state.sessions) as session:
        item = session.get(LabelAssessment, ident)
        assert item is not None
        return (
            item.status,
            {a.indicator: (a.value, a.comment) for a in item.answers},
            [(e.indicator, e.url) for e in item.evidence],
        )


@pytest.fixture(scope="module")
def submitted(site: dict[str, Any]) -> int:
    """Silicon Saxony's ESCA Gold assessment with one answer, submitted through the pages."""
    ident = new_draft(site, "m@example.org", "esca-gold")
    client, csrf = as_user(site, "m@example.org")
    saved = client.post(f"/labels/assessments/{ident}/answers",
                        data={"indicator": "G05", "value": "yes", "csrf": csrf},
                        follow_redirects=False)  # fmt: skip
    assert saved.status_code == 303
    done = client.post(f"/labels/assessments/{ident}/submit", data={"csrf": csrf},
                       follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    return ident


# Labels: self-assessment forms.


def test_signed_out_label_forms_send_to_sign_in_and_change_nothing(
    site: dict[str, Any], submitted: int
) -> None:
    ident = submitted
    before = assessment(site, ident)
    client: TestClient = site["client"]
    client.cookies.clear()
    back = f"%2Flabels%2Fassessments%2F{ident}"
    for path, data, location in (
        ("/labels/assessments", {"scheme": "esca-bronze"}, "/login?next=%2Flabels"),
        (f"/labels/assessments/{ident}/answers", {"indicator": "G14", "value": "99"},
         f"/login?next={back}"),
        (f"/labels/assessments/{ident}/evidence", {"indicator": "G14", "url": "https://x.org"},
         f"/login?next={back}"),
        (f"/labels/assessments/{ident}/submit", {}, f"/login?next={back}"),
        (f"/labels/assessments/{ident}/review", {"decision": "reject", "comment": "no"},
         f"/login?next={back}%2Freview"),
    ):  # fmt: skip
        answer = client.post(path, data=data, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == location, path
    assert assessment(site, ident) == before


def test_a_user_who_manages_no_organisation_cannot_start_an_assessment(
    site: dict[str, Any],
) -> None:
    client, csrf = as_user(site, "r@example.org")
    refused = client.post("/labels/assessments", data={"scheme": "esca-gold", "csrf": csrf})
    assert refused.status_code == 403
    assert "r@example.org manages no organisation, so it has none to assess." in text_of(refused)


def test_an_answer_keeps_its_comment_and_an_unknown_indicator_is_refused(
    site: dict[str, Any],
) -> None:
    ident = new_draft(site, "s@example.org", "esca-gold")
    client, csrf = as_user(site, "s@example.org")
    saved = client.post(
        f"/labels/assessments/{ident}/answers",
        data={"indicator": "G14", "value": "45", "comment": "  From the 2024 staff list ",
              "csrf": csrf},
        follow_redirects=False,
    )  # fmt: skip
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/labels/assessments/{ident}#ind-G14"
    _, answers, _ = assessment(site, ident)
    assert answers["G14"][1] == "From the 2024 staff list"
    # An HTMX post for an indicator the scheme lacks: no fragment to return, a 422 page.
    unknown = client.post(
        f"/labels/assessments/{ident}/answers",
        data={"indicator": "G99", "value": "1", "csrf": csrf},
        headers={"HX-Request": "true"},
    )
    assert unknown.status_code == 422 and "G99" in text_of(unknown)
    assert "G99" not in assessment(site, ident)[1]


def test_evidence_is_a_file_or_an_address_and_only_for_ones_own_assessment(
    site: dict[str, Any], submitted: int
) -> None:
    ident = new_draft(site, "s@example.org", "esca-bronze")
    client, csrf = as_user(site, "s@example.org")
    url = f"/labels/assessments/{ident}/evidence"
    indicator = re.search(r'name="indicator" value="([^"]+)"', client.get(url[:-9]).text)
    assert indicator
    nothing = client.post(url, data={"indicator": indicator.group(1), "url": "  ", "csrf": csrf})
    assert nothing.status_code == 422
    assert (
        f"Evidence for indicator '{indicator.group(1)}': choose a file or give a web address."
        in text_of(nothing)
    )
    assert assessment(site, ident)[2] == []
    link = "https://www.cosmetic-valley.com/annual-report-2024.pdf"
    given = client.post(url, data={"indicator": indicator.group(1), "url": link, "csrf": csrf},
                        follow_redirects=False)  # fmt: skip
    assert given.status_code == 303
    assert assessment(site, ident)[2] == [(indicator.group(1), link)]
    assert link in client.get(url[:-9]).text
    # Silicon Saxony's assessment is not Cosmetic Valley's to document.
    sneaky = client.post(f"/labels/assessments/{submitted}/evidence",
                         data={"indicator": "G05", "url": link, "csrf": csrf})  # fmt: skip
    assert sneaky.status_code == 404
    assert assessment(site, submitted)[2] == []


def test_an_assessment_without_answers_cannot_be_submitted(site: dict[str, Any]) -> None:
    ident = new_draft(site, "m@example.org", "esca-bronze")
    client, csrf = as_user(site, "m@example.org")
    refused = client.post(f"/labels/assessments/{ident}/submit", data={"csrf": csrf})
    assert refused.status_code == 422
    assert f"Assessment {ident} has no answer; answer it before submitting." in text_of(refused)
    assert assessment(site, ident)[0] == "draft"


# Labels: the reviewer's form.


def test_review_form_errors_are_shown_on_the_review_page(
    site: dict[str, Any], submitted: int
) -> None:
    client, csrf = as_user(site, "r@example.org", page=f"/labels/assessments/{submitted}/review")
    url = f"/labels/assessments/{submitted}/review"
    bad_date = client.post(url, data={"csrf": csrf, "decision": "accept", "level": "Gold",
                                      "awarded_on": "31/12/2024"})  # fmt: skip
    assert bad_date.status_code == 422
    page = text_of(bad_date)
    assert "Award date must be a date (YYYY-MM-DD); got '31/12/2024'." in page
    assert "Request changes" in page  # the review form again, not a bare error page
    no_reason = client.post(url, data={"csrf": csrf, "decision": "request_changes",
                                       "comment": "   "})  # fmt: skip
    assert no_reason.status_code == 422
    assert "A decision to request changes needs a comment saying why." in text_of(no_reason)
    assert assessment(site, submitted)[0] == "submitted"


def test_a_decided_assessment_is_not_reviewed_again(site: dict[str, Any], submitted: int) -> None:
    client, csrf = as_user(site, "r@example.org", page=f"/labels/assessments/{submitted}/review")
    url = f"/labels/assessments/{submitted}/review"
    decided = client.post(url, data={"csrf": csrf, "decision": "request_changes",
                                     "comment": "Document G05."}, follow_redirects=False)  # fmt: skip
    assert decided.status_code == 303
    assert decided.headers["location"] == f"/labels/review?done={submitted}"
    status = assessment(site, submitted)[0]
    assert status == "changes_requested"
    page = client.get(url)
    assert page.status_code == 409
    assert (
        f"Assessment {submitted} is changes requested; only a submitted one is reviewed."
        in text_of(page)
    )
    again = client.post(url, data={"csrf": csrf, "decision": "reject", "comment": "No."})
    assert again.status_code == 409
    assert f"Assessment {submitted} is changes_requested; only a submitted one" in text_of(again)
    assert assessment(site, submitted)[0] == "changes_requested"


# Meet: the participant's forms.


def meet_page(site: dict[str, Any], email: str, path: str = "") -> tuple[TestClient, str]:
    return as_user(site, email, page=f"/events/{SLUG}{path}")


def test_a_non_participant_is_told_to_register_first(site: dict[str, Any]) -> None:
    client, csrf = meet_page(site, "o@example.org")
    for path, data in (
        ("availability", {"slot": "2024-05-07T14:00:00+02:00"}),
        ("items", {"kind": "offer", "category": "expertise", "title": "Laser welding"}),
        ("requests", {"to": str(site["ids"]["participant"])}),
    ):
        refused = client.post(f"/events/{SLUG}/{path}", data={**data, "csrf": csrf})
        assert refused.status_code == 404, path
        assert (
            "You are not registered to Tiny Cluster Day; register on the event's page first."
            in text_of(refused)
        ), path


def test_meet_forms_refused_by_the_service_say_why(site: dict[str, Any]) -> None:
    client, csrf = meet_page(site, "p@example.org", "/items")
    empty = client.post(f"/events/{SLUG}/items", data={
        "csrf": csrf, "kind": "offer", "category": "expertise", "title": "   "})  # fmt: skip
    assert empty.status_code == 422
    assert "The 'title' parameter must not be empty." in text_of(empty)
    assert "Laser" not in client.get(f"/events/{SLUG}/items").text
    twice = client.post(f"/events/{SLUG}/register", data={
        "csrf": csrf, "organisation_id": "1", "type": "SME", "country": "DE"})  # fmt: skip
    assert twice.status_code == 409
    nobody = client.post(f"/events/{SLUG}/requests", data={"csrf": csrf, "to": "999999"})
    assert nobody.status_code == 404
    unknown = client.post(f"/events/{SLUG}/requests/1/approve", data={"csrf": csrf})
    assert unknown.status_code == 404
    assert "The action must be accept, decline or cancel; got 'approve'." in text_of(unknown)


def test_a_stale_session_cannot_register(site: dict[str, Any]) -> None:
    # Signed out in this browser, the session cookie replayed from a page left open
    # elsewhere: the session is revoked on the server, so the form sends to sign-in.
    client, csrf = meet_page(site, "s@example.org")
    cookies = dict(client.cookies.items())
    out = client.post("/logout", data={"csrf": csrf}, follow_redirects=False)
    assert out.status_code == 303
    site["cookies"].pop("s@example.org")
    for key, value in cookies.items():
        client.cookies.set(key, value)
    stale = client.post(f"/events/{SLUG}/register", data={
        "csrf": csrf, "organisation_id": "1", "type": "SME", "country": "FR"},
        follow_redirects=False)  # fmt: skip
    assert stale.status_code == 303
    assert stale.headers["location"] == f"/login?next=%2Fevents%2F{SLUG}"
    with session_scope(site["app"].state.sessions) as session:
        event = meet.get_event(session, SLUG)
        assert members.count_participants(session, event) == 1


# Meet: the organiser's scheduling form.


@pytest.mark.parametrize("given", ["soon", "0", "120.5", "-3", "nan"])
def test_the_schedule_time_limit_must_be_seconds_up_to_two_minutes(
    site: dict[str, Any], given: str
) -> None:
    client, csrf = meet_page(site, "o@example.org", "/organise")
    refused = client.post(f"/events/{SLUG}/organise/schedule",
                          data={"csrf": csrf, "time_limit": given})  # fmt: skip
    assert refused.status_code == 422
    assert (
        f"The 'time_limit' field must be a number of seconds in (0, 120]; got '{given}'."
        in text_of(refused)
    )
    assert "Scheduled" not in refused.text
