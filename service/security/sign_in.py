"""How a person signed in: the methods (RFC 8176 ``amr`` values) and when they last
authenticated. Access and ID tokens carry it; refresh families and browser sessions keep it.

``pwd`` is the password; ``otp`` an authenticator app's code or a recovery code; ``hwk`` and
``swk`` a passkey (a key bound to hardware, or synced in software); ``user`` the presence or
verification a passkey asked of its person. Once a second factor is given, ``mfa`` is added,
and ``acr`` is :data:`ACR_MFA`: a resource server that needs a second factor checks either."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

ACR_PASSWORD = "urn:health-auth:acr:pwd"  # noqa: S105  (a name, not a secret)
ACR_MFA = "urn:health-auth:acr:mfa"
ACR_VALUES = (ACR_PASSWORD, ACR_MFA)
SECOND_FACTORS = frozenset({"otp", "hwk", "swk"})
PASSWORD = ("pwd",)


def with_factor(amr: tuple[str, ...] | list[str], method: str) -> tuple[str, ...]:
    """``amr`` after a second factor by ``method``: the method and ``mfa`` added once."""
    methods = [m for m in amr if m != "mfa"]
    if method not in methods:
        methods.append(method)
    return (*methods, "mfa")


def has_second_factor(amr: tuple[str, ...] | list[str] | frozenset[str]) -> bool:
    return "mfa" in amr or bool(SECOND_FACTORS.intersection(amr))


@dataclass(frozen=True, slots=True)
class SignIn:
    amr: tuple[str, ...]
    auth_time: datetime

    @classmethod
    def password_now(cls) -> SignIn:
        return cls(PASSWORD, datetime.now(UTC))

    @property
    def acr(self) -> str:
        return ACR_MFA if has_second_factor(self.amr) else ACR_PASSWORD

    def claims(self) -> dict[str, Any]:
        return {
            "amr": list(self.amr),
            "acr": self.acr,
            "auth_time": int(self.auth_time.timestamp()),
        }
