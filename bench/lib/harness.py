"""One benchmark run: a private folder and database, the service under test, repeated rounds
of scenarios, CPU accounting around every load, and clean-up whatever happens.

A scenario is a function ``(bench) -> dict`` that measures one repetition and returns its raw
numbers (with a short ``line`` to print); :meth:`Bench.rounds` runs every scenario once per
round, interleaved, so slow drift of the machine spreads over all of them alike.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.lib import database, machine, server, wrk
from bench.lib.database import Database
from bench.lib.server import Service

Scenario = Callable[["Bench"], dict[str, Any]]


@dataclass
class Bench:
    folder: Path
    db: Database
    deadline: float
    service: Service | None = None
    extras: dict[str, Service] = field(default_factory=dict)  # more services, e.g. 1 worker
    helpers: dict[str, Callable[[], list[int]]] = field(default_factory=dict)  # e.g. SMTP sink
    raw: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)  # what scenarios share: a token, ...
    discarded: list[dict[str, Any]] = field(default_factory=list)
    _others: list[float] = field(default_factory=list)

    @property
    def svc(self) -> Service:
        if self.service is None:
            raise RuntimeError("no service is running")
        return self.service

    def start_service(self, **options: Any) -> Service:
        self.stop_service()
        self.service = server.start(self.db.dsns, self.folder, **options)
        return self.service

    def start_extra(self, name: str, **options: Any) -> Service:
        """Another service on the same database, idle unless a load is aimed at it."""
        self.stop_extra(name)
        self.extras[name] = server.start(self.db.dsns, self.folder, **options)
        return self.extras[name]

    def stop_service(self) -> None:
        for name in list(self.extras):
            self.stop_extra(name)
        if self.service is not None:
            _stop_and_keep_log(self.service, "bench-service.log")
            self.service = None

    def stop_extra(self, name: str) -> None:
        extra = self.extras.pop(name, None)
        if extra is not None:
            _stop_and_keep_log(extra, f"bench-service-{name}.log")

    def cpu(self, svc: Service | None = None) -> machine.CpuWindow:
        """CPU split between each worker of the service under load (``svc``, by default the
        main one), the rest of it, the other services, PostgreSQL, the helpers, wrk, us and
        everyone else, over the ``with`` block."""
        svc = svc or self.svc
        workers = svc.workers()
        groups: dict[str, Any] = {
            f"worker {i + 1}": (lambda pid=pid: [pid]) for i, pid in enumerate(workers)
        }
        groups["service other"] = lambda: [p for p in svc.pids() if p not in workers]
        idle = [s for s in [self.service, *self.extras.values()] if s is not None and s is not svc]
        if idle:
            groups["idle services"] = lambda: [p for s in idle for p in s.pids()]
        groups["postgres"] = self.db.pids
        groups.update(self.helpers)
        groups["wrk background"] = lambda: [  # started before the window, still running
            pid for pid, cmd in machine.children(os.getpid()).items() if cmd.startswith("wrk ")
        ]
        return machine.CpuWindow(groups)

    def measure(self, load: wrk.Load, svc: Service | None = None) -> dict[str, Any]:
        """One wrk run with the CPU split recorded under ``cpu``; ``svc`` names the service
        the load is aimed at when it is not the main one."""
        with self.cpu(svc) as window:
            data = wrk.run(load)
        self._others.append(window.result["other"])
        return data | {"cpu": window.result}

    def rounds(
        self,
        scenarios: dict[str, Scenario],
        count: int,
        *,
        disturbed: float = 0.3,
        retry_seconds: float = 90.0,
    ) -> None:
        """Every scenario once per round. A run during which other processes kept more than
        ``disturbed`` cores busy is repeated once, when the machine is quieter, as long as all
        repeats so far have taken less than ``retry_seconds``; the disturbed run is kept under
        ``discarded``."""
        spent = 0.0
        for number in range(1, count + 1):
            for name, scenario in scenarios.items():
                data = self._once(scenario, number)
                if data["other_max"] > disturbed and spent < retry_seconds:
                    data.pop("line", None)
                    self.discarded.append(data | {"scenario": name})
                    print(f"  round {number} {name:18} disturbed, repeating", flush=True)
                    started = time.monotonic()
                    machine.wait_for_quiet(disturbed, at_most=10)
                    data = self._once(scenario, number)
                    spent += time.monotonic() - started
                self.raw.setdefault(name, []).append(data)
                print(f"  round {number} {name:18} {data.pop('line', '')}", flush=True)

    def _once(self, scenario: Scenario, number: int) -> dict[str, Any]:
        if time.monotonic() > self.deadline:
            raise TimeoutError("the run took longer than its deadline")
        time.sleep(1.0)
        self._others = []
        data = scenario(self)
        return data | {"round": number, "other_max": max(self._others, default=0.0)}

    def busiest_other(self, name: str) -> float:
        """The most CPU (in cores) other processes used during a kept run of ``name``."""
        return max((run["other_max"] for run in self.raw.get(name, [])), default=0.0)


def _stop_and_keep_log(svc: Service, name: str) -> None:
    svc.stop()
    shutil.copyfile(svc.log_path, Path(tempfile.gettempdir()) / name)


@contextmanager
def prepared(minutes: float) -> Iterator[Bench]:
    """A temporary folder with a migrated PostgreSQL; everything stops on the way out, also on
    SIGTERM or SIGHUP, and the run is abandoned after ``minutes``."""
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda signum, _frame: sys.exit(128 + signum))
    folder = Path(tempfile.mkdtemp(prefix="bench-"))
    folder.chmod(0o755)  # the embedded PostgreSQL runs as another system user
    (folder / "run").mkdir(mode=0o700)
    os.environ["XDG_RUNTIME_DIR"] = str(folder / "run")
    db = None
    bench = None
    try:
        db = database.start(folder)
        bench = Bench(folder, db, time.monotonic() + minutes * 60)
        yield bench
    finally:
        if bench is not None:
            bench.stop_service()
        if db is not None:
            db.stop()
        shutil.rmtree(folder, ignore_errors=True)


def versions(*dists: str) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for dist in dists:
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[dist] = None
    done = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    found["wrk"] = ((done.stdout or done.stderr).splitlines() or [""])[0]
    return found


def git_state() -> dict[str, Any]:
    git = ["git", "-C", str(server.ROOT)]
    head = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=False)
    dirty = subprocess.run(
        [*git, "status", "--porcelain", "--", "service", "sql"],
        capture_output=True,
        text=True,
        check=False,
    )
    return {
        "head": head.stdout.strip(),
        "uncommitted_in_service_sql": len(dirty.stdout.splitlines()),
    }
