"""Figures: a measurement repeated a few times, its baseline from the same run, the ratio
between them and the goal that ratio is held to. Printed as a table and written as JSON."""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def spread(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
    }


@dataclass
class Figure:
    """``ratios[i]`` is ``values[i]`` over the baseline; the goal applies to their median.
    A figure without baseline and goal is shown for information (it is another's baseline)."""

    name: str
    unit: str
    values: list[float]
    baseline: float | None = None
    baseline_label: str = ""
    ratios: list[float] = field(default_factory=list)
    goal: tuple[str, float] | None = None  # (">=" or "<=", bound)
    notes: list[str] = field(default_factory=list)

    @property
    def met(self) -> bool | None:
        if self.goal is None or not self.ratios:
            return None
        ratio = statistics.median(self.ratios)
        op, bound = self.goal
        return ratio >= bound if op == ">=" else ratio <= bound

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "unit": self.unit,
            "value": spread(self.values),
            "baseline": {"value": self.baseline, "what": self.baseline_label},
            "ratio": spread(self.ratios) if self.ratios else None,
            "goal": f"ratio {self.goal[0]} {self.goal[1]}" if self.goal else None,
            "met": self.met,
            "values": self.values,
            "ratios": [round(r, 3) for r in self.ratios],
            "notes": self.notes,
        }


def ratio_figure(
    name: str,
    unit: str,
    values: list[float],
    baseline: float,
    baseline_label: str,
    goal: tuple[str, float],
    notes: list[str] | None = None,
) -> Figure:
    """The common case: every repetition against one baseline value."""
    ratios = [v / baseline for v in values]
    return Figure(name, unit, values, baseline, baseline_label, ratios, goal, notes or [])


def _range(values: list[float], digits: int) -> str:
    s = spread(values)
    return f"{s['median']:.{digits}f} ({s['min']:.{digits}f}-{s['max']:.{digits}f})"


def table(figures: list[Figure]) -> str:
    head = ("figure", "measured: median (min-max)", "baseline", "ratio", "goal", "")
    rows = [
        (
            f.name,
            f"{_range(f.values, 1)} {f.unit}",
            f"{f.baseline:.1f} {f.baseline_label}" if f.baseline is not None else "-",
            _range(f.ratios, 2) if f.ratios else "-",
            f"{f.goal[0]} {f.goal[1]}" if f.goal else "-",
            {True: "met", False: "MISSED", None: "(info)"}[f.met],
        )
        for f in figures
    ]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in [head, *rows]]
    lines.insert(1, "-" * len(lines[0]))
    notes = [f"  {f.name}: {n}" for f in figures for n in f.notes]
    return "\n".join(lines + (["", "notes:", *notes] if notes else []))


def write(path: Path, figures: list[Figure], **extra: Any) -> None:
    document = {"figures": [f.summary() for f in figures], **extra}
    path.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
