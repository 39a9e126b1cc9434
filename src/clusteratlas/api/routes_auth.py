"""Routes that sign in and out, and list, create and revoke API tokens and sessions.

Sign-in is rate limited per account and per client address (429 with ``Retry-After``), must
be sent as JSON (a cross-site form cannot, so no one can sign a browser into their account:
login CSRF) and opens a server-side session. Owners manage their own tokens and sessions;
administrators (with the ``admin`` scope) those of anyone (``user_id``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response

from clusteratlas.api import convert
from clusteratlas.api.deps import (
    SESSION_COOKIE,
    CredentialDep,
    CurrentCredential,
    CurrentUser,
    SessionDep,
    SettingsDep,
    auth_settings,
    csrf_for,
    set_session_cookie,
    sign_in_request,
)
from clusteratlas.api.schemas import ERROR_RESPONSES, WRITE_RESPONSES, LoginIn, Message, UserOut
from clusteratlas.api.schemas_auth import (
    Ended,
    LoginOut,
    SessionInfo,
    TokenCreated,
    TokenInfo,
    TokenRequest,
)
from clusteratlas.errors import ParameterError, TooManyAttemptsError
from clusteratlas.registry import (
    ApiToken,
    Credential,
    UserSession,
    create_token,
    list_sessions,
    list_tokens,
    revoke_session,
    revoke_token,
    revoke_user_sessions,
)

router = APIRouter(prefix="/auth", tags=["auth"], responses=ERROR_RESPONSES)

Id = Annotated[int, Path(ge=1, le=2_000_000_000)]
UserFilter = Annotated[
    int | None,
    Query(ge=1, le=2_000_000_000, description="Another user's (administrators only)."),
]
LOGIN_RESPONSES: dict[int | str, dict[str, object]] = {
    401: {"model": Message, "description": "Wrong e-mail or password"},
    415: {"model": Message, "description": "Not sent as application/json"},
    429: {"model": Message, "description": "Too many attempts; see Retry-After"},
}


def _is_json(request: Request) -> bool:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return kind == "application/json" or (
        kind.startswith("application/") and kind.endswith("+json")
    )


@router.post(
    "/login", response_model=LoginOut, responses=LOGIN_RESPONSES, summary="Sign in (session)"
)
async def login(body: LoginIn, request: Request, response: Response) -> LoginOut:
    """Open a session: set the HttpOnly, SameSite=Lax cookie and return its id and CSRF token.

    A throttled attempt is answered 429 before any password check or database query;
    password checks wait for one of the server's hash slots (``CLUSTERATLAS_HASH_SLOTS``).
    """
    if not _is_json(request):
        raise HTTPException(status_code=415, detail="Send the sign-in as application/json.")
    settings = auth_settings(request)
    try:
        done = await sign_in_request(request, email=body.email, password=body.password)
    except TooManyAttemptsError as err:
        headers = {"Retry-After": str(err.retry_after)}
        raise HTTPException(status_code=429, detail=str(err), headers=headers) from err
    if done is None:
        raise HTTPException(status_code=401, detail="Wrong e-mail or password.")
    set_session_cookie(response, request, done.secret, settings)
    return LoginOut(
        token=done.secret,
        user=convert.user(done.user),
        expires_at=done.record.expires_at,
        csrf_token=csrf_for(done.secret),
    )


@router.post("/logout", response_model=Message, responses=WRITE_RESPONSES, summary="Sign out")
def logout(response: Response, session: SessionDep, credential: CredentialDep) -> Message:
    """End the session (or revoke the API token) of the request and clear the cookie."""
    if credential is not None:
        if credential.kind == "session":
            revoke_session(session, session_id=credential.record_id, actor=credential.user)
        else:
            revoke_token(session, token_id=credential.record_id, actor=credential.user)
        session.commit()
    response.delete_cookie(SESSION_COOKIE, path="/")
    return Message(detail="Signed out.")


def _admin(credential: Credential) -> bool:
    return credential.user.role == "admin" and "admin" in credential.scopes


def _owner(credential: Credential, user_id: int | None) -> int | None:
    """Whose records to show: one's own, or (administrators) anyone's or everyone's."""
    admin = _admin(credential)
    if user_id is not None and user_id != credential.user.id and not admin:
        raise HTTPException(status_code=403, detail="Only administrators see others' records.")
    return user_id if user_id is not None or admin else credential.user.id


def _token_info(item: ApiToken) -> TokenInfo:
    return TokenInfo(
        id=item.id,
        user_id=item.user_id,
        name=item.name,
        prefix=item.prefix,
        scopes=item.scopes.split(),
        created_at=item.created_at,
        expires_at=item.expires_at,
        last_used_at=item.last_used_at,
        revoked_at=item.revoked_at,
    )


