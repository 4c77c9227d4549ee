"""Security-relevant outcomes: one structured log line each, and a count in the metrics.

The request middleware binds the serving app's :class:`Metrics` to the request's context, so
code deep in a service reports an outcome without being handed the metrics object, and apps
built side by side in one process count apart. Outside a request (commands, the mail worker)
only the log line is written.

Log lines carry ids, never a secret: no password, token, ``Authorization`` header or link. A
failed login on an unknown account is logged without the address typed in (it may be someone
else's address, or a password typed into the wrong field); known accounts are named by id.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar, Token
from typing import TYPE_CHECKING, Any
from uuid import UUID

if TYPE_CHECKING:
    from service.metrics.registry import Metrics

log = logging.getLogger("service.security")

_current: ContextVar[Metrics | None] = ContextVar("metrics", default=None)

LOGIN_OUTCOMES = ("success", "failure", "throttled")


def bind(metrics: Metrics) -> Token[Metrics | None]:
    return _current.set(metrics)


def unbind(token: Token[Metrics | None]) -> None:
    _current.reset(token)


def _emit(event: str, level: int = logging.INFO, **fields: Any) -> None:
    present = {name: value for name, value in fields.items() if value is not None}
    log.log(level, event, extra={"fields": present})


def login(
    outcome: str,
    *,
    user_id: UUID | None = None,
    org_id: UUID | None = None,
    address: str | None = None,
    reason: str | None = None,
) -> None:
    """A password grant ended in ``success``, ``failure`` or ``throttled``."""
    event = {"success": "auth.login", "failure": "auth.login_failed"}.get(
        outcome, "auth.login_throttled"
    )
    level = logging.INFO if outcome == "success" else logging.WARNING
    _emit(event, level, userId=user_id, organizationId=org_id, address=address, reason=reason)
    metrics = _current.get()
    if metrics is not None:
        metrics.logins.labels(outcome=outcome).inc()


def throttled(action: str) -> None:
    """An attempt was refused because its throttle is in force (``login``, ``verify``, …)."""
    _emit("throttle.refused", logging.WARNING, action=action)
    metrics = _current.get()
    if metrics is not None:
        metrics.throttled.labels(action=action).inc()


def refresh_reuse(*, user_id: UUID, org_id: UUID, family_id: UUID) -> None:
    """A rotated refresh token came back after the grace period: its family was revoked."""
    _emit(
        "auth.refresh_reuse",
        logging.WARNING,
        userId=user_id,
        organizationId=org_id,
        familyId=family_id,
    )
    metrics = _current.get()
    if metrics is not None:
        metrics.refresh_reuse.inc()


def mfa(event: str, *, kind: str, user_id: UUID, org_id: UUID | None = None) -> None:
    """A second-factor event: ``enrolled``, ``confirmed``, ``renamed``, ``removed``,
    ``reset``, ``passed``, ``failed``, ``throttled``, ``recovery_code_used``,
    ``recovery_codes_regenerated``."""
    level = logging.WARNING if event in ("failed", "throttled", "reset") else logging.INFO
    _emit(f"mfa.{event}", level, kind=kind, userId=user_id, organizationId=org_id)
    metrics = _current.get()
    if metrics is not None:
        metrics.mfa.labels(event=event, kind=kind).inc()


def password_reset(*, user_id: UUID) -> None:
    """A password was set through a reset (or first-password) link."""
    _emit("auth.password_reset", userId=user_id)


def invitation_accepted(
    *, user_id: UUID, org_id: UUID, invitation_id: UUID, role: str, address: str | None
) -> None:
    _emit(
        "invitation.accept",
        userId=user_id,
        organizationId=org_id,
        invitationId=invitation_id,
        role=role,
        address=address,
    )


def member_changed(
    event: str, *, user_id: UUID, org_id: UUID, actor_id: UUID, address: str | None
) -> None:
    """``user.remove`` or ``user.deactivate``: a member lost access to an organization."""
    _emit(event, userId=user_id, organizationId=org_id, actorId=actor_id, address=address)
