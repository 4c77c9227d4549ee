"""Member pages at two sizes and one member by id, for ``make bench``.

Two organizations in the same database: one of 100,000 members and one of 1,000, each with an
admin who signs in with a password. The page measured is ``page[size]=50`` in the middle of
each list, reached by following the service's own ``links.next`` cursors.
"""

from __future__ import annotations

import json
import statistics
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from bench.lib import database, report, server, wrk
from bench.lib.harness import Bench

SIZES = {"big": 100_000, "small": 1_000}  # members, the admin included
PAGE = 50
WALK = 200  # page size while walking to the middle (the largest the API allows)
THROUGHPUT = {"seconds": 8, "connections": 8}
PROBE = {"seconds": 6, "connections": 2}


def admin_email(label: str) -> str:
    return f"admin@{label}.bench.test"


def seed(bench: Bench, stored_hash: str) -> None:
    """Both organizations, with COPY, then ``VACUUM (ANALYZE)``: the planner knows their
    sizes, and no autovacuum of the fresh rows starts in the middle of a measurement."""

    async def work(conn: Any) -> None:
        for label, count in SIZES.items():
            org_id, roles = await database.create_organization(conn, f"bench-{label}")
            await database.add_members(
                conn, org_id, roles["admin"], [admin_email(label)], stored_hash
            )
            emails = [f"m{i}@{label}.bench.test" for i in range(count - 1)]
            await database.add_members(conn, org_id, roles["member"], emails, None)

    database.seed(bench.db, work)
    database.fetchval(bench.db, "VACUUM (ANALYZE)")


def _get(url: str, token: str) -> dict[str, Any]:
    status, body = server.request(url, headers={"Authorization": f"Bearer {token}"})
    if status != 200:
        raise RuntimeError(f"GET {url} answered {status}: {body[:300]!r}")
    document: dict[str, Any] = json.loads(body)
    return document


def _cursor(next_link: str) -> str:
    return parse_qs(urlsplit(next_link).query)["page[after]"][0]


def page_url(base: str, cursor: str | None) -> str:
    query = {"page[size]": str(PAGE)} | ({"page[after]": cursor} if cursor else {})
    return f"{base}/auth/users?{urlencode(query)}"


def middle_page(base: str, token: str, members: int) -> tuple[str, str, int]:
    """(URL of the 50-member page that starts half-way down the list, the id of its first
    member, pages walked), following ``links.next`` from the first page."""
    cursor = None
    walked = 0
    for _ in range(members // 2 // WALK):
        query = {"page[size]": str(WALK)} | ({"page[after]": cursor} if cursor else {})
        document = _get(f"{base}/auth/users?{urlencode(query)}", token)
        if len(document["data"]) != WALK or not document["links"].get("next"):
            raise RuntimeError(f"the member list ended after {walked} full pages")
        cursor = _cursor(document["links"]["next"])
        walked += 1
    url = page_url(base, cursor)
    document = _get(url, token)
    if len(document["data"]) != PAGE or not document["links"].get("next"):
        raise RuntimeError(f"the middle page is not a full page with a next link: {url}")
    return url, str(document["data"][0]["id"]), walked


def prepare(bench: Bench, password: str) -> None:
    """Tokens of both admins and the URLs to load; in ``bench.facts["pages"]``."""
    svc = bench.svc
    found: dict[str, Any] = {}
    for label, count in SIZES.items():
        token = svc.login(admin_email(label), password)
        url, first_id, walked = middle_page(svc.base, token, count)
        found[label] = {"token": token, "url": url, "member_id": first_id, "walked": walked}
    bench.facts["pages"] = found
    bench.facts["member_url"] = f"{svc.base}/auth/users/{found['big']['member_id']}"
    for label in SIZES:
        wrk.run(page_load(bench, label, 2, 8))


def page_load(bench: Bench, label: str, seconds: int, connections: int) -> wrk.Load:
    page = bench.facts["pages"][label]
    return wrk.Load(page["url"], seconds, connections, lua=wrk.bearer(page["token"]))


def member_load(bench: Bench, seconds: int, connections: int) -> wrk.Load:
    token = bench.facts["pages"]["big"]["token"]
    return wrk.Load(bench.facts["member_url"], seconds, connections, lua=wrk.bearer(token))


# --------------------------------------------------------------------------- scenario


def pages(bench: Bench) -> dict[str, Any]:
    """Both sizes at full load and then with a light probe for latency; the size that goes
    first alternates from one repetition to the next."""
    turn = bench.facts["pages_turn"] = bench.facts.get("pages_turn", -1) + 1
    order = ("small", "big") if turn % 2 == 0 else ("big", "small")
    data: dict[str, Any] = {"order": list(order)}
    for label in order:
        data[label] = bench.measure(page_load(bench, label, **THROUGHPUT))
    for label in order:
        data[f"{label}_probe"] = bench.measure(page_load(bench, label, **PROBE))
    big, small = data["big"], data["small"]
    data["line"] = (
        f"{big['rps']} vs {small['rps']} req/s; probe p50 {data['big_probe']['p50_ms']} vs "
        f"{data['small_probe']['p50_ms']} ms, p99 {data['big_probe']['p99_ms']} vs "
        f"{data['small_probe']['p99_ms']} ms (100,000 vs 1,000 members)"
    )
    return data


# --------------------------------------------------------------------------- figures


def _errors(runs: list[dict[str, Any]]) -> str:
    return (
        f"answers other than 2xx/3xx: {sum(r['non_2xx_3xx'] for r in runs)}, "
        f"socket errors: {sum(r['socket_errors'] for r in runs)}"
    )


def figures(bench: Bench) -> list[tuple[report.Figure, str]]:
    """(figure, scenario it comes from) for the page figures."""
    runs = bench.raw["pages"]
    facts = bench.facts["pages"]

    def side(label: str, field: str) -> list[float]:
        return [float(r[label][field]) for r in runs]

    big_rps, small_rps = side("big", "rps"), side("small", "rps")
    walked = f"cursor reached after {facts['big']['walked']} and {facts['small']['walked']}"
    notes = [
        f"page[size]={PAGE} half-way down each list ({walked} pages of {WALK}); "
        f"{THROUGHPUT['connections']} connections, {THROUGHPUT['seconds']} s",
        _errors([r[k] for r in runs for k in ("big", "small", "big_probe", "small_probe")]),
    ]
    figs = [
        report.Figure(
            "GET /auth/users page req/s, 100,000 members", "/s", big_rps,
            statistics.median(small_rps), "/s at 1,000 members",
            [b / s for b, s in zip(big_rps, small_rps, strict=True)], (">=", 0.9), notes,
        ),
    ]  # fmt: skip
    for pct in ("p50", "p99"):
        big, small = side("big_probe", f"{pct}_ms"), side("small_probe", f"{pct}_ms")
        figs.append(
            report.Figure(
                f"page latency {pct}, 100,000 members", "ms", big,
                statistics.median(small), "ms at 1,000 members",
                [b / s for b, s in zip(big, small, strict=True)], ("<=", 1.1),
                [f"{PROBE['connections']} connections, {PROBE['seconds']} s per size"],
            )
        )  # fmt: skip
    return [(f, "pages") for f in figs]
