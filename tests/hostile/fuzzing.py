"""Schemathesis over the committed OpenAPI document, sent to the app over real HTTP.

Every built-in check runs on every response (server errors, status codes, content types,
response bodies and headers against the document, positive data accepted, negative data
rejected, ``Allow`` on OPTIONS, ignored auth, ...). Generation is derandomized with a fixed
seed, so a run in CI sends the same requests as a run on a laptop.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import hypothesis
import schemathesis
from schemathesis.config import SchemathesisConfig

DOCUMENT = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
SEED = 20_240_917
# Per operation and phase; with the coverage phase's boundary cases this gives well over a
# thousand requests for the two runs together.
MAX_EXAMPLES = 12
# argon2 is cheap in the test settings (256 KiB, one pass): a request taking seconds is a hang.
DEADLINE = timedelta(seconds=5)
REQUEST_TIMEOUT = 15.0

# Schema-valid requests these operations answer with 400 by design, because the rule is not
# one JSON Schema can state (or RFC 6749 fixes the status); the reason is kept with each.
RULES_BEYOND_THE_SCHEMA: dict[str, str] = {
    "POST /auth/register": "e-mail syntax, password policy (length, common passwords), names",
    "POST /auth/token": "RFC 6749 answers 400 to an unknown grant or a bad refresh token",
    "POST /auth/revoke": "RFC 7009: a request without a token is invalid_request; RFC 6749 "
    "3.2: a parameter sent twice, client authentication sent two ways or half of it",
    "POST /auth/introspect": "RFC 6749 3.2 as for revocation: a parameter sent twice, client "
    "authentication sent two ways or half of it (client_assertion without its type)",
    "GET /auth/verify-email": "a link token that is unknown, used or expired: invalid_token",
    "POST /auth/verify-email": "a link token that is unknown, used or expired: invalid_token",
    "GET /auth/reset-password": "a link token that is unknown, used or expired: invalid_token",
    "POST /auth/password-reset/confirm": "invalid_token; the password policy",
    "GET /auth/invitations/accept": "a link token that is unknown, used or expired: invalid_token",
    "POST /auth/invitations/accept": "invalid_token; the password policy; names",
    "POST /auth/invite": "the role code must name one of the organization's (role_not_found)",
    "POST /auth/users": "the role must be one of the organization's (role_not_found), the "
    "Practitioner one the FHIR server knows, the clientId one CLIENT_REDIRECTS configures",
    "PATCH /auth/users/{user_id}": "the role must be one of the organization's (role_not_found), "
    "the Practitioner one the FHIR server knows",
    "POST /auth/app-clients": "the role must be one of the organization's (role_not_found); "
    "settings that must fit together: the type and its token endpoint auth method, redirect "
    "URIs (https or loopback http), origins, keys",
    "PATCH /auth/app-clients/{client_id}": "as for POST /auth/app-clients",
    "GET /auth/authorize": "the client and its redirect URI must be registered (a page)",
    "POST /auth/authorize": "the client and its redirect URI must be registered (a page)",
    "GET /v1/public/organizations/resolve": "exactly one of slug and domain",
    "POST /auth/me/mfa-factors/{factor_id}/confirm": "exactly one of code and credential; a "
    "code must be the authenticator app's now, a credential must verify (invalid_code)",
    "POST /v1/organizations": "profile fields as PATCH /auth/organizations checks them (e-mail, "
    "URLs, language tags)",
    "PATCH /v1/organizations/{org_id}": "as for POST /v1/organizations",
    "POST /v1/organizations/{org_id}/members": "the role code must name one of the "
    "organization's roles (role_not_found)",
    "POST /v1/organizations/{org_id}/domains": "a hostname strictly below a public suffix, "
    "not this service's own; domain_type clinic or portal",
}
POSITIVE_EXPECTED = ["2XX", "3XX", "401", "403", "404", "409", "429"]


def config() -> SchemathesisConfig:
    operations: list[dict[str, Any]] = [
        {
            "include-name": name,
            "checks": {
                "positive_data_acceptance": {"expected-statuses": [*POSITIVE_EXPECTED, "400"]}
            },
        }
        for name in RULES_BEYOND_THE_SCHEMA
    ]
    return SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
            },
            "checks": {
                "positive_data_acceptance": {"expected-statuses": POSITIVE_EXPECTED},
            },
            "operations": operations,
        }
    )


def load() -> Any:
    return schemathesis.openapi.from_path(DOCUMENT, config=config())


SETTINGS = hypothesis.settings(
    deadline=DEADLINE,
    derandomize=True,
    database=None,
    # Fixtures are per operation on purpose (a fresh owner token when needed), not per case.
    suppress_health_check=[
        hypothesis.HealthCheck.too_slow,
        hypothesis.HealthCheck.function_scoped_fixture,
    ],
)


class Tally:
    """What one run sent: cases in all, and answers by operation and status."""

    def __init__(self) -> None:
        self.cases = 0
        self.statuses: Counter[int] = Counter()
        self.operations: Counter[str] = Counter()

    def add(self, label: str, status: int) -> None:
        self.cases += 1
        self.statuses[status] += 1
        self.operations[label] += 1


# Scenarios along the links inferred from the document: how many, and how long each.
STATEFUL_SETTINGS = hypothesis.settings(
    SETTINGS,
    max_examples=40,
    stateful_step_count=8,
)


def labels() -> list[str]:
    """Every operation of the document, as ``METHOD /path``."""
    document: dict[str, Any] = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    methods = ("get", "put", "post", "patch", "delete")
    return [
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method in item
        if method in methods
    ]


def only(operations: list[str]) -> dict[str, Any]:
    """The OpenAPI document with only ``operations`` (labels such as ``GET /auth/me``): a
    schema loaded with a config does not honour ``include`` filters."""
    document: dict[str, Any] = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    wanted = {tuple(label.split(" ", 1)) for label in operations}
    paths = {}
    for path, item in document["paths"].items():
        kept = {m: op for m, op in item.items() if (m.upper(), path) in wanted}
        if kept:
            paths[path] = {**{k: v for k, v in item.items() if k == "parameters"}, **kept}
    return {**document, "paths": paths}


def acceptance_config(operations: list[str], max_examples: int) -> SchemathesisConfig:
    """Schema-valid requests only, for the operations named, with the positive-data check:
    each must be taken (2xx) or refused for the state alone (401, 403, 404, 409, 429), or 400
    where :data:`RULES_BEYOND_THE_SCHEMA` says why."""
    return SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "generation": {
                "max-examples": max_examples,
                "deterministic": True,
                "database": "none",
                "mode": "positive",
            },
            "checks": {
                "positive_data_acceptance": {"expected-statuses": POSITIVE_EXPECTED},
            },
            "operations": [
                {
                    "include-name": name,
                    "checks": {
                        "positive_data_acceptance": {
                            "expected-statuses": [
                                *POSITIVE_EXPECTED,
                                *(["400"] if name in RULES_BEYOND_THE_SCHEMA else []),
                            ]
                        }
                    },
                }
                for name in operations
            ],
        }
    )
