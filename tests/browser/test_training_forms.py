"""The training forms in Debian's chromium: an administrator adds a programme and sees it listed.

The form is filled as a person would (labels, a select, a number); a first try without a
title is refused by the server with the form kept, the second is listed on the programmes
page with automatic ESCO tags. Screenshots of every page the forms touched are written to
``$CLUSTERATLAS_SCREENSHOTS`` (default ``/tmp/clusteratlas-screenshots``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from _browser_support import PASSWORD, Site, Watch

pytestmark = pytest.mark.browser
TITLE = "Fibre laser welding for batteries"


def _shot(name: str) -> str:
    folder = Path(os.environ.get("CLUSTERATLAS_SCREENSHOTS", "/tmp/clusteratlas-screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / f"{name}.png")


def test_an_administrator_adds_a_programme_and_sees_it_listed(
    site: Site, watched: tuple[Any, Watch]
) -> None:
    page, watch = watched
    watch.allow_failed_load("/skills/programmes/new")  # the refused blank title: a 422 page
    page.goto(f"{site.url}/login?next=/skills/programmes")
    page.get_by_label("E-mail address").fill("admin@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/skills/programmes$"))
    page.get_by_role("link", name="Add a programme").click()
    page.wait_for_url(re.compile(r"/skills/programmes/new$"))
    page.get_by_label("Training provider").select_option(label="PYLA")
    page.get_by_label("Description").fill(
        "Weld battery cells and busbars with fibre lasers; laser safety; inspect welds."
    )
    page.get_by_label("Duration (hours)").fill("21")
    page.get_by_label("Format").select_option("blended")
    page.get_by_label("Language").fill("fr")
    page.get_by_label("Title").fill("   ")  # blank: the browser lets it through, the server not
    page.screenshot(path=_shot("training-programme-new"), full_page=True)
    page.get_by_role("button", name="Add the programme").click()
    error = page.locator("#form-error")
    error.wait_for()
    assert "Title must not be empty" in error.inner_text()
    assert page.get_by_label("Description").input_value().startswith("Weld battery cells")
    page.screenshot(path=_shot("training-programme-error"), full_page=True)
    page.get_by_label("Title").fill(TITLE)
    page.get_by_role("button", name="Add the programme").click()
    page.wait_for_url(re.compile(r"/skills/programmes#programme-pyla-\d+$"))
    row = page.locator("#programmes tbody tr", has_text=TITLE)
    assert row.count() == 1
    assert row.locator("span.tag").count() >= 5  # tagged at once
    assert "blended" in row.inner_text()
    row.scroll_into_view_if_needed()
    page.screenshot(path=_shot("training-programmes-listed"), full_page=True)

    row.get_by_role("link", name=f"Edit {TITLE}").click()
    page.wait_for_url(re.compile(r"/skills/programmes/pyla-\d+/edit$"))
    assert page.get_by_label("Title").input_value() == TITLE
    page.screenshot(path=_shot("training-programme-edit"), full_page=True)
    page.goto(f"{site.url}/skills/partnerships/new")
    assert page.get_by_label("Cluster organisation").count() == 1
    page.screenshot(path=_shot("training-partnership-new"), full_page=True)
    page.goto(f"{site.url}/organisations?q=Systematic")
    profile = page.locator("#results .result-list li a").first.get_attribute("href")
    assert profile is not None
    page.goto(f"{site.url}{profile}#org-training", timeout=180_000)  # a cluster's map: slow
    assert page.locator("#training-partnerships form.end-form").count() >= 1
    page.screenshot(path=_shot("training-cluster-profile"), full_page=True)
