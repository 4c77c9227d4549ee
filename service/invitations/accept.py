"""Accepting an invitation through its link: single use, seven days, bound to the address.

A new person chooses a password here (the link proves the address, so it counts as
verified), and so does an account whose password nobody proven chose. Someone who already has
an account confirms: with their password or a session of that account the answer carries
tokens; with the link alone the membership is recorded and the person signs in as usual (an
invitation link is not a password). Nor is it a second factor: when the sign-in would need
one, accepting records the membership and issues nothing. Concurrent accepts queue on the
invitation's row lock: one membership.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg

from service.accounts import members
from service.accounts import repo as users
from service.audit.recorder import record
from service.db.tx import set_tenant, transaction
from service.errors import ApiError, ErrorItem
from service.fields import normalize_email, text_problem
from service.ids import uuid7
from service.invitations import repo
from service.invitations.schemas import AcceptBody
from service.links import repo as links
from service.metrics import events
from service.mfa.check import has_factor
from service.organizations import repo as organizations
from service.security.jwt import verify_access_token
from service.security.password_policy import check_password
from service.throttle.gate import guarded, invalid_token
from service.tokens.schemas import TokenResponse
from service.tokens.service import Issuer, issue_tokens

INVALID = "This invitation link is invalid, used, revoked or expired."
WRONG_PASSWORD = "This is not the password of the account invited."  # noqa: S105


def invalid() -> ApiError:
    return ApiError("invalid_token", INVALID, pointer="/token")


@dataclass(frozen=True, slots=True)
class Found:
    org_id: UUID
    invitation: repo.Live
    user: users.User | None

    @property
    def needs_password(self) -> bool:
        """A new person, one without a password, or an account whose address was never
        proven: whoever chose that password may not own the address, so the invitee, who
        just proved it, chooses the password now."""
        user = self.user
        return user is None or user.password_hash is None or user.email_verified_at is None


@dataclass(frozen=True, slots=True)
class NewPerson:
    first_name: str
    last_name: str
    password: str


async def _user(conn: asyncpg.Connection, org_id: UUID, email: str) -> users.User | None:
    await set_tenant(conn, org_id=None, user_id=None, anonymous=True)
    try:
        return await users.by_email(conn, email)
    finally:
        await set_tenant(conn, org_id=org_id, user_id=None)


async def find(conn: asyncpg.Connection, raw: str, *, email: str | None = None) -> Found:
    org_id = repo.organization_of(raw)
    if org_id is None:
        raise invalid()
    await set_tenant(conn, org_id=org_id, user_id=None)
    live = await repo.live(conn, org_id, raw, lock=False)
    if live is None or (email is not None and normalize_email(email) != live.email.lower()):
        raise invalid()
    user = await _user(conn, org_id, live.email)
    if user is not None and user.disabled_at is not None:
        raise invalid()
    return Found(org_id, live, user)


def check_new_person(found: Found, person: NewPerson, *, min_length: int) -> None:
    problems = [
        ("firstName", text_problem(person.first_name, maximum=100, label="A first name")),
        ("lastName", text_problem(person.last_name, maximum=100, label="A last name")),
    ]
    problems += [
        ("password", p)
        for p in check_password(
            person.password,
            min_length=min_length,
            email=found.invitation.email,
            organization_name=found.invitation.organization_name,
            names=(person.first_name, person.last_name),
        )
    ]
    items = [ErrorItem("validation_error", d, f"/{f}") for f, d in problems if d]
    if items:
        raise ApiError.many(items)


async def accept(
    conn: asyncpg.Connection,
    raw: str,
    found: Found,
    issuer: Issuer,
    *,
    person: NewPerson | None,
    password_hash: str | None,
    proven: bool,
    address: str | None = None,
) -> TokenResponse | None:
    """Record the membership; tokens only when the person proved who they are here (chose
    the password now, typed theirs, or holds a session of that account): the link alone
    is no password."""
    org_id = found.org_id
    await set_tenant(conn, org_id=org_id, user_id=None)
    live = await repo.live(conn, org_id, raw, lock=True)
    if live is None or live.id != found.invitation.id:
        raise invalid()
    user = await _user(conn, org_id, live.email)
    if user is None:
        if person is None or password_hash is None:
            raise invalid()
        user_id = uuid7()
        name = f"{person.first_name.strip()} {person.last_name.strip()}"
        await users.insert(
            conn,
            user_id=user_id,
            email=live.email,
            name=name,
            given_name=person.first_name.strip(),
            family_name=person.last_name.strip(),
            password_hash=password_hash,
            verified=True,
        )
    elif user.password_hash is None or user.email_verified_at is None:
        if password_hash is None:
            raise invalid()
        user_id, name = user.id, user.name
        # Not a member here yet: the row is visible to this transaction only by its own id.
        await set_tenant(conn, org_id=org_id, user_id=user_id)
        await users.set_password(conn, user_id, password_hash)
        await set_tenant(conn, org_id=None, user_id=user_id, anonymous=True)
        await links.expire_unused(conn, user_id, (links.VERIFY_EMAIL, links.PASSWORD_RESET))
    else:
        if found.user is None or user.password_hash != found.user.password_hash:
            raise invalid()  # the password changed while this request checked it
        user_id, name = user.id, user.name
    await set_tenant(conn, org_id=org_id, user_id=user_id)
    await _join(conn, org_id, user_id, live, name)
    await record(
        conn,
        organization_id=org_id,
        action="invitation.accept",
        resource_id=live.id,
        actor_user_id=user_id,
        before={"status": "pending"},
        after={"status": "accepted", "acceptedBy": user_id, "role": live.role_code},
        address=address,
    )
    events.invitation_accepted(
        user_id=user_id, org_id=org_id, invitation_id=live.id, role=live.role_code, address=address
    )
    person_now = await users.by_id(conn, user_id)
    membership = await users.membership(conn, org_id, user_id)
    if not proven or person_now is None or membership is None:
        return None
    if await _second_factor_first(conn, org_id, user_id):
        return None  # signing in asks for it (or enrols one): accepting is no way round it
    return await issue_tokens(
        conn, issuer, person_now, membership, family_id=uuid7(), parent_id=None
    )


async def _second_factor_first(conn: asyncpg.Connection, org_id: UUID, user_id: UUID) -> bool:
    """Whether a sign-in of this person into this organization needs a second factor: they
    have one, or the organization requires one. Then accepting records the membership and
    issues nothing; the person signs in as usual."""
    policy = await organizations.mfa_policy(conn, org_id)
    return (policy is not None and policy.required) or await has_factor(conn, user_id)


async def _join(
    conn: asyncpg.Connection, org_id: UUID, user_id: UUID, live: repo.Live, name: str
) -> None:
    """A new membership, or the pending one an administrator created for this account."""
    current = await members.current(conn, org_id, user_id)
    if current is not None and (
        current.accepted or not await members.accept(conn, org_id, user_id)
    ):
        raise ApiError("conflict", "You are already a member of this organization.")
    if current is None:
        await members.add(conn, org_id, user_id, live.role_id, None, name=name)
    await repo.mark_accepted(conn, org_id, live.id, user_id)


async def accept_link(
    issuer: Issuer,
    body: AcceptBody,
    *,
    bearer: str | None,
    address: str,
    found_out: list[Found],
) -> TokenResponse | None:
    """The whole acceptance, throttled by the client's address: over the limit the answer is
    an invalid link's, and only an invalid link counts as a failed guess. ``bearer`` is the
    access token the request carries, if any. ``found_out`` receives the invitation found,
    for the page that answers a form post."""
    bearer_user = await _bearer_user(issuer, bearer)
    throttle = issuer.throttle
    return await guarded(
        throttle,
        throttle.policy.invitation_accept(address),
        lambda: _accept_link(
            issuer, body, bearer_user=bearer_user, address=address, found_out=found_out
        ),
        refusal=invalid,
        counts=invalid_token,
    )


async def _bearer_user(issuer: Issuer, token: str | None) -> UUID | None:
    """The account a valid access token names; None without a token or for an invalid one."""
    if token is None:
        return None
    try:
        claims = await verify_access_token(issuer.keys, issuer.settings, token)
    except ApiError:
        return None
    return claims.user_id


async def _accept_link(
    issuer: Issuer,
    body: AcceptBody,
    *,
    bearer_user: UUID | None,
    address: str,
    found_out: list[Found],
) -> TokenResponse | None:
    """Find the invitation, check what the person sent (argon2 runs outside any
    transaction), record the membership."""
    pool = issuer.pool
    async with transaction(pool) as conn:
        found = await find(conn, body.token, email=body.email)
    found_out.append(found)
    person, password_hash, proven = None, None, False
    if found.needs_password:
        person = NewPerson(body.first_name or "", body.last_name or "", body.password or "")
        min_length, new = issuer.settings.password_min_length, person
        await issuer.hasher.judge(lambda: check_new_person(found, new, min_length=min_length))
        password_hash = await issuer.hasher.hash(person.password)
        proven = True
    elif body.password is not None:
        assert found.user is not None
        if not (await issuer.hasher.verify(found.user.password_hash, body.password)).ok:
            raise ApiError("invalid_token", WRONG_PASSWORD, pointer="/password")
        proven = True
    else:
        proven = found.user is not None and bearer_user == found.user.id
    async with transaction(pool) as conn:
        return await accept(
            conn,
            body.token,
            found,
            issuer,
            person=person,
            password_hash=password_hash,
            proven=proven,
            address=address,
        )
