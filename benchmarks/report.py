"""Results of a run: statistics per metric and server, the Markdown table and the JSON file."""
from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .figures import Metric, Sample

RESULTS_DIR = Path(__file__).resolve().parent / "results"
EMBEDDED, H2O3 = "embedded", "h2o3"


@dataclass
class Result:
    """Every sample of one metric, per server name."""

    metric: Metric
    samples: dict[str, list[Sample]] = field(default_factory=dict)

    def add(self, server: str, sample: Sample) -> None:
        self.samples.setdefault(server, []).append(sample)

    def values(self, server: str) -> list[float]:
        return [s.value for s in self.samples.get(server, [])]

    def best(self, server: str) -> float | None:
        """Smallest sample: the least disturbed run (every metric here is lower-is-better)."""
        values = self.values(server)
        return min(values) if values else None

    def median(self, server: str) -> float | None:
        values = self.values(server)
        return statistics.median(values) if values else None

    def ratio(self) -> float | None:
        """Best embedded / best H2O-3; None when either is missing or H2O-3's is zero."""
        embedded, reference = self.best(EMBEDDED), self.best(H2O3)
        if embedded is None or not reference:
            return None
        return embedded / reference

    def meets_target(self) -> bool | None:
        ratio = self.ratio()
        if ratio is None or self.metric.target_ratio is None:
            return None
        return ratio <= self.metric.target_ratio

    def to_json(self) -> dict:
        m = self.metric
        servers = {}
        for name, samples in self.samples.items():
            servers[name] = {"best": self.best(name), "median": self.median(name),
                             "samples": [s.value for s in samples],
                             "details": [s.detail for s in samples if s.detail]}
        return {"key": m.key, "label": m.label, "unit": m.unit, "target_ratio": m.target_ratio,
                "why_target": m.why_target, "servers": servers, "ratio": self.ratio(),
                "meets_target": self.meets_target()}


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    return f"{value:,.0f} {unit}"


def _cell(result: Result, server: str) -> str:
    best = result.best(server)
    text = _number(best, result.metric.unit)
    if len(result.values(server)) > 1:
        text += f" (median {_number(result.median(server), result.metric.unit)})"
    return text


def markdown_table(results: list[Result], rows: int) -> str:
    """The report table: figure | embedded | H2O-3 | ratio embedded/H2O-3 | target.

    Cells show the best sample, and the median when there are several.
    """
    lines = ["| figure | embedded | H2O-3 | ratio embedded/H2O-3 | target |",
             "|---|---|---|---|---|"]
    for result in results:
        m = result.metric
        ratio = result.ratio()
        ratio_text = "—" if ratio is None else f"{ratio:.2f}"
        met = result.meets_target()
        if met is not None:
            ratio_text += " ✓" if met else " ✗"
        target = "—" if m.target_ratio is None else f"≤ {m.target_ratio:g}"
        label = m.label.replace("{rows}", f"{rows:,}")
        lines.append(f"| {label} | {_cell(result, EMBEDDED)} | {_cell(result, H2O3)} | {ratio_text} | {target} |")
    return "\n".join(lines)


def write_json(payload: dict, results_dir: Path | str = RESULTS_DIR) -> Path:
    """Write a run's results to ``<results_dir>/<UTC timestamp>.json`` and return the path."""
    results_dir = Path(results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = results_dir / f"{stamp}.json"
    n = 1
    while path.exists():  # two quick runs within the same second
        path = results_dir / f"{stamp}-{n}.json"
        n += 1
    path.write_text(json.dumps(payload, indent=2, default=str))
    return path
