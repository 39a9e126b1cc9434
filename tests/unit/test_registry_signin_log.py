"""The throttle's warning says whether a sign-in or a sign-up was throttled."""

from __future__ import annotations

import logging

import pytest

from clusteratlas.registry.signin import SIGNUP_KEY_PREFIX, RefusalLog

LOGGER = "clusteratlas.registry.signin"


def test_sign_up_and_sign_in_refusals_are_named(caplog: pytest.LogCaptureFixture) -> None:
    refusals = RefusalLog(every=60.0)
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert refusals.refused(f"{SIGNUP_KEY_PREFIX}x@example.org", "10.0.0.1", now=0.0) == 1
        assert refusals.refused("x@example.org", "10.0.0.1", now=0.0) == 1
        assert refusals.refused(f"{SIGNUP_KEY_PREFIX}x@example.org", "10.0.0.1", now=1.0) == 0
        assert refusals.refused(f"{SIGNUP_KEY_PREFIX}x@example.org", "10.0.0.1", now=61.0) == 2
    assert [r.getMessage() for r in caplog.records if r.name == LOGGER] == [
        "Sign-up throttled for 'x@example.org' from 10.0.0.1 (1 refusal since the last warning)",
        "Sign-in throttled for 'x@example.org' from 10.0.0.1 (1 refusal since the last warning)",
        "Sign-up throttled for 'x@example.org' from 10.0.0.1 (2 refusals since the last warning)",
    ]
