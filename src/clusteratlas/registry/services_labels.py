"""Label self-assessments on the registry: drafts, answers, evidence, submission, reading.

The workflow of a cluster manager (the manager of the organisation, or an administrator):
:func:`create_assessment` starts a draft for its organisation, pre-filled from the registry
record (each pre-filled answer names its source); :func:`save_answers` saves answers as
they go, checked against the scheme; evidence is attached with :mod:`.services_evidence`;
:func:`submit_assessment` hands it to the labelling body. Reviews are in
:mod:`.services_reviews`, awards and benchmarks in :mod:`.services_awards`.

Who may read what: the organisation's manager and administrators read its assessments in
every status; a reviewer of the scheme (:func:`is_reviewer`) reads them once submitted; no
one else does, and an assessment one may not read is answered as if it did not exist.
Every change adds an audit entry; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from sqlalchemy import false, or_, select
from sqlalchemy.orm import Session

from clusteratlas.errors import (
    AssessmentError,
    ConflictError,
    ParameterError,
    PermissionDeniedError,
    RecordNotFoundError,
)
from clusteratlas.labels.assessment import Answer, Assessment, make_answer, prefill_answers
from clusteratlas.labels.benchmark import size_band
from clusteratlas.labels.schemefile import list_schemes, load_scheme
from clusteratlas.labels.schemes import LabelScheme
from clusteratlas.registry.audit import record
from clusteratlas.registry.auth import can_edit, require_edit
from clusteratlas.registry.models import (
    LabelAnswer,
    LabelAssessment,
    Organisation,
    ReviewerGrant,
    User,
)
from clusteratlas.registry.models_labels import EDITABLE_STATUSES, OPEN_STATUSES


def get_scheme(scheme_id: str) -> LabelScheme:
    """Return a built-in label scheme, or raise :class:`RecordNotFoundError`."""
    if scheme_id not in list_schemes():
        known = ", ".join(list_schemes())
        raise RecordNotFoundError(f"There is no label scheme {scheme_id!r}; known: {known}.")
    return load_scheme(scheme_id)


def scheme_of(assessment: LabelAssessment) -> LabelScheme:
    """Return the scheme of an assessment, checking that its version is still the one used.

    Raises
    ------
    ConflictError
        When the built-in scheme has changed version since the assessment was started.
    """
    scheme = get_scheme(assessment.scheme)
    if scheme.version != assessment.scheme_version:
        raise ConflictError(
            f"Assessment {assessment.id} was made against {assessment.scheme} version "
            f"{assessment.scheme_version}; the scheme is now version {scheme.version}."
        )
    return scheme


def is_reviewer(session: Session, user: User | None, scheme: str) -> bool:
    """Whether ``user`` reviews ``scheme``: an administrator, or granted it by one."""
    if user is None or not user.active:
        return False
    if user.role == "admin":
        return True
    grant = session.scalar(
        select(ReviewerGrant.id).where(
            ReviewerGrant.user_id == user.id, ReviewerGrant.scheme == scheme
        )
    )
    return grant is not None


def require_admin(actor: User | None, what: str) -> User:
    """Return ``actor`` if an active administrator, else raise :class:`PermissionDeniedError`."""
    if actor is None or not actor.active or actor.role != "admin":
        raise PermissionDeniedError(f"Only an administrator may {what}.")
    return actor


def require_reviewer(session: Session, actor: User | None, scheme: str, what: str) -> User:
    """Return ``actor`` if it reviews ``scheme`` (:func:`is_reviewer`), else refuse."""
    if actor is None or not is_reviewer(session, actor, scheme):
        raise PermissionDeniedError(f"Only a reviewer of {scheme} or an administrator may {what}.")
    return actor


def can_read(session: Session, user: User | None, assessment: LabelAssessment) -> bool:
    """Whether ``user`` may read ``assessment`` and its evidence (module docstring)."""
    if user is None or not user.active:
        return False
    if user.role == "admin" or (
        user.role == "manager" and user.organisation_id == assessment.organisation_id
    ):
        return True
    return assessment.status != "draft" and is_reviewer(session, user, assessment.scheme)


def _assessment(session: Session, assessment_id: int) -> LabelAssessment:
    found = session.get(LabelAssessment, assessment_id)
    if found is None:
        raise RecordNotFoundError(f"There is no assessment {assessment_id}.")
    return found


def get_assessment(session: Session, *, actor: User | None, assessment_id: int) -> LabelAssessment:
    """Return an assessment ``actor`` may read (else :class:`RecordNotFoundError`)."""
    found = _assessment(session, assessment_id)
    if not can_read(session, actor, found):
        raise RecordNotFoundError(f"There is no assessment {assessment_id} that you may read.")
    return found


def editable(session: Session, actor: User | None, assessment_id: int) -> LabelAssessment:
    """Return an assessment ``actor`` may change now (its manager; draft or sent back)."""
    found = get_assessment(session, actor=actor, assessment_id=assessment_id)
    organisation = session.get(Organisation, found.organisation_id)
    if organisation is None or not can_edit(actor, organisation):
        raise PermissionDeniedError(
            f"Only the manager of organisation {found.organisation_id} may change its assessment."
        )
    if found.status not in EDITABLE_STATUSES:
        raise ConflictError(
            f"Assessment {found.id} is {found.status}; only a draft or one sent back with "
            "changes requested can change."
        )
    return found


def organisation_record(organisation: Organisation) -> dict[str, Any]:
    """Return the fields of an organisation that pre-filling and peer grouping read."""
    data: dict[str, Any] = {
        "country": organisation.country,
        "founding_year": organisation.founding_year,
        "management_fte": organisation.management_fte,
        "field_sources": dict(organisation.field_sources or {}),
        "ecosystems": organisation.tag_values("ecosystem"),
    }
    data.update({f"members_{k}": v for k, v in organisation.member_counts().items()})
    return data


def require_assessed_kind(scheme: LabelScheme, organisation: Organisation) -> None:
    """Refuse an organisation whose kind the scheme does not assess (``organisation_kinds``).

    Raises
    ------
    ParameterError
        Naming the organisation's kind and the kinds the scheme assesses.
    """
    if organisation.kind not in scheme.organisation_kinds:
        raise ParameterError(
            f"{scheme.title} ({scheme.id}) assesses {' and '.join(scheme.organisation_kinds)}s; "
            f"{organisation.name} (id {organisation.id}) is a {organisation.kind}."
        )


def assessed_schemes(session: Session, organisation_id: int) -> list[LabelScheme]:
    """Return the built-in schemes that assess the organisation's kind (none if it is absent)."""
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        return []
    schemes = [get_scheme(scheme_id) for scheme_id in list_schemes()]
    return [scheme for scheme in schemes if organisation.kind in scheme.organisation_kinds]


