"""Routes of the registry of cluster organisations: search, profiles, edits, partners."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse

from clusteratlas.api import convert
from clusteratlas.api.deps import CurrentUser, MapsDep, OptionalUser, SessionDep
from clusteratlas.api.mapdata import PROFILE_MAPS, records, source_of_region
from clusteratlas.api.schemas import (
    ERROR_RESPONSES,
    NO_NUL,
    WRITE_RESPONSES,
    AuditOut,
    OrganisationCreate,
    OrganisationOut,
    OrganisationPatch,
    OrganisationProfile,
    OrganisationSummary,
    RecommendationOut,
    SearchOut,
    StatisticsOut,
    TrainingPartnershipOut,
    TrainingProgrammeOut,
)
from clusteratlas.errors import DataNotFoundError
from clusteratlas.registry import (
    Organisation,
    actor_labels,
    create_organisation,
    delete_organisation,
    get_organisation,
    history,
    missing_profile,
    organisation_statistics,
    organisations_in_region,
    recommend_partners,
    search_organisations,
    services_tags,
    update_organisation,
    validate_organisation,
)
from clusteratlas.registry.models_org import OrgKind

router = APIRouter(tags=["organisations"], responses=ERROR_RESPONSES)

OrgId = Annotated[int, Path(ge=1, le=2_000_000_000, description="Organisation id.")]
Filter = Annotated[str | None, Query(pattern=NO_NUL, max_length=200)]
CSV_COLUMNS = [
    "id",
    "key",
    "name",
    "kind",
    "acronym",
    "country",
    "region",
    "region_name",
    "website",
    "categories",
    "ecosystems",
    "stages",
    "version",
]
LIST_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/geo+json": {"schema": {"type": "object"}},
        }
    }
}


def _points(maps: MapsDep, source: str) -> dict[str, tuple[float, float]]:
    try:
        return maps.points(source)
    except DataNotFoundError:
        return {}


def _features(maps: MapsDep, items: list[OrganisationSummary]) -> list[dict[str, Any]]:
    features = []
    for item in items:
        source = source_of_region(item.region)
        point = _points(maps, source).get(str(item.region)) if source else None
        geometry = {"type": "Point", "coordinates": list(point)} if point else None
        features.append(
            {
                "type": "Feature",
                "id": item.id,
                "geometry": geometry,
                "properties": item.model_dump(mode="json"),
            }
        )
    return features


@router.get(
    "/organisations",
    response_model=SearchOut,
    responses=LIST_CONTENT,
    summary="Search organisations",
)
def search(
    request: Request,
    session: SessionDep,
    maps: MapsDep,
    q: Filter = None,
    country: Filter = None,
    region: Filter = None,
    category: Filter = None,
    ecosystem: Filter = None,
    label: Filter = None,
    stage: Filter = None,
    kind: Annotated[OrgKind | None, Query(description="Only organisations of this kind.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    format: Literal["json", "csv", "geojson"] = "json",
) -> Any:
    """Search by words (full text, then fuzzy names) and filters, one page at a time.

    ``format=geojson`` places each organisation with a known region at a representative
    point of that region (no geometry otherwise).
    """
    page = search_organisations(
        session,
        text=q,
        country=country,
        region=region,
        category=category,
        ecosystem=ecosystem,
        label=label,
        stage=stage,
        kind=kind,
        limit=limit,
        offset=offset,
    )
    items = [convert.summary(o, page.scores.get(o.id)) for o in page.items]
    session.rollback()
    out = SearchOut(
        total=page.total,
        limit=limit,
        offset=offset,
        next=convert.next_link(request.url, total=page.total, limit=limit, offset=offset),
        mode=page.mode,
        items=items,
    )
    if format == "csv":
        text = convert.to_csv((i.model_dump() for i in items), CSV_COLUMNS)
        return PlainTextResponse(
            text, media_type="text/csv", headers={"X-Total-Count": str(page.total)}
        )
    if format == "geojson":
        members = out.model_dump(mode="json", exclude={"items"})
        body = convert.feature_collection(_features(maps, items), **members)
        return JSONResponse(body, media_type="application/geo+json")
    return out


@router.post(
    "/organisations",
    response_model=OrganisationOut,
    status_code=201,
    responses=WRITE_RESPONSES,
    summary="Create an organisation (admin)",
)
def create(body: OrganisationCreate, session: SessionDep, user: CurrentUser) -> OrganisationOut:
    """Create an organisation; only an administrator may."""
    data = body.model_dump(exclude_none=True)
    organisation = create_organisation(session, actor=user, data=data)
    session.commit()
    return convert.profile(organisation)


def _statistics(maps: MapsDep, organisation: Organisation) -> StatisticsOut:
    source = source_of_region(organisation.region)
    empty = StatisticsOut(source=None, year=None, categories=None, rules=None, rows=[], note="")
    if source is None:
        note = "The organisation's region is not a NUTS-2 or CBSA code."
        return empty.model_copy(update={"note": note})
    result = maps.profile_map(source)
    if result is None:
        note = "The statistics of its region are not available (no data mirror)."
        return empty.model_copy(update={"note": note})
    stats = organisation_statistics(organisation, map_frame=result.frame)
    year, family, rules = PROFILE_MAPS[source]
    return StatisticsOut(
        source=source,
        year=year,
        categories=family,
        rules=rules,
        rows=records(stats.frame),
        note=stats.note,
    )


@router.get(
    "/organisations/{organisation_id}",
    response_model=OrganisationProfile,
    summary="An organisation's profile, validation and regional statistics",
)
def read(organisation_id: OrgId, session: SessionDep, maps: MapsDep) -> OrganisationProfile:
    """Return the profile, its ECCP validation, the statistics of its region and its training.

    ``training_programmes`` lists a training provider's programmes with their ESCO tags;
    ``training_partnerships`` the cluster ↔ provider partnerships of either side, with the
    registry ids of both (``None`` where the registry lacks one).

    EU NUTS-2 regions use the eu-sbs 2014 map of NACE divisions (eco2007 stars); CBSAs the
    us-cbp 2019 map of traded clusters (uscmp); other organisations get no statistics.
    A training provider has neither validation nor statistics (both ``null``): the ECCP
    criteria and the regional cluster statistics describe cluster organisations.
    """
    organisation = get_organisation(session, organisation_id)
    out = convert.profile(organisation)
    cluster = organisation.is_cluster
    checked = convert.validation(validate_organisation(organisation)) if cluster else None
    partnerships = services_tags.training_partnerships(session, organisation)
    session.commit()  # end the transaction before building a map
    programmes = services_tags.provider_programmes(session, organisation)
    session.commit()
    return OrganisationProfile(
        organisation=out,
        validation=checked,
        statistics=_statistics(maps, organisation) if cluster else None,
        training_programmes=[TrainingProgrammeOut.model_validate(p) for p in programmes],
        training_partnerships=[TrainingPartnershipOut.model_validate(p) for p in partnerships],
    )


@router.patch(
    "/organisations/{organisation_id}",
    response_model=OrganisationOut,
    responses=WRITE_RESPONSES,
    summary="Change an organisation (admin or its manager)",
)
def patch(
    organisation_id: OrgId, body: OrganisationPatch, session: SessionDep, user: CurrentUser
) -> OrganisationOut:
    """Apply the fields given to the organisation read at ``version``.

    Answers 409 with ``current_version`` when someone changed it meanwhile: read it again
    and re-apply the change.
    """
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    organisation = update_organisation(
        session,
        actor=user,
        organisation_id=organisation_id,
        expected_version=body.version,
        changes=changes,
    )
    out = convert.profile(organisation)  # inside the transaction: no second lock to read it
    session.commit()
    return out


@router.delete(
    "/organisations/{organisation_id}",
    status_code=204,
    responses=WRITE_RESPONSES,
    summary="Delete an organisation (admin)",
)
def delete(organisation_id: OrgId, session: SessionDep, user: CurrentUser) -> Response:
    """Delete an organisation and everything that belongs to it."""
    delete_organisation(session, actor=user, organisation_id=organisation_id)
    session.commit()
    return Response(status_code=204)


@router.get(
    "/organisations/{organisation_id}/recommendations",
    response_model=list[RecommendationOut],
    summary="Recommended partners, explained",
)
def recommendations(
    organisation_id: OrgId,
    session: SessionDep,
    maps: MapsDep,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> list[RecommendationOut]:
    """Rank partners by related clusters, value-chain stages, technologies and regional strength.

    An organisation with no category, value-chain stage or technology gets an empty list and
    the header ``X-Recommendation-Note: Add categories or technologies to get
    recommendations.``
    """
    related, frame = maps.related(), maps.strength_frame()  # before the transaction starts
    found = recommend_partners(
        session, organisation_id=organisation_id, related=related, map_frame=frame, limit=limit
    )
    note = missing_profile(get_organisation(session, organisation_id))
    if note:
        response.headers["X-Recommendation-Note"] = note
    return [convert.recommendation(r) for r in found]


@router.get(
    "/backdrop",
    tags=["maps"],
    summary="Country outlines drawn under the web maps (GeoJSON)",
    responses={200: {"content": {"application/geo+json": {"schema": {"type": "object"}}}}},
)
def backdrop() -> JSONResponse:
    """Return the country outlines (NUTS level 0 and the United States), simplified, EPSG:4326.

    Foreign members: ``attribution`` and ``missing`` (sources whose file is not installed).
    """
    from clusteratlas.api.backdrop import country_outlines

    return JSONResponse(
        country_outlines(),
        media_type="application/geo+json",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@router.get(
    "/organisations/{organisation_id}/history",
    response_model=list[AuditOut],
    summary="Changes to an organisation, newest first",
)
def organisation_history(
    organisation_id: OrgId,
    session: SessionDep,
    user: OptionalUser,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[AuditOut]:
    """Return the audit entries of one organisation (who changed what, when).

    Administrators see who by e-mail; everyone else by display name or role.
    """
    get_organisation(session, organisation_id)
    entries = history(
        session, entity="organisation", entity_id=organisation_id, limit=limit, offset=offset
    )
    if user is not None and user.role == "admin":
        return [convert.audit(e) for e in entries]
    labels = actor_labels(session, entries)
    return [convert.audit(e, actor=labels[e.id]) for e in entries]


@router.get(
    "/regions/{region}/organisations",
    response_model=list[OrganisationSummary],
    tags=["maps"],
    summary="Organisations of a region",
)
def region_organisations(
    region: Annotated[str, Path(pattern=NO_NUL, max_length=200)],
    session: SessionDep,
    category: Filter = None,
) -> list[OrganisationSummary]:
    """Return the organisations whose region code or name is ``region``."""
    found = organisations_in_region(session, region=region, category=category)
    return [convert.summary(o) for o in found]
