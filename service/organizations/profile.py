"""Reading and changing an organization's profile and, on /auth, its multi-factor policy.
The slug never changes."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import asyncpg
from msgspec import UNSET, UnsetType

from service.audit.recorder import record
from service.errors import ApiError, ErrorItem
from service.fields import email_problem, text_problem
from service.organizations import repo
from service.organizations.schemas import (
    POLICY_FIELDS,
    PROFILE_FIELDS,
    Links,
    OrganizationAttributes,
    OrganizationChanges,
    OrganizationMeta,
    OrganizationRelationships,
    OrganizationResource,
    RoleIdentifier,
    RoleLinkage,
)
from service.security.principal import Principal

LIMITS = {"name": 200, "tagline": 200, "description": 2000, "phone": 50, "location": 200}
URLS = ("website", "logo_url", "icon_url")
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
ATTR = "/data/attributes"


def not_found() -> ApiError:
    return ApiError("organization_not_found", "No such organization here.")


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def resource(found: repo.Profile, current_org: Any) -> OrganizationResource:
    values = {f: getattr(found, f) for f in (*PROFILE_FIELDS, *POLICY_FIELDS)}
    return OrganizationResource(
        type="auth/organizations",
        id=str(found.id),
        attributes=OrganizationAttributes(
            slug=found.slug,
            created_at=int(found.created_at.timestamp()),
            updated_at=int(found.updated_at.timestamp()),
            **values,
        ),
        relationships=OrganizationRelationships(
            role=RoleLinkage(RoleIdentifier("auth/roles", str(found.role_id)))
        ),
        meta=OrganizationMeta(role=found.role_code, current=found.id == current_org),
        links=Links(self=f"/auth/organizations/{found.id}"),
    )


def _problem(field: str, value: str | None) -> str | None:
    if value is None:
        return "A name is required." if field == "name" else None
    if field == "email":
        return email_problem(value)
    if field in URLS:
        parts = urlsplit(value)
        ok = parts.scheme in ("http", "https") and parts.hostname and len(value) <= 2048
        return None if ok else "An absolute http(s) URL is expected."
    if field == "language_code":
        return None if LANGUAGE.match(value) else "A language tag such as en or pt-BR is expected."
    return text_problem(value, maximum=LIMITS[field], label="This field")


def json_api_pointer(field: str) -> str:
    return f"{ATTR}/{camel(field)}"


def changes(
    current: repo.Profile | None,
    body: Any,
    pointer: Callable[[str], str] = json_api_pointer,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(before, after) of the profile fields (``body`` has them as attributes, unset when not
    sent; ``current`` is None for a new organization); raises with one error per bad field,
    each at ``pointer(field)``."""
    before = {f: getattr(current, f) if current else None for f in PROFILE_FIELDS}
    after = dict(before)
    items = []
    for field in PROFILE_FIELDS:
        value = getattr(body, field)
        if isinstance(value, UnsetType):
            continue
        if isinstance(value, str):
            value = value.strip()
        if field != "name" and not value:
            value = None  # an empty optional field clears it
        problem = _problem(field, value)
        if problem:
            items.append(ErrorItem("validation_error", problem, pointer(field)))
        after[field] = value
    if items:
        raise ApiError.many(items)
    return before, after


def policy_changes(current: repo.Profile, body: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(before, after) of the multi-factor policy. Decoding has already checked the values
    (types and range); a body without these fields (a /v1 one) leaves the policy as it is."""
    before = {f: getattr(current, f) for f in POLICY_FIELDS}
    after = dict(before)
    for field in POLICY_FIELDS:
        value = getattr(body, field, UNSET)
        if not isinstance(value, UnsetType):
            after[field] = int(value) if field == "mfa_reprompt_hours" else value
    return before, after


async def update(
    conn: asyncpg.Connection, actor: Principal, org_id: UUID, resource: OrganizationChanges
) -> None:
    """Change the profile of ``org_id`` (the actor's organization) as the body asks, and
    audit it; a body that changes nothing writes nothing."""
    if resource.id != str(org_id):
        raise ApiError(
            "conflict", "The id in the body is not the id in the path.", pointer="/data/id"
        )
    current = await repo.profile(conn, org_id, actor.user_id)
    if current is None:
        raise not_found()
    await change(conn, actor, current, resource.attributes)


async def change(
    conn: asyncpg.Connection,
    actor: Principal,
    current: repo.Profile,
    body: Any,
    pointer: Callable[[str], str] = json_api_pointer,
) -> None:
    """Apply ``body``'s profile fields (and policy fields, if it has them) to ``current`` and
    audit the change as one event; a body that changes nothing writes nothing."""
    org_id = current.id
    before, after = changes(current, body, pointer)
    policy_before, policy = policy_changes(current, body)
    if before == after and policy_before == policy:
        return
    if before != after:
        await repo.update_profile(conn, org_id, after)
    if policy_before != policy:
        await repo.update_mfa_policy(
            conn, org_id, policy["mfa_required"], policy["mfa_reprompt_hours"]
        )
    await record(
        conn,
        organization_id=org_id,
        action="organization.update",
        resource_id=org_id,
        actor=actor.actor,
        before={**before, **policy_before},
        after={**after, **policy},
        address=actor.address,
    )
