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

Programmes are in :mod:`clusteratlas.registry.services_programmes`; the checks both
share are in :mod:`clusteratlas.registry._training_checks`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from clusteratlas.errors import (
    ConflictError,
    ParameterError,
    PermissionDeniedError,
    RecordNotFoundError,
)
from clusteratlas.registry._training_checks import (
    CLUSTER_KIND,
    PROVIDER_KIND,
    date_field,
    is_manager_of,
    organisation_field,
    require_provider,
    text_field,
)
from clusteratlas.registry.audit import record, snapshot
from clusteratlas.registry.models import (
    CONFIRMED,
    PARTNERSHIP_STATUSES,
    UNCONFIRMED,
    Organisation,
    TrainingPartnership,
    User,
)
from clusteratlas.registry.seed import PROVIDER_KEY_PREFIX, provider_key

PARTNERSHIP_FIELDS = (
    "cluster_id", "provider_organisation_id", "cluster_key", "cluster_name", "provider_id",
    "provider_name", "purpose", "purpose_status", "source", "status", "started_on", "ended_on",
)  # fmt: skip
"""Fields of a partnership recorded in the audit log and returned by the reads."""
PARTNERSHIP_CHANGES = ("purpose", "source", "started_on", "ended_on", "status")
"""Fields :func:`update_partnership` may change."""
PURPOSE_CHARS = 1000
SOURCE_CHARS = 2000


def can_edit_partnership(user: User | None, partnership: TrainingPartnership) -> bool:
    """Return whether ``user`` may change ``partnership`` (module docstring)."""
    if user is None or not user.active:
        return False
    return user.role == "admin" or is_manager_of(
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
    cluster = organisation_field(session, cluster_id, "cluster_id")
    provider = organisation_field(session, provider_organisation_id, "provider_organisation_id")
    if actor is not None:
        allowed = actor.active and (
            actor.role == "admin" or is_manager_of(actor, cluster.id, provider.id)
        )
        _require(actor, allowed, f"record a partnership of organisations {cluster.id} and "
                 f"{provider.id}")  # fmt: skip
    if cluster.kind != CLUSTER_KIND:
        raise ParameterError(
            f"The 'cluster_id' field must name a cluster organisation; organisation "
            f"{cluster.id} is a {cluster.kind}."
        )
    require_provider(provider)
    text = text_field(purpose, "purpose", PURPOSE_CHARS, required=True)
    where = text_field(source, "source", SOURCE_CHARS)
    started = date_field(started_on, "started_on")
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
        values["purpose"] = text_field(changes["purpose"], "purpose", PURPOSE_CHARS, required=True)
    if "source" in changes:
        values["source"] = text_field(changes["source"], "source", SOURCE_CHARS)
        values["purpose_status"] = CONFIRMED if values["source"] else UNCONFIRMED
    for name in ("started_on", "ended_on"):
        if name in changes:
            values[name] = date_field(changes[name], name)
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
