"""Admission control: bounded slots for registry writes and for password hashing.

On a small server, a crowd of writers or a sign-in flood should slow down only itself, never
the readers. Two pools of slots, one per application, bound the work that is let in at once:

* **write slots** (``CLUSTERATLAS_WRITE_SLOTS``; default 1 on SQLite, which has a single
  writer anyway, and on other databases one per 2 CPU cores, from 1 to 4: the Python work of
  a write holds the interpreter lock, so more writers in flight than that only take turns
  with each other and with the readers): a request that changes state takes a slot after
  its body has been read (a slow upload holds none) and before its first query, and gives it
  back when its route returns. Without the bound, every writer took a worker thread and a
  pooled connection and then busy-waited for SQLite's lock inside it: with 20 writers the
  connection pool (15) ran dry and read-only searches queued behind the writers for a
  connection. Waiting writers now wait in the event loop, holding no thread and no
  connection.
* **hash slots** (``CLUSTERATLAS_HASH_SLOTS``; default one per 4 CPU cores, at least 1): the
  argon2 verification of a sign-in (0.15–0.3 s of one core) runs only while it holds a slot,
  so that a flood of sign-ins cannot take every core. Throttled attempts (429) are answered
  before they ask for one. The verification runs on :class:`HashWorkers`, threads of lower
  CPU priority (Linux ``nice`` +10; threads that argon2 might start inherit it), so that it
  uses the CPU time that searches and other requests leave.

A throttled sign-in is answered 429 after a pause (:class:`Tarpit`,
``CLUSTERATLAS_THROTTLE_DELAY`` seconds, default 2, at most its ``Retry-After``): a client
that waits for each answer before its next attempt, as browsers and most scripts do, then
sends one attempt per pause instead of hundreds per second, and the server spends its CPU on
other requests. The pause holds no thread and no connection to the database, only the
client's socket; at most :data:`MAX_HELD_REFUSALS` refusals are held at once per worker
(beyond, they are answered at once), so that a crowd of connections cannot pile up sockets.

A request that cannot get a slot within ``wait`` seconds (the database busy timeout, 5 s by
default, times two) is refused with :class:`~clusteratlas.errors.DatabaseBusyError`, which
the API answers 503 with ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
import weakref
from collections.abc import AsyncIterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

import anyio

from clusteratlas._validation import env_number
from clusteratlas.errors import DatabaseBusyError, ParameterError
from clusteratlas.registry.auth import verify_password

WRITE_SLOTS_ENV = "CLUSTERATLAS_WRITE_SLOTS"
HASH_SLOTS_ENV = "CLUSTERATLAS_HASH_SLOTS"
SQLITE_WRITE_SLOTS = 1
"""Default write slots on SQLite: it lets one writer in at a time anyway."""
CORES_PER_WRITE_SLOT = 2
MAX_DEFAULT_WRITE_SLOTS = 4
"""Default write slots on a database server (PostgreSQL): one per 2 cores, from 1 to 4."""
CORES_PER_HASH_SLOT = 4
"""Default hash slots: one per this many cores (a quarter of the CPU at most)."""
THROTTLE_DELAY_ENV = "CLUSTERATLAS_THROTTLE_DELAY"
DEFAULT_THROTTLE_DELAY = 2.0
"""Seconds a throttled sign-in waits for its 429 (never more than its ``Retry-After``)."""
MAX_THROTTLE_DELAY = 30.0
MAX_HELD_REFUSALS = 256
"""Throttled sign-ins held at once per worker; more are answered without a pause."""
HASH_NICENESS = 10
"""How much lower the CPU priority of password checks is (Linux ``nice`` increment)."""

log = logging.getLogger(__name__)


class Slots:
    """At most ``size`` holders at once; others wait up to ``wait`` seconds, in the event loop.

    Parameters
    ----------
    size : int
        Number of slots (at least 1).
    wait : float
        Seconds a request may wait for a slot before :class:`DatabaseBusyError`.
    what : str
        What the slots are for, named in the error ("registry writes").

    Notes
    -----
    The bound holds per event loop: uvicorn and gunicorn run one loop per worker process,
    so it is per worker. An application driven from several loops at once (test clients in
    threads) gets one set of slots in each, made on first use inside that loop; a set shared
    across loops would wake waiters of one loop from another's thread.
    """

    def __init__(self, size: int, *, wait: float, what: str) -> None:
        if size < 1:
            raise ParameterError(f"The number of {what} slots must be at least 1; got {size}.")
        self.size, self.wait, self.what = size, wait, what
        self._semaphores: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.Semaphore]
        self._semaphores = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    @property
    def in_use(self) -> int:
        """Slots held now (in every event loop)."""
        with self._lock:
            return sum(self.size - semaphore.value for semaphore in self._semaphores.values())

    def _semaphore(self) -> anyio.Semaphore:
        loop = asyncio.get_running_loop()
        with self._lock:
            semaphore = self._semaphores.get(loop)
            if semaphore is None:
                semaphore = self._semaphores[loop] = anyio.Semaphore(self.size)
            return semaphore

    @asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        """Hold a slot for the ``async with`` block.

        Raises
        ------
        DatabaseBusyError
            When no slot came free within ``wait`` seconds.
        """
        semaphore = self._semaphore()
        acquired = False
        with anyio.move_on_after(self.wait):  # bounds the wait only, never the holder's work
            await semaphore.acquire()
            acquired = True
        if not acquired:
            raise DatabaseBusyError(
                f"The server is busy with other {self.what}; try again in a few seconds.",
                retry_after=max(1, round(self.wait / 2)),
            )
        try:
            yield
        finally:
            semaphore.release()


def slot_count(name: str, default: int, environ: Mapping[str, str] | None = None) -> int:
    """Return the whole number in the environment variable ``name``, else ``default``.

    Raises
    ------
    ParameterError
        When the variable is set but is not a whole number in [1, 1024].
    """
    return int(env_number(name, default, low=1, high=1024, environ=environ))


def throttle_delay(environ: Mapping[str, str] | None = None) -> float:
    """Seconds from ``CLUSTERATLAS_THROTTLE_DELAY`` (0 to 30; 0 answers 429 at once).

    Raises
    ------
    ParameterError
        When the variable is set but is not a number in [0, 30].
    """
    return env_number(
        THROTTLE_DELAY_ENV,
        DEFAULT_THROTTLE_DELAY,
        low=0,
        high=MAX_THROTTLE_DELAY,
        whole=False,
        environ=environ,
    )


class Tarpit:
    """Pause refusals before they are answered, a bounded number at a time.

    Parameters
    ----------
    delay : float
        Seconds to pause (0: no pause).
    most : int, default MAX_HELD_REFUSALS
        Refusals paused at once (in every event loop together); beyond, no pause.

    Notes
    -----
    Progressive delays of failed sign-ins are OWASP's recommended complement to account
    throttling (Authentication Cheat Sheet, "Login Throttling"). Against an attacker who
    opens many connections without waiting for answers the pause does nothing; that is a
    reverse proxy's connection limit's job (see the deployment guide).
    """

    def __init__(self, delay: float, *, most: int = MAX_HELD_REFUSALS) -> None:
        if delay < 0 or most < 0:
            raise ParameterError(f"A tarpit needs delay >= 0 and most >= 0; got {delay}, {most}.")
        self.delay, self.most = delay, most
        self._held = 0
        self._lock = threading.Lock()

    @property
    def held(self) -> int:
        """Refusals paused now."""
        return self._held

    async def pause(self, retry_after: float) -> None:
        """Sleep ``min(delay, retry_after)`` seconds unless ``most`` refusals already are."""
        seconds = min(self.delay, max(0.0, retry_after))
        with self._lock:
            if seconds <= 0 or self._held >= self.most:
                return
            self._held += 1
        try:
            await anyio.sleep(seconds)
        finally:
            with self._lock:
                self._held -= 1


def default_write_slots(dialect: str, cpus: int | None = None) -> int:
    """Default write slots for a database dialect (``sqlite``, ``postgresql`` …) and CPU count."""
    if dialect == "sqlite":
        return SQLITE_WRITE_SLOTS
    per_cores = (cpus if cpus is not None else os.cpu_count() or 1) // CORES_PER_WRITE_SLOT
    return min(MAX_DEFAULT_WRITE_SLOTS, max(1, per_cores))


def default_hash_slots(cpus: int | None = None) -> int:
    """Default hash slots: one per :data:`CORES_PER_HASH_SLOT` cores, at least one."""
    return max(1, (cpus if cpus is not None else os.cpu_count() or 1) // CORES_PER_HASH_SLOT)


def _lower_priority() -> None:
    """Lower the CPU priority of the calling thread (Linux only; elsewhere nothing)."""
    if not sys.platform.startswith("linux"):
        return  # elsewhere setpriority(PRIO_PROCESS, …) would name the whole process
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + HASH_NICENESS)
    except OSError as err:  # pragma: no cover - a sandbox that forbids it
        log.warning("Password checks run at normal CPU priority: %s", err)


class HashWorkers:
    """Threads that verify passwords at a lower CPU priority.

    Parameters
    ----------
    size : int
        Number of threads (the hash slots): at most this many verifications at once.

    Notes
    -----
    On Linux a thread's ``nice`` value is its own (and inherited by threads it starts).
    Elsewhere the threads run at normal priority (still bounded in number).
    """

    def __init__(self, size: int) -> None:
        self._pool = ThreadPoolExecutor(
            max_workers=size, thread_name_prefix="password-check", initializer=_lower_priority
        )

    def verify(self, password_hash: str | None, password: str) -> bool:
        """:func:`~clusteratlas.registry.auth.verify_password` on a low-priority thread."""
        return self._pool.submit(verify_password, password_hash, password).result()

    def shutdown(self) -> None:
        """Let the threads end once idle."""
        self._pool.shutdown(wait=False)
