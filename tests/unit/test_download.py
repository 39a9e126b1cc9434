"""Downloads from the publishers, against a loopback server (no other network)."""

from __future__ import annotations

import hashlib

import pytest

from clusteratlas.data.download import DownloadError, download, publisher_url

URL = "https://www2.census.gov/programs-surveys/cbp/datasets/2019/cbp19msa.zip"
HOST_PATH = "www2.census.gov/programs-surveys/cbp/datasets/2019/cbp19msa.zip"


def test_publisher_url_is_unchanged_without_a_base(monkeypatch):
    monkeypatch.delenv("CLUSTERATLAS_DOWNLOAD_BASE", raising=False)
    assert publisher_url(URL) == URL


def test_publisher_url_keeps_host_path_and_query(monkeypatch):
    monkeypatch.setenv("CLUSTERATLAS_DOWNLOAD_BASE", "http://127.0.0.1:9/")
    assert (
        publisher_url("https://ec.europa.eu/eurostat/api/x/data/sbs?format=csv")
        == "http://127.0.0.1:9/ec.europa.eu/eurostat/api/x/data/sbs?format=csv"
    )


def test_download_writes_the_file_and_checks_its_digest(publisher_server, tmp_path):
    content = bytes(range(256)) * 1000
    publisher_server.put(HOST_PATH, content)
    target = download(
        URL, tmp_path / "cbp.zip", sha256=hashlib.sha256(content).hexdigest(), progress=False
    )
    assert target.read_bytes() == content
    assert not (tmp_path / "cbp.zip.part").exists()


def test_a_dropped_connection_is_resumed_with_a_range_request(publisher_server, tmp_path):
    content = b"0123456789" * 10_000
    publisher_server.put(HOST_PATH, content)
    publisher_server.cut_after[HOST_PATH] = 30_001  # the first response stops here
    target = download(URL, tmp_path / "cbp.zip", progress=False)
    assert target.read_bytes() == content
    # Resumed, not restarted: the second request asks for what the first did not deliver.
    assert len(publisher_server.ranges) == 1
    resumed_from = int(publisher_server.ranges[0].removeprefix("bytes=").rstrip("-"))
    assert 0 < resumed_from <= 30_001
    assert publisher_server.requests[HOST_PATH] == 2


def test_a_wrong_digest_writes_nothing_and_says_so(publisher_server, tmp_path):
    publisher_server.put(HOST_PATH, b"changed by the publisher")
    with pytest.raises(DownloadError, match="SHA-256") as info:
        download(URL, tmp_path / "cbp.zip", sha256="0" * 64, progress=False)
    assert "Nothing was written" in str(info.value)
    assert not (tmp_path / "cbp.zip").exists()
    assert not (tmp_path / "cbp.zip.part").exists()


def test_a_missing_file_names_the_address(publisher_server, tmp_path):
    with pytest.raises(DownloadError, match="404") as info:
        download(URL, tmp_path / "cbp.zip", progress=False, attempts=1)
    assert "cbp19msa.zip" in str(info.value)
    assert not (tmp_path / "cbp.zip").exists()


def test_a_part_file_left_by_a_killed_run_is_resumed(publisher_server, tmp_path):
    content = b"abcdefghij" * 5_000
    publisher_server.put(HOST_PATH, content)
    (tmp_path / "cbp.zip.part").write_bytes(content[:12_345])
    target = download(URL, tmp_path / "cbp.zip", progress=False)
    assert target.read_bytes() == content
    assert publisher_server.ranges == ["bytes=12345-"]


def test_a_part_file_already_complete_is_kept_without_downloading_again(publisher_server, tmp_path):
    # A run killed between the last byte and the rename: the server answers 416 (nothing
    # left from that offset), and the part file becomes the file.
    content = b"0123456789" * 4_000
    publisher_server.put(HOST_PATH, content)
    (tmp_path / "cbp.zip.part").write_bytes(content)
    target = download(
        URL, tmp_path / "cbp.zip", sha256=hashlib.sha256(content).hexdigest(), progress=False
    )
    assert target.read_bytes() == content
    assert publisher_server.ranges == ["bytes=40000-"]
    assert publisher_server.requests[HOST_PATH] == 1
    assert not (tmp_path / "cbp.zip.part").exists()


def test_a_server_that_ignores_the_range_restarts_the_file(publisher_server, tmp_path):
    # The server sends the whole file (200, not 206) to the resume request: the bytes kept
    # from the first try are replaced, not prepended.
    content = b"abcdefghij" * 5_000
    publisher_server.put(HOST_PATH, content)
    publisher_server.ignore_range.add(HOST_PATH)
    (tmp_path / "cbp.zip.part").write_bytes(content[:12_345])
    target = download(URL, tmp_path / "cbp.zip", progress=False)
    assert target.read_bytes() == content
    assert publisher_server.requests[HOST_PATH] == 1


def test_a_part_file_longer_than_the_new_resource_is_downloaded_again(publisher_server, tmp_path):
    # The publisher replaced the file with a shorter one since the killed run: the server
    # answers 416 with the new length, and the stale part file must not become the file
    # (without a digest to check, nothing else would catch it).
    content = b"new" * 1_000
    publisher_server.put(HOST_PATH, content)
    (tmp_path / "cbp.zip.part").write_bytes(b"old" * 2_000)
    target = download(URL, tmp_path / "cbp.zip", progress=False)
    assert target.read_bytes() == content
    assert publisher_server.ranges == ["bytes=6000-"]
    assert publisher_server.requests[HOST_PATH] == 2


@pytest.mark.parametrize(
    ("header", "length"),
    [("bytes */6000", 6000), ("bytes */*", None), ("bytes 0-9/10", None), (None, None)],
)
def test_the_length_of_a_416_answer_is_read_from_content_range(header, length):
    from clusteratlas.data.download import _resource_length

    assert _resource_length(header) == length
