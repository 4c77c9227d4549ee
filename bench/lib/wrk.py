"""wrk runs described by a :class:`Load`, reported by a Lua ``done`` function as one JSON line.

Scripts are built from small Lua chunks: :data:`REPORT` is always there; add
:func:`bearer` for a header, :data:`COUNT_STATUS` to count 200 answers exactly (wrk then
parses every response, which costs it a little CPU), :func:`form_posts` to POST a different
form body on every request.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from typing import Any

REPORT = r"""
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function done(summary, latency, requests)
  local ok, not_ok = 0, 0
  for _, t in ipairs(threads) do
    ok = ok + (t:get("ok") or 0)
    not_ok = not_ok + (t:get("not_ok") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"timeout":%d,"non_2xx_3xx":%d,"ok_200":%d,"not_200":%d,"status_counted":%s,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
    ok, not_ok, tostring(status_counted == true), latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"""

COUNT_STATUS = r"""
status_counted = true
ok, not_ok = 0, 0
function response(status, headers, body)
  if status == 200 then ok = ok + 1 else not_ok = not_ok + 1 end
end
"""


def bearer(token: str) -> str:
    return f'wrk.headers["Authorization"] = {json.dumps("Bearer " + token)}\n'


def form_posts(path: str, before: str, count: int, after: str) -> str:
    """POST ``before .. i .. after`` (already form-encoded) for i cycling through 0..count-1;
    each wrk thread starts at its own offset."""
    return f"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
local n, i = {count}, 0
function init(args) i = ((id or 0) * 7919) % n end
function request()
  i = (i + 1) % n
  return wrk.format(nil, {json.dumps(path)}, nil, {json.dumps(before)} .. i .. {json.dumps(after)})
end
"""


def unique_json_posts(path: str, before: str, tag: str, after: str) -> str:
    """POST the JSON ``before .. tag-<thread>-<n> .. after`` with n counting up in every wrk
    thread, so that no two requests of one run (and, with a fresh ``tag``, of any two runs)
    carry the same text there."""
    return f"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
function request()
  n = n + 1
  local body = {json.dumps(before)} .. {json.dumps(tag)} .. "-" .. (id or 0) .. "-" .. n
  return wrk.format(nil, {json.dumps(path)}, nil, body .. {json.dumps(after)})
end
"""


@dataclass(frozen=True)
class Load:
    url: str
    seconds: int
    connections: int
    threads: int = 2
    lua: str = ""
    timeout_s: int = 5

    def command(self, script: str) -> list[str]:
        return [
            "wrk", f"-t{min(self.threads, self.connections)}", f"-c{self.connections}",
            f"-d{self.seconds}s", f"--timeout={self.timeout_s}s", "-s", script, self.url,
        ]  # fmt: skip


class Running:
    """A wrk process started in the background; :meth:`result` waits for its report."""

    def __init__(self, load: Load) -> None:
        self.load = load
        fd, self._script = tempfile.mkstemp(prefix="bench-", suffix=".lua")
        with os.fdopen(fd, "w") as out:
            out.write(REPORT + load.lua)
        self._proc = subprocess.Popen(
            load.command(self._script),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            stdin=subprocess.DEVNULL,
        )

    def result(self) -> dict[str, Any]:
        try:
            out, err = self._proc.communicate(timeout=self.load.seconds + 30)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.communicate()
            raise RuntimeError(f"wrk did not finish: {self.load}") from None
        finally:
            os.unlink(self._script)
        line = next((ln for ln in out.splitlines() if ln.startswith("BENCH_JSON ")), None)
        if self._proc.returncode != 0 or line is None:
            raise RuntimeError(f"wrk failed ({self._proc.returncode}): {err or out}")
        return summarize(json.loads(line[len("BENCH_JSON ") :]))


def run(load: Load) -> dict[str, Any]:
    return Running(load).result()


def summarize(raw: dict[str, Any]) -> dict[str, Any]:
    seconds = raw["duration_us"] / 1e6
    data = {
        "seconds": round(seconds, 2),
        "requests": raw["requests"],
        "rps": round(raw["requests"] / seconds, 1),
        "non_2xx_3xx": raw["non_2xx_3xx"],
        "socket_errors": sum(raw[k] for k in ("connect", "read", "write", "timeout")),
        **{f"{k}_ms": round(raw[f"{k}_us"] / 1000, 2) for k in ("p50", "p90", "p99", "max")},
    }
    if raw["status_counted"]:
        data["ok_200"] = raw["ok_200"]
        data["not_200"] = raw["not_200"]
        data["ok_per_s"] = round(raw["ok_200"] / seconds, 1)
    return data
