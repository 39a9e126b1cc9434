"""The skills offer as the REST API and the dashboard read it: search, programmes, matching.

Each function reads the packaged seed (providers, programmes, partnerships) and the catalog's
ESCO skills through :mod:`clusteratlas.skills.service` (one cached index per process) and
returns plain frames or records; the interfaces only render them. scikit-learn is imported
through :func:`clusteratlas._validation.optional_import`, so a missing ``skills`` extra is a
:class:`~clusteratlas.errors.MissingDependencyError` naming the install command.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from clusteratlas._validation import check_in, optional_import
from clusteratlas.data.catalog import ESCO_ATTRIBUTION
from clusteratlas.errors import ParameterError
from clusteratlas.skills.esco import KINDS, URI_PREFIX, Kind, read_esco
from clusteratlas.skills.matching import match_programmes, needed_skills
from clusteratlas.skills.search import ConceptIndex
from clusteratlas.skills.service import NEED_TAGS, PROGRAMME_TAGS, concept_index
from clusteratlas.skills.training import (
    FORMATS,
    read_partnerships,
    read_programmes,
    read_providers,
)

LANGUAGES = ("en",)
"""Languages of the ESCO files in the catalog (the mirror holds English only)."""
ATTRIBUTION = ESCO_ATTRIBUTION
_SEPARATORS = re.compile(r"[\s;,|]+")


def skill_index(*, kind: Kind = "skill", language: str = "en") -> ConceptIndex:
    """Return the cached ESCO index of ``kind`` in ``language`` (the catalog's files).

    Raises
    ------
    MissingDependencyError
        When scikit-learn (the ``skills`` extra) is not installed.
    ParameterError
        When ``kind`` or ``language`` is not one the catalog holds.
    """
    check_in(kind, KINDS, name="kind")
    if language not in LANGUAGES:
        raise ParameterError(
            f"The 'language' parameter must be one of {', '.join(LANGUAGES)} (the ESCO files "
            f"in the catalog). Got {language!r} instead."
        )
    optional_import("sklearn", extra="skills")
    return concept_index(kind, language=language)


@lru_cache(maxsize=1)
def skill_labels() -> dict[str, str]:
    """Return ESCO skill URI → label, read from the catalog (no scikit-learn needed)."""
    skills = read_esco("skill")
    return dict(zip(skills["id"], skills["label"], strict=True))


def parse_skill_uris(values: str | Sequence[str], *, name: str = "skills") -> list[str]:
    """Split and check ESCO skill URIs; raise one error naming the first bad one.

    Raises
    ------
    ParameterError
        When a URI is an occupation (needs take skills) or not an ESCO skill.
    """
    items = _SEPARATORS.split(values) if isinstance(values, str) else list(values)
    uris = list(dict.fromkeys(u.strip() for u in items if u.strip()))
    known = skill_labels()
    for uri in uris:
        if uri.startswith(URI_PREFIX["occupation"]):
            raise ParameterError(
                f"The {name!r} parameter takes ESCO skills; {uri!r} is an occupation (the "
                "catalog's ESCO mirror has no occupation–skill relations to expand it)."
            )
        if uri not in known:
            raise ParameterError(
                f"The {name!r} parameter must list ESCO skill URIs "
                f"(http://data.europa.eu/esco/skill/…). Got {uri!r}, which is not one."
            )
    return uris


def search(
    query: str, *, kind: Kind = "skill", language: str = "en", limit: int = 10
) -> pd.DataFrame:
    """Rank ESCO ``kind`` concepts for ``query`` (:meth:`ConceptIndex.search`, score > 0)."""
    return skill_index(kind=kind, language=language).search(query, top=limit, min_score=0.0)


def providers() -> pd.DataFrame:
    """Return the training providers of the packaged seed."""
    return read_providers()


def partnerships() -> pd.DataFrame:
    """Return the cluster ↔ provider partnerships of the seed, with the provider's name."""
    table = read_partnerships(providers=read_providers())
    names = read_providers().set_index("provider_id")["name"]
    return table.assign(provider_name=table["provider_id"].map(names).fillna(""))


def partnerships_of(cluster_key: str) -> pd.DataFrame:
    """Return the seed partnerships of the cluster whose registry key is ``cluster_key``."""
    table = partnerships()
    return table[table["cluster_key"] == cluster_key].reset_index(drop=True)


@lru_cache(maxsize=2)
def _programme_tags(language: str) -> pd.DataFrame:
    from clusteratlas.skills.tagging import tag_programmes

    return tag_programmes(
        read_programmes(),
        index=skill_index(language=language),
        id_column="programme_id",
        text_columns=["title", "description"],
        top=PROGRAMME_TAGS,
        what="The seed programmes",
    )


def programme_tags() -> pd.DataFrame:
    """Return the automatic ESCO tags of the seed programmes (``PROGRAMME_TAGS`` each).

    Columns ``programme_id``, ``rank``, ``skill_id``, ``label``, ``score``.
    """
    return _programme_tags("en").copy()


def programmes() -> list[dict[str, Any]]:
    """Return the seed programmes, each with its provider, tags and the status of its fields."""
    table = read_programmes(providers=read_providers())
    names = read_providers().set_index("provider_id")["name"]
    tags = programme_tags()
    out = []
    for row in records(table):
        mine = tags[tags["programme_id"] == row["programme_id"]]
        row["provider_name"] = str(names.get(row["provider_id"], ""))
        row["duration_hours"] = _number(row.get("duration_hours"))
        row["tags"] = [
            {"rank": int(t.rank), "skill_id": t.skill_id, "label": t.label, "score": float(t.score)}
            for t in mine.itertuples()
        ]
        out.append(row)
    return out


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Return the rows of ``frame`` as dicts keyed by column name (for JSON and templates)."""
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


@dataclass(frozen=True)
class NeedMatch:
    """Programmes ranked for one need, the need's skills and those no programme covers."""

    needed: pd.DataFrame
    matches: pd.DataFrame
    uncovered: pd.DataFrame
    attribution: str = ATTRIBUTION


def needs_frame(needs: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Build a needs table (:data:`~clusteratlas.skills.matching.NEED_COLUMNS`) from records.

    Each record has ``need_id``, ``cluster``, ``region``, ``text``, ``skills`` (a list of
    URIs or a string), ``people``, ``horizon`` and optionally ``format``, ``lat``, ``lon``.
    """
    rows = []
    for need in needs:
        skills = need.get("skills") or []
        rows.append(
            {
                "need_id": str(need["need_id"]),
                "cluster": need.get("cluster") or "",
                "region": need.get("region") or "",
                "text": (need.get("text") or "").strip(),
                "skills": " ".join(skills) if not isinstance(skills, str) else skills,
                "people": int(need.get("people") or 1),
                "horizon": need.get("horizon") or "",
                "format": need.get("format") or "",
                "lat": np.nan if need.get("lat") is None else float(need["lat"]),
                "lon": np.nan if need.get("lon") is None else float(need["lon"]),
            }
        )
    return pd.DataFrame(
        rows,
        columns=["need_id", "cluster", "region", "text", "skills", "people", "horizon", "format",
                 "lat", "lon"],
    )  # fmt: skip


def match_needs(needs: pd.DataFrame, *, top: int = 5, need_tags: int = NEED_TAGS) -> NeedMatch:
    """Match needs (as from :func:`needs_frame`) to the seed programmes.

    The needed skills are the stated URIs and the ``need_tags`` best ESCO skills of the
    text (:func:`~clusteratlas.skills.matching.needed_skills`); programmes are ranked by
    :func:`~clusteratlas.skills.matching.match_programmes` (coverage share, reachable,
    distance, format). ``uncovered`` lists, per need, the needed skills that no seed
    programme is tagged with.
    """
    if isinstance(top, bool) or not isinstance(top, int) or not 1 <= top <= 100:
        raise ParameterError(
            f"The 'top' parameter must be an int in [1, 100]. Got {top!r} instead."
        )
    if "format" in needs:
        bad = ~needs["format"].isin(("", *FORMATS))
        if bad.any():
            raise ParameterError(
                f"The 'format' parameter must be one of {', '.join(FORMATS)}. "
                f"Got {needs['format'][bad].iloc[0]!r} instead."
            )
    for stated in needs["skills"]:
        parse_skill_uris(str(stated))
    index = skill_index()
    needed = needed_skills(needs, index=index, top=need_tags, min_score=0.0)
    tags = programme_tags()
    matches = match_programmes(needs, needed, read_programmes(), tags, top=top)
    covered = set(tags["skill_id"])
    uncovered = needed[~needed["skill_id"].isin(covered)].reset_index(drop=True)
    return NeedMatch(needed=needed, matches=matches, uncovered=uncovered)


def cluster_gaps(needs: pd.DataFrame, result: NeedMatch, *, by: str = "cluster") -> pd.DataFrame:
    """Needed skills per cluster (or region) and the seed programmes covering them.

    :func:`~clusteratlas.skills.matching.skill_gaps` over the needs and skills of
    ``result`` (a gap: no programme reachable from a need posting the skill covers it).
    """
    from clusteratlas.skills.matching import skill_gaps

    return skill_gaps(needs, result.needed, read_programmes(), programme_tags(), by=by)
