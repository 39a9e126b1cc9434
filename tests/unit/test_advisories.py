"""The dependency floors and the installed web stack are past the advisories we know of."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

from packaging.version import Version

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "check_advisories.py"


def _module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("check_advisories", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_floors_and_installed_versions_are_past_the_advisories() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Not checked:" in done.stdout  # says what an offline check cannot see
    assert "No known vulnerabilities" not in done.stdout


def test_an_old_floor_or_install_is_reported() -> None:
    check = _module()
    declared = {"jinja2": Version("3.1"), "h11": Version("0.16")}
    installed = {"jinja2": Version("3.1.6"), "h11": Version("0.14.0")}
    found = check.problems(declared, installed)
    assert any("jinja2 floor 3.1 is below 3.1.6" in line for line in found)
    assert any("installed h11 0.14.0 is below 0.16.0" in line for line in found)
    assert any("starlette floor missing" in line for line in found)


def test_floors_read_from_pyproject(tmp_path: Path) -> None:
    check = _module()
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[project]\nname = "x"\ndependencies = ["jinja2>=3.1.6"]\n'
        '[project.optional-dependencies]\nweb = ["h11>=0.16", "starlette>=1.6,<2"]\n'
    )
    assert check.floors(pyproject) == {
        "jinja2": Version("3.1.6"),
        "h11": Version("0.16"),
        "starlette": Version("1.6"),
    }
