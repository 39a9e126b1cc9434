"""The directory's pages: partnerships and posts on profiles, the posts list, the
recommendation note, the map palette and backdrop hooks (TestClient, no browser)."""

from __future__ import annotations

import html
import json
import re
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from _registry_support import write_mirror

with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore", message="Using `httpx` with `starlette.testclient`", category=Warning
    )
    from starlette.testclient import TestClient

pytest.importorskip("fastapi")
from clusteratlas.registry import (
    create_organisation,
    create_post,
    create_user,
    search_organisations,
    session_scope,
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from clusteratlas.api.app import create_app

    folder = tmp_path_factory.mktemp("web")
    app = create_app(
        database_url=f"sqlite:///{folder / 'registry.sqlite'}",
        store_path=folder / "store.duckdb",
        data_dir=write_mirror(folder / "mirror"),
    )
    with session_scope(app.state.sessions) as session:
        saxony = search_organisations(session, text="Silicon Saxony").items[0].id
        bare = create_organisation(session, actor=None, data={"name": "Bare", "country": "IT"}).id
        manager = create_user(
            session,
            email="m@example.org",
            password="correct horse battery",
            role="manager",
            organisation_id=saxony,
        )
        create_post(
            session,
            actor=manager,
            organisation_id=saxony,
            kind="request",
            title="Partner for a 300 mm pilot line",
            body="We look for equipment makers.",
        )
        create_post(
            session,
            actor=manager,
            organisation_id=saxony,
            kind="offer",
            title="Clean-room training places",
        )
    with TestClient(app) as client:
        yield {"client": client, "saxony": saxony, "bare": bare}


def test_profile_shows_partnership_and_posts(site: dict[str, Any]) -> None:
    page = site["client"].get(f"/organisations/{site['saxony']}")
    assert page.status_code == 200
    row = re.search(r'id="partnerships">(.*?)</div>', page.text, re.S)
    assert row is not None
    assert "Silicon Europe" in row.group(1) and "founding cluster member" in row.group(1)
    posts = page.text[page.text.index('id="org-posts"') :]
    assert "Partner for a 300 mm pilot line" in posts and "Clean-room training places" in posts
    # newest first
    assert posts.index("Clean-room training places") < posts.index("Partner for a 300 mm")


def test_posts_page_lists_and_filters(site: dict[str, Any]) -> None:
    client = site["client"]
    page = client.get("/posts")
    assert page.status_code == 200
    assert "2 posts" in page.text
    assert f'href="/organisations/{site["saxony"]}">Silicon Saxony' in page.text
    offers = client.get("/posts", params={"kind": "offer"}).text
    assert "Clean-room training places" in offers and "pilot line" not in offers
    wrong = client.get("/posts", params={"kind": "gift"})
    assert wrong.status_code == 400 and "offer, request" in wrong.text
    assert 'href="/posts"' in client.get("/organisations").text  # in the navigation


def test_profile_without_categories_asks_for_them(site: dict[str, Any]) -> None:
    page = site["client"].get(f"/organisations/{site['bare']}")
    note = re.search(r'id="recommendation-note">(.*?)</p>', page.text, re.S)
    assert note is not None
    assert note.group(1).startswith("Add categories or technologies to get recommendations.")
    assert "This organisation has posted no offer or request." in page.text


def test_maps_get_the_atlas_palette_and_a_backdrop(site: dict[str, Any]) -> None:
    from clusteratlas.report._common import LQ_BREAKS, LQ_COLOURS, QUANTILE_COLOURS

    page = site["client"].get("/")
    found = re.search(r"data-palette='([^']*)'", page.text)
    assert found is not None
    palette = json.loads(html.unescape(found.group(1)))
    assert palette["lqBreaks"] == list(LQ_BREAKS) and palette["lqColours"] == list(LQ_COLOURS)
    assert palette["quantileColours"] == list(QUANTILE_COLOURS)
    assert 'data-backdrop="/api/v1/backdrop"' in page.text
    assert "/static/js/backdrop.js" in page.text
    directory = site["client"].get("/organisations").text
    assert 'data-backdrop="/api/v1/backdrop"' in directory and "/static/js/backdrop.js" in directory


def _lightness(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b  # relative luminance (sRGB, not linearised)


def test_one_colour_convention_darker_is_higher() -> None:
    from clusteratlas.report._common import LQ_COLOURS, QUANTILE_COLOURS

    # quantile classes: strictly darker as the value rises
    light = [_lightness(c) for c in QUANTILE_COLOURS]
    assert light == sorted(light, reverse=True)
    # LQ classes above 1 (specialised): darker as the LQ rises
    above = [_lightness(c) for c in LQ_COLOURS[2:]]
    assert above == sorted(above, reverse=True)
    # the dashboard's script takes its colours from the server, none of its own
    from pathlib import Path

    script = (
        Path(__file__).resolve().parents[2] / "src/clusteratlas/web/static/js/atlas.js"
    ).read_text(encoding="utf-8")
    assert "JSON.parse(ds.palette)" in script
    assert "#fde725" not in script and "#443a83" not in script  # the former viridis scale
