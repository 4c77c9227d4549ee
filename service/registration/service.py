"""Registration and verification decisions. No request objects here.

A known address gets the same answer as a new one and only a notice by mail. A pure pending
self-registration (an unverified account holding nothing but the organization its own link
created) may be registered again: the newer registration replaces the older one whole (its
password, its links and the organization it created). Nothing else is ever replaced: not an
account an administrator created, one an invitation reached or one that joined anything.

A registrant's password becomes usable only when the verification link's holder types it:
someone who registers an address they do not own can never make their password open the
account of the address's owner, who will click the link without knowing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg

from service.accounts import repo as users
from service.audit.recorder import record
from service.config import Settings
from service.db.tx import set_tenant, transaction
from service.db.undone import kept_if
from service.errors import ApiError, ErrorItem
from service.fields import email_problem, normalize_email, text_problem
from service.ids import uuid7
from service.links import repo as links
from service.mail.mailer import Mailer
from service.organizations import repo as organizations_repo
from service.organizations import service as organizations
from service.registration import repo as registrations
from service.registration.schemas import RegistrationAttributes, VerifyBody
from service.security.password_policy import check_password
from service.security.passwords import PasswordHasher
from service.throttle.gate import guarded, invalid_token, limited
from service.visitor import Visitor

CLOSED = "Sign-up is closed here; ask an organization for an invitation."
INVALID = "This link is invalid, used or expired."
WRONG_PASSWORD = "This is not the password chosen when the account was registered."  # noqa: S105


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


def check_open(settings: Settings) -> None:
    """With ``REGISTRATION=closed`` only invitations and operators create accounts."""
    if not settings.registration_open:
        raise ApiError("forbidden", CLOSED)


async def sign_up(visitor: Visitor, attrs: RegistrationAttributes, *, prefix: str) -> None:
    """The whole registration: check what was sent on the hashing threads (nothing counts
    against the client's address before it passes), count the attempt, hash the password
    outside any transaction, then register in one transaction."""
    min_length = visitor.settings.password_min_length
    form = await visitor.hasher.judge(lambda: validate(attrs, prefix=prefix, min_length=min_length))
    await limited(visitor.throttle, visitor.throttle.policy.register(visitor.address))
    password_hash = await visitor.hasher.hash(form.password)
    async with transaction(visitor.pool, anonymous=True) as conn:
        await register(conn, form, password_hash=password_hash, mailer=visitor.mailer)


async def register(
    conn: asyncpg.Connection, form: Registration, *, password_hash: str, mailer: Mailer
) -> None:
    """``password_hash`` is computed by the caller before the transaction, on every path.

    An existing address is replaced only when it is a pure pending self-registration (its
    organization goes through the one database function allowed to delete one); any other
    account, verified or not, gets the notice and nothing of it changes. Every path runs the
    same statements (a registration and a notice), keeping only the one that applies, so the
    answer's timing does not tell a known address from a new one either."""
    existing = await users.by_email(conn, form.email)
    candidate = existing.id if existing is not None else uuid7()
    replaced = await registrations.discard_pending(conn, candidate, "replaced")
    claimable = existing is None or replaced is not None
    async with kept_if(conn, claimable):
        # A known address's path creates an account of its own that is rolled back.
        user_id = candidate if claimable else uuid7()
        if existing is not None and claimable:
            await users.restart_registration(
                conn,
                user_id,
                password_hash=password_hash,
                name=form.display_name,
                given_name=form.first_name,
                family_name=form.last_name,
            )
        else:
            await users.insert(
                conn,
                user_id=user_id,
                email=form.email if claimable else f"{user_id}@unkept.invalid",
                name=form.display_name,
                given_name=form.first_name,
                family_name=form.last_name,
                password_hash=password_hash,
            )
        await _open_registration(conn, form, user_id, mailer=mailer)
    async with kept_if(conn, not claimable):
        name = existing.name if existing is not None else form.display_name
        await mailer.already_registered(conn, to=form.email, name=name)


async def _open_registration(
    conn: asyncpg.Connection, form: Registration, user_id: UUID, *, mailer: Mailer
) -> None:
    """The registrant's organization (owned by the pending account) and the link to verify."""
    org_id = await organizations.create(
        conn, name=form.organization_name, owner_id=user_id, owner_name=form.display_name
    )
    await record(
        conn,
        organization_id=org_id,
        action="organization.create",
        resource_id=org_id,
        actor_user_id=user_id,
        after={"name": form.organization_name, "owner": form.email},
    )
    token = await links.issue(
        conn, user_id=user_id, purpose=links.VERIFY_EMAIL, email=form.email, organization_id=org_id
    )
    await mailer.verify_email(
        conn,
        to=form.email,
        name=form.display_name,
        organization_name=form.organization_name,
        token=token,
    )
    await set_tenant(conn, org_id=None, user_id=None, anonymous=True)


class PasswordMismatch(ApiError):
    """The password typed on the verification page is not the registrant's."""

    def __init__(self, email: str, organization_name: str) -> None:
        super().__init__("invalid_token", WRONG_PASSWORD, pointer="/password")
        self.email = email
        self.organization_name = organization_name


@dataclass(frozen=True, slots=True)
class _Pending:
    user_id: UUID
    email: str
    password_hash: str | None
    organization_name: str


async def _pending(conn: asyncpg.Connection, token: str) -> _Pending:
    redeemed = await links.peek(conn, token, (links.VERIFY_EMAIL,))
    user = await users.by_id(conn, redeemed.user_id) if redeemed else None
    if redeemed is None or user is None or user.email != redeemed.email.lower():
        raise ApiError("invalid_token", INVALID, pointer="/token")
    name = ""
    if redeemed.organization_id is not None:
        await set_tenant(conn, org_id=redeemed.organization_id, user_id=user.id)
        name = await organizations_repo.name_of(conn, redeemed.organization_id) or ""
    return _Pending(user.id, user.email, user.password_hash, name)


async def confirm_address(visitor: Visitor, body: VerifyBody) -> str:
    """Mark the address verified when the password typed is the registrant's; the name of
    the organization it registered. Throttled by the client's address: over the limit the
    answer is a dead link's, and only a dead link counts as a failed guess."""
    return await guarded(
        visitor.throttle,
        visitor.throttle.policy.verify(visitor.address),
        lambda: _confirm_address(visitor.pool, visitor.hasher, body.token, body.password),
        refusal=lambda: ApiError("invalid_token", INVALID, pointer="/token"),
        counts=invalid_token,
    )


async def _confirm_address(
    pool: asyncpg.Pool, hasher: PasswordHasher, token: str, password: str
) -> str:
    """The link stays usable after a wrong password (the person may mistype), and the argon2
    check runs outside any transaction."""
    async with transaction(pool, anonymous=True) as conn:
        pending = await _pending(conn, token)
    if not (await hasher.verify(pending.password_hash, password)).ok:
        raise PasswordMismatch(pending.email, pending.organization_name)
    async with transaction(pool, anonymous=True) as conn:
        await _verify(conn, token, verified_hash=pending.password_hash)
    return pending.organization_name


async def _verify(conn: asyncpg.Connection, token: str, *, verified_hash: str | None) -> None:
    redeemed = await links.consume(conn, token, (links.VERIFY_EMAIL,))
    user = await users.by_id(conn, redeemed.user_id, lock=True) if redeemed else None
    if (
        redeemed is None
        or user is None
        or user.email != redeemed.email.lower()
        or user.password_hash is None
        or user.password_hash != verified_hash
    ):
        raise ApiError("invalid_token", INVALID, pointer="/token")
    await users.mark_verified(conn, user.id, redeemed.organization_id)
    await links.expire_unused(conn, user.id, (links.VERIFY_EMAIL,))
    if redeemed.organization_id is not None:
        await set_tenant(conn, org_id=redeemed.organization_id, user_id=user.id)
        await record(
            conn,
            organization_id=redeemed.organization_id,
            action="auth.email_verified",
            resource_id=user.id,
            actor_user_id=user.id,
            after={"emailVerified": True},
        )


async def ask_for_link(visitor: Visitor, email: str) -> None:
    """Counted against the client's address first; then, in one anonymous transaction,
    :func:`resend`."""
    await limited(visitor.throttle, visitor.throttle.policy.resend(visitor.address))
    async with transaction(visitor.pool, anonymous=True) as conn:
        await resend(conn, email, mailer=visitor.mailer)


async def resend(conn: asyncpg.Connection, email: str, *, mailer: Mailer) -> None:
    """A fresh link for a pending registration; for any other address the same work is done
    for a stand-in account and rolled back, so neither the answer nor its timing tells."""
    user = await users.by_email(conn, normalize_email(email))
    pending = user is not None and not user.email_verified_at and not user.disabled_at
    candidate = user.id if user is not None and pending else uuid7()
    org_id = await links.pending_registration_organization(conn, candidate)
    real = pending and org_id is not None
    async with kept_if(conn, real):
        target = user if user is not None and real else await users.insert_unkept(conn, name="")
        await links.expire_unused(conn, target.id, (links.VERIFY_EMAIL,))
        await set_tenant(conn, org_id=org_id, user_id=target.id, anonymous=org_id is None)
        organization_name = await organizations_repo.name_of(conn, org_id or candidate) or ""
        token = await links.issue(
            conn,
            user_id=target.id,
            purpose=links.VERIFY_EMAIL,
            email=target.email,
            organization_id=org_id,
        )
        await mailer.verify_email(
            conn,
            to=target.email,
            name=target.name,
            organization_name=organization_name,
            token=token,
        )
