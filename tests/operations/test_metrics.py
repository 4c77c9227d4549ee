"""``GET /metrics`` of one app served in-process: format, labels, isolation, scrape-time reads."""

from __future__ import annotations

import asyncio
import time
import uuid

import asyncpg
import httpx

from service.config import Settings
from service.metrics.registry import Metrics
from tests.operations.scrape import samples, scrape, value
from tests.support.server import serve

PROMETHEUS_ACCEPT = (
    "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4,*/*;q=0.1"
)


async def test_metrics_are_prometheus_text_and_not_part_of_the_api_document(
    client: httpx.AsyncClient,
) -> None:
    assert (await client.get("/health/live")).status_code == 200
    response = await client.get("/metrics", headers={"Accept": PROMETHEUS_ACCEPT})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    names = {name for name, _ in samples(response.text)}
    for expected in (
        "auth_http_requests_total",
        "auth_http_request_duration_seconds_bucket",
        "auth_db_pool_size",
        "auth_db_pool_in_use",
        "auth_db_pool_idle",
        "auth_mail_outbox_pending",
        "auth_mail_outbox_oldest_pending_age_seconds",
        "auth_mail_outbox_dead",
        "auth_mail_outbox_stats_up",
    ):
        assert expected in names, expected
    document = (await client.get("/schema/openapi.json")).json()
    assert "/metrics" not in document["paths"]
    refused = await client.get("/metrics", headers={"Accept": "application/json"})
    assert refused.status_code == 406


async def test_requests_are_labelled_by_route_template_never_by_raw_path(
    client: httpx.AsyncClient,
) -> None:
    member = str(uuid.uuid4())
    probe = "tok_" + uuid.uuid4().hex
    assert (await client.get(f"/auth/users/{member}")).status_code == 401
    assert (await client.get(f"/no/such/{probe}")).status_code == 404
    page = await client.get(f"/auth/verify-email?token={probe}")
    response = await client.get("/metrics")
    assert member not in response.text
    assert probe not in response.text
    found = samples(response.text)
    labels = {"method": "GET", "route": "/auth/users/{user_id}", "status": "401"}
    assert value(found, "auth_http_requests_total", **labels) == 1
    assert value(found, "auth_http_requests_total", method="GET", route="unmatched", status="404")
    page_labels = {"method": "GET", "route": "/auth/verify-email"}
    assert value(found, "auth_http_requests_total", **page_labels, status=str(page.status_code))
    assert value(found, "auth_http_request_duration_seconds_count", **page_labels) == 1
    assert (await client.put("/health/live")).status_code == 405
    after = await scrape(client)
    assert value(after, "auth_http_requests_total", method="PUT", route="unmatched", status="405")


async def test_apps_built_side_by_side_count_apart(settings: Settings) -> None:
    async with (
        serve(settings) as first_url,
        serve(settings) as second_url,
        httpx.AsyncClient(base_url=first_url, timeout=10) as first,
        httpx.AsyncClient(base_url=second_url, timeout=10) as second,
    ):
        for _ in range(3):
            assert (await first.get("/health/live")).status_code == 200
        refused = await first.post(
            "/auth/token",
            data={"grant_type": "password", "username": "x@y.org", "password": "wrong one"},
        )
        assert refused.status_code == 401
        ones, twos = await scrape(first), await scrape(second)
    live = {"method": "GET", "route": "/health/live", "status": "200"}
    assert value(ones, "auth_http_requests_total", **live) == 3
    assert value(twos, "auth_http_requests_total", **live) == 0
    assert value(ones, "auth_logins_total", outcome="failure") == 1
    assert value(twos, "auth_logins_total", outcome="failure") == 0


async def test_a_throttled_link_token_is_counted_by_its_action(client: httpx.AsyncClient) -> None:
    answers = [
        await client.post("/auth/verify-email", json={"token": f"vt_{n:040d}", "password": "x"})
        for n in range(21)
    ]
    assert {a.status_code for a in answers} == {400}
    last, throttled = (a.json()["errors"] for a in answers[-2:])
    assert throttled == last, "a throttled answer looks like any other"
    found = await scrape(client)
    assert value(found, "auth_throttled_attempts_total", action="verify") == 1
    assert value(found, "auth_throttled_attempts_total", action="login") == 0


async def test_pool_and_outbox_are_read_when_scraped(
    client: httpx.AsyncClient, admin_conn: asyncpg.Connection
) -> None:
    # The pending row is not due for a day, so the app's own worker leaves it alone.
    await admin_conn.execute(
        "INSERT INTO mail_outbox (id, message_id, recipient, subject, body_text, body_html,"
        " template, status, created_at, next_attempt_at) VALUES"
        " (gen_random_uuid(), 'm1@test', 'a@b.org', 's', 't', 'h', 'x', 'pending',"
        "  now() - interval '90 seconds', now() + interval '1 day'),"
        " (gen_random_uuid(), 'm2@test', 'a@b.org', 's', NULL, NULL, 'x', 'dead', now(), now()),"
        " (gen_random_uuid(), 'm3@test', 'a@b.org', 's', NULL, NULL, 'x', 'dead', now(), now())"
    )
    found = await scrape(client)
    assert value(found, "auth_mail_outbox_stats_up") == 1
    assert value(found, "auth_mail_outbox_pending") == 1
    assert 90 <= value(found, "auth_mail_outbox_oldest_pending_age_seconds") < 600
    assert value(found, "auth_mail_outbox_dead") == 2
    size = value(found, "auth_db_pool_size")
    assert 1 <= size <= value(found, "auth_db_pool_max_size") == 4
    assert value(found, "auth_db_pool_in_use") + value(found, "auth_db_pool_idle") == size


async def test_a_hung_outbox_query_leaves_its_figures_out_without_failing_the_scrape(
    client: httpx.AsyncClient, admin_conn: asyncpg.Connection
) -> None:
    assert value(await scrape(client), "auth_mail_outbox_stats_up") == 1
    locker = admin_conn.transaction()
    await locker.start()
    try:
        await admin_conn.execute("LOCK TABLE mail_outbox IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        response = await client.get("/metrics")
        took = time.monotonic() - started
    finally:
        await locker.rollback()
    assert response.status_code == 200
    assert took < 8, "the scrape must not wait for the database"
    found = samples(response.text)
    assert value(found, "auth_mail_outbox_stats_up") == 0
    assert ("auth_mail_outbox_pending", frozenset()) not in found
    assert value(found, "auth_db_pool_size") >= 1
    await asyncio.sleep(0)
    assert value(await scrape(client), "auth_mail_outbox_stats_up") == 1


def test_methods_outside_http_share_one_label() -> None:
    metrics = Metrics()
    metrics.observe_request("BREW", None, 400, 0.01)
    found = samples(metrics.render(None, None).decode())
    assert value(found, "auth_http_requests_total", method="other", route="unmatched", status="400")
    assert all("BREW" not in dict(labels).values() for _, labels in found)


async def test_a_configured_metrics_token_is_required(settings: Settings) -> None:
    import dataclasses

    guarded = dataclasses.replace(settings, metrics_token="scrape-secret-1")
    async with serve(guarded) as url, httpx.AsyncClient(base_url=url) as http:
        assert (await http.get("/metrics")).status_code == 401
        wrong = await http.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        right = await http.get("/metrics", headers={"Authorization": "Bearer scrape-secret-1"})
        assert right.status_code == 200
        assert "auth_http_requests_total" in right.text
