"""The error envelope over HTTP: every failure is a JSON:API errors document with a request id."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator
from typing import Annotated

import httpx
import msgspec
import pytest
from litestar import post
from litestar.params import JSONBody

from service.config import Settings
from service.jsonapi import JSONAPI
from service.wire import RequestShape
from tests.support.server import serve

SECRET = "s3cr3t-internal-detail"


class Attributes(RequestShape, rename="camel"):
    email: Annotated[str, msgspec.Meta(max_length=20, pattern="@")]
    first_name: str
    age: int = 0


class Relationship(RequestShape):
    data: dict[str, str]


class Relationships(RequestShape):
    roles: Relationship = msgspec.field(name="auth/roles")


class Resource(RequestShape):
    type: str
    attributes: Attributes
    relationships: Relationships | None = None


class Document(RequestShape):
    data: Resource


@post("/probe/echo", media_type=JSONAPI, status_code=200)
async def echo(data: JSONBody[Document]) -> Document:
    return data


@post("/probe/boom", media_type=JSONAPI)
async def boom() -> None:
    raise RuntimeError(f"database password is {SECRET}")


@pytest.fixture
async def probe(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    small = dataclasses.replace(settings, max_body_bytes=2048)
    async with (
        serve(small, extra_routes=[echo, boom]) as url,
        httpx.AsyncClient(base_url=url, timeout=10) as http,
    ):
        yield http


def _assert_envelope(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response.headers["content-type"].startswith(JSONAPI)
    body = response.json()
    assert set(body) == {"errors", "meta"}
    assert body["meta"]["requestId"] == response.headers["x-request-id"]
    for error in body["errors"]:
        assert error["status"] == str(status)
        assert error["code"] == code
        assert error["title"]
        assert error["detail"]
    return body


async def test_unknown_route_is_a_json_api_404(client: httpx.AsyncClient) -> None:
    _assert_envelope(await client.get("/no/such/path"), 404, "not_found")


async def test_wrong_method_is_a_405_with_allow(client: httpx.AsyncClient) -> None:
    response = await client.delete("/health/live")
    _assert_envelope(response, 405, "method_not_allowed")
    assert "GET" in response.headers["allow"]


async def test_malformed_json_is_invalid_body(probe: httpx.AsyncClient) -> None:
    response = await probe.post(
        "/probe/echo", content=b'{"data": {', headers={"content-type": JSONAPI}
    )
    _assert_envelope(response, 400, "invalid_body")


async def test_one_error_per_bad_field_with_pointers(probe: httpx.AsyncClient) -> None:
    document = {
        "data": {
            "type": "things",
            "attributes": {"email": "no-at-sign", "age": "old", "admin": True},
            "relationships": {"auth/roles": {"data": 5}},
        }
    }
    response = await probe.post("/probe/echo", json=document)
    body = _assert_envelope(response, 400, "validation_error")
    pointers = sorted(e["source"]["pointer"] for e in body["errors"])
    assert pointers == [
        "/data/attributes/admin",
        "/data/attributes/age",
        "/data/attributes/email",
        "/data/attributes/firstName",
        "/data/relationships/auth~1roles/data",
    ]


async def test_a_valid_body_passes(probe: httpx.AsyncClient) -> None:
    document = {"data": {"type": "things", "attributes": {"email": "a@b.c", "firstName": "Ann"}}}
    response = await probe.post("/probe/echo", json=document, headers={"accept": JSONAPI})
    assert response.status_code == 200
    assert response.json()["data"]["attributes"]["firstName"] == "Ann"


async def test_oversize_body_is_413_before_anything_else(probe: httpx.AsyncClient) -> None:
    document = {"data": {"type": "t", "attributes": {"email": "a@b.c", "firstName": "x" * 5000}}}
    _assert_envelope(await probe.post("/probe/echo", json=document), 413, "payload_too_large")


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/xml",
        "application/x-www-form-urlencoded",
        f"{JSONAPI}; charset=utf-8",
    ],
)
async def test_unsupported_request_type_is_415(probe: httpx.AsyncClient, content_type: str) -> None:
    response = await probe.post(
        "/probe/echo", content=b"{}", headers={"content-type": content_type}
    )
    _assert_envelope(response, 415, "unsupported_media_type")


@pytest.mark.parametrize("accept", ["text/html", "application/xml", f"{JSONAPI}; charset=utf-8"])
async def test_unacceptable_accept_is_406(probe: httpx.AsyncClient, accept: str) -> None:
    response = await probe.post("/probe/echo", json={}, headers={"accept": accept})
    _assert_envelope(response, 406, "not_acceptable")


async def test_unexpected_error_leaks_nothing_and_is_logged(
    probe: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="service.http"):
        response = await probe.post("/probe/boom")
    body = _assert_envelope(response, 500, "internal_error")
    assert SECRET not in response.text
    assert "RuntimeError" not in response.text
    assert (
        body["errors"][0]["detail"]
        == "Something went wrong on our side; the request id identifies it."
    )
    logged = [r for r in caplog.records if r.getMessage() == "http.unhandled"]
    assert logged
    assert logged[0].exc_info is not None
    assert SECRET in str(logged[0].exc_info[1])


async def test_the_request_id_is_the_services_own(client: httpx.AsyncClient) -> None:
    response = await client.get("/nowhere", headers={"x-request-id": "trace-1234-abcd"})
    assert response.headers["x-request-id"] != "trace-1234-abcd"
    assert len(response.headers["x-request-id"]) == 36
    assert response.json()["meta"]["requestId"] == response.headers["x-request-id"]


async def test_a_hostile_request_id_is_replaced(client: httpx.AsyncClient) -> None:
    response = await client.get("/nowhere", headers={"x-request-id": "bad id <script>"})
    assert response.headers["x-request-id"] != "bad id <script>"
    assert len(response.headers["x-request-id"]) == 36
