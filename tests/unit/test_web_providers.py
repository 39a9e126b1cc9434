"""Training providers on the pages: who sees the tag controls, the profiles' training parts.

The site is seeded from the tiny mirror (with Systematic Paris-Region, without ALPHA-RLH)
and the skills seed's five providers. PYLA has three programmes (pyla-laser,
pyla-optics-photonics, pyla-electronics-microwave; formats unknown) and partners with
ALPHA-RLH; Systematic partners with EQL, DORANCO and WEBFORCE3, one programme each.
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
from sqlalchemy import select

from clusteratlas.registry import create_user, session_scope
from clusteratlas.registry.models import Organisation

PASSWORD = "correct horse battery"
PAGE = "/skills/programmes"
BATTERY_CHEMISTRY = "http://data.europa.eu/esco/skill/84cc8c9d-db57-42ec-8948-9b632bf06124"
PYLA_PROGRAMMES = ["pyla-laser", "pyla-optics-photonics", "pyla-electronics-microwave"]
ALL_PROGRAMMES = [
    *PYLA_PROGRAMMES,
    "emia-emobility-products",
    "eql-digital-conversion",
    "doranco-digital-conversion",
    "webforce3-digital-conversion",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from clusteratlas.api.app import create_app

    folder = tmp_path_factory.mktemp("web-providers")
    app = create_app(
        database_url=f"sqlite:///{folder / 'registry.sqlite'}",
        store_path=folder / "store.duckdb",
        data_dir=write_mirror(folder / "mirror"),
    )
    with session_scope(app.state.sessions) as session:
        ids = dict(session.execute(select(Organisation.key, Organisation.id)).all())
        create_user(session, email="pyla@example.org", password=PASSWORD, role="manager",
                    organisation_id=ids["provider:pyla"])  # fmt: skip
        create_user(session, email="sys@example.org", password=PASSWORD, role="manager",
                    organisation_id=ids["fr:systematic-paris-region"])  # fmt: skip
    with TestClient(app) as client:
        yield {"client": client, "app": app, "ids": ids}


def _soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def _with_controls(html: str) -> list[str]:
    """Programmes of the page whose row has a tag-correction form."""
    rows = _soup(html).select("#programmes tbody tr")
    assert [r["data-programme"] for r in rows] == ALL_PROGRAMMES
    return [r["data-programme"] for r in rows if r.select("form.tag-add")]


def test_a_provider_manager_sees_controls_only_on_their_programmes(
    site: dict[str, Any],
) -> None:
    client: TestClient = site["client"]
    client.cookies.clear()
    assert _with_controls(client.get(PAGE).text) == []
    pyla, _ = signed_in(client, "pyla@example.org", password=PASSWORD, page=PAGE)
    assert _with_controls(pyla.get(PAGE).text) == PYLA_PROGRAMMES
    cluster, _ = signed_in(client, "sys@example.org", password=PASSWORD, page=PAGE)
    assert _with_controls(cluster.get(PAGE).text) == []  # a partner owns no programme


def test_a_provider_manager_corrects_own_tags_and_is_refused_elsewhere(
    site: dict[str, Any],
) -> None:
    client: TestClient = site["client"]
    pyla, csrf = signed_in(client, "pyla@example.org", password=PASSWORD, page=PAGE)
    own = pyla.post(f"{PAGE}/pyla-optics-photonics/tags",
                    data={"add": BATTERY_CHEMISTRY, "csrf": csrf}, follow_redirects=False)  # fmt: skip
    assert own.status_code == 303
    row = _soup(pyla.get(PAGE).text).select_one('tr[data-programme="pyla-optics-photonics"]')
    assert row is not None
    hand = row.select_one(f'span.tag[data-skill="{BATTERY_CHEMISTRY}"]')
    assert hand is not None and hand["data-source"] == "hand"
    other = pyla.post(f"{PAGE}/emia-emobility-products/tags",
                      data={"add": BATTERY_CHEMISTRY, "csrf": csrf}, follow_redirects=False)  # fmt: skip
    assert other.status_code == 403
    assert "provider:e-mobility-industry-academy" in _soup(other.text).get_text()


def test_provider_profile_lists_programmes_and_partners(site: dict[str, Any]) -> None:
    client: TestClient = site["client"]
    ids = site["ids"]
    client.cookies.clear()
    page = _soup(client.get(f"/organisations/{ids['provider:pyla']}").text)
    rows = page.select("#provider-programmes tbody tr")
    assert [r["data-programme"] for r in rows] == PYLA_PROGRAMMES
    cells = [(r.th.get_text(strip=True), r.select("td")[0].get_text(strip=True)) for r in rows]
    assert cells == [
        ("Laser technologies", "unknown"),
        ("Optics and photonics", "unknown"),
        ("Electronics and microwave", "unknown"),
    ]
    assert rows[0].th.a["href"] == "/skills/programmes#programme-pyla-laser"
    assert all(len(r.select("span.tag")) >= 10 for r in rows)  # ten automatic tags at least
    (partnership,) = page.select("#training-partnerships tbody tr")
    assert partnership.th.get_text(strip=True).startswith("ALPHA-RLH")
    assert partnership.th.a is None  # ALPHA-RLH is not in this registry: no link
    provider = partnership.select("td")[0].a
    assert (provider.get_text(), provider["href"]) == (
        "PYLA",
        f"/organisations/{ids['provider:pyla']}",
    )


def test_cluster_profile_links_its_training_providers(site: dict[str, Any]) -> None:
    client: TestClient = site["client"]
    ids = site["ids"]
    client.cookies.clear()
    systematic = ids["fr:systematic-paris-region"]
    page = _soup(client.get(f"/organisations/{systematic}").text)
    assert page.select_one("#org-programmes") is None  # a cluster teaches no programme
    rows = page.select("#training-partnerships tbody tr")
    links = [(r.select("td")[0].a.get_text(), r.select("td")[0].a["href"]) for r in rows]
    assert links == [
        (name, f"/organisations/{ids['provider:' + name.lower()]}")
        for name in ("EQL", "DORANCO", "WEBFORCE3")
    ]
    assert {r.th.a["href"] for r in rows} == {f"/organisations/{systematic}"}
    # the programmes page links the same partnerships
    listing = _soup(client.get(PAGE).text).select("#training-partnerships tbody tr")
    linked = {r.select("td")[0].get_text(strip=True): r.select("td")[0].a for r in listing}
    assert linked["EQL"]["href"] == f"/organisations/{ids['provider:eql']}"
    assert linked["PYLA"]["href"] == f"/organisations/{ids['provider:pyla']}"


def test_a_recorded_partnership_shows_on_both_profiles(site: dict[str, Any]) -> None:
    """Recorded after the seed (this test runs last: it adds a row to the pages)."""
    from clusteratlas.registry.services_training import create_partnership, end_partnership

    client: TestClient = site["client"]
    ids = site["ids"]
    client.cookies.clear()
    systematic, pyla = ids["fr:systematic-paris-region"], ids["provider:pyla"]
    with session_scope(site["app"].state.sessions) as session:
        found = create_partnership(
            session, actor=None, cluster_id=systematic, provider_organisation_id=pyla,
            purpose="photonics courses", started_on="2026-09-01",
        )  # fmt: skip
        partnership_id = found.id

    def row(organisation_id: int) -> Any:
        rows = _soup(client.get(f"/organisations/{organisation_id}").text).select(
            "#training-partnerships tbody tr"
        )
        mine = [r for r in rows if "photonics courses" in r.get_text()]
        assert len(mine) == 1
        return mine[0]

    on_cluster, on_provider = row(systematic), row(pyla)
    assert on_cluster.select("td")[0].a["href"] == f"/organisations/{pyla}"
    assert on_provider.th.a["href"] == f"/organisations/{systematic}"
    assert "active" in on_cluster.get_text() and "2026-09-01" in on_cluster.get_text()
    with session_scope(site["app"].state.sessions) as session:
        end_partnership(session, actor=None, partnership_id=partnership_id, ended_on="2026-12-31")
    assert "ended 2026-12-31" in row(pyla).get_text(" ")
