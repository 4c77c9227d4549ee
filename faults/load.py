"""A steady mixed load from asyncio clients: registrations, logins, ``GET /auth/me`` and
``GET /health/ready``; every request is recorded with its answer and how long it took.

Each client loops: pick an operation by weight, send it, record it, pause briefly. A request
that takes longer than ``hang_after`` seconds is abandoned and recorded as a hang.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

PASSWORD = "Fault-tolerant-2024!"  # noqa: S105 (the load's test accounts)
EXPECTED = {"register": 202, "login": 200, "me": 200, "ready": 200}
WEIGHTS = {"register": 3, "login": 2, "me": 4, "ready": 1}


@dataclass(frozen=True)
class Call:
    op: str
    started: float
    seconds: float
    status: int  # 0: no HTTP answer (see error)
    retry_after: str | None = None
    error: str | None = None
    email: str | None = None


@dataclass
class Account:
    email: str
    token: str


def registration(email: str, n: int) -> dict[str, str]:
    return {
        "email": email,
        "password": PASSWORD,
        "firstName": "Fault",
        "lastName": f"Tester{n}",
        "organizationName": f"Fault Clinic {n}",
    }


@dataclass
class Recorder:
    calls: list[Call] = field(default_factory=list)

    def between(self, start: float, end: float) -> list[Call]:
        return [c for c in self.calls if start <= c.started < end]

    def statuses(self, calls: list[Call] | None = None) -> dict[str, int]:
        counts = Counter(str(c.status) for c in (self.calls if calls is None else calls))
        return dict(sorted(counts.items()))

    def registered(self) -> list[str]:
        """Addresses whose registration was answered 202."""
        return [c.email for c in self.calls if c.op == "register" and c.status == 202 and c.email]

    def attempted(self) -> list[str]:
        return [c.email for c in self.calls if c.op == "register" and c.email]


class Load:
    def __init__(
        self,
        base: str,
        accounts: list[Account],
        *,
        prefix: str,
        clients: int = 6,
        pause: float = 0.05,
        hang_after: float = 20.0,
        weights: dict[str, int] | None = None,
        recorder: Recorder | None = None,
    ) -> None:
        self.base = base
        self.accounts = accounts
        self.prefix = prefix
        self.clients = clients
        self.pause = pause
        self.hang_after = hang_after
        self.weights = weights or WEIGHTS
        self.recorder = recorder or Recorder()
        self._numbers = itertools.count()
        self._sent = 0  # registrations sent
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self.limit: int | None = None  # stop after this many registrations were sent

    async def __aenter__(self) -> Load:
        self._tasks = [asyncio.create_task(self._client(i)) for i in range(self.clients)]
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def stop(self) -> None:
        self._stop.set()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=self.hang_after + 5)
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            self._tasks = []

    async def wait_registrations(self, count: int, within: float) -> None:
        """Until ``count`` registrations were answered (any answer), or ``within`` seconds."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if sum(c.op == "register" for c in self.recorder.calls) >= count:
                return
            await asyncio.sleep(0.05)

    def _registrations_done(self) -> bool:
        if self.limit is None:
            return False
        return self._sent >= self.limit

    async def _client(self, index: int) -> None:
        rng = random.Random(index)
        ops = [op for op, w in self.weights.items() for _ in range(w)]
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=self.base, limits=limits, timeout=None) as http:  # noqa: S113 (bounded by hang_after)
            while not self._stop.is_set():
                op = rng.choice(ops)
                if op in ("login", "me") and not self.accounts:
                    op = "ready"
                if op == "register" and self._registrations_done():
                    op = "ready" if self.weights.get("ready") else "stop"
                if op == "stop":
                    return
                await self.one(http, op, rng)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), self.pause)

    async def one(self, http: httpx.AsyncClient, op: str, rng: random.Random) -> Call:
        email = None
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.hang_after):
                if op == "register":
                    n = next(self._numbers)
                    self._sent += 1
                    email = f"{self.prefix}-{n}@faults.test"
                    response = await http.post("/auth/register", json=registration(email, n))
                elif op == "login":
                    account = rng.choice(self.accounts)
                    form = {"grant_type": "password", "username": account.email}
                    response = await http.post("/auth/token", data=form | {"password": PASSWORD})
                elif op == "me":
                    token = rng.choice(self.accounts).token
                    response = await http.get(
                        "/auth/me", headers={"Authorization": f"Bearer {token}"}
                    )
                else:
                    response = await http.get("/health/ready")
            call = Call(
                op,
                started,
                time.monotonic() - started,
                response.status_code,
                response.headers.get("retry-after"),
                email=email,
            )
        except TimeoutError:
            call = Call(op, started, time.monotonic() - started, 0, error="hang", email=email)
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:200]
            call = Call(op, started, time.monotonic() - started, 0, error=error, email=email)
        self.recorder.calls.append(call)
        return call
