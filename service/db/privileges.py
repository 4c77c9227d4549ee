"""What is wrong with a database URL the service was given, in one line naming its variable.

:func:`problem` is the check that the service's own role leaves row-level security in force
and holds the app role's grants. A superuser or ``BYPASSRLS`` role skips every policy, and a
table's owner (or a member of the owner's role) can switch its policies off: the service
refuses to serve through such a role. A role that is neither the app role nor a member of it
lacks the grants the app needs, and would fail on its first query. The check runs through the
service's own connection at every start.

:func:`failure` turns the errors of reaching a database (a closed port, an unknown host, a
refused login, a missing database, a missing grant) into one line for the command line, with
where it tried but never the password.
"""

from __future__ import annotations

import errno
import socket
from urllib.parse import parse_qs, urlsplit

import asyncpg

APP_ROLE = "auth_app"

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
           AND pg_has_role(current_user, c.relowner, 'MEMBER')) AS owned,
       (SELECT array_agg(c.relname::text ORDER BY c.relname)
          FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace
          JOIN pg_roles app ON app.rolname = $1
         WHERE c.relkind IN ('r', 'p', 'v')
           AND n.nspname = 'public'
           AND has_table_privilege(app.oid, c.oid, 'SELECT')
           AND NOT (has_table_privilege(current_user, c.oid, 'SELECT')
                    AND has_schema_privilege(current_user, n.oid, 'USAGE'))) AS ungranted
FROM pg_roles r
WHERE r.rolname = current_user
"""


class UnsafeRole(RuntimeError):
    """The role in DATABASE_URL would bypass row-level security, or lacks the app's grants."""


async def problem(conn: asyncpg.Connection | asyncpg.Pool) -> str | None:
    """One line naming what is wrong with the connection's role, or None when it is safe."""
    row = await conn.fetchrow(ROLE_QUERY, APP_ROLE)
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
    ungranted: list[str] = row["ungranted"] or []
    if ungranted:
        return (
            f"DATABASE_URL: role {role} cannot read {len(ungranted)} table(s) the app role"
            f" reads (such as {ungranted[0]}); connect as {APP_ROLE}, or GRANT {APP_ROLE}"
            f" TO {role}"
        )
    return None


async def refuse_unsafe(conn: asyncpg.Connection | asyncpg.Pool) -> None:
    found = await problem(conn)
    if found is not None:
        raise UnsafeRole(found)


# Server errors that say the URL (or the role, or the database behind it) is wrong, not the
# code: class 08 (connection), 28 (authorization), 3D000 (no such database), 42501 (missing
# grant), 53300 (too many connections), 57P03 (starting up), and the preconditions that the
# migrations raise themselves (P0001, "role auth_app does not exist: create it first").
_SETUP_ERRORS: tuple[type[asyncpg.PostgresError], ...] = (
    asyncpg.PostgresConnectionError,
    asyncpg.InvalidAuthorizationSpecificationError,
    asyncpg.InvalidCatalogNameError,
    asyncpg.InsufficientPrivilegeError,
    asyncpg.TooManyConnectionsError,
    asyncpg.CannotConnectNowError,
    asyncpg.RaiseError,
)


def failure(variable: str, url: str, exc: BaseException) -> str | None:
    """``VARIABLE: what went wrong (where)`` for a failure to reach or use the database at
    ``url``; None when ``exc`` is not such a failure (a bug keeps its traceback)."""
    where = _where(url)
    line: str | None = None
    if isinstance(
        exc, asyncpg.InvalidPasswordError | asyncpg.InvalidAuthorizationSpecificationError
    ):
        line = f"{variable}: {where} refused the login: {exc}"
    elif isinstance(exc, asyncpg.InvalidCatalogNameError):
        line = f"{variable}: {exc} on {where}"
    elif isinstance(exc, asyncpg.InsufficientPrivilegeError):
        line = f"{variable}: the role lacks a grant on {where}: {exc}"
    elif isinstance(exc, _SETUP_ERRORS):
        line = f"{variable}: {where}: {exc}"
    elif isinstance(exc, TimeoutError | asyncpg.ConnectionDoesNotExistError):
        line = f"{variable}: cannot connect to {where} (no answer)"
    elif isinstance(exc, socket.gaierror):
        line = f"{variable}: cannot connect to {where} (unknown host)"
    elif isinstance(exc, OSError):
        line = f"{variable}: cannot connect to {where} ({_reason(exc)})"
    elif isinstance(exc, asyncpg.ClientConfigurationError | asyncpg.InterfaceError):
        line = f"{variable}: {exc}"
    if line is None:
        return None
    password = _password(url)
    line = " ".join(line.split())  # one line, whatever the server said
    return line.replace(password, "***") if password else line


def _reason(exc: OSError) -> str:
    # asyncpg tries every address of a host name and raises one OSError naming them all.
    code = exc.errno
    if code is None and "Errno 111" in str(exc):
        code = errno.ECONNREFUSED
    if code == errno.ECONNREFUSED:
        return "connection refused"
    if exc.strerror:
        return exc.strerror[0].lower() + exc.strerror[1:]
    return str(exc) or type(exc).__name__


def _where(url: str) -> str:
    """``host:port`` (or the socket folder) of a PostgreSQL URL; libpq's defaults when absent."""
    try:
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        host = parts.hostname or (query.get("host") or ["localhost"])[0]
        port = parts.port or int((query.get("port") or ["5432"])[0])
    except ValueError:
        return "the database"
    if host.startswith("/"):
        return f"{host}/.s.PGSQL.{port}"
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _password(url: str) -> str | None:
    try:
        return urlsplit(url).password or None
    except ValueError:
        return None
