"""App clients: registering, changing and deleting them, and their secrets.

Two rules keep a client from becoming a way up: a client is given only a role whose every
permission the acting member holds, and a client whose role reaches beyond the actor's
permissions is beyond their reach (not changed, rotated, disabled or deleted by them), since
whoever holds its secret acts with its role. Every change is audited in its transaction.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import asyncpg
import msgspec
from msgspec import UNSET

from service.app_clients import repo, rules
from service.app_clients.repo import Client, Settable
from service.app_clients.schemas import (
    ClientChanges,
    NewClient,
    RoleRelationship,
)
from service.audit.actions import Action
from service.audit.recorder import record
from service.errors import ApiError, ErrorItem
from service.ids import parse_uuid
from service.jsonapi import Page, after_id, cut
from service.roles import repo as roles
from service.security.client_secrets import SecretHasher, new_client_id, new_secret
from service.security.principal import Principal

ATTRIBUTES = "/data/attributes"
ROLE_POINTER = "/data/relationships/auth~1roles/data/id"
NOT_FOUND = "No such app client in this organization."


@dataclass(frozen=True, slots=True)
class Issued:
    """A client and the secret just made for it (shown once), if any."""

    client: Client
    secret: str | None
    previous_expires_at: datetime | None = None


def not_found() -> ApiError:
    return ApiError("app_client_not_found", NOT_FOUND)


async def list_clients(
    conn: asyncpg.Connection,
    org_id: UUID,
    *,
    type: str | None,
    status: str | None,
    role_id: UUID | None,
    page: Page,
) -> tuple[list[Client], str | None]:
    rows = await repo.page(
        conn,
        org_id,
        type=type,
        status=status,
        role_id=role_id,
        after=after_id(page),
        limit=page.size + 1,
    )
    return cut(rows, page.size)


async def get(conn: asyncpg.Connection, org_id: UUID, client_id: UUID) -> Client:
    client = await repo.by_id(conn, org_id, client_id)
    if client is None:
        raise not_found()
    return client


async def create(
    conn: asyncpg.Connection,
    actor: Principal,
    hasher: SecretHasher,
    resource: NewClient,
    *,
    limit: int,
) -> Issued:
    """Register a client; at most ``limit`` per organization (409 beyond), counted under the
    organization's registration lock so that parallel requests cannot pass it."""
    if resource.id is not None:
        raise ApiError(
            "forbidden",
            "App client ids are assigned by the service; send none.",
            pointer="/data/id",
        )
    if await repo.count_locked(conn, actor.org_id) >= limit:
        raise ApiError(
            "conflict", f"An organization holds at most {limit} app clients; delete one first."
        )
    attrs = resource.attributes
    method = attrs.token_endpoint_auth_method
    values = Settable(
        name=attrs.name.strip(),
        role_id=await _role(conn, actor, resource.relationships.role),
        token_endpoint_auth_method=rules.default_auth_method(attrs.type)
        if method is UNSET
        else method,
        redirect_uris=list(attrs.redirect_uris),
        post_logout_redirect_uris=list(attrs.post_logout_redirect_uris),
        allowed_origins=list(attrs.allowed_origins),
        jwks=_json(attrs.jwks),
        jwks_uri=attrs.jwks_uri,
        password_grant=attrs.password_grant,
        status=attrs.status,
    )
    _check(attrs.type, values)
    client = await repo.insert(
        conn,
        actor.org_id,
        client_id=new_client_id(),
        type=attrs.type,
        user_type=attrs.user_type,
        values=values,
        created_by=actor.person_id,
    )
    secret = None
    if values.token_endpoint_auth_method in ("client_secret_basic", "client_secret_post"):
        secret = new_secret()
        await repo.add_secret(conn, actor.org_id, client.id, hasher.digest(secret))
    await _audit(conn, actor, "app_client.create", client.id, None, snapshot(client))
    return Issued(client, secret)


async def update(
    conn: asyncpg.Connection, actor: Principal, client_id: UUID, resource: ClientChanges
) -> Client:
    if parse_uuid(resource.id) != client_id:
        raise ApiError("conflict", "The body's id is not the id in the path.", pointer="/data/id")
    current = await _reachable(conn, actor, client_id)
    attrs, relation = resource.attributes, resource.relationships.role
    changes: dict[str, Any] = {
        name: value
        for name, value in (
            ("name", attrs.name if attrs.name is UNSET else attrs.name.strip()),
            ("token_endpoint_auth_method", attrs.token_endpoint_auth_method),
            ("redirect_uris", attrs.redirect_uris),
            ("post_logout_redirect_uris", attrs.post_logout_redirect_uris),
            ("allowed_origins", attrs.allowed_origins),
            ("jwks", attrs.jwks if attrs.jwks is UNSET else _json(attrs.jwks)),
            ("jwks_uri", attrs.jwks_uri),
            ("password_grant", attrs.password_grant),
            ("status", attrs.status),
        )
        if value is not UNSET
    }
    if relation is not UNSET:
        changes["role_id"] = await _role(conn, actor, relation)
    values = replace(_settable(current), **changes)
    _check(current.type, values)
    if _same(values, _settable(current)):
        return current
    updated = await repo.update(conn, actor.org_id, client_id, values)
    if updated.token_endpoint_auth_method not in ("client_secret_basic", "client_secret_post"):
        await repo.retire_secrets(conn, actor.org_id, client_id, until=updated.updated_at)
    await _audit(conn, actor, "app_client.update", client_id, snapshot(current), snapshot(updated))
    return updated


