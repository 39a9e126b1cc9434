"""Label reviews and awards on the registry: reviewers, decisions, awards, benchmarks.

A reviewer of a scheme (an administrator, or a user an administrator granted the scheme
with :func:`grant_reviewer`) reviews submitted assessments (:func:`review_assessment`):
it requests changes (the assessment goes back to the organisation's manager), rejects it,
or accepts it, which awards the level the score reaches (or a lower one the reviewer
names) from a start date, valid as the scheme says
(:func:`clusteratlas.labels.awards.label_validity`, renewals included). Reviewers and
administrators also record awards made elsewhere (:func:`add_award`) and end awards early
with a reason (:func:`end_award`). Awards are public (:func:`list_awards`,
:func:`expiring_awards`). :func:`benchmark` compares accepted assessments with
:func:`clusteratlas.labels.benchmark.benchmark_peers` (shown only for at least N peers, and
never when it would let one peer be read back by differencing). Every change is audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from clusteratlas._validation import env_number
from clusteratlas.errors import (
    AssessmentError,
    ConflictError,
    ParameterError,
    PermissionDeniedError,
    RecordNotFoundError,
)
from clusteratlas.labels.assessment import Assessment
from clusteratlas.labels.awards import expiring_labels, label_validity
from clusteratlas.labels.benchmark import DEFAULT_MIN_PEERS, BenchmarkResult, benchmark_peers
from clusteratlas.labels.scoring import ScoreResult, score_assessment
from clusteratlas.labels.schemes import LabelScheme
from clusteratlas.registry.audit import record
from clusteratlas.registry.models import (
    LabelAssessment,
    LabelAward,
    LabelReview,
    Organisation,
    ReviewerGrant,
    User,
)
from clusteratlas.registry.models_labels import DECISIONS
from clusteratlas.registry.services_labels import (
    get_assessment,
    get_scheme,
    is_reviewer,
    library_assessment,
    scheme_of,
)

MIN_PEERS_ENV = "CLUSTERATLAS_LABELS_MIN_PEERS"


def min_peers() -> int:
    """Return N, the fewest peers a benchmark shows (``CLUSTERATLAS_LABELS_MIN_PEERS``, 5)."""
    return int(env_number(MIN_PEERS_ENV, DEFAULT_MIN_PEERS, low=2, high=10_000))


def _require_admin(actor: User | None, what: str) -> User:
    if actor is None or not actor.active or actor.role != "admin":
        raise PermissionDeniedError(f"Only an administrator may {what}.")
    return actor


def _require_reviewer(session: Session, actor: User | None, scheme: str, what: str) -> User:
    if actor is None or not is_reviewer(session, actor, scheme):
        raise PermissionDeniedError(f"Only a reviewer of {scheme} or an administrator may {what}.")
    return actor


def grant_reviewer(session: Session, *, actor: User | None, user_id: int, scheme: str) -> ReviewerGrant:
    """Let a user review a scheme's assessments (administrators only; idempotent)."""
    _require_admin(actor, "grant the reviewer role")
    get_scheme(scheme)
    user = session.get(User, user_id)
    if user is None:
        raise RecordNotFoundError(f"There is no user {user_id}.")
    found = session.scalar(
        select(ReviewerGrant).where(ReviewerGrant.user_id == user_id, ReviewerGrant.scheme == scheme)
    )
    if found is not None:
        return found
    grant = ReviewerGrant(user_id=user_id, scheme=scheme, granted_by=actor.id if actor else None)
    session.add(grant)
    session.flush()
    after = {"user_id": user_id, "scheme": scheme}
    record(session, actor=actor, entity="label_reviewer", entity_id=grant.id, action="create", after=after)
    return grant


def revoke_reviewer(session: Session, *, actor: User | None, user_id: int, scheme: str) -> None:
    """Withdraw a reviewer grant (administrators only; no error when there is none)."""
    _require_admin(actor, "withdraw the reviewer role")
    found = session.scalar(
        select(ReviewerGrant).where(ReviewerGrant.user_id == user_id, ReviewerGrant.scheme == scheme)
    )
    if found is not None:
        before = {"user_id": user_id, "scheme": scheme}
        record(session, actor=actor, entity="label_reviewer", entity_id=found.id, action="delete", before=before)
        session.delete(found)
        session.flush()


def list_reviewers(session: Session, *, scheme: str | None = None) -> list[ReviewerGrant]:
    """Return the reviewer grants, by scheme and user."""
    query = select(ReviewerGrant)
    if scheme is not None:
        query = query.where(ReviewerGrant.scheme == scheme)
    return list(session.scalars(query.order_by(ReviewerGrant.scheme, ReviewerGrant.user_id)))


