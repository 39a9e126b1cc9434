"""Admission control of the server: write and hash slots, low-priority password checks."""

from __future__ import annotations

import os
import sys
import threading

import anyio
import pytest

from clusteratlas.api import admission
from clusteratlas.api.admission import (
    DEFAULT_THROTTLE_DELAY,
    HashWorkers,
    Slots,
    Tarpit,
    default_hash_slots,
    default_write_slots,
    slot_count,
    throttle_delay,
)
from clusteratlas.errors import DatabaseBusyError, ParameterError
from clusteratlas.registry.auth import hash_password


def _in_own_loop(test):  # type: ignore[no-untyped-def]
    """Run an async test on a fresh event loop in a thread of its own.

    Not the anyio pytest plugin: in a full run the browser tests (Playwright's sync API)
    leave the main thread looking as if a loop were running, and the plugin's runner then
    refuses to start ("Cannot run the event loop while another loop is running").
    """

    def run() -> None:
        errors: list[BaseException] = []

        def target() -> None:
            try:
                anyio.run(test)
            except BaseException as err:  # re-raised in the test's thread
                errors.append(err)

        thread = threading.Thread(target=target)
        thread.start()
        thread.join(timeout=60)
        assert not thread.is_alive(), "the async test did not finish within 60 s"
        if errors:
            raise errors[0]

    run.__name__ = test.__name__
    run.__doc__ = test.__doc__
    return run


@_in_own_loop
async def test_slots_never_let_more_holders_in_than_their_size() -> None:
    slots = Slots(2, wait=5, what="tests")
    inside = peak = done = 0

    async def hold() -> None:
        nonlocal inside, peak, done
        async with slots.hold():
            inside += 1
            peak = max(peak, inside)
            await anyio.sleep(0.02)
            inside -= 1
        done += 1

    async with anyio.create_task_group() as group:
        for _ in range(7):
            group.start_soon(hold)
    assert (peak, done, slots.in_use) == (2, 7, 0)


@_in_own_loop
async def test_a_request_that_waits_too_long_for_a_slot_is_told_to_retry() -> None:
    slots = Slots(1, wait=0.05, what="registry writes")
    async with slots.hold():
        with pytest.raises(DatabaseBusyError, match="busy with other registry writes") as err:
            async with slots.hold():
                pytest.fail("a second holder got in")
    assert err.value.retry_after == 1
    async with slots.hold():  # freed once the holder left, also after a refusal
        assert slots.in_use == 1


@_in_own_loop
async def test_the_wait_bounds_the_queue_not_the_work_done_in_the_slot() -> None:
    slots = Slots(1, wait=0.01, what="tests")
    async with slots.hold():
        await anyio.sleep(0.05)  # five times the wait, not cancelled
    assert slots.in_use == 0


def test_slot_counts_come_from_the_environment_or_the_defaults() -> None:
    assert slot_count("CLUSTERATLAS_WRITE_SLOTS", 3, environ={}) == 3
    assert (
        slot_count("CLUSTERATLAS_WRITE_SLOTS", 3, environ={"CLUSTERATLAS_WRITE_SLOTS": " 2 "}) == 2
    )
    for bad in ("0", "two", "-1", "1025"):
        with pytest.raises(ParameterError, match=f"CLUSTERATLAS_HASH_SLOTS .*got '{bad}'"):
            slot_count("CLUSTERATLAS_HASH_SLOTS", 1, environ={"CLUSTERATLAS_HASH_SLOTS": bad})
    with pytest.raises(ParameterError, match="at least 1"):
        Slots(0, wait=1, what="tests")
    # SQLite has one writer; a server one slot per 2 cores, 1 to 4; hashing a quarter of the cores.
    assert [default_write_slots("sqlite", c) for c in (1, 2, 64)] == [1, 1, 1]
    assert [default_write_slots("postgresql", c) for c in (1, 2, 4, 6, 64)] == [1, 1, 2, 3, 4]
    assert [default_hash_slots(c) for c in (1, 2, 4, 7, 8, 16)] == [1, 1, 1, 1, 2, 4]


