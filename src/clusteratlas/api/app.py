"""The FastAPI application: the REST API under ``/api/v1`` and, when installed, the web UI.

:func:`create_app` migrates the registry database, seeds it from the data mirror on first
start (when the organisation table is empty) and, when ``CLUSTERATLAS_ADMIN_EMAIL`` and
``CLUSTERATLAS_ADMIN_PASSWORD`` are set, creates that administrator unless the e-mail is
taken. OpenAPI is served at ``/api/v1/openapi.json`` and the docs at ``/api/v1/docs``: Swagger
UI from the files vendored under ``web/static/vendor/swagger-ui`` (no CDN, so the page works
offline).
"""

from __future__ import annotations

import html
import logging
import os
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from clusteratlas import __version__
from clusteratlas.api.admission import (
    HASH_SLOTS_ENV,
    WRITE_SLOTS_ENV,
    HashWorkers,
    Slots,
    Tarpit,
    default_hash_slots,
    default_write_slots,
    slot_count,
    throttle_delay,
)
from clusteratlas.api.handlers import install_handlers
from clusteratlas.api.mapdata import MapData
from clusteratlas.api.security import install_security, max_body_bytes
from clusteratlas.errors import DataNotFoundError
from clusteratlas.registry import (
    Organisation,
    User,
    create_user,
    make_engine,
    make_session_factory,
    migrate,
    seed_registry,
    session_scope,
)
from clusteratlas.registry.db import BUSY_RETRIES, busy_timeout

API_PREFIX = "/api/v1"
SWAGGER_UI = "/static/vendor/swagger-ui"
"""Where the vendored Swagger UI files are served (``web/static/vendor/swagger-ui``)."""
ADMIN_EMAIL_ENV = "CLUSTERATLAS_ADMIN_EMAIL"
ADMIN_PASSWORD_ENV = "CLUSTERATLAS_ADMIN_PASSWORD"

log = logging.getLogger(__name__)


def seed_if_empty(factory: sessionmaker[Session], data_dir: str | Path | None = None) -> int | None:
    """Seed the registry when it has no organisation; return the number created, else None.

    A missing data mirror is logged and skipped: the API then starts with an empty registry.
    A registry that has organisations but no training provider (seeded before providers
    were organisations, revision 0008) gets the providers of the packaged skills seed
    (:func:`clusteratlas.registry.seed.seed_training_providers`), once; and one whose
    training partnerships or programmes tables are empty (seeded before revision 0009) gets
    the seed's rows (:func:`clusteratlas.registry.seed.seed_training_offer`), once.
    """
    from clusteratlas.registry.seed import seed_training_offer, seed_training_providers

    with session_scope(factory) as session:
        if session.scalar(select(func.count()).select_from(Organisation)):
            providers = select(func.count()).where(Organisation.kind == "training provider")
            added = None
            if not session.scalar(providers):
                added = sum(seed_training_providers(session).created.values()) or None
            seed_training_offer(session)
            return added
        try:
            report = seed_registry(session, data_dir=data_dir)
        except DataNotFoundError as err:
            log.warning("The registry was not seeded: %s", err)
            return None
        return sum(report.created.values())


def bootstrap_admin(factory: sessionmaker[Session]) -> User | None:
    """Create the administrator named by the environment, once; return it when created."""
    email, password = os.environ.get(ADMIN_EMAIL_ENV), os.environ.get(ADMIN_PASSWORD_ENV)
    if not email or not password:
        return None
    with session_scope(factory) as session:
        if session.scalar(select(User).where(User.email == email.strip().lower())):
            return None
        return create_user(session, email=email, password=password, role="admin")


_DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="stylesheet" href="{ui}/swagger-ui.css">
<link rel="icon" type="image/png" href="{ui}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi}"></div>
<script src="{ui}/swagger-ui-bundle.js"></script>
<script src="/static/js/swagger-init.js"></script>
</body>
</html>
"""


def _add_docs(app: FastAPI) -> None:
    """Serve Swagger UI at ``/api/v1/docs`` from the vendored files, not from a CDN.

    FastAPI's own page starts Swagger UI with an inline script, which the site's
    Content-Security-Policy (``script-src 'self'``) refuses; this page loads the same
    vendored bundle and starts it from a static file instead.
    """

    @app.get(f"{API_PREFIX}/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(
            _DOCS_PAGE.format(
                title=html.escape(f"{app.title} – documentation"),
                ui=SWAGGER_UI,
                openapi=html.escape(str(app.openapi_url)),
            )
        )


def create_app(
    *,
    database_url: str | None = None,
    store_path: str | Path | None = None,
    seed: bool = True,
    data_dir: str | Path | None = None,
) -> FastAPI:
    """Create the Cluster Atlas web application.

    Parameters
    ----------
    database_url : str, optional
        SQLAlchemy URL of the registry (default: ``DATABASE_URL``, else the user's SQLite
        file).
    store_path : str or pathlib.Path, optional
        DuckDB store that caches parsed statistics and maps (default: the user's).
    seed : bool, default True
        Seed the registry from the data mirror when it has no organisation.
    data_dir : str or pathlib.Path, optional
        Data mirror to seed from (default: ``CLUSTERATLAS_DATA``). Maps always read the
        catalog's data sets through ``CLUSTERATLAS_DATA``.

    Returns
    -------
    fastapi.FastAPI
        With ``state.engine``, ``state.sessions`` (a factory of write sessions),
        ``state.read_sessions`` (sessions that never wait for a writer, used by GET and
        HEAD requests), ``state.write_slots`` and ``state.hash_slots`` (bounds on the writes
        and password checks let in at once, see :mod:`clusteratlas.api.admission`) and
        ``state.maps``.
        The caller owns the engine: ``app.state.engine.dispose()`` when done (not done on
        lifespan shutdown, which several test clients of one app may trigger concurrently).
    """
    from clusteratlas.api.routes_auth import router as auth_router
    from clusteratlas.api.routes_awards import router as awards_router
    from clusteratlas.api.routes_labels import router as labels_router
    from clusteratlas.api.routes_maps import router as maps_router
    from clusteratlas.api.routes_meet import router as meet_router
    from clusteratlas.api.routes_proposals import router as proposals_router
    from clusteratlas.api.routes_registry import router as registry_router
    from clusteratlas.api.routes_signup import router as signup_router
    from clusteratlas.api.routes_skill_needs import router as skill_needs_router
    from clusteratlas.api.routes_skills import router as skills_router
    from clusteratlas.api.routes_social import router as social_router

    engine = make_engine(database_url)
    migrate(engine=engine)
    factory = make_session_factory(engine)
    if seed:
        seed_if_empty(factory, data_dir)
    bootstrap_admin(factory)

    app = FastAPI(
        title="Cluster Atlas API",
        version=__version__,
        description="Cluster maps from open regional statistics and a registry of cluster "
        "organisations. Writes need a token: `Authorization: Bearer <token>` or the "
        "session cookie set by `POST /api/v1/auth/login`.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
        max_body_size=max_body_bytes(),  # CLUSTERATLAS_MAX_BODY; uploads set their own
    )
    _add_docs(app)
    app.state.engine = engine
    app.state.sessions = factory
    app.state.read_sessions = make_session_factory(engine, read_only=True)
    wait = busy_timeout() * (BUSY_RETRIES + 1)  # as long as a write may wait for the lock
    app.state.write_slots = Slots(
        slot_count(WRITE_SLOTS_ENV, default_write_slots(engine.dialect.name)),
        wait=wait,
        what="registry writes",
    )
    hash_slots = slot_count(HASH_SLOTS_ENV, default_hash_slots())
    app.state.hash_slots = Slots(hash_slots, wait=wait, what="sign-ins")
    app.state.hash_workers = HashWorkers(hash_slots)
    app.state.signin_tarpit = Tarpit(throttle_delay())
    app.state.maps = MapData(store_path)
    install_handlers(app)
    from clusteratlas.api.deps import SESSION_COOKIE

    install_security(app, cookie_name=SESSION_COOKIE)
    from clusteratlas.api.routes_signup import warn_if_unsafe_links

    warn_if_unsafe_links(app)
    for router in (maps_router, registry_router, social_router, auth_router, meet_router):
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(labels_router, prefix=API_PREFIX)
    app.include_router(awards_router, prefix=API_PREFIX)
    app.include_router(skills_router, prefix=API_PREFIX)
    app.include_router(skill_needs_router, prefix=API_PREFIX)
    app.include_router(signup_router, prefix=API_PREFIX)
    app.include_router(proposals_router, prefix=API_PREFIX)
    try:
        from clusteratlas.web import mount_web
    except ImportError:
        log.info("clusteratlas.web is not importable: serving the API only.")
    else:
        mount_web(app)
    return app
