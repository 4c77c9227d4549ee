"""Custom domain decisions: adding one (a valid, claimable hostname, once per organization),
verifying it by its TXT record, removing it, and the janitor's periodic re-check.

A verification looks the record up at ``<DOMAIN_TXT_PREFIX>.<domain>`` and compares each
TXT string with the domain's token. Found: the domain is verified (409 ``conflict`` when
another organization has it verified already). Not found: a pending domain stays pending
(200 with its ``last_check_at``: the check itself succeeded, the answer says what it found),
a verified one goes back to pending and stops resolving. DNS unable to tell (a timeout, a
failing resolver): the status stays as it was, whichever it was.
Every change of status, every addition and every removal writes an audit row in the same
transaction.
"""

from __future__ import annotations

import asyncio
import secrets
import uuid
from datetime import timedelta
from typing import Any
from uuid import UUID

import asyncpg

from service.audit.actions import Action
from service.audit.recorder import record
from service.config import Settings
from service.db.tx import transaction
from service.domains import dns, repo, rules
from service.domains.repo import Domain, Due
from service.errors import ApiError
from service.ids import parse_uuid, uuid7
from service.security.principal import Principal

RECHECK_BATCH = 100
RECHECK_AT_ONCE = 10  # lookups in flight at once during a re-check


def not_found() -> ApiError:
    return ApiError("not_found", "No such domain in this organization.")


def txt_host(settings: Settings, domain: str) -> str:
    return f"{settings.domain_txt_prefix}.{domain}"


def snapshot(domain: Domain | None) -> dict[str, Any] | None:
    if domain is None:
        return None
    return {"domain": domain.domain, "domainType": domain.domain_type, "status": domain.status}


async def _audit(
    conn: asyncpg.Connection,
    actor: Principal | None,
    action: Action,
    org_id: UUID,
    before: Domain | None,
    after: Domain | None,
) -> None:
    subject = after or before
    assert subject is not None
    who: dict[str, Any] = (
        {"actor": actor.actor, "address": actor.address} if actor else {"actor_kind": "system"}
    )
    await record(
        conn,
        organization_id=org_id,
        action=action,
        resource_id=subject.id,
        before=snapshot(before),
        after=snapshot(after),
        **who,
    )


async def add(
    conn: asyncpg.Connection, actor: Principal, settings: Settings, name: str, kind: str
) -> Domain:
    domain = rules.claimable(name, settings.public_base_url)
    token = str(uuid.UUID(bytes=secrets.token_bytes(16), version=4))
    added = await repo.insert(conn, uuid7(), actor.org_id, domain, rules.kind(kind), token)
    if added is None:
        raise ApiError("conflict", "This organization has this domain already.", pointer="/domain")
    await _audit(conn, actor, "domain.create", actor.org_id, None, added)
    return added


async def find(conn: asyncpg.Connection, org_id: UUID, raw_id: str) -> Domain:
    domain_id = parse_uuid(raw_id)
    if domain_id is None:
        raise ApiError("invalid_id", "The domain id is not a valid UUID.")
    found = await repo.by_id(conn, org_id, domain_id)
    if found is None:
        raise not_found()
    return found


async def _look(settings: Settings, domain: str, token: str) -> bool | None:
    values = await dns.txt_values(txt_host(settings, domain), settings.domain_dns_resolvers)
    return dns.holds(values, token)


async def verify(
    conn: asyncpg.Connection, actor: Principal, settings: Settings, raw_id: str
) -> Domain:
    """Look the record up (before any row lock: it may take ``dns.TIMEOUT_SECONDS``), then
    record the outcome against the domain as it is by then."""
    current = await find(conn, actor.org_id, raw_id)
    found = await _look(settings, current.domain, current.verification_token)
    before = await repo.locked(conn, actor.org_id, current.id)
    if before is None:  # removed meanwhile
        raise not_found()
    # Another organization with the domain verified: the unique index refuses, 409 conflict
    # (service/db/constraints.py), and the request's transaction writes nothing.
    after = await repo.checked(conn, actor.org_id, before.id, found)
    assert after is not None
    if after.status != before.status:
        await _audit(conn, actor, "domain.verify", actor.org_id, before, after)
    return after


async def remove(conn: asyncpg.Connection, actor: Principal, raw_id: str) -> None:
    current = await find(conn, actor.org_id, raw_id)
    removed = await repo.delete(conn, actor.org_id, current.id)
    if removed is not None:
        await _audit(conn, actor, "domain.delete", actor.org_id, removed, None)


async def recheck(pool: asyncpg.Pool, settings: Settings) -> int:
    """Look again at verified domains not checked for ``DOMAIN_RECHECK_HOURS`` (a batch, a few
    lookups at once); those whose record is gone go back to pending and stop resolving, with
    an audit row by the system. How many were looked at."""
    async with pool.acquire() as conn:
        due = await repo.due(conn, timedelta(hours=settings.domain_recheck_hours), RECHECK_BATCH)
    gate = asyncio.Semaphore(RECHECK_AT_ONCE)

    async def one(item: Due) -> None:
        async with gate:
            await recheck_one(pool, settings, item)

    async with asyncio.TaskGroup() as group:
        for item in due:
            group.create_task(one(item))
    return len(due)


async def recheck_one(pool: asyncpg.Pool, settings: Settings, item: Due) -> None:
    """One verified domain: kept (``last_check_at`` now) while its record holds the token,
    back to pending when it does not. When DNS cannot tell, nothing changes and the next
    sweep looks again."""
    found = await _look(settings, item.domain, item.verification_token)
    if found is None:
        return
    async with transaction(pool, org_id=item.organization_id) as conn:
        before = await repo.locked(conn, item.organization_id, item.id)
        if before is None or before.status != "verified":
            return  # removed, or found gone by someone's verify, meanwhile
        after = await repo.checked(conn, item.organization_id, item.id, found)
        if after is not None and after.status != before.status:
            await _audit(conn, None, "domain.verify", item.organization_id, before, after)