def test_password_checks_run_on_bounded_threads_of_lower_priority() -> None:
    workers = HashWorkers(1)
    stored = hash_password("correct horse battery")
    seen: list[tuple[str, int]] = []
    real_submit = workers._pool.submit

    def spy(fn, *args):  # type: ignore[no-untyped-def]
        def run():  # type: ignore[no-untyped-def]
            tid = threading.get_native_id()
            seen.append((threading.current_thread().name, os.getpriority(os.PRIO_PROCESS, tid)))
            return fn(*args)

        return real_submit(run)

    workers._pool.submit = spy  # type: ignore[method-assign]
    try:
        results = [
            workers.verify(stored, "correct horse battery"),
            workers.verify(stored, "wrong horse battery"),
            workers.verify(None, "correct horse battery"),  # unknown account: dummy hash
        ]
    finally:
        workers.shutdown()
    assert results == [True, False, False]
    assert {name for name, _ in seen} == {"password-check_0"}  # one thread: one slot
    mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    if sys.platform.startswith("linux"):
        assert {nice for _, nice in seen} == {min(19, mine + 10)}


def test_each_event_loop_gets_its_own_slots() -> None:
    """Two loops in two threads (test clients) share no semaphore: each is bounded alone."""
    slots = Slots(1, wait=5, what="tests")
    peaks: list[int] = []
    errors: list[BaseException] = []

    async def crowd() -> None:
        inside = peak = 0

        async def hold() -> None:
            nonlocal inside, peak
            async with slots.hold():
                inside += 1
                peak = max(peak, inside)
                await anyio.sleep(0.02)
                inside -= 1

        async with anyio.create_task_group() as group:
            for _ in range(4):
                group.start_soon(hold)
        peaks.append(peak)

    def run() -> None:
        try:
            anyio.run(crowd)
        except BaseException as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == [] and peaks == [1, 1] and slots.in_use == 0


class SleepLog:
    """Stands in for ``anyio.sleep`` in the admission module: records and yields once."""

    def __init__(self) -> None:
        self.seconds: list[float] = []
        self.release = anyio.Event()

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)
        await self.release.wait()


def test_the_tarpit_pauses_at_most_retry_after_and_a_bounded_number_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sleeps = SleepLog()
    monkeypatch.setattr(admission.anyio, "sleep", sleeps)
    tarpit = Tarpit(2.0, most=2)
    seen: list[int] = []

    async def scenario() -> None:
        async with anyio.create_task_group() as group:
            group.start_soon(tarpit.pause, 60)  # paused for the delay, not the 60 s
            group.start_soon(tarpit.pause, 0.5)  # … or for Retry-After when shorter
            await anyio.wait_all_tasks_blocked()
            seen.append(tarpit.held)
            await tarpit.pause(60)  # a third while two are held: answered at once
            seen.append(tarpit.held)
            sleeps.release.set()
        seen.append(tarpit.held)
        await Tarpit(0.0).pause(60)  # a delay of 0 never pauses

    _in_own_loop(scenario)()
    assert sleeps.seconds == [2.0, 0.5]
    assert seen == [2, 2, 0]


def test_the_tarpit_delay_comes_from_the_environment() -> None:
    assert throttle_delay({}) == DEFAULT_THROTTLE_DELAY == 2.0
    assert throttle_delay({"CLUSTERATLAS_THROTTLE_DELAY": " 0.25 "}) == 0.25
    assert throttle_delay({"CLUSTERATLAS_THROTTLE_DELAY": "0"}) == 0
    for bad in ("-1", "31", "two", "nan", "inf"):
        with pytest.raises(ParameterError, match=f"CLUSTERATLAS_THROTTLE_DELAY .*got '{bad}'"):
            throttle_delay({"CLUSTERATLAS_THROTTLE_DELAY": bad})
    with pytest.raises(ParameterError, match="delay >= 0"):
        Tarpit(-1.0)
