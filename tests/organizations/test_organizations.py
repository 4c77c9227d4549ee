"""Several organizations per person: listing, choosing, switching, and the profile."""

from __future__ import annotations

import asyncpg
import httpx

from service.config import Settings
from service.operators import provision
from tests.support.accounts import PASSWORD, bearer, login, signed_up
from tests.support.flows import Mailbox, link_in
from tests.users.helpers import member_with_role, org_of, token_for

PERSON = "person@clinic.org"


async def _refresh(client: httpx.AsyncClient, token: str, org: str | None = None) -> httpx.Response:
    data = {"grant_type": "refresh_token", "refresh_token": token}
    if org:
        data["organization_id"] = org
    return await client.post("/auth/token", data=data)


async def _two_orgs(client: httpx.AsyncClient, mailbox: Mailbox) -> tuple[dict, str]:
    """PERSON owns 'Clinic' and was invited into 'Lab'; returns (tokens, lab id)."""
    tokens = await signed_up(client, mailbox, PERSON, organizationName="Clinic")
    lab_owner = bearer(await signed_up(client, mailbox, "lab@lab.org", organizationName="Lab"))
    invited = await client.post(
        "/auth/invite", json={"email": PERSON, "role": "member"}, headers=lab_owner
    )
    _, token = link_in(await mailbox.next_to(PERSON, after=1))
    body = {"token": token, "password": PASSWORD}
    assert (await client.post("/auth/invitations/accept", json=body)).status_code == 200
    lab = (await client.get("/auth/organizations", headers=lab_owner)).json()["data"][0]["id"]
    assert invited.status_code == 201
    return tokens, lab


async def test_list_choose_and_switch(client: httpx.AsyncClient, mailbox: Mailbox) -> None:
    tokens, lab = await _two_orgs(client, mailbox)
    listed = (await client.get("/auth/organizations", headers=bearer(tokens))).json()["data"]
    assert {o["attributes"]["name"]: o["meta"]["role"] for o in listed} == {
        "Clinic": "owner",
        "Lab": "member",
    }
    assert [o["attributes"]["name"] for o in listed if o["meta"]["current"]] == ["Clinic"]
    # Switch with the refresh grant; the choice survives the next refresh.
    switched = await _refresh(client, tokens["refresh_token"], lab)
    assert switched.status_code == 200, switched.text
    again = await _refresh(client, switched.json()["refresh_token"])
    me = (await client.get("/auth/me", headers=bearer(again.json()))).json()["data"]
    assert me["relationships"]["auth/organizations"]["data"]["id"] == lab
    # The next password login goes where the user was last.
    latest = (await login(client, PERSON)).json()
    me = (await client.get("/auth/me", headers=bearer(latest))).json()["data"]
    assert me["relationships"]["auth/organizations"]["data"]["id"] == lab


async def test_never_a_token_for_an_organization_left(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    tokens, lab = await _two_orgs(client, mailbox)
    await admin_conn.execute(
        "DELETE FROM memberships WHERE organization_id = $1"
        " AND user_id = (SELECT id FROM users WHERE email = $2)",
        lab,
        PERSON,
    )
    assert (await _refresh(client, tokens["refresh_token"], lab)).status_code == 400
    assert (await login(client, PERSON, organization_id=lab)).status_code == 401
    stranger = "0190af3b-1c2e-7c00-8a4f-b2d9c4e5f100"
    assert (await login(client, PERSON, organization_id=stranger)).status_code == 401
    # The session in the other organization is untouched.
    assert (await _refresh(client, tokens["refresh_token"])).status_code == 200


async def test_profile_read_and_update(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection, settings: Settings
) -> None:
    owner = bearer(await signed_up(client, mailbox, "boss@clinic.org"))
    org = str(await org_of(admin_conn, "boss@clinic.org"))
    shown = await client.get(f"/auth/organizations/{org}", headers=owner)
    assert shown.status_code == 200
    slug = shown.json()["data"]["attributes"]["slug"]
    assert slug == "city-general-hospital"
    body = {
        "data": {
            "type": "auth/organizations",
            "id": org,
            "attributes": {
                "name": "City General",
                "website": "https://cgh.example",
                "languageCode": "en",
            },
        }
    }
    changed = await client.patch(f"/auth/organizations/{org}", json=body, headers=owner)
    assert changed.status_code == 200, changed.text
    attributes = changed.json()["data"]["attributes"]
    assert (attributes["name"], attributes["website"], attributes["slug"]) == (
        "City General",
        "https://cgh.example",
        slug,
    )
    body["data"]["attributes"] = {"slug": "other", "website": "ftp://x", "email": "nope"}
    refused = await client.patch(f"/auth/organizations/{org}", json=body, headers=owner)
    assert refused.status_code == 400
    pointers = {e["source"]["pointer"] for e in refused.json()["errors"]}
    assert pointers == {"/data/attributes/slug"}
    body["data"]["attributes"] = {"website": "ftp://x", "email": "nope"}
    refused = await client.patch(f"/auth/organizations/{org}", json=body, headers=owner)
    assert {e["source"]["pointer"] for e in refused.json()["errors"]} == {
        "/data/attributes/website",
        "/data/attributes/email",
    }
    await member_with_role(
        admin_conn,
        settings,
        await org_of(admin_conn, "boss@clinic.org"),
        "admin@clinic.org",
        "admin",
    )
    admin = await token_for(client, "admin@clinic.org")
    body["data"]["attributes"] = {"name": "Taken Over"}
    assert (
        await client.patch(f"/auth/organizations/{org}", json=body, headers=admin)
    ).status_code == 403
    other = "0190af3b-1c2e-7c00-8a4f-b2d9c4e5f100"
    missing = await client.get(f"/auth/organizations/{other}", headers=owner)
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["code"] == "organization_not_found"


async def test_operator_creates_an_organization_and_invites_its_owner(
    client: httpx.AsyncClient, mailbox: Mailbox, settings: Settings, admin_conn: asyncpg.Connection
) -> None:
    done = await provision(settings, name="Northside Clinic", owner_email="Chief@Northside.org")
    mail = await mailbox.next_to("chief@northside.org")
    assert "Northside Clinic" in mail.text
    _, token = link_in(mail)
    accepted = await client.post(
        "/auth/invitations/accept",
        json={
            "token": token,
            "firstName": "Chief",
            "lastName": "Doctor",
            "password": "northside chief passphrase",
        },
    )
    assert accepted.status_code == 200, accepted.text
    listed = (await client.get("/auth/organizations", headers=bearer(accepted.json()))).json()[
        "data"
    ]
    assert [(o["id"], o["meta"]["role"]) for o in listed] == [(str(done.organization_id), "owner")]
