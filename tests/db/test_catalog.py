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


# How a policy reads the transaction-local tenant: through the function, or written out.
TENANT_READS = ("app_current_org_id()", "NULLIF(current_setting('app.org_id'::text, true)")


async def test_policies_read_the_transaction_local_tenant(app_conn: asyncpg.Connection) -> None:
    quals = await app_conn.fetch(
        "SELECT polname, pg_get_expr(polqual, polrelid) AS qual, "
        "pg_get_expr(polwithcheck, polrelid) AS checked FROM pg_policy "
        "WHERE polname LIKE '%_tenant'"
    )
    assert quals
    for row in quals:
        for expr in (row["qual"], row["checked"]):
            assert any(read in expr for read in TENANT_READS), (row["polname"], expr)


async def test_the_setting_readers_are_inlinable_and_tolerate_a_missing_setting(
    app_conn: asyncpg.Connection,
) -> None:
    """A policy calling them plans as the expression written out (plain SQL, STABLE, no
    SECURITY DEFINER, no SET), and an unset setting reads as NULL instead of an error."""
    readers = await app_conn.fetch(
        "SELECT p.proname, l.lanname, p.provolatile::text, p.prosecdef, p.proconfig, "
        "pg_get_functiondef(p.oid) AS body FROM pg_proc p "
        "JOIN pg_language l ON l.oid = p.prolang "
        "WHERE p.proname IN ('app_current_org_id', 'app_current_user_id') ORDER BY p.proname"
    )
    assert [r["proname"] for r in readers] == ["app_current_org_id", "app_current_user_id"]
    for reader, setting in zip(readers, ("app.org_id", "app.user_id"), strict=True):
        assert reader["lanname"] == "sql", reader["proname"]
        assert reader["provolatile"] == "s", reader["proname"]
        assert not reader["prosecdef"], reader["proname"]
        assert reader["proconfig"] is None, reader["proname"]
        assert f"NULLIF(current_setting('{setting}'::text, true)" in reader["body"], reader["body"]
    async with app_conn.transaction():
        await app_conn.execute("SELECT set_config('app.org_id', '', true)")
        assert await app_conn.fetchval("SELECT app_current_org_id()") is None
