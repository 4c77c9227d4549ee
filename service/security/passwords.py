"""Password hashing with argon2id, off the event loop and bounded.

Every hash and verification runs in a small thread pool (argon2-cffi releases the GIL), and an
``asyncio.Semaphore`` of the same size makes a login storm wait its turn in the event loop,
where waiting is cheap and cancellable, instead of piling memory-hard work onto the machine.

:meth:`PasswordHasher.verify` runs exactly one argon2 verification whatever it is given: a
missing or unreadable stored hash is replaced by a dummy hash made once with the configured
parameters, so an unknown account, an account without a password and a wrong password all cost
the same.

On Linux the hashing threads run at the lowest priority of the normal scheduler (nice 19) while
the event loop keeps the process's own: when a login storm keeps every core busy, a request that
needs a millisecond of CPU (a token check, a page of members) still gets a core at once, and
argon2 takes what is left. Logins per second stay the same while nothing else wants the CPU;
under a flood of other requests they slow down first, which is the order an operator wants
(nice 19 still gets a share, so logins are never starved outright, as SCHED_IDLE could).

The queue in front of the threads is bounded by time: when a new request would wait longer than
``ARGON2_MAX_WAIT_SECONDS`` (judged from how many are ahead of it and how long recent ones
took), it is refused at once with 503 and ``Retry-After`` instead of joining the queue, so a
flood of registrations or logins cannot make every sign-in wait without bound.

Passwords are NFKC-normalised before hashing and verifying, so the same password typed on
keyboards that produce different Unicode forms gives the same hash.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import re
import secrets
import sys
import threading
import time
import unicodedata
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from argon2 import PasswordHasher as _Argon2
from argon2 import Type, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from service.config import Settings
from service.errors import service_unavailable

T = TypeVar("T")

ARGON2_VERSION = 19
SALT_BYTES = 16
HASH_BYTES = 32
HASHING_NICENESS = 19  # the lowest priority; Linux sets it per thread
SMOOTHING = 0.2  # weight of the latest duration in the moving average
JUDGE_QUEUE = 32  # password checks that may wait per hashing thread
BUSY = "Too many passwords are being checked right now; try again shortly."

# What a stored hash must look like before it is handed to argon2: a PHC string with at least
# an 8-byte salt and a 16-byte output in unpadded base64. Anything else is treated as missing.
_PHC = re.compile(
    r"^\$argon2(?:id|i|d)\$v=\d+\$m=\d+,t=\d+,p=\d+"
    r"\$(?P<salt>[A-Za-z0-9+/]{11,})\$(?P<hash>[A-Za-z0-9+/]{22,})$"
)


@dataclass(frozen=True, slots=True)
class VerifyResult:
    ok: bool
    needs_rehash: bool


@dataclass(frozen=True, slots=True)
class HasherStats:
    """Counters kept by the worker threads: what runs now, the most at once, totals."""

    running: int
    peak: int
    hashes: int
    verifications: int
    refused: int = 0


class PasswordHasher:
    """argon2id with the configured parameters; built once at start-up and shared."""

    def __init__(self, settings: Settings) -> None:
        self._argon2 = _Argon2(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
            hash_len=HASH_BYTES,
            salt_len=SALT_BYTES,
            type=Type.ID,
        )
        self.max_concurrency = settings.argon2_max_concurrency
        self._executor = ThreadPoolExecutor(
            max_workers=self.max_concurrency,
            thread_name_prefix="argon2",
            initializer=_lower_this_threads_priority,
        )
        self._slots = asyncio.Semaphore(self.max_concurrency)
        self._lock = threading.Lock()
        self._running = 0
        self._peak = 0
        self._hashes = 0
        self._verifications = 0
        self._refused = 0
        self.max_wait = settings.argon2_max_wait_seconds
        self._admitted = 0  # queued or running, counted on the event loop
        self._judging = 0  # password checks queued or running (:meth:`judge`)
        # Same parameters as real hashes, so verifying against it costs the same; timing it
        # gives the first estimate of how long one takes.
        started = time.perf_counter()
        self._dummy = self._argon2.hash(secrets.token_urlsafe(32))
        self._seconds_each = time.perf_counter() - started

    @property
    def stats(self) -> HasherStats:
        with self._lock:
            return HasherStats(
                self._running, self._peak, self._hashes, self._verifications, self._refused
            )

    @property
    def expected_wait(self) -> float:
        """Seconds a request arriving now would wait for a thread."""
        ahead = max(0, self._admitted + 1 - self.max_concurrency)
        return ahead / self.max_concurrency * self._seconds_each

    async def idle_like_verify(self) -> None:
        """Take about as long as a verification takes now, without doing one: a refused
        attempt answers no faster than a checked one, and costs no CPU."""
        await asyncio.sleep(self._seconds_each)

    async def hash(self, password: str) -> str:
        """The PHC string (``$argon2id$v=19$m=...``) to store for ``password``."""
        return await self._run(self._hash_sync, _normalise(password))

    async def verify(self, stored_hash: str | None, password: str) -> VerifyResult:
        """Check ``password`` against ``stored_hash``; always exactly one argon2 verification."""
        return await self._run(self._verify_sync, stored_hash, _normalise(password))

    async def judge(self, check: Callable[[], T]) -> T:
        """Run ``check`` (CPU work on what a client typed: the password policy's guessability
        estimate, tens of milliseconds at worst) on the hashing threads, one slot at a time
        like a hash, so that a burst of registrations cannot stall the event loop before any
        throttle has counted them. Past :data:`JUDGE_QUEUE` waiting per thread, 503 at once.
        Not counted in the hashing statistics or the hash-time estimate."""
        if self._judging >= JUDGE_QUEUE * self.max_concurrency:
            with self._lock:
                self._refused += 1
            raise service_unavailable(BUSY, retry_after=1)
        self._judging += 1
        try:
            async with self._slots:
                return await asyncio.get_running_loop().run_in_executor(self._executor, check)
        finally:
            self._judging -= 1

    def needs_rehash(self, stored_hash: str) -> bool:
        """True when the stored hash is weaker than what is configured now.

        Weaker means another argon2 variant than argon2id, an older algorithm version, or a
        lower memory, time or parallelism cost, or a shorter salt or output. A hash made with
        higher costs than the current ones is kept: it is not weaker.
        """
        try:
            stored = extract_parameters(stored_hash)
        except InvalidHashError:
            return True
        wanted = self._argon2
        return (
            stored.type is not Type.ID
            or stored.version < ARGON2_VERSION
            or stored.memory_cost < wanted.memory_cost
            or stored.time_cost < wanted.time_cost
            or stored.parallelism < wanted.parallelism
            or stored.salt_len < SALT_BYTES
            or stored.hash_len < HASH_BYTES
        )

    def close(self) -> None:
        """Stop the worker threads; queued work is dropped. Call once at shutdown."""
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def _run(self, func: Callable[..., T], *args: object) -> T:
        wait = self.expected_wait
        if wait > self.max_wait:
            with self._lock:
                self._refused += 1
            raise service_unavailable(BUSY, retry_after=max(1, math.ceil(wait)))
        self._admitted += 1
        try:
            async with self._slots:
                loop = asyncio.get_running_loop()
                return await loop.run_in_executor(self._executor, self._counted, func, *args)
        finally:
            self._admitted -= 1

    def _counted(self, func: Callable[..., T], *args: object) -> T:
        with self._lock:
            self._running += 1
            self._peak = max(self._peak, self._running)
        started = time.perf_counter()
        try:
            return func(*args)
        finally:
            took = time.perf_counter() - started
            with self._lock:
                self._running -= 1
                self._seconds_each += SMOOTHING * (took - self._seconds_each)

    def _hash_sync(self, password: str) -> str:
        with self._lock:
            self._hashes += 1
        return self._argon2.hash(password)

    def _verify_sync(self, stored_hash: str | None, password: str) -> VerifyResult:
        if stored_hash is not None and _looks_usable(stored_hash):
            try:
                if self._check(stored_hash, password):
                    return VerifyResult(ok=True, needs_rehash=self.needs_rehash(stored_hash))
                return VerifyResult(ok=False, needs_rehash=False)
            except (InvalidHashError, VerificationError):
                pass  # argon2 refused it before doing any work: fall through to the dummy
        self._check(self._dummy, password)
        return VerifyResult(ok=False, needs_rehash=False)

    def _check(self, stored_hash: str, password: str) -> bool:
        """One argon2 verification; counted once argon2 has done the work."""
        try:
            matched: bool = self._argon2.verify(stored_hash, password)
        except VerifyMismatchError:
            matched = False
        with self._lock:
            self._verifications += 1
        return matched


def _lower_this_threads_priority() -> None:
    """Make the calling thread yield the CPU to the event loop (Linux only: elsewhere
    ``setpriority`` with a thread id would name a process)."""
    if not sys.platform.startswith("linux"):
        return
    tid = threading.get_native_id()
    with contextlib.suppress(OSError):  # a sandbox may refuse; hashing works the same
        os.setpriority(os.PRIO_PROCESS, tid, HASHING_NICENESS)


def _looks_usable(stored_hash: str) -> bool:
    match = _PHC.match(stored_hash)
    if match is None:
        return False
    # Unpadded base64 never has a length of 1 modulo 4.
    if len(match["salt"]) % 4 == 1 or len(match["hash"]) % 4 == 1:
        return False
    try:
        extract_parameters(stored_hash)
    except InvalidHashError:
        return False
    return True


def _normalise(password: str) -> str:
    return unicodedata.normalize("NFKC", password)
