"""Seed 002's custom domains against a real DNS server on loopback: the seed's requests as
written, the TXT challenge, resolving only while verified, one verified owner per domain,
names that cannot be claimed, and who may do what."""

from __future__ import annotations

import asyncpg
import httpx

from service.config import Settings
from tests.domains.helpers import PREFIX, add, resolve, rows, v1, verify
from tests.domains.zone import Zone
from tests.roles.people import member, owner
from tests.support.flows import Mailbox
from tests.v1.test_organizations import error


async def test_the_seeds_flow_add_publish_verify_resolve_delete(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection, zone: Zone
) -> None:
    me = await owner(client, mailbox, admin_conn, "owner@restartix.example", "RestartiX")
    added = await client.post(
        f"/v1/organizations/{me.org_id}/domains",
        json={"domain": "clinic.example.com", "domain_type": "clinic"},
        headers=v1(me),
    )
    assert added.status_code == 201, added.text
    body = added.json()
    data = body["data"]
    assert set(body) == {"data", "verification"}
    assert set(data) == {
        "id", "organization_id", "domain", "domain_type", "status", "verification_token",
        "verified_at", "last_check_at", "created_at", "updated_at",
    }  # fmt: skip
    assert (data["domain"], data["domain_type"], data["status"]) == (
        "clinic.example.com", "clinic", "pending",
    )  # fmt: skip
    assert data["organization_id"] == str(me.org_id)
    assert (data["verified_at"], data["last_check_at"]) == (None, None)
    assert body["verification"] == {
        "txt_host": f"{PREFIX}.clinic.example.com",
        "txt_value": data["verification_token"],
    }
    # Pending: it does not resolve.
    assert (await resolve(client, domain="clinic.example.com")).status_code == 404
    # Not published yet: the check runs, the domain stays pending.
    early = await verify(client, me, data["id"])
    assert early.status_code == 200, early.text
    assert early.json()["data"]["status"] == "pending"
    assert early.json()["data"]["last_check_at"] is not None
    assert f"{PREFIX}.clinic.example.com" in zone.questions
    # Published (among other TXT strings): verified, and it resolves.
    zone.records[f"{PREFIX}.clinic.example.com"] = ["v=spf1 -all", data["verification_token"]]
    done = await verify(client, me, data["id"])
    assert done.json()["data"]["status"] == "verified"
    assert done.json()["data"]["verified_at"] is not None
    found = await resolve(client, domain="CLINIC.example.com")
    assert found.status_code == 200, found.text
    assert found.json() == {
        "data": {
            "id": str(me.org_id), "name": "RestartiX", "slug": found.json()["data"]["slug"],
            "logo_url": None, "icon_url": None, "language_code": None,
        }
    }  # fmt: skip
    assert found.headers["cache-control"] == "public, max-age=60"
    listed = await client.get(f"/v1/organizations/{me.org_id}/domains", headers=v1(me))
    assert [d["status"] for d in listed.json()["data"]] == ["verified"]
    actions = await admin_conn.fetch(
        "SELECT action FROM audit_events WHERE organization_id = $1 AND action LIKE 'domain.%'"
        " ORDER BY id",
        me.org_id,
    )
    assert [a["action"] for a in actions] == ["domain.create", "domain.verify"]
    gone = await client.delete(
        f"/v1/organizations/{me.org_id}/domains/{data['id']}", headers=v1(me)
    )
    assert gone.status_code == 204
    assert (await resolve(client, domain="clinic.example.com")).status_code == 404
    again = await client.delete(
        f"/v1/organizations/{me.org_id}/domains/{data['id']}", headers=v1(me)
    )
    assert (again.status_code, error(again)["code"]) == (404, "not_found")


async def test_resolve_by_slug_and_its_errors(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "owner@slug.example", "Slug Clinic")
    slug = await admin_conn.fetchval("SELECT slug FROM organizations WHERE id = $1", me.org_id)
    found = await resolve(client, slug=slug)
    assert found.status_code == 200
    assert found.json()["data"]["id"] == str(me.org_id)
    for query, status, code in (
        ({}, 400, "validation_error"),
        ({"slug": slug, "domain": "clinic.example.com"}, 400, "validation_error"),
        ({"slug": "nobody-has-this"}, 404, "organization_not_found"),
        ({"slug": slug + "x" * 63}, 404, "organization_not_found"),  # never cut to a slug
        ({"slug": ""}, 400, "validation_error"),
        ({"domain": "a..example.com"}, 400, "validation_error"),
        ({"domain": "nobody.example.org"}, 404, "organization_not_found"),
    ):
        answer = await resolve(client, **query)
        assert (answer.status_code, error(answer)["code"]) == (status, code), query


