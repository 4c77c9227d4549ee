"""What a custom domain's status does over time: the janitor's re-check sends a domain whose
record is gone back to pending (it stops resolving), and DNS that cannot tell (a failing
resolver) changes no status, on a verify or a re-check."""

from __future__ import annotations

import asyncpg
import httpx

from service.config import Settings
from tests.domains.helpers import PREFIX, add, rechecked, resolve, verify
from tests.domains.zone import Zone
from tests.roles.people import owner
from tests.support.flows import Mailbox

LONG_AGO = "UPDATE organization_domains SET last_check_at = now() - interval '2 days'"


async def test_the_recheck_stops_a_domain_whose_record_is_gone(
    client: httpx.AsyncClient,
    mailbox: Mailbox,
    admin_conn: asyncpg.Connection,
    settings: Settings,
    zone: Zone,
) -> None:
    me = await owner(client, mailbox, admin_conn, "owner@recheck.example", "Recheck")
    kept = (await add(client, me, "kept.example.org")).json()["data"]
    lost = (await add(client, me, "lost.example.org")).json()["data"]
    idle = (await add(client, me, "idle.example.org")).json()["data"]  # never verified
    zone.records[f"{PREFIX}.kept.example.org"] = [kept["verification_token"]]
    zone.records[f"{PREFIX}.lost.example.org"] = [lost["verification_token"]]
    for domain in (kept, lost):
        assert (await verify(client, me, domain["id"])).json()["data"]["status"] == "verified"
    del zone.records[f"{PREFIX}.lost.example.org"]
    assert await rechecked(settings) == 0  # checked just now: not due yet
    await admin_conn.execute(LONG_AGO)
    zone.records[f"{PREFIX}.idle.example.org"] = [idle["verification_token"]]
    assert await rechecked(settings) == 2  # the verified ones only
    assert (await resolve(client, domain="kept.example.org")).status_code == 200
    assert (await resolve(client, domain="lost.example.org")).status_code == 404
    assert (await resolve(client, domain="idle.example.org")).status_code == 404
    stored = {
        row["domain"]: row
        for row in await admin_conn.fetch(
            "SELECT domain, status, verified_at, last_check_at > now() - interval '1 minute'"
            " AS fresh FROM organization_domains"
        )
    }
    assert (stored["kept.example.org"]["status"], stored["kept.example.org"]["fresh"]) == (
        "verified", True,
    )  # fmt: skip
    assert (stored["lost.example.org"]["status"], stored["lost.example.org"]["verified_at"]) == (
        "pending", None,
    )  # fmt: skip
    assert (stored["idle.example.org"]["status"], stored["idle.example.org"]["fresh"]) == (
        "pending", False,
    )  # fmt: skip
    audit = await admin_conn.fetch(
        "SELECT actor_kind, actor_user_id, resource_id FROM audit_events"
        " WHERE action = 'domain.verify' AND actor_kind = 'system'"
    )
    assert [(a["resource_id"], a["actor_user_id"]) for a in audit] == [(lost["id"], None)]
    assert await rechecked(settings) == 0  # the one still verified was just looked at


async def test_a_resolver_failing_changes_no_status(
    client: httpx.AsyncClient,
    mailbox: Mailbox,
    admin_conn: asyncpg.Connection,
    settings: Settings,
    zone: Zone,
) -> None:
    me = await owner(client, mailbox, admin_conn, "owner@servfail.example", "Servfail")
    up = (await add(client, me, "up.example.org")).json()["data"]
    waiting = (await add(client, me, "waiting.example.org")).json()["data"]
    zone.records[f"{PREFIX}.up.example.org"] = [up["verification_token"]]
    zone.records[f"{PREFIX}.waiting.example.org"] = [waiting["verification_token"]]
    assert (await verify(client, me, up["id"])).json()["data"]["status"] == "verified"
    zone.failing = True
    # A verify while DNS cannot tell: 200, the status as it was, the check's time recorded.
    for domain, status in ((waiting, "pending"), (up, "verified")):
        answer = await verify(client, me, domain["id"])
        assert answer.status_code == 200, answer.text
        assert answer.json()["data"]["status"] == status
        assert answer.json()["data"]["last_check_at"] is not None
    # The janitor's re-check changes nothing either, and looks again at the next sweep.
    await admin_conn.execute(LONG_AGO)
    assert await rechecked(settings) == 1
    assert (await resolve(client, domain="up.example.org")).status_code == 200
    assert await rechecked(settings) == 1  # still due
    # Once DNS answers that the record is gone, the domain stops resolving.
    zone.failing = False
    del zone.records[f"{PREFIX}.up.example.org"]
    assert await rechecked(settings) == 1
    assert (await resolve(client, domain="up.example.org")).status_code == 404
    assert await rechecked(settings) == 0
