"""The skills offer as the REST API and the dashboard read it: search, programmes, matching.

Each function reads the packaged seed (providers, programmes, partnerships) and the catalog's
ESCO skills through :mod:`clusteratlas.skills.service` (one cached index per process) and
returns plain frames or records; the interfaces only render them. scikit-learn is imported
through :func:`clusteratlas._validation.optional_import`, so a missing ``skills`` extra is a
:class:`~clusteratlas.errors.MissingDependencyError` naming the install command.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
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


_TAG_CACHE_SIZE = 4096
_TEXT_TAGS: OrderedDict[tuple[str, str, str], pd.DataFrame] = OrderedDict()
"""Automatic tags of a programme text, by (language, title, description): a programme
whose text did not change is not tagged again (least recently used dropped first)."""
_TAG_LOCK = threading.Lock()


def _tags_of_texts(table: pd.DataFrame, language: str) -> pd.DataFrame:
    from clusteratlas.skills.tagging import tag_programmes

    keys = [
        (language, str(t), str(d))
        for t, d in zip(table["title"].fillna(""), table["description"].fillna(""), strict=True)
    ]
    with _TAG_LOCK:
        known = {k: _TEXT_TAGS[k] for k in keys if k in _TEXT_TAGS}
    missing = list(dict.fromkeys(k for k in keys if k not in known))
    if missing:
        texts = pd.DataFrame(
            {"text_id": [str(i) for i in range(len(missing))],
             "title": [k[1] for k in missing], "description": [k[2] for k in missing]}
        )  # fmt: skip
        found = tag_programmes(
            texts,
            index=skill_index(language=language),
            id_column="text_id",
            text_columns=["title", "description"],
            top=PROGRAMME_TAGS,
            what="The programmes",
        )
        for i, key in enumerate(missing):
            mine = found[found["text_id"] == str(i)].drop(columns="text_id")
            known[key] = mine.reset_index(drop=True)
    with _TAG_LOCK:
        for key in keys:
            _TEXT_TAGS[key] = known[key]
            _TEXT_TAGS.move_to_end(key)
        while len(_TEXT_TAGS) > _TAG_CACHE_SIZE:
            _TEXT_TAGS.popitem(last=False)
    parts = [
        known[key].assign(programme_id=str(programme_id))
        for programme_id, key in zip(table["programme_id"], keys, strict=True)
    ]
    columns = ["programme_id", "rank", "skill_id", "label", "score", "source"]
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)[columns]


def programme_tags(
    *, corrections: pd.DataFrame | None = None, table: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Return the ESCO tags of the programmes: automatic, then corrected by hand.

    Parameters
    ----------
    corrections : pandas.DataFrame, optional
        Hand corrections (``programme_id``, ``skill_id``, ``action``), as the registry
        stores them (:func:`clusteratlas.registry.services_tags.programme_corrections`);
        applied with :func:`~clusteratlas.skills.tagging.apply_corrections`.
    table : pandas.DataFrame, optional
        The programmes to tag (``programme_id``, ``title``, ``description``), as the
        registry holds them; default: the packaged seed. Tags are cached by the text of
        each programme, so only new or changed texts are tagged.

    Returns
    -------
    pandas.DataFrame
        Columns ``programme_id``, ``rank``, ``skill_id``, ``label``, ``score`` and
        ``source`` (``"auto"``: the ``PROGRAMME_TAGS`` best skills of the text, scored;
        ``"hand"``: added by a person, score NaN).
    """
    tags = _programme_tags("en").copy() if table is None else _tags_of_texts(table, "en")
    if corrections is None or corrections.empty:
        return tags
    from clusteratlas.skills.tagging import apply_corrections

    offered = read_programmes() if table is None else table
    known = set(offered["programme_id"])
    mine = corrections[corrections["programme_id"].isin(known)]
    if mine.empty:
        return tags
    return apply_corrections(tags, mine, concepts=skill_index().concepts, id_column="programme_id")


def programmes(
    *, corrections: pd.DataFrame | None = None, table: pd.DataFrame | None = None
) -> list[dict[str, Any]]:
    """Return the programmes, each with its provider, tags and the status of its fields.

    Each tag has ``rank``, ``skill_id``, ``label``, ``score`` (``None`` for a hand tag) and
    ``source`` (``auto`` or ``hand``); ``corrections`` and ``table`` as for
    :func:`programme_tags` (a ``table`` gives each programme's ``provider_name``).
    """
    if table is None:
        table = read_programmes(providers=read_providers())
        names = read_providers().set_index("provider_id")["name"]
        table = table.assign(provider_name=table["provider_id"].map(names).fillna(""))
        tags = programme_tags(corrections=corrections)
    else:
        tags = programme_tags(corrections=corrections, table=table)
    out = []
    for row in records(table):
        mine = tags[tags["programme_id"] == row["programme_id"]]
        row["provider_name"] = str(row.get("provider_name") or "")
        row["duration_hours"] = _number(row.get("duration_hours"))
        row["tags"] = [
            {"rank": int(t.rank), "skill_id": t.skill_id, "label": t.label,
             "score": _number(t.score), "source": str(t.source)}
            for t in mine.itertuples()
        ]  # fmt: skip
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
    tags: pd.DataFrame | None = None
    """The programme tags matched against (corrected by hand where corrections were given)."""
    programmes: pd.DataFrame | None = None
    """The programmes matched against (``None``: the packaged seed)."""


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


def match_needs(
    needs: pd.DataFrame,
    *,
    top: int = 5,
    need_tags: int = NEED_TAGS,
    corrections: pd.DataFrame | None = None,
    table: pd.DataFrame | None = None,
) -> NeedMatch:
    """Match needs (as from :func:`needs_frame`) to the seed programmes.

    The needed skills are the stated URIs and the ``need_tags`` best ESCO skills of the
    text (:func:`~clusteratlas.skills.matching.needed_skills`); programmes are ranked by
    :func:`~clusteratlas.skills.matching.match_programmes` (coverage share, reachable,
    distance, format). ``uncovered`` lists, per need, the needed skills that no seed
    programme is tagged with. The programmes' tags are :func:`programme_tags` with the
    hand ``corrections``, if given; ``table`` the programmes (default: the seed), as for
    :func:`programme_tags`.
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
    tags = programme_tags(corrections=corrections, table=table)
    offered = read_programmes() if table is None else table
    matches = match_programmes(needs, needed, offered, tags, top=top)
    covered = set(tags["skill_id"])
    uncovered = needed[~needed["skill_id"].isin(covered)].reset_index(drop=True)
    return NeedMatch(
        needed=needed, matches=matches, uncovered=uncovered, tags=tags, programmes=table
    )


def cluster_gaps(needs: pd.DataFrame, result: NeedMatch, *, by: str = "cluster") -> pd.DataFrame:
    """Needed skills per cluster (or region) and the seed programmes covering them.

    :func:`~clusteratlas.skills.matching.skill_gaps` over the needs and skills of
    ``result`` (a gap: no programme reachable from a need posting the skill covers it),
    against the same programme tags as the match (``result.tags``).
    """
    from clusteratlas.skills.matching import skill_gaps

    tags = result.tags if result.tags is not None else programme_tags(table=result.programmes)
    offered = read_programmes() if result.programmes is None else result.programmes
    return skill_gaps(needs, result.needed, offered, tags, by=by)
