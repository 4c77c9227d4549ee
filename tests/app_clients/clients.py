"""Registering app clients and asking for their tokens, as an integrator would."""

from __future__ import annotations

import base64
import json
from typing import Any
from uuid import UUID

import asyncpg
import httpx

from service.jsonapi import JSONAPI
from tests.roles.people import Member


async def role_id(admin_conn: asyncpg.Connection, org_id: UUID, code: str) -> str:
    found = await admin_conn.fetchval(
        "SELECT id FROM roles WHERE organization_id = $1 AND code = $2", org_id, code
    )
    assert found is not None
    return str(found)


def zus_body(role: str, *, kind: str = "machine_to_machine", **attributes: Any) -> dict[str, Any]:
    """Zus's body, with any further attributes."""
    return {
        "data": {
            "type": "auth/app-clients",
            "attributes": {"type": kind, "name": "Provisioning backend", "userType": "builder"}
            | attributes,
            "relationships": {"auth/roles": {"data": {"type": "auth/roles", "id": role}}},
        }
    }


async def create(client: httpx.AsyncClient, who: Member, body: dict[str, Any]) -> httpx.Response:
    return await client.post(
        "/auth/app-clients",
        content=json.dumps(body),
        headers={**who.headers, "Content-Type": JSONAPI},
    )


async def registered(
    client: httpx.AsyncClient, who: Member, role: str, **attributes: Any
) -> dict[str, Any]:
    """A new client's resource as created (with its one-time ``clientSecret``)."""
    response = await create(client, who, zus_body(role, **attributes))
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def basic(client_id: str, secret: str) -> dict[str, str]:
    raw = f"{client_id}:{secret}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


async def token(
    client: httpx.AsyncClient, client_id: str, secret: str, **form: str
) -> httpx.Response:
    """client_credentials with client_secret_basic."""
    return await client.post(
        "/auth/token",
        data={"grant_type": "client_credentials", **form},
        headers=basic(client_id, secret),
    )


def claims(access_token: str) -> dict[str, Any]:
    payload = access_token.split(".")[1]
    decoded: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return decoded


def bearer(access_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token}", "Accept": JSONAPI}
