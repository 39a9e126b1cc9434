"""The labelling body's page (reviewer grants, awards made elsewhere, ending awards).

An administrator, a reviewer of ESCA Gold and a cluster manager. Validity worked out from
the scheme file: ESCA Gold is valid 24 months from the award day, to the day before
(15 Mar 2026 → 14 Mar 2028).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from _registry_support import write_mirror
from _web_support import signed_in as _signed_in

with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore", message="Using `httpx` with `starlette.testclient`", category=Warning
    )
    from starlette.testclient import TestClient

pytest.importorskip("fastapi")
from sqlalchemy import select

from clusteratlas.registry import (
    AuditEntry,
    User,
    create_user,
    search_organisations,
    session_scope,
)
from clusteratlas.registry.services_reviews import grant_reviewer, list_reviewers

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from clusteratlas.api.app import create_app

    folder = tmp_path_factory.mktemp("web-labels-admin")
    app = create_app(
        database_url=f"sqlite:///{folder / 'registry.sqlite'}",
        store_path=folder / "store.duckdb",
        data_dir=write_mirror(folder / "mirror"),
    )
    with session_scope(app.state.sessions) as session:
        saxony = search_organisations(session, text="Silicon Saxony").items[0].id
        create_user(
            session, email="m@example.org", password=PASSWORD, role="manager",
            organisation_id=saxony,
        )  # fmt: skip
        admin = create_user(session, email="a@example.org", password=PASSWORD, role="admin")
        reviewer = create_user(session, email="r@example.org", password=PASSWORD)
        grant_reviewer(session, actor=admin, user_id=reviewer.id, scheme="esca-gold")
    with TestClient(app) as client:
        yield {"client": client, "app": app, "saxony": saxony}


def signed_in(site: dict[str, Any], email: str) -> tuple[TestClient, str]:
    """Sign ``email`` in; return the client and the session's CSRF token."""
    return _signed_in(site["client"], email, password=PASSWORD, page="/labels")


def _grants(site: dict[str, Any]) -> set[tuple[str, str]]:
    with session_scope(site["app"].state.sessions) as session:
        return {
            (str(session.get(User, g.user_id).email), g.scheme)  # type: ignore[union-attr]
            for g in list_reviewers(session)
        }


def test_visitors_sign_in_and_managers_are_refused(site: dict[str, Any]) -> None:
    client: TestClient = site["client"]
    client.cookies.clear()
    visit = client.get("/labels/admin", follow_redirects=False)
    assert visit.status_code == 303 and "/login?next=%2Flabels%2Fadmin" in visit.headers["location"]
    manager, csrf = signed_in(site, "m@example.org")
    page = manager.get("/labels/admin")
    assert page.status_code == 403 and "reviews a label scheme" in page.text
    form = {"csrf": csrf, "email": "m@example.org", "scheme": "esca-gold"}
    assert manager.post("/labels/admin/reviewers", data=form).status_code == 403
    assert ("m@example.org", "esca-gold") not in _grants(site)


def test_admin_grants_and_withdraws_review(site: dict[str, Any]) -> None:
    admin, csrf = signed_in(site, "a@example.org")
    page = admin.get("/labels/admin")
    assert page.status_code == 200 and 'id="grant-form"' in page.text
    assert re.search(r"<th scope=\"row\">r@example.org</th>", page.text)
    no_token = admin.post(
        "/labels/admin/reviewers", data={"email": "m@example.org", "scheme": "esca-bronze"}
    )
    assert no_token.status_code == 403 and ("m@example.org", "esca-bronze") not in _grants(site)
    granted = admin.post(
        "/labels/admin/reviewers",
        data={"csrf": csrf, "email": "m@example.org", "scheme": "esca-bronze"},
        follow_redirects=False,
    )
    assert granted.status_code == 303 and granted.headers["location"].endswith("done=granted")
    assert ("m@example.org", "esca-bronze") in _grants(site)
    unknown = admin.post(
        "/labels/admin/reviewers",
        data={"csrf": csrf, "email": "nobody@example.org", "scheme": "esca-bronze"},
    )
    assert unknown.status_code == 404 and 'role="alert"' in unknown.text
    bad_scheme = admin.post(
        "/labels/admin/reviewers",
        data={"csrf": csrf, "email": "m@example.org", "scheme": "esca-platinum"},
    )
    assert bad_scheme.status_code == 404 and "esca-platinum" in bad_scheme.text
    with session_scope(site["app"].state.sessions) as session:
        manager_id = session.scalar(select(User.id).where(User.email == "m@example.org"))
        created = session.scalar(
            select(AuditEntry).where(
                AuditEntry.entity == "label_reviewer", AuditEntry.action == "create"
            )
        )
    assert created is not None
    withdrawn = admin.post(
        "/labels/admin/reviewers/revoke",
        data={"csrf": csrf, "user_id": str(manager_id), "scheme": "esca-bronze"},
        follow_redirects=False,
    )
    assert withdrawn.status_code == 303
    assert ("m@example.org", "esca-bronze") not in _grants(site)


