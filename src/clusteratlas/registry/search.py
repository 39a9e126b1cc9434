"""Search organisations: filters, full text (FTS5 / PostgreSQL) and fuzzy names for typos.

Full text covers name, acronym, description and technologies. On SQLite the words of the
query are matched (all of them, as prefixes are not used) in the FTS5 table
``organisation_fts``; on PostgreSQL ``search_vector @@ plainto_tsquery('simple', text)``. Both
use the ``simple`` configuration (no stemming) and match all words. When full text finds
nothing and ``fuzzy`` is on, names and acronyms are ranked with rapidfuzz (``WRatio``) so that
``"Minalgic"`` still finds Minalogic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import ColumnElement, Select, TextClause, and_, exists, func, or_, select, text
from sqlalchemy.orm import Session

from clusteratlas._validation import check_interval
from clusteratlas.registry.models import Label, Organisation, Tag

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


def _full_text(session: Session, query: str) -> ColumnElement[bool] | TextClause:
    words = re.findall(r"\w+", query)
    if session.get_bind().dialect.name == "postgresql":
        return text("organisation.search_vector @@ plainto_tsquery('simple', :fts)").bindparams(
            fts=query
        )
    match = " ".join(f'"{w}"' for w in words) or '""'
    ids = text("SELECT rowid FROM organisation_fts WHERE organisation_fts MATCH :fts").bindparams(
        fts=match
    )
    return Organisation.id.in_(ids)


def _filtered(
    country: str | None,
    region: str | None,
    category: str | None,
    ecosystem: str | None,
    label: str | None,
    stage: str | None,
) -> Select[Organisation]:
    conditions: list[ColumnElement[bool]] = []
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
    fuzzy: bool = True,
    limit: int = 20,
    offset: int = 0,
) -> SearchPage:
    """Return one page of organisations matching every given filter and ``text``.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
    text : str, optional
        Words to find in name, acronym, description and technologies.
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
    base = _filtered(country, region, category, ecosystem, label, stage)
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
