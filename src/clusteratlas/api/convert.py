"""Conversions of registry records into response models (presentation only)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

from starlette.datastructures import URL

from clusteratlas._csv import neutralise
from clusteratlas.api.schemas import (
    AuditOut,
    CheckOut,
    ComponentOut,
    LabelOut,
    OrganisationOut,
    OrganisationSummary,
    PartnershipOut,
    PostOut,
    RecommendationOut,
    UserOut,
    ValidationOut,
)
from clusteratlas.registry import (
    AuditEntry,
    Organisation,
    Post,
    Recommendation,
    User,
    ValidationResult,
)


def _labels(org: Organisation) -> list[LabelOut]:
    return [
        LabelOut(
            scheme=label.scheme,
            level=label.level,
            awarded=label.awarded,
            valid_until=label.valid_until,
            duration=label.duration,
            status=label.status,
        )
        for label in org.labels
    ]


def partnerships(org: Organisation) -> list[PartnershipOut]:
    """Return the partnerships of an organisation, by name, with its role in each."""
    return [
        PartnershipOut(
            id=m.partnership.id,
            key=m.partnership.key,
            name=m.partnership.name,
            kind=m.partnership.kind,
            website=m.partnership.website,
            description=m.partnership.description,
            sectors=list(m.partnership.sectors or []),
            role=m.role,
            source=m.source,
            status=m.status,
        )
        for m in sorted(org.memberships, key=lambda m: m.partnership.name)
    ]


def summary(org: Organisation, score: float | None = None) -> OrganisationSummary:
    """Return the short form of an organisation."""
    return OrganisationSummary(
        id=org.id,
        key=org.key,
        name=org.name,
        kind=org.kind,
        acronym=org.acronym,
        country=org.country,
        region=org.region,
        region_name=org.region_name,
        website=org.website,
        categories=org.tag_values("category"),
        ecosystems=org.tag_values("ecosystem"),
        stages=org.tag_values("stage"),
        labels=_labels(org),
        version=org.version,
        score=score,
    )


def profile(org: Organisation) -> OrganisationOut:
    """Return the full profile of an organisation."""
    return OrganisationOut(
        **summary(org).model_dump(exclude={"labels"}),
        labels=_labels(org),
        founding_year=org.founding_year,
        description=org.description,
        management_fte=org.management_fte,
        members=org.member_counts(),
        technologies=list(org.technologies or []),
        sectors=org.tag_values("sector"),
        programmes=[p.name for p in org.programmes],
        partnerships=partnerships(org),
        field_sources=dict(org.field_sources or {}),
        created_at=org.created_at,
        updated_at=org.updated_at,
    )


def validation(result: ValidationResult) -> ValidationOut:
    """Return the ECCP validation as a response model."""
    return ValidationOut(
        status=result.status,
        checks=[CheckOut(code=c.code, passed=c.passed, reason=c.reason) for c in result.checks],
        waiver=result.waiver,
        notes=list(result.notes),
    )


def recommendation(rec: Recommendation) -> RecommendationOut:
    """Return a recommendation with its explanation."""
    return RecommendationOut(
        organisation_id=rec.organisation_id,
        name=rec.name,
        score=rec.score,
        explanation=rec.explanation,
        components=[
            ComponentOut(name=c.name, score=c.score, explanation=c.explanation)
            for c in rec.components
        ],
    )


def audit(entry: AuditEntry, *, actor: str | None = None) -> AuditOut:
    """Return an audit entry; ``actor`` replaces the e-mail (and hides the user id) for the public."""
    return AuditOut(
        id=entry.id,
        at=entry.at,
        actor=entry.actor if actor is None else actor,
        user_id=entry.user_id if actor is None else None,
        entity=entry.entity,
        entity_id=entry.entity_id,
        action=entry.action,
        diff=dict(entry.diff or {}),
        note=entry.note,
    )


def post(item: Post) -> PostOut:
    """Return a partner-search post."""
    return PostOut(
        id=item.id,
        organisation_id=item.organisation_id,
        author_id=item.author_id,
        kind=item.kind,
        title=item.title,
        body=item.body,
        status=item.status,
        created_at=item.created_at,
    )


def user(item: User) -> UserOut:
    """Return a user without secrets."""
    return UserOut(
        id=item.id,
        email=item.email,
        name=item.name,
        role=item.role,
        organisation_id=item.organisation_id,
    )


def next_link(url: URL, *, total: int, limit: int, offset: int) -> str | None:
    """Return the URL of the next page, or None on the last page."""
    if offset + limit >= total:
        return None
    return str(url.include_query_params(offset=offset + limit, limit=limit))


def to_csv(rows: Iterable[Mapping[str, Any]], columns: list[str]) -> str:
    """Return rows as CSV text (lists joined with ``; ``; formula-like text neutralised)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                k: neutralise(
                    "; ".join(map(str, v)) if isinstance(v, list) else ("" if v is None else v)
                )
                for k, v in row.items()
            }
        )
    return buffer.getvalue()


def feature_collection(features: Iterable[dict[str, Any]], **members: Any) -> dict[str, Any]:
    """Return a GeoJSON FeatureCollection with extra foreign members (``total`` …)."""
    return {"type": "FeatureCollection", "features": list(features), **members}
