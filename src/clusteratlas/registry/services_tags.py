"""Hand corrections of the training programmes' ESCO tags, stored on the registry.

Each programme of the registry (table ``training_programme``, seeded from the packaged
skills seed and edited through :mod:`clusteratlas.registry.services_programmes`) is tagged
automatically with its best ESCO skills. A person corrects them here: adds a skill the text
missed, removes one it got wrong (:func:`correct_programme_tags`). One row per
programme and skill holds the current correction (a later one replaces the earlier), so a
``remove`` after an ``add`` takes the hand tag away again and an ``add`` after a
``remove`` brings the skill back as a hand tag. Every change is audited; the caller
commits.

The stored corrections are applied with
:func:`clusteratlas.skills.tagging.apply_corrections` wherever programme tags are read:
the programme list (:func:`programmes`), the matching of needs (:func:`match_needs`) and a
cluster's skill gaps (:func:`clusteratlas.registry.services_skills.cluster_gaps`). Hand tags
carry ``source="hand"`` and no score.

Who may correct: an active administrator any programme, and an active manager of a
training provider's registry organisation the programmes of that provider.
:func:`clusteratlas.registry.seed.seed_registry` makes each seed provider an organisation of kind ``"training provider"`` with the key
``provider:<provider_id>`` (:func:`clusteratlas.registry.seed.provider_key`), and that key is
the link from a programme's ``provider_id`` to the organisation whose managers may correct
it (:func:`provider_organisation`). The cluster organisations that partner with a provider do
not own its programmes, so their managers may not correct them. Before the providers are
seeded, no manager is linked to a provider and only administrators may correct.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from clusteratlas.errors import (
    MissingDependencyError,
    ParameterError,
    PermissionDeniedError,
    RecordNotFoundError,
)
from clusteratlas.registry.audit import record, snapshot
from clusteratlas.registry.auth import can_edit, utcnow
from clusteratlas.registry.models import Organisation, ProgrammeTagCorrection, User
from clusteratlas.registry.seed import PROVIDER_KEY_PREFIX, provider_key
from clusteratlas.skills import offer

CORRECTION_FIELDS = ("programme_id", "skill_id", "action")
"""Fields of a correction recorded in the audit log."""
CORRECTION_COLUMNS = ("id", "programme_id", "skill_id", "action", "created_by", "created_at")
"""Columns of :func:`programme_corrections`."""
MAX_CHANGES = 50
"""Skills one call may add and remove together."""


PROVIDER_KIND = "training provider"
"""The :data:`~clusteratlas.registry.models.ORG_KINDS` value of a provider's organisation."""


def provider_organisation(session: Session, provider_id: str) -> Organisation | None:
    """Return the registry organisation of a seed provider, or ``None`` when not seeded.

    It is the organisation of kind ``"training provider"`` whose key is
    ``provider:<provider_id>`` (module docstring).
    """
    return session.scalar(
        select(Organisation).where(
            Organisation.key == provider_key(provider_id), Organisation.kind == PROVIDER_KIND
        )
    )


def managed_provider(session: Session, user: User | None) -> str | None:
    """Return the ``provider_id`` whose organisation ``user`` manages, or ``None``.

    Only an active manager of an organisation of kind ``"training provider"`` with a
    ``provider:`` key manages a provider.
    """
    if user is None or not user.active or user.role != "manager" or user.organisation_id is None:
        return None
    organisation = session.get(Organisation, user.organisation_id)
    if organisation is None or organisation.kind != PROVIDER_KIND:
        return None
    if not organisation.key.startswith(PROVIDER_KEY_PREFIX):
        return None
    return organisation.key.removeprefix(PROVIDER_KEY_PREFIX)


def can_correct_tags(user: User | None, provider: Organisation | None = None) -> bool:
    """Return whether ``user`` may correct the tags of programmes of ``provider``.

    An active administrator may correct any programme (``provider`` may be ``None``); an
    active manager only those of the provider organisation it manages
    (:func:`clusteratlas.registry.auth.can_edit` on ``provider``, which must be of kind
    ``"training provider"``).
    """
    if user is None or not user.active:
        return False
    if user.role == "admin":
        return True
    return provider is not None and provider.kind == PROVIDER_KIND and can_edit(user, provider)


def _table(session: Session) -> pd.DataFrame:
    from clusteratlas.registry.services_programmes import programme_table

    return programme_table(session)


