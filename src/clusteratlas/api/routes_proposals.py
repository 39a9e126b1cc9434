"""Organisations proposed by participants: administrators list, approve or reject them.

See :mod:`clusteratlas.registry.proposals`. Approving creates the organisation in the
registry (or links the proposal to one already there) and gives it to the participants who
registered with the proposal.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field, StringConstraints

from clusteratlas.api.deps import AdminUser, SessionDep
from clusteratlas.api.schemas import ERROR_RESPONSES, TEXT, WRITE_RESPONSES, _Input
from clusteratlas.registry.models import OrganisationProposal
from clusteratlas.registry.proposals import approve_proposal, list_proposals, reject_proposal

router = APIRouter(prefix="/organisation-proposals", tags=["registry"], responses=ERROR_RESPONSES)
Id = Annotated[int, Path(ge=1, le=2_000_000_000)]


class ProposalOut(BaseModel):
    """A proposed organisation and the decision on it."""

    id: int
    name: str
    country: str
    type: str
    website: str | None
    status: str
    organisation_id: int | None
    reason: str | None
    created_at: dt.datetime
    decided_at: dt.datetime | None


class ApproveIn(_Input):
    """Approve: create the organisation, or link it to ``organisation_id`` (a duplicate)."""

    organisation_id: Annotated[int, Field(ge=1, le=2_000_000_000)] | None = None


class RejectIn(_Input):
    """Reject, saying why."""

    reason: Annotated[str, StringConstraints(pattern=TEXT, min_length=1, max_length=2000)]


def _out(p: OrganisationProposal) -> ProposalOut:
    return ProposalOut(id=p.id, name=p.name, country=p.country, type=p.type, website=p.website,
                       status=p.status, organisation_id=p.organisation_id, reason=p.reason,
                       created_at=p.created_at, decided_at=p.decided_at)  # fmt: skip


@router.get("", response_model=list[ProposalOut], responses=WRITE_RESPONSES,
            summary="Proposed organisations (admin)")  # fmt: skip
def proposals(
    session: SessionDep,
    user: AdminUser,
    status: Annotated[Literal["pending", "approved", "rejected"] | None, Query()] = "pending",
) -> list[ProposalOut]:
    """List proposals, oldest first (pending ones by default)."""
    return [_out(p) for p in list_proposals(session, actor=user, status=status)]


@router.post("/{proposal_id}/approve", response_model=ProposalOut, responses=WRITE_RESPONSES,
             summary="Approve a proposed organisation (admin)")  # fmt: skip
def approve(proposal_id: Id, body: ApproveIn, session: SessionDep, user: AdminUser) -> ProposalOut:
    """Create the organisation (or link an existing one); its participants get it."""
    approve_proposal(session, actor=user, proposal_id=proposal_id,
                     organisation_id=body.organisation_id)  # fmt: skip
    session.commit()
    found = session.get(OrganisationProposal, proposal_id)
    assert found is not None
    return _out(found)


@router.post("/{proposal_id}/reject", response_model=ProposalOut, responses=WRITE_RESPONSES,
             summary="Reject a proposed organisation (admin)")  # fmt: skip
def reject(proposal_id: Id, body: RejectIn, session: SessionDep, user: AdminUser) -> ProposalOut:
    """Reject the proposal with a reason (its participants stay registered, flagged)."""
    found = reject_proposal(session, actor=user, proposal_id=proposal_id, reason=body.reason)
    session.commit()
    return _out(found)
