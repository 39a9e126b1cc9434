"""Shared plumbing of the web pages: templates, database sessions, the signed-in user, maps.

Nothing here decides anything about clusters or organisations: sessions come from the session
factory the application keeps on ``app.state``, users from
:func:`clusteratlas.registry.authenticate_token`, maps from
:func:`clusteratlas.mapping.service.make_map` (kept in a small in-process cache because a map
takes seconds to build).
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import AsyncIterator, Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import anyio
from fastapi import Request
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session, sessionmaker

from clusteratlas.api.deps import SESSION_COOKIE, csrf_for  # one cookie: API and pages
from clusteratlas.errors import (
    ClusterAtlasError,
    ConflictError,
    PermissionDeniedError,
    RecordNotFoundError,
)


def refusal_status(err: Exception, *, otherwise: str = "Not accepted") -> tuple[int, str]:
    """Return the HTTP status and page title that answer a service's refusal ``err``.

    404 for a record one may not see, 403 for a permission, 409 for a conflict with the
    record's state, else 422 with the title ``otherwise`` (bad input).
    """
    if isinstance(err, RecordNotFoundError):
        return 404, "Not found"
    if isinstance(err, PermissionDeniedError):
        return 403, "Not allowed"
    if isinstance(err, ConflictError):
        return 409, "Not possible now"
    return 422, otherwise


FACTORY_ATTRIBUTES = ("session_factory", "sessions", "SessionLocal")
"""Attributes of ``app.state`` searched, in order, for the registry's session factory."""

DEFAULTS: dict[str, dict[str, Any]] = {
    "eu-sbs": {"year": 2014, "categories": "divisions", "rules": "eco2007"},
    "us-cbp": {"year": 2019, "categories": "traded", "rules": "uscmp"},
}
"""Map shown by default for each source (year, category family, rule-set)."""


def _signed_in(request: Request) -> dict[str, Any]:
    """Template context of every page: whether the browser holds a session cookie, its CSRF token."""
    return {"signed_in": SESSION_COOKIE in request.cookies, "csrf": csrf_token(request)}


def csrf_token(request: Request) -> str:
    """Return the anti-forgery token of the browser's session ("" without a session).

    It is derived from the HttpOnly session cookie, which another site can neither read nor
    send in a form field, so a form that carries it came from one of our pages (a
    synchronizer token without server state; the SameSite=Lax cookie is a second guard).
    """
    return csrf_for(request.cookies.get(SESSION_COOKIE, ""))


def csrf_ok(request: Request, form: Mapping[str, str]) -> bool:
    """Whether a submitted form carries the session's CSRF token."""
    expected = csrf_token(request)
    return bool(expected) and hmac.compare_digest(form.get("csrf", ""), expected)


TEMPLATES = Jinja2Templates(
    directory=str(Path(str(resources.files(__package__))) / "templates"),
    context_processors=[_signed_in],
)


def static_directory() -> Path:
    """Return the folder of the packaged static files (CSS, JavaScript, vendored assets)."""
    return Path(str(resources.files(__package__))) / "static"


def session_factory(request: Request) -> sessionmaker[Session]:
    """Return the registry session factory that the application keeps on ``app.state``.

    Raises
    ------
    RuntimeError
        When the application has none (``create_app`` sets it up).
    """
    reading = request.method in ("GET", "HEAD", "OPTIONS")
    names = ("read_sessions", *FACTORY_ATTRIBUTES) if reading else FACTORY_ATTRIBUTES
    for name in names:  # reads never wait for a writer (registry.db)
        factory = getattr(request.app.state, name, None)
        if factory is not None:
            return factory
    raise RuntimeError(
        "The application has no registry session factory on app.state "
        f"(one of {', '.join(FACTORY_ATTRIBUTES)}); build it with clusteratlas.api.app.create_app."
    )


async def db_session(request: Request) -> AsyncIterator[Session]:
    """FastAPI dependency: a session that commits when the page succeeds, else rolls back.

    A form that changes state first waits for one of the app's write slots (see
    :mod:`clusteratlas.api.admission`), in the event loop; the session's work runs in
    worker threads.
    """
    reading = request.method in ("GET", "HEAD", "OPTIONS")
    slots = None if reading else getattr(request.app.state, "write_slots", None)
    async with slots.hold() if slots is not None else nullcontext():
        session = session_factory(request)()
        try:
            yield session
            await anyio.to_thread.run_sync(session.commit)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(session.rollback)
            raise
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(session.close)


def current_user(request: Request, session: Session) -> Any:
    """Return the user of the live server-side session in the cookie, or ``None``."""
    from clusteratlas.api.deps import auth_settings
    from clusteratlas.registry import authenticate
    from clusteratlas.registry.sessions import SESSION_PREFIX

    secret = request.cookies.get(SESSION_COOKIE) or ""
    if not secret.startswith(SESSION_PREFIX):
        return None
    credential = authenticate(session, secret, settings=auth_settings(request))
    return credential.user if credential is not None else None


