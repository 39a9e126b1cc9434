"""Routes that sign in and out and hand out API tokens."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response
from sqlalchemy import select

from clusteratlas.api import convert
from clusteratlas.api.deps import SESSION_COOKIE, CurrentUser, SessionDep, request_token
from clusteratlas.api.schemas import (
    ERROR_RESPONSES,
    LoginIn,
    Message,
    TokenCreate,
    TokenOut,
    UserOut,
)
from clusteratlas.registry import (
    ApiToken,
    authenticate_password,
    authenticate_token,
    create_token,
    revoke_token,
)

router = APIRouter(prefix="/auth", tags=["auth"], responses=ERROR_RESPONSES)

COOKIE_MAX_AGE = 14 * 24 * 3600
"""Lifetime of the session cookie in seconds (the token itself lasts until logout)."""


@router.post(
    "/login",
    response_model=TokenOut,
    responses={401: {"model": Message, "description": "Wrong e-mail or password"}},
    summary="Sign in with e-mail and password",
)
def login(body: LoginIn, request: Request, response: Response, session: SessionDep) -> TokenOut:
    """Return a new token and set it as the HttpOnly, SameSite=Lax session cookie."""
    user = authenticate_password(session, email=body.email, password=body.password)
    if user is None:
        raise HTTPException(status_code=401, detail="Wrong e-mail or password.")
    _, token = create_token(session, user=user, name="session")
    session.commit()
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return TokenOut(token=token, user=convert.user(user))


@router.post("/logout", response_model=Message, summary="Sign out")
def logout(request: Request, response: Response, session: SessionDep) -> Message:
    """Revoke the token of the request (bearer or cookie) and clear the session cookie."""
    token = request_token(request)
    user = authenticate_token(session, token) if token else None
    if token is not None and user is not None:
        prefix = token.split("_")[1]
        stored = session.scalar(select(ApiToken).where(ApiToken.prefix == prefix))
        if stored is not None:
            revoke_token(session, token_id=stored.id, actor=user)
        session.commit()
    response.delete_cookie(SESSION_COOKIE, path="/")
    return Message(detail="Signed out.")


@router.post(
    "/tokens",
    response_model=TokenOut,
    status_code=201,
    responses={401: {"model": Message, "description": "Not signed in"}},
    summary="Create an API token for yourself",
)
def new_token(body: TokenCreate, session: SessionDep, user: CurrentUser) -> TokenOut:
    """Return a new API token for the signed-in user (shown once)."""
    _, token = create_token(session, user=user, name=body.name)
    session.commit()
    return TokenOut(token=token, user=convert.user(user))


@router.get(
    "/me",
    response_model=UserOut,
    responses={401: {"model": Message, "description": "Not signed in"}},
    summary="The signed-in user",
)
def me(user: CurrentUser) -> UserOut:
    """Return the signed-in user."""
    return convert.user(user)
