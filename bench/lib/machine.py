"""What the machine and our processes are doing, read from /proc (Linux only)."""

from __future__ import annotations

import os
import platform
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CLK_TCK = os.sysconf("SC_CLK_TCK")


def children(pid: int) -> dict[int, str]:
    """pid -> command line of the direct children of ``pid``."""
    out: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            if int(stat[stat.rindex(")") + 2 :].split()[1]) != pid:
                continue
            cmd = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ")
        except (OSError, ValueError, IndexError):
            continue
        out[int(entry)] = cmd.decode(errors="replace").strip()
    return out


def cpu_ticks(pid: int, tid: int | None = None) -> int:
    """utime + stime of one process (or of one of its threads), in clock ticks (0 once it is
    gone)."""
    path = f"/proc/{pid}/stat" if tid is None else f"/proc/{pid}/task/{tid}/stat"
    try:
        stat = Path(path).read_text()
        rest = stat[stat.rindex(")") + 2 :].split()
        return int(rest[11]) + int(rest[12])
    except (OSError, ValueError, IndexError):
        return 0


def loop_and_other_ticks(pid: int) -> tuple[int, int]:
    """CPU ticks of a worker's main thread (its event loop) and of all its other threads
    (argon2 and any executor threads), split so a profile can tell them apart."""
    loop = cpu_ticks(pid, pid)
    return loop, cpu_ticks(pid) - loop


def rss_kib(pid: int) -> int:
    """Resident set size (VmRSS) of one process in KiB (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def machine_busy_ticks() -> int:
    """Clock ticks all CPUs spent not idle since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:8]]
    return sum(values) - values[3] - values[4]


def busy_cores(seconds: float = 2.0) -> float:
    """How many cores the whole machine kept busy over ``seconds`` (1.0 = one core)."""
    before, t0 = machine_busy_ticks(), time.monotonic()
    time.sleep(seconds)
    return (machine_busy_ticks() - before) / CLK_TCK / (time.monotonic() - t0)


def wait_for_quiet(limit: float = 0.3, at_most: float = 30.0) -> float:
    """Wait (``at_most`` seconds) until the machine keeps fewer than ``limit`` cores busy;
    returns the last reading."""
    deadline = time.monotonic() + at_most
    busy = busy_cores()
    while busy >= limit and time.monotonic() < deadline:
        busy = busy_cores()
    return busy


def info() -> dict[str, Any]:
    return {
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_average": os.getloadavg(),
    }


@dataclass
class CpuWindow:
    """CPU used during a measurement, split by who used it; 1.0 = one core.

    ``groups`` maps a name to a function returning the pids to count under it (looked up at
    the start and the end, so processes that come and go are counted while they exist). wrk
    runs as our child, so it shows up in ``os.times()`` children time once it was waited for.
    """

    groups: dict[str, Any]
    result: dict[str, float] = field(default_factory=dict)

    def __enter__(self) -> CpuWindow:
        self._t0 = time.monotonic()
        self._busy0 = machine_busy_ticks()
        self._times0 = os.times()
        self._ticks0 = {name: self._ticks(pids()) for name, pids in self.groups.items()}
        return self

    def __exit__(self, *_exc: object) -> None:
        elapsed = time.monotonic() - self._t0
        times = os.times()
        used = {
            name: _delta(self._ticks0[name], self._ticks(pids())) / CLK_TCK / elapsed
            for name, pids in self.groups.items()
        }
        own = (times.user + times.system) - (self._times0.user + self._times0.system)
        load = (times.children_user + times.children_system) - (
            self._times0.children_user + self._times0.children_system
        )
        used["bench"] = own / elapsed
        used["wrk"] = load / elapsed
        machine = (machine_busy_ticks() - self._busy0) / CLK_TCK / elapsed
        used["other"] = max(0.0, machine - sum(used.values()))
        used["machine"] = machine
        self.result = {k: round(v, 2) for k, v in used.items()}

    @staticmethod
    def _ticks(pids: list[int]) -> dict[int, int]:
        return {pid: cpu_ticks(pid) for pid in pids}


def _delta(before: dict[int, int], after: dict[int, int]) -> int:
    """Ticks used between two readings; a process born in between counts its whole life."""
    return sum(max(0, ticks - before.get(pid, 0)) for pid, ticks in after.items() if ticks)


class RssSampler:
    """Samples VmRSS of the processes ``pids()`` returns every ``interval`` seconds, in a
    thread, until stopped; keeps the peak and the mean of each pid."""

    def __init__(self, pids: Any, interval: float = 0.2) -> None:
        self._pids = pids
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.peak: dict[int, int] = {}
        self.samples: dict[int, list[int]] = {}

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def mean(self) -> dict[int, float]:
        return {pid: sum(v) / len(v) for pid, v in self.samples.items() if v}

    def _run(self) -> None:
        while not self._stop.is_set():
            for pid in self._pids():
                value = rss_kib(pid)
                if value:
                    self.samples.setdefault(pid, []).append(value)
                    self.peak[pid] = max(self.peak.get(pid, 0), value)
            self._stop.wait(self._interval)
