"""The ``users`` commands: accounts, API tokens and sessions of the registry, for administrators.

``clusteratlas users create|list|set-role|activate|deactivate|set-password|create-token|
tokens|revoke-token|sessions|revoke-sessions``. Each opens the registry database (``--db``,
else ``DATABASE_URL``, else the user's SQLite file), migrates it, makes the change in one
transaction and records it in the audit log as made by ``system``.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.table import Table

from clusteratlas.cli._common import app, console
from clusteratlas.cli.serve_commands import _database_url
from clusteratlas.errors import ParameterError

users_app = typer.Typer(
    help="Registry accounts: create, list, roles, passwords, API tokens and sessions.",
    no_args_is_help=True,
)
app.add_typer(users_app, name="users")

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Registry database: an SQLite file or an SQLAlchemy URL "
        "(default: DATABASE_URL, else the user's SQLite file).",
    ),
]
UserArgument = Annotated[str, typer.Argument(help="E-mail address or id of the user.")]
OrganisationOption = Annotated[
    int | None, typer.Option("--organisation", help="Organisation id (managers only).")
]
PasswordStdin = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the password from the first line of stdin."),
]


@contextmanager
def _registry(db: str | None) -> Iterator[Any]:
    from clusteratlas.registry import make_engine, make_session_factory, migrate, session_scope

    engine = make_engine(_database_url(db))
    try:
        migrate(engine=engine)
        with session_scope(make_session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    value: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


def _when(moment: dt.datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment is not None else "–"


@users_app.command("create")
def create_command(
    email: Annotated[str, typer.Argument(help="E-mail address (the sign-in name).")],
    role: Annotated[str, typer.Option("--role", help="`public`, `manager` or `admin`.")] = "public",
    organisation: OrganisationOption = None,
    name: Annotated[str | None, typer.Option("--name", help="Display name.")] = None,
    password_stdin: PasswordStdin = False,
    no_password: Annotated[
        bool, typer.Option("--no-password", help="No password: API tokens only.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Create an account (asks for the password twice unless `--password-stdin`)."""
    from clusteratlas.registry import create_user

    password = None if no_password else _password(password_stdin)
    with _registry(db) as session:
        user = create_user(
            session,
            email=email,
            password=password,
            role=role,
            organisation_id=organisation,
            name=name,
        )
        console.print(f"Created user {user.id}: {user.email} ({user.role})")


@users_app.command("list")
def list_command(
    role: Annotated[str | None, typer.Option("--role", help="Only users of this role.")] = None,
    db: DbOption = None,
) -> None:
    """List the accounts with their role, organisation, open sessions and live tokens."""
    from clusteratlas.registry import list_sessions, list_tokens, list_users

    with _registry(db) as session:
        table = Table(title="Users")
        for column in ("id", "e-mail", "name", "role", "organisation", "active", "sessions"):
            table.add_column(column)
        table.add_column("tokens")
        for user in list_users(session, role=role):
            table.add_row(
                str(user.id),
                user.email,
                user.name or "",
                user.role,
                str(user.organisation_id or ""),
                "yes" if user.active else "no",
                str(len(list_sessions(session, user_id=user.id))),
                str(len(list_tokens(session, user_id=user.id))),
            )
        console.print(table)


@users_app.command("set-role")
def set_role_command(
    user: UserArgument,
    role: Annotated[str, typer.Argument(help="`public`, `manager` or `admin`.")],
    organisation: OrganisationOption = None,
    db: DbOption = None,
) -> None:
    """Change a user's role (a manager needs `--organisation`); their sessions end."""
    from clusteratlas.registry import find_user, set_role

    with _registry(db) as session:
        found = set_role(
            session, user=find_user(session, user), role=role, organisation_id=organisation
        )
        console.print(f"{found.email} is now {found.role}; their sessions were ended.")


@users_app.command("deactivate")
def deactivate_command(user: UserArgument, db: DbOption = None) -> None:
    """Deactivate an account: no sign-in, no token, sessions ended."""
    from clusteratlas.registry import find_user, set_active

    with _registry(db) as session:
        found = set_active(session, user=find_user(session, user), active=False)
        console.print(f"{found.email} is deactivated.")


@users_app.command("activate")
def activate_command(user: UserArgument, db: DbOption = None) -> None:
    """Activate an account again."""
    from clusteratlas.registry import find_user, set_active

    with _registry(db) as session:
        found = set_active(session, user=find_user(session, user), active=True)
        console.print(f"{found.email} is active.")


@users_app.command("set-password")
def set_password_command(
    user: UserArgument, password_stdin: PasswordStdin = False, db: DbOption = None
) -> None:
    """Set a new password; the user's sessions end."""
    from clusteratlas.registry import find_user, set_password

    password = _password(password_stdin)
    with _registry(db) as session:
        found = set_password(session, user=find_user(session, user), password=password)
        console.print(f"New password set for {found.email}; their sessions were ended.")


