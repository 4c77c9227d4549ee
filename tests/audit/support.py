"""Small helpers shared by the audit tests."""

from __future__ import annotations

import base64
import json
from typing import Any
from uuid import UUID

import asyncpg

from service.audit.recorder import record
from service.db.tx import set_tenant


def claims(tokens: dict[str, Any]) -> dict[str, Any]:
    """The payload of the access token in a token response (no verification: our own token)."""
    payload = tokens["access_token"].split(".")[1]
    decoded: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return decoded


def identity(tokens: dict[str, Any]) -> tuple[UUID, UUID]:
    """(organization id, user id) of the token's holder."""
    body = claims(tokens)
    return UUID(body["org"]), UUID(body["sub"])


async def role_updates(
    conn: asyncpg.Connection, org_id: UUID, actor: UUID, count: int, *, prefix: str = "r"
) -> list[str]:
    """Record ``count`` role.update events in one transaction; their resource ids, in order."""
    resource_ids = [f"{prefix}-{n:03d}" for n in range(count)]
    async with conn.transaction():
        await set_tenant(conn, org_id=org_id, user_id=actor)
        for n, resource_id in enumerate(resource_ids):
            await record(
                conn,
                organization_id=org_id,
                action="role.update",
                resource_id=resource_id,
                actor_user_id=actor,
                before={"name": f"Role {n}"},
                after={"name": f"Role {n}!"},
            )
    return resource_ids