def test_a_reviewer_cannot_probe_accounts_or_grant(site: dict[str, Any]) -> None:
    reviewer, csrf = signed_in(site, "r@example.org")
    page = reviewer.get("/labels/admin")
    assert page.status_code == 200
    assert 'id="grant-form"' not in page.text and 'id="award-form"' in page.text
    # The same refusal whether the e-mail has an account or not.
    for email in ("a@example.org", "nobody@example.org"):
        probe = reviewer.post(
            "/labels/admin/reviewers", data={"csrf": csrf, "email": email, "scheme": "esca-gold"}
        )
        assert probe.status_code == 403 and "nobody@example.org" not in probe.text


def test_reviewer_records_and_ends_an_award(site: dict[str, Any]) -> None:
    reviewer, csrf = signed_in(site, "r@example.org")
    saxony = site["saxony"]
    form = {
        "csrf": csrf,
        "organisation_id": str(saxony),
        "scheme": "esca-gold",
        "level": "Gold",
        "awarded_on": "2026-03-15",
    }
    recorded = reviewer.post("/labels/admin/awards", data=form, follow_redirects=False)
    assert recorded.status_code == 303, recorded.text
    page = reviewer.get("/labels/admin").text
    row = re.search(r'<tr data-award="(\d+)" data-state="(\w+)">(.*?)</tr>', page, re.S)
    assert row, "the award is not listed"
    award_id, state, cells = row.group(1), row.group(2), row.group(3)
    assert "2026-03-15" in cells and "2028-03-14" in cells and ">Gold<" in cells
    assert state in ("current", "expired")  # depends on today; the dates above are fixed
    # A scheme this reviewer does not review, a wrong date, a wrong level: refused with why.
    bronze = reviewer.post("/labels/admin/awards", data={**form, "scheme": "esca-bronze"})
    assert bronze.status_code == 403 and 'role="alert"' in bronze.text
    bad_date = reviewer.post("/labels/admin/awards", data={**form, "awarded_on": "15/03/2026"})
    assert bad_date.status_code == 422 and "Award date must be a date" in bad_date.text
    bad_level = reviewer.post("/labels/admin/awards", data={**form, "level": "Platinum"})
    assert bad_level.status_code == 422 and "Platinum" in bad_level.text
    bad_org = reviewer.post("/labels/admin/awards", data={**form, "organisation_id": "x1"})
    assert bad_org.status_code == 422 and "Organisation must be a whole number" in bad_org.text
    # Ending needs a reason; ended on 1 Jan 2027, it is "ended" from then on.
    end = f"/labels/admin/awards/{award_id}/end"
    no_reason = reviewer.post(end, data={"csrf": csrf, "ended_on": "2027-01-01", "reason": " "})
    assert no_reason.status_code == 422
    ended = reviewer.post(
        end,
        data={"csrf": csrf, "ended_on": "2027-01-01", "reason": "<i>Merged</i>"},
        follow_redirects=False,
    )
    assert ended.status_code == 303
    page = reviewer.get("/labels/admin").text
    assert "2027-01-01: &lt;i&gt;Merged&lt;/i&gt;" in page and "<i>Merged" not in page
    again = reviewer.post(end, data={"csrf": csrf, "ended_on": "2027-01-02", "reason": "Again"})
    assert again.status_code == 409
