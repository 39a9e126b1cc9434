"""Organisations proposed by participants: pending until an administrator decides.

A participant registering to an event for an organisation not in the registry proposes it
(:func:`propose_organisation`). The proposal goes through the registry's own checks of an
organisation's fields (those of :func:`~.services.create_organisation`) at once, and enters
the registry only when an administrator approves it: :func:`approve_proposal` creates the
organisation with :func:`~.services.create_organisation` (admin only, audited), or links
the proposal to an organisation already there (a duplicate); :func:`reject_proposal` says
why not. Participants registered with a proposal get its organisation on approval.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from clusteratlas._validation import check_in
from clusteratlas.errors import (
    ConflictError,
    ParameterError,
    PermissionDeniedError,
    RecordNotFoundError,
)
from clusteratlas.registry.audit import record, snapshot
from clusteratlas.registry.models import (
    PROPOSAL_STATUSES,
    MeetParticipant,
    Organisation,
    OrganisationProposal,
    User,
)
from clusteratlas.registry.services import _check_profile, create_organisation

_WEBSITE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_FIELDS = ("name", "country", "type", "website", "status", "organisation_id")


def _require_admin(actor: User | None, what: str) -> User | None:
    if actor is not None and (not actor.active or actor.role != "admin"):
        raise PermissionDeniedError(f"Only an administrator may {what}.")
    return actor


def propose_organisation(
    session: Session, *, actor: User, name: str, country: str, type: str,
    website: str | None = None,
) -> OrganisationProposal:  # fmt: skip
    """Store a proposed organisation as ``pending`` (checked as the registry checks profiles).

    Raises
    ------
    ParameterError
        For an empty name, a country that is not an ISO 3166-1 alpha-2 code, or a website
        that is not an http(s) address.
    """
    name, country = name.strip(), country.strip().upper()
    _check_profile({"name": name, "country": country})
    if website is not None and website.strip() and not _WEBSITE.match(website.strip()):
        raise ParameterError(
            f"The 'website' parameter must be an http(s) address such as "
            f"https://example.org; got {website!r}."
        )
    proposal = OrganisationProposal(name=name, country=country, type=type,
                                    website=(website or "").strip() or None, proposed_by=actor.id)  # fmt: skip
    session.add(proposal)
    session.flush()
    record(session, actor=actor, entity="organisation_proposal", entity_id=proposal.id,
           action="create", after=snapshot(proposal, _FIELDS))  # fmt: skip
    return proposal


def list_proposals(
    session: Session, *, actor: User | None, status: str | None = "pending"
) -> list[OrganisationProposal]:
    """Return the proposals (administrators only), oldest first; of one status by default."""
    _require_admin(actor, "read proposed organisations")
    query = select(OrganisationProposal).order_by(OrganisationProposal.id)
    if status is not None:
        check_in(status, PROPOSAL_STATUSES, name="status")
        query = query.where(OrganisationProposal.status == status)
    return list(session.scalars(query))


def _pending(session: Session, proposal_id: int) -> OrganisationProposal:
    proposal = session.get(OrganisationProposal, proposal_id)
    if proposal is None:
        raise RecordNotFoundError(f"There is no proposed organisation {proposal_id}.")
    if proposal.status != "pending":
        raise ConflictError(f"Proposed organisation {proposal_id} is already {proposal.status}.")
    return proposal


def approve_proposal(
    session: Session, *, actor: User | None, proposal_id: int, organisation_id: int | None = None,
    now: dt.datetime | None = None,
) -> Organisation:  # fmt: skip
    """Approve a proposal: create its organisation, or link it to ``organisation_id``.

    Participants registered with the proposal then represent that organisation.

    Raises
    ------
    PermissionDeniedError
        When ``actor`` is no administrator (``None``: the command line).
    RecordNotFoundError, ConflictError
        For an unknown proposal or organisation, or a proposal already decided.
    """
    _require_admin(actor, "approve a proposed organisation")
    proposal = _pending(session, proposal_id)
    if organisation_id is not None:
        organisation = session.get(Organisation, organisation_id)
        if organisation is None:
            raise RecordNotFoundError(f"There is no organisation {organisation_id}.")
    else:
        data = {"name": proposal.name, "country": proposal.country, "website": proposal.website}
        organisation = create_organisation(session, actor=actor, data=data)
    proposal.status, proposal.organisation_id = "approved", organisation.id
    proposal.decided_by = actor.id if actor is not None else None
    proposal.decided_at = now or dt.datetime.now(dt.UTC)
    session.execute(
        update(MeetParticipant)
        .where(MeetParticipant.proposal_id == proposal.id)
        .values(organisation_id=organisation.id)
    )
    record(session, actor=actor, entity="organisation_proposal", entity_id=proposal.id,
           action="update", after={"status": "approved", "organisation_id": organisation.id})  # fmt: skip
    return organisation


def reject_proposal(
    session: Session, *, actor: User | None, proposal_id: int, reason: str,
    now: dt.datetime | None = None,
) -> OrganisationProposal:  # fmt: skip
    """Reject a proposal, saying why (its participants stay registered, flagged).

    Raises
    ------
    ParameterError
        Without a reason.
    """
    _require_admin(actor, "reject a proposed organisation")
    if not reason.strip():
        raise ParameterError("The 'reason' parameter must say why the proposal is rejected.")
    proposal = _pending(session, proposal_id)
    proposal.status, proposal.reason = "rejected", reason.strip()
    proposal.decided_by = actor.id if actor is not None else None
    proposal.decided_at = now or dt.datetime.now(dt.UTC)
    record(session, actor=actor, entity="organisation_proposal", entity_id=proposal.id,
           action="update", after={"status": "rejected", "reason": proposal.reason})  # fmt: skip
    return proposal


__all__ = ["approve_proposal", "list_proposals", "propose_organisation", "reject_proposal"]
