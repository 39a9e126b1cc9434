"""The directory in Debian's chromium, offline: partnerships on profiles, the API docs, the
map backdrop and the atlas colours (every non-loopback request is aborted and fails the test)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from _browser_support import Site, Watch

from _data_mirror import has_data

pytestmark = pytest.mark.browser
HAS_DATA = has_data()  # False only under pytest --without-data


def _shot(name: str) -> str:
    folder = Path(os.environ.get("CLUSTERATLAS_SCREENSHOTS", "/tmp/clusteratlas-screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / f"{name}.png")


def test_silicon_europe_is_on_each_members_profile(site: Site, watched: tuple[Any, Watch]) -> None:
    page, _ = watched
    page.goto(f"{site.url}/organisations?q=Silicon+Europe")
    page.wait_for_function("document.querySelector('#result-count') !== null")
    members = page.locator("#results .result-list li a")
    names = members.all_inner_texts()
    assert "Silicon Saxony" in names and any(n.startswith("Minalogic") for n in names)
    hrefs = [members.nth(i).get_attribute("href") for i in range(members.count())]
    for href in hrefs:
        page.goto(f"{site.url}{href}", timeout=120_000)  # the first profile builds a map
        row = page.locator("#partnerships")
        assert row.is_visible()
        assert "Silicon Europe" in row.inner_text()
    page.goto(f"{site.url}/organisations/{site.managed_id}", timeout=120_000)
    partnership = page.locator("#partnerships .partnership", has_text="Silicon Europe")
    assert partnership.is_visible()
    page.screenshot(path=_shot("profile-partnership"), full_page=True)


def test_api_docs_render_offline(site: Site, watched: tuple[Any, Watch]) -> None:
    page, _ = watched
    page.goto(f"{site.url}/api/v1/docs")
    title = page.locator(".swagger-ui .info .title")
    title.wait_for(state="visible", timeout=60_000)  # a 1.7 MB script and the schema
    assert "Cluster Atlas API" in title.inner_text()
    page.locator(".opblock-summary-path", has_text="/api/v1/organisations").first.wait_for()
    assert page.locator(".opblock").count() > 10
    page.screenshot(path=_shot("api-docs"))


@pytest.mark.skipif(not HAS_DATA, reason="the backdrop reads the shipped boundaries")
def test_directory_map_has_a_backdrop(site: Site, watched: tuple[Any, Watch]) -> None:
    page, _ = watched
    page.goto(f"{site.url}/organisations")
    page.wait_for_function(
        "document.getElementById('org-map').dataset.backdropState === 'loaded'"
        " && window.clusterAtlasOrgMap.state === 'ready'",
        timeout=30_000,
    )
    page.wait_for_function(
        "clusterAtlasOrgMap.map.queryRenderedFeatures({layers: ['backdrop-fill']}).length > 0"
    )
    layers = page.evaluate("clusterAtlasOrgMap.map.getStyle().layers.map(l => l.id)")
    assert layers.index("backdrop-fill") < layers.index("organisation-points")  # drawn under
    page.screenshot(path=_shot("directory-backdrop"))


@pytest.mark.skipif(not HAS_DATA, reason="the map needs CLUSTERATLAS_DATA")
def test_atlas_uses_the_atlas_colours(site: Site, watched: tuple[Any, Watch]) -> None:
    from clusteratlas.report._common import LQ_COLOURS

    page, _ = watched
    page.goto(f"{site.url}/?source=eu-sbs&category=C26", timeout=120_000)
    page.wait_for_function(
        "window.clusterAtlasMap && clusterAtlasMap.state === 'ready'"
        " && document.getElementById('atlas-map').dataset.backdropState === 'loaded'",
        timeout=30_000,
    )
    swatches = page.evaluate(
        "[...document.querySelectorAll('#legend .swatch')].map(s => s.style.background)"
    )

    def rgb(colour: str) -> str:
        r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        return f"rgb({r}, {g}, {b})"

    assert swatches[: len(LQ_COLOURS)] == [rgb(c) for c in LQ_COLOURS]  # light → dark red
    sample = page.evaluate("clusterAtlasMap.renderedSample()")
    high = [s for s in sample if isinstance(s["value"], float | int) and s["value"] >= 3]
    assert high and all(s["colour"] == LQ_COLOURS[-1] for s in high)  # darkest = highest
    page.screenshot(path=_shot("atlas-colours"))
