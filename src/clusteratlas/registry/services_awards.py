"""Label awards on the registry: awarding, ending, listing, expiring; peer benchmarks.

An award's validity comes from its scheme (:func:`clusteratlas.labels.awards.label_validity`,
renewals included) unless given. Accepting an assessment
(:func:`.services_reviews.review_assessment`) awards through :func:`record_award`; reviewers
of the scheme and administrators also record awards made elsewhere (:func:`add_award`) and end awards early
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
    ConflictError,
    ParameterError,
    RecordNotFoundError,
)
from clusteratlas.labels.awards import expiring_labels, label_validity
from clusteratlas.labels.benchmark import DEFAULT_MIN_PEERS, BenchmarkResult, benchmark_peers
from clusteratlas.labels.schemes import LabelScheme
from clusteratlas.labels.scoring import score_assessment
from clusteratlas.registry.audit import record
from clusteratlas.registry.models import (
    LabelAssessment,
    LabelAward,
    Organisation,
    User,
)
from clusteratlas.registry.services_labels import (
    get_scheme,
    library_assessment,
    require_assessed_kind,
    require_reviewer,
)

MIN_PEERS_ENV = "CLUSTERATLAS_LABELS_MIN_PEERS"


def min_peers() -> int:
    """Return N, the fewest peers a benchmark shows (``CLUSTERATLAS_LABELS_MIN_PEERS``, 5)."""
    return int(env_number(MIN_PEERS_ENV, DEFAULT_MIN_PEERS, low=2, high=10_000))


def record_award(
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
    """Add an award (no permission check: callers check); audited.

    ``valid_until`` defaults to the scheme's validity from ``awarded_on``, as a renewal when
    the organisation held the same level before. An organisation of a kind the scheme does
    not assess is refused (its kind may have changed since its assessment began).
    """
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise RecordNotFoundError(f"There is no organisation with id {organisation_id}.")
    require_assessed_kind(scheme, organisation)
    name = (
        scheme.level(level).name
        if level.lower() in {lv.name.lower() for lv in scheme.levels}
        else level
    )
    if valid_until is None:
        query = select(LabelAward.valid_until).where(
            LabelAward.organisation_id == organisation_id,
            LabelAward.scheme == scheme.id,
            LabelAward.level == name,
            LabelAward.awarded_on < awarded_on,
        )
        expiries = [d for d in session.scalars(query) if d is not None]
        previous = max(expiries) if expiries else None
        valid_until = label_validity(
            scheme, level=name, awarded=awarded_on, previous_expiry=previous
        )
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
    record(
        session, actor=actor, entity="label_award", entity_id=award.id, action="create", after=after
    )
    return award


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
    require_reviewer(session, actor, found.id, "award its labels")
    if session.get(Organisation, organisation_id) is None:
        raise RecordNotFoundError(f"There is no organisation with id {organisation_id}.")
    label_validity(found, level=level, awarded=awarded_on)  # an unknown level is refused here
    return record_award(
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
    require_reviewer(session, actor, award.scheme, "end its labels")
    if award.ended_on is not None:
        raise ConflictError(f"Award {award_id} was already ended on {award.ended_on}.")
    if not reason.strip():
        raise ParameterError("The 'reason' parameter must say why the label ends early.")
    if ended_on < award.awarded_on or (
        award.valid_until is not None and ended_on > award.valid_until
    ):
        raise ParameterError(
            f"The 'ended_on' parameter must lie in [{award.awarded_on}, "
            f"{award.valid_until or 'open'}] (the award's validity). Got {ended_on} instead."
        )
    award.ended_on, award.end_reason = ended_on, reason.strip()
    session.flush()
    after = {"ended_on": ended_on, "end_reason": award.end_reason}
    record(
        session, actor=actor, entity="label_award", entity_id=award.id, action="end", after=after
    )
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
    awards = list(
        session.scalars(query.order_by(LabelAward.awarded_on.desc(), LabelAward.id.desc()))
    )
    if current_on is not None:
        awards = [a for a in awards if _current(a, current_on)]
    return awards


def award_state(award: LabelAward, on: dt.date) -> str:
    """Say what an award is on day ``on``: ``current``, ``ended``, ``expired`` or ``future``.

    An award is current from its award day through ``valid_until`` (inclusive), unless it
    was ended early: from ``ended_on`` on it is ``ended``. After ``valid_until`` it is
    ``expired``; before its award day, ``future``.
    """
    if award.ended_on is not None and award.ended_on <= on:
        return "ended"
    if award.awarded_on > on:
        return "future"
    if award.valid_until is not None and on > award.valid_until:
        return "expired"
    return "current"


def _current(award: LabelAward, on: dt.date) -> bool:
    return award_state(award, on) == "current"


def expiring_awards(
    session: Session,
    *,
    today: dt.date,
    within_months: int = 6,
    organisation_id: int | None = None,
) -> list[tuple[LabelAward, int]]:
    """Return the current awards that expire within ``within_months``, soonest first.

    Each comes with its days left (:func:`clusteratlas.labels.awards.expiring_labels`).
    """
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
    "list_awards",
    "min_peers",
    "record_award",
]