def correctable_programmes(session: Session, user: User | None) -> set[str]:
    """Return the ids of the programmes whose tags ``user`` may correct (module docstring)."""
    table = _table(session)
    if user is not None and user.active and user.role == "admin":
        return set(table["programme_id"])
    provider_id = managed_provider(session, user)
    if provider_id is None:
        return set()
    return set(table.loc[table["provider_id"] == provider_id, "programme_id"])


def _provider_of(session: Session, programme_id: str) -> str:
    table = _table(session)
    found = table.loc[table["programme_id"] == programme_id, "provider_id"]
    if found.empty:
        raise RecordNotFoundError(f"There is no training programme {programme_id!r}.")
    return str(found.iloc[0])


def _check_programme(session: Session, programme_id: str) -> None:
    _provider_of(session, programme_id)


def correct_programme_tags(
    session: Session,
    *,
    user: User | None,
    programme_id: str,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
) -> pd.DataFrame:
    """Add and remove ESCO skills of a programme's tags by hand (administrators, providers).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
    user : User or None
        Who makes the change: an active administrator, or an active manager of the
        programme's provider organisation (module docstring).
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
        For an anonymous user, or one who is neither an administrator nor a manager of the
        programme's provider.
    RecordNotFoundError
        When ``programme_id`` is not a programme of the offer.
    ParameterError
        When a URI is not an ESCO skill (naming it and the list), a skill is both added
        and removed, or there is nothing (or too much) to change.
    """
    if user is None or not user.active:
        raise PermissionDeniedError("Sign in to correct the ESCO tags of a programme.")
    provider_id = _provider_of(session, programme_id)
    provider = None if user.role == "admin" else provider_organisation(session, provider_id)
    if not can_correct_tags(user, provider):
        raise PermissionDeniedError(
            f"{user.email} may not correct the tags of programme {programme_id!r}: only "
            f"administrators and the managers of its provider's organisation "
            f"({provider_key(provider_id)!r}) may."
        )
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
    """Return the recorded programmes with their tags corrected by the stored corrections.

    The programmes are the ``training_programme`` table's
    (:func:`clusteratlas.registry.services_programmes.programme_table`), each tagged
    automatically from its title and description (cached by text) and then corrected.
    """
    return offer.programmes(corrections=programme_corrections(session), table=_table(session))


def programme(session: Session, programme_id: str) -> dict[str, Any]:
    """Return one programme with its corrected tags, or raise :class:`RecordNotFoundError`."""
    _check_programme(session, programme_id)
    found = [p for p in programmes(session) if p["programme_id"] == programme_id]
    return found[0]


def match_needs(session: Session, needs: pd.DataFrame, *, top: int = 5) -> offer.NeedMatch:
    """Match needs to the programmes as tagged after the stored corrections."""
    return offer.match_needs(
        needs, top=top, corrections=programme_corrections(session), table=_table(session)
    )


def provider_programmes(session: Session, organisation: Organisation) -> list[dict[str, Any]]:
    """Return the programmes of a training provider's organisation, tags corrected.

    Empty for an organisation that is not a seeded provider (module docstring). Each item is
    a programme of :func:`programmes`. Without scikit-learn (no automatic tags) the
    programmes come without tags, with ``tags`` an empty list and ``tagged`` ``False``.
    """
    if organisation.kind != PROVIDER_KIND or not organisation.key.startswith(PROVIDER_KEY_PREFIX):
        return []
    provider_id = organisation.key.removeprefix(PROVIDER_KEY_PREFIX)
    try:
        rows = [{**row, "tagged": True} for row in programmes(session)]
    except MissingDependencyError:
        table = _table(session)[["programme_id", "provider_id", "title", "format"]]
        rows = [{**row, "tags": [], "tagged": False} for row in offer.records(table)]
    return [row for row in rows if row["provider_id"] == provider_id]


def training_partnerships(session: Session, organisation: Organisation) -> list[dict[str, Any]]:
    """Return the recorded partnerships of an organisation, as the cluster or the provider.

    Read from the ``training_partnership`` table (seeded from the packaged seed, then
    recorded and ended by people): see
    :func:`clusteratlas.registry.services_training.organisation_partnerships`.
    """
    from clusteratlas.registry.services_training import organisation_partnerships

    return organisation_partnerships(session, organisation)
