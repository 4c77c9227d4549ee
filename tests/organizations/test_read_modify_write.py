"""The organization's profile survives a GET → modify → PATCH round trip; a changed read-only
member is refused with its pointer."""

from __future__ import annotations

import copy

import httpx

from tests.support.accounts import bearer, signed_up
from tests.support.flows import Mailbox

JSONAPI = "application/vnd.api+json"


async def test_get_modify_patch_round_trip(client: httpx.AsyncClient, mailbox: Mailbox) -> None:
    owner = bearer(await signed_up(client, mailbox, "boss@clinic.org"))
    [listed] = (await client.get("/auth/organizations", headers=owner)).json()["data"]
    path = listed["links"]["self"]
    document = (await client.get(path, headers=owner)).json()
    original = copy.deepcopy(document)
    document["data"]["attributes"]["tagline"] = "Care, close by"
    document["links"] = {"self": path}
    headers = {**owner, "content-type": JSONAPI}
    saved = await client.patch(path, json=document, headers=headers)
    assert saved.status_code == 200, saved.text
    attributes = saved.json()["data"]["attributes"]
    assert (attributes["tagline"], attributes["slug"]) == (
        "Care, close by",
        original["data"]["attributes"]["slug"],
    )
    again = (await client.get(path, headers=owner)).json()
    assert (await client.patch(path, json=again, headers=headers)).status_code == 200
    for member, name, value, pointer in [
        ("attributes", "slug", "elsewhere", "/data/attributes/slug"),
        ("attributes", "createdAt", 0, "/data/attributes/createdAt"),
        (
            "relationships",
            "auth/roles",
            {"data": {"type": "auth/roles", "id": "0190af3b-1c2e-7c00-8a4f-b2d9c4e5f100"}},
            "/data/relationships/auth~1roles",
        ),
    ]:
        changed = copy.deepcopy(again)
        changed["data"]["attributes"]["name"] = "Not Taken"
        changed["data"][member][name] = value
        refused = await client.patch(path, json=changed, headers=headers)
        assert refused.status_code == 400, refused.text
        assert [e["source"]["pointer"] for e in refused.json()["errors"]] == [pointer]
    assert (await client.get(path, headers=owner)).json() == again
