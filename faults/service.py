"""The service (``python -m service serve``) and mail workers (``python -m service worker``) as
separate processes of their own, started, killed and restarted by the harness."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from service.config import Settings
from service.db.embedded import Dsns

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parents[1]

# Cheap hashing (these faults are about the database and the mail, not argon2), short
# timeouts so that failing fast is visible within a short run, quick mail retries.
BASE_ENV = {
    "APP_ENV": "development",
    "LOG_LEVEL": "WARNING",
    "WORKERS": "1",
    "DB_POOL_MIN": "2",
    "DB_POOL_MAX": "8",
    "DB_ACQUIRE_TIMEOUT": "2",
    "DB_STATEMENT_TIMEOUT_MS": "3000",
    "ARGON2_MEMORY_KIB": "1024",
    "ARGON2_TIME_COST": "1",
    "MAIL_RETRY_SECONDS": "1",
    "MAIL_REQUESTS_PER_ADDRESS_PER_HOUR": "1000000",  # the load comes from one address
    "MAIL_FROM": "no-reply@faults.test",
    "PYTHONUNBUFFERED": "1",
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def environment(dsns: Dsns, folder: Path, **extra: str) -> dict[str, str]:
    """The harness's environment minus every service variable, then ours."""
    env = {k: v for k, v in os.environ.items() if k not in Settings.variables()}
    env.update(BASE_ENV)
    env.update(
        DATABASE_URL=dsns.app,
        MIGRATION_DATABASE_URL=dsns.owner,
        DATA_DIR=str(folder / "data"),
    )
    env.update(extra)
    return env


@dataclass
class Process:
    """One child process in its own session, its output appended to ``log``."""

    argv: list[str]
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0

    def spawn(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
                self.argv,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.starts += 1

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole process group, no grace."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM (the service and the worker stop cleanly on it), then SIGKILL."""
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()


@dataclass
class ServiceProcess(Process):
    port: int = field(default_factory=free_port)

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    async def start(self, within: float = 60.0) -> float:
        """Spawn and wait until /health/ready answers 200; the seconds that took."""
        started = time.monotonic()
        self.spawn()
        async with httpx.AsyncClient(timeout=2) as client:
            while time.monotonic() - started < within:
                if not self.alive():
                    raise RuntimeError(f"the service exited at start-up; see {self.log}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(self.base + "/health/ready")).status_code == 200:
                        return time.monotonic() - started
                await asyncio.sleep(0.1)
        self.kill()
        raise RuntimeError(f"the service was not ready within {within:g} s; see {self.log}")


def service(dsns: Dsns, folder: Path, smtp_url: str, **extra: str) -> ServiceProcess:
    port = free_port()
    env = environment(
        dsns,
        folder,
        HOST=HOST,
        PORT=str(port),
        PUBLIC_BASE_URL=f"http://{HOST}:{port}",
        SMTP_URL=smtp_url,
        **extra,
    )
    argv = [sys.executable, "-m", "service", "serve"]
    return ServiceProcess(argv, env, folder / "service.log", port=port)


def worker(dsns: Dsns, folder: Path, smtp_url: str, name: str, **extra: str) -> Process:
    env = environment(dsns, folder, SMTP_URL=smtp_url, MAIL_WORKER="false", **extra)
    argv = [sys.executable, "-m", "service", "worker"]
    return Process(argv, env, folder / f"{name}.log")