async def delete(conn: asyncpg.Connection, actor: Principal, client_id: UUID) -> None:
    """Its secrets go with it, and its live tokens are refused from now on (the session looks
    the client up on every request)."""
    current = await _reachable(conn, actor, client_id)
    await repo.delete(conn, actor.org_id, client_id)
    await _audit(conn, actor, "app_client.delete", client_id, snapshot(current), None)


async def rotate(
    conn: asyncpg.Connection,
    actor: Principal,
    hasher: SecretHasher,
    client_id: UUID,
    *,
    grace_seconds: int,
) -> Issued:
    """A new secret; the previous ones keep working for ``grace_seconds`` (0: not at all)."""
    current = await _reachable(conn, actor, client_id)
    if current.token_endpoint_auth_method not in ("client_secret_basic", "client_secret_post"):
        raise ApiError(
            "conflict",
            f"This client authenticates with {current.token_endpoint_auth_method}; it has no "
            "secret to rotate.",
        )
    now = await conn.fetchval("SELECT now()")
    until = now + timedelta(seconds=grace_seconds)
    await repo.retire_secrets(conn, actor.org_id, client_id, until=until)
    secret = new_secret()
    await repo.add_secret(conn, actor.org_id, client_id, hasher.digest(secret))
    await _audit(conn, actor, "app_client.rotate_secret", client_id, None, None)
    return Issued(current, secret, until if grace_seconds else None)


async def _reachable(conn: asyncpg.Connection, actor: Principal, client_id: UUID) -> Client:
    """The client, locked; 404 if absent, 403 if its role reaches beyond the actor's."""
    client = await repo.by_id(conn, actor.org_id, client_id, lock=True)
    if client is None:
        raise not_found()
    role = await roles.role_by_id(conn, actor.org_id, client.role_id)
    beyond = [p for p in (role.permissions if role else []) if p not in actor.permissions]
    if beyond:
        raise ApiError(
            "forbidden",
            "This app client's role holds permissions you lack; only someone who holds them "
            "may manage it.",
        )
    return client


async def _role(conn: asyncpg.Connection, actor: Principal, relation: RoleRelationship) -> UUID:
    role_id = parse_uuid(relation.data.id)
    role = await roles.role_by_id(conn, actor.org_id, role_id) if role_id else None
    if role is None:
        raise ApiError("role_not_found", "No such role in this organization.", pointer=ROLE_POINTER)
    beyond = [p for p in role.permissions if p not in actor.permissions]
    if beyond:
        raise ApiError(
            "forbidden",
            f"An app client may hold only a role whose permissions you hold; you lack "
            f"{', '.join(beyond)}.",
            pointer=ROLE_POINTER,
        )
    return role.id


def _check(client_type: str, values: Settable) -> None:
    shape = rules.Shape(
        type=client_type,
        auth_method=values.token_endpoint_auth_method,
        redirect_uris=values.redirect_uris,
        post_logout_redirect_uris=values.post_logout_redirect_uris,
        allowed_origins=values.allowed_origins,
        jwks=msgspec.json.decode(values.jwks) if values.jwks else None,
        jwks_uri=values.jwks_uri,
        password_grant=values.password_grant,
    )
    found = rules.problems(shape)
    if found:
        raise ApiError.many(
            [ErrorItem("validation_error", detail, ATTRIBUTES + where) for where, detail in found]
        )


def _same(a: Settable, b: Settable) -> bool:
    """Nothing to change: equal settings, key sets compared as JSON values (the database
    gives them back in its own key order and spacing)."""
    keys = (msgspec.json.decode(a.jwks) if a.jwks else None) == (
        msgspec.json.decode(b.jwks) if b.jwks else None
    )
    return keys and replace(a, jwks=None) == replace(b, jwks=None)


def _json(value: dict[str, Any] | None) -> str | None:
    return None if value is None else msgspec.json.encode(value).decode()


def _settable(client: Client) -> Settable:
    return Settable(
        name=client.name,
        role_id=client.role_id,
        token_endpoint_auth_method=client.token_endpoint_auth_method,
        redirect_uris=list(client.redirect_uris),
        post_logout_redirect_uris=list(client.post_logout_redirect_uris),
        allowed_origins=list(client.allowed_origins),
        jwks=client.jwks,
        jwks_uri=client.jwks_uri,
        password_grant=client.password_grant,
        status=client.status,
    )


def snapshot(client: Client) -> dict[str, Any]:
    values = asdict(_settable(client))
    values["role_id"] = str(client.role_id)
    values["type"] = client.type
    values["client_id"] = client.client_id
    return values


async def _audit(
    conn: asyncpg.Connection,
    actor: Principal,
    action: Action,
    client_id: UUID,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    await record(
        conn,
        organization_id=actor.org_id,
        action=action,
        resource_id=client_id,
        actor=actor.actor,
        before=before,
        after=after,
        address=actor.address,
    )


async def home_of(conn: asyncpg.Connection, client_id: str) -> str | None:
    """Where a person goes to sign in to the app client ``client_id``: the origin of its first
    redirect URI (an app starts its own sign-in), when it is an active client that signs people
    in and the transaction may see it (its organization, or the anonymous context)."""
    client = await repo.by_client_id(conn, client_id) if len(client_id) <= 64 else None
    if client is None or client.status != "active" or not client.redirect_uris:
        return None
    parts = urlsplit(client.redirect_uris[0])
    if parts.scheme not in ("https", "http"):
        return None
    return f"{parts.scheme}://{parts.netloc}/"
