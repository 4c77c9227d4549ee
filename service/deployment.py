"""Where and how the service runs: loopback hosts, SMTP transport security, what production
refuses to start with, and settings written down without their secrets.

Nothing here reads the environment or imports a feature, nor :mod:`service.config`:
``Settings`` calls :func:`problems` once it is read (it takes anything shaped like
:class:`Deployed`) and turns the first problem into a ``ConfigError``.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from service.logs import redact_query

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

STARTTLS_MODES = ("opportunistic", "required")
MASK = "***"
_SECRET_NAME = re.compile(r"token|key|password|secret")


class Deployed(Protocol):
    """The settings the production checks look at."""

    @property
    def database_url(self) -> str | None: ...
    @property
    def public_base_url(self) -> str: ...
    @property
    def smtp_url(self) -> str | None: ...
    @property
    def signing_key_encryption_key(self) -> str | None: ...
    @property
    def metrics_token(self) -> str | None: ...
    @property
    def is_production(self) -> bool: ...


def is_loopback(host: str) -> bool:
    """``localhost``, ``127.0.0.0/8`` or ``::1`` (brackets allowed)."""
    name = host.strip().strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def starttls_mode(smtp_url: str) -> str:
    """For ``smtp://`` URLs: ``opportunistic`` (the default: STARTTLS when the server offers
    it) or ``required`` (``?starttls=required``: no TLS, no mail, and no credentials sent)."""
    query = dict(parse_qsl(urlsplit(smtp_url).query, keep_blank_values=True))
    unknown = set(query) - {"starttls"}
    if unknown:
        raise ValueError(f"takes no query parameter but starttls, got {sorted(unknown)}")
    mode = query.get("starttls", "opportunistic").lower()
    if mode not in STARTTLS_MODES:
        raise ValueError(f"starttls must be one of {', '.join(STARTTLS_MODES)}, got {mode!r}")
    return mode


def problems(settings: Deployed) -> list[tuple[str, str]]:
    """``(variable, problem)`` for every setting the service must not start with."""
    tls_assured = False
    if settings.smtp_url:
        try:
            mode = starttls_mode(settings.smtp_url)
        except ValueError as exc:
            return [("SMTP_URL", str(exc))]
        implicit = urlsplit(settings.smtp_url).scheme == "smtps"
        if implicit and "starttls" in urlsplit(settings.smtp_url).query:
            return [("SMTP_URL", "smtps:// is TLS from the start; drop ?starttls")]
        tls_assured = implicit or mode == "required"
    if settings.is_production:
        return _production_problems(settings, tls_assured=tls_assured)
    return []


def _production_problems(settings: Deployed, *, tls_assured: bool) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if settings.database_url is None:
        found.append(("DATABASE_URL", "is required in production (no embedded database)"))
    if settings.signing_key_encryption_key is None:
        found.append(
            ("SIGNING_KEY_ENCRYPTION_KEY", "is required in production (signing keys at rest)")
        )
    base = urlsplit(settings.public_base_url)
    if base.scheme == "http" and not is_loopback(base.hostname or ""):
        found.append(("PUBLIC_BASE_URL", "must be https:// in production unless it is loopback"))
    smtp = urlsplit(settings.smtp_url or "")
    if (smtp.username or smtp.password) and not tls_assured:
        found.append(("SMTP_URL", "sends credentials: use smtps:// or smtp://…?starttls=required"))
    if settings.metrics_token is None:
        found.append(("METRICS_TOKEN", "is required in production (/metrics shares the API port)"))
    return found


def masked(settings: DataclassInstance) -> str:
    """``Settings(...)`` with every secret replaced: passwords inside URLs, and every text
    setting whose name says token, key, password or secret."""
    parts = []
    for spec in dataclasses.fields(settings):
        value: Any = getattr(settings, spec.name)
        if isinstance(value, str):
            value = MASK if _SECRET_NAME.search(spec.name) else without_password(value)
        parts.append(f"{spec.name}={value!r}")
    return f"{type(settings).__name__}({', '.join(parts)})"


def without_password(text: str) -> str:
    """A URL with its password (in the authority or a query parameter) replaced."""
    text = redact_query(text)
    try:
        parts = urlsplit(text)
        password = parts.password
    except ValueError:
        return text
    if not password or not parts.netloc:
        return text
    user_info, _, host = parts.netloc.rpartition("@")
    user = user_info.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:{MASK}@{host}"))
