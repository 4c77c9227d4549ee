"""The catalog, read through the app's own connection, shows RLS cannot be sidestepped."""

from __future__ import annotations

import asyncpg

COMMANDS = {"r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE"}


async def test_app_role_is_not_privileged(app_conn: asyncpg.Connection) -> None:
    role = await app_conn.fetchrow(
        "SELECT rolname, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb "
        "FROM pg_roles WHERE rolname = current_user"
    )
    assert role["rolname"] == "auth_app"
    assert not role["rolsuper"]
    assert not role["rolbypassrls"]
    assert not role["rolcreaterole"]
    assert not role["rolcreatedb"]
    # Nor does it inherit those powers through a role it is a member of.
    inherited = await app_conn.fetchval(
        "SELECT count(*) FROM pg_roles r WHERE pg_has_role(current_user, r.oid, 'MEMBER') "
        "AND (r.rolsuper OR r.rolbypassrls)"
    )
    assert inherited == 0


async def test_app_role_owns_nothing(app_conn: asyncpg.Connection) -> None:
    owned = await app_conn.fetch(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND pg_has_role(current_user, c.relowner, 'MEMBER')"
    )
    assert owned == []


async def test_every_tenant_table_has_forced_rls_with_policies_for_all_commands(
    app_conn: asyncpg.Connection,
) -> None:
    tables = await app_conn.fetch(
        """
        SELECT c.oid, c.relname, c.relrowsecurity, c.relforcerowsecurity
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
          AND (c.relname = 'organizations' OR EXISTS (
                SELECT 1 FROM pg_attribute a
                WHERE a.attrelid = c.oid AND a.attname = 'organization_id' AND NOT a.attisdropped))
        """
    )
    assert {t["relname"] for t in tables} >= {"organizations", "roles", "memberships"}
    for table in tables:
        assert table["relrowsecurity"], f"{table['relname']}: RLS is not enabled"
        assert table["relforcerowsecurity"], f"{table['relname']}: RLS is not forced"
        policies = await app_conn.fetch(
            "SELECT polname, polcmd::text AS polcmd, polqual IS NOT NULL AS has_using, "
            "polwithcheck IS NOT NULL AS has_check FROM pg_policy WHERE polrelid = $1",
            table["oid"],
        )
        covered = set()
        for policy in policies:
            covered |= (
                set(COMMANDS.values()) if policy["polcmd"] == "*" else {COMMANDS[policy["polcmd"]]}
            )
            if policy["polcmd"] in ("*", "w"):
                name = f"{table['relname']}.{policy['polname']}"
                assert policy["has_using"], f"{name} needs USING"
                assert policy["has_check"], f"{name} needs WITH CHECK"
        assert covered == set(COMMANDS.values()), f"{table['relname']} lacks policies: {covered}"


async def test_policies_read_the_transaction_local_tenant(app_conn: asyncpg.Connection) -> None:
    quals = await app_conn.fetch(
        "SELECT polname, pg_get_expr(polqual, polrelid) AS qual FROM pg_policy "
        "WHERE polname LIKE '%_tenant'"
    )
    assert quals
    for row in quals:
        assert "current_setting('app.org_id'::text, true)" in row["qual"], row["polname"]
        assert "NULLIF" in row["qual"].upper(), row["polname"]
