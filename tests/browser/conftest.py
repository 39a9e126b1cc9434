"""Browser-test fixtures: the full app on a loopback port, Debian's chromium, no network.

The app (:func:`clusteratlas.api.app.create_app`) runs with uvicorn in a background thread on
127.0.0.1 and a free port, on a temporary SQLite registry seeded from the tiny mirror of
``tests/unit/_registry_support.py``; map pages read the real data (``CLUSTERATLAS_DATA``).
Every request to a host other than 127.0.0.1/localhost is aborted and recorded, and a test
fails on any such request, any uncaught page error or any console error.
"""

from __future__ import annotations

import shutil
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from _browser_support import MANAGER, PASSWORD, REVIEWER, Site, Watch
from _registry_support import write_mirror

# Found on PATH, as scripts/system-deps.sh looks for it (and installs it when missing).
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if CHROMIUM is None:
        pytest.skip("chromium is not on PATH (bash scripts/system-deps.sh installs it)")
    # Software WebGL for MapLibre in headless chromium.
    args = ["--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--no-sandbox"]
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": args}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    uvicorn = pytest.importorskip("uvicorn")
    from clusteratlas.api.app import create_app
    from clusteratlas.registry import create_user, search_organisations, session_scope

    folder = tmp_path_factory.mktemp("site")
    app = create_app(
        database_url=f"sqlite:///{folder / 'registry.sqlite'}",
        store_path=folder / "store.duckdb",
        data_dir=write_mirror(folder / "mirror"),
    )
    with session_scope(app.state.sessions) as session:
        managed = search_organisations(session, text="Silicon Saxony").items[0].id
        other = search_organisations(session, text="Cosmetic Valley").items[0].id
        create_user(
            session, email=MANAGER, password=PASSWORD, role="manager", organisation_id=managed
        )
        from clusteratlas.registry.services_reviews import grant_reviewer

        admin = create_user(session, email="admin@example.org", password=PASSWORD, role="admin")
        reviewer = create_user(session, email=REVIEWER, password=PASSWORD)
        grant_reviewer(session, actor=admin, user_id=reviewer.id, scheme="esca-gold")
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield Site(f"http://127.0.0.1:{port}", managed, other)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # Playwright's wait_for_function compiles its predicate with eval, which the app's
    # Content-Security-Policy (no 'unsafe-eval') forbids; test_csp.py checks the pages in a
    # context of its own that keeps the policy.
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture(scope="session")
def base_url(site: Site) -> str:
    # Replaces pytest-base-url's fixture (a plugin instance method that newer pytest warns on).
    return site.url


@pytest.fixture
def watched(page: Any) -> Iterator[tuple[Any, Watch]]:
    """The pytest-playwright ``page``, offline and watched; fails the test on any breach."""
    watch = Watch()

    def route(handle: Any) -> None:
        host = urlparse(handle.request.url).hostname or ""
        if handle.request.url.startswith(("data:", "blob:")) or host in {"127.0.0.1", "localhost"}:
            handle.continue_()
        else:
            watch.blocked.append(handle.request.url)
            handle.abort()

    page.context.route("**/*", route)
    page.on("console", watch.console)
    page.on("pageerror", lambda error: watch.errors.append(f"pageerror: {error}"))
    page.set_default_timeout(15_000)
    yield page, watch
    assert watch.blocked == [], f"requests outside loopback: {watch.blocked}"
    assert watch.errors == [], f"errors in the page: {watch.errors}"
