"""HTML pages of the atlas: the map, a region's portfolio and a category's top regions.

Routes parse the query, call a service (:func:`clusteratlas.mapping.service.make_map` through
:func:`~clusteratlas.web._support.load_map`, :func:`clusteratlas.mapping.portfolio.portfolio`,
:func:`~clusteratlas.mapping.portfolio.rank_regions`) and render a template. The registry
pages live in :mod:`clusteratlas.web.routes_registry` and are included in :data:`router`.
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from clusteratlas.errors import UnknownCodeError
from clusteratlas.web._support import DEFAULTS, TEMPLATES, MapChoice, load_map, source_years
from clusteratlas.web.routes_labels import router as labels_router
from clusteratlas.web.routes_meet import router as meet_router
from clusteratlas.web.routes_meet_followup import router as meet_followup_router
from clusteratlas.web.routes_meet_organise import router as meet_organise_router
from clusteratlas.web.routes_posts import router as posts_router
from clusteratlas.web.routes_proposals_admin import router as proposals_router
from clusteratlas.web.routes_registry import router as registry_router
from clusteratlas.web.routes_signin import router as signin_router
from clusteratlas.web.routes_signup import router as signup_router
from clusteratlas.web.routes_skills import router as skills_router
from clusteratlas.web.routes_training import router as training_router

router = APIRouter(include_in_schema=False)
router.include_router(proposals_router)  # before /organisations/{organisation_id}
router.include_router(registry_router)
router.include_router(posts_router)
router.include_router(signin_router)
router.include_router(signup_router)
router.include_router(labels_router)
router.include_router(meet_router)
router.include_router(meet_organise_router)
router.include_router(skills_router)
router.include_router(training_router)
router.include_router(meet_followup_router)

DEFAULT_CATEGORY = {"eu-sbs": "C26", "us-cbp": "Information Technology and Analytical Instruments"}
"""Category shown first on the map when the query names none."""

MEASURES = {
    "lq": "Location quotient",
    "employment": "Employment",
    "share_of_region": "Share of the region's employment",
    "stars": "Stars (0–3)",
    "strong": "Strong cluster",
}
"""Measures the map can colour regions by, with their labels."""


def number(value: Any, digits: int = 2) -> str:
    """Format a number for a table cell (``–`` for missing values, thousands separated)."""
    if value is None or isinstance(value, str):
        return "–" if value in (None, "") else str(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and math.isnan(value):
        return "–"
    if float(value).is_integer() and digits <= 2 and abs(float(value)) >= 100:
        return f"{int(value):,}"
    return f"{float(value):,.{digits}f}"


TEMPLATES.env.filters["number"] = number


def _choice(source: str, year: int | None, categories: str | None, rules: str | None) -> MapChoice:
    if source not in DEFAULTS:
        raise UnknownCodeError(f"Unknown source {source!r}; choose one of {', '.join(DEFAULTS)}.")
    return MapChoice.of(source, year, categories, rules)


def _error(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(
        request, "error.html", {"title": title, "message": message}, status_code=status
    )


def map_palette() -> dict[str, Any]:
    """Return the map colours of the HTML atlas (one convention: darker = higher).

    The LQ classes and colours, the quantile colours (light to dark), the star and
    strong-cluster colours and the missing-value fill of :mod:`clusteratlas.report`.
    """
    from clusteratlas.report._common import LQ_BREAKS, LQ_COLOURS, MISSING_FILL, QUANTILE_COLOURS
    from clusteratlas.report.atlas import STAR_COLOURS
    from clusteratlas.report.plots import FLAG_COLOURS

    return {
        "lqBreaks": list(LQ_BREAKS),
        "lqColours": list(LQ_COLOURS),
        "quantileColours": list(QUANTILE_COLOURS),
        "starColours": list(STAR_COLOURS),
        "flagColours": list(FLAG_COLOURS),
        "missing": MISSING_FILL,
    }


def _records(frame: Any, columns: list[str]) -> list[dict[str, Any]]:
    present = [c for c in columns if c in frame.columns]
    return [dict(row) for row in frame[present].to_dict("records")]


@router.get("/", response_class=HTMLResponse, name="atlas")
def atlas(
    request: Request,
    source: str = "eu-sbs",
    year: int | None = None,
    category: str | None = None,
    measure: str = "lq",
) -> HTMLResponse:
    """Render the atlas map: source, year, category and measure; regions coloured by it."""
    try:
        choice = _choice(source, year, None, None)
    except UnknownCodeError as err:
        return _error(request, 404, "Unknown source", str(err))
    result, note = load_map(choice, request)
    categories: list[dict[str, Any]] = []
    measures = {k: v for k, v in MEASURES.items() if k in ("lq", "employment", "share_of_region")}
    if result is not None:
        frame = result.frame
        labels = frame[["category", "category_label"]].drop_duplicates("category")
        categories = _records(labels.sort_values("category"), ["category", "category_label"])
        measures |= {k: v for k, v in MEASURES.items() if k in ("stars", "strong") and k in frame}
    codes = [c["category"] for c in categories]
    chosen = category if category in codes else DEFAULT_CATEGORY.get(choice.source)
    if codes and chosen not in codes:
        chosen = codes[0]
    context = {
        "title": "Atlas map",
        "choice": choice,
        "sources": list(DEFAULTS),
        "years": source_years(choice.source),
        "categories": categories,
        "category": chosen or "",
        "measures": measures,
        "measure": measure if measure in measures else "lq",
        "note": note,
        "result": result,
        "palette": map_palette(),
    }
    return TEMPLATES.TemplateResponse(request, "atlas.html", context)


def _map_or_error(
    request: Request,
    source: str,
    year: int | None,
    categories: str | None,
    rules: str | None,
) -> tuple[Any, Any] | HTMLResponse:
    """Return the (choice, map) a page asks for, or the error page that says why not."""
    try:
        choice = _choice(source, year, categories, rules)
    except UnknownCodeError as err:
        return _error(request, 404, "Unknown source", str(err))
    result, note = load_map(choice, request)
    if result is None:
        return _error(request, 503, "Map not available", note)
    return choice, result


@router.get("/regions/{source}/{region}", response_class=HTMLResponse, name="region")
def region_page(
    request: Request,
    source: str,
    region: str,
    year: int | None = None,
    categories: str | None = None,
    rules: str | None = None,
) -> HTMLResponse:
    """Render a region's cluster portfolio: every category with its measures and rating."""
    from clusteratlas.mapping.portfolio import portfolio, rating_column

    loaded = _map_or_error(request, source, year, categories, rules)
    if isinstance(loaded, HTMLResponse):
        return loaded
    choice, result = loaded
    try:
        rows = portfolio(result.frame, region)
    except UnknownCodeError as err:
        return _error(request, 404, "Unknown region", str(err))
    rating = rating_column(rows)
    columns = ["category", "category_label", "lq", "employment", "share_of_region"]
    context = {
        "title": f"Portfolio of {rows['region_name'].iloc[0] if len(rows) else region}",
        "choice": choice,
        "region": region,
        "region_name": str(rows["region_name"].iloc[0]) if len(rows) else region,
        "rows": _records(rows, [*columns, *([rating] if rating else []), "rank_in_category"]),
        "rating": rating,
        "result": result,
    }
    return TEMPLATES.TemplateResponse(request, "region.html", context)


