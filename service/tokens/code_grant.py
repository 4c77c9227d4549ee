"""``grant_type=authorization_code`` (RFC 6749 4.1.3, RFC 7636 4.6, OpenID Connect 3.1.3).

The code is taken under a row lock inside the client's organization: it must be unused,
unexpired, minted for this client and this redirect URI, and ``BASE64URL(SHA256(verifier))``
must equal its challenge. Any failure spends the code. A code presented again revokes the
refresh family its first use issued, and is refused (RFC 6749 4.1.2).

The person must still be a live member of the client's organization. A refresh token comes
only with ``offline_access`` (and is bound to the client); an ID token with ``openid``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from uuid import UUID

import asyncpg

from service.accounts import repo as users
from service.app_clients.repo import Client
from service.db.tx import transaction
from service.ids import uuid7
from service.security.id_token import Person, issue_id_token
from service.security.sign_in import has_second_factor
from service.tokens import codes
from service.tokens import repo as tokens
from service.tokens.errors import OAuthError
from service.tokens.issue import Issuer, SessionsEnded, issue_tokens, signed
from service.tokens.schemas import AuthorizationCodeGrant, TokenResponse

INVALID = "The code is invalid, expired or used, or was not issued for this request."


def challenge_of(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


async def authorization_code(
    issuer: Issuer, client: Client | None, form: AuthorizationCodeGrant
) -> TokenResponse:
    if client is None:
        raise OAuthError("invalid_client", "authorization_code needs the client.", 401)
    if client.type == "machine_to_machine":
        raise OAuthError("unauthorized_client", "A machine_to_machine client signs nobody in.")
    async with transaction(issuer.pool, org_id=client.organization_id) as conn:
        issued = await _exchange(conn, issuer, client, form)
    if issued is None:  # whatever was spent or revoked on the way has committed
        raise OAuthError("invalid_grant", INVALID)
    return issued


async def _exchange(
    conn: asyncpg.Connection, issuer: Issuer, client: Client, form: AuthorizationCodeGrant
) -> TokenResponse | None:
    code = await codes.take(conn, form.code, client.organization_id)
    if code is None:
        return None
    if code.used:  # a replay: what the first use issued dies with it
        if code.issued_family is not None:
            await tokens.revoke_family(conn, code.issued_family, code.user_id, "code_reuse")
        return None
    if (
        code.expired
        or code.app_client_id != client.id
        or not hmac.compare_digest(code.redirect_uri, form.redirect_uri)
        or not hmac.compare_digest(code.code_challenge, challenge_of(form.code_verifier))
    ):
        await codes.mark_used(conn, code, None)
        return None
    scopes = frozenset(code.scope.split())
    family = uuid7() if "offline_access" in scopes else None
    await codes.mark_used(conn, code, family)
    return await _tokens(conn, issuer, client, code, scopes, family)


async def _tokens(
    conn: asyncpg.Connection,
    issuer: Issuer,
    client: Client,
    code: codes.Code,
    scopes: frozenset[str],
    family: UUID | None,
) -> TokenResponse | None:
    org = client.organization_id
    membership = await users.membership(conn, org, code.user_id)
    user = await users.by_id(conn, code.user_id)
    if membership is None or user is None or user.disabled_at is not None:
        return None
    scope = code.scope or None
    if family is not None:
        try:
            answer = await issue_tokens(
                conn,
                issuer,
                user,
                membership,
                family_id=family,
                parent_id=None,
                client=client,
                scope=scope,
                signed_in=code.signed_in,
                mfa_at=code.auth_time if has_second_factor(code.amr) else None,
            )
        except SessionsEnded:
            return None
    else:
        epoch = await tokens.sessions_epoch(conn, user.id) or 0
        grant = tokens.Grant(
            org, membership.role_code, membership.permissions, membership.practitioner_id, epoch
        )
        answer = signed(
            issuer,
            user,
            grant,
            refresh_token=None,
            client=client,
            scope=scope,
            signed_in=code.signed_in,
        )
    if "openid" in scopes:
        person = Person(
            user.id,
            user.email,
            user.email_verified_at is not None,
            membership_name(user),
            org,
            membership.practitioner_id,
        )
        answer.id_token = issue_id_token(
            issuer.keys,
            issuer.settings,
            person=person,
            client_id=client.client_id,
            scopes=scopes,
            signed_in=code.signed_in,
            nonce=code.nonce,
        )
    return answer


def membership_name(user: users.User) -> str:
    return user.name or " ".join(p for p in (user.given_name, user.family_name) if p)
