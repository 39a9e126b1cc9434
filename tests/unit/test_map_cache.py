"""The map cache: one client's uncached requests never evict another's maps or the defaults."""

from __future__ import annotations

import threading
from collections.abc import Hashable

import pytest

from clusteratlas.api.mapcache import FairCache


class Builder:
    def __init__(self) -> None:
        self.built: list[Hashable] = []

    def __call__(self, key: Hashable) -> str:
        self.built.append(key)
        return f"map {key}"


def test_flooding_client_does_not_evict_another_clients_map() -> None:
    build = Builder()
    cache = FairCache(build, capacity=8, per_client=3, pinned=lambda key: key == "default")
    assert cache.get("default", client="a") == "map default"
    assert cache.get(("eu", 2012), client="b") == "map ('eu', 2012)"
    for year in range(1900, 1950):  # 50 distinct uncached maps from one client
        cache.get(("eu", year), client="flood")
    assert ("eu", 2012) in cache and "default" in cache
    before = len(build.built)
    assert cache.get(("eu", 2012), client="b") == "map ('eu', 2012)"
    assert cache.get("default", client="c") == "map default"
    assert len(build.built) == before  # served from the cache, not rebuilt
    assert cache.owners() == {"b": 1, "flood": 3}


def test_full_cache_evicts_from_the_biggest_holder() -> None:
    cache = FairCache(Builder(), capacity=4, per_client=3)
    for key in ("b1", "b2"):
        cache.get(key, client="b")
    for key in ("f1", "f2"):
        cache.get(key, client="f")
    cache.get("c1", client="c")  # full: b and f hold two each; the oldest of them goes
    assert "b1" not in cache and {"b2", "f1", "f2", "c1"} <= {
        k for k in ("b1", "b2", "f1", "f2", "c1") if k in cache
    }
    cache.get("f3", client="f")  # full: f holds the most, so f's oldest goes
    assert "f1" not in cache and "b2" in cache and "c1" in cache


def test_cached_maps_are_served_while_another_builds() -> None:
    started, release = threading.Event(), threading.Event()

    def slow(key: Hashable) -> str:
        if key == "slow":
            started.set()
            release.wait(timeout=10)
        return str(key)

    cache = FairCache(slow, capacity=4, per_client=2)
    cache.get("ready", client="a")
    thread = threading.Thread(target=cache.get, args=("slow",), kwargs={"client": "b"})
    thread.start()
    assert started.wait(timeout=10)
    try:
        assert cache.get("ready", client="a") == "ready"  # a hit does not wait for the build
        assert not release.is_set()
    finally:
        release.set()
        thread.join()


def test_same_key_is_built_once() -> None:
    build = Builder()
    cache = FairCache(build, capacity=4, per_client=2)
    threads = [threading.Thread(target=cache.get, args=("k",)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert build.built == ["k"]


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="per_client"):
        FairCache(Builder(), capacity=2, per_client=3)
