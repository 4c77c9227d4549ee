"""Organization policy (``mfaRequired``) and the administrator's reset, played by a member of
two organizations, an administrator of lesser rank, and an administrator on themselves."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx

from service.config import Settings
from tests.mfa.helpers import (
    add,
    claims,
    enrolled,
    headers_of,
    mfa_token,
    new_factor,
    second_step,
    signed_in,
)
from tests.roles.people import Member, member, owner
from tests.support.accounts import PASSWORD, login
from tests.support.flows import Mailbox, link_in


async def _require(client: httpx.AsyncClient, who: Member, **attributes: Any) -> None:
    body = {
        "data": {
            "type": "auth/organizations",
            "id": str(who.org_id),
            "attributes": {"mfaRequired": True, **attributes},
        }
    }
    response = await client.patch(
        f"/auth/organizations/{who.org_id}", json=body, headers=who.headers
    )
    assert response.status_code == 200, response.text


async def _join(admin_conn: asyncpg.Connection, email: str, org_id: object, role: str) -> None:
    await admin_conn.execute(
        "INSERT INTO memberships (organization_id, user_id, role_id)"
        " SELECT $1, u.id, r.id FROM users u, roles r"
        " WHERE u.email = $2 AND r.organization_id = $1 AND r.code = $3",
        org_id,
        email,
        role,
    )


async def test_the_strictest_rule_is_the_one_of_the_organization_the_token_is_for(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    strict = await owner(client, mailbox, admin_conn, "strict@clinic.org", "Strict Clinic")
    relaxed = await owner(client, mailbox, admin_conn, "relaxed@lab.org", "Relaxed Lab")
    # A person of the relaxed lab, without any factor, also works at the strict clinic.
    await _join(admin_conn, relaxed.email, strict.org_id, "member")
    plain = await login(client, relaxed.email, organization_id=str(relaxed.org_id))
    assert plain.status_code == 200, plain.text
    await _require(client, strict)
    # The relaxed lab still takes the password alone.
    lab = await login(client, relaxed.email, organization_id=str(relaxed.org_id))
    assert lab.status_code == 200, lab.text
    assert claims(lab.json()["access_token"])["amr"] == ["pwd"]
    # The strict clinic wants a factor first: nothing is issued, and enrolment is asked for.
    body = await mfa_token(client, relaxed.email, organization_id=str(strict.org_id))
    assert body["mfa_enrollment_required"] is True
    # A password-only session does not switch into the strict clinic by refreshing.
    switch = await client.post(
        "/auth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": lab.json()["refresh_token"],
            "organization_id": str(strict.org_id),
        },
    )
    assert switch.status_code == 400, switch.text
    # Nor does a session of the strict clinic opened before the rule refresh there.
    before = await login(client, strict.email)
    assert before.status_code == 401  # the owner has no factor: mfa_required (enrol) now
    assert before.json()["mfa_enrollment_required"] is True


async def test_a_session_opened_before_the_rule_stops_refreshing_under_it(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "before@clinic.org")
    first = await login(client, me.email)
    assert first.status_code == 200
    await _require(client, me)
    refreshed = await client.post(
        "/auth/token",
        data={"grant_type": "refresh_token", "refresh_token": first.json()["refresh_token"]},
    )
    assert refreshed.status_code == 400, refreshed.text


async def test_a_member_with_a_factor_meets_it_in_every_organization(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "careful@clinic.org")
    _, app, _ = await enrolled(client, me)
    tokens = await signed_in(client, me.email, app)
    # A refresh keeps the second factor: still a multi-factor session.
    refreshed = await client.post(
        "/auth/token",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
    )
    assert refreshed.status_code == 200, refreshed.text
    assert claims(refreshed.json()["access_token"])["acr"] == "urn:health-auth:acr:mfa"


async def test_an_admin_reset_removes_factors_ends_sessions_and_mails_the_person(
    client: httpx.AsyncClient,
    mailbox: Mailbox,
    admin_conn: asyncpg.Connection,
    settings: Settings,
) -> None:
    boss = await owner(client, mailbox, admin_conn, "boss@clinic.org")
    nurse = await member(client, admin_conn, settings, boss.org_id, "nurse@clinic.org", "member")
    _, app, _ = await enrolled(client, nurse)
    session = await signed_in(client, nurse.email, app)
    user_id = await admin_conn.fetchval("SELECT id FROM users WHERE email = $1", nurse.email)
    seen = len(mailbox.to(nurse.email))
    response = await client.delete(f"/auth/users/{user_id}/mfa-factors", headers=boss.headers)
    assert response.status_code == 204, response.text
    assert await admin_conn.fetchval("SELECT count(*) FROM mfa_factors") == 0
    assert await admin_conn.fetchval("SELECT count(*) FROM mfa_recovery_codes") == 0
    # The nurse's session ended: its refresh token is refused, its access token too.
    me = await client.get("/auth/me", headers=headers_of(session))
    assert me.status_code == 401, me.text
    refreshed = await client.post(
        "/auth/token",
        data={"grant_type": "refresh_token", "refresh_token": session["refresh_token"]},
    )
    assert refreshed.status_code == 400
    mail = await mailbox.next_to(nurse.email, after=seen)
    assert "second factors" in str(mail.message["Subject"])
    row = await admin_conn.fetchrow(
        "SELECT actor_user_id, resource_id FROM audit_events WHERE action = 'mfa_factor.reset'"
    )
    assert row["resource_id"] == str(user_id)
    assert row["actor_user_id"] == await admin_conn.fetchval(
        "SELECT id FROM users WHERE email = $1", boss.email
    )
    # The password alone signs the nurse in again (and they may enrol anew).
    assert (await login(client, nurse.email)).status_code == 200


async def test_a_reset_needs_every_permission_of_the_target_and_never_oneself(
    client: httpx.AsyncClient,
    mailbox: Mailbox,
    admin_conn: asyncpg.Connection,
    settings: Settings,
) -> None:
    boss = await owner(client, mailbox, admin_conn, "chief@clinic.org")
    admin = await member(client, admin_conn, settings, boss.org_id, "admin@clinic.org", "admin")
    _, _, _ = await enrolled(client, boss)
    _, _, _ = await enrolled(client, admin)
    boss_id = await admin_conn.fetchval("SELECT id FROM users WHERE email = $1", boss.email)
    admin_id = await admin_conn.fetchval("SELECT id FROM users WHERE email = $1", admin.email)
    # An admin does not hold every permission of the owner's role.
    upward = await client.delete(f"/auth/users/{boss_id}/mfa-factors", headers=admin.headers)
    assert upward.status_code == 403, upward.text
    # A plain member may reset nobody's.
    plain = await member(client, admin_conn, settings, boss.org_id, "plain@clinic.org", "member")
    sideways = await client.delete(f"/auth/users/{admin_id}/mfa-factors", headers=plain.headers)
    assert sideways.status_code == 403, sideways.text
    # Nobody resets their own factors this way (no step-up would be asked).
    own = await client.delete(f"/auth/users/{admin_id}/mfa-factors", headers=admin.headers)
    assert own.status_code == 403, own.text
    # Another organization's owner cannot reach this organization's members.
    stranger = await owner(client, mailbox, admin_conn, "stranger@other.org", "Other Clinic")
    across = await client.delete(f"/auth/users/{admin_id}/mfa-factors", headers=stranger.headers)
    assert across.status_code == 404, across.text
    assert await admin_conn.fetchval("SELECT count(*) FROM mfa_factors") == 2
    assert (
        await admin_conn.fetchval(
            "SELECT count(*) FROM audit_events WHERE action = 'mfa_factor.reset'"
        )
        == 0
    )


async def test_row_level_security_keeps_a_reset_inside_the_tenant(
    client: httpx.AsyncClient,
    mailbox: Mailbox,
    admin_conn: asyncpg.Connection,
    app_conn: asyncpg.Connection,
) -> None:
    mine = await owner(client, mailbox, admin_conn, "mine@clinic.org", "Clinic A")
    theirs = await owner(client, mailbox, admin_conn, "theirs@other.org", "Clinic B")
    await enrolled(client, theirs)
    their_id = await admin_conn.fetchval("SELECT id FROM users WHERE email = $1", theirs.email)
    async with app_conn.transaction():
        await app_conn.execute(
            "SELECT set_config('app.org_id', $1, true), set_config('app.user_id', '', true)",
            str(mine.org_id),
        )
        # Even naming the stranger as the member to reset: they are no member here.
        await app_conn.execute("SELECT set_config('app.mfa_reset', $1, true)", str(their_id))
        status = await app_conn.execute("DELETE FROM mfa_factors WHERE user_id = $1", their_id)
        assert status == "DELETE 0"
        seen = await app_conn.fetchval("SELECT count(*) FROM mfa_factors")
        assert seen == 0
    assert await admin_conn.fetchval("SELECT count(*) FROM mfa_factors") == 1


async def test_accepting_an_invitation_is_no_way_round_the_second_factor(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    inviter = await owner(client, mailbox, admin_conn, "inviter@clinic.org", "Clinic A")
    careful = await owner(client, mailbox, admin_conn, "careful@lab.org", "Lab B")
    _, app, _ = await enrolled(client, careful)
    sent = await client.post(
        "/auth/invite", json={"email": careful.email, "role": "member"}, headers=inviter.headers
    )
    assert sent.status_code == 201, sent.text
    mail = await mailbox.next_to(careful.email, after=2)  # verification, the factor notice
    _, token = link_in(mail)
    # The right password with the link: the membership, but no tokens without the factor.
    accepted = await client.post(
        "/auth/invitations/accept", json={"token": token, "password": PASSWORD}
    )
    assert accepted.status_code == 202, accepted.text
    assert "access_token" not in accepted.text
    # Signing in to the new organization asks for the factor as everywhere.
    body = await mfa_token(client, careful.email, organization_id=str(inviter.org_id))
    done = await second_step(client, body["mfa_token"], otp=app.code())
    assert done.status_code == 200, done.text
    assert claims(done.json()["access_token"])["org"] == str(inviter.org_id)


async def test_a_member_enrols_through_the_api_with_the_mfa_token_alone(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "apionly@clinic.org")
    await _require(client, me)
    first = await mfa_token(client, me.email)
    assert first["mfa_enrollment_required"] is True
    step = {"Authorization": f"Bearer {first['mfa_token']}", "Accept": "application/vnd.api+json"}
    # The token completes nothing before a factor is confirmed.
    early = await second_step(client, first["mfa_token"])
    assert early.status_code == 400, early.text
    factor_id, app, _ = await add(client, step)
    confirmed = await client.post(
        f"/auth/me/mfa-factors/{factor_id}/confirm", json={"code": app.code()}, headers=step
    )
    assert confirmed.status_code == 200, confirmed.text
    assert len(confirmed.json()["meta"]["recoveryCodes"]) == 10
    # The token reaches nothing else: not the member's list, not another factor.
    assert (await client.get("/auth/me/mfa-factors", headers=step)).status_code == 401
    assert (await client.get("/auth/me", headers=step)).status_code == 401
    again = await client.post("/auth/me/mfa-factors", json=new_factor(), headers=step)
    assert again.status_code == 403, again.text  # a second factor needs a fresh one
    done = await second_step(client, first["mfa_token"])
    assert done.status_code == 200, done.text
    assert claims(done.json()["access_token"])["amr"] == ["pwd", "otp", "mfa"]
    # Spent with the sign-in: it adds nothing more.
    late = await client.post("/auth/me/mfa-factors", json=new_factor(), headers=step)
    assert late.status_code == 401, late.text
