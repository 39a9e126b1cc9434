"""Fixtures of the API tests: one app per module on SQLite (tmp) or ``DATABASE_URL``.

The app is seeded from the tiny mirror of ``tests/unit/_registry_support.py``; users are
created directly through the registry services. Map tests need the real data
(``CLUSTERATLAS_DATA``) and skip without it.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _api_support import PASSWORD, Users, database_url, write_mirror

with warnings.catch_warnings():
    # Starlette 1.x deprecates httpx in its TestClient in favour of httpx2, which is not
    # installed here; the warning is raised once, at import time, and only for that reason.
    warnings.filterwarnings(
        "ignore", message="Using `httpx` with `starlette.testclient`", category=Warning
    )
    from starlette.testclient import TestClient

from clusteratlas.api import create_app
from clusteratlas.registry import (
    create_organisation,
    create_token,
    create_user,
    session_scope,
)

__all__ = ["TestClient"]


@pytest.fixture(scope="session")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One DuckDB store for the whole run: parsed statistics are reused across modules."""
    return tmp_path_factory.mktemp("store") / "store.duckdb"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, store_path: Path) -> Iterator[FastAPI]:
    """A seeded app (tiny mirror) on its own database."""
    folder = tmp_path_factory.mktemp("api")
    application = create_app(
        database_url=database_url(folder),
        store_path=store_path,
        data_dir=write_mirror(folder / "mirror"),
    )
    yield application
    application.state.engine.dispose()


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def users(app: FastAPI) -> Users:
    """An admin, a manager of one new organisation and a public user, with tokens."""
    with session_scope(app.state.sessions) as session:
        managed = create_organisation(
            session, actor=None, data={"name": "Managed Cluster", "country": "DE", "region": "DED2"}
        )
        other = create_organisation(
            session, actor=None, data={"name": "Other Cluster", "country": "FR", "region": "FR71"}
        )
        admin = create_user(session, email="admin@example.org", password=PASSWORD, role="admin")
        manager = create_user(
            session,
            email="manager@example.org",
            password=PASSWORD,
            role="manager",
            organisation_id=managed.id,
        )
        public = create_user(session, email="public@example.org", password=PASSWORD)
        tokens = [create_token(session, user=u)[1] for u in (admin, manager, public)]
        return Users(*tokens, managed_id=managed.id, other_id=other.id)
