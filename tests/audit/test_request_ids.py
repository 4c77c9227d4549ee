"""The audit trail's request id is the service's own; a client's X-Request-ID stays apart."""

from __future__ import annotations

import asyncpg
import httpx

from tests.roles.people import changes, create, owner
from tests.support.flows import Mailbox


async def test_a_client_cannot_choose_the_request_id_of_an_audit_event(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "traced@clinic.org")
    role = await create(client, me, name="Traced", permissions=["users.read"])
    path = f"/auth/roles/{role['id']}"
    first = await client.patch(
        path,
        json=changes(name="Traced once"),
        headers={**me.headers, "X-Request-ID": "client-trace-0001"},
    )
    assert first.status_code == 200, first.text
    # Replaying the service's own id for the first change, to pass a second one off as it.
    second = await client.patch(
        path,
        json=changes(name="Traced twice"),
        headers={**me.headers, "X-Request-ID": first.headers["x-request-id"]},
    )
    assert second.status_code == 200, second.text

    rows = await admin_conn.fetch(
        "SELECT request_id, client_request_id FROM audit_events"
        " WHERE action = 'role.update' ORDER BY id"
    )
    served = [first.headers["x-request-id"], second.headers["x-request-id"]]
    assert [r["request_id"] for r in rows] == served
    assert "client-trace-0001" not in served
    assert served[0] != served[1]
    assert [r["client_request_id"] for r in rows] == ["client-trace-0001", served[0]]

    listed = await client.get(
        "/auth/audit-events", params={"filter[action]": "role.update"}, headers=me.headers
    )
    assert listed.status_code == 200, listed.text
    seen = {
        (e["attributes"]["requestId"], e["attributes"]["clientRequestId"])
        for e in listed.json()["data"]
    }
    assert seen == {(served[0], "client-trace-0001"), (served[1], served[0])}


async def test_a_malformed_client_request_id_is_not_kept(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "hostile@clinic.org")
    role = await create(client, me, name="Hostile", permissions=[])
    patched = await client.patch(
        f"/auth/roles/{role['id']}",
        json=changes(name="Renamed"),
        headers={**me.headers, "X-Request-ID": "x" * 65},
    )
    assert patched.status_code == 200, patched.text
    row = await admin_conn.fetchrow(
        "SELECT request_id, client_request_id FROM audit_events WHERE action = 'role.update'"
    )
    assert (row["request_id"], row["client_request_id"]) == (patched.headers["x-request-id"], None)
