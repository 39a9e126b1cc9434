"""`make test` fails, naming what is missing, when the data mirror is absent or incomplete.

The check runs when pytest starts (tests/conftest.py), so each case runs pytest in a
subprocess on one small test module, with ``CLUSTERATLAS_DATA`` pointing elsewhere.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from _data_mirror import required_files

ROOT = Path(__file__).resolve().parents[2]


def _pytest(data: Path | None, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CLUSTERATLAS_DATA"}
    if data is not None:
        env["CLUSTERATLAS_DATA"] = str(data)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args,
         "tests/unit/test_inequality.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_an_empty_data_folder_stops_the_run_and_names_the_files(tmp_path: Path) -> None:
    proc = _pytest(tmp_path)
    output = proc.stdout + proc.stderr
    assert proc.returncode == pytest.ExitCode.USAGE_ERROR, output
    assert f"lacks {len(required_files())} files" in output
    for name in (
        "eu/sbs_r_nuts06_r2.tsv.gz",
        "us/cbp2019_cbsa_naics.csv.gz",
        "reference/dbmss/points.csv",
    ):
        assert name in output
    assert " passed" not in output


def test_one_missing_file_is_named(tmp_path: Path, data_dir: Path) -> None:
    for name in required_files():
        if name != "fr/sirene_2010_basrhin_iris.csv.gz":
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).symlink_to(data_dir / name)
    proc = _pytest(tmp_path)
    output = proc.stdout + proc.stderr
    assert proc.returncode == pytest.ExitCode.USAGE_ERROR, output
    assert "lacks 1 file: fr/sirene_2010_basrhin_iris.csv.gz" in output


def test_no_variable_is_named_too() -> None:
    proc = _pytest(None)
    assert proc.returncode == pytest.ExitCode.USAGE_ERROR
    assert "CLUSTERATLAS_DATA is not set" in proc.stdout + proc.stderr


def test_without_data_is_the_explicit_way_out(tmp_path: Path) -> None:
    proc = _pytest(tmp_path, "--without-data")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " passed" in proc.stdout
