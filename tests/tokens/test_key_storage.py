"""Private keys at rest: PEM without an encryption key, AES-256-GCM with one, checked at start."""

from __future__ import annotations

import base64
import dataclasses
import logging
import os

import asyncpg
import pytest

from service.config import Settings
from service.security.jwt import issue_access_token, verify_access_token
from service.security.key_store import KeyRingError, rotate_keys
from service.security.keys import KeyRing


def new_secret() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


async def stored(owner_conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return await owner_conn.fetch("SELECT kid, private_key, encrypted FROM signing_keys")


async def test_without_an_encryption_key_the_private_key_is_pem(
    keyring: KeyRing, owner_conn: asyncpg.Connection
) -> None:
    [row] = await stored(owner_conn)
    assert row["encrypted"] is False
    assert bytes(row["private_key"]).startswith(b"-----BEGIN PRIVATE KEY-----")


async def test_with_an_encryption_key_no_pem_is_stored_and_tokens_still_work(
    pool: asyncpg.Pool, settings: Settings, owner_conn: asyncpg.Connection
) -> None:
    sealed = dataclasses.replace(settings, signing_key_encryption_key=new_secret())
    ring = await KeyRing.load(pool, sealed)
    await rotate_keys(pool, sealed, at_once=True)
    rows = await stored(owner_conn)
    assert len(rows) == 2
    for row in rows:
        blob = bytes(row["private_key"])
        assert row["encrypted"] is True
        assert b"BEGIN" not in blob
        assert b"PRIVATE KEY" not in blob
        assert len(blob) > 1000  # an RSA-2048 PKCS#8 PEM, sealed, plus nonce and tag
    restarted = await KeyRing.load(pool, sealed)  # decrypts the new key
    token, _ = issue_access_token(
        restarted,
        sealed,
        user_id="018f6b7e-0000-7000-8000-000000000001",
        org_id="018f6b7e-0000-7000-8000-000000000002",
        role="member",
        permissions=[],
        email="x@example.org",
    )
    assert restarted.signing_key.kid != ring.signing_key.kid
    await ring.refresh()
    assert (await verify_access_token(ring, sealed, token)).email == "x@example.org"


async def test_a_wrong_encryption_key_stops_start_up(
    pool: asyncpg.Pool, settings: Settings
) -> None:
    await KeyRing.load(pool, dataclasses.replace(settings, signing_key_encryption_key=new_secret()))
    wrong = dataclasses.replace(settings, signing_key_encryption_key=new_secret())
    with pytest.raises(KeyRingError, match="SIGNING_KEY_ENCRYPTION_KEY does not decrypt"):
        await KeyRing.load(pool, wrong)


async def test_a_missing_encryption_key_stops_start_up(
    pool: asyncpg.Pool, settings: Settings
) -> None:
    await KeyRing.load(pool, dataclasses.replace(settings, signing_key_encryption_key=new_secret()))
    with pytest.raises(KeyRingError, match="encrypted but SIGNING_KEY_ENCRYPTION_KEY is not set"):
        await KeyRing.load(pool, settings)


async def test_the_key_id_is_bound_to_the_ciphertext(
    pool: asyncpg.Pool, settings: Settings, owner_conn: asyncpg.Connection
) -> None:
    sealed = dataclasses.replace(settings, signing_key_encryption_key=new_secret())
    first = (await KeyRing.load(pool, sealed)).signing_key.kid
    second = await rotate_keys(pool, sealed, at_once=True)
    # Put the retired key's ciphertext under the signing key's id: it must not open.
    await owner_conn.execute(
        "UPDATE signing_keys SET private_key = (SELECT private_key FROM signing_keys"
        " WHERE kid = $1) WHERE kid = $2",
        first,
        second,
    )
    with pytest.raises(KeyRingError, match=f"does not decrypt signing key {second}"):
        await KeyRing.load(pool, sealed)


async def test_production_without_an_encryption_key_warns(
    pool: asyncpg.Pool, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="service.security.keys")
    await KeyRing.load(pool, dataclasses.replace(settings, app_env="development"))
    assert "signing_keys.unencrypted" not in caplog.messages
    await KeyRing.load(pool, dataclasses.replace(settings, app_env="production"))
    assert "signing_keys.unencrypted" in caplog.messages
