"""``clusteratlas data where / use / fetch --all`` as a user runs them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from _cli import assert_one_line_error, run_cli


def _home() -> Path:
    return Path(os.environ["CLUSTERATLAS_HOME"])


def test_where_shows_every_location_and_where_the_setting_came_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CLUSTERATLAS_DATA", raising=False)
    monkeypatch.delenv("CLUSTERATLAS_CACHE", raising=False)
    proc = run_cli("data", "where")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert f"config file: {_home() / 'config.toml'} (not written yet)" in out
    assert "data directory: - (not set: packaged tables, cache and downloads only)" in out
    assert f"cache: {_home() / 'cache'}" in out
    assert f"map store (DuckDB): {_home() / 'clusteratlas.duckdb'}" in out
    assert f"registry database: sqlite:///{_home() / 'registry.sqlite'}" in out

    (tmp_path / "classifications").mkdir()
    (tmp_path / "classifications" / "naics2017_us.csv").write_text("code,title\n")
    used = run_cli("data", "use", str(tmp_path))
    assert used.returncode == 0, used.stderr
    assert "1 catalog data sets found" in used.stdout
    out = run_cli("data", "where").stdout
    assert f"data directory: {tmp_path.resolve()} (from the config file)" in out
    out = run_cli("data", "where", data=tmp_path / "elsewhere").stdout
    assert f"data directory: {tmp_path / 'elsewhere'} (from CLUSTERATLAS_DATA)" in out
    # The setting is used by a new process: the data set now comes from that folder.
    info = run_cli("data", "info", "naics2017").stdout
    assert (
        f"available: mirror: {tmp_path.resolve() / 'classifications' / 'naics2017_us.csv'}" in info
    )


@pytest.mark.parametrize(
    ("folder", "needle"),
    [("nothere", "does not exist"), ("empty", "does not look like a data mirror")],
)
def test_use_rejects_a_folder_that_is_not_a_mirror(
    folder: str, needle: str, tmp_path: Path
) -> None:
    (tmp_path / "empty").mkdir()
    proc = run_cli("data", "use", str(tmp_path / folder))
    assert_one_line_error(proc, "DIR", str(tmp_path / folder), needle)
    assert not (_home() / "config.toml").exists()


def test_fetch_needs_a_name_or_all() -> None:
    assert_one_line_error(run_cli("data", "fetch"), "NAME", "--all")
    assert_one_line_error(run_cli("data", "fetch", "naics2017", "--all"), "not both")


def test_fetch_all_reports_every_data_set_and_fails_if_one_failed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # No data directory and no reachable publisher: the packaged tables are present, the
    # downloads fail, and every data set is still tried.
    monkeypatch.delenv("CLUSTERATLAS_DATA", raising=False)
    monkeypatch.setenv("CLUSTERATLAS_DOWNLOAD_BASE", "http://127.0.0.1:9")
    proc = run_cli("data", "fetch", "--all")
    assert proc.returncode == 1, proc.stderr
    rows: dict[str, list[str]] = {}
    for line in proc.stdout.splitlines():
        cells = [cell.strip() for cell in line.split("│")[1:-1]]
        if cells and cells[0]:  # a table row's first line (long cells wrap onto more lines)
            rows[cells[0]] = cells
    assert rows["nace_divisions"][1:3] == ["present", "packaged"]
    for name in ("sbs_r_nuts06_r2", "cbp2019_cbsa", "us_counties", "nuts2013_level3"):
        assert rows[name][1:3] == ["failed", "missing"], name
    assert not [name for name, cells in rows.items() if cells[1] == "downloaded"]
    from clusteratlas.data.catalog import CATALOG

    unshipped = sorted(name for name, data in CATALOG.items() if not data.packaged)
    assert sorted(name for name, cells in rows.items() if cells[1] == "failed") == unshipped
    # The summary closes the output (the console wraps it when it is long).
    assert " ".join(proc.stdout.split()).endswith(
        f"{len(CATALOG) - len(unshipped)} present, 0 downloaded, {len(unshipped)} failed: "
        + ", ".join(unshipped)
    )


@pytest.mark.e2e
def test_fetch_all_with_the_mirror_skips_what_is_present(data_dir: Path) -> None:
    # Every data set the mirror or the package holds is present; only the others (with no
    # reachable publisher here) fail, and the exit status says so.
    from clusteratlas.data.catalog import CATALOG

    absent = sorted(
        name
        for name, data in CATALOG.items()
        if not data.packaged and not (data_dir / data.filename).is_file()
    )
    proc = run_cli("data", "fetch", "--all", data=data_dir)
    assert proc.returncode == (1 if absent else 0), proc.stdout + proc.stderr
    assert proc.stdout.rstrip().splitlines()[-1] == (
        f"{len(CATALOG) - len(absent)} present, 0 downloaded, {len(absent)} failed"
        + (f": {', '.join(absent)}" if absent else "")
    )
