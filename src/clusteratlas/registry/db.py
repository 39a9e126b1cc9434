"""Engines, sessions and schema migrations of the registry database.

The database is an SQLite file at ``home_dir()/registry.sqlite`` by default; any SQLAlchemy
URL works, PostgreSQL (``postgresql+psycopg://…``) included, and ``DATABASE_URL`` overrides
the default.

Two kinds of session share one engine:

* **write sessions** (:func:`make_session_factory`, the default) take the write lock when
  their transaction starts (SQLite ``BEGIN IMMEDIATE``), so a read-then-write never fails
  half-way on a stale snapshot and optimistic concurrency (the ``version`` column) behaves
  as on PostgreSQL; keep them short.
* **read sessions** (``make_session_factory(engine, read_only=True)``) start a deferred
  transaction (plain ``BEGIN``): in WAL mode they read a snapshot and never wait for a
  writer. A read session that flushes an incidental change (a token's last-used time) ends
  its snapshot and takes the write lock at that first flush, instead of failing on SQLite's
  lock upgrade; rows it read earlier may have changed meanwhile, so changes that check a
  ``version`` belong in write sessions.

A write that cannot take the lock within the busy timeout (``CLUSTERATLAS_DB_BUSY_TIMEOUT``
seconds, default 5) is retried after a short back-off, then raises
:class:`~clusteratlas.errors.DatabaseBusyError` (the API answers 503 with ``Retry-After``).
On PostgreSQL (MVCC: readers never wait) the same factories are used and ``lock_timeout``
plays the part of the busy timeout.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from clusteratlas.errors import DatabaseBusyError, ParameterError
from clusteratlas.paths import home_dir

DATABASE_ENV = "DATABASE_URL"
BUSY_TIMEOUT_ENV = "CLUSTERATLAS_DB_BUSY_TIMEOUT"
DEFAULT_BUSY_TIMEOUT = 5.0
"""Seconds a write waits for the lock before one retry and then :class:`DatabaseBusyError`."""
BUSY_RETRIES = 1
"""Further attempts to take the write lock after the first has waited the busy timeout."""
_BEGIN_OPTION = "clusteratlas_begin"
_TIMEOUT_OPTION = "clusteratlas_busy_timeout"
_PG_LOCK_ERRORS = frozenset({"55P03", "40001", "40P01"})
"""lock_not_available, serialization_failure, deadlock_detected: try again later."""


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


def busy_timeout(value: float | str | None = None) -> float:
    """Return the busy timeout in seconds: ``value``, else ``CLUSTERATLAS_DB_BUSY_TIMEOUT``, else 5.

    Raises
    ------
    ParameterError
        When the value is not a number in (0, 600].
    """
    raw = value if value is not None else os.environ.get(BUSY_TIMEOUT_ENV, DEFAULT_BUSY_TIMEOUT)
    try:
        seconds = float(raw)
    except (TypeError, ValueError):
        seconds = float("nan")
    if not 0 < seconds <= 600:
        raise ParameterError(
            f"{BUSY_TIMEOUT_ENV} must be a number of seconds in (0, 600]; got {raw!r}."
        )
    return seconds


def is_lock_error(err: BaseException) -> bool:
    """Whether ``err`` means "the database is locked or busy: try again later".

    SQLite's ``SQLITE_BUSY``/``SQLITE_LOCKED`` ("database is locked", "database table is
    locked") and PostgreSQL's lock timeout, serialization failure and deadlock.
    """
    original = err.orig if isinstance(err, DBAPIError) else err
    if isinstance(original, sqlite3.OperationalError):
        return "locked" in str(original) or "busy" in str(original)
    return getattr(original, "sqlstate", None) in _PG_LOCK_ERRORS


def _sqlite_connect(timeout_ms: int) -> Any:
    def connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={timeout_ms:d}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    return connect


def _begin_immediate(connection: Any) -> None:
    """``BEGIN IMMEDIATE``, retried once after a back-off, else :class:`DatabaseBusyError`."""
    seconds = connection.get_execution_options().get(_TIMEOUT_OPTION, DEFAULT_BUSY_TIMEOUT)
    for attempt in range(BUSY_RETRIES + 1):
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except OperationalError as err:
            if not is_lock_error(err):
                raise
            if attempt == BUSY_RETRIES:
                raise DatabaseBusyError(
                    "The registry database stayed locked by another writer for "
                    f"{seconds * (BUSY_RETRIES + 1):g} s; try again shortly.",
                    retry_after=max(1, round(seconds)),
                ) from err
            time.sleep(random.uniform(0.05, 0.25))  # back off, de-synchronised


def _sqlite_begin(connection: Any) -> None:
    if connection.get_execution_options().get(_BEGIN_OPTION) == "DEFERRED":
        connection.exec_driver_sql("BEGIN")
    else:
        _begin_immediate(connection)


def make_engine(
    url: str | None = None, *, echo: bool = False, busy_timeout_s: float | None = None
) -> Engine:
    """Create an engine for the registry database.

    Parameters
    ----------
    url : str, optional
        SQLAlchemy URL; see :func:`database_url` for the default.
    echo : bool, default False
        Log every SQL statement.
    busy_timeout_s : float, optional
        Seconds a write waits for the lock (SQLite ``busy_timeout``, PostgreSQL
        ``lock_timeout``); default :func:`busy_timeout`.

    Returns
    -------
    sqlalchemy.Engine
    """
    resolved = database_url(url)
    seconds = busy_timeout(busy_timeout_s)
    timeout_ms = max(1, round(seconds * 1000))
    if resolved.startswith("sqlite"):
        engine = create_engine(
            resolved,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": seconds},
            execution_options={_TIMEOUT_OPTION: seconds},
        )
        event.listen(engine, "connect", _sqlite_connect(timeout_ms))
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    connect_args: dict[str, Any] = {}
    if resolved.startswith("postgresql"):
        connect_args["options"] = f"-c lock_timeout={timeout_ms:d}"
    return create_engine(resolved, echo=echo, pool_pre_ping=True, connect_args=connect_args)


def _escalate_before_write(session: Session, _context: Any, _instances: Any) -> None:
    """Take the write lock before a read session's first write (SQLite only; see module doc)."""
    if session.info.get("escalated") or not (session.new or session.dirty or session.deleted):
        return
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("ROLLBACK")  # end the read snapshot: a fresh one follows
        _begin_immediate(connection)
    session.info["escalated"] = True


