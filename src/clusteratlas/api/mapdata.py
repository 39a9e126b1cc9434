"""In-process caches of the statistics the API serves: maps, boundaries, related clusters.

Building a map takes one to three seconds (:func:`~clusteratlas.mapping.service.make_map`),
so every map is built once per process for a set of parameters and kept in a
:class:`~clusteratlas.api.mapcache.FairCache`: the default and profile maps stay, other maps
share an LRU bounded per client, so one client's uncached requests neither evict nor delay
the maps others read; region boundaries are simplified once. Only built-in rule-sets and category families are
accepted here: the API never opens a file named by a client.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Hashable
from pathlib import Path
from typing import Any, cast

import pandas as pd

from clusteratlas.api.mapcache import FairCache
from clusteratlas.errors import DataNotFoundError, ParameterError
from clusteratlas.mapping.rulesets import list_rulesets
from clusteratlas.mapping.service import MapResult, make_map
from clusteratlas.mapping.sources import get_source, load_observations
from clusteratlas.store import Store

DEFAULT_YEARS = {"eu-sbs": 2014, "us-cbp": 2019}
DEFAULT_RULES = {"eu-sbs": "eco2007", "us-cbp": "uscmp"}
SIMPLIFY_TOLERANCE = 0.01
"""Tolerance (degrees) of the simplified boundaries served to the browser."""
PROFILE_MAPS = {"eu-sbs": (2014, "divisions", "eco2007"), "us-cbp": (2019, "traded", "uscmp")}
"""The map an organisation's statistics come from, by source."""


