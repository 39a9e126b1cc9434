"""Write services of the registry: organisations, members, partner search.

Every service takes the caller's :class:`~sqlalchemy.orm.Session` (the caller commits),
checks permissions through :func:`~clusteratlas.registry.auth.can_edit` when ``actor`` is a
user, and records an audit entry. ``actor=None`` stands for a trusted system process (seed,
import, command line); the API must always pass the authenticated user.

Optimistic concurrency: :func:`update_organisation` takes the ``expected_version`` the client
read; a mismatch, or a concurrent commit between read and write (SQLAlchemy's
``version_id_col`` check), raises :class:`ConflictError`. The caller rolls back, re-reads and
retries.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from clusteratlas._validation import check_in
from clusteratlas.errors import (
    ConflictError,
    ParameterError,
    PermissionDeniedError,
    RecordNotFoundError,
)
from clusteratlas.registry.audit import record, snapshot
from clusteratlas.registry.auth import require_edit
from clusteratlas.registry.models import (
    MEMBER_TYPES,
    ORG_KINDS,
    MemberOrganisation,
    Organisation,
    Tag,
    User,
)
from clusteratlas.registry.services_social import (
    add_comment,
    create_post,
    express_interest,
    follow_post,
    get_post,
    list_posts,
    unfollow_post,
)

PROFILE_FIELDS = (
    "name",
    "kind",
    "acronym",
    "country",
    "region",
    "region_name",
    "website",
    "founding_year",
    "description",
    "management_fte",
    *(f"members_{kind}" for kind in MEMBER_TYPES),
    "technologies",
    "field_sources",
)
"""Scalar profile fields that :func:`create_organisation` and :func:`update_organisation` set."""

TAG_FIELDS = {
    "categories": "category",
    "ecosystems": "ecosystem",
    "sectors": "sector",
    "stages": "stage",
}
"""List fields of ``data`` / ``changes`` stored as tags, and their tag kind."""

_COUNTRY = re.compile(r"^[A-Z]{2}$")


def check_profile(values: Mapping[str, Any]) -> None:
    """Check an organisation's fields as :func:`create_organisation` does (all problems at once).

    Raises
    ------
    ParameterError
        Naming every unknown field and every value out of its domain.
    """
    unknown = sorted(set(values) - set(PROFILE_FIELDS) - set(TAG_FIELDS) - {"key"})
    problems = [f"unknown field(s) {', '.join(map(repr, unknown))}"] if unknown else []
    if "name" in values and not str(values["name"] or "").strip():
        problems.append("'name' must not be empty")
    if "kind" in values and values["kind"] not in ORG_KINDS:
        allowed = ", ".join(map(repr, ORG_KINDS))
        problems.append(f"'kind' must be one of {allowed}; got {values['kind']!r}")
    country = values.get("country")
    if "country" in values and not (isinstance(country, str) and _COUNTRY.match(country)):
        problems.append(
            f"'country' must be an ISO 3166-1 alpha-2 code such as 'FR'; got {country!r}"
        )
    for name in [f"members_{kind}" for kind in MEMBER_TYPES] + ["management_fte"]:
        value = values.get(name)
        if value is not None and (not isinstance(value, int | float) or value < 0):
            problems.append(f"{name!r} must be a non-negative number or None; got {value!r}")
    for stage in values.get("stages") or []:
        if ":" not in str(stage):
            problems.append(f"value-chain stage {stage!r} must read 'chain:stage'")
    if problems:
        raise ParameterError("Invalid organisation: " + "; ".join(problems) + ".")


def _profile(organisation: Organisation) -> dict[str, Any]:
    values = snapshot(organisation, PROFILE_FIELDS)
    for field, kind in TAG_FIELDS.items():
        values[field] = organisation.tag_values(kind)
    return values


def _set_tags(organisation: Organisation, kind: str, values: list[str]) -> None:
    wanted = list(dict.fromkeys(str(v) for v in values))
    keep = [t for t in organisation.tags if t.kind != kind or t.value in wanted]
    have = {t.value for t in keep if t.kind == kind}
    organisation.tags = keep + [Tag(kind=kind, value=v) for v in wanted if v not in have]


def get_organisation(session: Session, organisation_id: int) -> Organisation:
    """Return the organisation or raise :class:`RecordNotFoundError`."""
    organisation = session.get(Organisation, organisation_id, populate_existing=True)
    if organisation is None:
        raise RecordNotFoundError(f"There is no organisation with id {organisation_id}.")
    return organisation


def create_organisation(
    session: Session, *, actor: User | None, data: Mapping[str, Any]
) -> Organisation:
    """Create an organisation from ``data`` (only an admin or a system process may).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
    actor : User or None
    data : mapping
        :data:`PROFILE_FIELDS`, list fields of :data:`TAG_FIELDS` and an optional natural
        ``key`` (default: ``country:name`` in lower case).

    Returns
    -------
    Organisation
        Flushed, with its ``id`` and ``version`` 1.
    """
    if actor is not None and (not actor.active or actor.role != "admin"):
        raise PermissionDeniedError(f"{actor.email} may not create organisations (admin only).")
    check_profile(data)
    if not {"name", "country"} <= data.keys():
        raise ParameterError("An organisation needs at least 'name' and 'country'.")
    fields = {k: v for k, v in data.items() if k in PROFILE_FIELDS}
    key = str(data.get("key") or f"{data['country']}:{data['name']}".lower())
    organisation = Organisation(key=key, **fields)
    for field, kind in TAG_FIELDS.items():
        _set_tags(organisation, kind, list(data.get(field) or []))
    session.add(organisation)
    session.flush()
    record(
        session,
        actor=actor,
        entity="organisation",
        entity_id=organisation.id,
        action="create",
        after=_profile(organisation),
    )
    return organisation


def _require_kind_right(
    actor: User, organisation: Organisation, changes: Mapping[str, Any]
) -> None:
    """Refuse a change of ``kind`` by anyone but an administrator (the same kind passes)."""
    if "kind" not in changes or changes["kind"] == organisation.kind or actor.role == "admin":
        return
    raise PermissionDeniedError(
        f"{actor.email} may not change the kind of organisation {organisation.id} from "
        f"{organisation.kind!r} to {changes['kind']!r}: only an administrator may."
    )


def update_organisation(
    session: Session,
    *,
    actor: User | None,
    organisation_id: int,
    expected_version: int,
    changes: Mapping[str, Any],
) -> Organisation:
    """Apply ``changes`` to an organisation read at ``expected_version``.

    Only an administrator (or a system process) may change ``kind``; a manager may send the
    stored kind unchanged.

    Raises
    ------
    ConflictError
        When the organisation has another version (someone else changed it); roll back,
        re-read and retry.
    PermissionDeniedError
        When ``actor`` may not edit the organisation, or is no administrator and asks for
        another ``kind``.
    RecordNotFoundError, ParameterError
    """
    check_profile(changes)
    organisation = get_organisation(session, organisation_id)
    if actor is not None:
        require_edit(actor, organisation)
        _require_kind_right(actor, organisation, changes)
    if organisation.version != expected_version:
        raise ConflictError(
            f"Organisation {organisation_id} is at version {organisation.version}, not "
            f"{expected_version}: re-read it and apply the change again.",
            expected=expected_version,
            current=organisation.version,
        )
    before = _profile(organisation)
    for name, value in changes.items():
        if name in TAG_FIELDS:
            _set_tags(organisation, TAG_FIELDS[name], list(value or []))
        elif name != "key":
            setattr(organisation, name, value)
    # Always UPDATE the row (even for tag-only changes) so that the version_id_col check
    # (WHERE version = expected) runs and the version is incremented.
    organisation.updated_at = dt.datetime.now(dt.UTC)
    try:
        session.flush()
    except StaleDataError as err:
        raise ConflictError(
            f"Organisation {organisation_id} was changed by someone else meanwhile.",
            expected=expected_version,
        ) from err
    record(
        session,
        actor=actor,
        entity="organisation",
        entity_id=organisation_id,
        action="update",
        before=before,
        after=_profile(organisation),
    )
    return organisation


def delete_organisation(session: Session, *, actor: User | None, organisation_id: int) -> None:
    """Delete an organisation and everything that belongs to it (admin only)."""
    organisation = get_organisation(session, organisation_id)
    if actor is not None and actor.role != "admin":
        raise PermissionDeniedError(f"{actor.email} may not delete organisations (admin only).")
    before = _profile(organisation)
    session.delete(organisation)
    session.flush()
    record(
        session,
        actor=actor,
        entity="organisation",
        entity_id=organisation_id,
        action="delete",
        before=before,
    )


def add_member_organisation(
    session: Session,
    *,
    actor: User | None,
    organisation_id: int,
    name: str,
    member_type: str,
    classification: str | None = None,
    industry_code: str | None = None,
    region: str | None = None,
    website: str | None = None,
) -> MemberOrganisation:
    """Add a member firm or institution (``member_type`` in :data:`MEMBER_TYPES`).

    ``classification`` is ``"nace"`` or ``"naics"`` and names the system of ``industry_code``.
    """
    check_in(member_type, MEMBER_TYPES, name="member_type")
    if classification is not None:
        check_in(classification, ("nace", "naics"), name="classification")
    organisation = get_organisation(session, organisation_id)
    if actor is not None:
        require_edit(actor, organisation)
    member = MemberOrganisation(
        organisation_id=organisation_id,
        name=name,
        member_type=member_type,
        classification=classification,
        industry_code=industry_code,
        region=region,
        website=website,
    )
    session.add(member)
    session.flush()
    fields = ("name", "member_type", "classification", "industry_code", "region")
    record(
        session,
        actor=actor,
        entity="member_organisation",
        entity_id=member.id,
        action="create",
        after=snapshot(member, fields),
    )
    return member


__all__ = [
    "PROFILE_FIELDS",
    "TAG_FIELDS",
    "ConflictError",
    "PermissionDeniedError",
    "RecordNotFoundError",
    "add_comment",
    "add_member_organisation",
    "check_profile",
    "create_organisation",
    "create_post",
    "delete_organisation",
    "express_interest",
    "follow_post",
    "get_organisation",
    "get_post",
    "list_posts",
    "unfollow_post",
    "update_organisation",
]
