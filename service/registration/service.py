"""Registration and verification decisions. No request objects here; the caller owns the tx.

A known, verified address gets the same answer as a new one and only a notice by mail. An
address whose account was never verified may be registered again: the newer registration
replaces the older one whole (its password, its links and the organization it created), so a
squatter who registered someone else's address is left with nothing once the address's owner
registers and verifies, or resets the password.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg

from service.audit.recorder import record
from service.db.tx import set_tenant
from service.errors import ApiError, ErrorItem
from service.fields import email_problem, normalize_email, text_problem
from service.ids import uuid7
from service.links import repo as links
from service.mail.mailer import Mailer
from service.organizations import repo as organizations_repo
from service.organizations import service as organizations
from service.registration.schemas import RegistrationAttributes
from service.security.password_policy import check_password
from service.users import repo as users

INVALID = "This link is invalid, used or expired."


@dataclass(frozen=True, slots=True)
class Registration:
    email: str
    password: str
    first_name: str
    last_name: str
    organization_name: str

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def validate(attrs: RegistrationAttributes, *, prefix: str, min_length: int) -> Registration:
    """Every problem at once, each with its pointer; nothing is written before this passes."""
    email = normalize_email(attrs.email)
    problems: list[tuple[str, str | None]] = [
        ("email", email_problem(email)),
        ("firstName", text_problem(attrs.first_name, maximum=100, label="A first name")),
        ("lastName", text_problem(attrs.last_name, maximum=100, label="A last name")),
        (
            "organizationName",
            text_problem(attrs.organization_name, maximum=200, label="An organization name"),
        ),
    ]
    for problem in check_password(
        attrs.password,
        min_length=min_length,
        email=email,
        organization_name=attrs.organization_name,
        names=(attrs.first_name, attrs.last_name),
    ):
        problems.append(("password", problem))
    items = [
        ErrorItem("validation_error", detail, f"{prefix}/{field}")
        for field, detail in problems
        if detail
    ]
    if items:
        raise ApiError.many(items)
    return Registration(
        email=email,
        password=attrs.password,
        first_name=attrs.first_name.strip(),
        last_name=attrs.last_name.strip(),
        organization_name=attrs.organization_name.strip(),
    )


async def register(
    conn: asyncpg.Connection, form: Registration, *, password_hash: str, mailer: Mailer
) -> None:
    """``password_hash`` is computed by the caller before the transaction, on every path, so
    that timing does not tell a known address from a new one."""
    existing = await users.by_email(conn, form.email)
    if existing is not None and (existing.email_verified_at or existing.disabled_at):
        await mailer.already_registered(
            conn, to=existing.email, name=existing.name, organization_name=form.organization_name
        )
        return
    if existing is None:
        user_id = uuid7()
        await users.insert(
            conn,
            user_id=user_id,
            email=form.email,
            name=form.display_name,
            given_name=form.first_name,
            family_name=form.last_name,
            password_hash=password_hash,
        )
    else:
        user_id = existing.id
        await _discard_pending(conn, user_id)
        await users.restart_registration(
            conn,
            user_id,
            password_hash=password_hash,
            name=form.display_name,
            given_name=form.first_name,
            family_name=form.last_name,
        )
    org_id = await organizations.create(conn, name=form.organization_name, owner_id=user_id)
    await record(
        conn,
        organization_id=org_id,
        action="organization.create",
        resource_type="auth/organizations",
        resource_id=org_id,
        actor_user_id=user_id,
        after={"name": form.organization_name, "owner": form.email},
    )
    token = await links.issue(
        conn,
        user_id=user_id,
        purpose=links.VERIFY_EMAIL,
        email=form.email,
        organization_id=org_id,
    )
    await mailer.verify_email(
        conn,
        to=form.email,
        name=form.display_name,
        organization_name=form.organization_name,
        token=token,
    )


async def _discard_pending(conn: asyncpg.Connection, user_id: UUID) -> None:
    """Kill an unverified account's links and the organizations only it belongs to."""
    pending = await links.expire_unused(
        conn, user_id, (links.VERIFY_EMAIL, links.PASSWORD_RESET, links.SET_PASSWORD)
    )
    for org_id in pending:
        await set_tenant(conn, org_id=org_id, user_id=user_id)
        if await organizations_repo.sole_member_organizations(conn, user_id, [org_id]):
            await organizations_repo.delete(conn, org_id)
    await set_tenant(conn, org_id=None, user_id=None)


async def verify(conn: asyncpg.Connection, token: str) -> str:
    """Mark the address verified; the name of the organization it registered, if any."""
    redeemed = await links.consume(conn, token, (links.VERIFY_EMAIL,))
    user = await users.by_id(conn, redeemed.user_id) if redeemed else None
    if redeemed is None or user is None or user.email.lower() != redeemed.email.lower():
        raise ApiError("invalid_token", INVALID, pointer="/token")
    await users.mark_verified(conn, user.id, redeemed.organization_id)
    await links.expire_unused(conn, user.id, (links.VERIFY_EMAIL,))
    if redeemed.organization_id is not None:
        await set_tenant(conn, org_id=redeemed.organization_id, user_id=user.id)
        await record(
            conn,
            organization_id=redeemed.organization_id,
            action="auth.email_verified",
            resource_type="auth/users",
            resource_id=user.id,
            actor_user_id=user.id,
            after={"emailVerified": True},
        )
        return await organizations_repo.name_of(conn, redeemed.organization_id) or ""
    return ""


async def resend(conn: asyncpg.Connection, email: str, *, mailer: Mailer) -> None:
    """A fresh link for an unverified account; silence for anything else."""
    user = await users.by_email(conn, normalize_email(email))
    if user is None or user.email_verified_at or user.disabled_at:
        return
    org_id = await links.pending_registration_organization(conn, user.id)
    if org_id is None:
        return
    await links.expire_unused(conn, user.id, (links.VERIFY_EMAIL,))
    await set_tenant(conn, org_id=org_id, user_id=user.id)
    organization_name = await organizations_repo.name_of(conn, org_id) or ""
    token = await links.issue(
        conn, user_id=user.id, purpose=links.VERIFY_EMAIL, email=user.email, organization_id=org_id
    )
    await mailer.verify_email(
        conn, to=user.email, name=user.name, organization_name=organization_name, token=token
    )
