"""Property-based tests of every operation of the OpenAPI schema (schemathesis 4).

Every generated request, valid (positive) or not (negative), authenticated as an administrator, must get a
non-5xx answer whose status code is documented. With ``CLUSTERATLAS_DATA`` set the map
operations build real maps (cached per parameter set), so examples are kept few. The
operations are walked inside one test because the app is a fixture (schemathesis'
``from_fixture`` does not work with this pytest).
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import schemathesis
from _api_support import Users
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, status_code_conformance

MAX_EXAMPLES = 12
READ_TIMEOUT = 300  # seconds: the first map of a fresh store is parsed and built in the request


@pytest.mark.slow
def test_no_server_error(app: FastAPI, users: Users) -> None:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    headers = Users.auth(users.admin)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    for operation, mode in itertools.product(operations, GenerationMode):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(
                headers=headers,
                checks=[not_a_server_error, status_code_conformance],
                timeout=READ_TIMEOUT,
            )

        try:
            check()
        except Unsatisfiable:
            continue  # negative mode of an operation without parameters: nothing to break
        except Exception as err:
            failures.append(f"{operation.label} ({mode.value}): {err}")
    assert failures == [], "\n\n".join(failures)


@pytest.mark.slow
def test_labels_no_server_error_as_manager(app: FastAPI, users: Users) -> None:
    """The label routes (``/api/v1/labels``) as a cluster manager: drafts, answers, uploads."""
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    headers = Users.auth(users.manager)
    failures: list[str] = []
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if result.ok().path.startswith("/api/v1/labels")
    ]
    assert len(operations) >= 20
    for operation, mode in itertools.product(operations, GenerationMode):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(
                headers=headers, checks=[not_a_server_error, status_code_conformance]
            )

        try:
            check()
        except Unsatisfiable:
            continue
        except Exception as err:
            failures.append(f"{operation.label} ({mode.value}): {err}")
    assert failures == [], "\n\n".join(failures)


@pytest.mark.slow
def test_skills_no_server_error_as_manager(app: FastAPI, users: Users) -> None:
    """The skills routes (``/api/v1/skills``, an organisation's needs and gaps) as a manager."""
    from clusteratlas.skills import offer

    offer.programme_tags()  # build the ESCO index once, before the first timed request
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    headers = Users.auth(users.manager)
    failures: list[str] = []
    operations = [
        result.ok() for result in schema.get_all_operations() if "/skills" in result.ok().path
    ]
    assert len(operations) >= 12
    for operation, mode in itertools.product(operations, GenerationMode):
        check = _skills_check(operation, mode, headers, users.managed_id)
        try:
            check()
        except Unsatisfiable:
            continue
        except Exception as err:
            failures.append(f"{operation.label} ({mode.value}): {err}")
    assert failures == [], "\n\n".join(failures)


EVENT = """
[event]
id = "fuzz2024"
name = "Fuzz Day"
venue = "Hall"
city = "Brussels"
country = "BE"
start_date = 2024-05-07
end_date = 2024-05-07
time_zone = "Europe/Brussels"
status = "draft"

[[sessions]]
id = "b2b"
name = "B2B"
date = 2024-05-07
start = 14:00:00
end = 15:00:00
slot_minutes = 20
tables = 2
"""


@pytest.mark.slow
def test_no_server_error_on_events(app: FastAPI, users: Users) -> None:
    """The /api/v1/events operations, on an open event the administrator is registered to."""
    from starlette.testclient import TestClient

    from clusteratlas.registry import create_token, create_user, session_scope

    # An administrator of its own: the fuzzing of every route before this test may have
    # revoked the shared admin's token or ended its sessions (as it is allowed to).
    with session_scope(app.state.sessions) as session:
        admin = create_user(session, email="fuzz-events@example.org", password=None, role="admin")
        headers = Users.auth(create_token(session, user=admin)[1])
    with TestClient(app) as client:
        assert (
            client.post("/api/v1/events", json={"definition": EVENT}, headers=headers).status_code
            == 201
        )
        client.post("/api/v1/events/fuzz2024/status", json={"status": "open"}, headers=headers)
        joined = client.post(
            "/api/v1/events/fuzz2024/participants",
            json={"organisation_id": users.managed_id, "type": "SME", "country": "DE"},
            headers=headers,
        )
        assert joined.status_code == 201, joined.text
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if result.ok().path.startswith("/api/v1/events")
    ]
    assert len(operations) >= 20
    failures: list[str] = []
    for operation, mode in itertools.product(operations, GenerationMode):
        try:
            _event_check(operation, mode, headers)()
        except Unsatisfiable:
            continue
        except Exception as err:
            failures.append(f"{operation.label} ({mode.value}): {err}")
    assert failures == [], "\n\n".join(failures)


def _skills_check(
    operation: Any, mode: GenerationMode, headers: dict[str, str], organisation_id: int
) -> Any:
    """A hypothesis test of one skills operation; valid cases go to the manager's organisation."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    def check(case: schemathesis.Case) -> None:
        if mode is GenerationMode.POSITIVE and "organisation_id" in (case.path_parameters or {}):
            case.path_parameters["organisation_id"] = organisation_id  # reach the services
        case.call_and_validate(
            headers=headers,
            checks=[not_a_server_error, status_code_conformance],
            timeout=READ_TIMEOUT,
        )

    return check


def _event_check(operation: Any, mode: GenerationMode, headers: dict[str, str]) -> Any:
    """A hypothesis test of one operation; valid cases go to the seeded event ``fuzz2024``."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    def check(case: schemathesis.Case) -> None:
        if mode is GenerationMode.POSITIVE and "slug" in (case.path_parameters or {}):
            case.path_parameters["slug"] = "fuzz2024"  # reach the services, not only 404
        case.call_and_validate(
            headers=headers, checks=[not_a_server_error, status_code_conformance]
        )

    return check