def create_assessment(
    session: Session,
    *,
    actor: User | None,
    organisation_id: int,
    scheme: str,
    ecosystem: str | None = None,
    today: dt.date | None = None,
    regional: Callable[[Organisation], Mapping[str, tuple[float, str]]] | None = None,
) -> LabelAssessment:
    """Start a draft assessment of an organisation, pre-filled from its registry record.

    Parameters
    ----------
    organisation_id : int
        The organisation (``actor`` must manage it, or be an administrator).
    scheme : str
        A built-in scheme id (``esca-bronze``, ``esca-gold``, ``poles-phase5``).
    ecosystem : str, optional
        The peer ecosystem; default the organisation's only ecosystem tag, if it has one.
    today : datetime.date, optional
        The reference date of pre-filled facts such as years active (default today).
    regional : callable, optional
        Returns the facts of the organisation's regional statistics
        (:func:`clusteratlas.labels.regional_facts`;
        :func:`clusteratlas.registry.regional_prefill` derives them from a map), pre-filled
        with their source like the record's. Called only once the actor may edit the
        organisation and no assessment is open (it may build a map: seconds).

    Raises
    ------
    ConflictError
        When the organisation already has an open assessment of this scheme.
    """
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise RecordNotFoundError(f"There is no organisation with id {organisation_id}.")
    require_edit(actor, organisation)
    found = get_scheme(scheme)
    require_assessed_kind(found, organisation)
    open_one = session.scalar(
        select(LabelAssessment.id).where(
            LabelAssessment.organisation_id == organisation_id,
            LabelAssessment.scheme == scheme,
            LabelAssessment.status.in_(OPEN_STATUSES),
        )
    )
    if open_one is not None:
        raise ConflictError(
            f"Organisation {organisation_id} already has assessment {open_one} of {scheme} "
            "in progress; continue it instead."
        )
    data = organisation_record(organisation)
    year = (today or dt.date.today()).year
    facts = regional(organisation) if regional is not None else None
    prefilled = prefill_answers(found, data, year=year, regional=facts)
    ecosystems = data["ecosystems"]
    if ecosystem is None and len(ecosystems) == 1:
        ecosystem = ecosystems[0]
    members = [
        data[f"members_{k}"] for k in ("sme", "large", "startup", "research", "public", "other")
    ]
    band = size_band(float(sum(members))) if all(m is not None for m in members) else None
    assessment = LabelAssessment(
        organisation_id=organisation_id,
        scheme=found.id,
        scheme_version=found.version,
        status="draft",
        peer_country=organisation.country,
        peer_ecosystem=ecosystem,
        peer_size_band=band,
        created_by=actor.id if actor else None,
    )
    assessment.answers = [
        LabelAnswer(indicator=a.indicator, value=a.value, origin="prefilled", source=a.source)
        for a in prefilled
    ]
    session.add(assessment)
    session.flush()
    after = {
        "organisation_id": organisation_id,
        "scheme": f"{found.id}@{found.version}",
        "prefilled": {a.indicator: a.value for a in prefilled},
    }
    record(
        session,
        actor=actor,
        entity="label_assessment",
        entity_id=assessment.id,
        action="create",
        after=after,
    )
    return assessment