def _reset_escalation(session: Session, _transaction: Any) -> None:
    session.info.pop("escalated", None)


def make_session_factory(engine: Engine, *, read_only: bool = False) -> sessionmaker[Session]:
    """Return a session factory bound to ``engine`` (objects stay usable after commit).

    Parameters
    ----------
    engine : sqlalchemy.Engine
        From :func:`make_engine`.
    read_only : bool, default False
        Sessions for reading: a deferred transaction that never waits for a writer (SQLite
        WAL); an incidental write takes the lock at its first flush. The default write
        sessions take the write lock when their transaction begins.

    Returns
    -------
    sqlalchemy.orm.sessionmaker
    """
    if not read_only:
        return sessionmaker(bind=engine, expire_on_commit=False)
    reading = engine.execution_options(**{_BEGIN_OPTION: "DEFERRED"})
    factory = sessionmaker(bind=reading, expire_on_commit=False, info={"read_only": True})
    event.listen(factory, "before_flush", _escalate_before_write)
    event.listen(factory, "after_transaction_end", _reset_escalation)
    return factory


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
        with bound.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            raw = connection.connection.driver_connection if sqlite else None
            if raw is not None:
                # SQLite's batch mode rebuilds a table (copy, drop, rename): with foreign keys
                # on, dropping the old table would cascade-delete every row that references
                # it (tokens, sessions of app_user). The pragma is set outside a transaction,
                # where SQLite honours it; the keys are checked before committing.
                raw.execute("PRAGMA foreign_keys=OFF")
            try:
                with connection.begin():
                    config.attributes["connection"] = connection
                    command.upgrade(config, revision)
                    if sqlite:
                        _check_foreign_keys(connection)
            finally:
                if raw is not None:
                    raw.execute("PRAGMA foreign_keys=ON")
    finally:
        if own:
            bound.dispose()


def _check_foreign_keys(connection: Any) -> None:
    """Refuse a migration that left rows pointing at missing rows (SQLite, keys off)."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        table, rowid, parent = broken[0][0], broken[0][1], broken[0][2]
        raise RuntimeError(
            f"The migration left {len(broken)} row(s) whose foreign key points at a missing "
            f"row (first: table {table!r}, row {rowid}, parent {parent!r}); nothing was changed."
        )
