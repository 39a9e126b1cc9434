"""The audit log: every change records who, when, which entity, the action and a diff."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clusteratlas.registry.models import AuditEntry, User

SYSTEM_ACTOR = "system"


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: object, fields: Iterable[str]) -> dict[str, Any]:
    """Return the JSON-ready values of ``fields`` of ``obj``."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, Any]:
    """Return ``{field: {"before": old, "after": new}}`` for every field that changed.

    Parameters
    ----------
    before, after : mapping or None
        Field values before and after the change (``None`` for a creation or a deletion).

    Examples
    --------
    >>> diff({"name": "A", "fte": 1}, {"name": "B", "fte": 1})
    {'name': {'before': 'A', 'after': 'B'}}
    """
    old = dict(before or {})
    new = dict(after or {})
    changed: dict[str, Any] = {}
    for name in sorted(old.keys() | new.keys()):
        a, b = _plain(old.get(name)), _plain(new.get(name))
        if a != b:
            changed[name] = {"before": a, "after": b}
    return changed


def record(
    session: Session,
    *,
    actor: User | None,
    entity: str,
    entity_id: int | None,
    action: str,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    note: str | None = None,
) -> AuditEntry:
    """Add one audit entry to ``session`` (committed with the change it describes).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
    actor : User or None
        Who made the change; ``None`` for a system process (seed, import, command line).
    entity : str
        Table name of the changed record, e.g. ``"organisation"``.
    entity_id : int or None
        Its primary key.
    action : str
        ``create``, ``update``, ``delete``, ``import`` …
    before, after : mapping, optional
        Field values; only the changed fields are stored.
    note : str, optional
        Free text.

    Returns
    -------
    AuditEntry
    """
    entry = AuditEntry(
        user_id=actor.id if actor is not None else None,
        actor=actor.email if actor is not None else SYSTEM_ACTOR,
        entity=entity,
        entity_id=entity_id,
        action=action,
        diff=diff(before, after),
        note=note,
    )
    session.add(entry)
    return entry


ROLE_LABELS = {
    "admin": "administrator",
    "manager": "manager",
    "public": "user",
    "participant": "participant",
}
"""How an actor is named to those who may not see e-mail addresses."""


def actor_labels(session: Session, entries: Iterable[AuditEntry]) -> dict[int, str]:
    """Return ``{entry id: label}``: each actor's display name, else its role, never an e-mail.

    For anonymous readers of an organisation's history: ``"system"`` for changes made by a
    process, the user's display name when set, else ``"administrator"``, ``"manager"`` or
    ``"user"`` (``"former user"`` when the account was deleted).
    """
    listed = list(entries)
    ids = {e.user_id for e in listed if e.user_id is not None}
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    labels: dict[int, str] = {}
    for entry in listed:
        if entry.user_id is None:
            labels[entry.id] = SYSTEM_ACTOR if entry.actor == SYSTEM_ACTOR else "former user"
            continue
        user = users.get(entry.user_id)
        if user is None:
            labels[entry.id] = "former user"
        elif user.name and "@" not in user.name:
            labels[entry.id] = user.name
        else:
            labels[entry.id] = ROLE_LABELS.get(user.role, "user")
    return labels


def history(
    session: Session,
    *,
    entity: str | None = None,
    entity_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[AuditEntry]:
    """Return audit entries, newest first, optionally for one entity (and one record)."""
    query = select(AuditEntry)
    if entity is not None:
        query = query.where(AuditEntry.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    query = query.order_by(AuditEntry.id.desc()).limit(limit).offset(offset)
    return list(session.scalars(query))
