"""Baselines measured in-process, in the same run as the load they are compared with."""

from __future__ import annotations

import asyncio
import os
import statistics
import threading
import time
from typing import Any

from service.config import Settings
from service.security.passwords import PasswordHasher


def argon2_verify(settings: Settings, password: str, *, repeats: int = 10) -> dict[str, Any]:
    """CPU seconds of one verification, exactly the work a login hands to a hasher thread
    (``time.process_time``, median of ``repeats``), and what that allows on every core:
    ``bound = cores / seconds``, the most logins per second the machine could ever do."""
    hasher = PasswordHasher(settings)
    try:
        stored = asyncio.run(hasher.hash(password))
        samples = []
        for _ in range(repeats):
            t0 = time.process_time()
            if not hasher._verify_sync(stored, password).ok:
                raise RuntimeError("the baseline verification failed")
            samples.append(time.process_time() - t0)
    finally:
        hasher.close()
    seconds = statistics.median(samples)
    cores = os.cpu_count() or 1
    return {
        "cpu_seconds_median": round(seconds, 5),
        "cpu_seconds": [round(s, 5) for s in samples],
        "cores": cores,
        "bound_per_s": round(cores / seconds, 1),
        "stored_hash": stored,
    }


def argon2_all_cores(settings: Settings, password: str, stored: str, seconds: float = 3.0) -> float:
    """Verifications per second with one thread per core and nothing else running: the bound
    as this machine's memory bandwidth really allows it (for reading the results)."""
    hasher = PasswordHasher(settings)
    counts: list[int] = []
    deadline = time.monotonic() + seconds

    def loop() -> None:
        n = 0
        while time.monotonic() < deadline:
            hasher._verify_sync(stored, password)
            n += 1
        counts.append(n)

    threads = [threading.Thread(target=loop) for _ in range(os.cpu_count() or 1)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    hasher.close()
    return round(sum(counts) / (time.monotonic() - t0), 1)
