"""One validation layer: the web edit form and the API refuse the same bad values with a 4xx.

Runs on SQLite and, with ``DATABASE_URL``, on PostgreSQL (which answered 500 to most of these
before they were validated). Each bad value of the review (issue 10) is posted through the
web form by the organisation's manager: the form comes back with a message naming the field,
the input kept, and nothing stored.
"""

from __future__ import annotations

import html
import re

import pytest
from _api_support import PASSWORD, Users
from starlette.testclient import TestClient

API = "/api/v1"

BAD_FORM_VALUES = [
    ("acronym", "A" * 5000, "Acronym"),
    ("founding_year", "-5", "Founding year"),
    ("members_sme", str(10**15), "Members: SMEs"),
    ("members_large", "1" + "0" * 30, "Members: large companies"),
    ("name", "Bad\x00Name", "Name"),
    ("description", "nul \x00 inside", "Description"),
    ("acronym", "bell\x07", "Acronym"),
    ("management_fte", "inf", "Management staff (FTE)"),
    ("management_fte", "nan", "Management staff (FTE)"),
    ("management_fte", "-1", "Management staff (FTE)"),
    ("website", "javascript:alert(1)", "Website"),
    ("website", "ftp://example.org", "Website"),
    ("technologies", ",".join(f"t{i}" for i in range(101)), "Technologies"),
    ("technologies", "ok, " + "x" * 201, "Technologies"),
]


def _sign_in(client: TestClient) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]*)"', page.text)
    data = {"email": "manager@example.org", "password": PASSWORD, "next": "/"}
    if token:
        data["csrf"] = token.group(1)
    response = client.post("/login", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text


def _form(client: TestClient, url: str) -> dict[str, str]:
    page = client.get(url)
    assert page.status_code == 200
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page.text, re.S))
    return {k: html.unescape(v) for k, v in fields.items()}


@pytest.fixture(scope="module")
def manager_client(client: TestClient, users: Users) -> TestClient:
    client.cookies.clear()
    _sign_in(client)
    return client


@pytest.mark.parametrize(("field", "value", "label"), BAD_FORM_VALUES)
def test_web_form_refuses_bad_value(
    manager_client: TestClient, users: Users, field: str, value: str, label: str
) -> None:
    url = f"/organisations/{users.managed_id}/edit"
    form = _form(manager_client, url)
    before = manager_client.get(f"{API}/organisations/{users.managed_id}").json()["organisation"]
    response = manager_client.post(url, data={**form, field: value}, follow_redirects=False)
    assert 400 <= response.status_code < 500, response.text[:300]
    assert response.status_code == 422
    assert f"{label}" in html.unescape(response.text)
    assert 'role="alert"' in response.text
    if "\x00" not in value and len(value) < 1000:
        assert html.escape(value, quote=True) in response.text  # the input is kept
    after = manager_client.get(f"{API}/organisations/{users.managed_id}").json()["organisation"]
    assert after == before  # nothing stored


def test_web_form_accepts_good_values_and_keeps_unchanged_fields(
    manager_client: TestClient, users: Users
) -> None:
    url = f"/organisations/{users.managed_id}/edit"
    form = _form(manager_client, url)
    good = {
        "acronym": "MC",
        "founding_year": "1999",
        "members_sme": "120",
        "management_fte": "2.5",
        "website": "https://managed.example.org/en",
        "description": "Line one\r\nLine two\twith a tab",
    }
    response = manager_client.post(url, data={**form, **good}, follow_redirects=False)
    assert response.status_code == 303, response.text[:500]
    saved = manager_client.get(f"{API}/organisations/{users.managed_id}").json()["organisation"]
    assert saved["acronym"] == "MC" and saved["founding_year"] == 1999
    assert saved["members"]["sme"] == 120 and saved["management_fte"] == 2.5
    assert saved["website"] == "https://managed.example.org/en"
    assert saved["description"] == "Line one\r\nLine two\twith a tab"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("acronym", "A" * 5000),
        ("founding_year", -5),
        ("members_sme", 10**15),
        ("name", "Bad\x00Name"),
        ("acronym", "tab\there"),
        ("website", "javascript:alert(1)"),
        ("website", "https://user@evil.example"),
    ],
)
def test_api_refuses_the_same_values(
    client: TestClient, users: Users, field: str, value: object
) -> None:
    url = f"{API}/organisations/{users.managed_id}"
    version = client.get(url).json()["organisation"]["version"]
    response = client.patch(
        url, json={"version": version, field: value}, headers=Users.auth(users.admin)
    )
    assert response.status_code == 422, response.text
    assert field in response.json()["detail"]


def test_api_refuses_infinity(client: TestClient, users: Users) -> None:
    url = f"{API}/organisations/{users.managed_id}"
    version = client.get(url).json()["organisation"]["version"]
    body = f'{{"version": {version}, "management_fte": Infinity}}'
    response = client.patch(
        url,
        content=body,
        headers={**Users.auth(users.admin), "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text


@pytest.mark.parametrize(
    "path",
    [
        f"{API}/organisations?offset={10**30}",
        f"{API}/organisations?limit={10**30}",
        f"{API}/organisations?q=a%00b",
        f"{API}/organisations/{2**31}",
        f"{API}/organisations/{10**30}",
        f"{API}/organisations/-1",
        f"{API}/posts?offset={10**30}",
        f"{API}/posts/{2**40}",
        f"{API}/maps?source=eu-sbs&offset={10**30}",
        f"/organisations?page={10**30}",
        "/organisations?page=0",
        "/organisations?q=a%00b",
        "/organisations/results?page=99999999999",
        f"/organisations/{2**31}",
        f"/organisations/{10**30}/edit",
    ],
)
def test_out_of_range_parameters_are_4xx(client: TestClient, path: str) -> None:
    client.cookies.clear()
    response = client.get(path)
    assert 400 <= response.status_code < 500, (path, response.status_code, response.text[:200])
