"""One result per fault, written to ``reports/faults.json`` and printed as a short table."""

from __future__ import annotations

import json
import platform
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from faults.load import Recorder

REPORT = Path(__file__).resolve().parents[1] / "reports" / "faults.json"


@dataclass
class FaultResult:
    name: str
    injected: str
    survived: bool = False
    violations: list[str] = field(default_factory=list)
    recovery_seconds: float | None = None
    status_counts: dict[str, int] = field(default_factory=dict)
    during_fault: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] | None = None

    def add(self, problems: list[str], where: str = "") -> None:
        self.violations.extend(f"{where}: {p}" if where else p for p in problems)

    def record_http(self, recorder: Recorder, fault_start: float, fault_end: float) -> None:
        self.status_counts = recorder.statuses()
        self.during_fault = recorder.statuses(recorder.between(fault_start, fault_end))
        slowest = max((c.seconds for c in recorder.calls), default=0.0)
        self.details["requests"] = len(recorder.calls)
        self.details["slowest_answer_seconds"] = round(slowest, 2)
        during = recorder.between(fault_start, fault_end)
        self.details["slowest_during_fault"] = {
            op: round(max(c.seconds for c in during if c.op == op), 2)
            for op in sorted({c.op for c in during})
        }
        self.details["slowest_calls"] = [
            f"{c.op} {c.status} {c.seconds:.2f} s, sent {c.started - fault_start:+.1f} s"
            " from the fault"
            for c in sorted(recorder.calls, key=lambda c: -c.seconds)[:3]
        ]
        failing = [c for c in recorder.calls if c.status == 503]
        if failing:
            self.details["slowest_503_seconds"] = round(max(c.seconds for c in failing), 2)

    def finish(self, started: float) -> FaultResult:
        self.survived = not self.violations
        self.seconds = round(time.monotonic() - started, 1)
        return self


def write(results: list[FaultResult], path: Path = REPORT) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "generated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"python": platform.python_version(), "system": platform.platform()},
        "survived": all(r.survived for r in results),
        "faults": [asdict(r) for r in results],
    }
    path.write_text(json.dumps(document, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return path


def table(results: list[FaultResult]) -> str:
    lines = [f"{'fault':34} {'ok':4} {'recovery':>9} {'time':>6}  statuses / first violation"]
    for r in results:
        recovery = "-" if r.recovery_seconds is None else f"{r.recovery_seconds:.1f}s"
        statuses = " ".join(f"{k}:{v}" for k, v in r.status_counts.items())
        note = r.violations[0][:70] if r.violations else statuses
        ok = "yes" if r.survived else "NO"
        lines.append(f"{r.name:34} {ok:4} {recovery:>9} {r.seconds:>5.0f}s  {note}")
    return "\n".join(lines)
