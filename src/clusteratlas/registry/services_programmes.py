"""Write and read services of the training offer's programmes.

A programme (:class:`~clusteratlas.registry.models.TrainingProgramme`) belongs to a
training provider's organisation; an active administrator, or an active manager of that
organisation, creates (:func:`create_programme`), changes (:func:`update_programme`) and
deletes (:func:`delete_programme`, with its hand tag corrections) it; audited as entity
``training_programme``. Each detail's source and status is kept in ``field_sources``:
CONFIRMED when a ``source`` is given or the provider's own manager states it, UNCONFIRMED
otherwise. The programmes are read from the table (:func:`programme_table`) wherever the
offer is shown or matched (:mod:`clusteratlas.registry.services_tags`), and a new or
changed programme is tagged with ESCO skills from its title and description there.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
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
from clusteratlas.registry._training_checks import (
    PROVIDER_KIND,
    is_manager_of,
    organisation_field,
    require_provider,
    text_field,
)
from clusteratlas.registry.audit import record, snapshot
from clusteratlas.registry.models import (
    CONFIRMED,
    UNCONFIRMED,
    Organisation,
    ProgrammeTagCorrection,
    TrainingProgramme,
    User,
)
from clusteratlas.registry.seed import PROVIDER_KEY_PREFIX
from clusteratlas.skills.training import FORMATS

PROGRAMME_FIELDS = (
    "programme_id", "provider_id", "provider_organisation_id", "title", "description",
    "duration_hours", "format", "location", "region", "level", "language", "url", "status",
    "source", "field_sources",
)  # fmt: skip
"""Fields of a programme recorded in the audit log."""
PROGRAMME_DATA = (
    "programme_id", "title", "description", "duration_hours", "format", "location", "region",
    "level", "language", "url", "source",
)  # fmt: skip
"""Fields :func:`create_programme` takes in ``data`` (``update_programme``: all but the id)."""
PROGRAMME_DETAILS = (
    "title", "description", "duration_hours", "format", "location", "region", "level",
    "language", "url",
)  # fmt: skip
"""Fields whose source and status :attr:`TrainingProgramme.field_sources` records."""
_PROGRAMME_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_LIMITS = {"title": 300, "description": 5000, "location": 200, "region": 12, "level": 60,
           "url": 500, "source": 2000}  # fmt: skip


def get_programme(session: Session, programme_id: str) -> TrainingProgramme:
    """Return the programme with this text id or raise :class:`RecordNotFoundError`."""
    found = session.scalar(
        select(TrainingProgramme).where(TrainingProgramme.programme_id == programme_id)
    )
    if found is None:
        raise RecordNotFoundError(f"There is no training programme {programme_id!r}.")
    session.refresh(found)
    return found


def can_edit_programmes(user: User | None, provider: Organisation | None) -> bool:
    """Return whether ``user`` may create, change and delete the programmes of ``provider``.

    An active administrator may; an active manager only for the training provider's
    organisation it manages (kind ``"training provider"``, key ``provider:…``).
    """
    if user is None or not user.active:
        return False
    if user.role == "admin":
        return True
    return (
        provider is not None
        and provider.kind == PROVIDER_KIND
        and provider.key.startswith(PROVIDER_KEY_PREFIX)
        and is_manager_of(user, provider.id)
    )


def _require_programmes(user: User | None, provider: Organisation | None, what: str) -> None:
    if user is None or not user.active:
        raise PermissionDeniedError(f"Sign in to {what}.")
    if not can_edit_programmes(user, provider):
        raise PermissionDeniedError(
            f"{user.email} may not {what}: only administrators and the managers of the "
            "training provider's organisation may."
        )


def _programme_values(values: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    allowed = PROGRAMME_DATA if creating else PROGRAMME_DATA[1:]
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ParameterError(
            f"Unknown field(s) {', '.join(map(repr, unknown))}; a programme's fields are "
            f"{', '.join(allowed)}."
        )
    out: dict[str, Any] = {}
    for name in ("title", "description", "location", "region", "level", "url", "source"):
        if name in values:
            out[name] = text_field(values[name], name, _LIMITS[name], required=name == "title")
    if creating and "title" not in out:
        raise ParameterError("The 'title' field must not be empty.")
    if "programme_id" in values:
        pid = values["programme_id"]
        if not isinstance(pid, str) or not _PROGRAMME_ID.match(pid):
            raise ParameterError(
                "The 'programme_id' field must be 1 to 100 letters, digits, '.', '_' or '-' "
                f"(starting with a letter or digit). Got {pid!r}."
            )
        out["programme_id"] = pid
    if "duration_hours" in values:
        hours = values["duration_hours"]
        if hours is not None and (
            isinstance(hours, bool) or not isinstance(hours, int | float) or not 0 <= hours < 1e5
        ):
            raise ParameterError(
                f"The 'duration_hours' field must be a number of hours ≥ 0, or empty. "
                f"Got {hours!r}."
            )
        out["duration_hours"] = None if hours is None else float(hours)
    if "format" in values:
        if values["format"] not in ("", None, *FORMATS):
            raise ParameterError(
                f"The 'format' field must be one of {', '.join(FORMATS)} or empty. "
                f"Got {values['format']!r}."
            )
        out["format"] = values["format"] or ""
    if "language" in values:
        language = values["language"] or ""
        if not isinstance(language, str) or not re.fullmatch(r"([a-z]{2})?", language):
            raise ParameterError(
                f"The 'language' field must be a two-letter ISO 639-1 code such as 'fr', or "
                f"empty. Got {values['language']!r}."
            )
        out["language"] = language
    return out


def _sources(
    programme: TrainingProgramme, values: Mapping[str, Any], actor: User | None
) -> dict[str, Any]:
    """Return ``field_sources`` with the changed details' source and status.

    CONFIRMED with a source or when the provider's own manager states it; UNCONFIRMED
    otherwise.
    """
    source = values.get("source", programme.source or "")
    first_party = actor is not None and actor.role == "manager"
    status = CONFIRMED if source or first_party else UNCONFIRMED
    who = "the registry" if actor is None else f"{actor.role} user {actor.id}"
    sources = dict(programme.field_sources or {})
    for name in PROGRAMME_DETAILS:
        if name in values:
            sources[name] = {"source": source or f"recorded by {who}", "status": status}
    return sources


def _overall(sources: Mapping[str, Any]) -> str:
    statuses = {v.get("status") for v in sources.values() if isinstance(v, Mapping)}
    return CONFIRMED if statuses == {CONFIRMED} else UNCONFIRMED + " (some details unsourced)"


def create_programme(
    session: Session,
    *,
    actor: User | None,
    provider_organisation_id: int,
    data: Mapping[str, Any],
) -> TrainingProgramme:
    """Record a programme of a training provider (administrators; its active managers).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
    actor : User or None
    provider_organisation_id : int
        The provider's organisation (kind ``"training provider"``, key ``provider:…``).
    data : mapping
        :data:`PROGRAMME_DATA`: ``title`` required; ``programme_id`` (default:
        ``<provider_id>-<n>``, the first free number); ``duration_hours`` ≥ 0; ``format``
        one of :data:`~clusteratlas.skills.training.FORMATS`; ``language`` ISO 639-1;
        ``source`` where the details are stated.

    Returns
    -------
    TrainingProgramme
        Flushed, version 1; tagged with ESCO skills from its title and description
        wherever the programmes are read.

    Raises
    ------
    ParameterError
        Naming the field at fault (or an organisation that is not a training provider).
    PermissionDeniedError
        For an anonymous user or one who may not edit the provider's programmes.
    ConflictError
        When ``programme_id`` is taken.
    """
    provider = organisation_field(session, provider_organisation_id, "provider_organisation_id")
    if actor is not None:
        _require_programmes(actor, provider, f"add programmes to organisation {provider.id}")
    require_provider(provider)
    values = _programme_values(data, creating=True)
    provider_id = provider.key.removeprefix(PROVIDER_KEY_PREFIX)
    taken = set(session.scalars(select(TrainingProgramme.programme_id)))
    if "programme_id" not in values:
        n = 1
        while f"{provider_id}-{n}"[:100] in taken:
            n += 1
        values["programme_id"] = f"{provider_id}-{n}"[:100]
    elif values["programme_id"] in taken:
        raise ConflictError(
            f"The programme id {values['programme_id']!r} is taken; choose another."
        )
    programme = TrainingProgramme(
        provider_organisation_id=provider.id,
        provider_id=provider_id,
        field_sources={},
        created_by=actor.id if actor is not None else None,
        **{k: v for k, v in values.items() if k != "source"},
        source=values.get("source", ""),
    )
    programme.field_sources = _sources(programme, values, actor)
    programme.status = _overall(programme.field_sources)
    session.add(programme)
    session.flush()
    record(session, actor=actor, entity="training_programme", entity_id=programme.id,
           action="create", after=snapshot(programme, PROGRAMME_FIELDS),
           note=f"programme {programme.programme_id}")  # fmt: skip
    return programme


def update_programme(
    session: Session,
    *,
    actor: User | None,
    programme_id: str,
    changes: Mapping[str, Any],
    expected_version: int | None = None,
) -> TrainingProgramme:
    """Change a programme's details (:data:`PROGRAMME_DATA` but its id; audited).

    Raises
    ------
    RecordNotFoundError, PermissionDeniedError, ParameterError
        As for :func:`create_programme`.
    ConflictError
        On a version mismatch (``expected_version``).
    """
    programme = get_programme(session, programme_id)
    provider = (
        None
        if programme.provider_organisation_id is None
        else session.get(Organisation, programme.provider_organisation_id)
    )
    if actor is not None:
        _require_programmes(actor, provider, f"change programme {programme_id!r}")
    values = _programme_values(changes, creating=False)
    if not values:
        raise ParameterError("Give at least one field to change.")
    if expected_version is not None and programme.version != expected_version:
        raise ConflictError(
            f"Programme {programme_id!r} is at version {programme.version}, not "
            f"{expected_version}: re-read it and apply the change again.",
            expected=expected_version,
            current=programme.version,
        )
    before = snapshot(programme, PROGRAMME_FIELDS)
    for name, value in values.items():
        setattr(programme, name, value)
    programme.field_sources = _sources(programme, values, actor)
    programme.status = _overall(programme.field_sources)
    programme.updated_at = dt.datetime.now(dt.UTC)
    try:
        session.flush()
    except StaleDataError as err:
        raise ConflictError(
            f"Programme {programme_id!r} was changed by someone else meanwhile.",
            expected=expected_version,
        ) from err
    record(session, actor=actor, entity="training_programme", entity_id=programme.id,
           action="update", before=before, after=snapshot(programme, PROGRAMME_FIELDS),
           note=f"programme {programme_id}")  # fmt: skip
    return programme


def delete_programme(session: Session, *, actor: User | None, programme_id: str) -> None:
    """Delete a programme and its hand tag corrections (audited, both)."""
    programme = get_programme(session, programme_id)
    provider = (
        None
        if programme.provider_organisation_id is None
        else session.get(Organisation, programme.provider_organisation_id)
    )
    if actor is not None:
        _require_programmes(actor, provider, f"delete programme {programme_id!r}")
    before = snapshot(programme, PROGRAMME_FIELDS)
    corrections = list(
        session.scalars(
            select(ProgrammeTagCorrection).where(
                ProgrammeTagCorrection.programme_id == programme_id
            )
        )
    )
    for correction in corrections:
        record(session, actor=actor, entity="programme_tag_correction", entity_id=correction.id,
               action="delete", before={"programme_id": programme_id,
               "skill_id": correction.skill_id, "action": correction.action},
               note=f"programme {programme_id} deleted")  # fmt: skip
        session.delete(correction)
    row_id = programme.id
    session.delete(programme)
    session.flush()
    record(session, actor=actor, entity="training_programme", entity_id=row_id,
           action="delete", before=before, note=f"programme {programme_id}")  # fmt: skip


PROGRAMME_TABLE_COLUMNS = (
    "id", "programme_id", "provider_id", "provider_organisation_id", "provider_name", "title",
    "description", "duration_hours", "format", "location", "region", "level", "language",
    "url", "status", "source", "version",
)  # fmt: skip
"""Columns of :func:`programme_table`."""


def programme_table(session: Session) -> pd.DataFrame:
    """Return the recorded programmes as the skills offer reads them, oldest first.

    Columns :data:`PROGRAMME_TABLE_COLUMNS`; ``provider_name`` is the provider
    organisation's name (its ``provider_id`` when the organisation is gone);
    ``duration_hours`` a float (NaN when unknown); text columns empty when unknown.
    """
    rows = session.execute(
        select(TrainingProgramme, Organisation.name)
        .outerjoin(Organisation, Organisation.id == TrainingProgramme.provider_organisation_id)
        .order_by(TrainingProgramme.id)
    ).all()
    data = []
    for programme, name in rows:
        item = {c: getattr(programme, c) for c in PROGRAMME_TABLE_COLUMNS if c != "provider_name"}
        item["provider_name"] = name or programme.provider_id
        item["duration_hours"] = (
            float("nan") if programme.duration_hours is None else programme.duration_hours
        )
        data.append(item)
    return pd.DataFrame(data, columns=list(PROGRAMME_TABLE_COLUMNS)).astype(
        {"duration_hours": float}
    )
