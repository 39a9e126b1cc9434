"""Partner-search write services: posts (offers and requests), follows, interests, comments.

Re-exported by :mod:`clusteratlas.registry.services`; the same conventions apply (the caller's
session, permissions, an audit entry per change).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clusteratlas._validation import check_in
from clusteratlas.errors import ParameterError, PermissionDeniedError, RecordNotFoundError
from clusteratlas.registry.audit import record
from clusteratlas.registry.auth import require_edit
from clusteratlas.registry.models import (
    POST_KINDS,
    Comment,
    Follow,
    Interest,
    Organisation,
    Post,
    User,
)


def _get_organisation(session: Session, organisation_id: int) -> Organisation:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise RecordNotFoundError(f"There is no organisation with id {organisation_id}.")
    return organisation


def _get_post(session: Session, post_id: int) -> Post:
    post = session.get(Post, post_id)
    if post is None:
        raise RecordNotFoundError(f"There is no partner-search post with id {post_id}.")
    return post


def _require_user(actor: User | None, what: str) -> User:
    if actor is None or not actor.active:
        raise PermissionDeniedError(f"Only a signed-in user may {what}.")
    if actor.role == "participant":
        raise PermissionDeniedError(
            f"A participant account (self-service sign-up) may not {what}; it registers to "
            "events only."
        )
    return actor


def create_post(
    session: Session,
    *,
    actor: User | None,
    organisation_id: int,
    kind: str,
    title: str,
    body: str = "",
) -> Post:
    """Publish a partner-search post (``kind`` ``offer`` or ``request``) for an organisation."""
    check_in(kind, POST_KINDS, name="kind")
    if not title.strip():
        raise ParameterError("The 'title' parameter must not be empty.")
    organisation = _get_organisation(session, organisation_id)
    if actor is not None:
        require_edit(actor, organisation)
    post = Post(
        organisation_id=organisation_id,
        author_id=actor.id if actor else None,
        kind=kind,
        title=title,
        body=body,
    )
    session.add(post)
    session.flush()
    after = {"organisation_id": organisation_id, "kind": kind, "title": title}
    record(session, actor=actor, entity="post", entity_id=post.id, action="create", after=after)
    return post


def follow_post(session: Session, *, actor: User | None, post_id: int) -> Follow:
    """Follow a post (idempotent: following twice returns the same row)."""
    user = _require_user(actor, "follow a post")
    _get_post(session, post_id)
    found = session.scalar(
        select(Follow).where(Follow.post_id == post_id, Follow.user_id == user.id)
    )
    if found is not None:
        return found
    follow = Follow(post_id=post_id, user_id=user.id)
    session.add(follow)
    session.flush()
    record(session, actor=user, entity="post_follow", entity_id=follow.id, action="create")
    return follow


def unfollow_post(session: Session, *, actor: User | None, post_id: int) -> None:
    """Stop following a post (no error when not following)."""
    user = _require_user(actor, "unfollow a post")
    found = session.scalar(
        select(Follow).where(Follow.post_id == post_id, Follow.user_id == user.id)
    )
    if found is not None:
        record(session, actor=user, entity="post_follow", entity_id=found.id, action="delete")
        session.delete(found)
        session.flush()


def express_interest(
    session: Session, *, actor: User | None, post_id: int, message: str | None = None
) -> Interest:
    """Express interest in a post (once per user; a second call updates the message)."""
    user = _require_user(actor, "express interest")
    _get_post(session, post_id)
    interest = session.scalar(
        select(Interest).where(Interest.post_id == post_id, Interest.user_id == user.id)
    )
    action = "update" if interest is not None else "create"
    if interest is None:
        interest = Interest(post_id=post_id, user_id=user.id)
        session.add(interest)
    before = {"message": interest.message}
    interest.message = message
    session.flush()
    record(
        session,
        actor=user,
        entity="post_interest",
        entity_id=interest.id,
        action=action,
        before=before if action == "update" else None,
        after={"message": message, "post_id": post_id},
    )
    return interest


def add_comment(session: Session, *, actor: User | None, post_id: int, body: str) -> Comment:
    """Comment on a post."""
    user = _require_user(actor, "comment")
    if not body.strip():
        raise ParameterError("The 'body' parameter must not be empty.")
    _get_post(session, post_id)
    comment = Comment(post_id=post_id, user_id=user.id, body=body)
    session.add(comment)
    session.flush()
    after = {"post_id": post_id, "body": body}
    record(
        session,
        actor=user,
        entity="post_comment",
        entity_id=comment.id,
        action="create",
        after=after,
    )
    return comment


__all__ = ["add_comment", "create_post", "express_interest", "follow_post", "unfollow_post"]


def list_posts(
    session: Session,
    *,
    organisation_id: int | None = None,
    kind: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> tuple[list[Post], int]:
    """Return one page of partner-search posts, newest first, and the total count.

    Parameters
    ----------
    session : Session
        The caller's session.
    organisation_id : int, optional
        Only the posts of this organisation.
    kind : {"offer", "request"}, optional
        Only offers or only requests.
    limit, offset : int
        The page.
    """
    if kind is not None:
        check_in(kind, POST_KINDS, name="kind")
    query = select(Post)
    if organisation_id is not None:
        query = query.where(Post.organisation_id == organisation_id)
    if kind is not None:
        query = query.where(Post.kind == kind)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = session.scalars(
        query.order_by(Post.created_at.desc(), Post.id.desc()).limit(limit).offset(offset)
    )
    return list(page), int(total)


def organisation_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """Return the names of the organisations ``ids`` (to label posts in a list)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.id.in_(wanted))
    )
    return {row.id: row.name for row in rows}


def get_post(session: Session, post_id: int) -> tuple[Post, int, int]:
    """Return a post with its number of followers and of expressions of interest."""
    post = _get_post(session, post_id)
    followers = session.scalar(select(func.count()).where(Follow.post_id == post_id)) or 0
    interests = session.scalar(select(func.count()).where(Interest.post_id == post_id)) or 0
    return post, int(followers), int(interests)