def save_answers(
    session: Session,
    *,
    actor: User | None,
    assessment_id: int,
    answers: Sequence[Mapping[str, Any]],
) -> LabelAssessment:
    """Save answers to a draft (or an assessment sent back), checked against the scheme.

    Parameters
    ----------
    answers : sequence of mapping
        Each with ``indicator``, ``value`` (a number, a scale level's index or text, yes/no)
        and an optional ``comment``. An answer replaces the one given before (and a
        pre-filled one); nothing is saved when any answer is wrong.

    Raises
    ------
    AssessmentError
        Naming ``answers[i]``, the indicator and what was expected, for an unknown
        indicator, a value of the wrong kind or outside the scale, or an indicator given
        twice.
    """
    assessment = editable(session, actor, assessment_id)
    scheme = scheme_of(assessment)
    checked: dict[str, tuple[float, str | None]] = {}
    for i, item in enumerate(answers):
        where = f"answers[{i}]"
        indicator = str(item.get("indicator", ""))
        if indicator in checked:
            raise AssessmentError(f"{where}: indicator {indicator!r} is answered twice.")
        answer = make_answer(scheme, indicator, item.get("value"), where=where)
        comment = item.get("comment")
        checked[indicator] = (answer.value, str(comment) if comment else None)
    rows = {row.indicator: row for row in assessment.answers}
    before = {k: rows[k].value for k in checked if k in rows}
    for indicator, (value, comment) in checked.items():
        row = rows.get(indicator)
        if row is None:
            row = LabelAnswer(indicator=indicator, value=value)
            assessment.answers.append(row)
        row.value, row.comment, row.origin, row.source = value, comment, "answer", None
    assessment.updated_at = dt.datetime.now(dt.UTC)
    session.flush()
    after = {k: v for k, (v, _) in checked.items()}
    record(
        session,
        actor=actor,
        entity="label_assessment",
        entity_id=assessment.id,
        action="update",
        before=before,
        after=after,
        note="answers saved",
    )
    return assessment


