"""What every scenario shares: a temporary folder, a private PostgreSQL, the SMTP server, the
service process, a few verified accounts for logins and ``/auth/me``, and clean-up."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import httpx

from faults import service as processes
from faults.load import PASSWORD, Account, registration
from faults.postgres import PrivatePostgres
from tests.support.smtp import SmtpServer, SmtpSink

TOKEN = re.compile(r"/auth/verify-email\?token=([^\s\"<>]+)")


@dataclass
class Harness:
    folder: Path
    pg: PrivatePostgres
    smtp: SmtpServer
    service: processes.ServiceProcess
    accounts: list[Account] = field(default_factory=list)
    workers: list[processes.Process] = field(default_factory=list)

    @property
    def sink(self) -> SmtpSink:
        return self.smtp.sink

    @property
    def base(self) -> str:
        return self.service.base

    def new_service(self, **env: str) -> processes.ServiceProcess:
        """Replace the service process description (stop the old one first)."""
        self.service = processes.service(self.pg.dsns, self.folder, self.smtp.url, **env)
        return self.service

    def new_worker(self, name: str, **env: str) -> processes.Process:
        worker = processes.worker(self.pg.dsns, self.folder, self.smtp.url, name, **env)
        self.workers.append(worker)
        return worker

    async def make_accounts(self, count: int = 4) -> list[Account]:
        self.accounts = await make_accounts(self.base, self.sink, count)
        return self.accounts

    async def stop_workers(self) -> None:
        for worker in self.workers:
            await asyncio.to_thread(worker.stop)
        self.workers.clear()


async def make_accounts(base: str, sink: SmtpSink, count: int) -> list[Account]:
    """Register, verify through the mail and log in ``count`` accounts."""
    emails = [f"account{i}-{time.monotonic_ns()}@faults.test" for i in range(count)]
    accounts = []
    async with httpx.AsyncClient(base_url=base, timeout=20) as http:
        for i, email in enumerate(emails):
            answer = await http.post("/auth/register", json=registration(email, 10_000 + i))
            if answer.status_code != 202:
                raise RuntimeError(f"setting up {email}: {answer.status_code} {answer.text}")
        for email in emails:
            token = await verification_token(sink, email)
            body = {"token": token, "password": PASSWORD}
            answer = await http.post("/auth/verify-email", json=body)
            if answer.status_code != 204:
                raise RuntimeError(f"verifying {email}: {answer.status_code}")
            form = {"grant_type": "password", "username": email, "password": PASSWORD}
            answer = await http.post("/auth/token", data=form)
            if answer.status_code != 200:
                raise RuntimeError(f"logging in {email}: {answer.status_code}")
            accounts.append(Account(email, answer.json()["access_token"]))
    return accounts


async def verification_token(sink: SmtpSink, email: str, within: float = 30.0) -> str:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        for mail in sink.received:
            if email in mail.recipients and (found := TOKEN.search(mail.text)):
                return unquote(found.group(1))
        await asyncio.sleep(0.05)
    raise RuntimeError(f"no verification mail for {email} within {within:g} s")


def private_folder() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="faults-"))
    folder.chmod(0o755)  # the embedded PostgreSQL runs as another OS user when we are root
    run = folder / "run"
    run.mkdir(mode=0o700)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(run))
    return folder


@asynccontextmanager
async def harness(*, accounts: int = 4, keep_logs: Path | None = None) -> AsyncIterator[Harness]:
    """Everything started; everything stopped and removed on the way out, whatever happens."""
    folder = private_folder()
    pg: PrivatePostgres | None = None
    smtp = SmtpServer(SmtpSink())
    h: Harness | None = None
    try:
        pg = await PrivatePostgres.start(folder)
        await smtp.start()
        svc = processes.service(pg.dsns, folder, smtp.url)
        h = Harness(folder, pg, smtp, svc)
        await svc.start()
        await h.make_accounts(accounts)
        yield h
    finally:
        if h is not None:
            await h.stop_workers()
            await asyncio.to_thread(h.service.stop)
        await smtp.stop()
        if pg is not None:
            await asyncio.to_thread(pg.stop)
        if keep_logs is not None:
            await asyncio.to_thread(_keep_logs, folder, keep_logs)
        shutil.rmtree(folder, ignore_errors=True)


def _keep_logs(folder: Path, into: Path) -> None:
    into.mkdir(parents=True, exist_ok=True)
    for log in folder.glob("*.log"):
        with contextlib.suppress(OSError):
            shutil.copyfile(log, into / log.name)
