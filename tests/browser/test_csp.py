"""The pages render under the strict Content-Security-Policy: no violation, maps drawn."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from _browser_support import Site, Watch

pytestmark = pytest.mark.browser
HAS_DATA = (
    bool(os.environ.get("CLUSTERATLAS_DATA"))
    and Path(os.environ.get("CLUSTERATLAS_DATA", "")).is_dir()
)
LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e =>
    window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def _open(page: Any, url: str) -> dict[str, str]:
    page.add_init_script(LISTEN)
    response = page.goto(url)
    assert response is not None and response.status == 200
    return dict(response.headers)


@pytest.mark.skipif(not HAS_DATA, reason="the map needs CLUSTERATLAS_DATA")
def test_atlas_map_renders_under_the_csp(site: Site, watched: tuple[Any, Watch]) -> None:
    page, _ = watched
    headers = _open(page, f"{site.url}/?source=eu-sbs&category=C26")
    assert "script-src 'self';" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    ready = "window.clusterAtlasMap && clusterAtlasMap.state === 'ready'"
    page.wait_for_function(ready, timeout=30_000)
    assert len(page.evaluate("clusterAtlasMap.renderedSample()")) > 50  # drawn by the worker
    assert page.evaluate("window.__csp") == []


def test_directory_and_htmx_work_under_the_csp(site: Site, watched: tuple[Any, Watch]) -> None:
    page, _ = watched
    _open(page, f"{site.url}/organisations")
    page.wait_for_function("window.htmx !== undefined")
    page.locator("#q").press_sequentially("Saxony", delay=30)
    page.wait_for_function("document.querySelector('#result-count').dataset.total === '1'")
    page.wait_for_function(
        "window.clusterAtlasOrgMap && window.clusterAtlasOrgMap.state === 'ready'"
    )
    assert page.evaluate("window.__csp") == []
    assert page.evaluate("getComputedStyle(document.body).fontFamily") != ""  # app.css applied
