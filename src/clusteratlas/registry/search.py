"""Search organisations: filters, full text (FTS5 / PostgreSQL) and fuzzy names for typos.

Full text covers name, acronym, description, technologies and the derived document of
:mod:`.search_index` (category, NACE/NAICS, ecosystem, value-chain, label and partnership
labels, English and French). Every word of the query must match (whole words, no stemming);
a word listed in the synonym file ``registry/data/search_synonyms.toml`` matches any of its
synonyms and expansions instead (``"chips"`` → semiconductor, microelectronics, NACE C26 …),
and a hyphenated word matches as a phrase. On SQLite the query is an FTS5 expression on
``organisation_fts``; on PostgreSQL ``search_vector @@`` a ``tsquery`` built from
``phraseto_tsquery('simple', …)`` terms. When full text finds nothing and ``fuzzy`` is on,
names and acronyms are ranked with rapidfuzz (``WRatio``) so that ``"Minalgic"`` still finds
Minalogic.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Select,
    Text,
    TextClause,
    and_,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session

from clusteratlas._validation import check_interval
from clusteratlas.errors import ParameterError
from clusteratlas.registry import search_index  # registers the index's flush listeners
from clusteratlas.registry.models import ORG_KINDS, Label, Organisation, Tag

FUZZY_CUTOFF = 75.0


@dataclass(frozen=True)
class SearchPage:
    """One page of results.

    Attributes
    ----------
    items : list of Organisation
    total : int
        Number of matches over all pages.
    limit, offset : int
    mode : {"filter", "fulltext", "fuzzy"}
        How ``text`` was matched (``filter`` without text).
    scores : dict
        Fuzzy score (0–100) by organisation id, in ``fuzzy`` mode.
    """

    items: list[Organisation]
    total: int
    limit: int
    offset: int
    mode: Literal["filter", "fulltext", "fuzzy"]
    scores: dict[int, float]


def _tag(kind: str, value: str) -> ColumnElement[bool]:
    condition = Tag.value == value
    if kind == "stage" and ":" not in value:
        condition = Tag.value.like(f"{value}:%")
    return exists().where(Tag.organisation_id == Organisation.id, Tag.kind == kind, condition)


def _label(value: str) -> ColumnElement[bool]:
    wanted = value.strip().lower()
    return exists().where(
        Label.organisation_id == Organisation.id,
        or_(
            func.lower(Label.scheme) == wanted,
            func.lower(Label.scheme + " " + Label.level) == wanted,
        ),
    )


def _words(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+", search_index.fold(text).lower()))


@functools.lru_cache(maxsize=1)
def synonyms() -> dict[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """Return the query expansions of ``search_synonyms.toml``.

    Returns
    -------
    dict
        Each query word, as a tuple of folded lower-case words (``("micro", "electronics")``),
        mapped to the phrases that match it: its synonyms and its expansions.
    """
    raw = resources.files("clusteratlas.registry").joinpath("data/search_synonyms.toml")
    table: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {}
    for entry in tomllib.loads(raw.read_text(encoding="utf-8"))["expand"]:
        phrases = tuple(
            dict.fromkeys(w for w in map(_words, [*entry["words"], *entry.get("also", [])]) if w)
        )
        for word in entry["words"]:
            key = _words(word)
            table[key] = tuple(dict.fromkeys([*table.get(key, ()), *phrases]))
    return table


def query_terms(query: str) -> list[tuple[tuple[str, ...], ...]]:
    """Return the full-text query as AND-ed groups of OR-ed phrases (words as tuples).

    Examples
    --------
    >>> query_terms("Grenoble micro-electronics")[0]
    (('grenoble',),)
    >>> ("c26",) in query_terms("chips")[0]
    True
    """
    expansions = synonyms()
    groups: list[tuple[tuple[str, ...], ...]] = []
    for token in re.findall(r"\w+(?:[-'’]\w+)*", search_index.fold(query).lower()):
        words = _words(token)
        group = expansions.get(words, (words,))
        if group not in groups:
            groups.append(group)
    return groups


def _fts5_expression(groups: list[tuple[tuple[str, ...], ...]]) -> str:
    def phrase(words: tuple[str, ...]) -> str:
        return '"' + " ".join(words) + '"'

    return " AND ".join("(" + " OR ".join(map(phrase, group)) + ")" for group in groups)


def _tsquery(groups: list[tuple[tuple[str, ...], ...]]) -> Any:
    def phrase(words: tuple[str, ...]) -> Any:
        config: Any = literal_column("'simple'::regconfig")
        return func.phraseto_tsquery(config, literal(" ".join(words), Text))

    query: Any = None
    for group in groups:
        either: Any = None
        for words in group:
            term = phrase(words)
            either = term if either is None else either.op("||")(term)
        query = either if query is None else query.op("&&")(either)
    return query


def _full_text(session: Session, query: str) -> ColumnElement[bool] | TextClause:
    groups = query_terms(query)
    if not groups:
        return Organisation.id.in_([])
    if session.get_bind().dialect.name == "postgresql":
        vector: Any = literal_column("organisation.search_vector")
        return vector.op("@@")(_tsquery(groups))
    ids = text("SELECT rowid FROM organisation_fts WHERE organisation_fts MATCH :fts").bindparams(
        fts=_fts5_expression(groups)
    )
    return Organisation.id.in_(ids)


def _filtered(
    country: str | None,
    region: str | None,
    category: str | None,
    ecosystem: str | None,
    label: str | None,
    stage: str | None,
    kind: str | None = None,
) -> Select[Organisation]:
    conditions: list[ColumnElement[bool]] = []
    if kind:
        conditions.append(Organisation.kind == kind)
    if country:
        conditions.append(Organisation.country == country.upper())
    if region:
        conditions.append(or_(Organisation.region == region, Organisation.region_name == region))
    for kind, value in (("category", category), ("ecosystem", ecosystem), ("stage", stage)):
        if value:
            conditions.append(_tag(kind, value))
    if label:
        conditions.append(_label(label))
    return select(Organisation).where(and_(True, *conditions))


def search_organisations(
    session: Session,
    *,
    text: str | None = None,
    country: str | None = None,
    region: str | None = None,
    category: str | None = None,
    ecosystem: str | None = None,
    label: str | None = None,
    stage: str | None = None,
    kind: str | None = None,
    fuzzy: bool = True,
    limit: int = 20,
    offset: int = 0,
) -> SearchPage:
    """Return one page of organisations matching every given filter and ``text``.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
    text : str, optional
        Words to find in name, acronym, description, technologies and the labels around the
        organisation (see the module notes); synonyms from ``search_synonyms.toml`` count.
    country : str, optional
        ISO 3166-1 alpha-2 code (any case).
    region : str, optional
        A NUTS-2 / CBSA code or a region name as stored.
    category, ecosystem : str, optional
        Exact tag values.
    label : str, optional
        A label scheme (``"pôle de compétitivité"``) or scheme and level (``"ESCA Gold"``).
    stage : str, optional
        ``"chain:stage"``, or a chain name for any of its stages.
    kind : str, optional
        One of :data:`~clusteratlas.registry.models.ORG_KINDS` (``"training provider"``).
    fuzzy : bool, default True
        Fall back on fuzzy name matching when full text finds nothing.
    limit, offset : int
        Page size (1–500) and start.

    Returns
    -------
    SearchPage
        Items ordered by name (full text and filters) or by fuzzy score.
    """
    check_interval(limit, name="limit", low=1, high=500)
    check_interval(offset, name="offset", low=0)
    if kind is not None and kind not in ORG_KINDS:
        raise ParameterError(
            f"'kind' must be one of {', '.join(map(repr, ORG_KINDS))}; got {kind!r}."
        )
    search_index.apply_pending(session)
    base = _filtered(country, region, category, ecosystem, label, stage, kind)
    query = base
    mode: Literal["filter", "fulltext", "fuzzy"] = "filter"
    if text and text.strip():
        query, mode = base.where(_full_text(session, text)), "fulltext"
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    if mode == "fulltext" and total == 0 and fuzzy:
        return _fuzzy_page(session, base, str(text), limit=limit, offset=offset)
    ordered = query.order_by(Organisation.name, Organisation.id).limit(limit).offset(offset)
    items = list(session.scalars(ordered))
    return SearchPage(items, total, limit, offset, mode, {})


def _fuzzy_page(
    session: Session, base: Select[Organisation], query: str, *, limit: int, offset: int
) -> SearchPage:
    from rapidfuzz import fuzz, process, utils

    rows = session.execute(
        base.with_only_columns(Organisation.id, Organisation.name, Organisation.acronym)
    ).all()
    choices = {row.id: f"{row.name} {row.acronym or ''}".strip() for row in rows}
    found = process.extract(
        query,
        choices,
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        score_cutoff=FUZZY_CUTOFF,
        limit=None,
    )
    ranked = sorted(((key, score) for _, score, key in found), key=lambda p: (-p[1], choices[p[0]]))
    page = ranked[offset : offset + limit]
    by_id = {
        o.id: o
        for o in session.scalars(
            select(Organisation).where(Organisation.id.in_([k for k, _ in page]))
        )
    }
    items = [by_id[key] for key, _ in page]
    return SearchPage(items, len(ranked), limit, offset, "fuzzy", {k: float(s) for k, s in page})


def fuzzy_names(
    session: Session, name: str, *, limit: int = 10, score_cutoff: float = FUZZY_CUTOFF
) -> list[tuple[Organisation, float]]:
    """Return organisations whose name or acronym resembles ``name``, best first (for "did you mean")."""
    page = _fuzzy_page(session, select(Organisation), name, limit=limit, offset=0)
    return [
        (item, page.scores[item.id]) for item in page.items if page.scores[item.id] >= score_cutoff
    ]
