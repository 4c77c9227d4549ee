"""HTTP details that client libraries trip on: one charset on pages, RFC 6750's challenge when
no token was sent, RFC 6749's error shape for every error of the token endpoints."""

from __future__ import annotations

import re

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


async def test_head_answers_every_get_route_like_get_without_a_body(
    client: httpx.AsyncClient,
) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    paths = [p for p, item in document["paths"].items() if "get" in item]
    paths += ["/", "/schema/swagger", "/schema/openapi.json"]
    assert len(paths) > 15
    some_id = "01890000-0000-7000-8000-000000000000"
    for template in paths:
        path = re.sub(r"\{[^}]+\}", some_id, template)
        got = await client.get(path)
        head = await client.head(path)
        assert head.status_code == got.status_code, path
        assert head.content == b"", path
        assert head.headers.get("content-type") == got.headers.get("content-type"), path
        if "content-length" in got.headers:
            assert head.headers["content-length"] == got.headers["content-length"], path
