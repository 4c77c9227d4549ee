"""What ``GET /metrics`` says during and after a fault, when the service serves it.

:func:`scrape` is the one hook: it reads the Prometheus text and keeps the outbox, pool and
request samples (``None`` when the service has no metrics endpoint). Request counters are
summed by status, so the report shows how many 503s the service itself counted.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx

KEEP = ("outbox", "pool", "http_requests")


def parse(text: str) -> dict[str, float]:
    """``name{labels}`` -> value, for the samples whose name contains one of ``KEEP``."""
    samples: dict[str, float] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        key, _, value = line.rpartition(" ")
        name = key.partition("{")[0]
        if any(word in name for word in KEEP) and not name.endswith("_created"):
            try:
                samples[key] = float(value)
            except ValueError:
                continue
    return samples


def summarize(samples: dict[str, float]) -> dict[str, Any]:
    by_status: Counter[str] = Counter()
    gauges: dict[str, float] = {}
    for key, value in samples.items():
        name = key.partition("{")[0]
        if name.endswith("http_requests_total"):
            status = key.partition('status="')[2].partition('"')[0]
            by_status[status] += int(value)
        elif "{" not in key:
            gauges[name] = value
    return {"requests_by_status": dict(sorted(by_status.items())), "gauges": gauges}


async def scrape(base: str, wait: float = 5.0) -> dict[str, Any] | None:
    """The metrics the service reports now; ``None`` without a metrics endpoint."""
    try:
        async with httpx.AsyncClient(timeout=wait) as client:
            response = await client.get(base + "/metrics")
    except httpx.HTTPError as exc:
        return {"error": f"{type(exc).__name__}: {exc}"[:200]}
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        return {"error": f"GET /metrics answered {response.status_code}"}
    return summarize(parse(response.text))
