"""The key ring that signs access tokens, kept in PostgreSQL so every instance shares it.

The first start creates a key under an advisory lock, so instances starting together agree on
one. :func:`rotate_keys` adds a key that signs from then on; the keys it replaces stop signing
at once but stay published (and accepted) until every token they signed has expired. Each
instance reloads the ring periodically, and at once (rate-limited) when a token names a key it
does not know, so a rotation made elsewhere reaches it within seconds.

Private keys are stored as PKCS#8 PEM, or sealed with AES-256-GCM under
``SIGNING_KEY_ENCRYPTION_KEY`` (the key id as associated data) when that is set.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
from cryptography.exceptions import InvalidTag
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
REFRESH_INTERVAL = 10.0
UNKNOWN_KID_RELOAD_INTERVAL = 1.0
_NONCE = 12


class KeyRingError(RuntimeError):
    """The stored keys cannot be used with this configuration; start-up stops."""


@dataclass(frozen=True, slots=True)
class SigningKey:
    kid: str
    algorithm: str
    key: Key


@dataclass(frozen=True, slots=True)
class VerificationKey:
    kid: str
    algorithm: str
    key: Key
    jwk: dict[str, Any]
    published_until: float | None  # Unix seconds; None while the key signs

    def published(self, now: float) -> bool:
        return self.published_until is None or self.published_until > now


class KeyRing:
    """The signing key and every key still valid for verification, cached by ``kid``."""

    def __init__(self, pool: asyncpg.Pool, settings: Settings) -> None:
        self._pool = pool
        self._secret = encryption_key(settings)
        self._verifiers: dict[str, VerificationKey] = {}
        self._signers: dict[str, SigningKey] = {}
        self._signing: SigningKey | None = None
        self._loaded_at = float("-inf")
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    @classmethod
    async def load(cls, pool: asyncpg.Pool, settings: Settings) -> KeyRing:
        """Load the ring, creating the first key if the database has none."""
        if settings.is_production and settings.signing_key_encryption_key is None:
            log.warning(
                "signing_keys.unencrypted",
                extra={"fields": {"hint": "set SIGNING_KEY_ENCRYPTION_KEY"}},
            )
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute(q.lock_key_ring, LOCK_KEY)
            if await conn.fetchval(q.any_signing_key) is None:
                kid = await _insert_new_key(conn, settings, DEFAULT_ALGORITHM)
                log.info("signing_keys.created", extra={"fields": {"kid": kid}})
        ring = cls(pool, settings)
        await ring.refresh()
        return ring

    @property
    def signing_key(self) -> SigningKey:
        if self._signing is None:
            raise KeyRingError("the key ring has no signing key; load it first")
        return self._signing

    def verification_key(self, kid: str, now: float | None = None) -> VerificationKey | None:
        key = self._verifiers.get(kid)
        if key is None or not key.published(time.time() if now is None else now):
            return None
        return key

    def public_jwks(self, now: float | None = None) -> dict[str, Any]:
        """The JWK Set: public halves of every key that tokens may still be signed with."""
        moment = time.time() if now is None else now
        return {"keys": [k.jwk for k in self._verifiers.values() if k.published(moment)]}

    async def refresh(self) -> None:
        """Reload the ring from the database (keys rotated by another process appear)."""
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(q.published_keys)
        verifiers: dict[str, VerificationKey] = {}
        signers: dict[str, SigningKey] = {}
        for row in rows:
            kid = row["kid"]
            known = self._verifiers.get(kid)
            verifiers[kid] = VerificationKey(
                kid,
                row["algorithm"],
                known.key if known else _public_key(row["algorithm"], row["public_jwk"]),
                known.jwk if known else json.loads(row["public_jwk"]),
                row["published_until"],
            )
            if row["private_key"] is not None:
                signers[kid] = self._signers.get(kid) or self._open(row)
        if not signers:
            raise KeyRingError("no signing key is stored; run the service once to create one")
        self._verifiers, self._signers = verifiers, signers
        self._signing = next(iter(signers.values()))  # rows come newest first
        self._loaded_at = time.monotonic()

    async def find(self, kid: str, now: float | None = None) -> VerificationKey | None:
        """The key named ``kid``; an unknown one triggers a reload at most once a second."""
        key = self.verification_key(kid, now)
        if key is not None:
            return key
        async with self._lock:
            if time.monotonic() - self._loaded_at >= UNKNOWN_KID_RELOAD_INTERVAL:
                await self._refresh_quietly()
            return self.verification_key(kid, now)

    def start(self, interval: float = REFRESH_INTERVAL) -> None:
        """Reload every ``interval`` seconds in the background until :meth:`stop`."""
        if self._task is None:
            self._task = asyncio.create_task(self._every(interval), name="keyring-refresh")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _every(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            async with self._lock:
                await self._refresh_quietly()

    async def _refresh_quietly(self) -> None:
        try:
            async with asyncio.timeout(3):
                await self.refresh()
        except Exception as exc:  # keep serving with the keys already loaded
            self._loaded_at = time.monotonic()  # and do not hammer a failing database
            log.warning("signing_keys.reload_failed", extra={"fields": {"error": repr(exc)}})

    def _open(self, row: asyncpg.Record) -> SigningKey:
        kid, algorithm, blob = row["kid"], row["algorithm"], bytes(row["private_key"])
        if row["encrypted"]:
            if self._secret is None:
                raise KeyRingError(
                    f"signing key {kid} is encrypted but SIGNING_KEY_ENCRYPTION_KEY is not set"
                )
            try:
                blob = AESGCM(self._secret).decrypt(blob[:_NONCE], blob[_NONCE:], kid.encode())
            except InvalidTag:
                raise KeyRingError(
                    f"SIGNING_KEY_ENCRYPTION_KEY does not decrypt signing key {kid}: it is not"
                    " the key the signing keys were stored with"
                ) from None
        elif self._secret is not None:
            log.warning("signing_keys.stored_unencrypted", extra={"fields": {"kid": kid}})
        key = ALGORITHMS[algorithm].import_key(blob, parameters={"kid": kid, "alg": algorithm})
        return SigningKey(kid, algorithm, key)


async def rotate_keys(
    pool: asyncpg.Pool, settings: Settings, *, algorithm: str = DEFAULT_ALGORITHM
) -> str:
    """Add a key that signs from now on; the previous ones stop signing. Returns its kid."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(q.lock_key_ring, LOCK_KEY)
        await conn.execute(q.retire_signing_keys, float(settings.access_token_ttl + RETIRE_MARGIN))
        kid = await _insert_new_key(conn, settings, algorithm)
    log.info("signing_keys.rotated", extra={"fields": {"kid": kid, "algorithm": algorithm}})
    return kid


async def rotate_keys_command(settings: Settings) -> str:
    """``python -m service rotate-keys``: rotate through the app's database and print the kid."""
    if settings.database_url is None:
        raise KeyRingError("DATABASE_URL is not resolved")
    pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=1)
    try:
        return await rotate_keys(pool, settings)
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


async def _insert_new_key(conn: asyncpg.Connection, settings: Settings, algorithm: str) -> str:
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
        nonce = os.urandom(_NONCE)
        pem = nonce + AESGCM(secret).encrypt(nonce, pem, kid.encode())
    await conn.execute(q.insert_key, kid, algorithm, json.dumps(jwk), pem, secret is not None)
    return kid


def _public_key(algorithm: str, jwk_text: str) -> Key:
    return ALGORITHMS[algorithm].import_key(json.loads(jwk_text))
