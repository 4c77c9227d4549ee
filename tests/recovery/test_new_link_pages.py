"""A dead link's page offers a new link: a form that posts an address to the endpoint that
mails one. The form post is answered with a page that says the same whatever the address;
JSON clients keep their 202 and body."""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from service.config import Settings
from tests.support.accounts import signed_up
from tests.support.flows import Mailbox, link_in

BASE = "https://auth.example.test"  # PUBLIC_BASE_URL of the flow tests
HTML = "text/html; charset=utf-8"
KINDS = [
    ("/auth/reset-password", "/auth/password-reset", "Send a new password link"),
    ("/auth/verify-email", "/auth/verify-email/resend", "Send a new confirmation link"),
]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, mail_requests_per_address_per_hour=3)


@pytest.mark.parametrize(("page", "endpoint", "button"), KINDS)
async def test_a_dead_link_offers_a_form_for_a_new_one(
    client: httpx.AsyncClient, page: str, endpoint: str, button: str
) -> None:
    response = await client.get(page, params={"token": "used-or-expired"})
    assert response.status_code == 400
    assert response.headers["content-type"] == HTML
    assert f'<form method="post" action="{BASE}{endpoint}">' in response.text
    assert 'name="email" type="email"' in response.text
    assert f"{button}</button>" in response.text


async def test_a_dead_invitation_says_who_to_ask(client: httpx.AsyncClient) -> None:
    response = await client.get("/auth/invitations/accept", params={"token": "used-or-expired"})
    assert response.status_code == 400
    assert "<form" not in response.text
    assert "Ask the person who invited you" in response.text


@pytest.mark.parametrize(("page", "endpoint", "button"), KINDS)
async def test_the_form_post_gets_a_page_that_tells_nothing(
    client: httpx.AsyncClient, page: str, endpoint: str, button: str
) -> None:
    known = await client.post(endpoint, data={"email": "someone@clinic.org"})
    unknown = await client.post(endpoint, data={"email": "nobody@clinic.org"})
    assert known.status_code == unknown.status_code == 200
    assert known.headers["content-type"] == unknown.headers["content-type"] == HTML
    assert "Check your e-mail" in known.text
    assert "<strong>someone@clinic.org</strong>" in known.text
    assert known.text.replace("someone", "nobody") == unknown.text
    as_json = await client.post(endpoint, json={"email": "someone@clinic.org"})
    assert as_json.status_code == 202
    assert as_json.headers["content-type"] == "application/json"
    assert set(as_json.json()) == {"message"}


async def test_the_form_mails_a_working_link(client: httpx.AsyncClient, mailbox: Mailbox) -> None:
    await signed_up(client, mailbox, "forgot@clinic.org")
    response = await client.post("/auth/password-reset", data={"email": "forgot@clinic.org"})
    assert response.status_code == 200
    path, token = link_in(await mailbox.next_to("forgot@clinic.org", after=1))
    assert path == "/auth/reset-password"
    assert (await client.get(path, params={"token": token})).status_code == 200


@pytest.mark.parametrize(("page", "endpoint", "button"), KINDS)
async def test_a_refused_form_post_shows_the_form_again_with_the_address(
    client: httpx.AsyncClient, page: str, endpoint: str, button: str
) -> None:
    for _ in range(3):
        assert (await client.post(endpoint, data={"email": "a@clinic.org"})).status_code == 200
    refused = await client.post(endpoint, data={"email": "typed@clinic.org"})
    assert refused.status_code == 429
    assert refused.headers["content-type"] == HTML
    assert int(refused.headers["retry-after"]) >= 1
    assert 'role="alert"' in refused.text
    assert "try again later" in refused.text
    assert f'action="{BASE}{endpoint}"' in refused.text
    assert 'value="typed@clinic.org"' in refused.text
