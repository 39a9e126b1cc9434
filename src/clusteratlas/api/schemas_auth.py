"""Request and response models of sign-in, sessions and API tokens (pydantic v2)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from clusteratlas.api.schemas import Short, UserOut, _Input

Scope = Literal["read", "write", "admin"]


class LoginOut(BaseModel):
    """A signed-in session: its id (also set as the HttpOnly cookie) and its CSRF token."""

    token: str = Field(description="Session id; usable as 'Authorization: Bearer' until logout.")
    token_type: Literal["bearer"] = "bearer"
    user: UserOut
    expires_at: dt.datetime = Field(description="Absolute end of the session (UTC).")
    csrf_token: str = Field(
        description="Send it as the X-CSRF-Token header with changes authenticated by cookie."
    )


class TokenRequest(_Input):
    """A new API token: what it is for, its scopes and its lifetime."""

    name: Short | None = None
    scopes: Annotated[list[Scope], Field(min_length=1, max_length=3)] | None = Field(
        default=None,
        description="Default: every scope your role and your credential allow.",
    )
    expires_in_days: Annotated[int, Field(ge=1, le=3650)] | None = Field(
        default=None, description="Default: the server's token lifetime (90 days)."
    )


class TokenInfo(BaseModel):
    """An API token as listed (never the token itself)."""

    id: int
    user_id: int
    name: str | None
    prefix: str
    scopes: list[str]
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreated(TokenInfo):
    """A new API token: shown once."""

    token: str
    token_type: Literal["bearer"] = "bearer"
    user: UserOut


class SessionInfo(BaseModel):
    """A sign-in session as listed (never its id)."""

    id: int
    user_id: int
    created_at: dt.datetime
    last_seen_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    client: str | None
    user_agent: str | None
    current: bool = Field(description="Whether this is the session of the request.")


class Ended(BaseModel):
    """How many sessions were ended."""

    ended: int
