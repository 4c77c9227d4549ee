"""Organizations and members for the role tests: an owner signs up; others are inserted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
import httpx

from service.config import Settings
from service.ids import uuid7
from service.jsonapi import JSONAPI
from service.security.passwords import PasswordHasher
from tests.support.accounts import PASSWORD, bearer, login, signed_up
from tests.support.flows import Mailbox


@dataclass(frozen=True)
class Member:
    email: str
    org_id: UUID
    headers: dict[str, str]


async def owner(
    client: httpx.AsyncClient,
    mailbox: Mailbox,
    admin_conn: asyncpg.Connection,
    email: str,
    organization: str = "City General Hospital",
) -> Member:
    tokens = await signed_up(client, mailbox, email, organizationName=organization)
    org_id = await admin_conn.fetchval(
        "SELECT m.organization_id FROM memberships m JOIN users u ON u.id = m.user_id"
        " WHERE u.email = $1",
        email,
    )
    return Member(email, org_id, _headers(tokens))


async def member(
    client: httpx.AsyncClient,
    admin_conn: asyncpg.Connection,
    settings: Settings,
    org_id: UUID,
    email: str,
    role_code: str,
) -> Member:
    """A verified user with a password, holding the organization's role ``role_code``."""
    hasher = PasswordHasher(settings)
    try:
        password_hash = await hasher.hash(PASSWORD)
    finally:
        hasher.close()
    user_id = uuid7()
    await admin_conn.execute(
        "INSERT INTO users (id, email, name, password_hash, email_verified_at)"
        " VALUES ($1, $2, $3, $4, now())",
        user_id,
        email,
        email.split("@")[0],
        password_hash,
    )
    await admin_conn.execute(
        "INSERT INTO memberships (organization_id, user_id, role_id)"
        " SELECT $1, $2, id FROM roles WHERE organization_id = $1 AND code = $3",
        org_id,
        user_id,
        role_code,
    )
    response = await login(client, email)
    assert response.status_code == 200, response.text
    return Member(email, org_id, _headers(response.json()))


def _headers(tokens: dict[str, Any]) -> dict[str, str]:
    return {**bearer(tokens), "Accept": JSONAPI}


def new_role(**attributes: Any) -> dict[str, Any]:
    """A JSON:API document for ``POST /auth/roles``."""
    body: dict[str, Any] = {"name": "Night Nurse", "permissions": ["users.read"]}
    body.update(attributes)
    return {"data": {"type": "auth/roles", "attributes": body}}


def changes(**attributes: Any) -> dict[str, Any]:
    """A JSON:API document for ``PATCH /auth/roles/{id}``."""
    return {"data": {"type": "auth/roles", "attributes": attributes}}


async def create(client: httpx.AsyncClient, who: Member, **attributes: Any) -> dict[str, Any]:
    response = await client.post("/auth/roles", json=new_role(**attributes), headers=who.headers)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def without_request_id(response: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    body.pop("meta", None)
    return body
