"""Routes of the skills partnerships (``/api/v1/skills``).

Interfaces only: each route parses, calls :mod:`clusteratlas.skills.offer` (or, for the
programmes' tags as corrected by hand, :mod:`clusteratlas.registry.services_tags`), and
renders. The programmes' ``POST``, ``PATCH``, ``DELETE`` and ``PATCH …/tags`` and the
partnerships' ``POST`` and ``PATCH`` write (administrators and the managers concerned;
audited; :mod:`clusteratlas.registry.services_programmes` records programmes and
:mod:`clusteratlas.registry.services_training` partnerships); the rest
needs no sign-in (a browser sending its session cookie must still add the CSRF header to a
POST, as everywhere); ``tag``, ``match`` and the tag corrections take a body limited
to :data:`~clusteratlas.api.schemas_skills.SKILLS_BODY` bytes and texts of at most
:data:`~clusteratlas.api.schemas_skills.TEXT_CHARS` characters. Without scikit-learn (the
``skills`` extra) the routes that rank answer 503 with the install command. Cluster needs
(stored, with roles and audit) are in :mod:`.routes_skill_needs`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Path, Query, Response

from clusteratlas.api.deps import CurrentUser, OptionalUser, SessionDep
from clusteratlas.api.schemas import ONE_LINE
from clusteratlas.api.schemas_skills import (
    PROGRAMME_ID,
    SKILLS_BODY,
    SKILLS_RESPONSES,
    Concept,
    ConceptList,
    MatchIn,
    MatchOut,
    MatchRow,
    NeededSkill,
    PartnershipIn,
    PartnershipOut,
    PartnershipPatch,
    ProgrammeIn,
    ProgrammeList,
    ProgrammeOut,
    ProgrammePatch,
    ProgrammeTagsIn,
    ProviderOut,
    TagIn,
)
from clusteratlas.registry import services_programmes, services_tags, services_training
from clusteratlas.skills import offer

router = APIRouter(prefix="/skills", tags=["skills"], responses=SKILLS_RESPONSES)


def concepts(frame: pd.DataFrame) -> list[Concept]:
    """Render a search result (``rank``, ``id``, ``kind``, ``label``, ``score``)."""
    return [
        Concept(rank=int(r["rank"]), uri=str(r["id"]), kind=str(r["kind"]),
                label=str(r["label"]), score=round(float(r["score"]), 6))
        for r in offer.records(frame)
    ]  # fmt: skip


def _skill(row: dict[str, Any]) -> NeededSkill:
    score = row.get("score")
    return NeededSkill(
        skill_id=str(row["skill_id"]),
        label=str(row["label"]),
        source=str(row["source"]),
        score=None if score is None or pd.isna(score) else round(float(score), 6),
    )


def match_out(result: offer.NeedMatch, need_id: str) -> MatchOut:
    """Render the match of one need of ``result``."""
    needed = result.needed[result.needed["need_id"] == need_id]
    skills = {str(r["skill_id"]): _skill(r) for r in offer.records(needed)}
    rows = []
    for r in offer.records(result.matches[result.matches["need_id"] == need_id]):
        distance = r["distance_km"]
        rows.append(
            MatchRow(
                rank=int(r["rank"]),
                programme_id=str(r["programme_id"]),
                provider_id=str(r["provider_id"]),
                title=str(r["title"]),
                coverage=round(float(r["coverage"]), 6),
                n_shared=int(r["n_shared"]),
                n_needed=int(r["n_needed"]),
                reachable=bool(r["reachable"]),
                distance_km=None if pd.isna(distance) else round(float(distance), 3),
                format=str(r["format"] or ""),
                shared_skills=[skills[s] for s in str(r["shared_skill_ids"]).split()],
                gap_skills=[skills[s] for s in str(r["gap_skill_ids"]).split()],
            )
        )
    uncovered = result.uncovered[result.uncovered["need_id"] == need_id]
    return MatchOut(
        needed=list(skills.values()),
        matches=rows,
        gap=[skills[str(s)] for s in uncovered["skill_id"]],
        attribution=result.attribution,
    )


@router.get("/esco", response_model=ConceptList, summary="Search ESCO skills or occupations")
def esco(
    q: Annotated[str, Query(min_length=1, max_length=500, pattern=ONE_LINE)],
    kind: Literal["skill", "occupation"] = "skill",
    language: Annotated[str, Query(pattern=r"^[a-z]{2}$")] = "en",
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> ConceptList:
    """Rank ESCO concepts by TF-IDF cosine with ``q`` (concepts sharing no term are left out)."""
    found = offer.search(q, kind=kind, language=language, limit=limit)
    return ConceptList(
        query=q, kind=kind, language=language, results=concepts(found),
        attribution=offer.ATTRIBUTION,
    )  # fmt: skip


@router.get("/providers", response_model=list[ProviderOut], summary="Training providers")
def providers() -> list[ProviderOut]:
    """List the training providers (names CONFIRMED as the seed names them; details not)."""
    return [ProviderOut(**r) for r in offer.records(offer.providers())]


ProgrammeId = Annotated[str, Path(pattern=PROGRAMME_ID, max_length=100)]


def programme_out(row: dict[str, Any]) -> ProgrammeOut:
    """Render a programme of :func:`clusteratlas.skills.offer.programmes`."""
    return ProgrammeOut(**{k: v for k, v in row.items() if k in ProgrammeOut.model_fields})


@router.get("/programmes", response_model=ProgrammeList, summary="Training programmes")
def programmes(session: SessionDep) -> ProgrammeList:
    """List the programmes with their ESCO tags (automatic, scored; or by hand) and statuses."""
    rows = [programme_out(r) for r in services_tags.programmes(session)]
    return ProgrammeList(programmes=rows, attribution=offer.ATTRIBUTION)


@router.get("/programmes/{programme_id}", response_model=ProgrammeOut, summary="A programme")
def programme(programme_id: ProgrammeId, session: SessionDep) -> ProgrammeOut:
    """Return one programme with its ESCO tags as corrected by hand (``source``)."""
    return programme_out(services_tags.programme(session, programme_id))


@router.post(
    "/programmes",
    response_model=ProgrammeOut,
    status_code=201,
    summary="Record a training programme",
    max_body_size=SKILLS_BODY,
)
def create_programme(body: ProgrammeIn, session: SessionDep, user: CurrentUser) -> ProgrammeOut:
    """Record a programme of a training provider (administrators, its managers; audited).

    It is tagged with ESCO skills from its title and description, listed and matched at
    once. 422 names a field that is wrong; 409 when ``programme_id`` is taken.
    """
    data = body.model_dump(exclude_none=True, exclude={"provider_organisation_id"})
    found = services_programmes.create_programme(
        session, actor=user, provider_organisation_id=body.provider_organisation_id, data=data
    )
    session.commit()
    return programme_out(services_tags.programme(session, found.programme_id))


@router.patch(
    "/programmes/{programme_id}",
    response_model=ProgrammeOut,
    summary="Change a training programme",
    max_body_size=SKILLS_BODY,
)
def update_programme(
    programme_id: ProgrammeId, body: ProgrammePatch, session: SessionDep, user: CurrentUser
) -> ProgrammeOut:
    """Change a programme's details (administrators, its provider's managers; audited).

    409 when ``version`` is not the current one; a changed text is tagged again.
    """
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    services_programmes.update_programme(
        session, actor=user, programme_id=programme_id, changes=changes,
        expected_version=body.version,
    )  # fmt: skip
    session.commit()
    return programme_out(services_tags.programme(session, programme_id))


@router.delete("/programmes/{programme_id}", status_code=204, summary="Delete a training programme")
def delete_programme(programme_id: ProgrammeId, session: SessionDep, user: CurrentUser) -> Response:
    """Delete a programme and its hand tag corrections (administrators, its managers)."""
    services_programmes.delete_programme(session, actor=user, programme_id=programme_id)
    session.commit()
    return Response(status_code=204)


@router.patch(
    "/programmes/{programme_id}/tags",
    response_model=ProgrammeOut,
    summary="Correct a programme's ESCO tags by hand",
    max_body_size=SKILLS_BODY,
)
def correct_tags(
    programme_id: ProgrammeId, body: ProgrammeTagsIn, session: SessionDep, user: CurrentUser
) -> ProgrammeOut:
    """Add and remove ESCO skills of a programme's tags (audited).

    Administrators may correct any programme, a manager of a training provider's
    organisation the programmes of that provider; anyone else gets 403 (401 unsigned).

    A later correction of the same skill replaces the earlier one; added skills come first,
    with ``source`` ``hand`` and no score. Matching uses the corrected tags.
    """
    services_tags.correct_programme_tags(
        session, user=user, programme_id=programme_id, add=body.add, remove=body.remove
    )
    session.commit()
    return programme_out(services_tags.programme(session, programme_id))


@router.get("/partnerships", response_model=list[PartnershipOut], summary="Partnerships")
def partnerships(
    session: SessionDep, status: Literal["active", "ended"] | None = None
) -> list[PartnershipOut]:
    """List the cluster ↔ training-provider partnerships recorded in the registry.

    The seed's partnerships come first, ``source`` quoting its wording; ``status`` filters
    on ``active`` or ``ended`` (default: both).
    """
    rows = services_training.partnerships(session, status=status)
    return [PartnershipOut.model_validate(r) for r in rows]


PartnershipId = Annotated[int, Path(ge=1, le=2_000_000_000)]


@router.post(
    "/partnerships",
    response_model=PartnershipOut,
    status_code=201,
    summary="Record a cluster ↔ training-provider partnership",
    max_body_size=SKILLS_BODY,
)
def create_partnership(
    body: PartnershipIn, session: SessionDep, user: CurrentUser
) -> PartnershipOut:
    """Record a partnership (administrators, managers of either organisation; audited).

    422 names a field that is wrong (an organisation that is not a cluster organisation,
    or not a training provider); 409 when the two already have an active partnership.
    """
    found = services_training.create_partnership(
        session, actor=user, **body.model_dump(exclude_none=True)
    )
    session.commit()
    return PartnershipOut.model_validate(services_training.partnership(session, found.id))


@router.patch(
    "/partnerships/{partnership_id}",
    response_model=PartnershipOut,
    summary="Change or end a partnership",
    max_body_size=SKILLS_BODY,
)
def update_partnership(
    partnership_id: PartnershipId, body: PartnershipPatch, session: SessionDep, user: CurrentUser
) -> PartnershipOut:
    """Change a partnership's purpose, source or dates, or end it (``status: "ended"``).

    Administrators and the managers of either organisation may (audited); 409 when
    ``version`` is not the current one. An ended partnership is kept, with its end date.
    """
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    services_training.update_partnership(
        session, actor=user, partnership_id=partnership_id, changes=changes,
        expected_version=body.version,
    )  # fmt: skip
    session.commit()
    return PartnershipOut.model_validate(services_training.partnership(session, partnership_id))


@router.post(
    "/tag",
    response_model=ConceptList,
    summary="Tag a text with ESCO skills",
    max_body_size=SKILLS_BODY,
)
def tag(body: TagIn, _user: OptionalUser) -> ConceptList:
    """Return the ``top`` ESCO skills of a text, best first, with their scores."""
    found = offer.search(body.text, kind="skill", limit=body.top)
    return ConceptList(
        query=body.text, kind="skill", language="en", results=concepts(found),
        attribution=offer.ATTRIBUTION,
    )  # fmt: skip


@router.post(
    "/match",
    response_model=MatchOut,
    summary="Match a skill need to training programmes",
    max_body_size=SKILLS_BODY,
)
def match(body: MatchIn, session: SessionDep, _user: OptionalUser) -> MatchOut:
    """Rank programmes for a need by coverage share, reach, distance and format.

    Each match lists the skills it shares with the need (the programmes' tags as corrected
    by hand); the need's skills that no programme covers are its gap.
    """
    need = body.model_dump()
    need["need_id"] = "need"
    result = services_tags.match_needs(session, offer.needs_frame([need]), top=body.top)
    return match_out(result, "need")
