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
from dataclasses import dataclass

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
    MeetEvent,
    MeetParticipant,
    Organisation,
    OrganisationProposal,
    User,
)
from clusteratlas.registry.services import check_profile, create_organisation

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
    check_profile({"name": name, "country": country})
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


DUPLICATES_SHOWN = 5
"""Possible duplicates listed per pending proposal (best first)."""
DUPLICATE_CUTOFF = 80.0
"""Least name likeness (rapidfuzz ``token_set_ratio``, 0–100) of a possible duplicate."""


@dataclass(frozen=True)
class ProposalReview:
    """What an administrator needs to decide on a proposal.

    Attributes
    ----------
    proposal : OrganisationProposal
    proposed_by, decided_by : str or None
        E-mail addresses (``None``: account deleted, decided from the command line, or not
        decided yet).
    events : tuple of str
        Names of the events where participants registered with the proposal.
    duplicates : tuple of (Organisation, float)
        Registry organisations that may be the proposed one, with their likeness (0–100),
        best first (see :func:`possible_duplicates`). Only for pending proposals.
    """

    proposal: OrganisationProposal
    proposed_by: str | None
    decided_by: str | None
    events: tuple[str, ...]
    duplicates: tuple[tuple[Organisation, float], ...]


def _host(url: str | None) -> str:
    from urllib.parse import urlsplit

    host = urlsplit((url or "").strip().lower()).hostname or ""
    return host.removeprefix("www.")


def possible_duplicates(
    session: Session, proposal: OrganisationProposal, *, limit: int = DUPLICATES_SHOWN
) -> list[tuple[Organisation, float]]:
    """Return registry organisations that may be the organisation ``proposal`` names.

    Two signals: the same website host (``www.`` ignored; score 100), and a name or acronym
    resembling the proposed name by rapidfuzz's ``token_set_ratio`` (after its default
    processing: lower case, punctuation removed) of at least :data:`DUPLICATE_CUTOFF`. The
    token-set ratio scores a name whose words contain the other's at 100 ("Silicon Saxony
    e.V." / "Silicon Saxony"), a typo high ("Minalogik" / "Minalogic": 89), and a shared
    generic word low ("Quantum Valley Start-up" / "Cosmetic Valley": 57), unlike the
    search's ``WRatio`` (86 for the last pair). Best first; at equal score organisations of
    the proposal's country first.

    References
    ----------
    rapidfuzz, "fuzz.token_set_ratio", https://rapidfuzz.github.io/RapidFuzz/ .
    """
    from rapidfuzz import fuzz, process, utils

    found: dict[int, tuple[Organisation, float]] = {}
    host = _host(proposal.website)
    rows = session.execute(
        select(Organisation.id, Organisation.name, Organisation.acronym, Organisation.website)
    ).all()
    scores: dict[int, float] = {
        row.id: 100.0 for row in rows if host and _host(row.website) == host
    }
    choices = {(row.id, "name"): row.name for row in rows}
    choices.update({(row.id, "acronym"): row.acronym for row in rows if row.acronym})
    for _, score, (organisation_id, _) in process.extract(
        proposal.name, choices, scorer=fuzz.token_set_ratio, processor=utils.default_process,
        score_cutoff=DUPLICATE_CUTOFF, limit=None,
    ):  # fmt: skip
        scores[organisation_id] = max(scores.get(organisation_id, 0.0), float(score))
    for organisation in session.scalars(
        select(Organisation).where(Organisation.id.in_(list(scores)))
    ):
        found[organisation.id] = (organisation, scores[organisation.id])
    ranked = sorted(
        found.values(),
        key=lambda pair: (-pair[1], pair[0].country != proposal.country, pair[0].name),
    )
    return ranked[:limit]


def review_proposals(
    session: Session, *, actor: User | None, status: str | None = "pending",
    limit: int | None = None,
) -> list[ProposalReview]:  # fmt: skip
    """Return proposals with who proposed and decided, their events and possible duplicates.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
    actor : User or None
        An administrator (``None``: the command line).
    status : {"pending", "approved", "rejected", "decided"} or None, default "pending"
        ``"decided"``: approved and rejected ones; ``None``: all.
    limit : int, optional
        At most this many (the first in the order below).

    Returns
    -------
    list of ProposalReview
        Pending ones oldest first (the queue); otherwise newest decision first.

    Raises
    ------
    PermissionDeniedError
        When ``actor`` is no administrator.
    """
    if status == "decided":
        found = list_proposals(session, actor=actor, status=None)
        proposals = [p for p in found if p.status != "pending"]
    else:
        proposals = list_proposals(session, actor=actor, status=status)
    if status != "pending":
        proposals.sort(key=lambda p: (p.decided_at is None, p.decided_at or p.created_at, p.id),
                       reverse=True)  # fmt: skip
    proposals = proposals[:limit] if limit is not None else proposals
    people = ({p.proposed_by for p in proposals} | {p.decided_by for p in proposals}) - {None}
    users = session.execute(select(User.id, User.email).where(User.id.in_(people)))
    emails: dict[int | None, str] = {row.id: row.email for row in users}
    events: dict[int, list[str]] = {}
    rows = session.execute(
        select(MeetParticipant.proposal_id, MeetEvent.name)
        .join(MeetEvent, MeetEvent.id == MeetParticipant.event_id)
        .where(MeetParticipant.proposal_id.in_([p.id for p in proposals]))
        .order_by(MeetEvent.name)
    )
    for proposal_id, event in rows:
        named = events.setdefault(int(proposal_id or 0), [])
        if event not in named:
            named.append(event)
    return [
        ProposalReview(
            proposal=p,
            proposed_by=emails.get(p.proposed_by) if p.proposed_by is not None else None,
            decided_by=emails.get(p.decided_by) if p.decided_by is not None else None,
            events=tuple(events.get(p.id, ())),
            duplicates=tuple(possible_duplicates(session, p)) if p.status == "pending" else (),
        )
        for p in proposals
    ]


__all__ = [
    "DUPLICATE_CUTOFF",
    "ProposalReview",
    "approve_proposal",
    "list_proposals",
    "possible_duplicates",
    "propose_organisation",
    "reject_proposal",
    "review_proposals",
]