def _accepted(session: Session, organisation_id: int, scheme: str) -> list[LabelAssessment]:
    query = select(LabelAssessment).where(
        LabelAssessment.organisation_id == organisation_id,
        LabelAssessment.scheme == scheme,
        LabelAssessment.status == "accepted",
    )
    return list(session.scalars(query.order_by(LabelAssessment.decided_at, LabelAssessment.id)))


def held_levels(session: Session, organisation_id: int, scheme: str, *, on: dt.date) -> tuple[str, ...]:
    """Return the levels of ``scheme`` the organisation holds on ``on`` (not ended, not expired)."""
    query = select(LabelAward).where(
        LabelAward.organisation_id == organisation_id, LabelAward.scheme == scheme
    )
    return tuple(
        a.level
        for a in session.scalars(query)
        if a.awarded_on <= on
        and (a.valid_until is None or on <= a.valid_until)
        and (a.ended_on is None or on < a.ended_on)
    )


def score(
    session: Session, assessment: LabelAssessment, *, on: dt.date | None = None
) -> tuple[LabelScheme, ScoreResult, Assessment]:
    """Score an assessment, with the organisation's previous accepted one and held levels."""
    scheme = scheme_of(assessment)
    mine = library_assessment(assessment)
    earlier = [a for a in _accepted(session, assessment.organisation_id, assessment.scheme) if a.id != assessment.id and a.id < assessment.id]
    previous = library_assessment(earlier[-1]) if earlier else None
    if previous is not None and previous.version != mine.version:
        previous = None
    held = held_levels(session, assessment.organisation_id, assessment.scheme, on=on or dt.date.today())
    result = score_assessment(scheme, mine, previous=previous, held=held)
    return scheme, result, mine


def _new_award(
    session: Session,
    *,
    actor: User | None,
    scheme: LabelScheme,
    organisation_id: int,
    level: str,
    awarded_on: dt.date,
    valid_until: dt.date | None = None,
    assessment_id: int | None = None,
    score_share: float | None = None,
) -> LabelAward:
    name = scheme.level(level).name if level.lower() in {lv.name.lower() for lv in scheme.levels} else level
    if valid_until is None:
        query = select(LabelAward.valid_until).where(
            LabelAward.organisation_id == organisation_id,
            LabelAward.scheme == scheme.id,
            LabelAward.level == name,
            LabelAward.awarded_on < awarded_on,
        )
        expiries = [d for d in session.scalars(query) if d is not None]
        previous = max(expiries) if expiries else None
        valid_until = label_validity(scheme, level=name, awarded=awarded_on, previous_expiry=previous)
    elif valid_until < awarded_on:
        raise ParameterError(f"valid_until ({valid_until}) is before awarded_on ({awarded_on}).")
    award = LabelAward(
        organisation_id=organisation_id,
        scheme=scheme.id,
        scheme_version=scheme.version,
        level=name,
        assessment_id=assessment_id,
        score_share=score_share,
        awarded_on=awarded_on,
        valid_until=valid_until,
        awarded_by=actor.id if actor else None,
    )
    session.add(award)
    session.flush()
    after = {
        "organisation_id": organisation_id,
        "scheme": scheme.id,
        "level": name,
        "awarded_on": awarded_on,
        "valid_until": valid_until,
        "assessment_id": assessment_id,
    }
    record(session, actor=actor, entity="label_award", entity_id=award.id, action="create", after=after)
    return award


