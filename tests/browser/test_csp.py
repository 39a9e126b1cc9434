"""The pages work under the strict Content-Security-Policy: no violation, maps drawn.

These pages run in a browser context that enforces the policy (the other browser tests
bypass it, because Playwright's ``wait_for_function`` needs eval); waiting is done by
polling ``page.evaluate``, which the DevTools protocol runs outside the page's policy.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest
from _browser_support import Site, Watch

from _data_mirror import has_data

pytestmark = pytest.mark.browser
HAS_DATA = has_data()  # False only under pytest --without-data
LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e =>
    window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.fixture
def strict(browser: Any) -> Iterator[tuple[Any, Watch]]:
    """A page in a context that enforces the CSP, offline and watched like ``watched``."""
    context = browser.new_context(bypass_csp=False)
    watch = Watch()

    def route(handle: Any) -> None:
        host = urlparse(handle.request.url).hostname or ""
        if handle.request.url.startswith(("data:", "blob:")) or host in {"127.0.0.1", "localhost"}:
            handle.continue_()
        else:
            watch.blocked.append(handle.request.url)
            handle.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.add_init_script(LISTEN)
    page.on("console", watch.console)
    page.on("pageerror", lambda error: watch.errors.append(f"pageerror: {error}"))
    page.set_default_timeout(30_000)
    yield page, watch
    context.close()
    assert watch.blocked == [], f"requests outside loopback: {watch.blocked}"
    assert watch.errors == [], f"errors in the page (CSP violations among them): {watch.errors}"


def _until(page: Any, expression: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"not true after {timeout} s: {expression}")
        time.sleep(0.1)


@pytest.mark.skipif(not HAS_DATA, reason="the map needs CLUSTERATLAS_DATA")
def test_atlas_map_renders_under_the_csp(site: Site, strict: tuple[Any, Watch]) -> None:
    page, _ = strict
    # The first request builds the map on the server (cold store, shared cores): allow time.
    response = page.goto(f"{site.url}/?source=eu-sbs&category=C26", timeout=180_000)
    assert response is not None and response.status == 200
    assert "script-src 'self';" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    _until(page, "!!(window.clusterAtlasMap && clusterAtlasMap.state === 'ready')")
    assert len(page.evaluate("clusterAtlasMap.renderedSample()")) > 50  # drawn by the worker
    assert page.evaluate("window.__csp") == []


def test_directory_and_htmx_work_under_the_csp(site: Site, strict: tuple[Any, Watch]) -> None:
    page, _ = strict
    response = page.goto(f"{site.url}/organisations")
    assert response is not None and response.status == 200
    _until(page, "window.htmx !== undefined")
    page.locator("#q").press_sequentially("Saxony", delay=30)
    _until(page, "document.querySelector('#result-count').dataset.total === '1'")
    _until(page, "!!(window.clusterAtlasOrgMap && window.clusterAtlasOrgMap.state === 'ready')")
    assert page.evaluate("window.__csp") == []


def test_api_docs_render_under_the_csp(site: Site, strict: tuple[Any, Watch]) -> None:
    page, _ = strict
    response = page.goto(f"{site.url}/api/v1/docs")
    assert response is not None and response.status == 200
    # The same strict policy as every page: no inline script, no other origin.
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    _until(page, "document.querySelectorAll('.swagger-ui .opblock').length > 10", timeout=60)
    assert "Cluster Atlas API" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.evaluate("window.__csp") == []
