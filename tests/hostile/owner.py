"""An organization owner for the fuzz run, signed up through the mail like anyone else.

Fuzzed requests may end the owner's session (revoke a token, deactivate or demote someone, set
a new password through a link): :meth:`Owner.headers` checks the token before each operation and
signs a new owner up when it stopped working. The fuzzed token endpoint trips the per-address
login throttle, which is not under test here, so its counters are cleared before signing in.
"""

from __future__ import annotations

import asyncpg
import httpx

from tests.support.accounts import bearer, signed_up
from tests.support.flows import Mailbox
from tests.support.hostile_server import ServiceThread


class Owner:
    def __init__(self, service: ServiceThread, admin_dsn: str, email: str) -> None:
        self.service = service
        self.admin_dsn = admin_dsn
        self.email = email
        self.signups = 0
        self._headers: dict[str, str] = {}

    @classmethod
    def sign_up(cls, service: ServiceThread, admin_dsn: str, email: str) -> Owner:
        owner = cls(service, admin_dsn, email)
        owner._renew()
        return owner

    def headers(self) -> dict[str, str]:
        if not self.service.run(self._works()):
            self._renew()
        return dict(self._headers)

    def fresh(self) -> dict[str, str]:
        """A new owner of a new organization, signed up now; their bearer header."""
        self._renew()
        return dict(self._headers)

    def _renew(self) -> None:
        self.signups += 1
        local, domain = self.email.split("@")
        email = f"{local}+{self.signups}@{domain}"
        self._headers = bearer(self.service.run(self._sign_up(email)))

    async def _works(self) -> bool:
        async with httpx.AsyncClient(base_url=self.service.base_url, timeout=10) as client:
            response = await client.get("/auth/me", headers=self._headers)
        return response.status_code == 200

    async def _sign_up(self, email: str) -> dict[str, str]:
        conn = await asyncpg.connect(self.admin_dsn)
        try:
            await conn.execute("DELETE FROM throttle_counters")
        finally:
            await conn.close()
        async with httpx.AsyncClient(base_url=self.service.base_url, timeout=10) as client:
            return await signed_up(client, Mailbox(self.service.sink), email)
