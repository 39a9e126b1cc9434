"""The kind of an organisation on the pages: the directory's kind filter, the kind field of
the profile form (administrators only) and what a training provider's profile leaves out.

The site is seeded from the tiny mirror (9 cluster organisations, Silicon Saxony among them)
and the skills seed's five providers; the fixture adds 17 providers "Academy 01" … "Academy
17", so that the 22 providers fill two pages of 20, and a manager of Silicon Saxony and an
administrator.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import pytest
from _registry_support import write_mirror
from _web_support import signed_in

with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore", message="Using `httpx` with `starlette.testclient`", category=Warning
    )
    from starlette.testclient import TestClient

pytest.importorskip("fastapi")

from bs4 import BeautifulSoup
from sqlalchemy import select

from clusteratlas.registry import create_organisation, create_user, history, session_scope
from clusteratlas.registry.models import Organisation

PASSWORD = "correct horse battery"
SEED_PROVIDERS = {"DORANCO", "E-MOBILITY-INDUSTRY-ACADEMY", "EQL", "PYLA", "WEBFORCE3"}
ACADEMIES = {f"Academy {n:02d}" for n in range(1, 18)}
PROVIDERS = SEED_PROVIDERS | ACADEMIES


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from clusteratlas.api.app import create_app

    folder = tmp_path_factory.mktemp("web-kinds")
    app = create_app(
        database_url=f"sqlite:///{folder / 'registry.sqlite'}",
        store_path=folder / "store.duckdb",
        data_dir=write_mirror(folder / "mirror"),
    )
    with session_scope(app.state.sessions) as session:
        for name in sorted(ACADEMIES):
            create_organisation(
                session, actor=None,
                data={"name": name, "country": "FR", "kind": "training provider"},
            )  # fmt: skip
        ids = dict(session.execute(select(Organisation.key, Organisation.id)).all())
        saxony = ids["de:silicon-saxony"]
        create_user(session, email="m@example.org", password=PASSWORD, role="manager",
                    organisation_id=saxony)  # fmt: skip
        create_user(session, email="admin@example.org", password=PASSWORD, role="admin")
    with TestClient(app) as client:
        yield {"client": client, "app": app, "ids": ids, "saxony": saxony}


def _soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def _listed(html: str) -> set[str]:
    return {a.get_text(strip=True) for a in _soup(html).select(".result-list li > a")}


def _stored(site: dict[str, Any], key: str) -> tuple[str, str | None, int]:
    with session_scope(site["app"].state.sessions) as session:
        org = session.scalar(select(Organisation).where(Organisation.key == key))
        assert org is not None
        return org.kind, org.acronym, org.version


def _entries(site: dict[str, Any], organisation_id: int) -> list[Any]:
    with session_scope(site["app"].state.sessions) as session:
        entries = history(session, entity="organisation", entity_id=organisation_id)
        session.expunge_all()
        return entries


def test_the_directory_has_a_kind_filter_that_works_without_javascript(
    site: dict[str, Any],
) -> None:
    client: TestClient = site["client"]
    client.cookies.clear()
    page = _soup(client.get("/organisations").text)
    form = page.select_one("form#search")
    assert form is not None and (form["method"], form["action"]) == ("get", "/organisations")
    select_box = form.select_one("select#kind[name=kind]")
    assert select_box is not None
    assert page.select_one("label[for=kind]") is not None
    options = [(o["value"], o.get_text(strip=True)) for o in select_box.select("option")]
    assert options == [
        ("", "All kinds"),
        ("cluster organisation", "Cluster organisations"),
        ("training provider", "Training providers"),
    ]
    assert select_box.select_one("option[selected]")["value"] == ""
    assert "filter" in select_box["class"]  # the live search reloads on change too
    # the form submitted as a browser without JavaScript does
    providers = client.get("/organisations", params={"kind": "training provider"})
    assert providers.status_code == 200
    soup = _soup(providers.text)
    chosen = soup.select_one("select#kind option[selected]")
    assert chosen is not None and chosen["value"] == "training provider"
    assert soup.select_one("#result-count")["data-total"] == "22"
    first = _listed(providers.text)
    assert len(first) == 20 and first <= PROVIDERS
    clusters = client.get("/organisations", params={"kind": "cluster organisation"})
    assert _soup(clusters.text).select_one("#result-count")["data-total"] == "9"
    assert "Silicon Saxony" in _listed(clusters.text) and not _listed(clusters.text) & PROVIDERS
    everyone = _soup(client.get("/organisations", params={"kind": ""}).text)
    assert everyone.select_one("#result-count")["data-total"] == str(9 + 22)
    assert client.get("/organisations", params={"kind": "school"}).status_code == 422
    # The heading says what is listed: both kinds unless filtered.
    assert everyone.select_one("h1").get_text(strip=True) == "Organisations"
    assert soup.select_one("h1").get_text(strip=True) == "Training providers"
    assert _soup(clusters.text).select_one("h1").get_text(strip=True) == "Cluster organisations"
    assert _soup(clusters.text).select_one("title").get_text().startswith("Cluster organisations")


def test_pagination_keeps_the_kind(site: dict[str, Any]) -> None:
    client: TestClient = site["client"]
    client.cookies.clear()
    page = _soup(client.get("/organisations", params={"kind": "training provider"}).text)
    (following,) = page.select("nav.pagination a")
    assert following.get_text(strip=True) == "Next page"
    query = parse_qs(following["href"].split("?", 1)[1])
    assert query == {"kind": ["training provider"], "page": ["2"]}
    assert following["hx-get"] == "/organisations/results?" + following["href"].split("?", 1)[1]
    second = client.get(following["href"])
    rest = _listed(second.text)
    first = _listed(client.get("/organisations", params={"kind": "training provider"}).text)
    assert len(rest) == 2 and rest | first == PROVIDERS
    (back,) = _soup(second.text).select("nav.pagination a")
    assert parse_qs(back["href"].split("?", 1)[1]) == {"kind": ["training provider"], "page": ["1"]}
    partial = client.get("/organisations/results", params={"kind": "training provider", "page": 2})
    assert _listed(partial.text) == rest
    assert partial.headers["HX-Push-Url"] == "/organisations?kind=training+provider&page=2"


def _edit_form(client: TestClient, organisation_id: int) -> BeautifulSoup:
    answer = client.get(f"/organisations/{organisation_id}/edit")
    assert answer.status_code == 200, answer.text
    return _soup(answer.text)


def _value(form: BeautifulSoup, name: str) -> str:
    field = form.select_one(f"input[name={name}]")
    assert field is not None
    return str(field["value"])


def test_a_manager_sees_no_kind_field_and_a_forged_kind_is_refused(
    site: dict[str, Any],
) -> None:
    saxony = site["saxony"]
    url = f"/organisations/{saxony}/edit"
    client, _ = signed_in(site["client"], "m@example.org", password=PASSWORD, page=url)
    form = _edit_form(client, saxony)
    assert form.select_one("[name=kind]") is None and form.select_one("#f-kind") is None
    assert form.select_one("[name=acronym]") is not None  # the rest of the form is there
    before = _stored(site, "de:silicon-saxony")
    assert before[0] == "cluster organisation"
    entries = len(_entries(site, saxony))
    forged = client.post(
        url,
        data={"csrf": _value(form, "csrf"), "version": _value(form, "version"),
              "name": _value(form, "name"), "acronym": "FORGED", "kind": "training provider"},
        follow_redirects=False,
    )  # fmt: skip
    assert forged.status_code == 403
    assert "only an administrator may" in _soup(forged.text).get_text()
    assert _stored(site, "de:silicon-saxony") == before  # neither the kind nor the acronym
    assert len(_entries(site, saxony)) == entries
    # the stored kind sent back unchanged is no change of kind
    same = client.post(
        url,
        data={"csrf": _value(form, "csrf"), "version": _value(form, "version"),
              "name": _value(form, "name"), "acronym": "SiSax", "kind": "cluster organisation"},
        follow_redirects=False,
    )  # fmt: skip
    assert same.status_code == 303, same.text
    assert _stored(site, "de:silicon-saxony")[:2] == ("cluster organisation", "SiSax")


def test_an_administrator_sees_the_kind_field_and_changes_the_kind(
    site: dict[str, Any],
) -> None:
    organisation_id = site["ids"]["fr:minalogic-auvergne-rhone-alpes"]
    url = f"/organisations/{organisation_id}/edit"
    client, _ = signed_in(site["client"], "admin@example.org", password=PASSWORD, page=url)
    form = _edit_form(client, organisation_id)
    field = form.select_one("select#f-kind[name=kind]")
    assert field is not None and form.select_one("label[for=f-kind]") is not None
    assert [o["value"] for o in field.select("option")] == [
        "cluster organisation",
        "training provider",
    ]
    assert field.select_one("option[selected]")["value"] == "cluster organisation"
    version = int(_value(form, "version"))
    saved = client.post(
        url,
        data={"csrf": _value(form, "csrf"), "version": str(version),
              "name": _value(form, "name"), "kind": "training provider"},
        follow_redirects=False,
    )  # fmt: skip
    assert saved.status_code == 303, saved.text
    assert _stored(site, "fr:minalogic-auvergne-rhone-alpes")[0] == "training provider"
    entry = _entries(site, organisation_id)[0]
    assert (entry.action, entry.actor) == ("update", "admin@example.org")
    assert entry.diff == {"kind": {"before": "cluster organisation", "after": "training provider"}}
    reread = _edit_form(client, organisation_id).select_one("select#f-kind option[selected]")
    assert reread is not None and reread["value"] == "training provider"
    back = client.post(
        url,
        data={"csrf": _value(form, "csrf"), "version": str(version + 1),
              "name": _value(form, "name"), "kind": "cluster organisation"},
        follow_redirects=False,
    )  # fmt: skip
    assert back.status_code == 303
    assert _stored(site, "fr:minalogic-auvergne-rhone-alpes")[0] == "cluster organisation"


CLUSTER_ONLY = {
    "#validation": "ECCP validation",
    "#statistics": "Statistics of its region",
    "#recommendations": "Recommended partners",
    "#members-row": "Members",
    '[data-field="management_fte"]': "Management staff (FTE)",
    "#awards": "Labels awarded here",
}
"""Sections and rows of a profile meaningful for a cluster organisation only: selector, text."""


def test_a_provider_profile_leaves_out_the_cluster_sections(site: dict[str, Any]) -> None:
    client: TestClient = site["client"]
    client.cookies.clear()
    answer = client.get(f"/organisations/{site['ids']['provider:pyla']}")
    assert answer.status_code == 200
    page = _soup(answer.text)
    assert page.select_one("#org-name").get_text(strip=True) == "PYLA"
    for selector, words in CLUSTER_ONLY.items():
        assert page.select_one(selector) is None, selector
        assert words not in page.get_text(), words
    assert "Categories" not in [dt.get_text(strip=True) for dt in page.select("dl.fields dt")]
    # what a provider has is still there
    assert page.select_one('[data-field="website"]') is not None
    assert [r["data-programme"] for r in page.select("#provider-programmes tbody tr")] == [
        "pyla-laser", "pyla-optics-photonics", "pyla-electronics-microwave",
    ]  # fmt: skip
    assert page.select_one("#org-training") is not None and page.select_one("#org-posts")


def test_a_cluster_profile_keeps_the_cluster_sections(site: dict[str, Any]) -> None:
    client: TestClient = site["client"]
    client.cookies.clear()
    page = _soup(client.get(f"/organisations/{site['saxony']}").text)
    for selector, words in CLUSTER_ONLY.items():
        found = page.select_one(selector)
        assert found is not None and words in found.get_text(), selector
    assert page.select_one("#validation-status") is not None
    assert "Categories" in [dt.get_text(strip=True) for dt in page.select("dl.fields dt")]
    assert page.select_one("#org-programmes") is None  # a cluster teaches no programme


CLUSTER_FIELDS = ["management_fte", "categories", "members_sme", "members_large",
                  "members_startup", "members_research", "members_public", "members_other"]  # fmt: skip
"""Profile form fields of a cluster organisation only (its team, members, categories)."""


def test_a_providers_edit_form_has_no_cluster_fields_and_saves(site: dict[str, Any]) -> None:
    pyla = site["ids"]["provider:pyla"]
    with session_scope(site["app"].state.sessions) as session:
        create_user(session, email="pyla@example.org", password=PASSWORD, role="manager",
                    organisation_id=pyla)  # fmt: skip
    url = f"/organisations/{pyla}/edit"
    client, _ = signed_in(site["client"], "pyla@example.org", password=PASSWORD, page=url)
    form = _edit_form(client, pyla)
    for name in CLUSTER_FIELDS:
        assert form.select_one(f"[name={name}]") is None, name
    assert "Members" not in form.get_text() and "Cluster categories" not in form.get_text()
    for name in ("name", "acronym", "website", "founding_year", "technologies"):
        assert form.select_one(f"[name={name}]") is not None, name
    saved = client.post(
        url,
        data={"csrf": _value(form, "csrf"), "version": _value(form, "version"),
              "name": _value(form, "name"), "acronym": "PYLA-TC"},
        follow_redirects=False,
    )  # fmt: skip
    assert saved.status_code == 303, saved.text
    assert _stored(site, "provider:pyla")[:2] == ("training provider", "PYLA-TC")
    # A cluster's manager still edits every cluster field.
    saxony = site["saxony"]
    cluster, _ = signed_in(
        site["client"], "m@example.org", password=PASSWORD, page=f"/organisations/{saxony}/edit"
    )
    cluster_form = _edit_form(cluster, saxony)
    for name in CLUSTER_FIELDS:
        assert cluster_form.select_one(f"[name={name}]") is not None, name
