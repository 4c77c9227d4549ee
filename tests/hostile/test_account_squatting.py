"""Pre-account takeover: someone registers an address they do not own and never verifies it.

Whichever way the address's real owner proves the address (verifying a registration of their
own, resetting the password, accepting an invitation), the squatter's password must not open
the account afterwards.
"""

from __future__ import annotations

import httpx

from tests.support.accounts import bearer, login, register, signed_up
from tests.support.flows import Mailbox, link_in

VICTIM = "nurse@clinic.example.org"
SQUATTER_PASSWORD = "squatters own passphrase"
OWNER_PASSWORD = "the nurse's real passphrase"
JOIN = {"firstName": "Real", "lastName": "Nurse", "password": OWNER_PASSWORD}


async def _squat(client: httpx.AsyncClient) -> None:
    await register(client, VICTIM, password=SQUATTER_PASSWORD, organization="Squat Inc")
    assert (await login(client, VICTIM, SQUATTER_PASSWORD)).status_code == 401


async def test_accepting_an_invitation_leaves_the_squatter_nothing(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    owner = bearer(await signed_up(client, mailbox, "chief@clinic.example.org"))
    await _squat(client)
    invited = await client.post(
        "/auth/invite", json={"email": VICTIM, "role": "member"}, headers=owner
    )
    assert invited.status_code == 201, invited.text
    # The squatter's verification mail went to the real owner too; the invitation is the second.
    path, token = link_in(await mailbox.next_to(VICTIM, after=1))
    assert path == "/auth/invitations/accept"
    page = await client.get(path, params={"token": token})
    assert 'name="password"' in page.text, "the real owner must choose the password"
    accepted = await client.post(path, json={"token": token, **JOIN})
    assert accepted.status_code == 200, accepted.text
    assert (await login(client, VICTIM, SQUATTER_PASSWORD)).status_code == 401
    assert (await login(client, VICTIM, OWNER_PASSWORD)).status_code == 200


async def test_accepting_without_a_password_is_refused_for_an_unproven_account(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    owner = bearer(await signed_up(client, mailbox, "chief@clinic.example.org"))
    await _squat(client)
    await client.post("/auth/invite", json={"email": VICTIM, "role": "member"}, headers=owner)
    _, token = link_in(await mailbox.next_to(VICTIM, after=1))
    refused = await client.post("/auth/invitations/accept", json={"token": token})
    assert refused.status_code == 400, refused.text
    assert (await login(client, VICTIM, SQUATTER_PASSWORD)).status_code == 401
