"""Every route with an id in its path, called by organization A's owner with organization B's
ids: 404 with the very body a missing id gets (for the idempotent member removal: the same 204
a missing id gets), and nothing of B changes.

The routes are read from the app itself, so a new route with a path id joins the matrix by
itself (and fails it until its kind of id is named below)."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import asyncpg
import httpx
from litestar.routes import HTTPRoute

from service.app import create_app
from service.config import Settings
from tests.support.accounts import bearer, signed_up
from tests.support.flows import Mailbox
from tests.users.helpers import new_user, org_of, role_id

MISSING = "0190af3b-1c2e-7c00-8a4f-b2d9c4e5f199"
TABLES = (
    "organizations",
    "users",
    "memberships",
    "roles",
    "invitations",
    "refresh_tokens",
    "audit_events",
    "app_clients",
    "app_client_secrets",
    "mfa_factors",
    "mfa_recovery_codes",
)


async def _b_ids(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> dict[str, str]:
    owner_b = bearer(await signed_up(client, mailbox, "owner@b.org", organizationName="B"))
    org = await org_of(admin_conn, "owner@b.org")
    member = (
        await client.post(
            "/auth/users",
            json=new_user(
                "member@b.org",
                await role_id(admin_conn, org, "member"),
                sendPasswordResetEmail=False,
            ),
            headers=owner_b,
        )
    ).json()["data"]["id"]
    role = (
        await client.post(
            "/auth/roles",
            json={
                "data": {
                    "type": "auth/roles",
                    "attributes": {"name": "Nurse", "permissions": ["users.read"]},
                }
            },
            headers=owner_b,
        )
    ).json()["data"]["id"]
    invitation = (
        await client.post(
            "/auth/invite", json={"email": "x@b.org", "role": "member"}, headers=owner_b
        )
    ).json()["invitationId"]
    app_client = (
        await client.post(
            "/auth/app-clients",
            json={
                "data": {
                    "type": "auth/app-clients",
                    "attributes": {"type": "machine_to_machine", "name": "B's backend"},
                    "relationships": {"auth/roles": {"data": {"type": "auth/roles", "id": role}}},
                }
            },
            headers={**owner_b, "Content-Type": "application/vnd.api+json"},
        )
    ).json()["data"]["id"]
    event = (await client.get("/auth/audit-events", headers=owner_b)).json()["data"][0]["id"]
    factor = (
        await client.post(
            "/auth/me/mfa-factors",
            json={"data": {"type": "auth/mfa-factors", "attributes": {"kind": "totp"}}},
            headers={**owner_b, "Content-Type": "application/vnd.api+json"},
        )
    ).json()["data"]["id"]
    return {
        "factor_id": factor,
        "client_id": app_client,
        "user_id": member,
        "role_id": role,
        "invitation_id": invitation,
        "event_id": event,
        "org_id": str(org),
    }


async def _fingerprint(admin_conn: asyncpg.Connection) -> str:
    parts = []
    for table in TABLES:
        rows = await admin_conn.fetch(f"SELECT t::text AS row FROM {table} t ORDER BY 1")
        parts.append(f"{table}:{[r['row'] for r in rows]}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _routes(settings: Settings) -> list[tuple[str, str, str]]:
    """(method, path template, parameter name) of every route with an id in its path."""
    found = []
    for route in create_app(settings).routes:
        if not isinstance(route, HTTPRoute):
            continue
        names = re.findall(r"\{(\w+)(?::\w+)?\}", route.path)
        methods = {m for handler in route.route_handlers for m in handler.http_methods}
        for method in sorted(methods):
            if names and method not in ("HEAD", "OPTIONS") and route.path.startswith("/auth/"):
                assert len(names) == 1, route.path
                found.append((method, route.path, names[0]))
    return found


def _body(method: str, path: str, target: str) -> dict[str, Any] | None:
    if path.endswith("/confirm"):
        return {"code": "123456"}
    if method != "PATCH":
        return None
    kind = {
        "users": "auth/users",
        "roles": "auth/roles",
        "organizations": "auth/organizations",
        "app-clients": "auth/app-clients",
        "me": "auth/mfa-factors",
    }[path.split("/")[2]]
    attributes = {"label" if kind == "auth/mfa-factors" else "name": "Changed by A"}
    return {"data": {"type": kind, "id": target, "attributes": attributes}}


def _strip(response: httpx.Response) -> Any:
    body = response.json()
    body.pop("meta", None)
    return body


async def test_cross_tenant_matrix(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection, settings: Settings
) -> None:
    owner_a = bearer(await signed_up(client, mailbox, "owner@a.org", organizationName="A"))
    ids = await _b_ids(client, mailbox, admin_conn)
    before = await _fingerprint(admin_conn)
    routes = _routes(settings)
    assert len(routes) >= 10
    checked = 0
    for method, template, name in routes:
        assert name in ids, f"no organization-B id of kind {name!r} for {method} {template}"
        answers = []
        for target in (ids[name], MISSING):
            path = re.sub(r"\{\w+(?::\w+)?\}", target, template)
            answers.append(
                await client.request(
                    method, path, json=_body(method, template, target), headers=owner_a
                )
            )
        other, missing = answers
        # Removing a member is idempotent: a missing member answers 204, and so must B's.
        expected = 204 if (method, template) == ("DELETE", "/auth/users/{user_id:str}") else 404
        assert other.status_code == missing.status_code == expected, (method, template, other.text)
        if expected == 404:
            assert _strip(other) == _strip(missing), (method, template)
        checked += 1
    assert await _fingerprint(admin_conn) == before
    assert checked == len(routes)
