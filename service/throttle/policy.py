"""What is counted, and how many attempts each endpoint allows.

A key names one thing being counted: ``<action>:account:<lowercased e-mail>``,
``<action>:ip:<address>``, ``login:account-ip:<address>:<e-mail>`` (one account from one
client), ``mail:to:<address>`` (one recipient) or ``<action>:org:<id>``. IPv6 clients are
counted per /64 network, because one host usually holds a whole /64 and could otherwise change
address at every attempt.

Every limit is a fixed window that opens with the first attempt. Endpoints that check a secret
reserve an attempt before they check it and give it back on success, so they count failures
(and attempts in flight); endpoints that send mail count every request they act on.

===============================  ======================  =====================================
endpoint                         counted per             attempts allowed (window)
===============================  ======================  =====================================
login                            account and client      10 failures (15 min): the hard limit
login                            account                 100 failures (15 min): the ceiling
login                            client address          100 failures (15 min): slows spraying
password reset confirm           client address          20 failures (15 min)
e-mail verification              client address          20 failures (15 min)
invitation accept                client address          20 failures (15 min)
refresh                          client address          100 failures (15 min)
second factor (code, recovery)   account and client      5 failures (15 min): the hard limit
second factor (code, recovery)   account                 20 failures (15 min), 20 (24 h); neither
                                                         applies to a client that gave this
                                                         account's second factor before
register                         client address          30 requests (1 h), then 429 [*]
verification resend              client address          30 requests (1 h), then 429 [*]
password reset request           client address          30 requests (1 h), then 429 [*]
member creation                  organization            100 requests (1 h), then 429
invitation and resend            organization            100 requests (1 h), then 429
any mail a stranger can trigger  recipient               ``MAIL_PER_RECIPIENT_PER_HOUR`` (5);
                                                         further mail is silently not queued
===============================  ======================  =====================================

[*] ``MAIL_REQUESTS_PER_ADDRESS_PER_HOUR`` sets all three (a bigger NAT, a load test).

Why these figures. A person guessing one account from one client gets 10 tries a quarter hour;
their successes reset that count. The account-wide ceiling is ten times higher, so only many
clients together reach it, and neither it nor the per-address limit applies to a client that
signed in to that account successfully in the last 30 days (``KNOWN_CLIENT_SECONDS``): an
attacker hammering an account, from one address or many, never locks its owner out of their
own client, and failures elsewhere behind a clinic's NAT address never lock out the staff who
sign in there every day. Successful sign-ins give their reservation back, so a morning wave of
logins from one address is never refused. Thirty registrations an hour from one address covers
a clinic enrolling its staff behind one NAT; an organization's administrators can create or
invite a hundred people an hour. Five mails an hour to one address is more than a person asks
for, and the cap lasts at most an hour when someone else exhausts it. The one-time tokens are
256 random bits, so their limits cut noise and probing; guessing could not succeed anyway.
A second factor is guessed only by someone who has the password: five wrong codes a quarter
hour from one client, and twenty a day per account from everywhere together, leave about one
chance in 16,000 a day against six digits (three codes valid at a time); each attempt is
reserved before the code is checked, so parallel guesses count too. As for logins, the
account-wide limits spare a client that gave this account's second factor in the last 30
days, so an attacker elsewhere who holds the password cannot lock the owner out of their own
client; a client the owner never used before waits out the day, or the quarter hour.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass, field
from uuid import UUID

LOGIN = "login"
RESET_CONFIRM = "reset-confirm"
VERIFY = "verify"
INVITATION_ACCEPT = "invitation-accept"
REFRESH = "refresh"
REGISTER = "register"
RESEND = "verify-resend"
RESET_REQUEST = "reset-request"
MEMBERS = "members"
INVITE = "invite"
MFA = "mfa"

WINDOW_SECONDS = 15 * 60
HOUR = 3600
KNOWN_CLIENT_SECONDS = 30 * 24 * HOUR
_LONGEST_PART = 320  # longer parts (not valid e-mails anyway) are replaced by their digest


@dataclass(frozen=True, slots=True)
class Limit:
    """Refuse once ``failures`` attempts fall inside one window of ``window_seconds``."""

    failures: int
    window_seconds: int = WINDOW_SECONDS

    def __post_init__(self) -> None:
        if self.failures < 1 or self.window_seconds < 1:
            raise ValueError("a limit needs at least one failure and one second")


@dataclass(frozen=True, slots=True)
class Rule:
    """One key and the limit that applies to it; a ``waivable`` rule does not apply to a client
    that signed in to the account before."""

    key: str
    limit: Limit
    waivable: bool = False


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    """The limits per endpoint; every one can be replaced at construction."""

    login_account_client: Limit = field(default_factory=lambda: Limit(10))
    login_account: Limit = field(default_factory=lambda: Limit(100))
    login_address: Limit = field(default_factory=lambda: Limit(100))
    reset_confirm_address: Limit = field(default_factory=lambda: Limit(20))
    verify_address: Limit = field(default_factory=lambda: Limit(20))
    invitation_accept_address: Limit = field(default_factory=lambda: Limit(20))
    refresh_address: Limit = field(default_factory=lambda: Limit(100))
    mfa_account_client: Limit = field(default_factory=lambda: Limit(5))
    mfa_account: Limit = field(default_factory=lambda: Limit(20))
    mfa_account_daily: Limit = field(default_factory=lambda: Limit(20, 24 * HOUR))
    register_address: Limit = field(default_factory=lambda: Limit(30, HOUR))
    resend_address: Limit = field(default_factory=lambda: Limit(30, HOUR))
    reset_request_address: Limit = field(default_factory=lambda: Limit(30, HOUR))
    members_organization: Limit = field(default_factory=lambda: Limit(100, HOUR))
    invite_organization: Limit = field(default_factory=lambda: Limit(100, HOUR))

    @classmethod
    def with_requests_per_hour(cls, per_hour: int) -> ThrottlePolicy:
        """The defaults, with ``per_hour`` registrations, resends and reset requests an hour
        from one address (``MAIL_REQUESTS_PER_ADDRESS_PER_HOUR``)."""
        limit = Limit(per_hour, HOUR)
        return cls(register_address=limit, resend_address=limit, reset_request_address=limit)

    def login(self, email: str, address: str) -> list[Rule]:
        """The hard limit first; the ceiling and the address limit spare a known client."""
        return [
            Rule(account_client_key(email, address), self.login_account_client),
            Rule(account_key(LOGIN, email), self.login_account, waivable=True),
            Rule(address_key(LOGIN, address), self.login_address, waivable=True),
        ]

    def reset_confirm(self, address: str) -> list[Rule]:
        return [Rule(address_key(RESET_CONFIRM, address), self.reset_confirm_address)]

    def verify(self, address: str) -> list[Rule]:
        return [Rule(address_key(VERIFY, address), self.verify_address)]

    def invitation_accept(self, address: str) -> list[Rule]:
        return [Rule(address_key(INVITATION_ACCEPT, address), self.invitation_accept_address)]

    def refresh(self, address: str) -> list[Rule]:
        return [Rule(address_key(REFRESH, address), self.refresh_address)]

    def second_factor(self, user_id: UUID, address: str) -> list[Rule]:
        """The hard limit per account and client first; the account-wide ones (whoever
        reaches this step knows the password, from wherever) spare a known client."""
        client = f"{address_bucket(address)}:{user_id}"
        return [
            Rule(f"{MFA}:account-ip:{_bounded(client)}", self.mfa_account_client),
            Rule(f"{MFA}:account:{user_id}", self.mfa_account, waivable=True),
            Rule(f"{MFA}:account-day:{user_id}", self.mfa_account_daily, waivable=True),
        ]

    def register(self, address: str) -> list[Rule]:
        return [Rule(address_key(REGISTER, address), self.register_address)]

    def resend(self, address: str) -> list[Rule]:
        return [Rule(address_key(RESEND, address), self.resend_address)]

    def reset_request(self, address: str) -> list[Rule]:
        return [Rule(address_key(RESET_REQUEST, address), self.reset_request_address)]

    def members(self, org_id: UUID) -> list[Rule]:
        return [Rule(f"{MEMBERS}:org:{org_id}", self.members_organization)]

    def invite(self, org_id: UUID) -> list[Rule]:
        return [Rule(f"{INVITE}:org:{org_id}", self.invite_organization)]


def recipient_rule(address: str, per_hour: int) -> Rule:
    """``mail:to:<address>``: mail queued for one recipient in an hour."""
    return Rule(f"mail:to:{_bounded(address.strip().lower())}", Limit(per_hour, HOUR))


def account_key(action: str, email: str) -> str:
    """``<action>:account:<e-mail>``, the address trimmed and lowercased."""
    return f"{action}:account:{_bounded(email.strip().lower())}"


def account_client_key(email: str, address: str) -> str:
    """``login:account-ip:<client>:<e-mail>``: one account tried from one client."""
    part = f"{address_bucket(address)}:{email.strip().lower()}"
    return f"{LOGIN}:account-ip:{_bounded(part)}"


def known_client_key(email: str, address: str) -> str:
    """Marks a client that signed in to the account: ``login:known:<client>:<e-mail>``."""
    part = f"{address_bucket(address)}:{email.strip().lower()}"
    return f"{LOGIN}:known:{_bounded(part)}"


def second_factor_known_key(user_id: UUID, address: str) -> str:
    """Marks a client that gave the account's second factor: ``mfa:known:<client>:<user>``."""
    return f"{MFA}:known:{_bounded(f'{address_bucket(address)}:{user_id}')}"


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
