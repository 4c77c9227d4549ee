"""Bad input on every account endpoint: a clear 400 with pointers, and nothing written."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
import pytest

from tests.support.accounts import registration

JSONAPI = "application/vnd.api+json"


async def _nothing_written(conn: asyncpg.Connection) -> None:
    for table in ("users", "organizations", "mail_outbox", "one_time_tokens"):
        assert await conn.fetchval(f"SELECT count(*) FROM {table}") == 0, table


def _pointers(response: httpx.Response) -> set[str]:
    assert response.status_code == 400, response.text
    return {e["source"]["pointer"] for e in response.json()["errors"] if "source" in e}


@pytest.mark.parametrize(
    ("changes", "pointers"),
    [
        ({"email": "not-an-address"}, {"/email"}),
        ({"email": "a@b.org\r\nBcc: x@evil.org"}, {"/email"}),
        ({"firstName": "Eve\r\nBcc: all@evil.org"}, {"/firstName"}),
        ({"lastName": ""}, {"/lastName"}),
        ({"organizationName": "x" * 201}, {"/organizationName"}),
        ({"password": "short"}, {"/password"}),
        ({"password": "x" * 129}, {"/password"}),
        ({"password": "City General Hospital"}, {"/password"}),
        ({"email": 5, "password": None}, {"/email", "/password"}),
        ({"isVerified": True, "role": "owner"}, {"/isVerified", "/role"}),
    ],
)
async def test_registration_field_errors(
    client: httpx.AsyncClient,
    admin_conn: asyncpg.Connection,
    changes: dict[str, Any],
    pointers: set[str],
) -> None:
    body = {**registration("ok@clinic.org"), **changes}
    assert _pointers(await client.post("/auth/register", json=body)) == pointers
    await _nothing_written(admin_conn)


async def test_missing_fields_are_each_reported(
    client: httpx.AsyncClient, admin_conn: asyncpg.Connection
) -> None:
    response = await client.post("/auth/register", json={"email": "a@b.org"})
    assert _pointers(response) == {"/password", "/firstName", "/lastName", "/organizationName"}
    await _nothing_written(admin_conn)


async def test_json_api_errors_point_into_the_document(client: httpx.AsyncClient) -> None:
    document = {
        "data": {
            "type": "auth/registrations",
            "attributes": {**registration("x"), "password": "short"},
        }
    }
    response = await client.post(
        "/auth/register",
        content=httpx.Request("POST", "/", json=document).content,
        headers={"content-type": JSONAPI},
    )
    assert _pointers(response) == {"/data/attributes/email", "/data/attributes/password"}
    wrong_type = {"data": {"type": "auth/users", "attributes": registration("a@b.org")}}
    response = await client.post(
        "/auth/register",
        content=httpx.Request("POST", "/", json=wrong_type).content,
        headers={"content-type": JSONAPI},
    )
    assert _pointers(response) == {"/data/type"}


@pytest.mark.parametrize(
    ("path", "body", "pointers"),
    [
        ("/auth/verify-email", {}, {"/token", "/password"}),
        ("/auth/verify-email", {"token": 1, "password": "p"}, {"/token"}),
        ("/auth/verify-email", {"token": "x", "password": "p", "extra": 1}, {"/extra"}),
        ("/auth/verify-email/resend", {"mail": "a@b.org"}, {"/mail", "/email"}),
        ("/auth/password-reset", {"email": ["a@b.org"]}, {"/email"}),
        ("/auth/password-reset/confirm", {"token": "t"}, {"/password"}),
    ],
)
async def test_other_endpoints(
    client: httpx.AsyncClient,
    admin_conn: asyncpg.Connection,
    path: str,
    body: dict[str, Any],
    pointers: set[str],
) -> None:
    assert _pointers(await client.post(path, json=body)) == pointers
    await _nothing_written(admin_conn)


@pytest.mark.parametrize(
    "path",
    [
        "/auth/register",
        "/auth/verify-email",
        "/auth/password-reset",
        "/auth/password-reset/confirm",
    ],
)
async def test_malformed_and_oversize_bodies(client: httpx.AsyncClient, path: str) -> None:
    malformed = await client.post(
        path, content=b'{"email": ', headers={"content-type": "application/json"}
    )
    assert malformed.status_code == 400
    assert malformed.json()["errors"][0]["code"] == "invalid_body"
    huge = await client.post(path, json={"email": "a@b.org", "password": "p" * 100_000})
    assert huge.status_code == 413
    assert huge.json()["errors"][0]["code"] == "payload_too_large"


async def test_wrong_token_is_invalid_token_with_a_pointer(client: httpx.AsyncClient) -> None:
    for path, body in (
        ("/auth/verify-email", {"token": "made-up", "password": "a perfectly fine passphrase"}),
        (
            "/auth/password-reset/confirm",
            {"token": "made-up", "password": "a perfectly fine passphrase"},
        ),
    ):
        response = await client.post(path, json=body)
        assert response.status_code == 400
        error = response.json()["errors"][0]
        assert error["code"] == "invalid_token"
        assert error["source"]["pointer"] == "/token"
