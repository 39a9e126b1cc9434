"""Write and read services of the training offer: partnerships and programmes.

A partnership (:class:`~clusteratlas.registry.models.TrainingPartnership`) links a cluster
organisation and a training provider's organisation (``kind == "training provider"``, key
``provider:<provider_id>``). The packaged skills seed's partnerships are written into the
table once (:func:`clusteratlas.registry.seed.seed_training_offer`); people then record new
ones (:func:`create_partnership`), change their wording or dates
(:func:`update_partnership`) and end them (:func:`end_partnership`). An ended partnership
is kept, with its end date, and its history is in the audit log.

Who may write: an active administrator any partnership, and an active manager of either
side (the cluster organisation or the provider's organisation) the partnerships of that
organisation. ``actor=None`` stands for a trusted system process. Every change is audited
(entity ``training_partnership``); the caller commits.

The purpose of a partnership recorded with a ``source`` (a URL, a document) is
``CONFIRMED``; without one it is ``UNCONFIRMED``, as elsewhere in the registry.

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
from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from clusteratlas.errors import (
    ConflictError,
    ParameterError,
    PermissionDeniedError,
    RecordNotFoundError,
)
from clusteratlas.registry.audit import record, snapshot
from clusteratlas.registry.models import (
    CONFIRMED,
    PARTNERSHIP_STATUSES,
    UNCONFIRMED,
    Organisation,
    ProgrammeTagCorrection,
    TrainingPartnership,
    TrainingProgramme,
    User,
)
from clusteratlas.registry.seed import PROVIDER_KEY_PREFIX, provider_key
from clusteratlas.skills.training import FORMATS

PROVIDER_KIND = "training provider"
CLUSTER_KIND = "cluster organisation"
PARTNERSHIP_FIELDS = (
    "cluster_id", "provider_organisation_id", "cluster_key", "cluster_name", "provider_id",
    "provider_name", "purpose", "purpose_status", "source", "status", "started_on", "ended_on",
)  # fmt: skip
"""Fields of a partnership recorded in the audit log and returned by the reads."""
PARTNERSHIP_CHANGES = ("purpose", "source", "started_on", "ended_on", "status")
"""Fields :func:`update_partnership` may change."""
PURPOSE_CHARS = 1000
SOURCE_CHARS = 2000


def _organisation(session: Session, organisation_id: Any, field: str) -> Organisation:
    if isinstance(organisation_id, bool) or not isinstance(organisation_id, int):
        raise ParameterError(
            f"The {field!r} field must be an organisation id (an int). Got {organisation_id!r}."
        )
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise ParameterError(
            f"The {field!r} field must name an organisation of the registry; there is no "
            f"organisation {organisation_id}."
        )
    return organisation


def _text(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise ParameterError(f"The {field!r} field must be text. Got {value!r}.")
    text = value.strip()
    if required and not text:
        raise ParameterError(f"The {field!r} field must not be empty.")
    if len(text) > limit:
        raise ParameterError(
            f"The {field!r} field must be at most {limit} characters. Got {len(text)}."
        )
    return text


def _date(value: Any, field: str) -> dt.date | None:
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ParameterError(f"The {field!r} field must be a date (YYYY-MM-DD). Got {value!r}.")


def _is_manager_of(user: User, *organisation_ids: int | None) -> bool:
    return (
        user.role == "manager"
        and user.organisation_id is not None
        and user.organisation_id in organisation_ids
    )


def can_edit_partnership(user: User | None, partnership: TrainingPartnership) -> bool:
    """Return whether ``user`` may change ``partnership`` (module docstring)."""
    if user is None or not user.active:
        return False
    return user.role == "admin" or _is_manager_of(
        user, partnership.cluster_id, partnership.provider_organisation_id
    )


def _require(user: User | None, allowed: bool, what: str) -> None:
    if user is None or not user.active:
        raise PermissionDeniedError(f"Sign in to {what}.")
    if not allowed:
        raise PermissionDeniedError(
            f"{user.email} may not {what}: only administrators and the managers of the "
            "cluster organisation or of the training provider may."
        )


def get_partnership(session: Session, partnership_id: int) -> TrainingPartnership:
    """Return the partnership or raise :class:`RecordNotFoundError`."""
    found = session.get(TrainingPartnership, partnership_id, populate_existing=True)
    if found is None:
        raise RecordNotFoundError(f"There is no training partnership with id {partnership_id}.")
    return found


def create_partnership(
    session: Session,
    *,
    actor: User | None,
    cluster_id: int,
    provider_organisation_id: int,
    purpose: str,
    source: str | None = None,
    started_on: dt.date | str | None = None,
) -> TrainingPartnership:
    """Record a partnership of a cluster organisation with a training provider.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
    actor : User or None
        An active administrator, or an active manager of either organisation.
    cluster_id : int
        The cluster organisation (``kind == "cluster organisation"``).
    provider_organisation_id : int
        The provider's organisation (``kind == "training provider"``, key ``provider:…``).
    purpose : str
        What the partnership is for (1 to :data:`PURPOSE_CHARS` characters).
    source : str, optional
        Where it is stated (a URL, a document); the purpose is CONFIRMED only with one.
    started_on : datetime.date or str, optional
        When it started (``YYYY-MM-DD``).

    Returns
    -------
    TrainingPartnership
        Flushed, ``status`` ``active``, version 1.

    Raises
    ------
    ParameterError
        Naming the field: an unknown organisation, one of the wrong kind, an empty or too
        long text, a bad date.
    PermissionDeniedError
        For an anonymous user, or one who is neither an administrator nor a manager of
        either side.
    ConflictError
        When the two organisations already have an active partnership.
    """
    cluster = _organisation(session, cluster_id, "cluster_id")
    provider = _organisation(session, provider_organisation_id, "provider_organisation_id")
    if actor is not None:
        allowed = actor.active and (
            actor.role == "admin" or _is_manager_of(actor, cluster.id, provider.id)
        )
        _require(actor, allowed, f"record a partnership of organisations {cluster.id} and "
                 f"{provider.id}")  # fmt: skip
    if cluster.kind != CLUSTER_KIND:
        raise ParameterError(
            f"The 'cluster_id' field must name a cluster organisation; organisation "
            f"{cluster.id} is a {cluster.kind}."
        )
    if provider.kind != PROVIDER_KIND or not provider.key.startswith(PROVIDER_KEY_PREFIX):
        raise ParameterError(
            f"The 'provider_organisation_id' field must name a training provider's "
            f"organisation (kind 'training provider', key 'provider:…'); organisation "
            f"{provider.id} is not one."
        )
    text = _text(purpose, "purpose", PURPOSE_CHARS, required=True)
    where = _text(source, "source", SOURCE_CHARS)
    started = _date(started_on, "started_on")
    provider_id = provider.key.removeprefix(PROVIDER_KEY_PREFIX)
    existing = session.scalar(
        select(TrainingPartnership.id).where(
            TrainingPartnership.status == "active",
            or_(
                TrainingPartnership.cluster_id == cluster.id,
                TrainingPartnership.cluster_key == cluster.key,
            ),
            TrainingPartnership.provider_id == provider_id,
        )
    )
    if existing is not None:
        raise ConflictError(
            f"{cluster.name} and {provider.name} already have an active partnership "
            f"({existing}); change or end that one."
        )
    partnership = TrainingPartnership(
        cluster_id=cluster.id,
        provider_organisation_id=provider.id,
        cluster_key=cluster.key,
        cluster_name=cluster.name,
        provider_id=provider_id,
        provider_name=provider.name,
        purpose=text,
        purpose_status=CONFIRMED if where else UNCONFIRMED,
        source=where,
        status="active",
        started_on=started,
        created_by=actor.id if actor is not None else None,
    )
    session.add(partnership)
    session.flush()
    record(session, actor=actor, entity="training_partnership", entity_id=partnership.id,
           action="create", after=snapshot(partnership, PARTNERSHIP_FIELDS))  # fmt: skip
    return partnership


def update_partnership(
    session: Session,
    *,
    actor: User | None,
    partnership_id: int,
    changes: Mapping[str, Any],
    expected_version: int | None = None,
) -> TrainingPartnership:
    """Change a partnership's ``purpose``, ``source``, dates or ``status`` (audited).

    Setting ``status`` to ``ended`` ends it (``ended_on`` today unless given); back to
    ``active`` clears ``ended_on``. A new ``source`` makes the purpose CONFIRMED, an empty
    one UNCONFIRMED.

    Parameters
    ----------
    expected_version : int, optional
        The version the client read; another one is a :class:`ConflictError`.

    Raises
    ------
    RecordNotFoundError
        When there is no such partnership.
    PermissionDeniedError
        As for :func:`create_partnership`, on the partnership's two organisations.
    ParameterError
        Naming an unknown field or a bad value (a status not in
        :data:`~clusteratlas.registry.models.PARTNERSHIP_STATUSES`, an end before the start).
    ConflictError
        On a version mismatch.
    """
    partnership = get_partnership(session, partnership_id)
    if actor is not None:
        _require(actor, can_edit_partnership(actor, partnership),
                 f"change training partnership {partnership_id}")  # fmt: skip
    unknown = sorted(set(changes) - set(PARTNERSHIP_CHANGES))
    if unknown:
        raise ParameterError(
            f"Unknown field(s) {', '.join(map(repr, unknown))}; a partnership's changeable "
            f"fields are {', '.join(PARTNERSHIP_CHANGES)}."
        )
    if not changes:
        raise ParameterError("Give at least one field to change.")
    if expected_version is not None and partnership.version != expected_version:
        raise ConflictError(
            f"Training partnership {partnership_id} is at version {partnership.version}, not "
            f"{expected_version}: re-read it and apply the change again.",
            expected=expected_version,
            current=partnership.version,
        )
    values: dict[str, Any] = {}
    if "purpose" in changes:
        values["purpose"] = _text(changes["purpose"], "purpose", PURPOSE_CHARS, required=True)
    if "source" in changes:
        values["source"] = _text(changes["source"], "source", SOURCE_CHARS)
        values["purpose_status"] = CONFIRMED if values["source"] else UNCONFIRMED
    for name in ("started_on", "ended_on"):
        if name in changes:
            values[name] = _date(changes[name], name)
    if "status" in changes:
        status = changes["status"]
        if status not in PARTNERSHIP_STATUSES:
            raise ParameterError(
                f"The 'status' field must be one of {', '.join(PARTNERSHIP_STATUSES)}. "
                f"Got {status!r}."
            )
        values["status"] = status
        if status == "ended" and values.get("ended_on") is None:
            values["ended_on"] = partnership.ended_on or dt.datetime.now(dt.UTC).date()
        if status == "active":
            values["ended_on"] = None
    started = values.get("started_on", partnership.started_on)
    ended = values.get("ended_on", partnership.ended_on)
    if started is not None and ended is not None and ended < started:
        raise ParameterError(
            f"The 'ended_on' field ({ended}) must not be before 'started_on' ({started})."
        )
    before = snapshot(partnership, PARTNERSHIP_FIELDS)
    for name, value in values.items():
        setattr(partnership, name, value)
    partnership.updated_at = dt.datetime.now(dt.UTC)
    try:
        session.flush()
    except StaleDataError as err:
        raise ConflictError(
            f"Training partnership {partnership_id} was changed by someone else meanwhile.",
            expected=expected_version,
        ) from err
    record(session, actor=actor, entity="training_partnership", entity_id=partnership.id,
           action="update", before=before,
           after=snapshot(partnership, PARTNERSHIP_FIELDS))  # fmt: skip
    return partnership


def end_partnership(
    session: Session,
    *,
    actor: User | None,
    partnership_id: int,
    ended_on: dt.date | str | None = None,
) -> TrainingPartnership:
    """End an active partnership (``status`` ``ended``, ``ended_on`` default today).

    Raises
    ------
    ConflictError
        When the partnership has already ended.
    RecordNotFoundError, PermissionDeniedError, ParameterError
        As for :func:`update_partnership`.
    """
    partnership = get_partnership(session, partnership_id)
    if actor is not None:
        _require(actor, can_edit_partnership(actor, partnership),
                 f"end training partnership {partnership_id}")  # fmt: skip
    if partnership.status == "ended":
        raise ConflictError(
            f"Training partnership {partnership_id} already ended on {partnership.ended_on}."
        )
    changes: dict[str, Any] = {"status": "ended"}
    if ended_on is not None:
        changes["ended_on"] = ended_on
    return update_partnership(session, actor=actor, partnership_id=partnership_id, changes=changes)


def _links(session: Session, rows: list[TrainingPartnership]) -> list[dict[str, Any]]:
    keys = {r.cluster_key for r in rows} | {provider_key(r.provider_id) for r in rows}
    found = session.execute(
        select(Organisation.key, Organisation.id, Organisation.kind).where(
            Organisation.key.in_(sorted(keys))
        )
    ).all()
    clusters = {key: id_ for key, id_, _ in found}
    providers = {key: id_ for key, id_, kind in found if kind == PROVIDER_KIND}
    out = []
    for row in rows:
        item = snapshot(row, PARTNERSHIP_FIELDS)
        item["id"] = row.id
        item["version"] = row.version
        item["started_on"] = row.started_on
        item["ended_on"] = row.ended_on
        if item["cluster_id"] is None:
            item["cluster_id"] = clusters.get(row.cluster_key)
        if item["provider_organisation_id"] is None:
            item["provider_organisation_id"] = providers.get(provider_key(row.provider_id))
        out.append(item)
    return out


def partnerships(session: Session, *, status: str | None = None) -> list[dict[str, Any]]:
    """Return every recorded partnership, oldest first, with the ids of both sides.

    ``cluster_id`` and ``provider_organisation_id`` are the stored links, else the
    organisations whose keys the partnership recorded (a cluster seeded later); ``None``
    where the registry has no such organisation (shown without a link).

    Parameters
    ----------
    status : str, optional
        Only ``active`` or only ``ended`` partnerships (default: both).
    """
    query = select(TrainingPartnership).order_by(TrainingPartnership.id)
    if status is not None:
        if status not in PARTNERSHIP_STATUSES:
            raise ParameterError(
                f"The 'status' parameter must be one of {', '.join(PARTNERSHIP_STATUSES)}. "
                f"Got {status!r}."
            )
        query = query.where(TrainingPartnership.status == status)
    return _links(session, list(session.scalars(query)))


def partnership(session: Session, partnership_id: int) -> dict[str, Any]:
    """Return one partnership as :func:`partnerships` does, or raise RecordNotFoundError."""
    return _links(session, [get_partnership(session, partnership_id)])[0]


def organisation_partnerships(session: Session, organisation: Organisation) -> list[dict[str, Any]]:
    """Return the partnerships of an organisation, as the cluster or as the provider.

    An organisation is a partnership's cluster when it is linked as such or its key is the
    recorded ``cluster_key``; its provider when it is linked as such or it is the
    provider's organisation (key ``provider:<provider_id>``, kind ``"training provider"``).
    Rows as :func:`partnerships`, ended ones included.
    """
    sides = [
        TrainingPartnership.cluster_id == organisation.id,
        TrainingPartnership.provider_organisation_id == organisation.id,
        TrainingPartnership.cluster_key == organisation.key,
    ]
    if organisation.kind == PROVIDER_KIND and organisation.key.startswith(PROVIDER_KEY_PREFIX):
        sides.append(
            TrainingPartnership.provider_id == organisation.key.removeprefix(PROVIDER_KEY_PREFIX)
        )
    query = select(TrainingPartnership).where(or_(*sides)).order_by(TrainingPartnership.id)
    return _links(session, list(session.scalars(query)))


# --- programmes -------------------------------------------------------------------------

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
        and _is_manager_of(user, provider.id)
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
            out[name] = _text(values[name], name, _LIMITS[name], required=name == "title")
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
    provider = _organisation(session, provider_organisation_id, "provider_organisation_id")
    if actor is not None:
        _require_programmes(actor, provider, f"add programmes to organisation {provider.id}")
    if provider.kind != PROVIDER_KIND or not provider.key.startswith(PROVIDER_KEY_PREFIX):
        raise ParameterError(
            f"The 'provider_organisation_id' field must name a training provider's "
            f"organisation (kind 'training provider', key 'provider:…'); organisation "
            f"{provider.id} is not one."
        )
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
