"""Logins, and the reads every signed-in request makes, for ``make bench``.

One organization of 300 verified members sharing one password (hashed once with the
production argon2 parameters). Logins are measured against the argon2 bound; ``/auth/me`` and
``/auth/users/{id}`` against ``/health/live`` of the same server; ``/auth/me`` latency while a
login storm runs; worker memory during the storm; and ``/auth/me`` on a second server of one
worker against the main one of two.
"""

from __future__ import annotations

import os
import secrets
import statistics
import threading
import time
from typing import Any

from bench import members
from bench.lib import database, machine, report, wrk
from bench.lib.harness import Bench

USERS = 300
PASSWORD = secrets.token_urlsafe(12)  # letters, digits, - and _: form-safe as it is
STORM = {"connections": 8, "threads": 2}
ONE_WORKER = "one-worker"  # the name of the second server, in bench.extras
READS = ("live", "member", "me", "me_one_worker")  # the loads of one ``reads`` run


def email(i: int) -> str:
    return f"user{i}@bench.test"


def seed(bench: Bench, stored_hash: str) -> None:
    async def work(conn: Any) -> None:
        org_id, roles = await database.create_organization(conn, "bench-clinic")
        emails = [email(i) for i in range(USERS)]
        await database.add_members(conn, org_id, roles["member"], emails, stored_hash)

    database.seed(bench.db, work)


# --------------------------------------------------------------------------- loads


def storm(bench: Bench, seconds: int) -> wrk.Load:
    """Password grants cycling through every seeded account; counts 200 answers."""
    body = wrk.form_posts(
        "/auth/token",
        "grant_type=password&username=user",
        USERS,
        f"%40bench.test&password={PASSWORD}",
    )
    return wrk.Load(bench.svc.base + "/auth/token", seconds, lua=wrk.COUNT_STATUS + body, **STORM)


def me(bench: Bench, seconds: int, connections: int, *, one_worker: bool = False) -> wrk.Load:
    """``/auth/me`` on the main server, or on the one-worker server (with a token it issued:
    each server signs for its own address)."""
    if one_worker:
        base, token = bench.extras[ONE_WORKER].base, bench.facts["token_one_worker"]
    else:
        base, token = bench.svc.base, bench.facts["token"]
    return wrk.Load(base + "/auth/me", seconds, connections, lua=wrk.bearer(token))


def workers_rss(bench: Bench) -> machine.RssSampler:
    return machine.RssSampler(bench.svc.workers, interval=0.2)


def idle_rss(bench: Bench, seconds: float = 2.0) -> dict[int, float]:
    with workers_rss(bench) as rss:
        threading.Event().wait(seconds)
    return rss.mean()


# --------------------------------------------------------------------------- scenarios


def me_idle(bench: Bench) -> dict[str, Any]:
    data = bench.measure(me(bench, 10, 2))
    return data | {"line": f"p99 {data['p99_ms']} ms, {data['rps']} req/s"}


def reads(bench: Bench) -> dict[str, Any]:
    """/health/live, then /auth/users/{id} and /auth/me on the main server, then /auth/me on
    the one-worker server: each ratio compares two neighbouring runs."""
    live = bench.measure(wrk.Load(bench.svc.base + "/health/live", 10, 16))
    member = bench.measure(members.member_load(bench, 10, 16))
    mine = bench.measure(me(bench, 10, 16))
    one = bench.measure(me(bench, 10, 16, one_worker=True), bench.extras[ONE_WORKER])
    line = (
        f"live {live['rps']}, /auth/users/{{id}} {member['rps']}, /auth/me {mine['rps']}, "
        f"/auth/me on 1 worker {one['rps']} req/s"
    )
    return {"live": live, "member": member, "me": mine, "me_one_worker": one, "line": line}


def logins(bench: Bench) -> dict[str, Any]:
    workers = bench.svc.workers()
    before = [machine.loop_and_other_ticks(pid) for pid in workers]
    started = time.monotonic()
    with workers_rss(bench) as rss:
        data = bench.measure(storm(bench, 12))
    seconds = time.monotonic() - started
    after = [machine.loop_and_other_ticks(pid) for pid in workers]
    loops, hashing = (
        sum(a[i] - b[i] for a, b in zip(after, before, strict=True)) / machine.CLK_TCK / seconds
        for i in (0, 1)
    )
    cpu = ", ".join(f"{k} {v}" for k, v in data["cpu"].items())
    line = (
        f"{data['ok_per_s']} logins/s, not 200: {data['not_200']}, cores: {cpu}; "
        f"workers' event loops {loops:.2f}, their other threads (argon2) {hashing:.2f}"
    )
    threads = {"event_loops": round(loops, 3), "other_threads": round(hashing, 3)}
    return data | {"rss_peak_kib": rss.peak, "worker_threads": threads, "line": line}


def me_under_logins(bench: Bench) -> dict[str, Any]:
    with workers_rss(bench) as rss:
        background = wrk.Running(storm(bench, 13))
        time.sleep(1.5)
        probe = bench.measure(me(bench, 10, 2))
        logins_ = background.result()
    line = f"p99 {probe['p99_ms']} ms while {logins_['ok_per_s']} logins/s"
    return {"probe": probe, "storm": logins_, "rss_peak_kib": rss.peak, "line": line}


# --------------------------------------------------------------------------- figures


def _median(values: list[float]) -> float:
    return float(statistics.median(values))


