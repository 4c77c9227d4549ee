"""Accounts made through the API, as the onboarding front end makes them, before a person
opens a link in the browser."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.browser.links import link_to
from tests.support.accounts import PASSWORD, login, register
from tests.support.flows import Mailbox


async def owner(
    client: httpx.AsyncClient, mailbox: Mailbox, base: str, email: str, organization: str
) -> dict[str, Any]:
    """Register, verify with the token from the mail, log in; the token response."""
    await register(client, email, organization=organization)
    url = link_to(await mailbox.next_to(email), base, "/auth/verify-email")
    token = parse_qs(urlsplit(url).query)["token"][0]
    body = {"token": token, "password": PASSWORD}
    verified = await client.post("/auth/verify-email", json=body)
    assert verified.status_code == 204, verified.text
    response = await login(client, email)
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    return tokens
