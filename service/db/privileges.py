"""The check that the service's own database role leaves row-level security in force.

A superuser or ``BYPASSRLS`` role skips every policy, and a table's owner (or a member of the
owner's role) can switch its policies off: the service refuses to serve through such a role.
The check runs through the service's own connection at every start.
"""

from __future__ import annotations

import asyncpg

ROLE_QUERY = """
SELECT r.rolname AS role,
       r.rolsuper AS superuser,
       r.rolbypassrls AS bypass_rls,
       (SELECT count(*)
          FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
           AND n.nspname <> 'information_schema'
           AND n.nspname NOT LIKE 'pg\\_%'
           AND pg_has_role(current_user, c.relowner, 'MEMBER')) AS owned
FROM pg_roles r
WHERE r.rolname = current_user
"""


class UnsafeRole(RuntimeError):
    """The role in DATABASE_URL would bypass row-level security."""


async def problem(conn: asyncpg.Connection | asyncpg.Pool) -> str | None:
    """One line naming what is wrong with the connection's role, or None when it is safe."""
    row = await conn.fetchrow(ROLE_QUERY)
    assert row is not None  # current_user always has a pg_roles row
    role = row["role"]
    if row["superuser"]:
        return f"DATABASE_URL: role {role} is a superuser; connect as the app role"
    if row["bypass_rls"]:
        return f"DATABASE_URL: role {role} has BYPASSRLS; connect as a role without it"
    if row["owned"]:
        return (
            f"DATABASE_URL: role {role} owns {row['owned']} table(s), or is a member of a role"
            " that does; connect as the app role, not the owner"
        )
    return None


async def refuse_unsafe(conn: asyncpg.Connection | asyncpg.Pool) -> None:
    found = await problem(conn)
    if found is not None:
        raise UnsafeRole(found)
