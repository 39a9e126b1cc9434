"""The dashboard: server-rendered pages (Jinja2 + HTMX) and offline maps (MapLibre GL JS).

:func:`mount_web` adds the pages and the packaged static files to a FastAPI application;
:func:`clusteratlas.api.app.create_app` calls it. Every script and style sheet is served from
``static/`` (vendored under ``static/vendor`` with its licence and version): no CDN.
"""

from __future__ import annotations

from typing import Any

__all__ = ["mount_web"]


def mount_web(app: Any) -> None:
    """Mount ``/static`` and the HTML pages on a FastAPI application.

    Parameters
    ----------
    app : fastapi.FastAPI
        The application; registry pages need its session factory on ``app.state``
        (``session_factory``).

    Examples
    --------
    >>> from fastapi import FastAPI  # doctest: +SKIP
    >>> app = FastAPI(); mount_web(app)  # doctest: +SKIP
    """
    from fastapi.staticfiles import StaticFiles

    from clusteratlas.web._support import static_directory
    from clusteratlas.web.routes import router

    app.mount("/static", StaticFiles(directory=static_directory()), name="static")
    app.include_router(router)
