"""Wire types of password reset."""

from __future__ import annotations

from service.wire import Email, NonEmpty, Password, RequestShape


class ResetRequest(RequestShape):
    email: Email


class ResetConfirm(RequestShape):
    token: NonEmpty
    password: Password
