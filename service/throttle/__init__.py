"""Attempt throttling shared by every instance through PostgreSQL."""

from service.throttle.counters import Counter, Throttle, ThrottleDecision, keys
from service.throttle.policy import (
    INVITATION_ACCEPT,
    LOGIN,
    REFRESH,
    RESET_CONFIRM,
    VERIFY,
    Limit,
    Rule,
    ThrottlePolicy,
    account_client_key,
    account_key,
    address_bucket,
    address_key,
    known_client_key,
    recipient_rule,
)

__all__ = [
    "INVITATION_ACCEPT",
    "LOGIN",
    "REFRESH",
    "RESET_CONFIRM",
    "VERIFY",
    "Counter",
    "Limit",
    "Rule",
    "Throttle",
    "ThrottleDecision",
    "ThrottlePolicy",
    "account_client_key",
    "account_key",
    "address_bucket",
    "address_key",
    "keys",
    "known_client_key",
    "recipient_rule",
]
