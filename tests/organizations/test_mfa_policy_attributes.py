"""The organization's multi-factor policy as attributes of ``auth/organizations``: shown on
every answer, changed by PATCH (only what is sent) with its audit event, refused with a
pointer when out of range or of the wrong type, and out of reach of anyone without
``organization.update`` here, whichever organization they come from."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import asyncpg
import httpx

from service.config import Settings
from service.db.tx import set_tenant
from service.organizations import repo
from tests.support import factories
from tests.support.accounts import bearer, signed_up
from tests.support.flows import Mailbox
from tests.users.helpers import member_with_role, org_of, token_for

OWNER = "boss@clinic.org"
DEFAULTS = {"mfaRequired": False, "mfaRepromptHours": 72}


async def _owner(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> tuple[dict[str, str], str]:
    """The owner's bearer header and their organization's id."""
    headers = bearer(await signed_up(client, mailbox, OWNER, organizationName="Clinic"))
    return headers, str(await org_of(admin_conn, OWNER))


async def _patch(
    client: httpx.AsyncClient, org: str, headers: dict[str, str], **attributes: Any
) -> httpx.Response:
    body = {"data": {"type": "auth/organizations", "id": org, "attributes": attributes}}
    return await client.patch(f"/auth/organizations/{org}", json=body, headers=headers)


def _policy_of(attributes: dict[str, Any]) -> dict[str, Any]:
    return {k: attributes[k] for k in DEFAULTS}


async def _stored(admin_conn: asyncpg.Connection, org: str) -> tuple[Any, ...]:
    """What the database holds, seen past row-level security."""
    row = await admin_conn.fetchrow(
        "SELECT name, mfa_required, mfa_reprompt_hours, updated_at FROM organizations"
        " WHERE id = $1",
        UUID(org),
    )
    return tuple(row)


async def _updates(admin_conn: asyncpg.Connection, org: str) -> list[dict[str, Any]]:
    rows = await admin_conn.fetch(
        "SELECT changes FROM audit_events WHERE organization_id = $1"
        " AND action = 'organization.update' ORDER BY created_at, id",
        UUID(org),
    )
    return [json.loads(r["changes"]) for r in rows]


async def test_the_defaults_are_shown_on_get_and_in_the_list(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    owner, org = await _owner(client, mailbox, admin_conn)
    shown = await client.get(f"/auth/organizations/{org}", headers=owner)
    assert shown.status_code == 200, shown.text
    assert _policy_of(shown.json()["data"]["attributes"]) == DEFAULTS
    [listed] = (await client.get("/auth/organizations", headers=owner)).json()["data"]
    assert _policy_of(listed["attributes"]) == DEFAULTS


async def test_the_owner_changes_the_policy_and_reads_it_back(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    owner, org = await _owner(client, mailbox, admin_conn)
    changed = await _patch(client, org, owner, mfaRequired=True, mfaRepromptHours=12)
    assert changed.status_code == 200, changed.text
    wanted = {"mfaRequired": True, "mfaRepromptHours": 12}
    assert _policy_of(changed.json()["data"]["attributes"]) == wanted
    shown = (await client.get(f"/auth/organizations/{org}", headers=owner)).json()
    assert _policy_of(shown["data"]["attributes"]) == wanted
    assert shown["data"]["attributes"]["name"] == "Clinic"
    assert await _updates(admin_conn, org) == [
        {
            "mfa_required": {"before": False, "after": True},
            "mfa_reprompt_hours": {"before": 72, "after": 12},
        }
    ]
    # Only what is sent changes; both ends of the range are taken.
    for hours in (0, 2160):
        again = await _patch(client, org, owner, mfaRepromptHours=hours)
        assert again.status_code == 200, again.text
        assert _policy_of(again.json()["data"]["attributes"]) == {
            "mfaRequired": True,
            "mfaRepromptHours": hours,
        }
    assert len(await _updates(admin_conn, org)) == 3
    # The same values again change nothing and record nothing.
    assert (await _patch(client, org, owner, mfaRequired=True)).status_code == 200
    assert len(await _updates(admin_conn, org)) == 3
    # A profile field and a policy field in one body: one event with both.
    both = await _patch(client, org, owner, name="Clinic Two", mfaRequired=False)
    assert both.status_code == 200, both.text
    assert (await _updates(admin_conn, org))[-1] == {
        "name": {"before": "Clinic", "after": "Clinic Two"},
        "mfa_required": {"before": True, "after": False},
    }


async def test_invalid_values_are_refused_with_their_pointer_and_nothing_is_written(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    owner, org = await _owner(client, mailbox, admin_conn)
    before = await _stored(admin_conn, org)
    hours, required = "/data/attributes/mfaRepromptHours", "/data/attributes/mfaRequired"
    for attributes, pointers in [
        ({"mfaRepromptHours": -1}, [hours]),
        ({"mfaRepromptHours": 2161}, [hours]),
        ({"mfaRepromptHours": "x"}, [hours]),
        ({"mfaRepromptHours": None}, [hours]),
        ({"mfaRepromptHours": 1.5}, [hours]),
        ({"mfaRequired": None}, [required]),
        ({"mfaRequired": "true"}, [required]),
        ({"name": "Renamed", "mfaRequired": True, "mfaRepromptHours": 9999}, [hours]),
        ({"mfaRequired": 1, "mfaRepromptHours": True}, [required, hours]),
    ]:
        refused = await _patch(client, org, owner, **attributes)
        assert refused.status_code == 400, (attributes, refused.text)
        errors = refused.json()["errors"]
        assert sorted(e["source"]["pointer"] for e in errors) == sorted(pointers), attributes
        assert {e["code"] for e in errors} == {"validation_error"}
    assert await _stored(admin_conn, org) == before
    assert await _updates(admin_conn, org) == []


async def test_a_member_without_organization_update_is_refused(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection, settings: Settings
) -> None:
    _, org = await _owner(client, mailbox, admin_conn)
    before = await _stored(admin_conn, org)
    for email, code in [("admin@clinic.org", "admin"), ("nurse@clinic.org", "member")]:
        await member_with_role(admin_conn, settings, UUID(org), email, code)
        headers = await token_for(client, email)
        shown = (await client.get(f"/auth/organizations/{org}", headers=headers)).json()
        assert _policy_of(shown["data"]["attributes"]) == DEFAULTS  # members may read it
        refused = await _patch(client, org, headers, mfaRequired=True, mfaRepromptHours=1)
        assert refused.status_code == 403, refused.text
    assert await _stored(admin_conn, org) == before
    assert await _updates(admin_conn, org) == []


async def test_another_organizations_owner_cannot_change_this_policy(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    _, org = await _owner(client, mailbox, admin_conn)
    stranger = bearer(await signed_up(client, mailbox, "boss@lab.org", organizationName="Lab"))
    lab = str(await org_of(admin_conn, "boss@lab.org"))
    before, lab_before = await _stored(admin_conn, org), await _stored(admin_conn, lab)
    # Holding organization.update in Lab reaches Clinic neither by its path nor by its id in
    # the body of a PATCH to Lab.
    missing = await _patch(client, org, stranger, mfaRequired=True, mfaRepromptHours=0)
    assert missing.status_code == 404, missing.text
    assert missing.json()["errors"][0]["code"] == "organization_not_found"
    assert (await client.get(f"/auth/organizations/{org}", headers=stranger)).status_code == 404
    body = {"data": {"type": "auth/organizations", "id": org, "attributes": {"mfaRequired": True}}}
    crossed = await client.patch(f"/auth/organizations/{lab}", json=body, headers=stranger)
    assert crossed.status_code == 409, crossed.text
    assert await _stored(admin_conn, org) == before
    assert await _stored(admin_conn, lab) == lab_before
    assert await _updates(admin_conn, org) == []
    assert await _updates(admin_conn, lab) == []


async def test_mfa_policy_reads_the_tenants_own_policy(
    client: httpx.AsyncClient,
    mailbox: Mailbox,
    admin_conn: asyncpg.Connection,
    app_conn: asyncpg.Connection,
) -> None:
    owner, org = await _owner(client, mailbox, admin_conn)
    other = await factories.organization(app_conn, "Other")
    changed = await _patch(client, org, owner, mfaRequired=True, mfaRepromptHours=5)
    assert changed.status_code == 200, changed.text
    async with app_conn.transaction():
        await set_tenant(app_conn, org_id=UUID(org), user_id=None)
        assert await repo.mfa_policy(app_conn, UUID(org)) == repo.MfaPolicy(
            required=True, reprompt_hours=5
        )
        # Row-level security: another organization's policy is not there to read.
        assert await repo.mfa_policy(app_conn, other) is None
    async with app_conn.transaction():
        await set_tenant(app_conn, org_id=other, user_id=None)
        assert await repo.mfa_policy(app_conn, other) == repo.MfaPolicy(False, 72)
        assert await repo.mfa_policy(app_conn, UUID(org)) is None
