"""Read-only routes of the statistics: sources, maps, regions, portfolios, rankings."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from clusteratlas import __version__
from clusteratlas._csv import neutralise_frame
from clusteratlas.api.convert import feature_collection, next_link
from clusteratlas.api.deps import MapsDep
from clusteratlas.api.mapdata import DEFAULT_RULES, DEFAULT_YEARS, records
from clusteratlas.api.schemas import (
    ERROR_RESPONSES,
    NO_NUL,
    Health,
    RowsOut,
    SourceOut,
    SourcesOut,
)
from clusteratlas.mapping.portfolio import portfolio, rank_regions
from clusteratlas.mapping.rulesets import list_rulesets
from clusteratlas.mapping.service import MapResult
from clusteratlas.mapping.sources import SOURCES, get_source, load_definitions
from clusteratlas.paths import data_mirror

router = APIRouter(tags=["maps"], responses=ERROR_RESPONSES)

SourceName = Literal["eu-sbs", "us-cbp"]
SourceQ = Annotated[SourceName, Query(description="Statistics: `eu-sbs` or `us-cbp`.")]
YearQ = Annotated[int | None, Query(ge=1900, le=2100, description="Year (default 2014 / 2019).")]
FamilyQ = Annotated[
    str | None,
    Query(
        pattern=NO_NUL,
        max_length=40,
        description="Category family: eu-sbs `divisions`/`ecosystems`; us-cbp `traded`/`local`/`all`.",
    ),
]
RulesQ = Annotated[
    str | None,
    Query(pattern=NO_NUL, max_length=40, description="Rule-set name, or `none` for no rating."),
]
Code = Annotated[str, Query(pattern=NO_NUL, max_length=200)]
GEOJSON = "application/geo+json"


def client_of(request: Request) -> str:
    """Return the address a map built on a cache miss is charged to.

    Behind trusted proxies it is the forwarded one (see :mod:`clusteratlas.api.security`).
    """
    return request.client.host if request.client else "-"


TABLE_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            GEOJSON: {"schema": {"type": "object"}},
        }
    }
}


@router.get("/health", response_model=Health, summary="Liveness and versions")
def health(request: Request) -> Health:
    """Answer ``ok`` with the package version, the database back end and data availability."""
    dialect = request.app.state.engine.dialect.name
    return Health(
        status="ok", version=__version__, database=dialect, data=data_mirror() is not None
    )


@router.get("/sources", response_model=SourcesOut, summary="Sources, years, families, rule-sets")
def sources(maps: MapsDep) -> SourcesOut:
    """List the statistics sources with their years, category families and rule-sets."""
    return SourcesOut(
        sources=[
            SourceOut(
                name=spec.name,
                title=spec.title,
                region_label=spec.region_label,
                years=maps.years(spec.name),
                default_year=DEFAULT_YEARS[spec.name],
                categories=list(spec.categories),
                default_rules=DEFAULT_RULES[spec.name],
            )
            for spec in SOURCES.values()
            if spec.name in DEFAULT_YEARS  # the sources the API is configured to serve
        ],
        rulesets=list_rulesets(),
    )


def _rows(
    request: Request, result: MapResult, frame: pd.DataFrame, limit: int, offset: int
) -> RowsOut:
    page = frame.iloc[offset : offset + limit]
    return RowsOut(
        total=len(frame),
        limit=limit,
        offset=offset,
        next=next_link(request.url, total=len(frame), limit=limit, offset=offset),
        source=result.source.name,
        year=result.year,
        categories=result.categories,
        rules=result.ruleset.name if result.ruleset else None,
        attribution=result.attribution,
        notes=result.notes,
        warnings=result.warnings,
        rows=records(page),
    )


def _geojson(maps: MapsDep, source: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    shapes = maps.simplified(source)
    by_region = dict(zip(shapes["region"], shapes.geometry, strict=True))
    import shapely

    features = []
    for row in rows:
        shape = by_region.get(row["region"])
        geometry = shapely.geometry.mapping(shape) if shape is not None else None
        features.append(
            {"type": "Feature", "id": row["region"], "geometry": geometry, "properties": row}
        )
    return features


@router.get(
    "/maps",
    response_model=RowsOut,
    responses=TABLE_CONTENT,
    summary="A cluster map (rows per region and category)",
)
def get_map(
    request: Request,
    maps: MapsDep,
    source: SourceQ = "eu-sbs",
    year: YearQ = None,
    categories: FamilyQ = None,
    rules: RulesQ = None,
    category: Annotated[str | None, Query(pattern=NO_NUL, max_length=200)] = None,
    region: Annotated[str | None, Query(pattern=NO_NUL, max_length=12)] = None,
    format: Literal["json", "csv", "geojson"] = "json",
    limit: Annotated[int, Query(ge=1, le=100_000)] = 1000,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Any:
    """Return the rows of a map, optionally for one category or region.

    ``format=geojson`` joins the simplified region boundaries (the web map asks for one
    category at a time); ``format=csv`` returns the page as CSV with ``X-Total-Count``.
    """
    result = maps.map(
        source, year=year, categories=categories, rules=rules, client=client_of(request)
    )
    frame = result.frame
    if category is not None:
        frame = frame[(frame["category"] == category) | (frame["category_label"] == category)]
    if region is not None:
        frame = frame[frame["region"] == region]
    out = _rows(request, result, frame, limit, offset)
    if format == "csv":
        text = neutralise_frame(frame.iloc[offset : offset + limit]).to_csv(index=False)
        return PlainTextResponse(
            text, media_type="text/csv", headers={"X-Total-Count": str(out.total)}
        )
    if format == "geojson":
        members = out.model_dump(exclude={"rows"})
        body = feature_collection(_geojson(maps, result.source.name, out.rows), **members)
        return JSONResponse(body, media_type=GEOJSON)
    return out


@router.get(
    "/regions",
    responses={200: {"content": {GEOJSON: {"schema": {"type": "object"}}}}},
    summary="Region boundaries and names",
)
def regions(
    maps: MapsDep, source: SourceQ = "eu-sbs", format: Literal["geojson", "json"] = "geojson"
) -> Any:
    """Return the regions of a source: simplified GeoJSON boundaries, or codes and names."""
    get_source(source)
    shapes = maps.simplified(source)
    if format == "json":
        return [
            {"region": r, "name": n} for r, n in zip(shapes["region"], shapes["name"], strict=True)
        ]
    return Response(shapes[["region", "name", "geometry"]].to_json(), media_type=GEOJSON)


@router.get(
    "/regions/{region}/portfolio", response_model=RowsOut, summary="A region's cluster portfolio"
)
def region_portfolio(
    request: Request,
    maps: MapsDep,
    region: Annotated[str, Code],
    source: SourceQ = "eu-sbs",
    year: YearQ = None,
    categories: FamilyQ = None,
    rules: RulesQ = None,
) -> RowsOut:
    """Return every category of a region with its measures, ratings and rank.

    For ``us-cbp`` the rows also name the strongly and weakly related clusters.
    """
    result = maps.map(
        source, year=year, categories=categories, rules=rules, client=client_of(request)
    )
    related = maps.related() if source == "us-cbp" else None
    rows = portfolio(result.frame, region, related=related)
    return _rows(request, result, rows, max(len(rows), 1), 0)


@router.get("/categories", summary="Categories of a family")
def categories_list(
    maps: MapsDep, source: SourceQ = "eu-sbs", categories: FamilyQ = None
) -> list[dict[str, Any]]:
    """List the categories of a family with their label, type and number of industries."""
    _, _, family, _ = maps.check(source, None, categories, None)
    definitions = load_definitions(get_source(source), family)
    grouped = definitions.groupby(["category", "category_label", "category_type"], as_index=False)
    table = grouped.agg(n_industries=("industry", "nunique"))
    return records(table)


@router.get(
    "/categories/{category}/regions",
    response_model=RowsOut,
    summary="Regions ranked for one category",
)
def category_regions(
    request: Request,
    maps: MapsDep,
    category: Annotated[str, Code],
    source: SourceQ = "eu-sbs",
    year: YearQ = None,
    categories: FamilyQ = None,
    rules: RulesQ = None,
    measure: Annotated[str, Query(pattern=NO_NUL, max_length=40)] = "lq",
    limit: Annotated[int, Query(ge=1, le=10_000)] = 20,
) -> RowsOut:
    """Rank the regions by ``measure`` (default the location quotient) for one category."""
    result = maps.map(
        source, year=year, categories=categories, rules=rules, client=client_of(request)
    )
    ranked = rank_regions(result.frame, category, measure=measure, top=limit)
    return _rows(request, result, ranked, limit, 0)
