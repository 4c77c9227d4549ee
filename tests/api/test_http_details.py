"""HTTP details that client libraries trip on: one charset on pages, RFC 6750's challenge when
no token was sent, RFC 6749's error shape for every error of the token endpoints."""

from __future__ import annotations

import httpx


async def test_a_page_names_its_charset_once(client: httpx.AsyncClient) -> None:
    response = await client.get("/auth/reset-password", params={"token": "not-a-live-link"})
    assert response.headers["content-type"] == "text/html; charset=utf-8"


async def test_no_token_gets_the_scheme_without_an_error_code(client: httpx.AsyncClient) -> None:
    response = await client.get("/auth/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_a_bad_token_gets_invalid_token(client: httpx.AsyncClient) -> None:
    for header in ("Bearer not.a.token", "Basic dXNlcjpwYXNz", "Bearer"):
        response = await client.get("/auth/me", headers={"Authorization": header})
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'


async def test_the_token_endpoints_answer_a_wrong_body_type_in_rfc6749_shape(
    client: httpx.AsyncClient,
) -> None:
    for path, body in (
        ("/auth/token", {"grant_type": "password", "username": "a@b.c", "password": "x"}),
        ("/auth/revoke", {"token": "rt_x"}),
    ):
        response = await client.post(path, json=body)
        assert response.status_code == 415, response.text
        assert response.headers["content-type"].startswith("application/json")
        answer = response.json()
        assert set(answer) == {"error", "error_description"}
        assert answer["error"] == "invalid_request"
        assert response.headers["cache-control"] == "no-store"


async def test_the_token_endpoint_answers_an_unmet_accept_in_rfc6749_shape(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/auth/token",
        data={"grant_type": "password", "username": "a@b.c", "password": "x"},
        headers={"Accept": "text/html"},
    )
    assert response.status_code == 406
    assert response.json()["error"] == "invalid_request"
