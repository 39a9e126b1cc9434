"""Every ``clusteratlas`` command of the README runs, as written, from a new shell.

A new user after ``make demo``'s set-up step (``clusteratlas data use`` saves the data
folder): each command runs in a fresh process with no ``CLUSTERATLAS_DATA`` in its
environment, a throw-away ``CLUSTERATLAS_HOME``, and a loopback server standing in for the
publishers (``CLUSTERATLAS_DOWNLOAD_BASE``) that serves each downloadable data set in its
publisher's format at its download address; every other address is closed.

Only two things differ from the README's text, both because the README names something a
test machine cannot have: the Spark master ``spark://host:7077`` (a placeholder host) runs as
``local[2]``, and ``serve`` listens on a free loopback port instead of 8000.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest
from _readme_publishers import BUILDERS

from clusteratlas.data.catalog import CATALOG

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

README = Path(__file__).resolve().parents[2] / "README.md"
SPARK_PLACEHOLDER = "spark://host:7077"
CLOSED = "http://127.0.0.1:9"


def readme_commands(text: str) -> list[str]:
    """The ``clusteratlas …`` commands of the README's plain code blocks, in order.

    Backslash continuations are joined; ``python`` blocks and prose are ignored.
    """
    commands: list[str] = []
    fence: str | None = None  # the info string of the open block, None outside blocks
    block: list[str] = []
    for line in text.splitlines():
        if line.startswith("```"):
            if fence is None:
                fence, block = line[3:].strip(), []
                continue
            if fence == "":
                joined = "\n".join(block).replace("\\\n", " ")
                commands.extend(
                    " ".join(row.split())
                    for row in joined.splitlines()
                    if row.strip().startswith("clusteratlas ")
                )
            fence = None
        elif fence is not None:
            block.append(line)
    return commands


COMMANDS = readme_commands(README.read_text(encoding="utf-8"))


def test_the_readme_lists_commands_of_every_pillar() -> None:
    verbs = {shlex.split(command, comments=True)[1] for command in COMMANDS}
    assert {"data", "map", "detect", "valuechain", "register", "serve"} <= verbs
    assert len(COMMANDS) >= 20


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    """The user's working folder, with the ``firms.csv`` the Detect commands read."""
    folder = tmp_path_factory.mktemp("readme")
    rng = np.random.default_rng(7)
    rows = ["x,y,industry,weight"]
    # Industry A clustered around (3000, 3000), B spread over the 10 km window.
    for _ in range(150):
        x, y = rng.normal(3000, 400, size=2).clip(1, 9999)
        rows.append(f"{x:.1f},{y:.1f},A,{int(rng.integers(1, 50))}")
    for _ in range(350):
        x, y = rng.uniform(0, 10000, size=2)
        rows.append(f"{x:.1f},{y:.1f},B,{int(rng.integers(1, 50))}")
    (folder / "firms.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    # The same firms in Lambert-93 (around Paris), for the footprints line's --crs EPSG:2154.
    shifted = ["x,y,industry,weight"]
    for row in rows[1:]:
        x, y, industry, weight = row.split(",")
        shifted.append(f"{float(x) + 650_000:.1f},{float(y) + 6_860_000:.1f},{industry},{weight}")
    (folder / "firms_l93.csv").write_text("\n".join(shifted) + "\n", encoding="utf-8")
    (folder / "home").mkdir()
    # The demo's set-up step: `make demo` saves the data folder with `clusteratlas data use`,
    # so the commands below find it with no CLUSTERATLAS_DATA in their environment.
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLUSTERATLAS_")}
    env["CLUSTERATLAS_HOME"] = str(folder / "home")
    done = subprocess.run(
        [*_argv("clusteratlas data use"), str(data_dir)],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return folder


@pytest.fixture(scope="module")
def publishers(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A loopback server holding every downloadable data set in its publisher's format."""
    from _loopback import start_server

    state, server = start_server(tmp_path_factory.mktemp("publishers"))
    for name, build in BUILDERS.items():
        dataset = CATALOG[name]
        assert dataset.download_url is not None, name
        url = urlsplit(dataset.download_url)
        address = url.netloc + url.path + (f"?{url.query}" if url.query else "")
        state.put(address, build(data_dir / dataset.filename))
    yield state.base
    server.shutdown()
    server.server_close()


def _environment(workspace: Path, base: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLUSTERATLAS_")}
    env.update(
        CLUSTERATLAS_HOME=str(workspace / "home"),
        CLUSTERATLAS_DOWNLOAD_BASE=base,
        COLUMNS="200",
        NO_COLOR="1",
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
    )
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        env[name] = env[name.lower()] = CLOSED  # anything but loopback fails
    env.pop("DATABASE_URL", None)
    return env


def _argv(command: str) -> list[str]:
    words = shlex.split(command, comments=True)
    assert words[0] == "clusteratlas"
    script = Path(sys.executable).with_name("clusteratlas")
    head = [str(script)] if script.is_file() else [sys.executable, "-m", "clusteratlas.cli"]
    return head + ["local[2]" if word == SPARK_PLACEHOLDER else word for word in words[1:]]


def _params() -> list[object]:
    params: list[object] = []
    for command in COMMANDS:
        marks = [pytest.mark.spark] if "--engine spark" in command else []
        params.append(pytest.param(command, marks=marks, id=command[13:60]))
    return params


@pytest.mark.parametrize("command", _params())
def test_readme_command_runs_from_a_new_shell(
    command: str, workspace: Path, publishers: str
) -> None:
    env = _environment(workspace, publishers)
    if shlex.split(command, comments=True)[1] == "serve":
        _check_serve(_argv(command), env, workspace)
        return
    proc = subprocess.run(
        _argv(command),
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
    )
    assert proc.returncode == 0, f"{command}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    for word in shlex.split(command, comments=True):
        if re.fullmatch(r"[\w.]+\.(csv|parquet|geojson|html|png)", word) and word != "firms.csv":
            assert (workspace / word).stat().st_size > 0, f"{command} did not write {word}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> tuple[int, bytes]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=120) as response:
        return response.status, response.read()


def _check_serve(argv: list[str], env: dict[str, str], workspace: Path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = (workspace / "serve.log").open("w")
    server = subprocess.Popen(
        [*argv, "--port", str(port)], cwd=workspace, env=env, stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, (workspace / "serve.log").read_text()
            try:
                status, _ = _get(f"{base}/api/v1/health")
                break
            except OSError:
                assert time.monotonic() < deadline, "serve did not answer within 120 s"
                time.sleep(0.5)
        status, body = _get(f"{base}/api/v1/organisations")
        found = json.loads(body)
        assert status == 200 and found["total"] >= 100 and found["items"]
        names = {item["name"] for item in found["items"]}
        assert all(names)
        status, body = _get(f"{base}/api/v1/maps?limit=5")
        rows = json.loads(body)
        assert status == 200 and rows["total"] > 0 and len(rows["rows"]) == 5
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
