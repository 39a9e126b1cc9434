"""The skills pages through the full app with a TestClient (no browser).

Expected values come from definitions, not from the code's output: a need whose ESCO skills
are exactly a programme's tags is covered 100 %; the seed names Systematic Paris-Region's
partners EQL, DORANCO and WEBFORCE3 for "conversion to digital jobs".
"""

from __future__ import annotations

import html
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

from clusteratlas.registry import create_user, search_organisations, session_scope

PASSWORD = "correct horse battery"
LASER_CUTTING = "http://data.europa.eu/esco/skill/45bef06d-dba9-4192-9805-2f7d27523638"
ATTRIBUTION = "© European Union"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from clusteratlas.api.app import create_app

    folder = tmp_path_factory.mktemp("web-skills")
    app = create_app(
        database_url=f"sqlite:///{folder / 'registry.sqlite'}",
        store_path=folder / "store.duckdb",
        data_dir=write_mirror(folder / "mirror"),
    )
    with session_scope(app.state.sessions) as session:
        systematic = search_organisations(session, text="Systematic").items[0].id
        saxony = search_organisations(session, text="Silicon Saxony").items[0].id
        providers = {
            o.name: o.id
            for o in search_organisations(session, kind="training provider", limit=10).items
        }
        create_user(session, email="m@example.org", password=PASSWORD, role="manager",
                    organisation_id=systematic)  # fmt: skip
        create_user(session, email="s@example.org", password=PASSWORD, role="manager",
                    organisation_id=saxony)  # fmt: skip
    with TestClient(app) as client:
        yield {
            "client": client,
            "systematic": systematic,
            "saxony": saxony,
            "providers": providers,
        }


def signed_in(site: dict[str, Any], email: str) -> tuple[TestClient, str]:
    """Sign ``email`` in; return the client and the session's CSRF token."""
    return _signed_in(site["client"], email, password=PASSWORD, page="/skills")


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_search_page_and_partial(site: dict[str, Any]) -> None:
    client: TestClient = site["client"]
    client.cookies.clear()
    empty = client.get("/skills")
    assert empty.status_code == 200
    assert '<label for="q">' in empty.text and ATTRIBUTION in empty.text
    page = client.get("/skills", params={"q": "operate laser cutting equipment"})
    assert page.status_code == 200
    assert LASER_CUTTING in page.text.split("<tbody>")[1].split("</tr>")[0]  # ranked first
    assert '<th scope="col">Rank</th>' in page.text
    partial = client.get("/skills/results", params={"q": "welder", "kind": "occupation"})
    assert partial.status_code == 200 and "<html" not in partial.text
    assert "occupation" in partial.text and "/occupation/" in partial.text
    nothing = client.get("/skills/results", params={"q": "zzzqqq"})
    assert "No ESCO skill shares a word" in nothing.text


def test_user_text_is_escaped(site: dict[str, Any]) -> None:
    client: TestClient = site["client"]
    page = client.get("/skills", params={"q": "<script>alert(1)</script> laser"})
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text
    match = client.get("/skills/match", params={"text": "<b>laser</b> welding"})
    assert "<b>laser</b>" not in match.text


def test_programmes_page(site: dict[str, Any]) -> None:
    page = site["client"].get("/skills/programmes")
    assert page.status_code == 200
    text = _text(page.text)
    for name in ("EQL", "DORANCO", "WEBFORCE3", "PYLA", "Laser technologies"):
        assert name in text
    assert "conversion to digital jobs" in text
    assert "UNCONFIRMED" in text and ATTRIBUTION in text
    row = page.text.split('data-programme="pyla-laser"')[1].split("</tr>")[0]
    assert row.count("<li>") == 10  # ten ESCO tags per programme


def _tags(site: dict[str, Any], programme: str) -> list[str]:
    from clusteratlas.skills import offer

    tags = offer.programme_tags()
    return list(tags.loc[tags["programme_id"] == programme, "skill_id"])


def test_match_a_typed_need(site: dict[str, Any]) -> None:
    client: TestClient = site["client"]
    client.cookies.clear()
    tags = _tags(site, "pyla-optics-photonics")
    page = client.get("/skills/match", params={"skills": " ".join(tags), "people": "2"})
    assert page.status_code == 200
    first = page.text.split('<tbody><tr data-programme="')[1]
    assert first.startswith("pyla-optics-photonics")
    assert "100 %" in first.split("</tr>")[0]
    assert "Every needed skill is covered" in page.text
    assert ATTRIBUTION in page.text
    assert 'id="save-need"' not in page.text  # visitors cannot post needs


