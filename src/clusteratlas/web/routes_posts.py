"""HTML pages of partner search: the offers and requests posted by cluster organisations.

Posts are written through the API (``POST /api/v1/organisations/{id}/posts``); here they are
listed (:func:`clusteratlas.registry.list_posts`) and each profile shows its own
(:mod:`clusteratlas.web.routes_registry`).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from clusteratlas.web._support import TEMPLATES, current_user, db_session

router = APIRouter(include_in_schema=False)
DB = Annotated[Session, Depends(db_session)]
PAGE_SIZE = 20


def _error(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(
        request, "error.html", {"title": title, "message": message}, status_code=status
    )


@router.get("/posts", response_class=HTMLResponse, name="posts")
def posts_page(
    request: Request,
    session: DB,
    kind: Annotated[str, Query(max_length=10)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    """Render the partner-search posts (offers and requests), newest first, by page."""
    from clusteratlas.registry import list_posts
    from clusteratlas.registry.models import POST_KINDS
    from clusteratlas.registry.services_social import organisation_names

    chosen = kind.strip().lower()
    if chosen and chosen not in POST_KINDS:
        return _error(
            request,
            400,
            "Unknown kind of post",
            f"The 'kind' filter must be one of {', '.join(POST_KINDS)}; got {kind!r}.",
        )
    items, total = list_posts(
        session, kind=chosen or None, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    names = organisation_names(session, [p.organisation_id for p in items])
    pages = max(1, -(-total // PAGE_SIZE))

    def link(number: int) -> str:
        return urlencode({**({"kind": chosen} if chosen else {}), "page": number})

    context = {
        "title": "Partner search",
        "posts": items,
        "names": names,
        "total": total,
        "kind": chosen,
        "kinds": POST_KINDS,
        "page": page,
        "pages": pages,
        "previous": link(page - 1) if page > 1 else None,
        "next": link(page + 1) if page < pages else None,
        "user": current_user(request, session),
    }
    return TEMPLATES.TemplateResponse(request, "posts.html", context)
