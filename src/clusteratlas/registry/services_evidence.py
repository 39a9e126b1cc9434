"""Evidence of label self-assessments (web addresses, uploaded documents); deleting drafts.

Permissions, status and indicator are checked (:mod:`.services_labels`) before a byte is
stored; files go through :func:`clusteratlas.labels.evidence.store_evidence` (size limit,
type read from the content, content-addressed folder outside the database). Evidence is
read by those who may read its assessment. Every change is audited; the caller commits.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from clusteratlas.errors import AssessmentError, RecordNotFoundError
from clusteratlas.labels.evidence import evidence_path, open_evidence, store_evidence
from clusteratlas.labels.schemes import LabelScheme
from clusteratlas.registry.audit import record
from clusteratlas.registry.models import LabelEvidence, User
from clusteratlas.registry.services_labels import can_read, editable, scheme_of

_URL = re.compile(r"^https?://[^\s/?#]+\S*$")


def _check_indicator(scheme: LabelScheme, indicator: str) -> None:
    if indicator not in {i.id for i in scheme.indicators}:
        raise AssessmentError(f"indicator: scheme {scheme.label} has no indicator {indicator!r}.")


def add_evidence_url(
    session: Session, *, actor: User | None, assessment_id: int, indicator: str, url: str
) -> LabelEvidence:
    """Attach a web address as evidence for one indicator (an http(s) URL)."""
    assessment = editable(session, actor, assessment_id)
    scheme = scheme_of(assessment)
    _check_indicator(scheme, indicator)
    address = url.strip()
    if not _URL.match(address) or len(address) > 2000:
        raise AssessmentError(
            f"url: evidence for {indicator!r} must be an http(s) URL of at most 2000 "
            f"characters; got {address[:80]!r}."
        )
    evidence = LabelEvidence(
        assessment_id=assessment.id,
        indicator=indicator,
        url=address,
        uploaded_by=actor.id if actor else None,
    )
    session.add(evidence)
    session.flush()
    after = {"assessment_id": assessment.id, "indicator": indicator, "url": evidence.url}
    record(
        session,
        actor=actor,
        entity="label_evidence",
        entity_id=evidence.id,
        action="create",
        after=after,
    )
    return evidence


def add_evidence_file(
    session: Session,
    *,
    actor: User | None,
    assessment_id: int,
    indicator: str,
    stream: BinaryIO,
    filename: str,
    folder: Path | None = None,
    max_bytes: int | None = None,
) -> LabelEvidence:
    """Attach an uploaded document as evidence for one indicator.

    Permissions, status and indicator are checked before a byte is stored; the file is
    checked and stored by :func:`clusteratlas.labels.evidence.store_evidence` (size limit,
    type by content, content-addressed folder outside the database).

    Raises
    ------
    EvidenceTooLargeError, EvidenceError
        For a file over the limit or of a type that is not allowed (nothing is stored).
    """
    assessment = editable(session, actor, assessment_id)
    _check_indicator(scheme_of(assessment), indicator)
    name = Path(filename or "upload").name[:255] or "upload"
    stored = store_evidence(stream, filename=name, folder=folder, max_bytes=max_bytes)
    evidence = LabelEvidence(
        assessment_id=assessment.id,
        indicator=indicator,
        sha256=stored.sha256,
        filename=name,
        media_type=stored.media_type,
        size=stored.size,
        uploaded_by=actor.id if actor else None,
    )
    session.add(evidence)
    session.flush()
    after = {
        "assessment_id": assessment.id,
        "indicator": indicator,
        "sha256": stored.sha256,
        "filename": name,
        "media_type": stored.media_type,
        "size": stored.size,
    }
    record(
        session,
        actor=actor,
        entity="label_evidence",
        entity_id=evidence.id,
        action="create",
        after=after,
    )
    return evidence


def get_evidence(
    session: Session, *, actor: User | None, evidence_id: int, folder: Path | None = None
) -> tuple[LabelEvidence, Path | None]:
    """Return an evidence record ``actor`` may read and, for a file, where it is stored."""
    evidence = session.get(LabelEvidence, evidence_id)
    if evidence is None or not can_read(session, actor, evidence.assessment):
        raise RecordNotFoundError(f"There is no evidence {evidence_id} that you may read.")
    path = open_evidence(evidence.sha256, folder=folder) if evidence.sha256 else None
    return evidence, path


def delete_evidence(session: Session, *, actor: User | None, evidence_id: int) -> str | None:
    """Delete an evidence record of an assessment that may still change.

    Returns the SHA-256 of its file (``None`` for a URL): once the deletion is committed,
    pass it to :func:`discard_unreferenced` to remove the file if nothing else uses it.
    """
    evidence = session.get(LabelEvidence, evidence_id)
    if evidence is None or not can_read(session, actor, evidence.assessment):
        raise RecordNotFoundError(f"There is no evidence {evidence_id} that you may read.")
    editable(session, actor, evidence.assessment_id)
    before = {"assessment_id": evidence.assessment_id, "indicator": evidence.indicator}
    before |= {"url": evidence.url, "sha256": evidence.sha256, "filename": evidence.filename}
    record(
        session,
        actor=actor,
        entity="label_evidence",
        entity_id=evidence.id,
        action="delete",
        before=before,
    )
    digest = evidence.sha256
    session.delete(evidence)
    session.flush()
    return digest


def delete_assessment(session: Session, *, actor: User | None, assessment_id: int) -> list[str]:
    """Delete a draft (or an assessment sent back) with its answers and evidence.

    Returns the SHA-256 of its evidence files, for :func:`discard_unreferenced` after the
    commit. Submitted, accepted and rejected assessments are kept (the record of a review).
    """
    assessment = editable(session, actor, assessment_id)
    digests = sorted({e.sha256 for e in assessment.evidence if e.sha256})
    before = {
        "organisation_id": assessment.organisation_id,
        "scheme": assessment.scheme,
        "status": assessment.status,
        "answers": len(assessment.answers),
    }
    record(
        session,
        actor=actor,
        entity="label_assessment",
        entity_id=assessment.id,
        action="delete",
        before=before,
    )
    session.delete(assessment)
    session.flush()
    return digests


def discard_unreferenced(
    session: Session, digests: list[str] | str | None, *, folder: Path | None = None
) -> list[str]:
    """Remove the stored files of ``digests`` that no evidence record uses any more.

    Call it after the deletion was committed (a failed commit then leaves every file in
    place). Returns the digests whose files were removed.
    """
    wanted = [digests] if isinstance(digests, str) else list(digests or [])
    removed = []
    for digest in wanted:
        used = session.scalar(
            select(LabelEvidence.id).where(LabelEvidence.sha256 == digest).limit(1)
        )
        if used is None:
            path = evidence_path(digest, folder=folder)
            if path.is_file():
                path.unlink()
                removed.append(digest)
    return removed


__all__ = [
    "add_evidence_file",
    "add_evidence_url",
    "delete_assessment",
    "delete_evidence",
    "discard_unreferenced",
    "get_evidence",
]
