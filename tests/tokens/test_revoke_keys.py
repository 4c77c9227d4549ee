"""``python -m service rotate-keys --revoke-previous``: a leaked key stops counting at once.

The command runs as an operator runs it, in its own process; the serving instance hears the
announcement and drops the revoked keys from its JWKS and from verification well before its
periodic reload would have.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import asyncpg
import httpx
import pytest
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from service.config import Settings
from service.errors import ApiError
from service.security.jwt import verify_access_token
from service.security.key_store import PUBLISH_AHEAD, rotate_keys
from service.security.keys import REFRESH_INTERVAL, KeyRing
from tests.operations.instances import environment, run_command
from tests.support import postgres
from tests.tokens.server import WellKnownServer
from tests.tokens.test_well_known import a_token

WITHIN = 3.0  # well under REFRESH_INTERVAL: the announcement did it, not the periodic reload


async def _jwks(well_known: WellKnownServer) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=well_known.url) as http:
        answer: dict[str, Any] = (await http.get("/.well-known/jwks.json")).json()
        return answer


async def _kids_served(well_known: WellKnownServer, until: set[str]) -> set[str]:
    deadline = time.monotonic() + WITHIN
    while True:
        kids = {key["kid"] for key in (await _jwks(well_known))["keys"]}
        if kids == until or time.monotonic() > deadline:
            return kids
        await asyncio.sleep(0.05)


async def test_revoking_takes_every_previous_key_out_of_the_jwks_and_out_of_verification(
    well_known: WellKnownServer, settings: Settings, db: postgres.Database, pool: asyncpg.Pool
) -> None:
    assert WITHIN < REFRESH_INTERVAL
    leaked = well_known.keys.signing_key.kid
    by_leaked = a_token(well_known, settings)
    retired = await rotate_keys(pool, settings, at_once=True)  # still published
    await well_known.keys.refresh()
    by_retired = a_token(well_known, settings)
    assert await _kids_served(well_known, {leaked, retired}) == {leaked, retired}
    for token in (by_leaked, by_retired):  # verified once: the ring remembers them
        assert (await verify_access_token(well_known.keys, settings, token)).role == "member"
        assert well_known.keys.verified(token) is not None
    out, err = await run_command(
        environment(db, "smtp://127.0.0.1:2525"), "rotate-keys", "--revoke-previous"
    )
    fresh = out.strip()
    revoked = [json.loads(line) for line in err.splitlines() if "signing_keys.revoked" in line]
    assert [sorted(entry["kids"]) for entry in revoked] == [sorted([leaked, retired])]

    assert await _kids_served(well_known, {fresh}) == {fresh}
    for token in (by_leaked, by_retired):
        with pytest.raises(ApiError):
            await verify_access_token(well_known.keys, settings, token)
        with pytest.raises(JoseError):  # a verifier that knows only the published key set
            jwt.decode(token, KeySet.import_key_set(await _jwks(well_known)))
    restarted = await KeyRing.load(pool, settings)
    with pytest.raises(ApiError):
        await verify_access_token(restarted, settings, by_leaked)
    signed_now = a_token(well_known, settings)
    assert (
        jwt.decode(signed_now, KeySet.import_key_set(await _jwks(well_known))).header["kid"]
        == fresh
    )
    assert (await verify_access_token(restarted, settings, signed_now)).role == "member"


async def test_an_ordinary_rotation_keeps_the_previous_key_published(
    well_known: WellKnownServer, settings: Settings, db: postgres.Database
) -> None:
    previous = well_known.keys.signing_key.kid
    by_previous = a_token(well_known, settings)
    out, _ = await run_command(environment(db, "smtp://127.0.0.1:2525"), "rotate-keys")
    fresh = out.strip()
    assert await _kids_served(well_known, {previous, fresh}) == {previous, fresh}
    assert well_known.keys.signing_key.kid == previous  # published first, signs later
    later = time.time() + PUBLISH_AHEAD + 1
    assert well_known.keys.signing_key_at(later).kid == fresh
    assert (await verify_access_token(well_known.keys, settings, by_previous)).role == "member"


async def test_rotate_keys_now_signs_with_the_new_key_at_once(
    well_known: WellKnownServer, settings: Settings, db: postgres.Database
) -> None:
    previous = well_known.keys.signing_key.kid
    out, _ = await run_command(environment(db, "smtp://127.0.0.1:2525"), "rotate-keys", "--now")
    fresh = out.strip()
    assert await _kids_served(well_known, {previous, fresh}) == {previous, fresh}
    assert well_known.keys.signing_key.kid == fresh
    signed = a_token(well_known, settings)
    assert (await verify_access_token(well_known.keys, settings, signed)).role == "member"
