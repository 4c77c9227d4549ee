"""A client that GETs a member, changes one attribute and PATCHes the whole document back
(jsonapi-requests' ``save()``, say) is understood; a changed read-only member is refused."""

from __future__ import annotations

import copy
from typing import Any

import asyncpg
import httpx
import pytest

from tests.support.accounts import bearer, signed_up
from tests.support.flows import Mailbox
from tests.users.conftest import SEED_CLIENT
from tests.users.helpers import new_user, org_of, role_id

OWNER = "owner@clinic.org"
JSONAPI = "application/vnd.api+json"


@pytest.fixture
async def owner(client: httpx.AsyncClient, mailbox: Mailbox) -> dict[str, str]:
    return bearer(await signed_up(client, mailbox, OWNER))


async def _member(
    client: httpx.AsyncClient, owner: dict[str, str], admin_conn: asyncpg.Connection
) -> dict[str, Any]:
    org = await org_of(admin_conn, OWNER)
    body = new_user("nurse@clinic.org", await role_id(admin_conn, org, "member"))
    body["data"]["attributes"]["sendPasswordResetEmail"] = False
    created = await client.post("/auth/users", json=body, headers=owner)
    assert created.status_code == 201, created.text
    read = await client.get(f"/auth/users/{created.json()['data']['id']}", headers=owner)
    assert read.status_code == 200
    document: dict[str, Any] = read.json()
    return document


def _patch_headers(owner: dict[str, str]) -> dict[str, str]:
    return {**owner, "content-type": JSONAPI}


async def test_get_modify_patch_round_trip(
    client: httpx.AsyncClient, owner: dict[str, str], admin_conn: asyncpg.Connection
) -> None:
    document = await _member(client, owner, admin_conn)
    path = document["data"]["links"]["self"]
    document["data"]["attributes"]["name"] = "Renamed Nurse"
    document["links"] = {"self": path}  # what a client may keep from the answer
    document["meta"] = {"fetchedBy": "jsonapi-requests"}
    document["data"]["meta"] = {"local": True}
    document["data"]["relationships"]["auth/roles"]["links"] = {"related": "/x"}
    saved = await client.patch(path, json=document, headers=_patch_headers(owner))
    assert saved.status_code == 200, saved.text
    attributes = saved.json()["data"]["attributes"]
    assert attributes["name"] == "Renamed Nurse"
    again = (await client.get(path, headers=owner)).json()
    assert again["data"]["attributes"]["name"] == "Renamed Nurse"
    # The answer of the first save can be saved again unchanged.
    unchanged = await client.patch(path, json=again, headers=_patch_headers(owner))
    assert unchanged.status_code == 200, unchanged.text
    after = unchanged.json()
    after["data"]["attributes"].pop("updatedAt")  # a write may touch it, even a no-op one
    again["data"]["attributes"].pop("updatedAt")
    assert after == again


@pytest.mark.parametrize(
    ("member", "name", "value", "pointer"),
    [
        ("attributes", "email", "other@clinic.org", "/data/attributes/email"),
        ("attributes", "userType", "patient", "/data/attributes/userType"),
        ("attributes", "emailVerified", True, "/data/attributes/emailVerified"),
        ("attributes", "createdAt", 1, "/data/attributes/createdAt"),
        ("attributes", "updatedAt", 1.5, "/data/attributes/updatedAt"),
        (
            "relationships",
            "auth/organizations",
            {"data": {"type": "auth/organizations", "id": "0190af3b-1c2e-7c00-8a4f-b2d9c4e5f100"}},
            "/data/relationships/auth~1organizations",
        ),
    ],
)
async def test_a_changed_read_only_member_is_refused_with_its_pointer(
    client: httpx.AsyncClient,
    owner: dict[str, str],
    admin_conn: asyncpg.Connection,
    member: str,
    name: str,
    value: Any,
    pointer: str,
) -> None:
    document = await _member(client, owner, admin_conn)
    path = document["data"]["links"]["self"]
    changed = copy.deepcopy(document)
    changed["data"]["attributes"]["name"] = "Should Not Stick"
    changed["data"][member][name] = value
    refused = await client.patch(path, json=changed, headers=_patch_headers(owner))
    assert refused.status_code == 400, refused.text
    errors = refused.json()["errors"]
    assert [(e["code"], e["source"]["pointer"]) for e in errors] == [("validation_error", pointer)]
    assert (await client.get(path, headers=owner)).json() == document


async def test_unknown_members_stay_unknown(
    client: httpx.AsyncClient, owner: dict[str, str], admin_conn: asyncpg.Connection
) -> None:
    document = await _member(client, owner, admin_conn)
    path = document["data"]["links"]["self"]
    document["data"]["attributes"]["nickname"] = "Nurse"
    document["data"]["extra"] = 1
    document["included"] = []
    refused = await client.patch(path, json=document, headers=_patch_headers(owner))
    assert refused.status_code == 400, refused.text
    assert {e["source"]["pointer"] for e in refused.json()["errors"]} == {
        "/data/attributes/nickname",
        "/data/extra",
        "/included",
    }


async def test_an_unconfigured_client_id_names_the_setting(
    client: httpx.AsyncClient, owner: dict[str, str], admin_conn: asyncpg.Connection
) -> None:
    org = await org_of(admin_conn, OWNER)
    member = await role_id(admin_conn, org, "member")
    body = new_user("zus@clinic.org", member, clientId="not-" + SEED_CLIENT)
    refused = await client.post("/auth/users", json=body, headers=owner)
    assert refused.status_code == 400, refused.text
    [error] = refused.json()["errors"]
    assert error["source"]["pointer"] == "/data/attributes/clientId"
    assert "CLIENT_REDIRECTS" in error["detail"]


@pytest.mark.parametrize(
    ("header", "value", "status", "code"),
    [
        (
            "content-type",
            f'{JSONAPI}; ext="https://jsonapi.org/ext/atomic"',
            415,
            "unsupported_media_type",
        ),
        (
            "content-type",
            f'{JSONAPI}; profile="https://example.org/profile"',
            415,
            "unsupported_media_type",
        ),
        ("accept", f'{JSONAPI}; ext="https://jsonapi.org/ext/atomic"', 406, "not_acceptable"),
        ("accept", f'{JSONAPI}; profile="https://example.org/profile"', 406, "not_acceptable"),
    ],
)
async def test_unsupported_extensions_and_profiles_are_refused(
    client: httpx.AsyncClient,
    owner: dict[str, str],
    admin_conn: asyncpg.Connection,
    header: str,
    value: str,
    status: int,
    code: str,
) -> None:
    document = await _member(client, owner, admin_conn)
    path = document["data"]["links"]["self"]
    document["data"]["attributes"]["name"] = "Renamed"
    headers = {**_patch_headers(owner), header: value}
    refused = await client.patch(path, json=document, headers=headers)
    assert refused.status_code == status, refused.text
    assert refused.json()["errors"][0]["code"] == code
    name = (await client.get(path, headers=owner)).json()["data"]["attributes"]["name"]
    assert name == "New Person"
