"""Reading an authorization request (RFC 6749 4.1.1, RFC 7636, OpenID Connect Core 3.1.2).

Until the client and its redirect URI are known to be registered, a problem is shown to the
person as a page and never redirected (an attacker's URI must not receive anything). After
that, problems go back to the client at its redirect URI, with ``state``. The rules:

- ``client_id`` of an active client that signs people in (not ``machine_to_machine``);
- ``redirect_uri`` exactly as registered (a ``native`` client's loopback URI on any port,
  RFC 8252 7.3); it may be left out only when exactly one is registered;
- ``response_type=code``; PKCE with ``code_challenge_method=S256`` for every client (OAuth
  2.1: ``plain`` is refused); each parameter at most once;
- ``scope`` among :data:`SCOPES`; ``prompt`` among ``none``, ``login``, ``select_account``,
  ``consent``; ``max_age`` a whole number of seconds; ``organization_id``, if sent, the
  client's own organization (a client signs people in to its organization only).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import asyncpg

from service.app_clients import repo as clients
from service.app_clients.repo import Client
from service.db.tx import transaction
from service.ids import parse_uuid

SCOPES = ("openid", "profile", "email", "offline_access", "fhirUser")
PROMPTS = ("none", "login", "select_account", "consent")
LOOPBACK = ("127.0.0.1", "[::1]", "localhost")
_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")
FIELDS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "prompt",
    "max_age",
    "login_hint",
    "organization_id",
)
MAX_VALUE = 2000


class PageProblem(Exception):
    """Shown to the person; the client is not told."""


class RedirectProblem(Exception):
    """Sent back to the client at its redirect URI (RFC 6749 4.1.2.1)."""

    def __init__(self, error: str, description: str, request: Authorization) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.request = request


@dataclass(frozen=True, slots=True)
class Authorization:
    client: Client
    redirect_uri: str
    state: str | None
    scope: tuple[str, ...] = ()
    nonce: str | None = None
    code_challenge: str = ""
    prompt: str | None = None
    max_age: int | None = None
    login_hint: str = ""

    @property
    def scope_text(self) -> str:
        return " ".join(self.scope)

    def hidden(self) -> dict[str, str]:
        """What the sign-in form carries back unchanged."""
        values = {
            "response_type": "code",
            "client_id": self.client.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": self.scope_text,
            "code_challenge": self.code_challenge,
            "code_challenge_method": "S256",
        }
        for name, value in (
            ("state", self.state),
            ("nonce", self.nonce),
            ("max_age", None if self.max_age is None else str(self.max_age)),
        ):
            if value is not None:
                values[name] = value
        return values


def single(params: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Each parameter once (RFC 6749 3.1); a repeated one is a problem shown as a page, since
    even ``redirect_uri`` could be the repeated one."""
    values: dict[str, str] = {}
    for name in FIELDS:
        given = list(params.get(name, ()))
        if len(given) > 1:
            raise PageProblem(f"The request names {name} more than once.")
        if given:
            if len(given[0]) > MAX_VALUE or "\x00" in given[0]:
                raise PageProblem(f"The request's {name} is not valid.")
            values[name] = given[0]
    return values


async def read(pool: asyncpg.Pool, values: Mapping[str, str]) -> Authorization:
    client = await _client(pool, values.get("client_id", ""))
    redirect_uri = _redirect_uri(client, values.get("redirect_uri"))
    found = Authorization(client, redirect_uri, values.get("state"))
    if values.get("response_type") != "code":
        raise RedirectProblem("unsupported_response_type", "Only response_type=code.", found)
    challenge = values.get("code_challenge", "")
    if values.get("code_challenge_method") != "S256" or not _CHALLENGE.match(challenge):
        raise RedirectProblem(
            "invalid_request", "PKCE is required: code_challenge_method=S256.", found
        )
    scope = tuple(dict.fromkeys(values.get("scope", "").split()))
    unknown = [s for s in scope if s not in SCOPES]
    if unknown:
        raise RedirectProblem("invalid_scope", f"Unknown scope: {' '.join(unknown)}.", found)
    prompt = values.get("prompt")
    if prompt is not None and prompt not in PROMPTS:
        raise RedirectProblem("invalid_request", "prompt is not supported.", found)
    max_age = values.get("max_age")
    if max_age is not None and not (max_age.isdigit() and len(max_age) < 10):
        raise RedirectProblem("invalid_request", "max_age is a number of seconds.", found)
    org = values.get("organization_id")
    if org is not None and parse_uuid(org) != client.organization_id:
        raise RedirectProblem(
            "invalid_request", "This client signs in to its own organization.", found
        )
    return Authorization(
        client,
        redirect_uri,
        values.get("state"),
        scope,
        values.get("nonce"),
        challenge,
        prompt,
        int(max_age) if max_age is not None else None,
        values.get("login_hint", ""),
    )


async def _client(pool: asyncpg.Pool, client_id: str) -> Client:
    client = None
    if client_id and len(client_id) <= 64:
        async with transaction(pool, anonymous=True) as conn:
            client = await clients.by_client_id(conn, client_id)
    if client is None or client.status != "active" or client.type == "machine_to_machine":
        raise PageProblem("This application is not known here, or may not sign people in.")
    return client


def _redirect_uri(client: Client, given: str | None) -> str:
    registered = list(client.redirect_uris)
    if given is None:
        if len(registered) == 1:
            return registered[0]
        raise PageProblem("The application did not say where to return to.")
    if given in registered or (client.type == "native" and _loopback_match(given, registered)):
        return given
    raise PageProblem("The application asked to return to an address it did not register.")


def _loopback_match(given: str, registered: list[str]) -> bool:
    """RFC 8252 7.3: a native app's loopback redirect matches on any port."""
    try:
        asked = urlsplit(given)
        asked.port  # noqa: B018
    except ValueError:
        return False
    if asked.scheme != "http" or asked.netloc.rsplit(":", 1)[0] not in LOOPBACK:
        return False
    for uri in registered:
        known = urlsplit(uri)
        if (
            known.scheme == "http"
            and known.hostname == asked.hostname
            and known.path == asked.path
            and known.query == asked.query
            and not asked.fragment
            and asked.username is None
        ):
            return True
    return False
