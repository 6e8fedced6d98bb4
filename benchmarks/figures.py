"""What the suite measures: one :class:`Metric` per row of the report.

Two kinds of rows:

* a :class:`Figure` is timed work that the runner repeats, alternating servers, and
  reports as best and median (import + parse, frame reads; later GBM, DRF, GLM,
  scoring, AutoML);
* an observation is a number read once per server while the benchmark frame is loaded
  (resident memory, the frame's ``byte_size``); the runner fills those in.

Adding a figure: subclass :class:`Figure`, implement :meth:`Figure.measure` with client
calls only (the loaded frame is ``context.frames[server.name]``), and append an instance
to :data:`FIGURES`.
"""
from __future__ import annotations

import statistics
import time
import uuid
from dataclasses import dataclass, field

from .generate import Dataset
from .servers import BenchServer
from .workload import delete_frame_quietly, import_and_parse

MIB = 2 ** 20


@dataclass(frozen=True)
class Metric:
    """A row of the report.

    Attributes
    ----------
    key : str
        Stable identifier used in the JSON results.
    label : str
        Human description; ``{rows}`` in it stands for the data set's row count.
    unit : str
        ``s``, ``ms`` or ``MiB``.
    target_ratio : float or None
        The embedded engine's goal as a ratio embedded / H2O-3 (lower is better for every
        metric here); None when the two numbers are not comparable.
    why_target : str
        Where the target comes from.
    """

    key: str
    label: str
    unit: str
    target_ratio: float | None = None
    why_target: str = ""


@dataclass
class Context:
    """What figures share on one run: the data set and the loaded frame on each server."""

    dataset: Dataset
    frames: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Sample:
    """One measurement: the reported value and any detail worth keeping in the results file."""

    value: float
    detail: dict = field(default_factory=dict)


class Figure(Metric):
    """A timed, repeatable measurement on one server."""

    def measure(self, server: BenchServer, context: Context) -> Sample:
        """Do the work once on ``server`` and return the sample (in :attr:`unit`)."""
        raise NotImplementedError


class ParseFigure(Figure):
    """Import + ParseSetup + Parse of the benchmark CSV into a new frame, deleted afterwards."""

    def measure(self, server: BenchServer, context: Context) -> Sample:
        frame_id = f"bench_parse_{uuid.uuid4().hex[:8]}"
        try:
            timing = import_and_parse(server.client, str(context.dataset.path), frame_id)
        finally:
            # Keep only the loaded benchmark frame between samples, so every parse starts
            # from the same memory state.
            delete_frame_quietly(server.client, frame_id)
        return Sample(timing.total, timing.phases())


class FrameGetFigure(Figure):
    """Latency of ``GET /3/Frames/{id}`` (column summaries + first 10 rows), as the frames panel asks."""

    requests_per_sample = 20

    def measure(self, server: BenchServer, context: Context) -> Sample:
        frame_id = context.frames[server.name]
        latencies = []
        for _ in range(self.requests_per_sample):
            started = time.perf_counter()
            server.client.frame(frame_id)
            latencies.append((time.perf_counter() - started) * 1000)
        # The median of a burst, so that one slow request (a GC pause) does not decide the sample.
        return Sample(statistics.median(latencies), {"min_ms": round(min(latencies), 3),
                                                     "max_ms": round(max(latencies), 3)})


# The Foundation issue's target: a quarter of H2O-3's time (pyarrow alone reads the 1M-row
# file in 1.2 s where H2O-3 took 5.6 s, DESIGN.md).
_PARSE_TARGET = 0.25
_PARSE_WHY = "the Foundation issue: parse in at most a quarter of H2O-3's time"

PARSE = ParseFigure("parse", "import + parse {rows} x 20 CSV", "s", _PARSE_TARGET, _PARSE_WHY)
FRAME_GET = FrameGetFigure("frame_get", f"GET /3/Frames/{{id}} (median of {FrameGetFigure.requests_per_sample})",
                           "ms", 1.0, "the frames panel calls it on every refresh: no slower than H2O-3")

# Observations, read once per server by the runner.
COLD_PARSE = Metric("cold_parse", "first import + parse in a fresh server (1 sample)", "s", _PARSE_TARGET,
                    _PARSE_WHY)
RSS_LOADED = Metric("rss_loaded", "server resident memory with the frame loaded", "MiB", 1.0,
                    "a notebook user's machine: no hungrier than the JVM")
RSS_PEAK = Metric("rss_peak", "server peak resident memory over the run", "MiB", 1.0,
                  "a notebook user's machine: no hungrier than the JVM")
FRAME_BYTES = Metric("frame_byte_size", "frame byte_size reported by GET /3/Frames/{id}", "MiB", None,
                     "informational: each server counts its own storage")

FIGURES: list[Figure] = [PARSE, FRAME_GET]
OBSERVATIONS: list[Metric] = [COLD_PARSE, RSS_LOADED, RSS_PEAK, FRAME_BYTES]
