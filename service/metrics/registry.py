"""The app's metrics: one ``CollectorRegistry`` per app, never the library's global one.

Counters and the latency histogram are updated as requests and security outcomes happen.
Pool and outbox figures are read when Prometheus scrapes: the pool's from asyncpg's own
bookkeeping, the outbox's from one bounded query (:mod:`service.metrics.outbox`) whose
failure leaves those figures out of that scrape rather than failing it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import asyncpg
from prometheus_client import (
    CollectorRegistry,
    Counter,
    GCCollector,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from service.metrics.outbox import OutboxStats

PREFIX = "auth"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"  # no route: 404s and 405s are not labelled by their raw path
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """Everything ``GET /metrics`` reports for one app."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)  # CPU, memory, open files of this process
        GCCollector(registry=self.registry)
        self.requests = Counter(
            f"{PREFIX}_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            f"{PREFIX}_http_request_duration_seconds",
            "Time from request to the end of the response, by method and route template.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.logins = Counter(
            f"{PREFIX}_logins",
            "Password grants by outcome: success, failure or throttled.",
            ["outcome"],
            registry=self.registry,
        )
        self.throttled = Counter(
            f"{PREFIX}_throttled_attempts",
            "Attempts refused because a throttle was in force, by action.",
            ["action"],
            registry=self.registry,
        )
        self.refresh_reuse = Counter(
            f"{PREFIX}_refresh_token_reuse",
            "Rotated refresh tokens presented again after the grace period (family revoked).",
            registry=self.registry,
        )
        self.mfa = Counter(
            f"{PREFIX}_mfa_events",
            "Second-factor events by event (enrolled, confirmed, renamed, removed, reset,"
            " passed, failed, throttled, recovery_code_used, recovery_codes_regenerated) and"
            " kind.",
            ["event", "kind"],
            registry=self.registry,
        )
        self.scraped = ScrapeTime()
        self.registry.register(self.scraped)

    def observe_request(self, method: str, route: str | None, status: int, seconds: float) -> None:
        method = method if method in METHODS else "other"
        route = route or UNMATCHED
        self.requests.labels(method=method, route=route, status=str(status)).inc()
        self.latency.labels(method=method, route=route).observe(seconds)

    def render(self, pool: asyncpg.Pool | None, outbox: OutboxStats | None) -> bytes:
        """The text exposition, with the pool as it is now and the outbox figures given."""
        self.scraped.pool, self.scraped.outbox = pool, outbox
        return generate_latest(self.registry)


class ScrapeTime(Collector):
    """Figures read at scrape time: the connection pool and the mail outbox."""

    def __init__(self) -> None:
        self.pool: asyncpg.Pool | None = None
        self.outbox: OutboxStats | None = None

    def collect(self) -> Iterable[Metric]:
        return list(self._families(self.pool, self.outbox))

    def _families(self, pool: asyncpg.Pool | None, outbox: OutboxStats | None) -> Iterator[Metric]:
        size = idle = maximum = 0
        if pool is not None:
            size, idle, maximum = pool.get_size(), pool.get_idle_size(), pool.get_max_size()
        yield _gauge("db_pool_size", "Connections the pool holds now.", size)
        yield _gauge("db_pool_max_size", "The most connections the pool may hold.", maximum)
        yield _gauge("db_pool_in_use", "Connections lent out to requests now.", size - idle)
        yield _gauge("db_pool_idle", "Connections waiting in the pool now.", idle)
        yield _gauge(
            "mail_outbox_stats_up",
            "1 when this scrape could read the mail outbox, 0 when the database did not answer.",
            1 if outbox is not None else 0,
        )
        if outbox is not None:
            yield _gauge("mail_outbox_pending", "Messages waiting for delivery.", outbox.pending)
            yield _gauge(
                "mail_outbox_oldest_pending_age_seconds",
                "Age of the oldest message waiting for delivery (0 when none waits).",
                outbox.oldest_pending_seconds,
            )
            yield _gauge(
                "mail_outbox_dead",
                "Messages dead-lettered: refused for good or out of attempts.",
                outbox.dead,
            )


def _gauge(name: str, documentation: str, value: Any) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"{PREFIX}_{name}", documentation, value=float(value))