def review_assessment(
    session: Session,
    *,
    actor: User | None,
    assessment_id: int,
    decision: str,
    comment: str | None = None,
    indicator_comments: Mapping[str, str] | None = None,
    level: str | None = None,
    awarded_on: dt.date | None = None,
) -> tuple[LabelReview, LabelAward | None]:
    """Decide on a submitted assessment: ``request_changes``, ``accept`` or ``reject``.

    Parameters
    ----------
    decision : {"request_changes", "accept", "reject"}
    comment : str, optional
        Required to request changes or reject (unless ``indicator_comments`` say it).
    indicator_comments : mapping, optional
        Indicator id → comment; ids must be the scheme's.
    level : str, optional
        For ``accept``: the level awarded (default the highest the score reaches); it must
        be one the score reaches.
    awarded_on : datetime.date, optional
        For ``accept``: the label's start date (default today).

    Returns
    -------
    (LabelReview, LabelAward or None)

    Raises
    ------
    PermissionDeniedError
        When ``actor`` does not review the scheme, or manages the organisation assessed.
    ConflictError
        When the assessment is not ``submitted``.
    AssessmentError
        For an unknown decision or indicator, a missing comment, or a level not reached.
    """
    if decision not in DECISIONS:
        raise AssessmentError(f"decision must be one of {', '.join(DECISIONS)}; got {decision!r}.")
    assessment = get_assessment(session, actor=actor, assessment_id=assessment_id)
    reviewer = _require_reviewer(session, actor, assessment.scheme, "review its assessments")
    if reviewer.role == "manager" and reviewer.organisation_id == assessment.organisation_id:
        raise PermissionDeniedError("A reviewer may not review the organisation it manages.")
    if assessment.status != "submitted":
        raise ConflictError(f"Assessment {assessment.id} is {assessment.status}; only a submitted one is reviewed.")
    notes = {str(k): str(v) for k, v in (indicator_comments or {}).items() if str(v).strip()}
    scheme, result, _ = score(session, assessment, on=awarded_on)
    unknown = sorted(set(notes) - {i.id for i in scheme.indicators})
    if unknown:
        raise AssessmentError(f"indicator_comments: scheme {scheme.label} has no indicator(s) {', '.join(map(repr, unknown))}.")
    if decision != "accept" and not (comment or "").strip() and not notes:
        raise AssessmentError(f"A decision to {decision.replace('_', ' ')} needs a comment saying why.")
    award = None
    if decision == "accept":
        reached = [c.level for c in result.levels if c.reached]
        name = level or result.level
        if name is None or name.lower() not in {r.lower() for r in reached}:
            got = f"level {name!r}" if name else "no level"
            raise AssessmentError(
                f"The assessment reaches {', '.join(reached) or 'no level'}; it cannot be accepted "
                f"for {got}. Request changes or reject it instead."
            )
        award = _new_award(
            session,
            actor=actor,
            scheme=scheme,
            organisation_id=assessment.organisation_id,
            level=name,
            awarded_on=awarded_on or dt.date.today(),
            assessment_id=assessment.id,
            score_share=float(result.share),
        )
    review = LabelReview(
        assessment_id=assessment.id,
        reviewer_id=reviewer.id,
        decision=decision,
        comment=comment,
        indicator_comments=notes,
    )
    session.add(review)
    status = {"request_changes": "changes_requested", "accept": "accepted", "reject": "rejected"}[decision]
    assessment.status = status
    assessment.decided_at = dt.datetime.now(dt.UTC) if status != "changes_requested" else None
    session.flush()
    record(
        session,
        actor=actor,
        entity="label_assessment",
        entity_id=assessment.id,
        action="review",
        before={"status": "submitted"},
        after={"status": status, "review_id": review.id, "award_id": award.id if award else None},
        note=comment,
    )
    return review, award


def add_award(
    session: Session,
    *,
    actor: User | None,
    organisation_id: int,
    scheme: str,
    level: str,
    awarded_on: dt.date,
    valid_until: dt.date | None = None,
) -> LabelAward:
    """Record a label awarded outside this workflow (reviewers of the scheme, administrators).

    ``valid_until`` defaults to what the scheme gives (:func:`label_validity`).
    """
    found = get_scheme(scheme)
    _require_reviewer(session, actor, found.id, "award its labels")
    if session.get(Organisation, organisation_id) is None:
        raise RecordNotFoundError(f"There is no organisation with id {organisation_id}.")
    label_validity(found, level=level, awarded=awarded_on)  # an unknown level is refused here
    return _new_award(
        session,
        actor=actor,
        scheme=found,
        organisation_id=organisation_id,
        level=level,
        awarded_on=awarded_on,
        valid_until=valid_until,
    )


def end_award(
    session: Session, *, actor: User | None, award_id: int, ended_on: dt.date, reason: str
) -> LabelAward:
    """End an award early, with a reason (reviewers of its scheme, administrators).

    Raises
    ------
    ConflictError
        When the award was already ended.
    ParameterError
        For an empty reason, or an end date before the award or after its expiry.
    """
    award = session.get(LabelAward, award_id)
    if award is None:
        raise RecordNotFoundError(f"There is no award {award_id}.")
    _require_reviewer(session, actor, award.scheme, "end its labels")
    if award.ended_on is not None:
        raise ConflictError(f"Award {award_id} was already ended on {award.ended_on}.")
    if not reason.strip():
        raise ParameterError("The 'reason' parameter must say why the label ends early.")
    if ended_on < award.awarded_on or (award.valid_until is not None and ended_on > award.valid_until):
        raise ParameterError(
            f"The 'ended_on' parameter must lie in [{award.awarded_on}, "
            f"{award.valid_until or 'open'}] (the award's validity). Got {ended_on} instead."
        )
    award.ended_on, award.end_reason = ended_on, reason.strip()
    session.flush()
    after = {"ended_on": ended_on, "end_reason": award.end_reason}
    record(session, actor=actor, entity="label_award", entity_id=award.id, action="end", after=after)
    return award


