"""An authenticator app for the tests (pyotp, written apart from the service's own TOTP), and
the steps of enrolling and signing in with it."""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import pyotp

from service.jsonapi import JSONAPI
from tests.roles.people import Member
from tests.support.accounts import PASSWORD, login

MFA_GRANT = "urn:health-auth:params:oauth:grant-type:mfa"
FACTORS = "/auth/me/mfa-factors"


@dataclass
class App:
    """An authenticator app holding one secret. Each code it gives is for a later time step
    than the last one it gave (the service takes a step once), within the ±1 step the
    service allows."""

    secret: str
    last: int = -1
    totp: pyotp.TOTP = field(init=False)

    def __post_init__(self) -> None:
        self.totp = pyotp.TOTP(self.secret)

    def code(self) -> str:
        now = int(time.time()) // 30
        step = max(self.last + 1, now - 1)
        if step > now + 1:  # three codes used in one window: wait for the next one
            time.sleep((step - 1) * 30 - time.time() + 0.05)
        self.last = step
        return str(self.totp.at(step * 30))

    def peek(self) -> str:
        """The code of the current step, without spending it here (for attempts that must
        fail whatever the code)."""
        return str(self.totp.now())

    def stale(self) -> str:
        """A code two steps old: outside the window the service accepts."""
        return str(self.totp.at(time.time() - 90))


def claims(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded


def new_factor(label: str = "Phone") -> dict[str, Any]:
    return {"data": {"type": "auth/mfa-factors", "attributes": {"kind": "totp", "label": label}}}


async def add(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> tuple[str, App, dict[str, Any]]:
    response = await client.post(FACTORS, json=new_factor(), headers=headers)
    assert response.status_code == 201, response.text
    document: dict[str, Any] = response.json()
    return document["data"]["id"], App(document["meta"]["secret"]), document


async def enrolled(client: httpx.AsyncClient, who: Member) -> tuple[str, App, list[str]]:
    """A confirmed authenticator app; its id, the app and the first recovery codes."""
    factor_id, app, _ = await add(client, who.headers)
    response = await client.post(
        f"{FACTORS}/{factor_id}/confirm", json={"code": app.code()}, headers=who.headers
    )
    assert response.status_code == 200, response.text
    codes: list[str] = response.json()["meta"]["recoveryCodes"]
    return factor_id, app, codes


async def mfa_token(client: httpx.AsyncClient, email: str, **extra: str) -> dict[str, Any]:
    """The password grant's ``mfa_required`` answer."""
    response = await login(client, email, PASSWORD, **extra)
    assert response.status_code == 401, response.text
    body: dict[str, Any] = response.json()
    assert body["error"] == "mfa_required"
    return body


async def second_step(client: httpx.AsyncClient, token: str, **given: str) -> httpx.Response:
    return await client.post(
        "/auth/token", data={"grant_type": MFA_GRANT, "mfa_token": token, **given}
    )


async def signed_in(client: httpx.AsyncClient, email: str, app: App) -> dict[str, Any]:
    """Password, then a code: the token response."""
    first = await mfa_token(client, email)
    response = await second_step(client, first["mfa_token"], otp=app.code())
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    return tokens


def headers_of(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}", "Accept": JSONAPI}
