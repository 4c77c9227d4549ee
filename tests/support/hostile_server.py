"""The app and a real SMTP server on an event loop of their own, in a background thread.

Synchronous drivers (schemathesis's ``requests`` calls, hypothesis's state machines) block
the thread they run in; with the service on a loop of its own thread, the service keeps
answering while they wait. ``ServiceThread.run(coro)`` runs a coroutine on the service's loop
(to use the async flow helpers of ``tests.api`` from synchronous code).
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from service.config import Settings
from tests.support.server import serve
from tests.support.smtp import SmtpServer, SmtpSink

T = TypeVar("T")

START_TIMEOUT = 30.0
STOP_TIMEOUT = 30.0


class ServiceThread:
    def __init__(self, settings: Settings) -> None:
        self.sink = SmtpSink()
        self.base_url = ""
        self.settings = settings
        self._settings = settings
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="service", daemon=True)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60.0) -> T:
        """Run ``coro`` on the service's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def start(self) -> None:
        self._thread.start()
        if not self._started.wait(START_TIMEOUT):
            raise RuntimeError("the service did not start in time")
        if self._error is not None:
            raise RuntimeError("the service failed to start") from self._error

    def stop(self) -> None:
        stop = self._stop
        if stop is not None and self._loop.is_running():
            self._loop.call_soon_threadsafe(stop.set)
        self._thread.join(STOP_TIMEOUT)
        if self._thread.is_alive():
            raise RuntimeError("the service did not stop in time")
        if self._error is not None:
            raise RuntimeError("the service failed") from self._error

    def _main(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._serve())
        except BaseException as error:  # reported to the test through start() or stop()
            self._error = error
            self._started.set()
        finally:
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
            self._loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        smtp = SmtpServer(self.sink)
        await smtp.start()
        try:
            self.settings = dataclasses.replace(self._settings, smtp_url=smtp.url)
            async with serve(self.settings) as url:
                self.base_url = url
                self._started.set()
                await self._stop.wait()
        finally:
            await smtp.stop()


@contextmanager
def service_thread(settings: Settings) -> Iterator[ServiceThread]:
    service = ServiceThread(settings)
    service.start()
    try:
        yield service
    finally:
        service.stop()
