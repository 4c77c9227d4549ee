"""One JSON log line per security-relevant outcome, naming accounts by id and holding no secret."""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

import httpx
import pytest

from service.logs import JsonFormatter
from tests.support.accounts import PASSWORD, bearer, login, signed_up
from tests.support.flows import (  # noqa: F401  (fixtures)
    Mailbox,
    link_in,
    mailbox,
    settings,
    smtp,
)

OWNER = "chief@ward.org"
DOCTOR = "doc@ward.org"
DOCTOR_PASSWORD = "a doctor's own passphrase"
NEW_PASSWORD = "an entirely new passphrase"


def _sub(tokens: dict[str, Any]) -> str:
    part = tokens["access_token"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return str(claims["sub"])


def _lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    formatter = JsonFormatter()
    return [json.loads(formatter.format(record)) for record in caplog.records]


async def test_security_outcomes_are_logged_once_each_without_secrets(
    client: httpx.AsyncClient,
    mailbox: Mailbox,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    owner_tokens = await signed_up(client, mailbox, OWNER)
    owner = bearer(owner_tokens)
    assert (await login(client, "stranger@ward.org", PASSWORD)).status_code == 401
    invited = await client.post(
        "/auth/invite", json={"email": DOCTOR, "role": "member"}, headers=owner
    )
    assert invited.status_code == 201, invited.text
    _, invitation_token = link_in(await mailbox.next_to(DOCTOR))
    accepted = await client.post(
        "/auth/invitations/accept",
        json={
            "token": invitation_token,
            "firstName": "Doc",
            "lastName": "Tor",
            "password": DOCTOR_PASSWORD,
        },
    )
    assert accepted.status_code == 200, accepted.text
    doctor_id = _sub(accepted.json())
    off = {"data": {"type": "auth/users", "id": doctor_id, "attributes": {"active": False}}}
    assert (
        await client.patch(f"/auth/users/{doctor_id}", json=off, headers=owner)
    ).status_code == 200
    assert (await client.delete(f"/auth/users/{doctor_id}", headers=owner)).status_code == 204
    assert (await client.post("/auth/password-reset", json={"email": OWNER})).status_code == 202
    _, reset_token = link_in(await mailbox.next_to(OWNER, after=1))
    done = await client.post(
        "/auth/password-reset/confirm", json={"token": reset_token, "password": NEW_PASSWORD}
    )
    assert done.status_code == 204

    owner_id = _sub(owner_tokens)
    lines = _lines(caplog)
    by_event: dict[str, list[dict[str, Any]]] = {}
    for line in lines:
        by_event.setdefault(line["event"], []).append(line)
    assert [e["userId"] for e in by_event["auth.login"]] == [owner_id]
    unknown = by_event["auth.login_failed"]
    assert len(unknown) == 1
    assert unknown[0]["reason"] == "unknown_account"
    assert "userId" not in unknown[0]
    accept = by_event["invitation.accept"]
    assert [(e["userId"], e["role"], e["invitationId"]) for e in accept] == [
        (doctor_id, "member", invited.json()["invitationId"])
    ]
    for event in ("user.deactivate", "user.remove"):
        assert [(e["userId"], e["actorId"]) for e in by_event[event]] == [(doctor_id, owner_id)]
    assert [e["userId"] for e in by_event["auth.password_reset"]] == [owner_id]

    text = "\n".join(json.dumps(line) for line in lines)
    secrets = [
        PASSWORD,
        DOCTOR_PASSWORD,
        NEW_PASSWORD,
        invitation_token,
        reset_token,
        owner_tokens["access_token"],
        owner_tokens["refresh_token"],
        accepted.json()["refresh_token"],
        "stranger@ward.org",
    ]
    for secret in secrets:
        assert secret not in text
