"""HTTP hardening of the application: request size, security headers, hosts and proxies.

Pure ASGI middleware (no request buffering), installed by :func:`install_security`:

* the request body limit is FastAPI's own (``FastAPI(max_body_size=…)``, Starlette's
  ``RequestBodyLimitMiddleware``): a declared ``Content-Length`` over the limit is answered
  413 before a byte is read, a streamed (chunked) body is cut as soon as it passes the
  limit. :func:`max_body_bytes` reads ``CLUSTERATLAS_MAX_BODY`` (bytes, default 4 MiB); a
  route that takes uploads sets its own ``max_body_size`` in its decorator.
* :class:`SecurityHeaders` adds a strict Content-Security-Policy (only this site's own
  scripts, styles and images, plus ``blob:`` workers and ``data:``/``blob:`` images for
  MapLibre), ``frame-ancestors 'none'`` with ``X-Frame-Options: DENY``, ``nosniff``, a
  same-origin referrer policy, and ``Cache-Control: no-store`` on every response to a
  request that carries credentials (bearer token or session cookie) or that sets a cookie.
* ``CLUSTERATLAS_ALLOWED_HOSTS`` (comma-separated, ``*.example.org`` wildcards) turns on
  Starlette's ``TrustedHostMiddleware``: other ``Host`` headers get a 400, so links built
  from the request (pagination, and the verification link of a sign-up when
  ``CLUSTERATLAS_PUBLIC_URL`` is not set) name only a trusted host.
* ``CLUSTERATLAS_FORWARDED_ALLOW_IPS`` (comma-separated addresses or networks, ``*`` for
  any) turns on uvicorn's ``ProxyHeadersMiddleware``: behind those reverse proxies the
  scheme and client address come from ``X-Forwarded-Proto``/``X-Forwarded-For``, so the
  session cookie is ``Secure`` when the browser speaks https to the proxy.

References
----------
OWASP Secure Headers Project, https://owasp.org/www-project-secure-headers/ ;
MapLibre GL JS, "CSP directives", https://maplibre.org/maplibre-gl-js/docs/ .
"""

from __future__ import annotations

import logging
import os

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clusteratlas.errors import ParameterError

MAX_BODY_ENV = "CLUSTERATLAS_MAX_BODY"
DEFAULT_MAX_BODY = 4 * 1024 * 1024
"""Bytes a request body may hold unless its route has a limit of its own."""
ALLOWED_HOSTS_ENV = "CLUSTERATLAS_ALLOWED_HOSTS"
FORWARDED_ALLOW_IPS_ENV = "CLUSTERATLAS_FORWARDED_ALLOW_IPS"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "worker-src 'self' blob:",
        "child-src 'self' blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
"""The policy of every response: nothing inline, nothing from another origin."""

BASE_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
)

log = logging.getLogger(__name__)


def max_body_bytes(value: int | str | None = None) -> int:
    """Return the body size limit: ``value``, else ``CLUSTERATLAS_MAX_BODY``, else 4 MiB.

    Raises
    ------
    ParameterError
        When the value is not a whole number of bytes in [1 KiB, 1 GiB].
    """
    raw = value if value is not None else os.environ.get(MAX_BODY_ENV, DEFAULT_MAX_BODY)
    try:
        limit = int(raw)
    except (TypeError, ValueError):
        limit = -1
    if not 1024 <= limit <= 1024**3:
        raise ParameterError(
            f"{MAX_BODY_ENV} must be a whole number of bytes in [1024, 1073741824]; got {raw!r}."
        )
    return limit


def _has_credentials(scope: Scope, cookie_name: bytes) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"authorization" and value.strip():
            return True
        if name == b"cookie" and cookie_name + b"=" in value:
            return True
    return False


class SecurityHeaders:
    """Add the security headers to every HTTP response (see the module's description).

    Parameters
    ----------
    app : ASGI application
    cookie_name : str
        The session cookie: a request that carries it gets ``Cache-Control: no-store``.
    """

    def __init__(self, app: ASGIApp, *, cookie_name: str) -> None:
        self.app = app
        self.cookie_name = cookie_name.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers to the response as it starts."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        policy = CONTENT_SECURITY_POLICY
        private = _has_credentials(scope, self.cookie_name) and not path.startswith("/static/")
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k.lower(), v) for k, v in message.get("headers", [])]
                present = {k for k, _ in headers}
                added = [(k, v) for k, v in BASE_HEADERS if k not in present]
                if b"content-security-policy" not in present:
                    added.append((b"content-security-policy", policy.encode()))
                if private or b"set-cookie" in present:
                    headers = [
                        (k, v) for k, v in headers if k not in (b"cache-control", b"expires")
                    ]
                    added.append((b"cache-control", b"no-store"))
                    if b"vary" not in present:
                        added.append((b"vary", b"Cookie, Authorization"))
                if https and b"strict-transport-security" not in present:
                    added.append((b"strict-transport-security", b"max-age=31536000"))
                message = {**message, "headers": headers + added}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def install_security(
    app: FastAPI,
    *,
    cookie_name: str,
    allowed_hosts: list[str] | None = None,
    forwarded_allow_ips: list[str] | None = None,
) -> None:
    """Add the middleware of this module to ``app`` (outermost first: proxy, host, headers).

    Parameters
    ----------
    app : fastapi.FastAPI
    cookie_name : str
        Name of the session cookie (responses to requests carrying it are not cached).
    allowed_hosts : list of str, optional
        Trusted ``Host`` values (default ``CLUSTERATLAS_ALLOWED_HOSTS``; none set: any host,
        with a warning logged). ``app.state.host_checked`` says whether the request's host
        is checked (some hosts given, none of them ``*``): only then may a link in a mail
        be built from it (:func:`host_checked`).
    forwarded_allow_ips : list of str, optional
        Reverse proxies whose ``X-Forwarded-*`` headers are trusted (default
        ``CLUSTERATLAS_FORWARDED_ALLOW_IPS``; none set: the headers are left to the server,
        uvicorn trusting 127.0.0.1 only).
    """
    from starlette.middleware.trustedhost import TrustedHostMiddleware

    # add_middleware puts each new one outside the previous ones.
    app.add_middleware(SecurityHeaders, cookie_name=cookie_name)
    hosts = (
        allowed_hosts
        if allowed_hosts is not None
        else _split(os.environ.get(ALLOWED_HOSTS_ENV, ""))
    )
    app.state.host_checked = bool(hosts) and "*" not in hosts
    if hosts:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=hosts)
    else:
        log.info("%s is not set: requests for any Host are answered.", ALLOWED_HOSTS_ENV)
    proxies = (
        forwarded_allow_ips
        if forwarded_allow_ips is not None
        else _split(os.environ.get(FORWARDED_ALLOW_IPS_ENV, ""))
    )
    if proxies:
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)


def host_checked(app: FastAPI) -> bool:
    """Return whether :func:`install_security` checks the ``Host`` of ``app``'s requests."""
    return bool(getattr(app.state, "host_checked", False))


__all__ = [
    "SecurityHeaders",
    "host_checked",
    "install_security",
    "max_body_bytes",
]
