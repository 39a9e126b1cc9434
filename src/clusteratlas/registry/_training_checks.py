"""Checks shared by the training offer's services: partnerships and programmes.

:mod:`clusteratlas.registry.services_training` (partnerships) and
:mod:`clusteratlas.registry.services_programmes` (programmes) read the same kinds of
arguments (an organisation id, a text with a length limit, a date) and ask the same
questions (is this user a manager of one of these organisations? is this organisation a
training provider's?). They live here, once, so that both services refuse the same input
with the same message. Each raises :class:`~clusteratlas.errors.ParameterError` naming the
field at fault.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from clusteratlas.errors import ParameterError
from clusteratlas.registry.models import Organisation, User
from clusteratlas.registry.seed import PROVIDER_KEY_PREFIX

PROVIDER_KIND = "training provider"
"""The organisation kind of a training provider's organisation."""
CLUSTER_KIND = "cluster organisation"
"""The organisation kind of a cluster organisation."""


def organisation_field(session: Session, organisation_id: Any, field: str) -> Organisation:
    """Return the organisation ``organisation_id`` names, for the argument ``field``.

    Raises
    ------
    ParameterError
        When ``organisation_id`` is not an int or names no organisation of the registry.
    """
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


def text_field(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    """Return ``value`` stripped (``""`` for ``None`` unless ``required``).

    Raises
    ------
    ParameterError
        When ``value`` is not text, is empty while ``required``, or is longer than
        ``limit`` characters once stripped.
    """
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


def date_field(value: Any, field: str) -> dt.date | None:
    """Return ``value`` as a date (``None`` stays ``None``; text as ``YYYY-MM-DD``).

    Raises
    ------
    ParameterError
        For anything else, or text that is not an ISO date.
    """
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ParameterError(f"The {field!r} field must be a date (YYYY-MM-DD). Got {value!r}.")


def is_manager_of(user: User, *organisation_ids: int | None) -> bool:
    """Return whether ``user`` is a manager of one of ``organisation_ids``.

    Whether the user is active is the caller's question.
    """
    return (
        user.role == "manager"
        and user.organisation_id is not None
        and user.organisation_id in organisation_ids
    )


def require_provider(provider: Organisation) -> None:
    """Refuse an organisation that is not a training provider's.

    Raises
    ------
    ParameterError
        Naming ``provider_organisation_id`` unless the organisation is of kind
        :data:`PROVIDER_KIND` with a key ``provider:…``.
    """
    if provider.kind != PROVIDER_KIND or not provider.key.startswith(PROVIDER_KEY_PREFIX):
        raise ParameterError(
            f"The 'provider_organisation_id' field must name a training provider's "
            f"organisation (kind 'training provider', key 'provider:…'); organisation "
            f"{provider.id} is not one."
        )