def list_awards(
    session: Session,
    *,
    organisation_id: int | None = None,
    scheme: str | None = None,
    current_on: dt.date | None = None,
) -> list[LabelAward]:
    """Return awards, newest first; with ``current_on`` only those valid that day."""
    query = select(LabelAward)
    if organisation_id is not None:
        query = query.where(LabelAward.organisation_id == organisation_id)
    if scheme is not None:
        query = query.where(LabelAward.scheme == scheme)
    awards = list(session.scalars(query.order_by(LabelAward.awarded_on.desc(), LabelAward.id.desc())))
    if current_on is not None:
        awards = [a for a in awards if _current(a, current_on)]
    return awards


def _current(award: LabelAward, on: dt.date) -> bool:
    return (
        award.awarded_on <= on
        and (award.valid_until is None or on <= award.valid_until)
        and (award.ended_on is None or on < award.ended_on)
    )


def expiring_awards(
    session: Session,
    *,
    today: dt.date,
    within_months: int = 6,
    organisation_id: int | None = None,
) -> list[tuple[LabelAward, int]]:
    """Return the current awards that expire within ``within_months``, soonest first,
    each with its days left (:func:`clusteratlas.labels.awards.expiring_labels`)."""
    awards = {
        a.id: a
        for a in list_awards(session, organisation_id=organisation_id)
        if _current(a, today) and a.valid_until is not None
    }
    if not awards:
        return []
    frame = pd.DataFrame(
        [
            {
                "id": a.id,
                "organisation_id": a.organisation_id,
                "scheme": a.scheme,
                "level": a.level,
                "awarded": a.awarded_on,
                "valid_until": a.valid_until,
            }
            for a in awards.values()
        ]
    )
    soon = expiring_labels(frame, today=today, within_months=within_months)
    return [(awards[int(i)], int(d)) for i, d in zip(soon["id"], soon["days_left"], strict=True)]


def benchmark(
    session: Session,
    *,
    scheme: str,
    filters: Mapping[str, str] | None = None,
    target_organisation: int | None = None,
    peers: int | None = None,
) -> BenchmarkResult:
    """Compare accepted assessments of a scheme: group-score percentiles of a peer group.

    Each organisation counts once, by its latest accepted assessment of the scheme's current
    version; drafts, submitted, sent-back and rejected assessments never count. The group
    is shown only under the disclosure rule of :mod:`clusteratlas.labels.benchmark` with
    N = ``peers`` (default :func:`min_peers`).
    """
    found = get_scheme(scheme)
    n = min_peers() if peers is None else peers
    latest: dict[int, LabelAssessment] = {}
    query = select(LabelAssessment).where(
        LabelAssessment.scheme == found.id,
        LabelAssessment.scheme_version == found.version,
        LabelAssessment.status == "accepted",
    )
    for a in session.scalars(query.order_by(LabelAssessment.decided_at, LabelAssessment.id)):
        latest[a.organisation_id] = a
    groups = [g.id for g in found.groups]
    rows: list[dict[str, Any]] = []
    for org, a in latest.items():
        result = score_assessment(found, library_assessment(a))
        shares = dict(zip(result.groups["group"], result.groups["share"], strict=True))
        rows.append(
            {
                "organisation_id": str(org),
                "country": a.peer_country,
                "ecosystem": a.peer_ecosystem,
                "size_band": a.peer_size_band,
                **{g: float(shares[g]) for g in groups},
            }
        )
    columns = ["organisation_id", "country", "ecosystem", "size_band", *groups]
    frame = pd.DataFrame(rows, columns=columns)
    target = str(target_organisation) if target_organisation in latest else None
    return benchmark_peers(frame, groups=groups, filters=filters, min_peers=n, target=target)


__all__ = [
    "MIN_PEERS_ENV",
    "add_award",
    "benchmark",
    "end_award",
    "expiring_awards",
    "grant_reviewer",
    "held_levels",
    "list_awards",
    "list_reviewers",
    "min_peers",
    "review_assessment",
    "revoke_reviewer",
    "score",
]
