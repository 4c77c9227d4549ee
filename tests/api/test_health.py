"""Health probes over HTTP against a real database."""

from __future__ import annotations

import asyncpg
import httpx


async def test_live_answers_without_touching_the_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": []}


async def test_ready_when_migrations_are_current(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/ready")
    assert response.status_code == 200
    assert response.json()["checks"] == [{"name": "database", "ok": True, "detail": ""}]


async def test_not_ready_when_the_database_has_a_migration_the_code_lacks(
    client: httpx.AsyncClient, owner_conn: asyncpg.Connection
) -> None:
    await owner_conn.execute(
        "INSERT INTO schema_migrations (version, name, checksum) VALUES (999, 'future', 'x')"
    )
    response = await client.get("/health/ready")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert "999 is applied but has no file" in response.json()["checks"][0]["detail"]


async def test_not_ready_when_a_migration_was_edited(
    client: httpx.AsyncClient, owner_conn: asyncpg.Connection
) -> None:
    await owner_conn.execute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 2")
    response = await client.get("/health/ready")
    assert response.status_code == 503
    assert "002_organizations was edited" in response.json()["checks"][0]["detail"]
