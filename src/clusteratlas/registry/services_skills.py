"""Skill needs on the registry: post, edit, withdraw, read, and match them to training.

A cluster organisation's manager (or an administrator) posts the needs of its members
(:func:`post_need`), edits them (:func:`update_need`, optimistic concurrency on
``version``) and withdraws them (:func:`withdraw_need`; the record and its audit history
stay). Every change adds an audit entry; the caller commits.

Who reads what: any signed-in user reads the open needs of every organisation: training
providers and partner clusters have to see a need to answer it, while needs describe the
members' workforce plans, which a cluster does not publish to anonymous visitors (nor to
scrapers). Withdrawn needs are read by their organisation's managers and administrators
only. :func:`cluster_gaps` matches a cluster's open needs to the training programmes
(:mod:`clusteratlas.skills.offer`, tags as corrected by hand:
:mod:`clusteratlas.registry.services_tags`) and lists the skills no reachable programme
covers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from clusteratlas.errors import (
    ConflictError,
    ParameterError,
    PermissionDeniedError,
    RecordNotFoundError,
)
from clusteratlas.registry.audit import record, snapshot
from clusteratlas.registry.auth import can_edit, require_edit
from clusteratlas.registry.models import Organisation, SkillNeed, User
from clusteratlas.registry.models_skills import NEED_STATUSES
from clusteratlas.registry.services_tags import match_needs
from clusteratlas.skills import offer

NEED_FIELDS = ("text", "skills", "people", "region", "horizon", "format", "status")
"""Fields of a need recorded in the audit log."""
_EDITABLE = ("text", "skills", "people", "region", "horizon", "format")


def _signed_in(actor: User | None, what: str) -> User:
    if actor is None or not actor.active:
        raise PermissionDeniedError(f"Sign in to {what}.")
    return actor


def _organisation(session: Session, organisation_id: int) -> Organisation:
    found = session.get(Organisation, organisation_id)
    if found is None:
        raise RecordNotFoundError(f"There is no organisation with id {organisation_id}.")
    return found


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    """Check and normalise need fields (skills known to ESCO; text or skills present)."""
    out = {k: v for k, v in data.items() if k in _EDITABLE}
    if "text" in out:
        out["text"] = (out["text"] or "").strip()
    if "skills" in out:
        out["skills"] = offer.parse_skill_uris(list(out["skills"] or []))
    if "people" in out and (
        isinstance(out["people"], bool) or not isinstance(out["people"], int) or out["people"] < 1
    ):
        raise ParameterError(
            f"The 'people' field must be a whole number of at least 1. Got {out['people']!r}."
        )
    if out.get("format") not in (None, *offer.FORMATS):
        raise ParameterError(
            f"The 'format' field must be one of {', '.join(offer.FORMATS)}. "
            f"Got {out['format']!r} instead."
        )
    for name in ("region", "horizon"):
        if name in out:
            out[name] = (out[name] or "").strip()
    return out


def _require_content(need: SkillNeed) -> None:
    if not need.text and not need.skills:
        raise ParameterError("A need takes a text, ESCO skill URIs, or both; it has neither.")


def post_need(
    session: Session, *, actor: User | None, organisation_id: int, data: Mapping[str, Any]
) -> SkillNeed:
    """Post a skill need of an organisation (its manager or an administrator).

    Parameters
    ----------
    data : mapping
        ``text`` and/or ``skills`` (ESCO skill URIs), ``people`` (≥ 1, default 1),
        ``region`` (default the organisation's), ``horizon``, ``format``.

    Raises
    ------
    PermissionDeniedError, RecordNotFoundError, ParameterError
    """
    organisation = _organisation(session, organisation_id)
    require_edit(actor, organisation)
    fields = {"text": "", "skills": [], "people": 1, "region": "", "horizon": "", "format": None}
    fields.update(_clean(data))
    if not fields["region"]:
        fields["region"] = organisation.region or ""
    need = SkillNeed(
        organisation_id=organisation_id,
        status="open",
        created_by=actor.id if actor is not None else None,
        **fields,
    )
    _require_content(need)
    session.add(need)
    session.flush()
    record(session, actor=actor, entity="skill_need", entity_id=need.id, action="create",
           after=snapshot(need, NEED_FIELDS))  # fmt: skip
    return need


def get_need(session: Session, *, actor: User | None, need_id: int) -> SkillNeed:
    """Return a need ``actor`` may read (module docstring), else :class:`RecordNotFoundError`."""
    _signed_in(actor, "read skill needs")
    need = session.get(SkillNeed, need_id, populate_existing=True)
    if need is None or (need.status != "open" and not _manages(session, actor, need)):
        raise RecordNotFoundError(f"There is no skill need {need_id} that you may read.")
    return need


def _manages(session: Session, actor: User | None, need: SkillNeed) -> bool:
    organisation = session.get(Organisation, need.organisation_id)
    return organisation is not None and can_edit(actor, organisation)


def _editable(
    session: Session, actor: User | None, need_id: int, expected_version: int | None
) -> SkillNeed:
    need = get_need(session, actor=actor, need_id=need_id)
    require_edit(actor, _organisation(session, need.organisation_id))
    if need.status != "open":
        raise ConflictError(f"Skill need {need_id} is {need.status}; it can no longer change.")
    if expected_version is not None and need.version != expected_version:
        raise ConflictError(
            f"Skill need {need_id} is at version {need.version}, not {expected_version}: "
            "re-read it and apply the change again.",
            expected=expected_version,
            current=need.version,
        )
    return need


def _flush(session: Session, need: SkillNeed, expected: int | None) -> None:
    try:
        session.flush()
    except StaleDataError as err:
        raise ConflictError(
            f"Skill need {need.id} was changed by someone else meanwhile.", expected=expected
        ) from err


def update_need(
    session: Session,
    *,
    actor: User | None,
    need_id: int,
    expected_version: int,
    changes: Mapping[str, Any],
) -> SkillNeed:
    """Change an open need read at ``expected_version`` (its organisation's managers)."""
    need = _editable(session, actor, need_id, expected_version)
    before = snapshot(need, NEED_FIELDS)
    for name, value in _clean(changes).items():
        setattr(need, name, value)
    _require_content(need)
    _flush(session, need, expected_version)
    record(session, actor=actor, entity="skill_need", entity_id=need.id, action="update",
           before=before, after=snapshot(need, NEED_FIELDS))  # fmt: skip
    return need


def withdraw_need(
    session: Session, *, actor: User | None, need_id: int, expected_version: int | None = None
) -> SkillNeed:
    """Withdraw an open need (kept, with its history; left out of matching)."""
    need = _editable(session, actor, need_id, expected_version)
    before = snapshot(need, NEED_FIELDS)
    need.status = "withdrawn"
    _flush(session, need, expected_version)
    record(session, actor=actor, entity="skill_need", entity_id=need.id, action="withdraw",
           before=before, after=snapshot(need, NEED_FIELDS))  # fmt: skip
    return need


def list_needs(
    session: Session, *, actor: User | None, organisation_id: int, status: str = "open"
) -> list[SkillNeed]:
    """Return an organisation's needs of ``status`` (``open``, ``withdrawn`` or ``all``)."""
    _signed_in(actor, "read skill needs")
    if status not in (*NEED_STATUSES, "all"):
        raise ParameterError(
            f"The 'status' parameter must be one of open, withdrawn, all. Got {status!r}."
        )
    organisation = _organisation(session, organisation_id)
    query = select(SkillNeed).where(SkillNeed.organisation_id == organisation_id)
    if not can_edit(actor, organisation):
        query = query.where(SkillNeed.status == "open")
    if status != "all":
        query = query.where(SkillNeed.status == status)
    return list(session.scalars(query.order_by(SkillNeed.id)))


def need_record(need: SkillNeed, *, cluster: str = "") -> dict[str, Any]:
    """Return a need as the matching of :mod:`clusteratlas.skills.offer` reads it."""
    return {
        "need_id": str(need.id),
        "cluster": cluster,
        "region": need.region,
        "text": need.text,
        "skills": list(need.skills or []),
        "people": need.people,
        "horizon": need.horizon,
        "format": need.format or "",
    }


@dataclass(frozen=True)
class ClusterGaps:
    """A cluster's open needs, their matches, and its skills with the gaps."""

    organisation: Organisation
    needs: list[SkillNeed]
    result: offer.NeedMatch | None
    skills: pd.DataFrame


def cluster_gaps(
    session: Session, *, actor: User | None, organisation_id: int, top: int = 5
) -> ClusterGaps:
    """Match an organisation's open needs to the training programmes and list its gaps.

    Returns
    -------
    ClusterGaps
        ``result`` holds each need's ranked programmes (``None`` without open needs);
        ``skills`` is :func:`clusteratlas.skills.offer.cluster_gaps` by cluster.
    """
    needs = list_needs(session, actor=actor, organisation_id=organisation_id, status="open")
    organisation = _organisation(session, organisation_id)
    if not needs:
        return ClusterGaps(organisation, [], None, pd.DataFrame())
    table = offer.needs_frame([need_record(n, cluster=organisation.name) for n in needs])
    result = match_needs(session, table, top=top)  # the programmes' tags as corrected
    return ClusterGaps(organisation, needs, result, offer.cluster_gaps(table, result))
