"""The administrators' page of proposed organisations (``/organisations/proposals``).

A participant proposes organisations (through the service, as event registration does);
the administrator approves one as new, merges one into Silicon Saxony (its possible
duplicate), rejects one; managers and visitors are refused.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from _meet_support import TINY_EVENT
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
    Organisation,
    create_user,
    search_organisations,
    session_scope,
)
from clusteratlas.registry.models import OrganisationProposal
from clusteratlas.registry.proposals import propose_organisation

EVENT = re.sub(r"\[event\.registration\]\nopens = .*\ncloses = .*\n", "", TINY_EVENT)

PASSWORD = "correct horse battery"
PAGE = "/organisations/proposals"
SCRIPT = "<script>alert(1)</script> Labs"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from clusteratlas.api.app import create_app

    folder = tmp_path_factory.mktemp("web-proposals")
    app = create_app(
        database_url=f"sqlite:///{folder / 'registry.sqlite'}",
        store_path=folder / "store.duckdb",
        data_dir=write_mirror(folder / "mirror"),
    )
    with session_scope(app.state.sessions) as session:
        saxony = search_organisations(session, text="Silicon Saxony").items[0].id
        create_user(session, email="m@example.org", password=PASSWORD, role="manager",
                    organisation_id=saxony)  # fmt: skip
        admin = create_user(session, email="a@example.org", password=PASSWORD, role="admin")
        p = create_user(session, email="p@example.org", password=PASSWORD, role="participant")
        ids = {
            key: propose_organisation(session, actor=p, name=name, country=country, type="sme").id
            for key, name, country in (
                ("saxonie", "Silicon Saxonie", "DE"),
                ("new", "Quantum Valley Start-up", "NL"),
                ("script", SCRIPT, "FR"),
            )
        }
        # A participant registering to an event for a new organisation proposes it.
        from clusteratlas.meet import service as meet
        from clusteratlas.meet import service_participants as members

        meet.create_event(session, actor=None, definition=EVENT)
        meet.set_status(session, actor=admin, slug="tiny2024", status="open")
        joined = members.register(session, actor=p, slug="tiny2024", type="start-up", country="BE",
                                  new_organisation={"name": "Event Photonics BV", "country": "BE",
                                                    "type": "start-up"})  # fmt: skip
        ids["event"] = joined.proposal_id
    with TestClient(app) as client:
        yield {"client": client, "app": app, "saxony": saxony, **ids}


def signed_in(site: dict[str, Any], email: str) -> tuple[TestClient, str]:
    """Sign ``email`` in; return the client and the session's CSRF token."""
    return _signed_in(site["client"], email, password=PASSWORD, page="/organisations")


def _proposal(site: dict[str, Any], key: str) -> tuple[str, int | None, str | None]:
    with session_scope(site["app"].state.sessions) as session:
        found = session.get(OrganisationProposal, site[key])
        assert found is not None
        return found.status, found.organisation_id, found.reason


def _row(page: str, proposal_id: int) -> str:
    match = re.search(rf'<article class="proposal" data-proposal="{proposal_id}".*?</article>',
                      page, re.S)  # fmt: skip
    assert match, f"proposal {proposal_id} is not listed as pending"
    return match.group(0)


def test_visitors_sign_in_and_other_roles_are_refused(site: dict[str, Any]) -> None:
    client: TestClient = site["client"]
    client.cookies.clear()
    visit = client.get(PAGE, follow_redirects=False)
    assert visit.status_code == 303
    assert visit.headers["location"] == "/login?next=%2Forganisations%2Fproposals"
    for email in ("m@example.org", "p@example.org"):
        other, csrf = signed_in(site, email)
        page = other.get(PAGE)
        assert page.status_code == 403 and "only administrators decide proposals" in page.text
        assert f'href="{PAGE}"' not in other.get("/organisations").text  # no link shown
        answer = other.post(f"{PAGE}/{site['new']}/approve", data={"csrf": csrf})
        assert answer.status_code == 403
        answer = other.post(f"{PAGE}/{site['new']}/reject", data={"csrf": csrf, "reason": "x"})
        assert answer.status_code == 403
    assert _proposal(site, "new") == ("pending", None, None)


