"""The derived search document of each organisation: the words around it, not only its own.

An organisation's name and description rarely say everything a user types: Silicon Saxony's
profile says neither "semiconductor" nor "chips", yet it is a micro-electronics cluster in the
Silicon Europe alliance. :func:`document_texts` therefore writes, per organisation, a document
of

* its tags with their labels: categories (a NACE code gets its English and French labels, a
  U.S. benchmark cluster is its own label), sectors (``nace:C26``, ``naics:3345``: the code
  and its labels), ecosystems, value-chain stages (chain and stage titles);
* its labels (``pôle de compétitivité phase V``, ``ESCA Gold``);
* the partnerships it belongs to: name, description and sector codes with their labels;
* an accent-free copy of all this and of its own name, acronym, description and technologies
  (PostgreSQL's ``simple`` configuration keeps accents; SQLite's FTS5 removes them).

The document is stored in ``organisation.search_text`` and indexed with the other columns
(FTS5 ``organisation_fts`` / PostgreSQL ``search_vector``). It is rebuilt automatically after
transaction that touches an organisation, a tag, a label, a partnership or a membership
(before commit and before a search, :func:`apply_pending`), with Core statements that neither bump the optimistic-concurrency
``version`` nor change ``updated_at``. Labels come from the classification tables of the data
catalog; where those cannot be read the codes alone are indexed.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Table, event, select, update
from sqlalchemy.orm import Session, UOWTransaction

from clusteratlas.errors import ClusterAtlasError
from clusteratlas.registry.models import (
    Label,
    Organisation,
    Partnership,
    PartnershipMember,
    Tag,
)

logger = logging.getLogger(__name__)

_ORG: Table = Organisation.__table__  # type: ignore[assignment]
_TAG: Table = Tag.__table__  # type: ignore[assignment]
_LABEL: Table = Label.__table__  # type: ignore[assignment]
_PARTNERSHIP: Table = Partnership.__table__  # type: ignore[assignment]
_MEMBER: Table = PartnershipMember.__table__  # type: ignore[assignment]
_PENDING = "clusteratlas_search_pending"


def fold(text: str) -> str:
    """Return ``text`` without diacritics (``"Véhicule"`` → ``"Vehicule"``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@functools.lru_cache(maxsize=1)
def _nace_labels() -> dict[str, tuple[str, ...]]:
    from clusteratlas.data.classifications import nace_divisions, nace_sections

    labels: dict[str, tuple[str, ...]] = {}
    try:
        for table in (nace_sections(), nace_divisions()):
            for row in table.itertuples(index=False):
                labels[str(row.code)] = (str(row.label_en), str(row.label_fr))
    except (ClusterAtlasError, OSError) as err:
        logger.warning("NACE labels are not indexed for search: %s", err)
    return labels


@functools.lru_cache(maxsize=1)
def _naics_labels() -> dict[str, str]:
    from clusteratlas.data.classifications import naics_codes

    try:
        table = naics_codes()
    except (ClusterAtlasError, OSError) as err:
        logger.warning("NAICS labels are not indexed for search: %s", err)
        return {}
    return dict(zip(table["code"].astype(str), table["title"].astype(str), strict=True))


@functools.lru_cache(maxsize=1)
def _chain_titles() -> dict[str, tuple[str, dict[str, str]]]:
    from clusteratlas.valuechains.chains import list_chains, load_chain

    titles: dict[str, tuple[str, dict[str, str]]] = {}
    for name in list_chains():
        chain = load_chain(name)
        titles[name] = (chain.title, {stage.name: stage.title for stage in chain.stages})
    return titles


def code_labels(code: str) -> list[str]:
    """Return the code and its labels: NACE (English and French) or NAICS (English).

    ``"C26"``, ``"nace:C26"``, ``"C2611"`` (labelled by its division) and ``"naics:3345"``
    are understood; anything else is returned as it is (a U.S. benchmark cluster name).
    """
    value = code.strip()
    scheme, _, bare = value.partition(":") if ":" in value else ("", "", value)
    bare = bare.strip()
    compact = bare.replace(".", "").upper()
    if scheme.lower() in ("", "nace") and re.fullmatch(r"[A-U](\d{2}(\d{1,2}){0,2})?", compact):
        nace = _nace_labels()
        labels = nace.get(compact) or nace.get(compact[:3]) or ()
        return [bare, *labels]
    if scheme.lower() in ("", "naics") and re.fullmatch(r"\d{2,6}|\d{2}-\d{2}", bare):
        naics = _naics_labels()
        found = next((naics[bare[:n]] for n in range(len(bare), 1, -1) if bare[:n] in naics), None)
        return [bare] if found is None else [bare, found]
    return [value]


def _stage_labels(value: str) -> list[str]:
    chain, _, stage = value.partition(":")
    try:
        title, stages = _chain_titles().get(chain, (chain, {}))
    except (ClusterAtlasError, OSError) as err:  # pragma: no cover - built-in chains are valid
        logger.warning("Value-chain titles are not indexed for search: %s", err)
        title, stages = chain, {}
    return [chain, title, stage, stages.get(stage, "")]


def _tag_labels(kind: str, value: str) -> list[str]:
    if kind in ("category", "sector"):
        return code_labels(value)
    if kind == "stage":
        return _stage_labels(value)
    return [value]


def document_texts(connection: Connection, ids: Iterable[int]) -> dict[int, str]:
    """Return the search document of each organisation in ``ids`` (see the module notes).

    Parameters
    ----------
    connection : sqlalchemy.Connection
    ids : iterable of int
        Organisation ids; unknown ids are left out.

    Returns
    -------
    dict
        ``{organisation id: document}``.
    """
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    parts: dict[int, list[str]] = defaultdict(list)
    own: dict[int, list[str]] = {}
    for row in connection.execute(
        select(
            _ORG.c.id, _ORG.c.name, _ORG.c.acronym, _ORG.c.description, _ORG.c.technologies
        ).where(_ORG.c.id.in_(wanted))
    ):
        own[row.id] = [row.name or "", row.acronym or "", row.description or ""]
        own[row.id] += [str(t) for t in (row.technologies or [])]
    for tag in connection.execute(
        select(_TAG.c.organisation_id, _TAG.c.kind, _TAG.c.value)
        .where(_TAG.c.organisation_id.in_(wanted))
        .order_by(_TAG.c.kind, _TAG.c.value)
    ):
        parts[tag.organisation_id] += _tag_labels(tag.kind, tag.value)
    for label in connection.execute(
        select(_LABEL.c.organisation_id, _LABEL.c.scheme, _LABEL.c.level)
        .where(_LABEL.c.organisation_id.in_(wanted))
        .order_by(_LABEL.c.scheme, _LABEL.c.level)
    ):
        parts[label.organisation_id] += [label.scheme, label.level]
    for member in connection.execute(
        select(
            _MEMBER.c.organisation_id,
            _PARTNERSHIP.c.name,
            _PARTNERSHIP.c.description,
            _PARTNERSHIP.c.sectors,
        )
        .join(_PARTNERSHIP, _PARTNERSHIP.c.id == _MEMBER.c.partnership_id)
        .where(_MEMBER.c.organisation_id.in_(wanted))
        .order_by(_PARTNERSHIP.c.name)
    ):
        parts[member.organisation_id] += [member.name, member.description or ""]
        for code in member.sectors or []:
            parts[member.organisation_id] += code_labels(str(code))
    documents: dict[int, str] = {}
    for org_id, words in own.items():
        extra = " ".join(dict.fromkeys(w for w in parts.get(org_id, []) if w))
        folded = fold(" ".join([*words, extra]))
        documents[org_id] = " ".join(t for t in dict.fromkeys([extra, folded]) if t.strip())
    return documents


def reindex(bind: Connection | Session, ids: Iterable[int] | None = None) -> int:
    """Rebuild the search documents of ``ids`` (every organisation by default).

    Only documents that changed are written; ``version`` and ``updated_at`` are kept.

    Parameters
    ----------
    bind : sqlalchemy.Connection or sqlalchemy.orm.Session
    ids : iterable of int, optional

    Returns
    -------
    int
        Number of documents written.
    """
    connection = bind.connection() if isinstance(bind, Session) else bind
    if ids is None:
        ids = list(connection.scalars(select(_ORG.c.id)))
    wanted = sorted(set(ids))
    written = 0
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        documents = document_texts(connection, chunk)
        current = {
            row.id: row.search_text
            for row in connection.execute(
                select(_ORG.c.id, _ORG.c.search_text).where(_ORG.c.id.in_(chunk))
            )
        }
        for org_id, document in documents.items():
            if current.get(org_id) != document:
                connection.execute(
                    update(_ORG)
                    .where(_ORG.c.id == org_id)
                    .values(search_text=document, updated_at=_ORG.c.updated_at)
                )
                written += 1
    return written


def _touched(session: Session, objects: Iterable[Any]) -> tuple[set[int], set[int]]:
    orgs: set[int] = set()
    partnerships: set[int] = set()
    for obj in objects:
        if isinstance(obj, Organisation):
            orgs.add(obj.id)
        elif isinstance(obj, (Tag, Label, PartnershipMember)):
            orgs.add(obj.organisation_id)
        elif isinstance(obj, Partnership):
            partnerships.add(obj.id)
    return orgs, partnerships


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: UOWTransaction) -> None:
    orgs, partnerships = _touched(session, [*session.new, *session.dirty])
    gone, _ = _touched(session, [o for o in session.deleted if isinstance(o, Organisation)])
    removed, _ = _touched(session, [o for o in session.deleted if not isinstance(o, Organisation)])
    if not (orgs or partnerships or removed or gone):
        return
    pending = session.info.setdefault(_PENDING, (set(), set(), set()))
    pending[0].update(orgs | removed)
    pending[1].update(partnerships)
    pending[2].update(gone)


def apply_pending(session: Session) -> int:
    """Flush ``session`` and rebuild the documents that its changes made stale.

    Called before every commit (a ``before_commit`` listener) and before a search, so a
    search sees the session's own writes; batching them there keeps an import of hundreds of
    organisations to one rebuild.

    Returns
    -------
    int
        Number of documents written.
    """
    session.flush()
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return 0
    orgs, partnerships, gone = pending
    connection = session.connection()
    if partnerships:
        orgs |= set(
            connection.scalars(
                select(_MEMBER.c.organisation_id).where(_MEMBER.c.partnership_id.in_(partnerships))
            )
        )
    return reindex(connection, {i for i in orgs - gone if i is not None})


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    apply_pending(session)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, _previous: Any) -> None:
    if not session.in_transaction():
        session.info.pop(_PENDING, None)


__all__ = ["apply_pending", "code_labels", "document_texts", "fold", "reindex"]
