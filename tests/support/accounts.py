"""Steps of the account flows, shared by the flow tests."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.flows import Mailbox, link_in

PASSWORD = "SecurePass123!"


def registration(
    email: str, organization: str = "City General Hospital", **changes: Any
) -> dict[str, Any]:
    body = {
        "email": email,
        "password": PASSWORD,
        "firstName": "Admin",
        "lastName": "User",
        "organizationName": organization,
    }
    body.update(changes)
    return body


async def register(client: httpx.AsyncClient, email: str, **changes: Any) -> httpx.Response:
    response = await client.post("/auth/register", json=registration(email, **changes))
    assert response.status_code == 202, response.text
    return response


async def verify_from_mail(
    client: httpx.AsyncClient,
    mailbox: Mailbox,
    email: str,
    *,
    after: int = 0,
    password: str = PASSWORD,
) -> str:
    """Follow the verification link, typing the password chosen at registration."""
    mail = await mailbox.next_to(email, after=after)
    path, token = link_in(mail)
    assert path == "/auth/verify-email"
    response = await client.post("/auth/verify-email", json={"token": token, "password": password})
    assert response.status_code == 204, response.text
    return token


async def login(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD, **extra: str
) -> httpx.Response:
    return await client.post(
        "/auth/token",
        data={"grant_type": "password", "username": email, "password": password, **extra},
    )


async def signed_up(
    client: httpx.AsyncClient, mailbox: Mailbox, email: str, **changes: Any
) -> dict[str, Any]:
    """Register, verify through the mail, log in; the token response."""
    await register(client, email, **changes)
    await verify_from_mail(client, mailbox, email, password=changes.get("password", PASSWORD))
    response = await login(client, email, changes.get("password", PASSWORD))
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    return tokens


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}
