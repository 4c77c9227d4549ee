"""Wire types of password reset."""

from __future__ import annotations

from service.wire import RequestShape


class ResetRequest(RequestShape):
    email: str


class ResetConfirm(RequestShape):
    token: str
    password: str
