"""The steps of the account life cycle over HTTP, reading links from the mail that was really
delivered. Async; the state machine runs them on the server's loop."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import asyncpg
import httpx

from tests.support.flows import LINK, Mailbox

MAIL_WAIT = 10.0
NO_OWNER = """
SELECT count(*) FROM organizations o
WHERE NOT EXISTS (
    SELECT 1 FROM memberships m
    JOIN roles r ON r.organization_id = m.organization_id AND r.id = m.role_id
    JOIN users u ON u.id = m.user_id
    WHERE m.organization_id = o.id AND r.code = 'owner' AND m.active AND u.disabled_at IS NULL
)
"""


def org_of(access_token: str) -> str:
    payload = access_token.split(".")[1]
    claims: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return str(claims["org"])


class Api:
    def __init__(
        self, client: httpx.AsyncClient, mailbox: Mailbox, admin: asyncpg.Connection
    ) -> None:
        self.client = client
        self.mailbox = mailbox
        self.admin = admin
        self.read: dict[str, int] = {}  # address -> mails already read
        self.requests = 0
        client.event_hooks["request"].append(self._count)

    async def _count(self, _: httpx.Request) -> None:
        self.requests += 1

    async def link(self, address: str, path: str) -> str:
        """The token of the first unread mail to ``address`` linking to ``path``."""
        async with asyncio.timeout(MAIL_WAIT):
            while True:
                mails = self.mailbox.to(address)
                for index in range(self.read.get(address, 0), len(mails)):
                    for found in LINK.findall(mails[index].text):
                        link = httpx.URL(found)
                        if link.path == path and "token" in link.params:
                            self.read[address] = index + 1
                            return link.params["token"]
                await asyncio.sleep(0.02)

    async def register(self, email: str, password: str, organization: str) -> int:
        body = {
            "email": email,
            "password": password,
            "firstName": "Pat",
            "lastName": "Doe",
            "organizationName": organization,
        }
        return (await self.client.post("/auth/register", json=body)).status_code

    async def organization_named(self, name: str) -> str | None:
        found = await self.admin.fetchval("SELECT id FROM organizations WHERE name = $1", name)
        return str(found) if found else None

    async def user_id(self, email: str) -> str:
        return str(await self.admin.fetchval("SELECT id FROM users WHERE email = $1", email))

    async def verify(self, token: str, password: str) -> int:
        body = {"token": token, "password": password}
        return (await self.client.post("/auth/verify-email", json=body)).status_code

    async def login(self, email: str, password: str, org: str | None = None) -> httpx.Response:
        form = {"grant_type": "password", "username": email, "password": password}
        if org:
            form["organization_id"] = org
        return await self.client.post("/auth/token", data=form)

    async def refresh(self, token: str) -> httpx.Response:
        form = {"grant_type": "refresh_token", "refresh_token": token}
        return await self.client.post("/auth/token", data=form)

    async def me(self, access: str) -> int:
        headers = {"Authorization": f"Bearer {access}"}
        return (await self.client.get("/auth/me", headers=headers)).status_code

    async def request_reset(self, email: str) -> int:
        return (await self.client.post("/auth/password-reset", json={"email": email})).status_code

    async def confirm_reset(self, token: str, password: str) -> int:
        body = {"token": token, "password": password}
        return (await self.client.post("/auth/password-reset/confirm", json=body)).status_code

    async def as_owner(self, email: str, password: str, org: str) -> dict[str, str]:
        response = await self.login(email, password, org)
        assert response.status_code == 200, response.text
        assert org_of(response.json()["access_token"]) == org
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    async def invite(self, owner: dict[str, str], email: str, role: str) -> int:
        body = {"email": email, "role": role}
        return (await self.client.post("/auth/invite", json=body, headers=owner)).status_code

    async def accept(self, token: str, password: str) -> httpx.Response:
        body = {"token": token, "firstName": "Sam", "lastName": "Roe", "password": password}
        return await self.client.post("/auth/invitations/accept", json=body)

    async def remove(self, owner: dict[str, str], user_id: str) -> int:
        return (await self.client.delete(f"/auth/users/{user_id}", headers=owner)).status_code

    async def deactivate(self, owner: dict[str, str], user_id: str) -> int:
        body = {"data": {"type": "auth/users", "id": user_id, "attributes": {"active": False}}}
        response = await self.client.patch(f"/auth/users/{user_id}", json=body, headers=owner)
        return response.status_code

    async def replay(self, kind: str, token: str) -> int:
        """Use a spent link again the way its page would."""
        password = "a brand new passphrase"
        if kind == "verify":
            return await self.verify(token, password)
        if kind == "reset":
            return await self.confirm_reset(token, password)
        return (await self.accept(token, password)).status_code

    async def organizations_without_an_active_owner(self) -> int:
        return int(await self.admin.fetchval(NO_OWNER))

    async def forget_throttling(self) -> None:
        """Failed attempts are part of the checks; the throttle is tested elsewhere."""
        await self.admin.execute("DELETE FROM throttle_counters")
