"""What is counted and how many failures each endpoint that checks a secret tolerates.

A key names one thing being counted: ``<action>:account:<lowercased e-mail>`` or
``<action>:ip:<address>``. IPv6 clients are counted per /64 network, because one host usually
holds a whole /64 and could otherwise change address at every attempt.

Default limits, each a fixed window of 15 minutes that opens with the first failure:

==========================  =====================  ===============================================
endpoint                    counted per            failures before blocking (window)
==========================  =====================  ===============================================
login                       account (e-mail)       10 (900 s): slows guessing one account
login                       client address         50 (900 s): slows spraying many accounts
password reset confirm      client address         20 (900 s)
e-mail verification         client address         20 (900 s)
invitation accept           client address         20 (900 s)
refresh                     client address         100 (900 s): busiest, tokens expire en masse
==========================  =====================  ===============================================

The one-time tokens are 256 random bits, so their limits are there to cut noise and probing,
not because guessing could succeed. A clinic behind one NAT address shares the per-address
counts: raise ``login_address`` for such deployments rather than lowering the account limit.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass, field

LOGIN = "login"
RESET_CONFIRM = "reset-confirm"
VERIFY = "verify"
INVITATION_ACCEPT = "invitation-accept"
REFRESH = "refresh"

WINDOW_SECONDS = 15 * 60
_LONGEST_PART = 320  # longer parts (not valid e-mails anyway) are replaced by their digest


@dataclass(frozen=True, slots=True)
class Limit:
    """Block once ``failures`` failures fall inside one window of ``window_seconds``."""

    failures: int
    window_seconds: int = WINDOW_SECONDS

    def __post_init__(self) -> None:
        if self.failures < 1 or self.window_seconds < 1:
            raise ValueError("a limit needs at least one failure and one second")


@dataclass(frozen=True, slots=True)
class Rule:
    """One key and the limit that applies to it."""

    key: str
    limit: Limit


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    """The limits per endpoint; every one can be replaced at construction."""

    login_account: Limit = field(default_factory=lambda: Limit(10))
    login_address: Limit = field(default_factory=lambda: Limit(50))
    reset_confirm_address: Limit = field(default_factory=lambda: Limit(20))
    verify_address: Limit = field(default_factory=lambda: Limit(20))
    invitation_accept_address: Limit = field(default_factory=lambda: Limit(20))
    refresh_address: Limit = field(default_factory=lambda: Limit(100))

    def login(self, email: str, address: str) -> list[Rule]:
        return [
            Rule(account_key(LOGIN, email), self.login_account),
            Rule(address_key(LOGIN, address), self.login_address),
        ]

    def reset_confirm(self, address: str) -> list[Rule]:
        return [Rule(address_key(RESET_CONFIRM, address), self.reset_confirm_address)]

    def verify(self, address: str) -> list[Rule]:
        return [Rule(address_key(VERIFY, address), self.verify_address)]

    def invitation_accept(self, address: str) -> list[Rule]:
        return [Rule(address_key(INVITATION_ACCEPT, address), self.invitation_accept_address)]

    def refresh(self, address: str) -> list[Rule]:
        return [Rule(address_key(REFRESH, address), self.refresh_address)]


def account_key(action: str, email: str) -> str:
    """``<action>:account:<e-mail>``, the address trimmed and lowercased."""
    return f"{action}:account:{_bounded(email.strip().lower())}"


def address_key(action: str, address: str) -> str:
    """``<action>:ip:<address>``; an IPv6 address counts for its whole /64 network."""
    return f"{action}:ip:{_bounded(address_bucket(address))}"


def address_bucket(address: str) -> str:
    """The unit a client address is counted in: the IPv4 address or the IPv6 /64."""
    try:
        parsed = ipaddress.ip_address(address.strip())
    except ValueError:
        return address.strip() or "unknown"
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(parsed), 64), strict=False))
    return str(parsed)


def _bounded(part: str) -> str:
    if len(part) <= _LONGEST_PART:
        return part
    return "sha256:" + hashlib.sha256(part.encode("utf-8")).hexdigest()
