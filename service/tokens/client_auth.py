"""Who is asking at the token endpoint: app client authentication (RFC 6749 2.3, RFC 7523).

A request names at most one way: HTTP Basic (``client_secret_basic``), ``client_id`` and
``client_secret`` in the form (``client_secret_post``), a signed assertion
(``private_key_jwt``), or ``client_id`` alone (``none``, a public client). The way must be the
one the client registered, the client must be active, and the proof must hold; anything else
is ``invalid_client`` (401), the same answer whatever failed, with a ``Basic`` challenge when
the request tried Basic (RFC 6749 5.2).

A request that names no client at all is the service's own first-party client (the password
and refresh grants of the seed); :func:`authenticate` returns None for it.
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

import asyncpg
import msgspec

from service.app_clients import repo as clients
from service.app_clients.repo import Client
from service.db.tx import alone
from service.security import client_assertion
from service.security.client_secrets import SecretHasher
from service.security.jwt import DEFAULT_CLIENT_ID
from service.security.remote_jwks import RemoteKeySets
from service.tokens.errors import OAuthError

FAILED = "Client authentication failed."
_FORM_FIELDS = ("client_id", "client_secret", "client_assertion", "client_assertion_type")


Found = tuple[Client, list[bytes]]
Lookup = Callable[[asyncpg.Connection, str, bytes], Awaitable[Found | None]]
"""Reads the client named ``client_id`` and its live secret hashes, given the keyed hash of
the secret presented (which it may use to decide what else to read, never to authenticate)."""


async def secrets_only(conn: asyncpg.Connection, client_id: str, presented: bytes) -> Found | None:
    return await clients.with_secrets(conn, client_id)


def _refused(basic: bool) -> OAuthError:
    headers = {"WWW-Authenticate": 'Basic realm="token", charset="UTF-8"'} if basic else None
    return OAuthError("invalid_client", FAILED, 401, headers)


def _basic(header: str) -> tuple[str, str] | None:
    """``client_id`` and secret of an ``Authorization: Basic`` header (each form-urlencoded,
    RFC 6749 2.3.1); None when the header is not Basic."""
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise _refused(True) from None
    name, colon, secret = decoded.partition(":")
    if not colon or not name:
        raise _refused(True)
    return unquote(name.replace("+", " ")), unquote(secret.replace("+", " "))


async def authenticate(
    pool: asyncpg.Pool,
    secrets: SecretHasher,
    *,
    authorization: str,
    form: dict[str, str],
    audiences: frozenset[str],
    remote: RemoteKeySets | None = None,
    lookup: Lookup | None = None,
) -> Client | None:
    """The authenticated app client, None for a request that names none, or ``invalid_client``.
    ``lookup`` reads a client and its secret hashes for a secret's check (default
    :func:`secrets_only`); an endpoint passes one that reads what it needs next in the same
    statement."""
    lookup = lookup or secrets_only
    basic = _basic(authorization) if authorization.strip() else None
    given = {name: form[name] for name in _FORM_FIELDS if form.get(name)}
    if basic is not None:
        if "client_secret" in given or "client_assertion" in given:
            raise OAuthError("invalid_request", "Use one way of client authentication.")
        if given.get("client_id", basic[0]) != basic[0]:
            raise _refused(True)
        return await _with_secret(pool, secrets, basic[0], basic[1], "client_secret_basic", lookup)
    if "client_assertion" in given:
        if "client_secret" in given:
            raise OAuthError("invalid_request", "Use one way of client authentication.")
        return await _with_assertion(pool, given, audiences, remote)
    if given.get("client_id", DEFAULT_CLIENT_ID) == DEFAULT_CLIENT_ID:
        if "client_secret" in given:
            raise _refused(False)
        return None  # the first-party client, named or not
    if "client_secret" in given:
        return await _with_secret(
            pool, secrets, given["client_id"], given["client_secret"], "client_secret_post", lookup
        )
    client = await _find(pool, given["client_id"])
    if client is None or client.token_endpoint_auth_method != "none":  # noqa: S105
        raise _refused(False)
    return client


async def _keys(
    client: Client, assertion: str, remote: RemoteKeySets | None
) -> dict[str, Any] | None:
    """The client's registered key set, or the one it publishes at its ``jwksUri``."""
    if client.jwks:
        keys: dict[str, Any] = msgspec.json.decode(client.jwks)
        return keys
    if client.jwks_uri and remote is not None:
        return await remote.get(client.jwks_uri, client_assertion.header_kid(assertion))
    return None


async def _find(pool: asyncpg.Pool, client_id: str) -> Client | None:
    if len(client_id) > 64:
        return None
    async with alone(pool) as conn:
        found = await clients.with_secrets(conn, client_id)
    client = found[0] if found else None
    return client if client is not None and client.status == "active" else None


async def _with_secret(
    pool: asyncpg.Pool,
    secrets: SecretHasher,
    client_id: str,
    secret: str,
    method: str,
    lookup: Lookup,
) -> Client:
    basic = method == "client_secret_basic"
    if len(client_id) > 64 or len(secret) > 200:
        raise _refused(basic)
    presented = secrets.digest(secret)
    async with alone(pool) as conn:
        found = await lookup(conn, client_id, presented)
    client, stored = found if found else (None, [])
    # Every stored secret is compared, in constant time, so the answer takes as long
    # whichever one (if any) matched.
    matched = [secrets.same(presented, digest) for digest in stored]
    if (
        client is None
        or client.status != "active"
        or client.token_endpoint_auth_method != method
        or not any(matched)
    ):
        raise _refused(basic)
    return client


async def _with_assertion(
    pool: asyncpg.Pool,
    given: dict[str, str],
    audiences: frozenset[str],
    remote: RemoteKeySets | None,
) -> Client:
    if given.get("client_assertion_type") != client_assertion.ASSERTION_TYPE:
        raise OAuthError("invalid_request", "client_assertion_type is not jwt-bearer.")
    assertion = given["client_assertion"]
    claimed = client_assertion.claimed_client(assertion)
    if claimed is None or given.get("client_id", claimed) != claimed:
        raise _refused(False)
    client = await _find(pool, claimed)
    method = client.token_endpoint_auth_method if client else None
    if client is None or method != "private_key_jwt":
        raise _refused(False)
    jwks = await _keys(client, assertion, remote)
    if jwks is None:
        raise _refused(False)
    try:
        verified = client_assertion.verify_assertion(
            assertion, client_id=claimed, jwks=jwks, audiences=audiences, now=time.time()
        )
    except client_assertion.AssertionRefused:
        raise _refused(False) from None
    expires = datetime.fromtimestamp(verified.expires_at, UTC)
    async with alone(pool) as conn:
        first = await clients.remember_assertion(conn, claimed, verified.jti, expires)
    if not first:  # the same assertion again: a replay
        raise _refused(False)
    return client
