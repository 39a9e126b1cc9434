"""Helpers shared by the dashboard page tests (TestClient through the full app)."""

from __future__ import annotations

import re
from typing import Any

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def signed_in(client: Any, email: str, *, password: str, page: str) -> tuple[Any, str]:
    """Sign ``email`` in through the login form; return the client and ``page``'s CSRF token.

    The client's cookies are cleared first, so each call starts a fresh session.
    """
    client.cookies.clear()
    token = CSRF.search(client.get("/login").text)
    assert token
    form = {"email": email, "password": password, "next": page, "csrf": token.group(1)}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303
    csrf = CSRF.search(client.get(page).text)
    assert csrf
    return client, csrf.group(1)
