from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from clusteratlas.data.catalog import CATALOG, DataSet, attribution, get_dataset, locate, resolve
from clusteratlas.errors import DataNotFoundError, UnknownCodeError


def test_every_dataset_is_fully_described() -> None:
    for dataset in CATALOG.values():
        assert dataset.title and dataset.description and dataset.licence
        assert dataset.attribution and dataset.source_url.startswith("https://")
        assert not Path(dataset.filename).is_absolute()


def test_mirror_comes_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dataset = get_dataset("nace_sections")
    mirrored = tmp_path / dataset.filename
    mirrored.parent.mkdir(parents=True)
    mirrored.write_text("section,label_en,label_fr\n")
    cached = dataset.cache_path
    cached.parent.mkdir(parents=True)
    cached.write_text("cached")
    monkeypatch.setenv("CLUSTERATLAS_DATA", str(tmp_path))
    assert resolve("nace_sections") == mirrored
    assert locate("nace_sections") == (mirrored, "mirror")


def test_cache_is_used_without_mirror(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLUSTERATLAS_DATA", raising=False)
    # naics2017 now ships with the package; the cache serves what does not.
    dataset = get_dataset("cbp2019_cbsa")
    dataset.cache_path.parent.mkdir(parents=True)
    dataset.cache_path.write_text("cbsa_code,naics_code,naics_level,EMP,ESTAB\n")
    assert resolve("cbp2019_cbsa") == dataset.cache_path


def test_missing_dataset_says_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    # A data set that neither ships with the package nor has a download.
    monkeypatch.delenv("CLUSTERATLAS_DATA", raising=False)
    fake = DataSet("nowhere", "t", "d", "l", "a", "https://example.org", "x/nowhere.csv")
    monkeypatch.setitem(CATALOG, "nowhere", fake)
    with pytest.raises(DataNotFoundError, match="CLUSTERATLAS_DATA") as info:
        resolve("nowhere")
    assert "x/nowhere.csv" in str(info.value)
    assert "clusteratlas data use DIR" in str(info.value)


def test_unknown_name_suggests_the_closest() -> None:
    with pytest.raises(UnknownCodeError, match="Did you mean 'naics2017'"):
        get_dataset("naics2071")


@pytest.fixture
def loopback_server(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "served.csv").write_text("code,title\n11,Agriculture\n")

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(tmp_path), **kwargs)  # type: ignore[arg-type]

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_download_goes_to_the_cache(loopback_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLUSTERATLAS_DATA", raising=False)
    fake = DataSet(
        name="loopback",
        title="t",
        description="d",
        licence="l",
        attribution="a",
        source_url="https://example.org",
        filename="x/loopback.csv",
        download_url=f"{loopback_server}/served.csv",
    )
    monkeypatch.setitem(CATALOG, "loopback", fake)
    path = resolve("loopback", progress=False)
    assert path == fake.cache_path
    assert path.read_text() == "code,title\n11,Agriculture\n"
    assert locate("loopback") == (path, "cache")


def test_failed_download_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLUSTERATLAS_DATA", raising=False)
    fake = DataSet(
        "dead",
        "t",
        "d",
        "l",
        "a",
        "https://example.org",
        "x/dead.csv",
        "http://127.0.0.1:9/none.csv",
    )
    monkeypatch.setitem(CATALOG, "dead", fake)
    with pytest.raises(DataNotFoundError, match="could not be downloaded"):
        resolve("dead", progress=False)
    assert not fake.cache_path.exists()


def test_attribution_is_deduplicated() -> None:
    texts = attribution(["nace_sections", "nace_divisions", "sbs_r_nuts06_r2"])
    assert texts == [CATALOG["nace_sections"].attribution, CATALOG["sbs_r_nuts06_r2"].attribution]
    assert "Eurostat" in texts[1]