@dataclass(frozen=True)
class MapChoice:
    """The map a page shows: source, year, category family and rule-set."""

    source: str
    year: int
    categories: str
    rules: str

    @classmethod
    def of(
        cls,
        source: str,
        year: int | None = None,
        categories: str | None = None,
        rules: str | None = None,
    ) -> MapChoice:
        """Fill what is not given from :data:`DEFAULTS` (unknown sources raise ``KeyError``)."""
        default = DEFAULTS[source]
        return cls(
            source,
            int(year or default["year"]),
            categories or str(default["categories"]),
            rules or str(default["rules"]),
        )

    def query(self) -> str:
        """Return the choice as a URL query string (without ``?``)."""
        return (
            f"source={self.source}&year={self.year}&categories={self.categories}&rules={self.rules}"
        )


_LOCK = threading.Lock()


@lru_cache(maxsize=8)
def _built(choice: MapChoice) -> Any:
    from clusteratlas.mapping.service import make_map

    return make_map(
        choice.source, year=choice.year, rules=choice.rules, categories=choice.categories
    )


def _shared_maps(request: Request | None) -> Any:
    """Return the API's map cache on ``app.state`` (``clusteratlas.api.mapdata.MapData``)."""
    if request is None:
        return None
    for value in vars(request.app.state).get("_state", {}).values():
        if type(value).__name__ == "MapData" and callable(getattr(value, "map", None)):
            return value
    return None


def regional_prefill(organisation: Any, request: Request) -> dict[str, tuple[float, str]]:
    """Return the label pre-fill facts of an organisation's region (empty without statistics).

    Read through the API's map cache, as the organisation's profile statistics are
    (:meth:`clusteratlas.api.mapdata.MapData.regional_prefill`).
    """
    shared = _shared_maps(request)
    if shared is None or organisation is None:
        return {}
    try:
        facts: dict[str, tuple[float, str]] = shared.regional_prefill(organisation)
    except (ClusterAtlasError, OSError, ImportError):
        return {}
    return facts


def load_map(choice: MapChoice, request: Request | None = None) -> tuple[Any, str]:
    """Return ``(MapResult, "")``, or ``(None, why)`` when the map cannot be built here.

    The API's map cache is used when the application has one, so that pages and API share
    the maps they build; otherwise a small cache of this module.
    """
    shared = _shared_maps(request)
    try:
        if shared is not None:
            result = shared.map(
                choice.source, year=choice.year, categories=choice.categories, rules=choice.rules
            )
            return result, ""
        with _LOCK:  # one build at a time: two cores, seconds per map
            return _built(choice), ""
    except (ClusterAtlasError, OSError, ImportError) as err:
        return None, f"The map cannot be built here: {err}"


@lru_cache(maxsize=4)
def _years(source: str) -> tuple[int, ...]:
    from clusteratlas.mapping.sources import get_source, load_observations

    return tuple(sorted({int(y) for y in load_observations(get_source(source))["year"].unique()}))


def source_years(source: str) -> list[int]:
    """Return the years a source has data for (the default year alone when unknown here)."""
    try:
        with _LOCK:
            return list(_years(source))
    except (ClusterAtlasError, OSError, ImportError, KeyError):
        return [int(DEFAULTS[source]["year"])]


@lru_cache(maxsize=1)
def _related() -> Any:
    from clusteratlas.data.definitions import related_clusters

    return related_clusters()


def related_pairs() -> Any:
    """Return the related-cluster pairs, or ``None`` when the table is not available."""
    try:
        return _related()
    except (ClusterAtlasError, OSError, ImportError):
        return None


def map_for_organisation(country: str, region: str | None) -> MapChoice:
    """Return the default map for an organisation: CBP for a CBSA or the US, else Eurostat SBS."""
    is_cbsa = region is not None and len(region) == 5 and region.isdigit()
    return MapChoice.of("us-cbp" if is_cbsa or country == "US" else "eu-sbs")


def filter_options(session: Session) -> dict[str, list[str]]:
    """Return the values the directory's filters offer: countries, categories, labels.

    A read of distinct stored values for the form's select boxes; the search itself is
    :func:`clusteratlas.registry.search_organisations`.
    """
    from sqlalchemy import select

    from clusteratlas.registry import Label, Organisation, Tag

    countries = session.scalars(
        select(Organisation.country).distinct().order_by(Organisation.country)
    )
    categories = session.scalars(
        select(Tag.value).distinct().where(Tag.kind == "category").order_by(Tag.value)
    )
    labels = session.execute(select(Label.scheme, Label.level).distinct()).all()
    label_values = sorted({scheme for scheme, _ in labels} | {f"{s} {lv}" for s, lv in labels})
    return {
        "countries": [c for c in countries if c],
        "categories": [c for c in categories if c],
        "labels": label_values,
    }
