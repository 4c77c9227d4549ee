"""Registrations against a slow mail server, for ``make bench``.

The service sends its mail through an SMTP sink of our own (a separate process). A
registration only writes its verification mail to the outbox, which the mail worker delivers
later, so its latency should not depend on how long the mail server takes: the figure is the
p99 of ``POST /auth/register`` while the sink answers each message after 2 s, against the same
while it answers at once. Every registration hashes its password with production argon2, so
the load is a moderate fixed number of connections, each request with an e-mail never used
before.
"""

from __future__ import annotations

import json
import secrets
import statistics
import time
from typing import Any

from bench.lib import database, report, wrk
from bench.lib.harness import Bench
from tests.support.smtp import SinkProcess

SLOW_SMTP_SECONDS = 2.0
LOAD = {"seconds": 10, "connections": 4, "threads": 2}
DRAIN_SECONDS = 40.0  # longest wait for the outbox to empty between two measurements
PASSWORD = secrets.token_urlsafe(15)
PENDING = "SELECT count(*) FROM mail_outbox WHERE status = 'pending'"


def load(bench: Bench, tag: str) -> wrk.Load:
    """Registrations of ``<tag>-<thread>-<n>@register.bench.test``, each a new organization."""
    fields = {"password": PASSWORD, "firstName": "Bench", "lastName": "Owner"}
    head = json.dumps(fields | {"organizationName": "Bench Clinic"})[:-1] + ', "email": "'
    lua = wrk.unique_json_posts("/auth/register", head, tag, '@register.bench.test"}')
    return wrk.Load(bench.svc.base + "/auth/register", lua=lua, **LOAD)


def pending(bench: Bench) -> int:
    return int(database.fetchval(bench.db, PENDING))


def drain(bench: Bench, sink: SinkProcess) -> tuple[int, float]:
    """Let the sink answer at once until the outbox is empty (bounded in time); returns what
    was still pending when the wait began and the seconds it took."""
    sink.set_delay(0)
    started = time.monotonic()
    left = first = pending(bench)
    while left and time.monotonic() - started < DRAIN_SECONDS:
        time.sleep(0.5)
        left = pending(bench)
    return first, round(time.monotonic() - started, 1)


def registrations(bench: Bench) -> dict[str, Any]:
    """Instant and slow SMTP in turn (which goes first alternates between repetitions), each
    after the outbox has been emptied."""
    sink: SinkProcess = bench.facts["smtp"]
    turn = bench.facts["register_turn"] = bench.facts.get("register_turn", -1) + 1
    order = ("instant", "slow") if turn % 2 == 0 else ("slow", "instant")
    data: dict[str, Any] = {"order": list(order)}
    for phase in order:
        backlog, waited = drain(bench, sink)
        sink.set_delay(SLOW_SMTP_SECONDS if phase == "slow" else 0)
        time.sleep(1.0)
        run = bench.measure(load(bench, f"t{turn}{phase}{secrets.token_hex(3)}"))
        sink.set_delay(0)
        data[phase] = run | {"backlog_before": backlog, "drain_s": waited}
        data[phase]["pending_after"] = pending(bench)
    slow, instant = data["slow"], data["instant"]
    data["line"] = (
        f"p99 {slow['p99_ms']} ms with SMTP after {SLOW_SMTP_SECONDS:g} s vs {instant['p99_ms']} "
        f"ms instant; {slow['rps']} vs {instant['rps']} req/s; outbox after: "
        f"{slow['pending_after']} vs {instant['pending_after']} pending"
    )
    return data


def figures(bench: Bench) -> list[tuple[report.Figure, str]]:
    runs = bench.raw["registrations"]
    slow = [float(r["slow"]["p99_ms"]) for r in runs]
    instant = [float(r["instant"]["p99_ms"]) for r in runs]
    all_runs = [r[p] for r in runs for p in ("slow", "instant")]
    notes = [
        f"wrk -c{LOAD['connections']} for {LOAD['seconds']} s, a new e-mail per request; "
        f"req/s slow {[r['slow']['rps'] for r in runs]}, instant "
        f"{[r['instant']['rps'] for r in runs]}",
        f"mail still pending after the slow runs {[r['slow']['pending_after'] for r in runs]}, "
        f"after the instant runs {[r['instant']['pending_after'] for r in runs]}",
        f"answers other than 2xx/3xx: {sum(r['non_2xx_3xx'] for r in all_runs)}, "
        f"socket errors: {sum(r['socket_errors'] for r in all_runs)}",
    ]
    fig = report.Figure(
        f"POST /auth/register p99, SMTP answering after {SLOW_SMTP_SECONDS:g} s", "ms", slow,
        statistics.median(instant), "ms, instant SMTP",
        [s / i for s, i in zip(slow, instant, strict=True)], ("<=", 1.2), notes,
    )  # fmt: skip
    return [(fig, "registrations")]
