"""The service as a separate process (``python -m service serve``) on a free loopback port."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.lib import machine
from service.config import Settings

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def request(
    url: str, *, form: dict[str, str] | None = None, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    """(status, body) of one request; status 0 when nothing answered."""
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    req = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 (loopback only)
            return int(resp.status), resp.read()
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read()
    except OSError:
        return 0, b""


@dataclass
class Service:
    proc: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def workers(self) -> list[int]:
        """The processes that serve requests: uvicorn's spawned children, or the main one."""
        spawned = [
            pid for pid, cmd in machine.children(self.proc.pid).items() if "spawn_main" in cmd
        ]
        return sorted(spawned) or [self.proc.pid]

    def pids(self) -> list[int]:
        return [self.proc.pid, *machine.children(self.proc.pid)]

    def login(self, email: str, password: str) -> str:
        """An access token for a password grant (raises when refused)."""
        status, body = request(
            self.base + "/auth/token",
            form={"grant_type": "password", "username": email, "password": password},
        )
        if status != 200:
            raise RuntimeError(f"login as {email} answered {status}: {body[:300]!r}")
        token: str = json.loads(body)["access_token"]
        return token

    def stop(self) -> None:
        """SIGINT to the process group (Ctrl-C), then SIGTERM, then SIGKILL."""
        for sig, wait in ((signal.SIGINT, 15), (signal.SIGTERM, 5), (signal.SIGKILL, 5)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue


def start(
    dsns: Any, folder: Path, *, workers: int = 2, env: dict[str, str] | None = None
) -> Service:
    """Start the service on its own session and wait until /health/ready answers 200 and the
    worker processes exist. Settings not given in ``env`` keep their (production) defaults."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if k not in Settings.variables()}
    environment.update(
        DATABASE_URL=dsns.app,
        MIGRATION_DATABASE_URL=dsns.owner,
        HOST=HOST,
        PORT=str(port),
        WORKERS=str(workers),
        LOG_LEVEL="WARNING",
        DATA_DIR=str(folder / "data"),
        PUBLIC_BASE_URL=f"http://{HOST}:{port}",
        PYTHONUNBUFFERED="1",
        **(env or {}),
    )
    log_path = folder / f"service-{port}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "service", "serve"],
            cwd=ROOT,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    service = Service(proc, port, log_path)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the service exited ({proc.returncode}); see {log_path}")
        ready = request(service.base + "/health/ready")[0] == 200
        if ready and (workers == 1 or len(service.workers()) == workers):
            return service
        time.sleep(0.2)
    service.stop()
    raise RuntimeError(f"the service was not ready within 90 s; see {log_path}")
