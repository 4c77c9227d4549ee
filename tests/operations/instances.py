"""Service instances as separate processes: ``python -m service serve`` on free loopback ports.

Each instance gets the environment an operator would give it (the shared database, the SMTP
server, cheap argon2 for speed) and keeps its JSON log lines in memory for the test to read.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.support import postgres

ROOT = Path(__file__).resolve().parents[2]
PUBLIC_BASE_URL = "https://auth.example.test"
START_WITHIN = 60.0
STOP_WITHIN = 15.0


def environment(db: postgres.Database, smtp_url: str, **extra: str) -> dict[str, str]:
    """What an operator sets for every instance of one deployment."""
    keep = ("PATH", "HOME", "LANG", "TMPDIR", "SYSTEMROOT")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env.update(
        DATABASE_URL=db.app,
        MIGRATION_DATABASE_URL=db.owner,
        SMTP_URL=smtp_url,
        PUBLIC_BASE_URL=PUBLIC_BASE_URL,
        ARGON2_MEMORY_KIB="256",
        ARGON2_TIME_COST="1",
        MAIL_RETRY_SECONDS="0.2",
        DB_POOL_MAX="4",
        HOST="127.0.0.1",
        LOG_LEVEL="INFO",
        LOG_FORMAT="json",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@dataclass
class Instance:
    name: str
    url: str
    process: asyncio.subprocess.Process
    lines: list[str] = field(default_factory=list)

    def log(self) -> list[dict[str, Any]]:
        """The JSON log lines written so far (anything else it printed is left out)."""
        entries = []
        for line in self.lines:
            with contextlib.suppress(ValueError):
                entry = json.loads(line)
                if isinstance(entry, dict):
                    entries.append(entry)
        return entries

    def events(self, name: str) -> list[dict[str, Any]]:
        return [entry for entry in self.log() if entry.get("event") == name]

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, timeout=10)


async def _collect(stream: asyncio.StreamReader, into: list[str]) -> None:
    while line := await stream.readline():
        into.append(line.decode("utf-8", "replace").rstrip("\n"))


async def _ready(instance: Instance) -> None:
    deadline = time.monotonic() + START_WITHIN
    async with instance.client() as http:
        while time.monotonic() < deadline:
            if instance.process.returncode is not None:
                break
            with contextlib.suppress(httpx.TransportError):
                if (await http.get("/health/ready")).status_code == 200:
                    return
            await asyncio.sleep(0.1)
    tail = "\n".join(instance.lines[-20:])
    raise RuntimeError(f"instance {instance.name} did not become ready:\n{tail}")


@asynccontextmanager
async def running(name: str, env: dict[str, str]) -> AsyncIterator[Instance]:
    """One ``python -m service serve`` process; stopped with SIGTERM (then killed) on exit."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "service",
        "serve",
        cwd=ROOT,
        env={**env, "PORT": str(port)},
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    instance = Instance(name, f"http://127.0.0.1:{port}", process)
    assert process.stdout is not None
    reader = asyncio.create_task(_collect(process.stdout, instance.lines))
    try:
        await _ready(instance)
        yield instance
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), STOP_WITHIN)
            except TimeoutError:
                process.kill()
                await process.wait()
        await asyncio.wait_for(reader, STOP_WITHIN)


async def finished(env: dict[str, str], *args: str, within: float = 60.0) -> tuple[int, str, str]:
    """Run ``python -m service <args>`` to its end; exit code, standard output and error.
    A command still running after ``within`` seconds is killed and ``TimeoutError`` raised."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "service",
        *args,
        cwd=ROOT,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), within)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    text = (out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))
    return process.returncode or 0, *text


async def run_command(env: dict[str, str], *args: str, within: float = 60.0) -> tuple[str, str]:
    """Run ``python -m service <args>`` to completion; its standard output and error."""
    code, out, err = await finished(env, *args, within=within)
    assert code == 0, err
    return out, err
