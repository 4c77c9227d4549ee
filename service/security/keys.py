"""The key ring that signs access tokens, kept in PostgreSQL so every instance shares it.

The first start creates a key under an advisory lock, so instances starting together agree on
one. Each instance reloads the ring when a rotation is announced (it keeps one connection
listening), periodically in case it missed one, and at once (rate-limited) when a token names
a key it does not know. Rotation and storage live in :mod:`service.security.key_store`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import asyncpg
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from service.config import Settings
from service.db.queries import load as load_queries
from service.security.key_store import (
    ALGORITHMS,
    CHANNEL,
    DEFAULT_ALGORITHM,
    LOCK_KEY,
    NONCE,
    Key,
    KeyRingError,
    encryption_key,
    insert_new_key,
)

log = logging.getLogger("service.security.keys")
q = load_queries(__file__, "signing_keys.sql")

REFRESH_INTERVAL = 10.0
UNKNOWN_KID_RELOAD_INTERVAL = 1.0
LISTEN_TIMEOUT = 3.0
VERIFIED_TOKENS = 4096  # tokens remembered as verified, per process (about 4 MiB at most)


@dataclass(frozen=True, slots=True)
class SigningKey:
    kid: str
    algorithm: str
    key: Key
    signing_from: float = 0.0  # Unix seconds: published before, signing from then on


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
        self._dsn = settings.database_url
        self._secret = encryption_key(settings)
        self._verifiers: dict[str, VerificationKey] = {}
        self._signers: dict[str, SigningKey] = {}
        self._signing: SigningKey | None = None
        self._loaded_at = float("-inf")
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()
        self._listener: asyncpg.Connection | None = None
        self._verified: OrderedDict[str, tuple[str, Any]] = OrderedDict()

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
                kid = await insert_new_key(conn, settings, DEFAULT_ALGORITHM)
                log.info("signing_keys.created", extra={"fields": {"kid": kid}})
        ring = cls(pool, settings)
        await ring.refresh()
        return ring

    @property
    def signing_key(self) -> SigningKey:
        """The key that signs now: the newest whose signing time has come (a key added by a
        rotation is published first and signs only later, see ``rotate_keys``)."""
        return self.signing_key_at(time.time())

    def signing_key_at(self, now: float) -> SigningKey:
        if self._signing is None:
            raise KeyRingError("the key ring has no signing key; load it first")
        for key in self._signers.values():  # newest first by signing_from
            if key.signing_from <= now:
                return key
        return self._signing  # a clock behind the database's: the oldest one loaded

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
        self._signing = list(signers.values())[-1]  # rows come newest first
        self._loaded_at = time.monotonic()

    def verified(self, token: str) -> tuple[str, Any] | None:
        """``(kid, payload)`` of a token whose signature a key of this ring verified lately
        (see :meth:`remember`), or None. The key must still be looked up: it may have been
        withdrawn since."""
        found = self._verified.get(token)
        if found is not None:
            self._verified.move_to_end(token)
        return found

    def remember(self, token: str, kid: str, payload: Any) -> None:
        """Keep a verified token's payload, so that the next request with the same token
        skips the signature check and the decoding; the least recently used of more than
        ``VERIFIED_TOKENS`` are forgotten. Only a token whose signature was checked enters."""
        self._verified[token] = (kid, payload)
        if len(self._verified) > VERIFIED_TOKENS:
            self._verified.popitem(last=False)

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
        """Reload when a rotation is announced, and every ``interval`` seconds, in the
        background until :meth:`stop`."""
        if self._task is None:
            self._task = asyncio.create_task(self._every(interval), name="keyring-refresh")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.terminate()

    async def _every(self, interval: float) -> None:
        while True:
            await self._listen()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(interval):
                    await self._changed.wait()
            self._changed.clear()
            async with self._lock:
                await self._refresh_quietly()

    async def _listen(self) -> None:
        """Keep one connection listening for announced rotations; without it (the database
        is away) the periodic reload still comes, and the next round tries again."""
        if self._dsn is None or (self._listener is not None and not self._listener.is_closed()):
            return
        conn = None
        try:
            async with asyncio.timeout(LISTEN_TIMEOUT):
                conn = await asyncpg.connect(
                    self._dsn, server_settings={"application_name": "auth-service-keyring"}
                )
                await conn.add_listener(CHANNEL, self._announced)
            conn.add_termination_listener(self._announced)
            self._listener = conn
        except Exception as exc:
            if conn is not None:
                conn.terminate()
            log.warning("signing_keys.listen_failed", extra={"fields": {"error": repr(exc)}})

    def _announced(self, *_: object) -> None:
        self._changed.set()

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
                blob = AESGCM(self._secret).decrypt(blob[:NONCE], blob[NONCE:], kid.encode())
            except InvalidTag:
                raise KeyRingError(
                    f"SIGNING_KEY_ENCRYPTION_KEY does not decrypt signing key {kid}: it is not"
                    " the key the signing keys were stored with"
                ) from None
        elif self._secret is not None:
            log.warning("signing_keys.stored_unencrypted", extra={"fields": {"kid": kid}})
        key = ALGORITHMS[algorithm].import_key(blob, parameters={"kid": kid, "alg": algorithm})
        return SigningKey(kid, algorithm, key, row["signing_from"])


def _public_key(algorithm: str, jwk_text: str) -> Key:
    return ALGORITHMS[algorithm].import_key(json.loads(jwk_text))
