"""Routes of the partner search (posts, follows, interests, comments) and the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from clusteratlas.api import convert
from clusteratlas.api.deps import AdminUser, CurrentUser, SessionDep
from clusteratlas.api.schemas import (
    NO_NUL,
    WRITE_RESPONSES,
    AuditOut,
    CommentCreate,
    CommentOut,
    Created,
    InterestCreate,
    PostCreate,
    PostDetail,
    PostOut,
    PostsOut,
)
from clusteratlas.registry import (
    add_comment,
    create_post,
    express_interest,
    follow_post,
    get_post,
    history,
    list_posts,
    unfollow_post,
)

router = APIRouter(tags=["partner search"], responses=WRITE_RESPONSES)

Id = Annotated[int, Path(ge=1, le=2_000_000_000)]


@router.post(
    "/organisations/{organisation_id}/posts",
    response_model=PostOut,
    status_code=201,
    summary="Publish an offer or a request",
)
def publish(
    organisation_id: Id, body: PostCreate, session: SessionDep, user: CurrentUser
) -> PostOut:
    """Publish a partner-search post for an organisation you may edit."""
    post = create_post(
        session,
        actor=user,
        organisation_id=organisation_id,
        kind=body.kind,
        title=body.title,
        body=body.body,
    )
    session.commit()
    return convert.post(post)


@router.get("/posts", response_model=PostsOut, summary="List partner-search posts")
def posts(
    session: SessionDep,
    organisation_id: Annotated[int | None, Query(ge=1, le=2_000_000_000)] = None,
    kind: Annotated[str | None, Query(pattern="^(offer|request)$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> PostsOut:
    """Return offers and requests, newest first; anyone may read them."""
    items, total = list_posts(
        session, organisation_id=organisation_id, kind=kind, limit=limit, offset=offset
    )
    more = offset + limit < total
    following = f"/api/v1/posts?limit={limit}&offset={offset + limit}" if more else None
    return PostsOut(
        items=[convert.post(item) for item in items],
        total=total,
        limit=limit,
        offset=offset,
        next=following,
    )


@router.get("/posts/{post_id}", response_model=PostDetail, summary="One post with its comments")
def post_detail(post_id: Id, session: SessionDep) -> PostDetail:
    """Return a post, its comments, and how many follow it or expressed interest."""
    item, followers, interests = get_post(session, post_id)
    comments = [
        CommentOut(id=c.id, author_id=c.user_id, body=c.body, created_at=c.created_at)
        for c in item.comments
    ]
    return PostDetail(
        **convert.post(item).model_dump(),
        comments=comments,
        followers=followers,
        interests=interests,
    )


@router.post("/posts/{post_id}/follow", response_model=Created, summary="Follow a post")
def follow(post_id: Id, session: SessionDep, user: CurrentUser) -> Created:
    """Follow a post (following twice changes nothing)."""
    found = follow_post(session, actor=user, post_id=post_id)
    session.commit()
    return Created(id=found.id, post_id=post_id)


@router.delete("/posts/{post_id}/follow", status_code=204, summary="Stop following a post")
def unfollow(post_id: Id, session: SessionDep, user: CurrentUser) -> Response:
    """Stop following a post."""
    unfollow_post(session, actor=user, post_id=post_id)
    session.commit()
    return Response(status_code=204)


@router.post("/posts/{post_id}/interest", response_model=Created, summary="Express interest")
def interest(post_id: Id, body: InterestCreate, session: SessionDep, user: CurrentUser) -> Created:
    """Express interest in a post (a second call replaces the message)."""
    found = express_interest(session, actor=user, post_id=post_id, message=body.message)
    session.commit()
    return Created(id=found.id, post_id=post_id)


@router.post(
    "/posts/{post_id}/comments", response_model=Created, status_code=201, summary="Comment"
)
def comment(post_id: Id, body: CommentCreate, session: SessionDep, user: CurrentUser) -> Created:
    """Comment on a post."""
    found = add_comment(session, actor=user, post_id=post_id, body=body.body)
    session.commit()
    return Created(id=found.id, post_id=post_id)


@router.get("/audit", response_model=list[AuditOut], tags=["audit"], summary="The audit log")
def audit_log(
    session: SessionDep,
    _admin: AdminUser,
    entity: Annotated[str | None, Query(pattern=NO_NUL, max_length=40)] = None,
    entity_id: Annotated[int | None, Query(ge=1, le=2_000_000_000)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[AuditOut]:
    """Return audit entries, newest first (administrators only)."""
    entries = history(session, entity=entity, entity_id=entity_id, limit=limit, offset=offset)
    return [convert.audit(e) for e in entries]
