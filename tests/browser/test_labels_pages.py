"""The label pages in Debian's chromium: a manager answers and submits, a reviewer sends it back.

ESCA Gold indicator G14 asks a share in % with the threshold ">= 60" (scheme file), so the
answer 45 misses it by 15; G05 is a yes/no question.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from _browser_support import MANAGER, PASSWORD, REVIEWER, Site, Watch

pytestmark = pytest.mark.browser


def _sign_in(page: Any, site: Site, email: str, then: str) -> None:
    page.goto(f"{site.url}/login?next={then}")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(then) + "$"))


def test_manager_submits_and_reviewer_requests_changes(
    site: Site, watched: tuple[Any, Watch]
) -> None:
    page, _ = watched
    _sign_in(page, site, MANAGER, "/labels")
    assert page.locator("#schemes tbody tr").count() == 3
    page.screenshot(path=_shot("labels-home"), full_page=True)
    page.get_by_label("Scheme to assess against").select_option("esca-gold")
    page.get_by_role("button", name="Start an assessment").click()
    page.wait_for_url(re.compile(r"/labels/assessments/\d+$"))
    ident = page.url.rsplit("/", 1)[1]
    page.wait_for_function("window.htmx !== undefined")
    page.evaluate("window.__notReloaded = true")
    assert page.locator("fieldset.indicator-group").count() == 4

    page.locator("#v-G14").fill("45")
    page.locator("#v-G14").press("Tab")  # the change event saves the answer
    page.wait_for_function("document.querySelector('#ind-G14 .save-state').textContent === 'Saved'")
    page.locator("#v-G05").select_option("yes")
    page.wait_for_function("document.querySelector('#ind-G05 .save-state').textContent === 'Saved'")
    assert page.evaluate("window.__notReloaded") is True
    assert page.locator("#v-G14").input_value() == "45"
    page.screenshot(path=_shot("labels-questionnaire"), full_page=True)

    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_url(re.compile(rf"/labels/assessments/{ident}/result$"))
    missed = page.locator("#missed tr[data-indicator='G14'] td")
    assert float(missed.nth(3).inner_text()) == 15.0
    assert page.locator("svg.radar").count() == 1
    page.screenshot(path=_shot("labels-result"), full_page=True)
    page.get_by_role("button", name="Sign out").click()

    _sign_in(page, site, REVIEWER, "/labels/review")
    page.get_by_role("link", name=re.compile(rf"Review assessment {ident}\b")).click()
    page.wait_for_url(re.compile(rf"/labels/assessments/{ident}/review$"))
    row = page.locator("tr[data-indicator='G05']")
    assert row.locator("td").nth(0).inner_text().startswith("1: ") or "yes" in row.inner_text()
    page.get_by_label("Comment on G14").fill("Attach the staff list.")
    page.get_by_label("Comment to the cluster manager").fill("Please document G14.")
    page.screenshot(path=_shot("labels-review"), full_page=True)
    page.get_by_role("button", name="Request changes").click()
    page.wait_for_url(re.compile(rf"/labels/review\?done={ident}$"))
    assert f"assessment {ident}" in page.locator("#review-done").inner_text()
    assert page.locator(f"a[href='/labels/assessments/{ident}/review']").count() == 0
    page.get_by_role("button", name="Sign out").click()

    _sign_in(page, site, MANAGER, f"/labels/assessments/{ident}")
    assert "Attach the staff list." in page.locator("#changes-requested").inner_text()
    assert page.locator("#v-G14").is_enabled()


LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e =>
    window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def test_questionnaire_saves_under_the_csp(site: Site, browser: Any) -> None:
    """The pages' own policy (no inline script or style) holds while HTMX saves an answer."""
    context = browser.new_context(bypass_csp=False)
    page = context.new_page()
    page.add_init_script(LISTEN)
    watch = Watch()
    page.on("console", watch.console)
    page.on("pageerror", lambda error: watch.errors.append(f"pageerror: {error}"))
    try:
        _sign_in(page, site, MANAGER, "/labels")
        if page.locator("#own-assessments a", has_text="Questionnaire").count() == 0:
            page.get_by_label("Scheme to assess against").select_option("esca-gold")
            page.get_by_role("button", name="Start an assessment").click()
        else:
            page.locator("#own-assessments a", has_text="Questionnaire").first.click()
        page.wait_for_url(re.compile(r"/labels/assessments/\d+$"))
        if page.locator("#v-G15").is_enabled():
            page.locator("#v-G15").fill("5")
            page.locator("#v-G15").press("Tab")
            page.wait_for_selector("#ind-G15 .save-state:has-text('Saved')")
        page.goto(page.url + "/result")
        assert page.locator("svg.radar").count() == 1
        assert page.evaluate("window.__csp") == []
    finally:
        context.close()
    assert watch.errors == [], f"errors in the page (CSP violations among them): {watch.errors}"


def _shot(name: str) -> str:
    folder = Path(os.environ.get("CLUSTERATLAS_SCREENSHOTS", "/tmp/clusteratlas-screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / f"{name}.png")
