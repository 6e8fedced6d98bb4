"""Results of a run: statistics per metric and server, the Markdown table and the JSON file."""
from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .figures import Metric, Quality, Sample

RESULTS_DIR = Path(__file__).resolve().parent / "results"
EMBEDDED, H2O3 = "embedded", "h2o3"


@dataclass
class Result:
    """Every sample of one metric, per server name, and the attempts that failed."""

    metric: Metric
    samples: dict[str, list[Sample]] = field(default_factory=dict)
    failures: dict[str, list[str]] = field(default_factory=dict)

    def add(self, server: str, sample: Sample) -> None:
        self.samples.setdefault(server, []).append(sample)

    def fail(self, server: str, reason: str) -> None:
        """Record an attempt that produced no sample (an error, a refused request, a timeout)."""
        self.failures.setdefault(server, []).append(reason)

    @property
    def is_quality(self) -> bool:
        return isinstance(self.metric, Quality)

    def values(self, server: str) -> list[float]:
        return [s.value for s in self.samples.get(server, [])]

    def best(self, server: str) -> float | None:
        """Smallest sample, the least disturbed run; the largest for a :class:`Quality`."""
        values = self.values(server)
        if not values:
            return None
        return max(values) if self.is_quality else min(values)

    def median(self, server: str) -> float | None:
        values = self.values(server)
        return statistics.median(values) if values else None

    def ratio(self) -> float | None:
        """Best embedded / best H2O-3; None when either is missing or H2O-3's is zero, or for a Quality."""
        embedded, reference = self.best(EMBEDDED), self.best(H2O3)
        if self.is_quality or embedded is None or not reference:
            return None
        return embedded / reference

    def difference(self) -> float | None:
        """Median embedded − median H2O-3 of a :class:`Quality`; None otherwise or when either is missing."""
        embedded, reference = self.median(EMBEDDED), self.median(H2O3)
        if not self.is_quality or embedded is None or reference is None:
            return None
        return embedded - reference

    def meets_target(self) -> bool | None:
        if self.is_quality:
            difference, bound = self.difference(), self.metric.min_difference
            return None if difference is None or bound is None else difference >= bound
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
        for name, reasons in self.failures.items():
            servers.setdefault(name, {"best": None, "median": None, "samples": [], "details": []})
            servers[name]["failures"] = list(reasons)
        payload = {"key": m.key, "label": m.label, "unit": m.unit, "target_ratio": m.target_ratio,
                   "why_target": m.why_target, "servers": servers, "ratio": self.ratio(),
                   "meets_target": self.meets_target()}
        if self.is_quality:
            payload.update(higher_is_better=True, min_difference=m.min_difference, difference=self.difference())
        return payload


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "AUC":
        return f"{value:.4f}"
    return f"{value:,.0f} {unit}"


def _cell(result: Result, server: str) -> str:
    values = result.values(server)
    unit = result.metric.unit
    if not values:
        # A failure is a result too: say so rather than leave the cell looking unmeasured.
        return "failed" if result.failures.get(server) else "—"
    if result.is_quality:
        text = _number(result.median(server), unit)
        if min(values) != max(values):
            text += f" ({_number(min(values), unit)}–{_number(max(values), unit)})"
    else:
        text = _number(result.best(server), unit)
        if len(values) > 1:
            text += f" (median {_number(result.median(server), unit)})"
    if result.failures.get(server):
        text += f", {len(result.failures[server])} failed"
    return text


def _comparison(result: Result) -> tuple[str, str]:
    """The ratio-column text and the target-column text of one row."""
    m = result.metric
    if result.is_quality:
        difference = result.difference()
        text = "—" if difference is None else f"Δ {difference:+.4f}".replace("-", "−")
        bound = m.min_difference
        target = "—" if bound is None else "Δ ≥ " + ("0" if bound == 0 else f"{bound:+g}".replace("-", "−"))
    else:
        ratio = result.ratio()
        text = "—" if ratio is None else f"{ratio:.2f}"
        target = "—" if m.target_ratio is None else f"≤ {m.target_ratio:.3g}"
    met = result.meets_target()
    if met is not None:
        text += " ✓" if met else " ✗"
    return text, target


def markdown_table(results: list[Result], rows: int, train_rows: int | None = None,
                   test_rows: int | None = None, quick: bool = False) -> str:
    """The report table: figure | embedded | H2O-3 | ratio embedded/H2O-3 | target.

    Timed cells show the best sample, and the median when there are several; quality cells
    (test AUC) show the median, the range when samples differ, and the difference
    embedded − H2O-3 in the ratio column. A server whose attempts all failed shows "failed".
    """
    lines = ["| figure | embedded | H2O-3 | ratio embedded/H2O-3 | target |",
             "|---|---|---|---|---|"]
    for result in results:
        comparison, target = _comparison(result)
        label = result.metric.describe(quick).replace("{rows}", f"{rows:,}")
        label = label.replace("{train_rows}", f"{train_rows:,}" if train_rows is not None else "training")
        label = label.replace("{test_rows}", f"{test_rows:,}" if test_rows is not None else "test")
        lines.append(f"| {label} | {_cell(result, EMBEDDED)} | {_cell(result, H2O3)} | {comparison} | {target} |")
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
