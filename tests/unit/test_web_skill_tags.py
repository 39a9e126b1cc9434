"""Correcting a programme's ESCO tags on the programmes page (TestClient, no browser).

"use laser therapy for skin conditions" is a wrong automatic tag of the industrial laser
programme; "battery chemistry" is a skill of the e-mobility course its text does not name.
A need of that one skill is covered 100 % by a programme tagged with it, and not matched by
one without it (coverage = shared / needed).
"""

from __future__ import annotations

import re
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

from clusteratlas.registry import create_user, history, session_scope

PASSWORD = "correct horse battery"
SKIN_LASER = "http://data.europa.eu/esco/skill/09e8e770-b467-4fba-80dd-7e896ada0d5e"
BATTERY_CHEMISTRY = "http://data.europa.eu/esco/skill/84cc8c9d-db57-42ec-8948-9b632bf06124"
PAGE = "/skills/programmes"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from clusteratlas.api.app import create_app

    folder = tmp_path_factory.mktemp("web-skill-tags")
    app = create_app(
        database_url=f"sqlite:///{folder / 'registry.sqlite'}",
        store_path=folder / "store.duckdb",
        data_dir=write_mirror(folder / "mirror"),
    )
    with session_scope(app.state.sessions) as session:
        create_user(session, email="a@example.org", password=PASSWORD, role="admin")
        create_user(session, email="p@example.org", password=PASSWORD, role="public")
    with TestClient(app) as client:
        yield {"client": client, "app": app}


def _row(page: str, programme: str) -> str:
    return page.split(f'data-programme="{programme}"')[1].split("</tr>")[0]


def _sources(row: str) -> dict[str, str]:
    return dict(re.findall(r'data-skill="([^"]+)" data-source="(\w+)"', row))


def test_forms_only_for_administrators(site: dict[str, Any]) -> None:
    client: TestClient = site["client"]
    client.cookies.clear()
    anonymous = client.get(PAGE)
    assert anonymous.status_code == 200 and "/tags" not in anonymous.text
    public, _ = signed_in(client, "p@example.org", password=PASSWORD, page=PAGE)
    assert 'action="/skills/programmes/pyla-laser/tags"' not in public.get(PAGE).text
    admin, _ = signed_in(client, "a@example.org", password=PASSWORD, page=PAGE)
    row = _row(admin.get(PAGE).text, "pyla-laser")
    assert row.count('name="remove"') == 10  # a button per tag
    assert f'name="remove" value="{SKIN_LASER}"' in row
    assert 'name="add"' in row and 'name="csrf"' in row
    assert 'hx-get="/skills/choices"' in row


def test_csrf_and_roles(site: dict[str, Any]) -> None:
    client: TestClient = site["client"]
    url = f"{PAGE}/pyla-laser/tags"
    client.cookies.clear()
    anonymous = client.post(url, data={"remove": SKIN_LASER}, follow_redirects=False)
    assert anonymous.status_code == 303 and "/login" in anonymous.headers["location"]
    admin, csrf = signed_in(client, "a@example.org", password=PASSWORD, page=PAGE)
    forged = admin.post(url, data={"remove": SKIN_LASER}, follow_redirects=False)
    assert forged.status_code == 403
    wrong = admin.post(url, data={"remove": SKIN_LASER, "csrf": "x" + csrf[1:]},
                       follow_redirects=False)  # fmt: skip
    assert wrong.status_code == 403
    public, csrf = signed_in(client, "p@example.org", password=PASSWORD, page=PAGE)
    refused = public.post(url, data={"remove": SKIN_LASER, "csrf": csrf}, follow_redirects=False)
    assert refused.status_code == 403 and "only administrators" in refused.text
    admin, _ = signed_in(client, "a@example.org", password=PASSWORD, page=PAGE)
    assert _sources(_row(admin.get(PAGE).text, "pyla-laser"))[SKIN_LASER] == "auto"  # unchanged


