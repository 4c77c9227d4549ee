"""``make faults``: inject real faults on this machine and check the service's invariants.

Runs every scenario (or those named) against one private PostgreSQL, SMTP server and service
process, writes ``reports/faults.json`` and prints a table. Exit status 1 when any fault was
not survived. ``python -m faults --list`` names the scenarios.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
import time
import traceback
import warnings
from collections.abc import Awaitable, Callable
from pathlib import Path

if __package__ in (None, ""):  # run as a file: python faults/run.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from faults import report
from faults.harness import Harness, harness
from faults.report import FaultResult
from faults.scenarios import crashes, database, mail

Scenario = Callable[[Harness], Awaitable[FaultResult]]

SCENARIOS: dict[str, Scenario] = {
    "postgres_restart_fast": lambda h: database.restart(h, "fast"),
    "postgres_restart_immediate": lambda h: database.restart(h, "immediate"),
    "postgres_connections_terminated": database.terminate_connections,
    "postgres_frozen": database.freeze,
    "smtp_down": mail.smtp_down,
    "smtp_451_then_250": mail.temporary_failures,
    "smtp_550": mail.rejections,
    "smtp_slow": mail.slow_server,
    "service_killed": crashes.service_killed,
    "worker_killed_after_accept": crashes.worker_killed_after_accept,
    "three_workers": crashes.three_workers,
}
LOGS = Path(__file__).resolve().parents[1] / "reports" / "faults-logs"


async def run(names: list[str]) -> list[FaultResult]:
    results: list[FaultResult] = []
    async with harness(keep_logs=LOGS) as h:
        for name in names:
            print(f"-- {name}", flush=True)
            started = time.monotonic()
            try:
                result = await SCENARIOS[name](h)
            except Exception as exc:
                traceback.print_exc()
                result = FaultResult(name, "(the scenario itself failed)")
                result.add([f"harness error: {type(exc).__name__}: {exc}"])
                result.finish(started)
            h.sink.clear()
            await h.stop_workers()
            if not h.service.alive():  # a scenario that left it down: start it again
                await h.service.start()
            results.append(result)
            print(
                f"   {'survived' if result.survived else 'NOT survived'} in {result.seconds:.0f} s"
                f"  {result.status_counts}  {result.violations[:3]}",
                flush=True,
            )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m faults", description=__doc__)
    parser.add_argument("scenarios", nargs="*", help="names (default: all, in order)")
    parser.add_argument("--list", action="store_true", help="name the scenarios and exit")
    parser.add_argument("--output", type=Path, default=report.REPORT)
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(SCENARIOS))
        return 0
    unknown = [n for n in args.scenarios if n not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(unknown)}")
    for signum in (signal.SIGTERM, signal.SIGHUP):  # clean up on the way out, as on Ctrl-C
        signal.signal(signum, lambda number, _frame: sys.exit(128 + number))
    # platformdirs complains about a shared XDG_RUNTIME_DIR; the embedded server copes.
    warnings.filterwarnings("ignore", category=UserWarning, module="platformdirs")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    started = time.monotonic()
    results = asyncio.run(run(args.scenarios or list(SCENARIOS)))
    path = report.write(results, args.output)
    print()
    print(report.table(results))
    print(f"\n{len(results)} faults in {time.monotonic() - started:.0f} s; report: {path}")
    return 0 if all(r.survived for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