def test_match_shows_shared_skills_and_gap(site: dict[str, Any]) -> None:
    from clusteratlas.skills import offer

    labels = offer.skill_labels()
    tags = _tags(site, "pyla-laser")[:1]
    other = offer.search("beekeeping honey bees hives", limit=1)["id"].iloc[0]
    page = site["client"].get("/skills/match", params={"skills": f"{tags[0]} {other}"})
    row = page.text.split('data-programme="pyla-laser"')[1].split("</tr>")[0]
    assert "50 %" in row and "(1 of 2)" in row
    assert html.escape(labels[tags[0]]) in row.split('class="shared-skills"')[1].split("</ul>")[0]
    gap = page.text.split('id="gap"')[1].split("</ul>")[0]
    assert other in gap


@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({"skills": "http://data.europa.eu/esco/skill/nope"}, 422, "skills"),
        ({"text": "laser", "people": "0"}, 422, "people"),
        ({"text": "laser", "format": "by pigeon"}, 422, "format"),
        ({"need": "999999"}, 403, "Sign in"),
    ],
)
def test_match_refusals(
    site: dict[str, Any], params: dict[str, str], status: int, words: str
) -> None:
    client: TestClient = site["client"]
    client.cookies.clear()
    page = client.get("/skills/match", params=params)
    assert page.status_code == status
    assert words in _text(page.text.split('id="match-error"')[1].split("</p>")[0])


def test_a_manager_posts_matches_and_withdraws_a_need(site: dict[str, Any]) -> None:
    client, csrf = signed_in(site, "m@example.org")
    typed = {"text": "laser cutting and laser welding", "people": "4", "region": "FR10",
             "horizon": "2027", "skills": LASER_CUTTING, "format": ""}  # fmt: skip
    page = client.get("/skills/match", params=typed)
    assert 'id="save-need"' in page.text
    forged = client.post("/skills/needs", data={**typed, "csrf": "forged"}, follow_redirects=False)
    assert forged.status_code == 403
    posted = client.post("/skills/needs", data={**typed, "csrf": csrf}, follow_redirects=False)
    assert posted.status_code == 303
    location = posted.headers["location"]
    need_id = int(location.rsplit("=", 1)[1])
    page = client.get(location)
    assert page.status_code == 200
    assert 'id="own-needs"' in page.text and 'aria-current="true"' in page.text
    assert 'data-programme="pyla-laser"' in page.text

    stranger, other_csrf = signed_in(site, "s@example.org")
    assert stranger.get(location).status_code == 200  # open needs: any signed-in user
    refused = stranger.post(f"/skills/needs/{need_id}/withdraw", data={"csrf": other_csrf},
                            follow_redirects=False)  # fmt: skip
    assert refused.status_code == 403

    client, csrf = signed_in(site, "m@example.org")
    forged = client.post(f"/skills/needs/{need_id}/withdraw", data={"csrf": "x"})
    assert forged.status_code == 403
    done = client.post(f"/skills/needs/{need_id}/withdraw", data={"csrf": csrf},
                       follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    assert f"need={need_id}" not in client.get("/skills/match").text


def test_profile_shows_training_partnerships(site: dict[str, Any]) -> None:
    client: TestClient = site["client"]
    client.cookies.clear()
    page = client.get(f"/organisations/{site['systematic']}")
    assert page.status_code == 200
    section = page.text.split('id="org-training"')[1].split("</section>")[0]
    assert '<h2 id="h-training">' in page.text
    for provider in ("EQL", "DORANCO", "WEBFORCE3"):  # linked to their registry profiles
        link = f'<a href="/organisations/{site["providers"][provider]}">{provider}</a>'
        assert f"<td>{link}</td>" in section
    assert "conversion to digital jobs" in section and '<th scope="col">' in section
    other = client.get(f"/organisations/{site['saxony']}")
    assert 'id="org-training"' not in other.text  # no partnership in the seed


def test_nav_links_to_skills(site: dict[str, Any]) -> None:
    page = site["client"].get("/skills/programmes")
    assert '<a href="/skills" aria-current="page">Skills</a>' in page.text
