"""The documentation site, built once per session as ``make docs`` builds it.

``sphinx-build -W --keep-going -n`` into a temporary folder, the gallery executed on the real
data (``CLUSTERATLAS_DATA``) with a throw-away ``CLUSTERATLAS_HOME``. A failed build fails
every test that needs the site with Sphinx's own messages.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def docs_site(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    pytest.importorskip("sphinx", reason="the docs extra is not installed")
    out = tmp_path_factory.mktemp("docs")
    home = tmp_path_factory.mktemp("docs-home")
    env = {**os.environ, "CLUSTERATLAS_HOME": str(home), "CLUSTERATLAS_DATA": str(data_dir)}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    env.pop("CLUSTERATLAS_DOCS_GALLERY", None)  # always the whole site, gallery included
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-n", "-q",
               "-d", str(out / "doctrees"), str(DOCS), str(out / "html")]  # fmt: skip
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=1200)
    took = time.perf_counter() - start
    assert done.returncode == 0, (
        f"sphinx-build failed after {took:.0f} s (make docs shows the same):\n"
        + (done.stderr or done.stdout)[-6000:]
    )
    print(f"\ndocumentation built in {took:.0f} s")
    return out / "html"


@pytest.fixture(scope="session")
def base_url(docs_site: Path) -> Iterator[str]:
    """The built site served on 127.0.0.1 (pytest-playwright opens pages relative to it)."""
    handler = functools.partial(_Quiet, directory=str(docs_site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if CHROMIUM is None:
        pytest.skip("chromium is not on PATH (bash scripts/system-deps.sh installs it)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ["--no-sandbox"]}
