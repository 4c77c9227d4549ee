"""The Zus 'Creating users via API' walkthrough, step by step, exactly as the seed writes it."""

from __future__ import annotations

import base64
import json

import httpx

from tests.support.accounts import bearer, login, signed_up
from tests.support.fhir import FhirServer
from tests.support.flows import Mailbox, link_in
from tests.users.conftest import SEED_CLIENT

NEW_PASSWORD = "a long and private passphrase"


def claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


async def test_seed_walkthrough(
    client: httpx.AsyncClient, mailbox: Mailbox, fhir: FhirServer
) -> None:
    admin = bearer(await signed_up(client, mailbox, "builder.admin@clinic.org"))

    # Step 1 (optional): create a minimal Practitioner on the FHIR server.
    async with httpx.AsyncClient() as fhir_client:
        created = await fhir_client.post(
            f"{fhir.base_url}/Practitioner",
            json={
                "resourceType": "Practitioner",
                "active": True,
                "name": [{"family": "Smith", "given": ["Jane"]}],
            },
        )
    practitioner_id = created.json()["id"]

    # Step 2: look up the role id by name, exactly as the seed's request.
    roles = await client.get("/auth/roles?filter[name]=Care Team User", headers=admin)
    assert roles.status_code == 200, roles.text
    data = roles.json()["data"]
    assert len(data) == 1
    role = data[0]
    assert role["type"] == "auth/roles"
    assert role["attributes"]["name"] == "Care Team User"
    assert role["attributes"]["isManaged"] is True
    assert isinstance(role["attributes"]["createdAt"], int)
    assert set(role["attributes"]) >= {
        "name",
        "description",
        "isManaged",
        "permissions",
        "createdAt",
        "updatedAt",
    }

    # Step 3: create the user with that role and the Practitioner.
    body = {
        "data": {
            "type": "auth/users",
            "attributes": {
                "email": "jane.smith@clinic.org",
                "name": "Jane Smith",
                "userType": "builder",
                "clientId": SEED_CLIENT,
                "sendPasswordResetEmail": True,
            },
            "relationships": {
                "auth/roles": {"data": {"type": "auth/roles", "id": role["id"]}},
                "fhir/practitioner": {"data": {"type": "fhir/practitioner", "id": practitioner_id}},
            },
        }
    }
    response = await client.post("/auth/users", json=body, headers=admin)
    assert response.status_code == 201, response.text
    user = response.json()["data"]
    assert response.headers["location"] == f"/auth/users/{user['id']}"
    assert user["attributes"]["email"] == "jane.smith@clinic.org"
    assert user["relationships"]["auth/roles"]["data"]["id"] == role["id"]
    assert user["relationships"]["fhir/practitioner"]["data"]["id"] == practitioner_id
    assert (
        "GET",
        f"/fhir/Practitioner/{practitioner_id}",
        "application/fhir+json",
    ) in fhir.requests

    # The set-password mail; the page; the new user logs in.
    mail = await mailbox.next_to("jane.smith@clinic.org")
    assert "City General Hospital" in mail.text
    path, token = link_in(mail)
    assert path == "/auth/reset-password"
    done = await client.post(
        "/auth/password-reset/confirm", data={"token": token, "password": NEW_PASSWORD}
    )
    assert done.status_code == 200
    assert "https://docs.example.test/welcome" in done.text
    tokens = await login(client, "jane.smith@clinic.org", NEW_PASSWORD)
    assert tokens.status_code == 200, tokens.text
    jane = claims(tokens.json()["access_token"])
    assert jane["role"] == "member"
    assert jane["fhirUser"] == f"Practitioner/{practitioner_id}"
    assert "fhir:Patient.read" in jane["permissions"]
    assert "users.write" not in jane["permissions"]
    me = await client.get("/auth/me", headers=bearer(tokens.json()))
    assert me.json()["data"]["attributes"]["emailVerified"] is True
