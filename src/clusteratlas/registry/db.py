"""Engines, sessions and schema migrations of the registry database.

The database is an SQLite file at ``home_dir()/registry.sqlite`` by default; any SQLAlchemy
URL works, PostgreSQL (``postgresql+psycopg://…``) included, and ``DATABASE_URL`` overrides
the default. SQLite connections run with foreign keys on, the WAL journal, a 30 s busy timeout
and ``BEGIN IMMEDIATE`` transactions: a transaction takes the write lock when it starts, so a
read-then-write never fails half-way on a stale snapshot and optimistic concurrency (the
``version`` column) behaves as on PostgreSQL.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from clusteratlas.paths import home_dir

DATABASE_ENV = "DATABASE_URL"


def database_url(url: str | None = None) -> str:
    """Return ``url``, else ``DATABASE_URL``, else the default SQLite file URL.

    Parameters
    ----------
    url : str, optional
        Any SQLAlchemy URL.

    Returns
    -------
    str
        The URL to use; the folder of the default SQLite file is created.
    """
    if url:
        return url
    value = os.environ.get(DATABASE_ENV)
    if value:
        return value
    home = home_dir()
    home.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{home / 'registry.sqlite'}"


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str | None = None, *, echo: bool = False) -> Engine:
    """Create an engine for the registry database.

    Parameters
    ----------
    url : str, optional
        SQLAlchemy URL; see :func:`database_url` for the default.
    echo : bool, default False
        Log every SQL statement.

    Returns
    -------
    sqlalchemy.Engine
    """
    resolved = database_url(url)
    if resolved.startswith("sqlite"):
        engine = create_engine(
            resolved, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}
        )
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(resolved, echo=echo, pool_pre_ping=True)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return a session factory bound to ``engine`` (objects stay usable after commit)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """Yield a session that commits on success and rolls back on error.

    Examples
    --------
    >>> with session_scope(factory) as session:  # doctest: +SKIP
    ...     create_organisation(session, actor=user, data={...})
    """
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def migrate(
    url: str | None = None, *, engine: Engine | None = None, revision: str = "head"
) -> None:
    """Bring the database schema up to ``revision`` with Alembic (no ``alembic.ini`` needed).

    Parameters
    ----------
    url : str, optional
        SQLAlchemy URL (see :func:`database_url`); ignored when ``engine`` is given.
    engine : sqlalchemy.Engine, optional
        An engine to reuse.
    revision : str, default "head"
        Target revision.
    """
    from alembic import command
    from alembic.config import Config

    own = engine is None
    bound = engine if engine is not None else make_engine(url)
    config = Config()
    location = resources.files("clusteratlas.registry").joinpath("migrations")
    config.set_main_option("script_location", str(location))
    try:
        with bound.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        if own:
            bound.dispose()
