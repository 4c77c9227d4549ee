"""Signing keys in PostgreSQL: creating, rotating and revoking them.

:func:`rotate_keys` adds a key, published at once, that signs two JWKS cache lifetimes later
(so that verifiers holding a cached key set know it before they meet a token it signed); the
key it replaces signs until then. Replaced keys normally stay published (and accepted) until
every token they signed has expired,
but with ``revoke_previous`` (a key that leaked) they leave the key set at once, and every
token they signed is refused from then on. Either way the change is announced on
:data:`CHANNEL`, so every running instance reloads its ring within moments.

Private keys are stored as PKCS#8 PEM, or sealed with AES-256-GCM under
``SIGNING_KEY_ENCRYPTION_KEY`` (the key id as associated data) when that is set.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from collections.abc import Callable

import asyncpg
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from joserfc.jwk import ECKey, OKPKey, RSAKey

from service.config import Settings
from service.db.queries import load as load_queries

log = logging.getLogger("service.security.keys")
q = load_queries(__file__, "signing_keys.sql")

Key = RSAKey | ECKey | OKPKey

# RS256: verification, which every trusting service pays on every request, is the fastest of
# the candidates (bench/jwt_algorithms.py), and RFC 9068 makes it mandatory to support.
DEFAULT_ALGORITHM = "RS256"
ALGORITHMS: dict[str, type[Key]] = {"RS256": RSAKey, "ES256": ECKey, "Ed25519": OKPKey}
_GENERATORS: dict[str, Callable[[], Key]] = {
    "RS256": lambda: RSAKey.generate_key(2048),
    "ES256": lambda: ECKey.generate_key("P-256"),
    "Ed25519": lambda: OKPKey.generate_key("Ed25519"),
}
LOCK_KEY = 0x61757468_6B657973  # "authkeys": creating or rotating keys, one at a time
# A retired key stays published for the token lifetime plus this margin, which covers
# instances that sign with it until their next reload, and clocks that disagree a little.
RETIRE_MARGIN = 60
# Verifiers may cache the JWKS this long (its Cache-Control max-age); a rotated-in key is
# published at once and signs only PUBLISH_AHEAD later, so warm caches know it first.
JWKS_MAX_AGE = 60
PUBLISH_AHEAD = 2 * JWKS_MAX_AGE
CHANNEL = "signing_keys"  # NOTIFY channel: the key ring changed, reload it
NONCE = 12


class KeyRingError(RuntimeError):
    """The stored keys cannot be used with this configuration; start-up stops."""


async def rotate_keys(
    pool: asyncpg.Pool,
    settings: Settings,
    *,
    algorithm: str = DEFAULT_ALGORITHM,
    revoke_previous: bool = False,
    at_once: bool = False,
) -> str:
    """Add a key, published now, that signs from :data:`PUBLISH_AHEAD` seconds on, while
    the previous one signs until then; with ``at_once`` (an emergency) it signs now. With
    ``revoke_previous`` (a leak) it signs now and the previous keys stop verifying at once.
    Returns the new kid."""
    ahead = 0 if at_once or revoke_previous else PUBLISH_AHEAD
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(q.lock_key_ring, LOCK_KEY)
        if revoke_previous:
            revoked = [row["kid"] for row in await conn.fetch(q.revoke_published_keys)]
        else:
            revoked = []
            published = float(settings.access_token_ttl + RETIRE_MARGIN)
            await conn.execute(q.retire_signing_keys, published, float(ahead))
        kid = await insert_new_key(conn, settings, algorithm, signs_in=ahead)
        await conn.execute(q.announce, CHANNEL, kid)  # delivered when this commits
    fields = {"kid": kid, "algorithm": algorithm, "signsInSeconds": ahead}
    log.info("signing_keys.rotated", extra={"fields": fields})
    if revoke_previous:
        log.warning("signing_keys.revoked", extra={"fields": {"kids": revoked, "by": kid}})
    return kid


async def rotate_keys_command(
    settings: Settings, *, revoke_previous: bool = False, at_once: bool = False
) -> str:
    """``python -m service rotate-keys``: rotate through the app's database; the new kid."""
    if settings.database_url is None:
        raise KeyRingError("DATABASE_URL is not resolved")
    pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=1)
    try:
        return await rotate_keys(pool, settings, revoke_previous=revoke_previous, at_once=at_once)
    finally:
        await pool.close()


def encryption_key(settings: Settings) -> bytes | None:
    """The 32 bytes of ``SIGNING_KEY_ENCRYPTION_KEY`` (base64 or base64url), if set."""
    raw = settings.signing_key_encryption_key
    if raw is None:
        return None
    key = base64.urlsafe_b64decode(raw.replace("+", "-").replace("/", "_") + "==")
    if len(key) != 32:
        raise KeyRingError("SIGNING_KEY_ENCRYPTION_KEY must decode to 32 bytes")
    return key


def generate_key(algorithm: str) -> Key:
    if algorithm not in ALGORITHMS:
        raise KeyRingError(f"unsupported signing algorithm {algorithm!r}")
    return _GENERATORS[algorithm]()


async def insert_new_key(
    conn: asyncpg.Connection, settings: Settings, algorithm: str, *, signs_in: float = 0
) -> str:
    key = generate_key(algorithm)
    kid = key.thumbprint()
    jwk = {**key.as_dict(private=False), "kid": kid, "alg": algorithm, "use": "sig"}
    pem = key.private_key.private_bytes(  # type: ignore[union-attr]
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    secret = encryption_key(settings)
    if secret is not None:
        nonce = os.urandom(NONCE)
        pem = nonce + AESGCM(secret).encrypt(nonce, pem, kid.encode())
    await conn.execute(
        q.insert_key, kid, algorithm, json.dumps(jwk), pem, secret is not None, float(signs_in)
    )
    return kid
