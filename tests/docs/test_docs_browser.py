"""The built site in Chromium with every non-loopback request blocked: styled, searchable.

The site is served from 127.0.0.1 by a plain HTTP server; any request to another host is
aborted and recorded, and the test fails on it, on a page error or a console error.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(1500)]


@pytest.fixture
def offline(page: Any) -> Iterator[tuple[Any, list[str]]]:
    problems: list[str] = []

    def route(handle: Any) -> None:
        host = urlparse(handle.request.url).hostname or ""
        if host in ("127.0.0.1", "localhost"):
            handle.continue_()
        else:
            problems.append(f"blocked: {handle.request.url}")
            handle.abort()

    page.context.route("**/*", route)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None,
    )
    yield page, problems


def test_pages_render_with_their_styles_offline(
    offline: tuple[Any, list[str]], base_url: str
) -> None:
    page, problems = offline
    for path in ("/index.html", "/methods/point-patterns.html", "/auto_examples/index.html"):
        page.goto(base_url + path, wait_until="networkidle")
        # The theme's stylesheet is applied: its colour variables are defined and the header
        # is laid out as a flex box (unstyled HTML would give "block").
        primary = page.evaluate(
            "getComputedStyle(document.documentElement).getPropertyValue('--pst-color-primary')"
        )
        assert primary.strip(), path
        assert (
            page.evaluate("getComputedStyle(document.querySelector('.bd-header')).display")
            == "flex"
        ), path
    # Formulas: the vendored MathJax typeset them as SVG.
    page.goto(base_url + "/methods/point-patterns.html", wait_until="networkidle")
    page.wait_for_selector("mjx-container svg", timeout=20_000)
    assert not problems, "\n".join(problems)


def test_search_finds_a_method_offline(offline: tuple[Any, list[str]], base_url: str) -> None:
    page, problems = offline
    page.goto(base_url + "/search.html?q=Ellison", wait_until="networkidle")
    page.wait_for_selector("#search-results ul.search li", timeout=30_000)
    titles = page.locator("#search-results ul.search li a").all_inner_texts()
    assert any("Ellison" in title or "concentration" in title.lower() for title in titles), titles
    assert not problems, "\n".join(problems)