async def test_a_domain_is_verified_by_one_organization_at_a_time(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection, zone: Zone
) -> None:
    first = await owner(client, mailbox, admin_conn, "a@one.example", "One")
    second = await owner(client, mailbox, admin_conn, "b@two.example", "Two")
    mine = (await add(client, first, "shared.example.org")).json()
    theirs = (await add(client, second, "shared.example.org")).json()
    host = f"{PREFIX}.shared.example.org"
    zone.records[host] = [mine["data"]["verification_token"], theirs["data"]["verification_token"]]
    assert (await verify(client, first, mine["data"]["id"])).json()["data"]["status"] == "verified"
    refused = await verify(client, second, theirs["data"]["id"])
    assert (refused.status_code, error(refused)["code"]) == (409, "conflict")
    found = await resolve(client, domain="shared.example.org")
    assert found.json()["data"]["id"] == str(first.org_id)
    # The same organization cannot add it twice either.
    twice = await add(client, first, "shared.example.org")
    assert (twice.status_code, error(twice)["code"]) == (409, "conflict")
    # Another organization's token in the record proves nothing for this one.
    zone.records[host] = [theirs["data"]["verification_token"]]
    lost = await verify(client, first, mine["data"]["id"])
    assert lost.json()["data"]["status"] == "pending"
    assert (await resolve(client, domain="shared.example.org")).status_code == 404


async def test_names_that_cannot_be_claimed(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "owner@claims.example", "Claims")
    for name in (
        "com", "co.uk", "github.io",  # public suffixes
        "auth.example.test", "x.auth.example.test", "example.test",  # this service's host
        "localhost", "127.0.0.1", "-bad-.example.com", "a..example.com", "x" * 64 + ".example.com",
        "exa mple.com", "",
    ):  # fmt: skip
        answer = await add(client, me, name)
        assert answer.status_code == 400, (name, answer.text)
        problem = error(answer)
        assert problem["code"] == "validation_error"
        assert "domain" in problem["fields"], (name, problem)
    kind = await add(client, me, "ok.example.com", kind="website")
    assert "domain_type" in error(kind)["fields"]
    unknown = await client.post(
        f"/v1/organizations/{me.org_id}/domains",
        json={"domain": "ok.example.com", "domain_type": "clinic", "status": "verified"},
        headers=v1(me),
    )
    assert unknown.status_code == 400
    assert await admin_conn.fetchval("SELECT count(*) FROM organization_domains") == 0


async def test_a_name_is_stored_in_one_form(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection, zone: Zone
) -> None:
    me = await owner(client, mailbox, admin_conn, "owner@forms.example", "Forms")
    added = await add(client, me, " Bücher.Example.DE. ", kind="portal")
    assert added.status_code == 201, added.text
    data = added.json()["data"]
    assert (data["domain"], data["domain_type"]) == ("xn--bcher-kva.example.de", "portal")
    assert added.json()["verification"]["txt_host"] == f"{PREFIX}.xn--bcher-kva.example.de"
    for same in ("XN--BCHER-KVA.example.de", "bücher.example.de."):
        twice = await add(client, me, same)
        assert (twice.status_code, error(twice)["code"]) == (409, "conflict"), same
        assert "domain" in error(twice)["fields"]
    zone.records[f"{PREFIX}.xn--bcher-kva.example.de"] = [data["verification_token"]]
    assert (await verify(client, me, data["id"])).json()["data"]["status"] == "verified"
    for asked in ("bücher.example.de", "XN--BCHER-KVA.EXAMPLE.DE."):
        found = await resolve(client, domain=asked)
        assert found.json()["data"]["id"] == str(me.org_id), asked


async def test_members_without_the_permission_and_other_organizations_get_nothing(
    client: httpx.AsyncClient,
    mailbox: Mailbox,
    admin_conn: asyncpg.Connection,
    settings: Settings,
    zone: Zone,
) -> None:
    me = await owner(client, mailbox, admin_conn, "owner@guarded.example", "Guarded")
    nurse = await member(client, admin_conn, settings, me.org_id, "nurse@guarded.example", "member")
    stranger = await owner(client, mailbox, admin_conn, "owner@other.example", "Other")
    added = (await add(client, me, "guarded.example.net")).json()["data"]
    token = added["verification_token"]
    zone.records[f"{PREFIX}.guarded.example.net"] = [token]  # published: only who may, may
    stored = await rows(admin_conn)
    path = f"/v1/organizations/{me.org_id}/domains"
    for answer in (
        await client.get(path, headers=v1(nurse)),
        await add(client, nurse, "nurse.example.net"),
        await verify(client, nurse, added["id"]),
        await client.delete(f"{path}/{added['id']}", headers=v1(nurse)),
    ):
        assert (answer.status_code, error(answer)["code"]) == (403, "forbidden")
        assert token not in answer.text
    # Another organization's owner, with this organization's ids or by the header.
    for answer in (
        await client.get(path, headers=v1(stranger)),
        await client.delete(f"{path}/{added['id']}", headers=v1(stranger)),
    ):
        assert (answer.status_code, error(answer)["code"]) == (404, "organization_not_found")
        assert token not in answer.text
    own = f"/v1/organizations/{stranger.org_id}/domains/{added['id']}"
    for answer in (
        await client.delete(own, headers=v1(stranger)),
        await client.post(f"{own}/verify", headers=v1(stranger)),
    ):
        assert (answer.status_code, error(answer)["code"]) == (404, "not_found")
    header = {**v1(stranger), "X-Organization-ID": str(me.org_id)}
    named = await client.get(path, headers=header)
    assert (named.status_code, error(named)["code"]) == (403, "forbidden")
    assert token not in named.text
    assert await rows(admin_conn) == stored  # still pending, never checked, still there
    assert (
        await admin_conn.fetchval(
            "SELECT count(*) FROM audit_events WHERE action IN ('domain.verify', 'domain.delete')"
        )
        == 0
    )
