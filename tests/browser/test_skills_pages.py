"""The skills pages in Debian's chromium: search ESCO as one types, match a need, see why.

A need about laser cutting, welding and marking must rank PYLA's laser programme first
(its description names those processes) and show the skills they share.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from _browser_support import MANAGER, PASSWORD, Site, Watch

pytestmark = pytest.mark.browser
LASER_CUTTING = "http://data.europa.eu/esco/skill/45bef06d-dba9-4192-9805-2f7d27523638"


def _shot(name: str) -> str:
    folder = Path(os.environ.get("CLUSTERATLAS_SCREENSHOTS", "/tmp/clusteratlas-screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / f"{name}.png")


def test_search_match_and_partnerships(site: Site, watched: tuple[Any, Watch]) -> None:
    page, _ = watched
    page.goto(f"{site.url}/skills")
    page.wait_for_function("window.htmx !== undefined")
    page.evaluate("window.__notReloaded = true")
    page.get_by_label("Search ESCO (English)").press_sequentially(
        "operate laser cutting equipment", delay=20
    )
    first = page.locator("#esco-results tbody tr").first
    first.wait_for(timeout=60_000)  # the first search builds the ESCO index
    page.wait_for_function(
        "uri => (document.querySelector('#esco-results tbody tr code') || {}).textContent === uri",
        arg=LASER_CUTTING,
        timeout=60_000,
    )
    assert "operate laser cutting equipment" in first.inner_text()
    assert page.evaluate("window.__notReloaded") is True
    assert "© European Union" in page.locator("#esco-attribution").inner_text()
    page.screenshot(path=_shot("skills-search"), full_page=True)

    page.goto(f"{site.url}/skills/programmes")
    assert page.locator("#programmes tbody tr").count() >= 5
    page.screenshot(path=_shot("skills-programmes"), full_page=True)

    page.goto(f"{site.url}/login?next=/skills/match")
    page.get_by_label("E-mail address").fill(MANAGER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/skills/match$"))
    page.get_by_label("Skills needed, in words").fill(
        "Laser cutting, laser welding and laser marking of metal parts; laser safety"
    )
    page.get_by_label("People").fill("6")
    page.get_by_role("button", name="Find training").click()
    page.wait_for_url(re.compile(r"/skills/match\?"))
    top = page.locator("#matches tbody tr").first
    assert top.get_attribute("data-programme") == "pyla-laser"
    shared = top.locator(".shared-skills li")
    assert shared.count() >= 1
    assert all("laser" in t.lower() for t in shared.all_inner_texts())
    page.screenshot(path=_shot("skills-match"), full_page=True)

    page.get_by_role("button", name="Post this need for my cluster").click()
    page.wait_for_url(re.compile(r"/skills/match\?need=\d+$"))
    assert page.locator("#own-needs tbody tr").count() == 1
    assert page.locator("#matches tbody tr").first.get_attribute("data-programme") == "pyla-laser"
    page.screenshot(path=_shot("skills-need"), full_page=True)
    page.get_by_role("button", name=re.compile(r"^Withdraw need \d+$")).click()
    page.wait_for_url(re.compile(r"/skills/match$"))
    assert page.locator("#own-needs").count() == 0

    page.goto(f"{site.url}/organisations?q=Systematic")
    profile = page.locator("#results .result-list li a").first.get_attribute("href")
    assert profile is not None
    # the profile builds its region's map in the request: the first one parses the statistics
    page.goto(f"{site.url}{profile}", timeout=300_000, wait_until="domcontentloaded")
    training = page.locator("#org-training")
    assert "WEBFORCE3" in training.inner_text()
    training.scroll_into_view_if_needed()
    page.screenshot(path=_shot("skills-profile"), full_page=True)


def test_a_tag_search_sent_with_enter_lists_its_choices(
    site: Site, watched: tuple[Any, Watch]
) -> None:
    # An administrator types a skill in a programme's search box and presses Enter instead
    # of waiting for the list: the page comes back with the choices under that programme,
    # the words kept, and choosing one then adds it.
    page, _ = watched
    page.goto(f"{site.url}/login?next=/skills/programmes")
    page.get_by_label("E-mail address").fill("admin@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/skills/programmes$"))
    box = page.locator("#find-pyla-optics-photonics")
    box.fill("battery chemistry")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/skills/programmes\?find=pyla-optics-photonics&q=battery"))
    row = page.locator('tr[data-programme="pyla-optics-photonics"]')
    assert row.locator("#find-pyla-optics-photonics").input_value() == "battery chemistry"
    choice = row.get_by_role("radio", name=re.compile(r"^battery chemistry"))
    choice.check()
    row.screenshot(path=_shot("skills-tag-choices"))
    row.get_by_role("button", name="Add").click()
    page.wait_for_url(re.compile(r"/skills/programmes#programme-pyla-optics-photonics$"))
    added = page.locator('tr[data-programme="pyla-optics-photonics"] [data-source="hand"]')
    assert added.first.inner_text().startswith("battery chemistry")
