"""A map cache that no single client can flush: pinned defaults plus a fair-share LRU.

Maps take seconds to build, so a client that asks for many parameter sets nobody else uses
must neither evict the maps everyone else reads nor make them wait:

* **pinned** keys (the default map of each source, the maps of organisation profiles) are
  kept for the life of the process once built;
* other maps go to a shared LRU of ``capacity`` entries, each remembered with the client
  that caused its build. A client holding ``per_client`` entries replaces its own least
  recently used one; otherwise, when the cache is full, the least recently used entry of the
  client holding the most entries goes. A client that floods the cache thus only ever evicts
  its own maps once it reaches its quota (or, below it, those of a bigger holder);
* hits take a short lock only; builds are serialised by a separate lock (two cores, DuckDB),
  and two requests for the same uncached key build it once.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")
ANONYMOUS = "-"
"""Client name of calls that give none (the web pages' shared map cache)."""


class FairCache(Generic[V]):
    """Cache of built values, bounded per client (see the module's description).

    Parameters
    ----------
    build : callable
        ``build(key)`` returns the value of an uncached key.
    capacity : int, default 16
        Entries of the shared LRU (pinned entries are not counted).
    per_client : int, default 4
        Entries of the shared LRU one client's misses may hold.
    pinned : callable, optional
        ``pinned(key)`` is true for keys kept for the life of the process.
    build_lock : lock, optional
        Held while building (default: a lock of its own); share it with other users of the
        resources a build needs.
    """

    def __init__(
        self,
        build: Callable[[Hashable], V],
        *,
        capacity: int = 16,
        per_client: int = 4,
        pinned: Callable[[Hashable], bool] | None = None,
        build_lock: threading.Lock | threading.RLock | None = None,
    ) -> None:
        if capacity < 1 or not 1 <= per_client <= capacity:
            raise ValueError(
                f"capacity must be >= 1 and per_client in [1, capacity]; got {capacity}, {per_client}."
            )
        self._build = build
        self.capacity = capacity
        self.per_client = per_client
        self._pinned_key = pinned or (lambda _key: False)
        self._pinned: dict[Hashable, V] = {}
        self._lru: OrderedDict[Hashable, tuple[V, str]] = OrderedDict()
        self._lock = threading.Lock()
        self._build_lock = build_lock or threading.Lock()
        self.builds = 0
        """How many values were built (misses that computed something)."""

    def _lookup(self, key: Hashable) -> tuple[bool, V | None]:
        with self._lock:
            if key in self._pinned:
                return True, self._pinned[key]
            if key in self._lru:
                self._lru.move_to_end(key)
                return True, self._lru[key][0]
        return False, None

    def get(self, key: Hashable, *, client: str | None = None) -> V:
        """Return the value of ``key``, building it on a miss on behalf of ``client``."""
        found, value = self._lookup(key)
        if found:
            return value  # type: ignore[return-value]
        with self._build_lock:
            found, value = self._lookup(key)  # built meanwhile by another request
            if found:
                return value  # type: ignore[return-value]
            built = self._build(key)
            self.builds += 1
        self._insert(key, built, client or ANONYMOUS)
        return built

    def _insert(self, key: Hashable, value: V, client: str) -> None:
        with self._lock:
            if self._pinned_key(key):
                self._pinned[key] = value
                return
            owners = Counter(owner for _, owner in self._lru.values())
            if owners[client] >= self.per_client:
                self._evict_oldest_of(client)
            elif len(self._lru) >= self.capacity:
                biggest = max(owners.values())
                holders = {o for o, n in owners.items() if n == biggest}
                self._evict_oldest_of(*holders)
            self._lru[key] = (value, client)

    def _evict_oldest_of(self, *clients: str) -> None:
        for key, (_, owner) in self._lru.items():  # oldest first
            if owner in clients:
                del self._lru[key]
                return

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._pinned or key in self._lru

    def owners(self) -> dict[str, int]:
        """Return how many shared entries each client holds."""
        with self._lock:
            return dict(Counter(owner for _, owner in self._lru.values()))
