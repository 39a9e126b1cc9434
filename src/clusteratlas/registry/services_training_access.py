"""Who may record what in the training offer: the choices the dashboard's forms offer.

The write services (:mod:`clusteratlas.registry.services_programmes`,
:mod:`clusteratlas.registry.services_training`) decide each change; the functions here
answer the questions a page asks before it shows a control, with the same rules, so that
a form is offered only to someone whose submission the service would accept:

- programmes: an active administrator for every training provider, an active manager for
  the provider's organisation it manages (:func:`programme_providers`,
  :func:`editable_programmes`);
- partnerships: an active administrator between any cluster organisation and any
  provider; an active manager of a cluster organisation between it and any provider; an
  active manager of a provider's organisation between any cluster organisation and it
  (:func:`partnership_sides`, :func:`may_record_partnership_with`); ending one, the
  administrators and the managers of either side (:func:`editable_partnerships`).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from clusteratlas.registry._training_checks import CLUSTER_KIND, PROVIDER_KIND
from clusteratlas.registry.models import Organisation, TrainingPartnership, User
from clusteratlas.registry.seed import PROVIDER_KEY_PREFIX
from clusteratlas.registry.services_programmes import can_edit_programmes
from clusteratlas.registry.services_training import can_edit_partnership


def _is_provider(organisation: Organisation) -> bool:
    return organisation.kind == PROVIDER_KIND and organisation.key.startswith(PROVIDER_KEY_PREFIX)


def _of_kind(session: Session, kind: str) -> list[Organisation]:
    found = session.scalars(
        select(Organisation).where(Organisation.kind == kind).order_by(Organisation.name)
    )
    return [o for o in found if kind != PROVIDER_KIND or _is_provider(o)]


def _managed(session: Session, user: User | None) -> Organisation | None:
    """Return the organisation an active manager manages (``None`` for anyone else)."""
    if user is None or not user.active or user.role != "manager" or user.organisation_id is None:
        return None
    return session.get(Organisation, user.organisation_id)


def _is_admin(user: User | None) -> bool:
    return user is not None and user.active and user.role == "admin"


def programme_providers(session: Session, user: User | None) -> list[Organisation]:
    """Return the providers' organisations ``user`` may add programmes to, by name.

    Every one for an active administrator; the one an active manager manages, when it is a
    provider's; none for anyone else.
    """
    if _is_admin(user):
        return _of_kind(session, PROVIDER_KIND)
    managed = _managed(session, user)
    return [managed] if managed is not None and can_edit_programmes(user, managed) else []


def editable_programmes(session: Session, user: User | None) -> set[str]:
    """Return the ids of the programmes ``user`` may change and delete."""
    from clusteratlas.registry.models import TrainingProgramme

    if _is_admin(user):
        return set(session.scalars(select(TrainingProgramme.programme_id)))
    providers = [o.id for o in programme_providers(session, user)]
    query = select(TrainingProgramme.programme_id).where(
        TrainingProgramme.provider_organisation_id.in_(providers)
    )
    return set(session.scalars(query))


def partnership_sides(
    session: Session, user: User | None
) -> tuple[list[Organisation], list[Organisation]]:
    """Return the cluster organisations and the providers ``user`` may record partnerships of.

    Returns
    -------
    tuple of (list of Organisation, list of Organisation)
        Both by name: all of both kinds for an administrator; the managed cluster
        organisation and every provider for its manager; every cluster organisation and
        the managed provider for a provider's manager; two empty lists for anyone else.
    """
    if _is_admin(user):
        return _of_kind(session, CLUSTER_KIND), _of_kind(session, PROVIDER_KIND)
    managed = _managed(session, user)
    if managed is not None and managed.kind == CLUSTER_KIND:
        return [managed], _of_kind(session, PROVIDER_KIND)
    if managed is not None and _is_provider(managed):
        return _of_kind(session, CLUSTER_KIND), [managed]
    return [], []


def may_record_partnership_with(
    session: Session, user: User | None, organisation: Organisation
) -> bool:
    """Return whether ``user`` may record a partnership that has ``organisation`` as a side.

    Its own organisation for a manager (of either kind), the other kind's for the
    manager of a cluster organisation or of a provider, any for an administrator.
    """
    if organisation.kind != CLUSTER_KIND and not _is_provider(organisation):
        return False
    if _is_admin(user):
        return True
    managed = _managed(session, user)
    if managed is None:
        return False
    if managed.id == organisation.id:
        return True
    if managed.kind == CLUSTER_KIND:
        return _is_provider(organisation)
    return _is_provider(managed) and organisation.kind == CLUSTER_KIND


def editable_partnerships(session: Session, user: User | None) -> set[int]:
    """Return the ids of the active partnerships ``user`` may change or end."""
    if user is None or not user.active:
        return set()
    query = select(TrainingPartnership).where(TrainingPartnership.status == "active")
    return {p.id for p in session.scalars(query) if can_edit_partnership(user, p)}
