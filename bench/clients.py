"""App clients under load, for ``make bench`` (or ``python -m bench.clients``).

Two figures, each against ``GET /auth/me`` of the same server measured right before it in the
same round: ``client_credentials`` tokens per second (``client_secret_basic``) and
``POST /auth/introspect`` requests per second (a confidential client asking about a person's
access token). Both authenticate a client (one transaction reading it and its secrets, one
HMAC); a token also counts the client's budget, reads its live role, stamps its last use and
signs a JWT; an introspection verifies the token (remembered by the key ring, as
``/auth/me`` does) and reads the membership once. The requests cycle through a few
machine-to-machine clients of one organization, as several backends would, so that one
client's row is not what is measured. The clients' token budget
(``APP_CLIENT_TOKENS_PER_HOUR``) is raised so that it never cuts the run short.

Starts its own PostgreSQL and service (2 workers), like ``bench.accounts``; see
bench/README.md for how figures and ratios are read.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import dataclasses
import json
import secrets
import statistics
import sys
from pathlib import Path
from typing import Any

import httpx

from bench.lib import database, harness, machine, report, server, wrk
from bench.lib.harness import Bench
from service.config import Settings
from service.security.passwords import PasswordHasher

ROUNDS = 3
DISTURBED = 0.3  # cores other processes may use during a run before it is repeated
MINUTES = 8  # the run is abandoned after this long
RESULTS = server.ROOT / "reports" / "bench-clients.json"
CLIENTS = 4  # machine-to-machine clients the requests cycle through
LOAD = {"seconds": 10, "connections": 16}
ADMIN = "admin@clients.bench.test"
PASSWORD = secrets.token_urlsafe(12)
ENV = {"APP_CLIENT_TOKENS_PER_HOUR": "1000000"}  # the most the setting allows
GOALS = {"tokens": 0.5, "introspection": 0.8}


def seed(bench: Bench) -> None:
    """One organization whose admin signs in with a password (production argon2)."""
    hasher = PasswordHasher(Settings())
    try:
        stored = asyncio.run(hasher.hash(PASSWORD))
    finally:
        hasher.close()

    async def work(conn: Any) -> None:
        org_id, roles = await database.create_organization(conn, "bench-clients")
        await database.add_members(conn, org_id, roles["admin"], [ADMIN], stored)
        bench.facts["admin_role"] = str(roles["admin"])

    database.seed(bench.db, work)


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def register(bench: Bench) -> None:
    """The admin's access token and ``CLIENTS`` machine-to-machine clients (their Basic
    headers), registered through the API."""
    svc = bench.svc
    token = svc.login(ADMIN, PASSWORD)
    media = "application/vnd.api+json"
    headers = {"Authorization": f"Bearer {token}", "Content-Type": media, "Accept": media}
    body = {
        "data": {
            "type": "auth/app-clients",
            "attributes": {"type": "machine_to_machine", "name": "Bench backend"},
            "relationships": {
                "auth/roles": {"data": {"type": "auth/roles", "id": bench.facts["admin_role"]}}
            },
        }
    }
    authorizations = []
    with httpx.Client(base_url=svc.base, timeout=10) as http:
        for _ in range(CLIENTS):
            made = http.post("/auth/app-clients", content=json.dumps(body), headers=headers)
            if made.status_code != 201:
                raise RuntimeError(f"registering a client answered {made.status_code}: {made.text}")
            attributes = made.json()["data"]["attributes"]
            authorizations.append(basic(attributes["clientId"], attributes["clientSecret"]))
    bench.facts["token"] = token
    bench.facts["authorizations"] = authorizations


def check(bench: Bench) -> None:
    """One request of each load must succeed before anything is measured (a 404 here means
    the introspection router is not mounted in ``service/app.py``)."""
    base, token = bench.svc.base, bench.facts["token"]
    authorization = bench.facts["authorizations"][0]
    form = {"grant_type": "client_credentials"}
    status, body = server.request(
        base + "/auth/token", form=form, headers={"Authorization": authorization}
    )
    if status != 200:
        raise RuntimeError(f"client_credentials answered {status}: {body[:300]!r}")
    status, body = server.request(
        base + "/auth/introspect", form={"token": token}, headers={"Authorization": authorization}
    )
    if status != 200 or json.loads(body).get("active") is not True:
        raise RuntimeError(f"introspection answered {status}: {body[:300]!r}")


def rotating_posts(path: str, body: str, authorizations: list[str]) -> str:
    """POST ``body`` (already form-encoded) to ``path``, each request with the next of
    ``authorizations``; each wrk thread starts at its own offset."""
    headers = ", ".join(json.dumps(a) for a in authorizations)
    return f"""
local auths = {{{headers}}}
local requests, i = {{}}, 0
function init(args)
  for k, auth in ipairs(auths) do
    local headers = {{
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Authorization"] = auth,
    }}
    requests[k] = wrk.format("POST", {json.dumps(path)}, headers, {json.dumps(body)})
  end
  i = (id or 0)
