"""A role that holds a permission the actor lacks is beyond their reach: an admin cannot
strip, rename or delete it, nor revoke or resend an invitation to it."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx

from service.config import Settings
from tests.roles.people import Member, changes, create, member, owner
from tests.support.flows import Mailbox

CLINICAL = ["users.read", "fhir:Patient.read"]


async def _boss_and_admin(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection, settings: Settings
) -> tuple[Member, Member]:
    boss = await owner(client, mailbox, admin_conn, "boss@reach.org")
    admin = await member(client, admin_conn, settings, boss.org_id, "admin@reach.org", "admin")
    return boss, admin


def _forbidden(response: httpx.Response, lacking: str) -> None:
    assert response.status_code == 403, response.text
    [error] = response.json()["errors"]
    assert error["code"] == "forbidden"
    assert lacking in error["detail"]


async def test_an_admin_cannot_strip_rename_or_delete_a_role_beyond_them(
    client: httpx.AsyncClient,
    mailbox: Mailbox,
    admin_conn: asyncpg.Connection,
    settings: Settings,
) -> None:
    boss, admin = await _boss_and_admin(client, mailbox, admin_conn, settings)
    clinician = await create(client, boss, name="Clinician", permissions=CLINICAL)
    path = f"/auth/roles/{clinician['id']}"

    stripped = await client.patch(
        path, json=changes(permissions=["users.read"]), headers=admin.headers
    )
    _forbidden(stripped, "fhir:Patient.read")
    _forbidden(await client.patch(path, json=changes(name="Nobody"), headers=admin.headers), "fhir")
    _forbidden(await client.delete(path, headers=admin.headers), "fhir:Patient.read")

    stored = await admin_conn.fetchrow(
        "SELECT name, permissions FROM roles WHERE id = $1::uuid", clinician["id"]
    )
    assert (stored["name"], stored["permissions"]) == ("Clinician", CLINICAL)
    events = await admin_conn.fetchval(
        "SELECT count(*) FROM audit_events WHERE resource_id = $1 AND action <> 'role.create'",
        clinician["id"],
    )
    assert events == 0

    # A role within the admin's own permissions stays theirs to change and delete.
    helpers = await create(client, admin, name="Helpers", permissions=["users.read"])
    helpers_path = f"/auth/roles/{helpers['id']}"
    renamed = await client.patch(helpers_path, json=changes(name="Aides"), headers=admin.headers)
    assert renamed.status_code == 200, renamed.text
    assert (await client.delete(helpers_path, headers=admin.headers)).status_code == 204
    # The owner, who holds everything, still may.
    assert (await client.delete(path, headers=boss.headers)).status_code == 204


async def _invite(client: httpx.AsyncClient, who: Member, email: str, role: str) -> str:
    response = await client.post(
        "/auth/invite",
        json={"email": email, "role": role},
        headers={**who.headers, "Accept": "application/json"},
    )
    assert response.status_code == 201, response.text
    invitation_id: str = response.json()["invitationId"]
    return invitation_id


async def _invitation(admin_conn: asyncpg.Connection, invitation_id: str) -> dict[str, Any]:
    row = await admin_conn.fetchrow(
        "SELECT status, token_hash, expires_at FROM invitations WHERE id = $1::uuid",
        invitation_id,
    )
    return dict(row)


async def test_an_admin_cannot_revoke_or_resend_an_invitation_to_a_role_beyond_them(
    client: httpx.AsyncClient,
    mailbox: Mailbox,
    admin_conn: asyncpg.Connection,
    settings: Settings,
) -> None:
    boss, admin = await _boss_and_admin(client, mailbox, admin_conn, settings)
    clinician = await create(client, boss, name="Clinician", permissions=CLINICAL)
    code = clinician["attributes"]["code"]
    invited = await _invite(client, boss, "doctor@elsewhere.org", code)
    before = await _invitation(admin_conn, invited)

    resent = await client.post(f"/auth/invitations/{invited}/resend", headers=admin.headers)
    _forbidden(resent, "fhir:Patient.read")
    revoked = await client.delete(f"/auth/invitations/{invited}", headers=admin.headers)
    _forbidden(revoked, "fhir:Patient.read")

    assert await _invitation(admin_conn, invited) == before  # still pending, same link
    mails = "SELECT count(*) FROM mail_outbox WHERE recipient = 'doctor@elsewhere.org'"
    assert await admin_conn.fetchval(mails) == 1  # the invitation's own, no second link
    actions = await admin_conn.fetch(
        "SELECT action FROM audit_events WHERE resource_id = $1 ORDER BY id", invited
    )
    assert [r["action"] for r in actions] == ["invitation.create"]

    # An invitation to a role within the admin's permissions is theirs to manage.
    helpers = await create(client, admin, name="Helpers", permissions=["users.read"])
    mine = await _invite(client, admin, "aide@elsewhere.org", helpers["attributes"]["code"])
    again = await client.post(f"/auth/invitations/{mine}/resend", headers=admin.headers)
    assert again.status_code == 200, again.text
    gone = await client.delete(f"/auth/invitations/{mine}", headers=admin.headers)
    assert gone.status_code == 204
    assert (await _invitation(admin_conn, mine))["status"] == "revoked"
