"""The dashboard in Debian's chromium: live search, profile, map update, sign-in and editing."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from _browser_support import MANAGER, PASSWORD, Site, Watch

from _data_mirror import has_data

pytestmark = pytest.mark.browser
HAS_DATA = has_data()  # False only under pytest --without-data


def test_live_search_updates_results_without_reload(site: Site, watched: tuple[Any, Watch]) -> None:
    page, _ = watched
    page.goto(f"{site.url}/organisations")
    page.wait_for_function("window.htmx !== undefined")
    page.evaluate("window.__notReloaded = true")
    total = int(page.get_attribute("#result-count", "data-total") or 0)
    assert total > 1
    page.locator("#q").press_sequentially("Saxony", delay=30)
    page.wait_for_function("document.querySelector('#result-count').dataset.total === '1'")
    results = page.locator("#results .result-list li")
    assert results.count() == 1
    assert "Silicon Saxony" in results.first.inner_text()
    assert page.evaluate("window.__notReloaded") is True
    assert page.url.endswith("/organisations?q=Saxony")
    page.wait_for_function(
        "window.clusterAtlasOrgMap && window.clusterAtlasOrgMap.state === 'ready'"
    )
    page.screenshot(path=_shot("directory"), full_page=True)
    results.first.get_by_role("link").click()
    page.wait_for_url(re.compile(rf"/organisations/{site.managed_id}$"))
    assert "Silicon Saxony" in page.locator("h1").inner_text()
    assert page.locator("#validation-status").inner_text() in {"validated", "waived", "incomplete"}
    page.screenshot(path=_shot("profile"), full_page=True)


@pytest.mark.skipif(not HAS_DATA, reason="the map needs CLUSTERATLAS_DATA")
def test_changing_the_category_updates_the_map(site: Site, watched: tuple[Any, Watch]) -> None:
    page, _ = watched
    page.goto(f"{site.url}/?source=eu-sbs&category=C26")
    ready = "c => window.clusterAtlasMap && clusterAtlasMap.state === 'ready' && clusterAtlasMap.loadedCategory === c"
    page.wait_for_function(ready, arg="C26", timeout=30_000)
    assert page.get_attribute("#atlas-map", "data-map-state") == "ready"
    before = {s["region"]: s for s in page.evaluate("clusterAtlasMap.renderedSample()")}
    assert len(before) > 50 and {s["category"] for s in before.values()} == {"C26"}
    page.screenshot(path=_shot("atlas-c26"))
    page.select_option("#category", "C21")
    page.wait_for_function(ready, arg="C21", timeout=30_000)
    after = {s["region"]: s for s in page.evaluate("clusterAtlasMap.renderedSample()")}
    assert {s["category"] for s in after.values()} == {"C21"}
    common = before.keys() & after.keys()
    assert sum(before[r]["value"] != after[r]["value"] for r in common) > len(common) / 2
    assert any(before[r]["colour"] != after[r]["colour"] for r in common)
    assert "category=C21" in page.url
    assert page.locator("#legend li").count() >= 3
    page.screenshot(path=_shot("atlas-c21"))


def test_manager_edits_own_profile_only(site: Site, watched: tuple[Any, Watch]) -> None:
    page, watch = watched
    page.goto(f"{site.url}/login")
    page.get_by_label("E-mail address").fill(MANAGER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/organisations$"))
    page.goto(f"{site.url}/organisations/{site.managed_id}")
    page.get_by_role("link", name="Edit profile").click()
    page.wait_for_url(re.compile(r"/edit$"))
    page.get_by_label("Acronym").fill("SiSax")
    page.get_by_label("Management staff (FTE)").fill("4")
    page.screenshot(path=_shot("edit"), full_page=True)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(rf"/organisations/{site.managed_id}\?saved=1$"))
    assert "(SiSax)" in page.locator("h1").inner_text()
    assert page.locator("[data-field=management_fte] .value").inner_text() == "4.0"
    watch.allow_failed_load(f"/organisations/{site.other_id}/edit")
    response = page.goto(f"{site.url}/organisations/{site.other_id}/edit")
    assert response is not None and response.status == 403
    assert "may not edit" in page.get_by_role("alert").inner_text()
    assert page.locator("form[action$='/edit']").count() == 0


def _shot(name: str) -> str:
    folder = Path(os.environ.get("CLUSTERATLAS_SCREENSHOTS", "/tmp/clusteratlas-screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / f"{name}.png")