def source_of_region(region: str | None) -> str | None:
    """Return the source whose regions have codes like ``region`` (NUTS-2 or CBSA), or None."""
    if not region:
        return None
    if len(region) == 5 and region.isdigit():
        return "us-cbp"
    if len(region) == 4 and region[:2].isalpha() and region[:2].isupper():
        return "eu-sbs"
    return None


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Return the rows of ``frame`` as JSON-ready dicts (NaN and NA become None)."""
    return list(json.loads(frame.to_json(orient="records", date_format="iso")))


class MapData:
    """Maps, boundaries and related clusters, built once per process.

    Parameters
    ----------
    store_path : str or pathlib.Path, optional
        DuckDB store for parsed observations and built maps (default: the user's).
    cache_size : int, default 16
        Number of maps kept in the shared LRU (the default and profile maps come on top).
    per_client : int, default 4
        Maps of that LRU that one client's requests may hold.
    """

    def __init__(
        self, store_path: str | Path | None = None, *, cache_size: int = 16, per_client: int = 4
    ) -> None:
        self.store_path = store_path
        self._lock = threading.RLock()
        self.cache: FairCache[MapResult] = FairCache(
            self._build_key,
            capacity=cache_size,
            per_client=min(per_client, cache_size),
            pinned=self._pinned,
            build_lock=self._lock,
        )
        self._store: Store | None = None

    @staticmethod
    def _pinned(key: Hashable) -> bool:
        """Keep the default map of each source and the maps of organisation profiles."""
        defaults = {
            (s, DEFAULT_YEARS[s], get_source(s).categories[0], DEFAULT_RULES[s])
            for s in DEFAULT_YEARS
        }
        profiles = {(s, y, f, r) for s, (y, f, r) in PROFILE_MAPS.items()}
        return key in profiles or key in defaults

    @property
    def store(self) -> Store:
        """The DuckDB store, opened on first use."""
        if self._store is None:
            self._store = Store(self.store_path)
        return self._store

    def check(
        self, source: str, year: int | None, categories: str | None, rules: str | None
    ) -> tuple[str, int, str, str | None]:
        """Validate map parameters and fill in the defaults of the source.

        ``rules="none"`` builds an unrated map.

        Raises
        ------
        ParameterError
            For an unknown source, category family or rule-set.
        """
        spec = get_source(source)
        family = categories or spec.categories[0]
        if family not in spec.categories:
            raise ParameterError(
                f"The 'categories' parameter must be one of {', '.join(spec.categories)} for "
                f"{source}. Got {family!r} instead."
            )
        chosen = rules or DEFAULT_RULES[source]
        if chosen != "none" and chosen not in list_rulesets():
            raise ParameterError(
                f"The 'rules' parameter must be one of {', '.join(list_rulesets())} or 'none'. "
                f"Got {chosen!r} instead."
            )
        return source, year or DEFAULT_YEARS[source], family, None if chosen == "none" else chosen

    def map(
        self,
        source: str,
        *,
        year: int | None = None,
        categories: str | None = None,
        rules: str | None = None,
        client: str | None = None,
    ) -> MapResult:
        """Return the map for these parameters (built on first use, then cached).

        ``client`` (the caller's address) is charged for a map built for it: see
        :class:`~clusteratlas.api.mapcache.FairCache`.
        """
        key = self.check(source, year, categories, rules)
        return self.cache.get(key, client=client)

    def _build_key(self, key: Hashable) -> MapResult:
        source, year, categories, rules = cast(tuple[str, int, str, str | None], key)
        return make_map(source, year=year, rules=rules, categories=categories, store=self.store)

    @functools.cache  # noqa: B019  (one MapData per app, kept for the process)
    def years(self, source: str) -> list[int]:
        """Return the years of the source's statistics (empty when the data are missing)."""
        try:
            with self._lock:
                frame = load_observations(get_source(source), store=self.store)
        except DataNotFoundError:
            return []
        return sorted(int(y) for y in frame["year"].unique())

    @functools.cache  # noqa: B019
    def boundaries(self, source: str) -> Any:
        """Return the source's boundaries (GeoDataFrame ``region``, ``name``, ``geometry``)."""
        from clusteratlas.report.build import source_boundaries

        get_source(source)
        with self._lock:
            return source_boundaries(source)

    @functools.cache  # noqa: B019
    def simplified(self, source: str) -> Any:
        """Return the boundaries simplified for the browser (< 1 MB of GeoJSON)."""
        frame = self.boundaries(source).copy()
        frame["geometry"] = frame.geometry.simplify(SIMPLIFY_TOLERANCE, preserve_topology=True)
        return frame

    @functools.cache  # noqa: B019
    def points(self, source: str) -> dict[str, tuple[float, float]]:
        """Return a representative point (longitude, latitude) of every region of a source."""
        frame = self.boundaries(source)
        points = frame.geometry.representative_point()
        return {
            str(region): (float(p.x), float(p.y))
            for region, p in zip(frame["region"], points, strict=True)
            if p is not None and not p.is_empty
        }

    @functools.cache  # noqa: B019
    def related(self) -> pd.DataFrame | None:
        """Return the related-cluster pairs, or None when the data are missing."""
        from clusteratlas.data.definitions import related_clusters

        try:
            return related_clusters()
        except DataNotFoundError:
            return None

    def profile_map(self, source: str) -> MapResult | None:
        """Return the map an organisation's statistics come from, or None without data."""
        year, family, rules = PROFILE_MAPS[source]
        try:
            return self.map(source, year=year, categories=family, rules=rules)
        except DataNotFoundError:
            return None

    def regional_prefill(self, organisation: Any) -> dict[str, tuple[float, str]]:
        """Return the label pre-fill facts of an organisation's region from its profile map.

        Empty when its region is not a NUTS-2 or CBSA code or the statistics are not here
        (no data mirror); see :func:`clusteratlas.registry.regional_prefill`.
        """
        from clusteratlas.registry.stats import regional_prefill

        source = source_of_region(organisation.region)
        result = self.profile_map(source) if source is not None else None
        if source is None or result is None:
            return {}
        year, family, rules = PROFILE_MAPS[source]
        label = f"map {source} {year}, categories {family}, rule-set {rules}"
        return regional_prefill(organisation, map_frame=result.frame, map_label=label)

    @functools.cache  # noqa: B019
    def strength_frame(self) -> pd.DataFrame | None:
        """Return the profile maps of every source in one frame (regional strength)."""
        frames = [r.frame for r in map(self.profile_map, PROFILE_MAPS) if r is not None]
        return pd.concat(frames, ignore_index=True) if frames else None
