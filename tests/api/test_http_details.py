"""HTTP details that client libraries trip on: one charset on pages, RFC 6750's challenge when
no token was sent, RFC 6749's error shape for every error of the token endpoints."""

from __future__ import annotations

import re

import httpx
from litestar.routes import HTTPRoute

from service.app import create_app
from service.config import Settings


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


async def test_the_token_endpoints_answer_a_wrong_method_in_rfc6749_shape(
    client: httpx.AsyncClient,
) -> None:
    for method, path in (("GET", "/auth/token"), ("PUT", "/auth/token"), ("GET", "/auth/revoke")):
        response = await client.request(method, path)
        assert response.status_code == 405, (method, path)
        assert response.headers["content-type"].startswith("application/json")
        assert set(response.json()) == {"error", "error_description"}
        assert response.json()["error"] == "invalid_request"
        assert set(response.headers["allow"].split(", ")) == {"POST", "OPTIONS"}
        assert response.headers["cache-control"] == "no-store"
    head = await client.head("/auth/token")
    assert (head.status_code, head.content) == (405, b"")
    elsewhere = await client.put("/auth/me")
    assert elsewhere.status_code == 405
    assert elsewhere.headers["content-type"] == "application/vnd.api+json"


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
    client: httpx.AsyncClient, settings: Settings
) -> None:
    """Every GET route of the app, those outside the OpenAPI document (pages, docs, assets,
    metrics) included."""
    routes = [r for r in create_app(settings).routes if isinstance(r, HTTPRoute)]
    paths = {r.path_format for r in routes if "GET" in r.methods}
    assert {"/", "/schema/swagger", "/auth/me", "/auth/reset-password"} <= paths
    assert len(paths) > 20
    some_id = "01890000-0000-7000-8000-000000000000"
    for template in sorted(paths | {"/schema/assets/swagger-ui.css"}):
        path = re.sub(r"\{[^}]+\}", some_id, template)
        got = await client.get(path)
        head = await client.head(path)
        assert head.status_code == got.status_code, path
        assert head.content == b"", path
        for name in ("content-type", "content-security-policy", "cache-control", "location"):
            assert head.headers.get(name) == got.headers.get(name), (path, name)
        if "content-length" in got.headers and path != "/metrics":  # counts this request
            assert head.headers["content-length"] == got.headers["content-length"], path
