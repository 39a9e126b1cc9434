"""Recording programmes and partnerships through the dashboard's forms (TestClient).

The site is seeded from the tiny mirror (with Systematic Paris-Region) and the skills
seed's providers: PYLA has three programmes (pyla-laser, …), EQL one; Systematic partners
with EQL, DORANCO and WEBFORCE3, not with PYLA. A new PYLA programme gets the id
``pyla-1`` (the first free ``<provider>-<n>``).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from _registry_support import write_mirror
from _web_support import signed_in

with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore", message="Using `httpx` with `starlette.testclient`", category=Warning
    )
    from starlette.testclient import TestClient

pytest.importorskip("fastapi")
pytest.importorskip("sklearn")

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from clusteratlas.registry import create_user, history, session_scope
from clusteratlas.registry.models import Organisation, TrainingPartnership, TrainingProgramme

PASSWORD = "correct horse battery"
PAGE = "/skills/programmes"
NEW = "/skills/programmes/new"
WELDING = {
    "title": "Laser welding of thin sheets",
    "description": "Weld metal sheets with a laser; cut metal parts; inspect welds.",
    "duration_hours": "35",
    "format": "in-person",
    "location": "Talence",
    "region": "FR61",
    "level": "EQF 5",
    "language": "fr",
    "url": "https://example.org/welding",
    "source": "",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from clusteratlas.api.app import create_app

    folder = tmp_path_factory.mktemp("web-training-forms")
    app = create_app(
        database_url=f"sqlite:///{folder / 'registry.sqlite'}",
        store_path=folder / "store.duckdb",
        data_dir=write_mirror(folder / "mirror"),
    )
    with session_scope(app.state.sessions) as session:
        ids = dict(session.execute(select(Organisation.key, Organisation.id)).all())
        for email, key in (
            ("pyla@example.org", "provider:pyla"),
            ("eql@example.org", "provider:eql"),
            ("sys@example.org", "fr:systematic-paris-region"),
        ):
            create_user(session, email=email, password=PASSWORD, role="manager",
                        organisation_id=ids[key])  # fmt: skip
        create_user(session, email="p@example.org", password=PASSWORD, role="public")
    with TestClient(app) as client:
        yield {"client": client, "app": app, "ids": ids}


def _soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def _count(site: dict[str, Any], model: Any) -> int:
    with session_scope(site["app"].state.sessions) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _row(html: str, programme_id: str) -> Any:
    return _soup(html).select_one(f'#programmes tr[data-programme="{programme_id}"]')


def test_controls_are_shown_only_to_those_who_may_use_them(site: dict[str, Any]) -> None:
    client: TestClient = site["client"]
    client.cookies.clear()
    anonymous = _soup(client.get(PAGE).text)
    assert anonymous.select_one("#training-actions") is None
    assert not anonymous.select("a.edit-link") and not anonymous.select("form.end-form")
    public, _ = signed_in(client, "p@example.org", password=PASSWORD, page=PAGE)
    assert _soup(public.get(PAGE).text).select_one("#training-actions") is None
    assert public.get(NEW, follow_redirects=False).status_code == 403
    pyla, _ = signed_in(client, "pyla@example.org", password=PASSWORD, page=PAGE)
    page = _soup(pyla.get(PAGE).text)
    assert [a.get_text() for a in page.select("#training-actions a")] == [
        "Add a programme",
        "Record a partnership",
    ]
    edits = [a["href"] for a in page.select("a.edit-link")]
    assert edits == [f"{PAGE}/{p}/edit" for p in ("pyla-laser", "pyla-optics-photonics",
                                                   "pyla-electronics-microwave")]  # fmt: skip
    cluster, _ = signed_in(client, "sys@example.org", password=PASSWORD, page=PAGE)
    page = _soup(cluster.get(PAGE).text)
    assert [a.get_text() for a in page.select("#training-actions a")] == ["Record a partnership"]
    assert not page.select("a.edit-link")
    # Systematic's own three partnerships can be ended by its manager, PYLA's cannot
    ended = {f["action"] for f in page.select("form.end-form")}
    assert len(ended) == 3
    profile = _soup(cluster.get(f"/organisations/{site['ids']['provider:pyla']}").text)
    assert profile.select_one('#org-programmes a[href^="/skills/programmes/new"]') is None
    assert profile.select_one('#org-training a[href^="/skills/partnerships/new"]') is not None


def test_a_provider_manager_adds_edits_and_deletes_a_programme(site: dict[str, Any]) -> None:
    client: TestClient = site["client"]
    pyla, csrf = signed_in(client, "pyla@example.org", password=PASSWORD, page=NEW)
    form = _soup(pyla.get(NEW).text).select_one("#programme-form")
    assert form is not None
    chosen = form.select_one('input[name="provider_organisation_id"]')
    assert chosen is not None and chosen["value"] == str(site["ids"]["provider:pyla"])
    added = pyla.post(NEW, data={**WELDING, "csrf": csrf,
                                 "provider_organisation_id": chosen["value"]},
                      follow_redirects=False)  # fmt: skip
    assert added.status_code == 303, added.text
    assert added.headers["location"] == f"{PAGE}#programme-pyla-1"
    row = _row(pyla.get(PAGE).text, "pyla-1")
    assert row is not None and WELDING["title"] in row.th.get_text()
    assert len(row.select("span.tag")) >= 5  # tagged automatically, as through the API
    assert row.select_one('span.tag[data-source="auto"]') is not None
    assert "CONFIRMED" in row.select_one(".status-badge").get_text()  # the provider states it

    edit_page = _soup(pyla.get(f"{PAGE}/pyla-1/edit").text)
    assert edit_page.select_one("#f-title")["value"] == WELDING["title"]
    assert edit_page.select_one("#f-duration_hours")["value"] == "35"
    version = edit_page.select_one('input[name="version"]')["value"]
    changed = {**WELDING, "title": "Laser welding and cutting", "duration_hours": "",
               "version": version, "csrf": csrf}  # fmt: skip
    saved = pyla.post(f"{PAGE}/pyla-1/edit", data=changed, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    stale = pyla.post(f"{PAGE}/pyla-1/edit", data=changed, follow_redirects=False)
    assert stale.status_code == 409 and "version" in stale.text  # read before the save
    with session_scope(site["app"].state.sessions) as session:
        stored = session.scalar(
            select(TrainingProgramme).where(TrainingProgramme.programme_id == "pyla-1")
        )
        assert stored is not None and stored.title == "Laser welding and cutting"
        assert stored.duration_hours is None  # emptied in the form
        actions = [e.action for e in history(session, entity="training_programme",
                                             entity_id=stored.id)]  # fmt: skip
    assert actions == ["update", "create"]

    unticked = pyla.post(f"{PAGE}/pyla-1/delete", data={"csrf": csrf}, follow_redirects=False)
    assert unticked.status_code == 422 and _row(pyla.get(PAGE).text, "pyla-1") is not None
    deleted = pyla.post(f"{PAGE}/pyla-1/delete", data={"csrf": csrf, "confirm": "yes"},
                        follow_redirects=False)  # fmt: skip
    assert deleted.status_code == 303 and deleted.headers["location"] == PAGE
    assert _row(pyla.get(PAGE).text, "pyla-1") is None


def test_a_manager_of_another_organisation_is_refused(site: dict[str, Any]) -> None:
    client: TestClient = site["client"]
    before = _count(site, TrainingProgramme)
    eql, csrf = signed_in(client, "eql@example.org", password=PASSWORD, page=PAGE)
    pyla_id = str(site["ids"]["provider:pyla"])
    refused = eql.post(NEW, data={**WELDING, "csrf": csrf, "provider_organisation_id": pyla_id},
                       follow_redirects=False)  # fmt: skip
    assert refused.status_code == 403 and "Not allowed" in refused.text
    assert eql.get(f"{PAGE}/pyla-laser/edit").status_code == 403
    changed = eql.post(f"{PAGE}/pyla-laser/edit", data={**WELDING, "csrf": csrf},
                       follow_redirects=False)  # fmt: skip
    assert changed.status_code == 403
    gone = eql.post(f"{PAGE}/pyla-laser/delete", data={"csrf": csrf, "confirm": "yes"},
                    follow_redirects=False)  # fmt: skip
    assert gone.status_code == 403
    assert _count(site, TrainingProgramme) == before
    row = _row(eql.get(PAGE).text, "pyla-laser")
    assert row is not None and row.th.get_text().startswith("Laser technologies")
    client.cookies.clear()
    anonymous = client.post(NEW, data=WELDING, follow_redirects=False)
    assert anonymous.status_code == 303 and "/login" in anonymous.headers["location"]


def test_a_forged_token_is_refused(site: dict[str, Any]) -> None:
    client: TestClient = site["client"]
    before = _count(site, TrainingProgramme)
    pyla, csrf = signed_in(client, "pyla@example.org", password=PASSWORD, page=PAGE)
    pyla_id = str(site["ids"]["provider:pyla"])
    for token in ("", "x" + csrf[1:]):
        forged = pyla.post(NEW, data={**WELDING, "csrf": token,
                                      "provider_organisation_id": pyla_id},
                           follow_redirects=False)  # fmt: skip
        assert forged.status_code == 403 and "Form refused" in forged.text
    deleted = pyla.post(f"{PAGE}/pyla-laser/delete", data={"csrf": "x", "confirm": "yes"},
                        follow_redirects=False)  # fmt: skip
    assert deleted.status_code == 403
    assert _count(site, TrainingProgramme) == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "   ", "Title must not be empty"),
        ("location", "x" * 201, "Location must be at most 200 characters"),
        ("duration_hours", "a week", "Duration (hours) must be a number"),
        ("language", "French", "Language must be a two-letter ISO 639-1 code"),
        ("url", "example.org", "Web page must be a web address"),
    ],
)
def test_a_bad_field_shows_the_form_again_and_stores_nothing(
    site: dict[str, Any], field: str, value: str, message: str
) -> None:
    client: TestClient = site["client"]
    before = _count(site, TrainingProgramme)
    pyla, csrf = signed_in(client, "pyla@example.org", password=PASSWORD, page=PAGE)
    data = {**WELDING, field: value, "csrf": csrf,
            "provider_organisation_id": str(site["ids"]["provider:pyla"])}  # fmt: skip
    answer = pyla.post(NEW, data=data, follow_redirects=False)
    assert answer.status_code == 422
    page = _soup(answer.text)
    assert message in page.select_one("#form-error").get_text()
    assert page.select_one("#f-description").get_text() == WELDING["description"]  # kept
    assert page.select_one("#f-level")["value"] == "EQF 5"
    assert _count(site, TrainingProgramme) == before


def test_a_partnership_is_recorded_and_ended_from_the_forms(site: dict[str, Any]) -> None:
    client: TestClient = site["client"]
    ids = site["ids"]
    systematic, pyla_id = ids["fr:systematic-paris-region"], ids["provider:pyla"]
    before = _count(site, TrainingPartnership)
    cluster, csrf = signed_in(client, "sys@example.org", password=PASSWORD, page=PAGE)
    page = _soup(cluster.get(f"/skills/partnerships/new?provider={pyla_id}").text)
    fixed = page.select_one('input[name="cluster_id"]')
    assert fixed is not None and fixed["value"] == str(systematic)  # their own cluster
    chosen = page.select_one("#f-provider_organisation_id option[selected]")
    assert chosen is not None and chosen["value"] == str(pyla_id)
    data = {"csrf": csrf, "cluster_id": str(systematic), "provider_organisation_id": str(pyla_id),
            "purpose": "", "source": "", "started_on": "2026-09-01",
            "next": f"/organisations/{pyla_id}"}  # fmt: skip
    empty = cluster.post("/skills/partnerships/new", data=data, follow_redirects=False)
    assert empty.status_code == 422 and "Purpose must not be empty" in empty.text
    assert _soup(empty.text).select_one("#f-started_on")["value"] == "2026-09-01"
    data["purpose"] = "Photonics apprenticeships"
    recorded = cluster.post("/skills/partnerships/new", data=data, follow_redirects=False)
    assert recorded.status_code == 303, recorded.text
    assert recorded.headers["location"] == f"/organisations/{pyla_id}#training-partnerships"
    again = cluster.post("/skills/partnerships/new", data=data, follow_redirects=False)
    assert again.status_code == 409 and "already have an active partnership" in again.text
    assert _count(site, TrainingPartnership) == before + 1

    def row(organisation_id: int) -> Any:
        rows = _soup(cluster.get(f"/organisations/{organisation_id}").text).select(
            "#training-partnerships tbody tr"
        )
        (mine,) = [r for r in rows if "Photonics apprenticeships" in r.get_text()]
        return mine

    on_cluster, on_provider = row(systematic), row(pyla_id)
    assert "2026-09-01" in on_cluster.get_text() and "active" in on_provider.get_text()
    end = on_provider.select_one("form.end-form")
    assert end is not None
    # PYLA's manager sees the same partnership as one they may end
    pyla, pyla_csrf = signed_in(client, "pyla@example.org", password=PASSWORD, page=PAGE)
    ended = pyla.post(end["action"], data={"csrf": pyla_csrf, "ended_on": "2026-12-31",
                                           "next": f"/organisations/{systematic}"},
                      follow_redirects=False)  # fmt: skip
    assert ended.status_code == 303
    assert ended.headers["location"] == f"/organisations/{systematic}#training-partnerships"
    assert "ended 2026-12-31" in row(systematic).get_text(" ")
    assert "ended 2026-12-31" in row(pyla_id).get_text(" ")
    assert row(pyla_id).select_one("form.end-form") is None  # ended: nothing to end
    twice = pyla.post(end["action"], data={"csrf": pyla_csrf}, follow_redirects=False)
    assert twice.status_code == 409


def test_a_public_user_may_not_record_a_partnership(site: dict[str, Any]) -> None:
    client: TestClient = site["client"]
    before = _count(site, TrainingPartnership)
    public, csrf = signed_in(client, "p@example.org", password=PASSWORD, page=PAGE)
    assert public.get("/skills/partnerships/new").status_code == 403
    data = {"csrf": csrf, "cluster_id": str(site["ids"]["fr:systematic-paris-region"]),
            "provider_organisation_id": str(site["ids"]["provider:pyla"]), "purpose": "x"}  # fmt: skip
    assert public.post("/skills/partnerships/new", data=data).status_code == 403
    data["purpose"] = ""  # a wrong field too: still a refusal, not the form
    assert public.post("/skills/partnerships/new", data=data).status_code == 403
    blank = public.post(NEW, data={**WELDING, "title": "", "csrf": csrf})
    assert blank.status_code == 403 and "Not allowed" in blank.text
    assert _count(site, TrainingPartnership) == before