def clear_answers(
    session: Session,
    *,
    actor: User | None,
    assessment_id: int,
    indicators: Sequence[str],
) -> LabelAssessment:
    """Remove answers from a draft (or an assessment sent back): the indicators become unanswered.

    A cleared indicator scores as a missing answer (no points, its threshold missed), the
    same as one never answered; a pre-filled answer can be cleared too. Evidence attached to
    the indicator stays (it is removed on its own).

    Parameters
    ----------
    indicators : sequence of str
        Indicator ids of the assessment's scheme; an indicator without an answer is
        accepted and left as it is, so clearing twice is harmless.

    Raises
    ------
    AssessmentError
        Naming ``indicators[i]`` for an indicator the scheme does not have, or given twice;
        nothing is removed then.
    """
    assessment = editable(session, actor, assessment_id)
    known = {indicator.id for indicator in scheme_of(assessment).indicators}
    wanted: list[str] = []
    for i, indicator in enumerate(indicators):
        if indicator not in known:
            raise AssessmentError(
                f"indicators[{i}]: {indicator!r} is not an indicator of scheme "
                f"{assessment.scheme!r}."
            )
        if indicator in wanted:
            raise AssessmentError(f"indicators[{i}]: indicator {indicator!r} is given twice.")
        wanted.append(indicator)
    removed = [row for row in assessment.answers if row.indicator in wanted]
    before = {row.indicator: row.value for row in removed}
    for row in removed:
        assessment.answers.remove(row)
    if removed:
        assessment.updated_at = dt.datetime.now(dt.UTC)
    session.flush()
    record(
        session,
        actor=actor,
        entity="label_assessment",
        entity_id=assessment.id,
        action="update",
        before=before,
        after=dict.fromkeys(before),
        note="answers cleared",
    )
    return assessment


def submit_assessment(
    session: Session, *, actor: User | None, assessment_id: int
) -> LabelAssessment:
    """Hand an assessment to the labelling body (status ``submitted``)."""
    assessment = editable(session, actor, assessment_id)
    scheme_of(assessment)
    if not assessment.answers:
        raise AssessmentError(
            f"Assessment {assessment.id} has no answer; answer it before submitting."
        )
    before = assessment.status
    assessment.status = "submitted"
    assessment.submitted_at = dt.datetime.now(dt.UTC)
    session.flush()
    record(
        session,
        actor=actor,
        entity="label_assessment",
        entity_id=assessment.id,
        action="submit",
        before={"status": before},
        after={"status": "submitted"},
    )
    return assessment


def list_assessments(
    session: Session,
    *,
    actor: User | None,
    organisation_id: int | None = None,
    scheme: str | None = None,
    status: str | None = None,
) -> list[LabelAssessment]:
    """Return the assessments ``actor`` may read, newest first.

    A reviewer's queue is ``status="submitted"``.
    """
    query = select(LabelAssessment)
    if organisation_id is not None:
        query = query.where(LabelAssessment.organisation_id == organisation_id)
    if scheme is not None:
        query = query.where(LabelAssessment.scheme == scheme)
    if status is not None:
        query = query.where(LabelAssessment.status == status)
    if actor is None or not actor.active:
        return []
    if actor.role != "admin":
        granted = select(ReviewerGrant.scheme).where(ReviewerGrant.user_id == actor.id)
        reviewable = (LabelAssessment.status != "draft") & LabelAssessment.scheme.in_(granted)
        own = (
            LabelAssessment.organisation_id == actor.organisation_id
            if actor.role == "manager" and actor.organisation_id is not None
            else false()
        )
        query = query.where(or_(own, reviewable))
    return list(session.scalars(query.order_by(LabelAssessment.id.desc())))


def library_assessment(assessment: LabelAssessment) -> Assessment:
    """Return the assessment as the scoring library's immutable :class:`Assessment`."""
    state: Literal["draft", "submitted"] = (
        "draft" if assessment.status in EDITABLE_STATUSES else "submitted"
    )
    peer = {
        "country": assessment.peer_country,
        "ecosystem": assessment.peer_ecosystem,
        "size_band": assessment.peer_size_band,
    }
    return Assessment(
        organisation_id=str(assessment.organisation_id),
        scheme=assessment.scheme,
        version=assessment.scheme_version,
        answers=tuple(
            Answer(
                a.indicator,
                a.value,
                origin="prefilled" if a.origin == "prefilled" else "answer",
                source=a.source,
            )
            for a in assessment.answers
        ),
        status=state,
        peer={k: v for k, v in peer.items() if v},
        assessed_on=assessment.submitted_at.date() if assessment.submitted_at else None,
    )


__all__ = [
    "can_read",
    "create_assessment",
    "editable",
    "get_assessment",
    "get_scheme",
    "is_reviewer",
    "library_assessment",
    "list_assessments",
    "organisation_record",
    "require_admin",
    "require_reviewer",
    "save_answers",
    "scheme_of",
    "submit_assessment",
]
