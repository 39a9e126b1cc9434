"""Running the ``clusteratlas`` command line as a subprocess in tests, with no network."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CLOSED_LOOPBACK = "http://127.0.0.1:9"


def run_cli(
    *args: str | Path, data: Path | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m clusteratlas.cli ARGS`` with the test's isolated home and no network."""
    env = dict(os.environ)  # carries the isolated CLUSTERATLAS_HOME / CLUSTERATLAS_CACHE
    env.pop("CLUSTERATLAS_DEBUG", None)
    if data is not None:
        env["CLUSTERATLAS_DATA"] = str(data)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        env[name] = env[name.lower()] = CLOSED_LOOPBACK
    env["NO_PROXY"] = env["no_proxy"] = ""
    env["COLUMNS"] = "400"  # rich tables and help: no truncation of long cells
    env["NO_COLOR"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "clusteratlas.cli", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
        check=False,
    )


def assert_one_line_error(proc: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Assert exit status 1 and a single ``error:`` line on stderr holding every needle."""
    detail = f"\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert proc.returncode == 1, f"exit status {proc.returncode}, expected 1{detail}"
    assert "Traceback" not in proc.stderr, detail
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected ONE line on stderr, got {len(lines)}{detail}"
    line = lines[0]
    assert line.startswith("error: "), detail
    assert "unexpected" not in line, f"an unexpected exception (a bug) leaked out{detail}"
    for needle in needles:
        assert needle in line, f"{needle!r} not in the error line{detail}"
    return line


def assert_nothing_written(directory: Path, name: str) -> None:
    """Assert no output file ``name`` and no leftover temporary file for it."""
    assert not (directory / name).exists()
    leftovers = [p.name for p in directory.iterdir() if p.name.startswith(f".{name}.")]
    assert leftovers == [], f"partial files left behind: {leftovers}"
