"""The key ring in PostgreSQL: shared by instances, created once, rotated, retired, sealed."""

from __future__ import annotations

import asyncio
import time
import uuid

import asyncpg
import pytest

from service.config import Settings
from service.db.pool import create_pool
from service.errors import ApiError
from service.security.jwt import issue_access_token, verify_access_token
from service.security.key_store import JWKS_MAX_AGE, PUBLISH_AHEAD, RETIRE_MARGIN, rotate_keys
from service.security.keys import KeyRing
from tests.tokens import forge


def token_for(keyring: KeyRing, settings: Settings) -> str:
    token, _ = issue_access_token(
        keyring,
        settings,
        user_id=uuid.uuid4(),
        org_id=uuid.uuid4(),
        role="member",
        permissions=["users.read"],
        email="nurse@example.org",
    )
    return token


def kids(keyring: KeyRing, now: float | None = None) -> set[str]:
    return {key["kid"] for key in keyring.public_jwks(now)["keys"]}


async def test_the_first_start_creates_one_key(
    keyring: KeyRing, owner_conn: asyncpg.Connection
) -> None:
    rows = await owner_conn.fetch("SELECT kid, algorithm, signing_until FROM signing_keys")
    assert [(r["kid"], r["algorithm"], r["signing_until"]) for r in rows] == [
        (keyring.signing_key.kid, "RS256", None)
    ]
    assert kids(keyring) == {keyring.signing_key.kid}


async def test_instances_and_restarts_share_the_key(settings: Settings) -> None:
    assert settings.database_url is not None
    first = await create_pool(settings.database_url, settings)
    ring = await KeyRing.load(first, settings)
    token = token_for(ring, settings)
    await first.close()  # the first instance stops; two more start on the same database
    second = await create_pool(settings.database_url, settings)
    third = await create_pool(settings.database_url, settings)
    try:
        again, other = await KeyRing.load(second, settings), await KeyRing.load(third, settings)
        assert again.signing_key.kid == other.signing_key.kid == ring.signing_key.kid
        assert (await verify_access_token(other, settings, token)).role == "member"
    finally:
        await second.close()
        await third.close()


async def test_instances_starting_together_create_one_key(
    settings: Settings, owner_conn: asyncpg.Connection
) -> None:
    assert settings.database_url is not None
    pools = [await create_pool(settings.database_url, settings) for _ in range(4)]
    try:
        rings = await asyncio.gather(*(KeyRing.load(p, settings) for p in pools))
    finally:
        for pool in pools:
            await pool.close()
    assert len({ring.signing_key.kid for ring in rings}) == 1
    assert await owner_conn.fetchval("SELECT count(*) FROM signing_keys") == 1


async def test_a_rotated_in_key_is_published_at_once_and_signs_after_caches_expire(
    keyring: KeyRing, pool: asyncpg.Pool, settings: Settings
) -> None:
    """A verifier that cached the JWKS just before the rotation still knows every key that
    signs a token it meets: the new key signs only two cache lifetimes after it appears."""
    old_kid = keyring.signing_key.kid
    old_token = token_for(keyring, settings)
    new_kid = await rotate_keys(pool, settings)
    assert new_kid != old_kid
    await keyring.refresh()
    assert kids(keyring) == {old_kid, new_kid}  # published now
    assert keyring.signing_key.kid == old_kid  # but the old key still signs
    assert forge.header(token_for(keyring, settings))["kid"] == old_kid
    soon = time.time() + PUBLISH_AHEAD - 5
    assert keyring.signing_key_at(soon).kid == old_kid
    later = time.time() + PUBLISH_AHEAD + 1
    assert keyring.signing_key_at(later).kid == new_kid
    assert PUBLISH_AHEAD >= 2 * JWKS_MAX_AGE
    assert (await verify_access_token(keyring, settings, old_token)).role == "member"
    restarted = await KeyRing.load(pool, settings)
    assert restarted.signing_key.kid == old_kid
    assert restarted.signing_key_at(later).kid == new_kid


async def test_an_emergency_rotation_signs_with_the_new_key_at_once(
    keyring: KeyRing, pool: asyncpg.Pool, settings: Settings
) -> None:
    old_kid = keyring.signing_key.kid
    old_token = token_for(keyring, settings)
    new_kid = await rotate_keys(pool, settings, at_once=True)
    await keyring.refresh()
    assert keyring.signing_key.kid == new_kid
    assert forge.header(token_for(keyring, settings))["kid"] == new_kid
    assert (await verify_access_token(keyring, settings, old_token)).role == "member"
    assert kids(keyring) == {old_kid, new_kid}
    restarted = await KeyRing.load(pool, settings)
    assert restarted.signing_key.kid == new_kid
    assert kids(restarted) == {old_kid, new_kid}


