"""Hand corrections of the training programmes' ESCO tags, stored on the registry.

Each programme of the skills offer (:mod:`clusteratlas.skills.offer`, the packaged seed) is
tagged automatically with its best ESCO skills. A person corrects them here: adds a skill
the text missed, removes one it got wrong (:func:`correct_programme_tags`). One row per
programme and skill holds the current correction (a later one replaces the earlier), so a
``remove`` after an ``add`` takes the hand tag away again and an ``add`` after a
``remove`` brings the skill back as a hand tag. Every change is audited; the caller
commits.

The stored corrections are applied with
:func:`clusteratlas.skills.tagging.apply_corrections` wherever programme tags are read:
the programme list (:func:`programmes`), the matching of needs (:func:`match_needs`) and a
cluster's skill gaps (:func:`clusteratlas.registry.services_skills.cluster_gaps`). Hand tags
carry ``source="hand"`` and no score.

Who may correct: administrators only. The training providers and their programmes live in
the packaged seed, not as registry organisations: no organisation record (hence no
manager) is linked to a provider, and the cluster organisations that partner with a
provider do not own its programmes. When providers become registry organisations, their
managers can be let in here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from clusteratlas.errors import ParameterError, PermissionDeniedError, RecordNotFoundError
from clusteratlas.registry.audit import record, snapshot
from clusteratlas.registry.auth import utcnow
from clusteratlas.registry.models import ProgrammeTagCorrection, User
from clusteratlas.skills import offer
from clusteratlas.skills.training import read_programmes

CORRECTION_FIELDS = ("programme_id", "skill_id", "action")
"""Fields of a correction recorded in the audit log."""
CORRECTION_COLUMNS = ("id", "programme_id", "skill_id", "action", "created_by", "created_at")
"""Columns of :func:`programme_corrections`."""
MAX_CHANGES = 50
"""Skills one call may add and remove together."""


def can_correct_tags(user: User | None) -> bool:
    """Return whether ``user`` may correct programme tags (an active administrator)."""
    return user is not None and user.active and user.role == "admin"


def _programme_ids() -> set[str]:
    return set(read_programmes()["programme_id"])


def _check_programme(programme_id: str) -> None:
    if programme_id not in _programme_ids():
        raise RecordNotFoundError(f"There is no training programme {programme_id!r}.")


def correct_programme_tags(
    session: Session,
    *,
    user: User | None,
    programme_id: str,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
) -> pd.DataFrame:
    """Add and remove ESCO skills of a programme's tags by hand (administrators).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
    user : User or None
        Who makes the change; it must be an active administrator (module docstring).
    programme_id : str
        The programme's id in the skills offer (e.g. ``"pyla-laser"``).
    add, remove : sequence of str
        ESCO skill URIs to add to, and to remove from, the programme's tags; together at
        most :data:`MAX_CHANGES`, at least one, none in both.

    Returns
    -------
    pandas.DataFrame
        The programme's current corrections (:func:`programme_corrections`).

    Raises
    ------
    PermissionDeniedError
        For an anonymous user or one who is not an administrator.
    RecordNotFoundError
        When ``programme_id`` is not a programme of the offer.
    ParameterError
        When a URI is not an ESCO skill (naming it and the list), a skill is both added
        and removed, or there is nothing (or too much) to change.
    """
    if user is None or not user.active:
        raise PermissionDeniedError("Sign in to correct the ESCO tags of a programme.")
    if not can_correct_tags(user):
        raise PermissionDeniedError(
            f"{user.email} may not correct programme tags: only administrators may (the "
            "training providers are not registry organisations with managers)."
        )
    _check_programme(programme_id)
    added = offer.parse_skill_uris(list(add), name="add")
    removed = offer.parse_skill_uris(list(remove), name="remove")
    both = sorted(set(added) & set(removed))
    if both:
        raise ParameterError(f"Skill {both[0]!r} is both in 'add' and in 'remove'; choose one.")
    if not added and not removed:
        raise ParameterError("Give at least one ESCO skill URI to 'add' or to 'remove'.")
    if len(added) + len(removed) > MAX_CHANGES:
        raise ParameterError(
            f"At most {MAX_CHANGES} skills may be added and removed at once. "
            f"Got {len(added) + len(removed)}."
        )
    current = {
        row.skill_id: row
        for row in session.scalars(
            select(ProgrammeTagCorrection).where(
                ProgrammeTagCorrection.programme_id == programme_id
            )
        )
    }
    now = utcnow()
    changes = [(uri, "add") for uri in added] + [(uri, "remove") for uri in removed]
    for uri, action in changes:
        row = current.get(uri)
        before = None if row is None else snapshot(row, CORRECTION_FIELDS)
        if row is None:
            row = ProgrammeTagCorrection(programme_id=programme_id, skill_id=uri)
            session.add(row)
        row.action = action
        row.created_by = user.id
        row.created_at = now
        session.flush()
        record(session, actor=user, entity="programme_tag_correction", entity_id=row.id,
               action="create" if before is None else "update", before=before,
               after=snapshot(row, CORRECTION_FIELDS), note=f"programme {programme_id}")  # fmt: skip
    return programme_corrections(session, programme_id=programme_id)


def programme_corrections(session: Session, programme_id: str | None = None) -> pd.DataFrame:
    """Return the current hand corrections of programme tags, oldest first.

    Parameters
    ----------
    programme_id : str, optional
        Only this programme's corrections (default: every programme's).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CORRECTION_COLUMNS`, ready for
        :func:`clusteratlas.skills.tagging.apply_corrections` (``id_column="programme_id"``).
    """
    query = select(ProgrammeTagCorrection).order_by(
        ProgrammeTagCorrection.created_at, ProgrammeTagCorrection.id
    )
    if programme_id is not None:
        query = query.where(ProgrammeTagCorrection.programme_id == programme_id)
    rows = [
        (r.id, r.programme_id, r.skill_id, r.action, r.created_by, r.created_at)
        for r in session.scalars(query)
    ]
    return pd.DataFrame(rows, columns=list(CORRECTION_COLUMNS))


def programmes(session: Session) -> list[dict[str, Any]]:
    """Return the offer's programmes with their tags corrected by the stored corrections."""
    return offer.programmes(corrections=programme_corrections(session))


def programme(session: Session, programme_id: str) -> dict[str, Any]:
    """Return one programme with its corrected tags, or raise :class:`RecordNotFoundError`."""
    _check_programme(programme_id)
    found = [p for p in programmes(session) if p["programme_id"] == programme_id]
    return found[0]


def match_needs(session: Session, needs: pd.DataFrame, *, top: int = 5) -> offer.NeedMatch:
    """Match needs to the programmes as tagged after the stored corrections."""
    return offer.match_needs(needs, top=top, corrections=programme_corrections(session))
