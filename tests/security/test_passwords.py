"""argon2id off the event loop: bounded, one verification on every path, rehash on upgrade."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import statistics
import sys
import threading
import time
from collections.abc import AsyncIterator

import pytest
from argon2 import extract_parameters

from service.config import Settings
from service.errors import ApiError
from service.security.passwords import (
    HASHING_NICENESS,
    JUDGE_QUEUE,
    PasswordHasher,
    VerifyResult,
)

PRODUCTION = Settings()  # m=19456 KiB, t=2, p=1, four at once
CHEAP = dataclasses.replace(PRODUCTION, argon2_memory_kib=1024, argon2_time_cost=1)
PASSWORD = "correct horse battery staple"


@pytest.fixture
async def cheap() -> AsyncIterator[PasswordHasher]:
    hasher = PasswordHasher(CHEAP)
    yield hasher
    hasher.close()


@pytest.fixture
async def production() -> AsyncIterator[PasswordHasher]:
    hasher = PasswordHasher(PRODUCTION)
    yield hasher
    hasher.close()


async def test_hash_then_verify(cheap: PasswordHasher) -> None:
    stored = await cheap.hash(PASSWORD)
    params = extract_parameters(stored)
    assert stored.startswith("$argon2id$v=19$m=1024,t=1,p=1$")
    assert (params.salt_len, params.hash_len) == (16, 32)
    assert await cheap.hash(PASSWORD) != stored  # a fresh salt every time
    assert await cheap.verify(stored, PASSWORD) == VerifyResult(ok=True, needs_rehash=False)
    assert await cheap.verify(stored, PASSWORD + " ") == VerifyResult(ok=False, needs_rehash=False)


async def test_passwords_are_compared_after_nfkc_and_never_truncated(
    cheap: PasswordHasher,
) -> None:
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if c != " " else c for c in "correct horse")
    stored = await cheap.hash(fullwidth)
    assert (await cheap.verify(stored, "correct horse")).ok
    long = "x" * 127 + "y"
    stored = await cheap.hash(long)
    assert not (await cheap.verify(stored, long[:-1] + "z")).ok
    assert not (await cheap.verify(stored, long[:72])).ok


async def test_rising_parameters_ask_for_a_rehash(cheap: PasswordHasher) -> None:
    stored = await cheap.hash(PASSWORD)
    raised = (
        dataclasses.replace(CHEAP, argon2_memory_kib=2048),
        dataclasses.replace(CHEAP, argon2_time_cost=2),
    )
    for settings in raised:
        stronger = PasswordHasher(settings)
        try:
            assert await stronger.verify(stored, PASSWORD) == VerifyResult(True, True)
            # A wrong password never asks for a rehash: there is nothing to rehash with.
            assert await stronger.verify(stored, "wrong") == VerifyResult(False, False)
            assert not stronger.needs_rehash(await stronger.hash(PASSWORD))
        finally:
            stronger.close()
    # A hash stronger than what is configured is kept.
    weaker = PasswordHasher(dataclasses.replace(CHEAP, argon2_memory_kib=512))
    try:
        assert await weaker.verify(stored, PASSWORD) == VerifyResult(True, False)
    finally:
        weaker.close()


@pytest.mark.parametrize(
    "stored",
    [
        None,
        "",
        "not a hash",
        "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",  # bcrypt
        "$argon2id$v=19$m=1024,t=1,p=1$AAAA$BBBB",  # too short to be ours
        "$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$!!!!!!!!!!!!!!!!!!!!!!!!!",
    ],
)
async def test_every_failing_path_runs_exactly_one_verification(
    cheap: PasswordHasher, stored: str | None
) -> None:
    before = cheap.stats.verifications
    assert await cheap.verify(stored, PASSWORD) == VerifyResult(ok=False, needs_rehash=False)
    assert cheap.stats.verifications == before + 1


async def test_wrong_and_right_passwords_run_exactly_one_verification(
    cheap: PasswordHasher,
) -> None:
    stored = await cheap.hash(PASSWORD)
    before = cheap.stats.verifications
    await cheap.verify(stored, "wrong password")
    await cheap.verify(stored, PASSWORD)
    assert cheap.stats.verifications == before + 2
    assert cheap.stats.hashes == 1


async def test_an_unknown_account_costs_as_much_cpu_as_a_wrong_password(
    production: PasswordHasher,
) -> None:
    stored = await production.hash(PASSWORD)

    async def cpu(stored_hash: str | None) -> float:
        start = time.process_time()  # all threads of the process: argon2 runs in a worker
        await production.verify(stored_hash, "wrong password")
        return time.process_time() - start

    real = statistics.median([await cpu(stored) for _ in range(7)])
    dummy = statistics.median([await cpu(None) for _ in range(7)])
    assert 0.5 < dummy / real < 2, (real, dummy)


async def test_a_login_storm_does_not_block_the_event_loop(production: PasswordHasher) -> None:
    stored = await production.hash(PASSWORD)
    loop = asyncio.get_running_loop()
    lags: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        while not done.is_set():
            start = loop.time()
            await asyncio.sleep(0.001)
            lags.append(loop.time() - start - 0.001)

    storm_size = 8
    ticking = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)
    started = time.perf_counter()
    results = await asyncio.gather(
        *(production.verify(stored, PASSWORD) for _ in range(storm_size))
    )
    storm = time.perf_counter() - started
    done.set()
    await ticking

    assert all(result.ok for result in results)
    assert production.stats.peak <= PRODUCTION.argon2_max_concurrency
    # How long one verification took inside the storm, under the same contention for the
    # cores as the loop had: the storm ran max_concurrency of them at a time.
    one_verify = storm * PRODUCTION.argon2_max_concurrency / storm_size
    # Verifying on the loop would stall it for the whole storm (no tick could run between
    # the eight); in threads the loop keeps ticking every millisecond or so.
    assert len(lags) > storm_size
    assert max(lags) < one_verify / 2, (max(lags), one_verify)


@pytest.mark.parametrize("limit", [1, 2])
async def test_no_more_than_the_configured_number_run_at_once(limit: int) -> None:
    hasher = PasswordHasher(dataclasses.replace(PRODUCTION, argon2_max_concurrency=limit))
    try:
        stored = await hasher.hash(PASSWORD)
        results = await asyncio.gather(*(hasher.verify(stored, PASSWORD) for _ in range(6)))
        assert all(result.ok for result in results)
        assert hasher.stats.peak == limit
        assert hasher.stats.running == 0
        assert hasher.stats.verifications == 6
    finally:
        hasher.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread priority is Linux's")
async def test_hashing_threads_yield_the_cpu_to_the_event_loop() -> None:
    hasher = PasswordHasher(dataclasses.replace(PRODUCTION, argon2_max_concurrency=2))
    try:

        def niceness_here() -> int:
            return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

        loop_niceness = niceness_here()
        hasher_niceness = await hasher._run(niceness_here)
        assert hasher_niceness == HASHING_NICENESS == 19
        assert niceness_here() == loop_niceness  # the loop's own thread is untouched
    finally:
        hasher.close()


async def test_password_checks_run_on_the_hashing_threads_and_raise_there(
    cheap: PasswordHasher,
) -> None:
    """The password policy's estimate (tens of milliseconds of Python at worst) runs where
    argon2 runs, not on the event loop; its refusal reaches the caller as raised."""
    loop_thread = threading.get_ident()
    assert await cheap.judge(threading.get_ident) != loop_thread

    def refuse() -> None:
        raise ValueError("too easy to guess")

    with pytest.raises(ValueError, match="too easy"):
        await cheap.judge(refuse)
    assert cheap.stats.hashes == cheap.stats.verifications == 0


async def test_a_flood_of_password_checks_is_refused_past_the_queue() -> None:
    """One thread, its queue full of checks that wait: the next one is a 503 at once, not one
    more waiter; once the flood drains, checks are taken again."""
    hasher = PasswordHasher(dataclasses.replace(CHEAP, argon2_max_concurrency=1))
    release = threading.Event()
    try:
        waiting = [
            asyncio.create_task(hasher.judge(lambda: release.wait(10))) for _ in range(JUDGE_QUEUE)
        ]
        await asyncio.sleep(0.05)
        with pytest.raises(ApiError) as refused:
            await hasher.judge(lambda: True)
        assert refused.value.items[0].status == 503
        assert refused.value.headers["Retry-After"] == "1"
        release.set()
        assert all(await asyncio.gather(*waiting))
        assert await hasher.judge(lambda: "taken") == "taken"
    finally:
        release.set()
        hasher.close()