def _cpu_note(runs: list[dict[str, Any]]) -> str:
    keys = runs[0]["cpu"].keys()
    parts = [f"{k} {_median([r['cpu'][k] for r in runs]):.2f}" for k in keys]
    return "CPU in cores (median): " + ", ".join(parts)


def _thread_note(storms: list[dict[str, Any]]) -> str:
    """Where the workers' CPU went: the event loops against argon2's threads, per login."""
    loops = _median([r["worker_threads"]["event_loops"] for r in storms])
    other = _median([r["worker_threads"]["other_threads"] for r in storms])
    rate = _median([r["ok_per_s"] for r in storms])
    return (
        f"workers' threads (median): event loops {loops:.2f} cores = {loops / rate * 1000:.1f} "
        f"ms per login, argon2 threads {other:.2f} cores = {other / rate * 1000:.1f} ms per login"
    )


def _per_round(
    name: str,
    unit: str,
    values: list[float],
    baseline: list[float],
    label: str,
    goal: tuple[str, float],
    notes: list[str] | None = None,
) -> report.Figure:
    """``values[i]`` against ``baseline[i]`` of the same round."""
    ratios = [v / b for v, b in zip(values, baseline, strict=True)]
    return report.Figure(name, unit, values, _median(baseline), label, ratios, goal, notes or [])


def _worker_ceiling(runs: list[dict[str, Any]]) -> str:
    """The most a second worker could add here: while one worker is the bottleneck, our
    processes (worker, PostgreSQL, wrk) use ``c`` cores; at the same CPU per request, all cores
    allow ``cores / c`` times as many requests."""
    cores = os.cpu_count() or 1
    ceilings, splits = [], []
    for run in runs:
        cpu = run["me_one_worker"]["cpu"]
        ours = sum(v for k, v in cpu.items() if k not in ("other", "machine"))
        ceilings.append(min(2.0, cores / ours))
        splits.append(f"worker {cpu['worker 1']}, postgres {cpu['postgres']}, wrk {cpu['wrk']}")
    return (
        f"ceiling on {cores} cores at the CPU per request of the 1-worker runs: "
        f"{_median(ceilings):.2f} (cores there: {'; '.join(splits)})"
    )


def figures(
    bench: Bench, argon2: dict[str, Any], all_cores: float
) -> list[tuple[report.Figure, str]]:
    """(figure, scenario it comes from) for logins and reads."""
    raw = bench.raw
    bound = argon2["bound_per_s"]
    storms = raw["logins"]
    login_notes = [
        f"answers other than 200: {sum(r['not_200'] for r in storms)}, "
        f"socket errors: {sum(r['socket_errors'] for r in storms)}",
        f"bound = {argon2['cores']} cores / {argon2['cpu_seconds_median'] * 1000:.1f} ms CPU per "
        f"verify; argon2 alone on all cores did {all_cores}/s ({all_cores / bound:.2f} of it)",
        _cpu_note(storms),
        _thread_note(storms),
    ]
    idle = [r["p99_ms"] for r in raw["me_idle"]]
    loaded = [r["probe"]["p99_ms"] for r in raw["me_under_logins"]]
    runs = raw["reads"]
    live, member, mine, one = ([r[k]["rps"] for r in runs] for k in READS)
    errors = sum(r[k]["non_2xx_3xx"] + r[k]["socket_errors"] for r in runs for k in READS[1:])
    idle_rss: dict[int, float] = bench.facts["idle_rss_kib"]
    worst = [
        max(
            (r["rss_peak_kib"].get(pid, 0) / kib, r["rss_peak_kib"].get(pid, 0))
            for pid, kib in idle_rss.items()
        )
        for r in storms
    ]
    return [
        (report.ratio_figure(
            "logins/s (200 only)", "/s", [r["ok_per_s"] for r in storms], bound,
            "/s argon2 bound", (">=", 0.88), login_notes,
        ), "logins"),
        (report.Figure("GET /auth/me p99, idle", "ms", idle), "me_idle"),
        (report.ratio_figure(
            "GET /auth/me p99, logins running", "ms", loaded, _median(idle), "ms idle p99",
            ("<=", 3.0),
            [f"logins/s meanwhile: {[r['storm']['ok_per_s'] for r in raw['me_under_logins']]}"],
        ), "me_under_logins"),
        (report.Figure("GET /health/live req/s", "/s", live), "reads"),
        (_per_round("GET /auth/me req/s", "/s", mine, live, "/s live (same round)", (">=", 0.25),
                    [f"failed answers of the reads (all three): {errors}"]), "reads"),
        (_per_round("GET /auth/users/{id} req/s", "/s", member, live, "/s live (same round)",
                    (">=", 0.10), ["the admin of the 100,000-member organization reading one"]),
         "reads"),
        (_per_round("GET /auth/me req/s, 2 workers / 1", "/s", mine, one, "/s on 1 worker",
                    (">=", 1.6), ["a second server (WORKERS=1) on the same database, idle "
                                  "while the first one is measured and the other way round",
                                  _worker_ceiling(runs)]),
         "reads"),
        (report.Figure(
            "worker peak RSS, logins running", "MiB", [kib / 1024 for _, kib in worst],
            _median(list(idle_rss.values())) / 1024, "MiB idle",
            [ratio for ratio, _ in worst], ("<=", 1.5),
            ["ratio: the worker with the largest peak over its own idle RSS, per round",
             f"idle RSS after all rounds (MiB): {bench.facts['idle_rss_after_mib']}"],
        ), "logins"),
    ]  # fmt: skip
