"""The embedded PostgreSQL follows the service: every command stops what it started or
adopted, a server left by a killed run is adopted and stopped by the next one, and
``python -m service stop-database`` (``make stop``) stops one that nothing alive uses."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from service.db import embedded
from tests.operations.instances import ROOT, run_command, running


def _env(data: Path) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "TMPDIR")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env.update(
        DATA_DIR=str(data),
        HOST="127.0.0.1",
        LOG_LEVEL="INFO",
        LOG_FORMAT="json",
        PYTHONUNBUFFERED="1",
        ARGON2_MEMORY_KIB="256",
        ARGON2_TIME_COST="1",
    )
    return env


def _postmaster(data: Path) -> int | None:
    return embedded.running_pid(data / "pg")


async def _gone(pid: int, within: float = 15.0) -> bool:
    for _ in range(int(within * 10)):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        await asyncio.sleep(0.1)
    return False


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "d"


async def _killed_serve(data: Path) -> int:
    """Start ``serve``, SIGKILL it once ready; the postmaster it leaves behind."""
    async with running("killed", _env(data)) as service:
        service.process.send_signal(signal.SIGKILL)
        await service.process.wait()
    left = _postmaster(data)
    assert left is not None, "a SIGKILLed serve takes its database with it?"
    return left


async def test_the_next_serve_adopts_and_stops_what_a_killed_one_left(data: Path) -> None:
    left = await _killed_serve(data)
    async with running("next", _env(data)):
        assert _postmaster(data) == left  # adopted, not a second server
    assert await _gone(left)
    assert not (data / "pg" / "postmaster.pid").exists()


async def test_stop_database_stops_what_a_killed_serve_left(data: Path) -> None:
    left = await _killed_serve(data)
    _, err = await run_command(_env(data), "stop-database")
    assert "stopped the embedded PostgreSQL" in err
    assert await _gone(left)
    _, err = await run_command(_env(data), "stop-database")
    assert "no embedded PostgreSQL is running" in err


async def test_stop_database_leaves_a_running_service_alone(data: Path) -> None:
    async with running("held", _env(data)) as service:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "service",
            "stop-database",
            cwd=ROOT,
            env=_env(data),
            stderr=asyncio.subprocess.PIPE,
        )
        _, err = await process.communicate()
        assert process.returncode == 1
        assert f"in use by pid {service.process.pid}" in err.decode()
        assert _postmaster(data) is not None
    assert _postmaster(data) is None


@pytest.mark.parametrize("command", ["migrate", "janitor"])
async def test_a_command_leaves_no_database_running(data: Path, command: str) -> None:
    await run_command(_env(data), command)
    assert (data / "pg" / "PG_VERSION").exists()
    assert _postmaster(data) is None


async def test_a_command_after_a_killed_serve_stops_the_leftover(data: Path) -> None:
    left = await _killed_serve(data)
    await run_command(_env(data), "migrate")
    assert await _gone(left)