end
function request()
  i = i + 1
  return requests[(i % #requests) + 1]
end
"""


def me_load(bench: Bench) -> wrk.Load:
    lua = wrk.COUNT_STATUS + wrk.bearer(bench.facts["token"])
    return wrk.Load(bench.svc.base + "/auth/me", lua=lua, **LOAD)


def token_load(bench: Bench) -> wrk.Load:
    body = "grant_type=client_credentials"
    lua = wrk.COUNT_STATUS + rotating_posts("/auth/token", body, bench.facts["authorizations"])
    return wrk.Load(bench.svc.base + "/auth/token", lua=lua, **LOAD)


def introspection_load(bench: Bench) -> wrk.Load:
    body = "token=" + bench.facts["token"]  # a JWT is form-safe as it is
    path = "/auth/introspect"
    lua = wrk.COUNT_STATUS + rotating_posts(path, body, bench.facts["authorizations"])
    return wrk.Load(bench.svc.base + path, lua=lua, **LOAD)


# --------------------------------------------------------------------------- scenario


def clients(bench: Bench) -> dict[str, Any]:
    """``/auth/me``, then tokens, then introspection: each ratio is between neighbours."""
    me = bench.measure(me_load(bench))
    tokens = bench.measure(token_load(bench))
    introspection = bench.measure(introspection_load(bench))
    line = (
        f"/auth/me {me['ok_per_s']}, client_credentials {tokens['ok_per_s']}, "
        f"introspection {introspection['ok_per_s']} (200 answers/s); not 200: "
        f"{me['not_200']}, {tokens['not_200']}, {introspection['not_200']}"
    )
    return {"me": me, "tokens": tokens, "introspection": introspection, "line": line}


# --------------------------------------------------------------------------- figures


def _cpu(runs: list[dict[str, Any]]) -> str:
    keys = runs[0]["cpu"].keys()
    parts = [f"{k} {statistics.median([r['cpu'][k] for r in runs]):.2f}" for k in keys]
    return "CPU in cores (median): " + ", ".join(parts)


def _failures(runs: list[dict[str, Any]]) -> str:
    return (
        f"answers other than 200: {sum(r['not_200'] for r in runs)}, "
        f"socket errors: {sum(r['socket_errors'] for r in runs)}"
    )


def figures(bench: Bench) -> list[report.Figure]:
    runs = bench.raw["clients"]
    me = [float(r["me"]["ok_per_s"]) for r in runs]
    figs = [
        report.Figure(
            "GET /auth/me req/s (200 only)", "/s", me, notes=[_cpu([r["me"] for r in runs])]
        )
    ]
    named = {
        "tokens": "client_credentials tokens/s (Basic)",
        "introspection": "POST /auth/introspect req/s",
    }
    for key, name in named.items():
        sides = [r[key] for r in runs]
        values = [float(s["ok_per_s"]) for s in sides]
        fig = report.Figure(
            name,
            "/s",
            values,
            statistics.median(me),
            "/s /auth/me (same round)",
            [v / m for v, m in zip(values, me, strict=True)],
            (">=", GOALS[key]),
            [
                f"{LOAD['connections']} connections, {LOAD['seconds']} s, cycling through "
                f"{CLIENTS} clients",
                _failures(sides),
                _cpu(sides),
            ],
        )
        busy = bench.busiest_other("clients")
        if busy > DISTURBED:
            fig.notes.append(f"other processes used up to {busy:.2f} cores during these runs")
        figs.append(fig)
    return figs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="repetitions of the scenario")
    parser.add_argument("--quick", action="store_true", help="one round (same as --rounds 1)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    rounds = 1 if args.quick else args.rounds
    before = machine.wait_for_quiet()
    print(f"machine busy before the run: {before:.2f} cores", flush=True)
    with harness.prepared(minutes=MINUTES) as bench:
        seed(bench)
        svc = bench.start_service(workers=2, env=ENV)
        print(f"service on {svc.base}, workers {svc.workers()}", flush=True)
        register(bench)
        check(bench)
        for warm_up in (me_load, token_load, introspection_load):
            wrk.run(dataclasses.replace(warm_up(bench), seconds=2))
        bench.rounds({"clients": clients}, rounds, disturbed=DISTURBED)
        figs = figures(bench)
        raw, discarded = bench.raw, bench.discarded
    print()
    print(report.table(figs))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    report.write(
        args.output,
        figs,
        machine=machine.info() | {"busy_cores_before": round(before, 2)},
        versions=harness.versions("litestar", "uvicorn", "asyncpg", "msgspec", "joserfc"),
        code=harness.git_state(),
        config={"rounds": rounds, "clients": CLIENTS, "load": LOAD, "env": ENV, "workers": 2},
        runs=raw,
        discarded_disturbed_runs=discarded,
    )
    print(f"wrote {args.output}")
    return 0  # goals are reported, never enforced


if __name__ == "__main__":
    sys.exit(main())