async def test_a_retired_key_is_published_for_the_token_lifetime_and_then_dropped(
    keyring: KeyRing, pool: asyncpg.Pool, settings: Settings, owner_conn: asyncpg.Connection
) -> None:
    old_kid = keyring.signing_key.kid
    old_token = token_for(keyring, settings)
    new_kid = await rotate_keys(pool, settings, at_once=True)
    await keyring.refresh()
    row = await owner_conn.fetchrow(
        "SELECT extract(epoch FROM published_until - signing_until) AS kept,"
        " extract(epoch FROM now() - signing_until) AS ago FROM signing_keys WHERE kid = $1",
        old_kid,
    )
    assert row["kept"] == settings.access_token_ttl + RETIRE_MARGIN
    assert row["ago"] < 5
    almost = time.time() + settings.access_token_ttl + RETIRE_MARGIN - 5
    assert kids(keyring, almost) == {old_kid, new_kid}
    later = time.time() + settings.access_token_ttl + RETIRE_MARGIN + 1
    assert kids(keyring, later) == {new_kid}
    # Once the database says so too, a reload drops the key, and what it signed is refused.
    await owner_conn.execute(
        "UPDATE signing_keys SET signing_from = now() - interval '3 hours',"
        " signing_until = now() - interval '2 hours',"
        " published_until = now() - interval '1 second' WHERE kid = $1",
        old_kid,
    )
    await keyring.refresh()
    assert kids(keyring) == {new_kid}
    with pytest.raises(ApiError):
        await verify_access_token(keyring, settings, old_token)


async def test_a_rotation_elsewhere_is_seen_at_the_first_token_with_the_new_kid(
    keyring: KeyRing, settings: Settings
) -> None:
    assert settings.database_url is not None
    elsewhere = await create_pool(settings.database_url, settings)
    try:
        new_kid = await rotate_keys(elsewhere, settings, at_once=True)
        other_instance = await KeyRing.load(elsewhere, settings)
        token = token_for(other_instance, settings)
    finally:
        await elsewhere.close()
    await asyncio.sleep(1.0)  # unknown kids reload at most once a second
    assert keyring.signing_key.kid != new_kid
    assert (await verify_access_token(keyring, settings, token)).role == "member"
    assert new_kid in kids(keyring)
    assert keyring.signing_key.kid == new_kid


async def test_unknown_kids_do_not_reload_more_than_once_a_second(
    keyring: KeyRing, pool: asyncpg.Pool, settings: Settings
) -> None:
    await asyncio.sleep(1.0)
    assert await keyring.find("unknown-0000000000000000") is None  # reloads once
    new_kid = await rotate_keys(pool, settings, at_once=True)
    assert await keyring.find(new_kid) is None  # within the second: no reload
    await asyncio.sleep(1.0)
    assert await keyring.find(new_kid) is not None


async def test_the_periodic_reload_picks_up_a_rotation(
    keyring: KeyRing, pool: asyncpg.Pool, settings: Settings
) -> None:
    keyring.start(interval=0.05)
    try:
        new_kid = await rotate_keys(pool, settings, at_once=True)
        for _ in range(250):  # up to five seconds
            if keyring.signing_key.kid == new_kid:
                break
            await asyncio.sleep(0.02)
        assert keyring.signing_key.kid == new_kid
        assert new_kid in kids(keyring)
    finally:
        await keyring.stop()


@pytest.mark.parametrize("algorithm", ["ES256", "Ed25519", "RS256"])
async def test_rotation_to_each_supported_algorithm(
    keyring: KeyRing, pool: asyncpg.Pool, settings: Settings, algorithm: str
) -> None:
    kid = await rotate_keys(pool, settings, algorithm=algorithm, at_once=True)
    await keyring.refresh()
    token = token_for(keyring, settings)
    assert forge.header(token) == {"alg": algorithm, "typ": "at+jwt", "kid": kid}
    assert (await verify_access_token(keyring, settings, token)).email == "nurse@example.org"
    published = {k["kid"]: k for k in keyring.public_jwks()["keys"]}
    assert published[kid]["alg"] == algorithm
    assert "d" not in published[kid]