@router.get(
    "/tokens", response_model=list[TokenInfo], responses=WRITE_RESPONSES, summary="API tokens"
)
def tokens(
    session: SessionDep,
    credential: CurrentCredential,
    user_id: UserFilter = None,
    all: Annotated[bool, Query(description="Include revoked and expired tokens.")] = False,
) -> list[TokenInfo]:
    """List your API tokens (administrators: everyone's, or one user's with ``user_id``)."""
    owner = _owner(credential, user_id)
    return [_token_info(t) for t in list_tokens(session, user_id=owner, include_inactive=all)]


@router.post(
    "/tokens",
    response_model=TokenCreated,
    status_code=201,
    responses=WRITE_RESPONSES,
    summary="Create an API token for yourself",
)
def new_token(
    body: TokenRequest, session: SessionDep, credential: CurrentCredential, settings: SettingsDep
) -> TokenCreated:
    """Return a new API token for the signed-in user (shown once).

    Its scopes cannot exceed those of the credential that asks; its lifetime cannot exceed
    the server's maximum (365 days by default).
    """
    allowed = {"read", "write"} | ({"admin"} if credential.user.role == "admin" else set())
    asked = set(body.scopes) if body.scopes is not None else allowed & credential.scopes
    wider = sorted(asked - credential.scopes)
    if wider:
        raise HTTPException(status_code=403, detail=f"Your credential lacks scope(s) {wider}.")
    days = body.expires_in_days
    lifetime = settings.token_lifetime if days is None else dt.timedelta(days=days)
    if lifetime > settings.token_max_lifetime:
        raise ParameterError(
            f"'expires_in_days' may be at most {settings.token_max_lifetime.days}; got {days}."
        )
    stored, token = create_token(
        session, user=credential.user, name=body.name, scopes=asked, lifetime=lifetime
    )
    session.commit()
    info = _token_info(stored).model_dump()
    return TokenCreated(**info, token=token, user=convert.user(credential.user))


@router.delete(
    "/tokens/{token_id}", status_code=204, responses=WRITE_RESPONSES, summary="Revoke a token"
)
def delete_token(token_id: Id, session: SessionDep, credential: CurrentCredential) -> Response:
    """Revoke one of your API tokens (administrators: anyone's)."""
    revoke_token(session, token_id=token_id, actor=credential.user, admin=_admin(credential))
    session.commit()
    return Response(status_code=204)


def _session_info(item: UserSession, credential: Credential) -> SessionInfo:
    current = credential.kind == "session" and credential.record_id == item.id
    return SessionInfo(
        id=item.id,
        user_id=item.user_id,
        created_at=item.created_at,
        last_seen_at=item.last_seen_at,
        expires_at=item.expires_at,
        revoked_at=item.revoked_at,
        client=item.client,
        user_agent=item.user_agent,
        current=current,
    )


@router.get(
    "/sessions", response_model=list[SessionInfo], responses=WRITE_RESPONSES, summary="Sessions"
)
def sessions(
    session: SessionDep,
    credential: CurrentCredential,
    settings: SettingsDep,
    user_id: UserFilter = None,
    all: Annotated[bool, Query(description="Include ended sessions.")] = False,
) -> list[SessionInfo]:
    """List your open sessions (administrators: everyone's, or one user's with ``user_id``)."""
    owner = _owner(credential, user_id)
    found = list_sessions(session, user_id=owner, settings=settings, include_inactive=all)
    return [_session_info(s, credential) for s in found]


@router.delete(
    "/sessions/{session_id}", status_code=204, responses=WRITE_RESPONSES, summary="End a session"
)
def delete_session(session_id: Id, session: SessionDep, credential: CurrentCredential) -> Response:
    """End one of your sessions (administrators: anyone's), e.g. on a lost laptop."""
    revoke_session(session, session_id=session_id, actor=credential.user, admin=_admin(credential))
    session.commit()
    return Response(status_code=204)


@router.delete(
    "/sessions", response_model=Ended, responses=WRITE_RESPONSES, summary="End all sessions"
)
def delete_sessions(
    session: SessionDep, credential: CurrentCredential, user_id: UserFilter = None
) -> Ended:
    """Sign out everywhere else (yours, but the current one), or all of ``user_id``'s (admins)."""
    owner = credential.user.id if user_id is None else user_id
    own = owner == credential.user.id
    keep = credential.record_id if credential.kind == "session" and own else None
    ended = revoke_user_sessions(
        session, user_id=owner, actor=credential.user, keep=keep, admin=_admin(credential)
    )
    session.commit()
    return Ended(ended=ended)


@router.get(
    "/me",
    response_model=UserOut,
    responses={401: {"model": Message, "description": "Not signed in"}},
    summary="The signed-in user",
)
def me(user: CurrentUser) -> UserOut:
    """Return the signed-in user."""
    return convert.user(user)
