"""Routes of a cluster's skill needs and their gaps (``/api/v1/organisations/{id}/skills``).

Interfaces only: each route parses, calls :mod:`clusteratlas.registry.services_skills`, and
renders. The organisation's managers and administrators post, edit and withdraw its needs
(every change audited); any signed-in user reads open needs and the cluster's gaps (the
service's docstring says why they are not public).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from clusteratlas.api.deps import CurrentUser, SessionDep
from clusteratlas.api.routes_skills import match_out
from clusteratlas.api.schemas_skills import (
    SKILLS_BODY,
    SKILLS_RESPONSES,
    ClusterGaps,
    GapRow,
    NeedIn,
    NeedMatches,
    NeedOut,
    NeedPatch,
)
from clusteratlas.registry.models import SkillNeed
from clusteratlas.registry.services_skills import (
    cluster_gaps,
    get_need,
    list_needs,
    post_need,
    update_need,
    withdraw_need,
)
from clusteratlas.skills import offer

router = APIRouter(tags=["skills"], responses=SKILLS_RESPONSES)

Id = Annotated[int, Path(ge=1, le=2_000_000_000)]


def need_out(need: SkillNeed) -> NeedOut:
    """Render a stored need."""
    return NeedOut(
        id=need.id,
        organisation_id=need.organisation_id,
        text=need.text,
        skills=list(need.skills or []),
        people=need.people,
        region=need.region,
        horizon=need.horizon,
        format=need.format,
        status=need.status,
        version=need.version,
        created_at=need.created_at.isoformat(),
        updated_at=need.updated_at.isoformat(),
    )


@router.post(
    "/organisations/{organisation_id}/skills/needs",
    response_model=NeedOut,
    status_code=201,
    summary="Post a skill need",
    max_body_size=SKILLS_BODY,
)
def post(organisation_id: Id, body: NeedIn, session: SessionDep, user: CurrentUser) -> NeedOut:
    """Post a need of the organisation's members (its managers and administrators)."""
    need = post_need(session, actor=user, organisation_id=organisation_id, data=body.model_dump())
    session.commit()
    return need_out(need)


@router.get(
    "/organisations/{organisation_id}/skills/needs",
    response_model=list[NeedOut],
    summary="Skill needs of an organisation",
)
def needs(
    organisation_id: Id,
    session: SessionDep,
    user: CurrentUser,
    status: Literal["open", "withdrawn", "all"] = "open",
) -> list[NeedOut]:
    """List the organisation's needs (withdrawn ones: its managers and administrators only)."""
    found = list_needs(session, actor=user, organisation_id=organisation_id, status=status)
    return [need_out(n) for n in found]


@router.get("/skills/needs/{need_id}", response_model=NeedOut, summary="A skill need")
def need(need_id: Id, session: SessionDep, user: CurrentUser) -> NeedOut:
    """Return one need."""
    return need_out(get_need(session, actor=user, need_id=need_id))


@router.patch(
    "/skills/needs/{need_id}",
    response_model=NeedOut,
    summary="Edit a skill need",
    max_body_size=SKILLS_BODY,
)
def edit(need_id: Id, body: NeedPatch, session: SessionDep, user: CurrentUser) -> NeedOut:
    """Change an open need read at ``version`` (409 when someone changed it since)."""
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    found = update_need(
        session, actor=user, need_id=need_id, expected_version=body.version, changes=changes
    )
    session.commit()
    return need_out(found)


@router.post(
    "/skills/needs/{need_id}/withdraw", response_model=NeedOut, summary="Withdraw a skill need"
)
def withdraw(need_id: Id, session: SessionDep, user: CurrentUser) -> NeedOut:
    """Withdraw an open need: it is kept, with its history, and no longer matched."""
    found = withdraw_need(session, actor=user, need_id=need_id)
    session.commit()
    return need_out(found)


@router.get(
    "/organisations/{organisation_id}/skills/gaps",
    response_model=ClusterGaps,
    summary="Training matches and skill gaps of a cluster",
)
def gaps(
    organisation_id: Id,
    session: SessionDep,
    user: CurrentUser,
    top: Annotated[int, Query(ge=1, le=50)] = 5,
) -> ClusterGaps:
    """Match each open need to programmes; list the cluster's skills and which are gaps."""
    found = cluster_gaps(session, actor=user, organisation_id=organisation_id, top=top)
    matched = []
    if found.result is not None:
        matched = [
            NeedMatches(need=need_out(n), result=match_out(found.result, str(n.id)))
            for n in found.needs
        ]
    rows = [
        GapRow(
            skill_id=str(r["skill_id"]),
            label=str(r["label"]),
            people=int(r["people"]),
            n_needs=int(r["n_needs"]),
            n_programmes=int(r["n_programmes"]),
            programme_ids=str(r["programme_ids"]).split(),
            gap=bool(r["gap"]),
        )
        for r in offer.records(found.skills)
    ]
    return ClusterGaps(
        organisation_id=organisation_id, needs=matched, skills=rows, attribution=offer.ATTRIBUTION
    )