def test_admin_sees_pending_proposals_escaped_with_duplicates(site: dict[str, Any]) -> None:
    admin, _ = signed_in(site, "a@example.org")
    directory = admin.get("/organisations").text
    assert f'href="{PAGE}"' in directory  # in the main navigation and on the directory
    page = admin.get(PAGE)
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Labs" in page.text
    saxonie = _row(page.text, site["saxonie"])
    assert "p@example.org" in saxonie and "Silicon Saxonie" in saxonie
    assert f'data-duplicate="{site["saxony"]}"' in saxonie  # Silicon Saxony, a likely duplicate
    assert f'<option value="{site["saxony"]}">the same as Silicon Saxony' in saxonie
    assert "No organisation of the registry resembles it." in _row(page.text, site["new"])
    assert "no event" in _row(page.text, site["new"])
    assert "Tiny Cluster Day" in _row(page.text, site["event"])  # where its proposer registered


def test_forged_form_and_bad_input_are_refused(site: dict[str, Any]) -> None:
    admin, csrf = signed_in(site, "a@example.org")
    forged = admin.post(f"{PAGE}/{site['new']}/approve", data={"csrf": "forged"})
    assert forged.status_code == 403 and "did not come from one of our pages" in forged.text
    no_csrf = admin.post(f"{PAGE}/{site['new']}/reject", data={"reason": "spam"})
    assert no_csrf.status_code == 403
    bad_id = admin.post(f"{PAGE}/{site['new']}/approve", data={"csrf": csrf, "other_id": "abc"})
    assert bad_id.status_code == 422 and "give an organisation&#39;s id" in bad_id.text
    unknown = admin.post(f"{PAGE}/{site['new']}/approve",
                         data={"csrf": csrf, "other_id": "999999"})  # fmt: skip
    assert unknown.status_code == 404 and "There is no organisation 999999." in unknown.text
    no_reason = admin.post(f"{PAGE}/{site['new']}/reject", data={"csrf": csrf, "reason": "  "})
    assert no_reason.status_code == 422 and "must say why" in no_reason.text
    missing = admin.post(f"{PAGE}/424242/approve", data={"csrf": csrf})
    assert missing.status_code == 404 and "There is no proposed organisation 424242" in missing.text
    assert _proposal(site, "new") == ("pending", None, None)


def test_admin_merges_approves_and_rejects(site: dict[str, Any]) -> None:
    admin, csrf = signed_in(site, "a@example.org")
    merged = admin.post(f"{PAGE}/{site['saxonie']}/approve",
                        data={"csrf": csrf, "organisation_id": str(site["saxony"])},
                        follow_redirects=False)  # fmt: skip
    assert merged.status_code == 303 and merged.headers["location"] == f"{PAGE}?done=merged"
    assert _proposal(site, "saxonie") == ("approved", site["saxony"], None)
    created = admin.post(
        f"{PAGE}/{site['new']}/approve", data={"csrf": csrf, "organisation_id": ""}
    )
    assert created.status_code == 200 and "organisation is in the registry" in created.text
    status, organisation_id, _ = _proposal(site, "new")
    with session_scope(site["app"].state.sessions) as session:
        made = session.get(Organisation, organisation_id)
        assert status == "approved" and made is not None
        assert (made.name, made.country) == ("Quantum Valley Start-up", "NL")
        audited = session.scalars(select(AuditEntry.action).where(
            AuditEntry.entity == "organisation_proposal",
            AuditEntry.entity_id == site["new"])).all()  # fmt: skip
        assert list(audited) == ["create", "update"]
    reason = "Not an organisation: <b>test</b>"
    rejected = admin.post(f"{PAGE}/{site['script']}/reject", data={"csrf": csrf, "reason": reason})
    assert rejected.status_code == 200 and "The proposal is rejected." in rejected.text
    assert _proposal(site, "script") == ("rejected", None, reason)
    assert "rejected: Not an organisation: &lt;b&gt;test&lt;/b&gt;" in rejected.text
    assert f'data-proposal="{site["event"]}"' in rejected.text  # still pending
    decided = re.findall(r'<tr data-proposal="(\d+)" data-status="(\w+)">', rejected.text)
    assert decided == [(str(site["script"]), "rejected"), (str(site["new"]), "approved"),
                       (str(site["saxonie"]), "approved")]  # fmt: skip
    again = admin.post(f"{PAGE}/{site['script']}/approve", data={"csrf": csrf})
    assert again.status_code == 409 and "is already rejected" in again.text