def test_remove_and_add_by_hand_and_match(site: dict[str, Any]) -> None:
    client: TestClient = site["client"]
    admin, csrf = signed_in(client, "a@example.org", password=PASSWORD, page=PAGE)
    before = admin.get("/skills/match", params={"skills": SKIN_LASER}).text
    assert 'data-programme="pyla-laser"' in before  # the premise: matched by the wrong tag
    removed = admin.post(f"{PAGE}/pyla-laser/tags", data={"remove": SKIN_LASER, "csrf": csrf},
                         follow_redirects=False)  # fmt: skip
    assert removed.status_code == 303
    assert removed.headers["location"] == f"{PAGE}#programme-pyla-laser"
    page = admin.get(PAGE).text
    assert SKIN_LASER not in _sources(_row(page, "pyla-laser"))
    after = admin.get("/skills/match", params={"skills": SKIN_LASER}).text
    assert 'data-programme="pyla-laser"' not in after

    unknown = "http://data.europa.eu/esco/skill/00000000-0000-0000-0000-000000000000"
    bad = admin.post(f"{PAGE}/emia-emobility-products/tags",
                     data={"add": unknown, "csrf": csrf}, follow_redirects=False)  # fmt: skip
    assert bad.status_code == 422 and unknown in bad.text
    missing = admin.post(f"{PAGE}/no-such-programme/tags",
                         data={"add": BATTERY_CHEMISTRY, "csrf": csrf}, follow_redirects=False)  # fmt: skip
    assert missing.status_code == 404

    added = admin.post(f"{PAGE}/emia-emobility-products/tags",
                       data={"add": BATTERY_CHEMISTRY, "q": "battery", "csrf": csrf},
                       follow_redirects=False)  # fmt: skip
    assert added.status_code == 303
    row = _row(admin.get(PAGE).text, "emia-emobility-products")
    assert _sources(row)[BATTERY_CHEMISTRY] == "hand"
    first = row.split("<li>")[1].split("</li>")[0]
    assert BATTERY_CHEMISTRY in first and "(by hand)" in first
    matched = admin.get("/skills/match", params={"skills": BATTERY_CHEMISTRY}).text
    top = matched.split('<tbody><tr data-programme="')[1]
    assert top.startswith("emia-emobility-products") and "100 %" in top.split("</tr>")[0]
    with session_scope(site["app"].state.sessions) as session:
        actions = [e.action for e in history(session, entity="programme_tag_correction")]
    assert actions == ["create", "create"]


def test_choices_partial(site: dict[str, Any]) -> None:
    client: TestClient = site["client"]
    partial = client.get("/skills/choices", params={"q": "battery chemistry",
                                                     "programme": "emia-emobility-products"})  # fmt: skip
    assert partial.status_code == 200 and "<html" not in partial.text
    assert f'name="add" value="{BATTERY_CHEMISTRY}"' in partial.text
    assert client.get("/skills/choices", params={"programme": "<b>"}).status_code == 422


def test_search_submitted_without_a_choice_shows_the_choices(site: dict[str, Any]) -> None:
    # Enter in the search box (or no JavaScript) posts the search without a chosen skill:
    # the choices are shown under that programme, pre-filled, and no tag changes.
    client: TestClient = site["client"]
    admin, csrf = signed_in(client, "a@example.org", password=PASSWORD, page=PAGE)
    before = _sources(_row(admin.get(PAGE).text, "pyla-optics-photonics"))
    sent = admin.post(f"{PAGE}/pyla-optics-photonics/tags",
                      data={"q": "battery chemistry", "add": "", "csrf": csrf},
                      follow_redirects=False)  # fmt: skip
    assert sent.status_code == 303
    where = sent.headers["location"]
    assert (
        where
        == f"{PAGE}?find=pyla-optics-photonics&q=battery+chemistry#programme-pyla-optics-photonics"
    )
    page = admin.get(where).text
    row = _row(page, "pyla-optics-photonics")
    assert f'name="add" value="{BATTERY_CHEMISTRY}"' in row and 'value="battery chemistry"' in row
    assert f'name="add" value="{BATTERY_CHEMISTRY}"' not in _row(page, "pyla-laser")
    assert _sources(row) == before
    nothing = admin.post(f"{PAGE}/pyla-optics-photonics/tags", data={"csrf": csrf},
                         follow_redirects=False)  # fmt: skip
    assert nothing.status_code == 422  # neither a search nor a change: still a clear refusal
    # The public and anonymous visitors get no choices, whatever the address says.
    client.cookies.clear()
    assert 'name="add" value="' not in client.get(where).text
