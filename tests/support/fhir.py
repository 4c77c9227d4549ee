"""A small stand-in FHIR server: the one outside system the tests may imitate.

It keeps Practitioners in memory, answers ``POST /Practitioner`` and
``GET /Practitioner/{id}`` with FHIR JSON, and can be told to fail or hang.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn

FHIR_JSON = "application/fhir+json"


@dataclass
class FhirServer:
    practitioners: dict[str, dict[str, Any]] = field(default_factory=dict)
    failing: bool = False
    hanging: bool = False
    requests: list[tuple[str, str, str]] = field(default_factory=list)  # method, path, accept
    base_url: str = ""

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        self.requests.append((scope["method"], scope["path"], headers.get("accept", "")))
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        if self.hanging:
            await asyncio.sleep(30)
        status, answer = self._answer(scope["method"], scope["path"], body)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", FHIR_JSON.encode())],
            }
        )
        await send({"type": "http.response.body", "body": json.dumps(answer).encode()})

    def _answer(self, method: str, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
        if self.failing:
            return 500, {"resourceType": "OperationOutcome"}
        parts = [p for p in path.split("/") if p]
        if method == "POST" and parts == ["fhir", "Practitioner"]:
            resource = json.loads(body)
            resource["id"] = uuid.uuid4().hex[:16]
            self.practitioners[resource["id"]] = resource
            return 201, resource
        if method == "GET" and len(parts) == 3 and parts[:2] == ["fhir", "Practitioner"]:
            found = self.practitioners.get(parts[2])
            if found:
                return 200, found
        return 404, {"resourceType": "OperationOutcome", "issue": [{"code": "not-found"}]}


class _Quiet(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@asynccontextmanager
async def fhir_server() -> AsyncIterator[FhirServer]:
    fhir = FhirServer()
    server = _Quiet(uvicorn.Config(fhir, host="127.0.0.1", port=0, log_config=None, lifespan="off"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    fhir.base_url = f"http://127.0.0.1:{port}/fhir"
    try:
        yield fhir
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=10)
