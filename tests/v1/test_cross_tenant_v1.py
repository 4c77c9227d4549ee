"""Every /v1 route with an organization in its path, called by organization A's owner with
organization B's ids: the very answer a missing id gets, and nothing of B changes; and every
one of them with ``X-Organization-ID`` naming B: 403 before anything is read.

The routes are read from the app itself, so a new /v1 route joins the matrix by itself (and
fails it until its kind of id is named in ``KINDS``)."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import asyncpg
import httpx
from litestar.routes import HTTPRoute

from service.app import create_app
from service.config import Settings
from tests.roles.people import Member, member, owner
from tests.support.flows import Mailbox
from tests.v1.test_organizations import JSON, error

MISSING = "0190af3b-1c2e-7c00-8a4f-b2d9c4e5f199"
TABLES = ("organizations", "memberships", "roles", "audit_events", "organization_domains")
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "organization"): {"name": "Changed by A"},
    ("POST", "members"): {"email": "member@b.example", "role": "admin"},
    ("POST", "domains"): {"domain": "clinic.b.example", "domain_type": "clinic"},
}


async def _b(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection, settings: Settings
) -> tuple[Member, dict[str, str]]:
    boss = await owner(client, mailbox, admin_conn, "owner@b.example", "B")
    staff = await member(client, admin_conn, settings, boss.org_id, "member@b.example", "member")
    domain = await client.post(
        f"/v1/organizations/{boss.org_id}/domains",
        json={"domain": "portal.b.example", "domain_type": "portal"},
        headers={**boss.headers, "Accept": JSON},
    )
    assert domain.status_code == 201, domain.text
    principal = await admin_conn.fetchval("SELECT id FROM users WHERE email = $1", staff.email)
    return boss, {"domain": domain.json()["data"]["id"], "principal": str(principal)}


async def _fingerprint(admin_conn: asyncpg.Connection) -> str:
    parts = []
    for table in TABLES:
        rows = await admin_conn.fetch(f"SELECT t::text AS row FROM {table} t ORDER BY 1")
        parts.append(f"{table}:{[r['row'] for r in rows]}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _routes(settings: Settings) -> list[tuple[str, str]]:
    """(method, path template) of every /v1 route with the organization in its path."""
    found = []
    for route in create_app(settings).routes:
        if isinstance(route, HTTPRoute) and route.path.startswith("/v1/organizations/{"):
            methods = {m for handler in route.route_handlers for m in handler.http_methods}
            found += [(m, route.path) for m in sorted(methods) if m not in ("HEAD", "OPTIONS")]
    return found


def _kind(template: str) -> str:
    """What a route acts on: ``organization``, ``members``, ``domains``, ``roles``..."""
    parts = [p for p in template.split("/")[4:] if p and not p.startswith("{")]
    return parts[0] if parts else "organization"


def _fill(template: str, org: str, others: dict[str, str], missing: bool) -> str:
    names = re.findall(r"\{(\w+)(?::\w+)?\}", template)
    path = template
    for index, name in enumerate(names):
        if index == 0:
            value = org
        else:
            kind = "domain" if "domain" in name else "principal"
            value = MISSING if missing else others[kind]
        path = re.sub(r"\{" + name + r"(?::\w+)?\}", value, path, count=1)
    return path


def _strip(response: httpx.Response) -> Any:
    if response.status_code == 204:
        return None
    body = response.json()
    body.get("error", {}).pop("request_id", None)
    return body


async def test_organization_bs_ids_answer_as_missing_ones_and_change_nothing(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection, settings: Settings
) -> None:
    a = await owner(client, mailbox, admin_conn, "owner@a.example", "A")
    b, ids = await _b(client, mailbox, admin_conn, settings)
    headers = {**a.headers, "Accept": JSON}
    before = await _fingerprint(admin_conn)
    routes = _routes(settings)
    assert len(routes) >= 9, routes
    for method, template in routes:
        body = BODIES.get((method, _kind(template)))
        # B's organization in the path: exactly what an organization that does not exist gets.
        theirs, nowhere = [
            await client.request(
                method, _fill(template, org, ids, False), json=body, headers=headers
            )
            for org in (str(b.org_id), MISSING)
        ]
        assert theirs.status_code == nowhere.status_code == 404, (method, template, theirs.text)
        assert _strip(theirs) == _strip(nowhere), (method, template)
        assert error(theirs)["code"] == "organization_not_found"
        # A's own organization with B's member or domain: what a missing one gets.
        if template.count("{") > 1:
            answers = [
                await client.request(
                    method, _fill(template, str(a.org_id), ids, missing), json=body, headers=headers
                )
                for missing in (False, True)
            ]
            assert answers[0].status_code == answers[1].status_code, (method, template)
            assert _strip(answers[0]) == _strip(answers[1]), (method, template)
        # B named by the header: 403 before anything of B is read.
        named = {**headers, "X-Organization-ID": str(b.org_id)}
        forbidden = await client.request(
            method, _fill(template, str(b.org_id), ids, False), json=body, headers=named
        )
        assert forbidden.status_code == 403, (method, template, forbidden.text)
        assert error(forbidden)["code"] == "forbidden"
    assert await _fingerprint(admin_conn) == before
