"""The data directory setting, what ships in the package, and the order data sets are found in."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from clusteratlas.data.catalog import CATALOG, DataSet, get_dataset, locate, resolve
from clusteratlas.data.fetch import fetch_all, use_data_directory
from clusteratlas.data.locations import packaged_root
from clusteratlas.errors import ConfigError, DataNotFoundError
from clusteratlas.paths import cache_dir, config_file, data_directory, set_data_directory

PACKAGED = sorted(name for name, dataset in CATALOG.items() if dataset.packaged)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_config_file_lives_in_the_home_and_persists_the_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CLUSTERATLAS_DATA", raising=False)
    home = tmp_path / "home"
    monkeypatch.setenv("CLUSTERATLAS_HOME", str(home))
    assert data_directory().origin == "none" and data_directory().path is None
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    written = set_data_directory(mirror)
    assert written == home / "config.toml" == config_file()
    assert written.read_text(encoding="utf-8") == f'[data]\ndirectory = "{mirror.resolve()}"\n'
    assert data_directory().path == mirror.resolve()
    assert data_directory().origin == "config"


def test_the_environment_variable_overrides_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_data_directory(tmp_path)
    monkeypatch.setenv("CLUSTERATLAS_DATA", str(tmp_path / "other"))
    assert data_directory().path == tmp_path / "other"
    assert data_directory().origin == "env"


def test_other_settings_of_the_config_file_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CLUSTERATLAS_DATA", raising=False)
    config_file().parent.mkdir(parents=True, exist_ok=True)
    config_file().write_text('[server]\nport = 8001\n[data]\ndirectory = "/old"\n')
    set_data_directory(tmp_path)
    text = config_file().read_text()
    assert "port = 8001" in text and f'directory = "{tmp_path.resolve()}"' in text
    assert "/old" not in text


def test_a_broken_config_file_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLUSTERATLAS_DATA", raising=False)
    config_file().parent.mkdir(parents=True, exist_ok=True)
    config_file().write_text("[data\ndirectory = 1\n")
    with pytest.raises(ConfigError, match=r"config\.toml is not valid TOML"):
        data_directory()


def test_the_home_moves_the_cache_unless_the_cache_is_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLUSTERATLAS_HOME", str(tmp_path / "h"))
    monkeypatch.delenv("CLUSTERATLAS_CACHE", raising=False)
    assert cache_dir() == tmp_path / "h" / "cache"
    monkeypatch.setenv("CLUSTERATLAS_CACHE", str(tmp_path / "c"))
    assert cache_dir() == tmp_path / "c"


@pytest.mark.parametrize("name", PACKAGED)
def test_every_packaged_table_ships(name: str) -> None:
    dataset = get_dataset(name)
    assert dataset.packaged_path == packaged_root() / dataset.filename
    assert dataset.packaged_path.stat().st_size > 0


@pytest.mark.e2e
@pytest.mark.parametrize("name", PACKAGED)
def test_packaged_tables_are_the_mirror_files(name: str, data_dir: Path) -> None:
    dataset = get_dataset(name)
    assert dataset.packaged_path is not None
    assert _sha256(dataset.packaged_path) == _sha256(data_dir / dataset.filename)


def test_the_attribution_file_names_every_packaged_file() -> None:
    text = (packaged_root() / "ATTRIBUTION.md").read_text(encoding="utf-8")
    for name in PACKAGED:
        assert Path(get_dataset(name).filename).name in text, name


def test_only_catalogued_tables_ship() -> None:
    # Nothing ships that the catalog does not point at (the derived NUTS table and the
    # us-atlas licence aside), so an unused copy cannot creep into the wheel.
    expected = {get_dataset(name).filename for name in PACKAGED}
    expected |= {"clusters/us_cluster_positions.json", "us/LICENSE.us-atlas"}
    shipped = {
        path.relative_to(packaged_root()).as_posix()
        for path in packaged_root().rglob("*")
        if path.is_file() and path.parent != packaged_root() and path.parent.name != "nuts"
    }
    assert shipped == expected


def test_statistics_and_microdata_do_not_ship() -> None:
    for name in ("sirene_basrhin_2010", "bea_use_detail_2017", "us_cbsa_boundaries"):
        dataset = get_dataset(name)
        assert not dataset.packaged
        assert not (packaged_root() / dataset.filename).exists()


def test_large_statistics_and_gisco_boundaries_are_not_shipped() -> None:
    for name in ("sbs_r_nuts06_r2", "cbp2019_cbsa", "nuts2013_level2", "us_counties"):
        dataset = get_dataset(name)
        assert not dataset.packaged and dataset.download_url
        assert not (packaged_root() / dataset.filename).exists()


@pytest.mark.e2e
@pytest.mark.parametrize("name", ["us_states", "us_counties"])
def test_fixed_digests_match_the_mirror_copies(name: str, data_dir: Path) -> None:
    # The digests were taken from `npm pack us-atlas@3.0.1`; the mirror holds the same files.
    dataset = get_dataset(name)
    assert dataset.sha256 == _sha256(data_dir / dataset.filename)


def test_order_data_directory_then_packaged_then_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CLUSTERATLAS_DATA", raising=False)
    dataset = get_dataset("nace_divisions")
    dataset.cache_path.parent.mkdir(parents=True)
    dataset.cache_path.write_text("cached")
    assert locate("nace_divisions") == (dataset.packaged_path, "packaged")
    mine = tmp_path / dataset.filename
    mine.parent.mkdir(parents=True)
    mine.write_text("division,label_en\n")
    set_data_directory(tmp_path)
    assert resolve("nace_divisions") == mine.resolve()
    assert locate("nace_divisions")[1] == "mirror"


def test_a_download_with_another_digest_is_refused(
    publisher_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CLUSTERATLAS_DATA", raising=False)
    publisher_server.put("example.org/fixed.json", b'{"changed": true}')
    fixed = DataSet(
        "fixed",
        "t",
        "d",
        "l",
        "a",
        "https://example.org",
        "x/fixed.json",
        download_url="https://example.org/fixed.json",
        sha256=hashlib.sha256(b'{"original": true}').hexdigest(),
    )
    monkeypatch.setitem(CATALOG, "fixed", fixed)
    with pytest.raises(DataNotFoundError, match="SHA-256"):
        resolve("fixed", progress=False)
    assert not fixed.cache_path.exists()
    publisher_server.put("example.org/fixed.json", b'{"original": true}')
    assert resolve("fixed", progress=False).read_bytes() == b'{"original": true}'


def test_fetch_all_goes_on_after_a_failure(
    publisher_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CLUSTERATLAS_DATA", raising=False)
    sections = tmp_path / "mirror" / get_dataset("nace_sections").filename
    sections.parent.mkdir(parents=True)
    sections.write_text("section,label_en\n")
    set_data_directory(tmp_path / "mirror")
    publisher_server.put("example.org/here.csv", "a,b\n1,2\n")
    for name, url in (("gone", "https://example.org/gone.csv"), ("here", None)):
        monkeypatch.setitem(
            CATALOG,
            name,
            DataSet(name, "t", "d", "l", "a", "https://example.org", f"x/{name}.csv", url),
        )
    monkeypatch.setitem(
        CATALOG,
        "later",
        DataSet(
            "later",
            "t",
            "d",
            "l",
            "a",
            "https://e.org",
            "x/later.csv",
            "https://example.org/here.csv",
        ),
    )
    results = fetch_all(["nace_sections", "gone", "here", "later"], progress=False)
    outcomes = [(r.name, r.outcome, r.where) for r in results]
    assert outcomes == [
        ("nace_sections", "present", "mirror"),
        ("gone", "failed", "missing"),
        ("here", "failed", "missing"),
        ("later", "downloaded", "cache"),
    ]
    assert "404" in results[1].message
    assert "no download exists" in results[2].message
    assert results[3].path is not None and results[3].path.read_text() == "a,b\n1,2\n"
    again = fetch_all(["later"], progress=False)
    assert [(r.outcome, r.where) for r in again] == [("present", "cache")]
    assert publisher_server.requests["example.org/here.csv"] == 1


def test_use_checks_the_folder_before_writing(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        use_data_directory(tmp_path / "nothere")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ConfigError, match="is not a folder"):
        use_data_directory(tmp_path / "file")
    with pytest.raises(ConfigError, match="does not look like a data mirror"):
        use_data_directory(tmp_path)
    assert not config_file().exists()
    (tmp_path / "reference").mkdir()
    (tmp_path / "reference" / "silicon_europe.csv").write_text("name\n")
    written, found = use_data_directory(tmp_path)
    assert found == ["silicon_europe"] and written == config_file()