@users_app.command("create-token")
def create_token_command(
    user: UserArgument,
    name: Annotated[str | None, typer.Option("--name", help="What the token is for.")] = None,
    scopes: Annotated[
        str | None,
        typer.Option(
            "--scopes", help="`read`, `write`, `admin`, e.g. 'read' (default: all the role allows)."
        ),
    ] = None,
    days: Annotated[int | None, typer.Option("--days", help="Lifetime in days.")] = None,
    no_expiry: Annotated[
        bool, typer.Option("--no-expiry", help="A token that never expires (use sparingly).")
    ] = False,
    db: DbOption = None,
) -> None:
    """Create an API token and print it once (it is stored only as a hash)."""
    from clusteratlas.registry import AuthSettings, create_token, find_user

    settings = AuthSettings.from_env()
    if days is not None and (days < 1 or no_expiry):
        raise ParameterError(
            f"The '--days' option must be a positive number, without '--no-expiry'; got {days}."
        )
    lifetime = None if no_expiry else dt.timedelta(days=days) if days else settings.token_lifetime
    with _registry(db) as session:
        owner = find_user(session, user)
        stored, token = create_token(
            session, user=owner, name=name, scopes=scopes, lifetime=lifetime
        )
        console.print(
            f"Token {stored.id} for {owner.email} (scopes: {stored.scopes}; "
            f"expires: {_when(stored.expires_at)}). It is shown only now:"
        )
        print(token)


@users_app.command("tokens")
def tokens_command(
    user: Annotated[str | None, typer.Argument(help="E-mail or id (default: everyone).")] = None,
    all: Annotated[bool, typer.Option("--all", help="Include revoked and expired.")] = False,
    db: DbOption = None,
) -> None:
    """List API tokens (never the tokens themselves)."""
    from clusteratlas.registry import find_user, list_tokens

    with _registry(db) as session:
        owner = find_user(session, user).id if user is not None else None
        table = Table(title="API tokens")
        for column in ("id", "user", "name", "prefix", "scopes", "created", "expires"):
            table.add_column(column)
        for column in ("last used", "revoked"):
            table.add_column(column)
        for token in list_tokens(session, user_id=owner, include_inactive=all):
            table.add_row(
                str(token.id),
                token.user.email,
                token.name or "",
                token.prefix,
                token.scopes,
                _when(token.created_at),
                _when(token.expires_at),
                _when(token.last_used_at),
                _when(token.revoked_at),
            )
        console.print(table)


@users_app.command("revoke-token")
def revoke_token_command(
    token_id: Annotated[int, typer.Argument(help="Id of the token (see `users tokens`).")],
    db: DbOption = None,
) -> None:
    """Revoke an API token."""
    from clusteratlas.registry import revoke_token

    with _registry(db) as session:
        revoke_token(session, token_id=token_id)
        console.print(f"Token {token_id} is revoked.")


@users_app.command("sessions")
def sessions_command(
    user: Annotated[str | None, typer.Argument(help="E-mail or id (default: everyone).")] = None,
    all: Annotated[bool, typer.Option("--all", help="Include ended sessions.")] = False,
    db: DbOption = None,
) -> None:
    """List sign-in sessions: when, from where, last seen, until when."""
    from clusteratlas.registry import find_user, list_sessions

    with _registry(db) as session:
        owner = find_user(session, user).id if user is not None else None
        table = Table(title="Sessions")
        for column in ("id", "user", "signed in", "last seen", "expires", "ended", "client"):
            table.add_column(column)
        for item in list_sessions(session, user_id=owner, include_inactive=all):
            table.add_row(
                str(item.id),
                item.user.email,
                _when(item.created_at),
                _when(item.last_seen_at),
                _when(item.expires_at),
                _when(item.revoked_at),
                item.client or "",
            )
        console.print(table)


@users_app.command("revoke-sessions")
def revoke_sessions_command(
    user: Annotated[
        str | None, typer.Argument(help="E-mail or id: end all their sessions.")
    ] = None,
    session_id: Annotated[
        int | None, typer.Option("--session", help="End only this session.")
    ] = None,
    db: DbOption = None,
) -> None:
    """End a user's sessions (they must sign in again), or one session with `--session`."""
    from clusteratlas.registry import find_user, revoke_session, revoke_user_sessions

    if (user is None) == (session_id is None):
        raise ParameterError("Give either a user (all their sessions) or '--session ID'.")
    with _registry(db) as session:
        if session_id is not None:
            revoke_session(session, session_id=session_id)
            console.print(f"Session {session_id} is ended.")
            return
        found = find_user(session, str(user))
        ended = revoke_user_sessions(session, user_id=found.id)
        console.print(f"Ended {ended} session(s) of {found.email}.")