@router.get("/categories/{source}/{category}", response_class=HTMLResponse, name="category")
def category_page(
    request: Request,
    source: str,
    category: str,
    year: int | None = None,
    categories: str | None = None,
    rules: str | None = None,
    measure: str = "lq",
    top: int = Query(25, ge=1, le=500),
) -> HTMLResponse:
    """Render the regions ranked by a measure for one category."""
    from clusteratlas.mapping.portfolio import rank_regions, rating_column

    loaded = _map_or_error(request, source, year, categories, rules)
    if isinstance(loaded, HTMLResponse):
        return loaded
    choice, result = loaded
    try:
        rows = rank_regions(result.frame, category, measure=measure, top=top)
    except (UnknownCodeError, ValueError) as err:
        return _error(request, 404, "Unknown category or measure", str(err))
    rating = rating_column(rows)
    columns = ["rank", "region", "region_name", "lq", "employment", "share_of_region"]
    label = str(rows["category_label"].iloc[0]) if len(rows) else category
    context = {
        "title": f"Top regions: {label}",
        "choice": choice,
        "category": category,
        "label": label,
        "measure": measure,
        "top": top,
        "rows": _records(rows, [*columns, *([rating] if rating else [])]),
        "rating": rating,
        "result": result,
    }
    return TEMPLATES.TemplateResponse(request, "category.html", context)
