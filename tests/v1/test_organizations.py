"""Seed 002's /v1/organizations: the seed's requests as written, the organization context
(``X-Organization-ID`` only among the caller's own live memberships), and platform operators.

Everyone here is a person the tests make: an owner who registered (``owner``), members given
a managed role (owner, admin, member, permissionless), and operators granted the role as the
command line does (a row in ``platform_operators``, written by the owner role)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest

from service.config import Settings
from tests.app_clients.clients import registered, role_id, token
from tests.roles.people import Member, member, owner
from tests.support.flows import Mailbox
from tests.support.postgres import Database

JSON = "application/json"
SEED_KEYS = {
    "id", "name", "slug", "tagline", "description", "email", "phone", "website", "location",
    "logo_url", "icon_url", "language_code", "created_at", "updated_at",
}  # fmt: skip
DEMO = {
    "name": "Demo Clinic",
    "slug": "demo-clinic",
    "tagline": "Rehabilitation at home",
    "description": "A clinic that opened through the operators' API.",
    "email": "hello@demo-clinic.example",
    "phone": "+40 21 000 0000",
    "website": "https://demo-clinic.example",
    "location": "Bucharest, RO",
    "logo_url": "https://cdn.example/logo.png",
    "icon_url": "https://cdn.example/icon.png",
    "language_code": "ro",
}


def v1(who: Member, **extra: str) -> dict[str, str]:
    return {**who.headers, "Accept": JSON, **extra}


async def make_operator(admin_conn: asyncpg.Connection, who: Member) -> None:
    await admin_conn.execute(
        "INSERT INTO platform_operators (user_id, granted_by)"
        " SELECT id, 'tests' FROM users WHERE email = $1",
        who.email,
    )


async def join(admin_conn: asyncpg.Connection, who: Member, org_id: UUID, role: str) -> None:
    await admin_conn.execute(
        "INSERT INTO memberships (organization_id, user_id, role_id)"
        " SELECT $1, u.id, r.id FROM users u, roles r"
        " WHERE u.email = $2 AND r.organization_id = $1 AND r.code = $3",
        org_id,
        who.email,
        role,
    )


async def cli(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(
        subprocess.run, command, env=env, capture_output=True, text=True, timeout=60
    )


def error(answer: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = answer.json()
    assert set(body) == {"error"}, body
    return body["error"]  # type: ignore[no-any-return]


async def test_the_caller_lists_and_reads_their_organization_in_the_seed_shape(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "owner@restartix.example", "RestartiX")
    listed = await client.get("/v1/organizations", headers=v1(me))
    assert listed.status_code == 200, listed.text
    assert listed.headers["content-type"].startswith(JSON)
    [only] = listed.json()["data"]
    assert set(only) == SEED_KEYS
    assert (only["id"], only["name"], only["description"]) == (str(me.org_id), "RestartiX", None)
    assert only["created_at"].endswith("Z") or "+00:00" in only["created_at"]
    one = await client.get(f"/v1/organizations/{me.org_id}", headers=v1(me))
    assert one.status_code == 200
    assert one.json() == {"data": only}


async def test_other_ids_are_not_found_and_malformed_ids_are_invalid(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "a@one.example", "One")
    them = await owner(client, mailbox, admin_conn, "b@two.example", "Two")
    for path in (f"/v1/organizations/{them.org_id}", f"/v1/organizations/{UUID(int=7)}"):
        for answer in (
            await client.get(path, headers=v1(me)),
            await client.patch(path, json={"name": "Taken over"}, headers=v1(me)),
        ):
            assert answer.status_code == 404
            assert error(answer)["code"] == "organization_not_found"
    bad = await client.get("/v1/organizations/not-a-uuid", headers=v1(me))
    assert (bad.status_code, error(bad)["code"]) == (400, "invalid_id")
    name = await admin_conn.fetchval("SELECT name FROM organizations WHERE id = $1", them.org_id)
    assert name == "Two"


async def test_the_header_selects_only_among_the_callers_live_memberships(
    client: httpx.AsyncClient,
    mailbox: Mailbox,
    admin_conn: asyncpg.Connection,
) -> None:
    me = await owner(client, mailbox, admin_conn, "two.hats@one.example", "One")
    second = await owner(client, mailbox, admin_conn, "boss@two.example", "Two")
    stranger = await owner(client, mailbox, admin_conn, "boss@three.example", "Three")
    await join(admin_conn, me, second.org_id, "member")
    there = v1(me, **{"X-Organization-ID": str(second.org_id)})
    read = await client.get(f"/v1/organizations/{second.org_id}", headers=there)
    assert read.status_code == 200
    assert read.json()["data"]["name"] == "Two"
    # The token's own organization is not the selected one: 404, as row-level security answers.
    own = await client.get(f"/v1/organizations/{me.org_id}", headers=there)
    assert own.status_code == 404
    # Permissions are the selected membership's: a member there may not change the profile.
    refused = await client.patch(
        f"/v1/organizations/{second.org_id}", json={"name": "Mine now"}, headers=there
    )
    assert (refused.status_code, error(refused)["code"]) == (403, "forbidden")
    # A foreign organization, an unknown one, and a malformed header.
    for header, status, code in (
        (str(stranger.org_id), 403, "forbidden"),
        (str(UUID(int=9)), 403, "forbidden"),
        ("0190af3b", 400, "invalid_id"),
    ):
        answer = await client.get(
            f"/v1/organizations/{stranger.org_id}",
            headers=v1(me, **{"X-Organization-ID": header}),
        )
        assert (answer.status_code, error(answer)["code"]) == (status, code), answer.text
        assert "Three" not in answer.text
    # A membership that is no longer live selects nothing.
    await admin_conn.execute(
        "UPDATE memberships SET active = false WHERE organization_id = $1"
        " AND user_id = (SELECT id FROM users WHERE email = $2)",
        second.org_id,
        me.email,
    )
    gone = await client.get(f"/v1/organizations/{second.org_id}", headers=there)
    assert (gone.status_code, error(gone)["code"]) == (403, "forbidden")


async def test_the_owner_changes_the_profile_as_the_seed_shows(
    client: httpx.AsyncClient,
    mailbox: Mailbox,
    admin_conn: asyncpg.Connection,
    settings: Settings,
) -> None:
    me = await owner(client, mailbox, admin_conn, "owner@demo.example", "Demo Clinic")
    path = f"/v1/organizations/{me.org_id}"
    body = {k: v for k, v in DEMO.items() if k != "slug"} | {"name": "Demo Clinic NL"}
    changed = await client.patch(path, json=body, headers=v1(me))
    assert changed.status_code == 200, changed.text
    data = changed.json()["data"]
    assert {k: data[k] for k in body} == body
    audit = await admin_conn.fetchval(
        "SELECT count(*) FROM audit_events WHERE organization_id = $1"
        " AND action = 'organization.update'",
        me.org_id,
    )
    assert audit == 1
    # Only the fields sent change; sending the same again writes no audit row.
    again = await client.patch(path, json={"name": "Demo Clinic NL"}, headers=v1(me))
    assert again.json()["data"]["tagline"] == DEMO["tagline"]
    assert (
        await admin_conn.fetchval(
            "SELECT count(*) FROM audit_events WHERE organization_id = $1"
            " AND action = 'organization.update'",
            me.org_id,
        )
        == 1
    )
    for sent, field in (
        ({"slug": "another"}, "slug"),
        ({"logo_url": "not a url"}, "logo_url"),
        ({"language_code": "English"}, "language_code"),
        ({"name": ""}, "name"),
    ):
        refused = await client.patch(path, json=sent, headers=v1(me))
        assert refused.status_code == 400, (sent, refused.text)
        problem = error(refused)
        assert problem["code"] == "validation_error"
        assert field in problem["fields"], problem
    broken = await client.patch(path, content=b"{", headers={**v1(me), "Content-Type": JSON})
    assert (broken.status_code, error(broken)["code"]) == (400, "invalid_body")
    nurse = await member(client, admin_conn, settings, me.org_id, "nurse@demo.example", "admin")
    denied = await client.patch(path, json={"name": "Admins' clinic"}, headers=v1(nurse))
    assert (denied.status_code, error(denied)["code"]) == (403, "forbidden")


async def test_only_a_platform_operator_opens_an_organization(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "ops@platform.example", "Platform")
    refused = await client.post("/v1/organizations", json=DEMO, headers=v1(me))
    assert (refused.status_code, error(refused)["code"]) == (403, "forbidden")
    assert await admin_conn.fetchval("SELECT count(*) FROM organizations") == 1
    await make_operator(admin_conn, me)
    made = await client.post("/v1/organizations", json=DEMO, headers=v1(me))
    assert made.status_code == 201, made.text
    data = made.json()["data"]
    assert set(data) == SEED_KEYS
    assert {k: data[k] for k in DEMO} == DEMO
    org_id = UUID(data["id"])
    assert org_id.version == 7
    roles = await admin_conn.fetch(
        "SELECT code FROM roles WHERE organization_id = $1 ORDER BY code", org_id
    )
    assert [r["code"] for r in roles] == ["admin", "member", "owner", "permissionless"]
    assert (
        await admin_conn.fetchval(
            "SELECT count(*) FROM memberships WHERE organization_id = $1", org_id
        )
        == 0
    )
    audit = await admin_conn.fetchrow(
        "SELECT action, actor_user_id FROM audit_events WHERE organization_id = $1", org_id
    )
    assert audit["action"] == "organization.create"
    assert audit["actor_user_id"] is not None
    taken = await client.post("/v1/organizations", json=DEMO, headers=v1(me))
    assert (taken.status_code, error(taken)["code"]) == (409, "conflict")
    for slug in ("Demo", "demo--clinic", "-demo", "demo_clinic", "x" * 64):
        bad = await client.post(
            "/v1/organizations", json={"name": "X", "slug": slug}, headers=v1(me)
        )
        assert bad.status_code == 400, (slug, bad.text)
        assert "slug" in error(bad)["fields"]
    missing = await client.post("/v1/organizations", json={"name": "X"}, headers=v1(me))
    assert "slug" in error(missing)["fields"]
    # The operator lists every organization; an owner still only their own.
    listed = await client.get("/v1/organizations", headers=v1(me))
    assert {o["slug"] for o in listed.json()["data"]} >= {"demo-clinic", data["slug"]}
    assert len(listed.json()["data"]) == 2
    # Seeing every profile is all the role gives: the new organization's own routes are not
    # reachable without a membership there.
    there = v1(me, **{"X-Organization-ID": str(org_id)})
    assert (await client.get(f"/v1/organizations/{org_id}", headers=there)).status_code == 403


async def test_the_app_role_cannot_grant_the_operator_role(
    app_conn: asyncpg.Connection, client: httpx.AsyncClient, mailbox: Mailbox,
    admin_conn: asyncpg.Connection,
) -> None:  # fmt: skip
    me = await owner(client, mailbox, admin_conn, "sneaky@one.example", "One")
    user_id = await admin_conn.fetchval("SELECT id FROM users WHERE email = $1", me.email)
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await app_conn.execute(
            "INSERT INTO platform_operators (user_id, granted_by) VALUES ($1, 'me')", user_id
        )
    assert await app_conn.fetchval("SELECT count(*) FROM platform_operators") == 0


async def test_the_command_line_grants_and_revokes_the_operator_role(
    client: httpx.AsyncClient,
    mailbox: Mailbox,
    admin_conn: asyncpg.Connection,
    db: Database,
) -> None:
    me = await owner(client, mailbox, admin_conn, "ops@platform.example", "Platform")
    env = {**os.environ, "DATABASE_URL": db.app, "MIGRATION_DATABASE_URL": db.owner}
    typed = "Ops@Platform.example"  # addresses are compared normalized
    command = [sys.executable, "-m", "service", "grant-operator", "--email", typed]
    granted = await cli(command, env)
    assert granted.returncode == 0, granted.stderr
    assert '"operator": true' in granted.stdout
    assert await admin_conn.fetchval("SELECT count(*) FROM platform_operators") == 1
    listed = await client.get("/v1/organizations", headers=v1(me))
    assert listed.status_code == 200
    revoked = await cli([*command, "--revoke"], env)
    assert revoked.returncode == 0, revoked.stderr
    assert await admin_conn.fetchval("SELECT count(*) FROM platform_operators") == 0
    nobody = await cli(
        [sys.executable, "-m", "service", "grant-operator", "--email", "nobody@x.example"], env
    )
    assert nobody.returncode == 2
    assert "no account" in nobody.stderr


async def test_paths_and_methods_that_do_not_exist_answer_in_the_seed_envelope(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "lost@one.example", "One")
    missing = await client.get("/v1/nothing-here", headers=v1(me))
    assert (missing.status_code, error(missing)["code"]) == (404, "not_found")
    wrong = await client.put(f"/v1/organizations/{me.org_id}", json={}, headers=v1(me))
    assert (wrong.status_code, error(wrong)["code"]) == (405, "method_not_allowed")
    anonymous = await client.get("/v1/organizations", headers={"Accept": JSON})
    assert (anonymous.status_code, error(anonymous)["code"]) == (401, "unauthorized")


async def test_an_app_clients_own_token_is_refused(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "robots@one.example", "One")
    robot = await registered(client, me, await role_id(admin_conn, me.org_id, "admin"))
    attributes = robot["attributes"]
    issued = await token(client, attributes["clientId"], attributes["clientSecret"])
    headers = {"Authorization": f"Bearer {issued.json()['access_token']}", "Accept": JSON}
    for answer in (
        await client.get("/v1/organizations", headers=headers),
        await client.get(f"/v1/organizations/{me.org_id}", headers=headers),
        await client.patch(f"/v1/organizations/{me.org_id}", json={"name": "X"}, headers=headers),
    ):
        assert (answer.status_code, error(answer)["code"]) == (403, "forbidden"), answer.text


async def test_a_failed_audit_write_is_a_500_that_leaks_nothing_and_writes_nothing(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "audited@one.example", "Audited")
    await admin_conn.execute(
        """
        CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'the audit trail is full'; END $$;
        CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events
            FOR EACH ROW WHEN (NEW.action = 'organization.update') EXECUTE FUNCTION refuse_audit();
        """
    )
    path = f"/v1/organizations/{me.org_id}"
    failed = await client.patch(path, json={"name": "Renamed"}, headers=v1(me))
    assert failed.status_code == 500
    problem = error(failed)
    assert problem["code"] == "internal_error"
    assert "audit" not in failed.text
    name = await admin_conn.fetchval("SELECT name FROM organizations WHERE id = $1", me.org_id)
    assert name == "Audited"
