"""Attempt throttling shared by every instance through PostgreSQL."""

from service.throttle.counters import Throttle, ThrottleDecision
from service.throttle.policy import (
    LOGIN,
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
    "LOGIN",
    "Limit",
    "Rule",
    "Throttle",
    "ThrottleDecision",
    "ThrottlePolicy",
    "account_client_key",
    "account_key",
    "address_bucket",
    "address_key",
    "known_client_key",
    "recipient_rule",
]
