"""Command line: ``python -m service serve|migrate|openapi``."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import logging
import os
import sys
import time
from pathlib import Path

from service import logs
from service.config import ConfigError, Settings

log = logging.getLogger("service")


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
    export = commands.add_parser("openapi", help="write the OpenAPI document")
    export.add_argument("--output", default="openapi/openapi.json")
    args = parser.parse_args(argv)

    try:
        settings = Settings.from_env(os.environ)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    logs.configure(settings.log_level)

    if args.command == "openapi":
        return write_openapi(Path(args.output))
    settings = resolve_database(settings)
    if args.command == "migrate":
        return 0
    if args.command in ("serve", "worker"):
        refusal = asyncio.run(unsafe_role(settings))
        if refusal is not None:
            print(f"refusing to start: {refusal}", file=sys.stderr)
            return 2
    if args.command == "janitor":
        return asyncio.run(janitor(settings))
    if args.command == "worker":
        return asyncio.run(worker(settings))
    if args.command == "create-organization":
        from service.operators import provision

        try:
            done = asyncio.run(provision(settings, name=args.name, owner_email=args.owner_email))
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
    if args.command == "rotate-keys":
        from service.security.key_store import rotate_keys_command

        rotated = rotate_keys_command(
            settings, revoke_previous=args.revoke_previous, at_once=args.now
        )
        print(asyncio.run(rotated))
        return 0
    return serve(settings)


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


def resolve_database(settings: Settings) -> Settings:
    """Migrate, starting the embedded PostgreSQL first when DATABASE_URL is unset."""
    from service.db import embedded, migrations

    started = time.perf_counter()
    if settings.database_url is None:
        server = embedded.start(settings.data_dir / "pg")
        dsns = embedded.dsns(server, "auth")
        asyncio.run(embedded.bootstrap(dsns.admin, "auth"))
        settings = dataclasses.replace(
            settings, database_url=dsns.app, migration_database_url=dsns.owner
        )
        log.info("database.embedded", extra={"fields": {"pgdata": str(settings.data_dir / "pg")}})
    migration_dsn = settings.migration_database_url or settings.database_url
    assert migration_dsn is not None
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
    import signal

    import uvicorn

    # uvicorn re-raises the signal that stopped it; make SIGTERM end the process through
    # SystemExit, as SIGINT does, so that the embedded database is stopped on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    from service.app import create_app

    base = f"http://{settings.host}:{settings.port}"
    print(f"Listening on {base}  (API docs: {base}/schema/swagger)", file=sys.stderr, flush=True)
    options = {
        "host": settings.host,
        "port": settings.port,
        "log_config": None,
        "access_log": False,
        "proxy_headers": False,
        "server_header": False,
        "timeout_graceful_shutdown": 10,
    }
    if settings.workers == 1:
        uvicorn.run(create_app(settings), **options)  # type: ignore[arg-type]
        return 0
    # Worker processes import the app; they learn the resolved database from the environment.
    assert settings.database_url is not None
    os.environ["DATABASE_URL"] = settings.database_url
    os.environ["MIGRATION_DATABASE_URL"] = settings.migration_database_url or settings.database_url
    uvicorn.run(
        "service.asgi:app_from_env",
        factory=True,
        workers=settings.workers,
        **options,  # type: ignore[arg-type]
    )
    return 0


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
