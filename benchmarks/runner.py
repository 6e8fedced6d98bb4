"""The measurement protocol: one run of every metric on every chosen server.

1. Generate (or reuse) the data set, start the servers.
2. On each server, load the benchmark frame once: that first parse is timed as the cold
   parse, then the frame is checked (shape, column types, missing counts) and resident
   memory and ``byte_size`` are read with it loaded.
3. When a selected figure trains models, the data set's training and test files (cut once,
   see :mod:`benchmarks.split`) are parsed on each server too.
4. Each selected :data:`~benchmarks.figures.FIGURES` entry is measured ``repeat`` times per
   server, alternating servers and swapping which goes first on every round, so that a burst
   of outside load on this machine hits both servers rather than one. An attempt that fails
   (a refused request, a failed job, a timeout) is recorded as such and the run goes on;
   after a timeout that server skips the figure's remaining rounds.
5. Peak memory is read last (it includes model training), then the servers are stopped.
"""
from __future__ import annotations

import os
import platform
import subprocess
import sys
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timezone

import psutil

from h2odash.client import H2OJobTimeoutError

from .figures import (COLD_PARSE, FIGURES, FRAME_BYTES, MIB, OBSERVATIONS, RSS_LOADED, RSS_PEAK, Context,
                      Figure, Metric, Sample, expand_figure_keys)
from .generate import Dataset, ensure_dataset
from .report import RESULTS_DIR, Result, markdown_table, write_json
from .servers import DEFAULT_H2O3_HEAP, BenchServer, make_server
from .split import ensure_split
from .workload import import_and_parse

BENCHMARK_FRAME = "bench.hex"
TRAIN_FRAME = "bench_train.hex"
TEST_FRAME = "bench_test.hex"
# H2O-3 trains the slowest full-size model (DRF) in about 75 s here; a job 20 times longer
# says enough about a server, and is cancelled so the run can finish.
DEFAULT_MODEL_TIMEOUT = 1500.0


@dataclass(frozen=True)
class Options:
    """What to run; see ``python -m benchmarks --help``."""

    rows: int
    seed: int
    repeat: int
    servers: tuple[str, ...]
    xmx: str = DEFAULT_H2O3_HEAP
    results_dir: str = str(RESULTS_DIR)
    figures: tuple[str, ...] | None = None
    quick: bool = False
    model_timeout: float | None = DEFAULT_MODEL_TIMEOUT


def select_figures(keys: tuple[str, ...] | None) -> list[Figure]:
    """The figures to run, in :data:`FIGURES` order; all of them when ``keys`` is None.

    A :data:`~benchmarks.figures.FIGURE_GROUPS` name (``automl``) selects each of its figures.

    Raises
    ------
    ValueError
        When a key names no figure.
    """
    if keys is None:
        return list(FIGURES)
    keys = expand_figure_keys(keys)
    known = {figure.key for figure in FIGURES}
    unknown = [key for key in keys if key not in known]
    if unknown:
        raise ValueError(f"unknown figures {unknown}; choose from {sorted(known)}")
    return [figure for figure in FIGURES if figure.key in keys]


def log(message: str) -> None:
    """Progress goes to stderr so that stdout holds only the table."""
    print(message, file=sys.stderr, flush=True)


def run(options: Options) -> dict:
    """Run the benchmark and return the results payload (also written as JSON).

    Returns
    -------
    dict
        ``dataset``, ``servers`` (URL, version, checks...), ``results`` (one entry per
        metric with samples per server, best, median, ratio), ``table`` (Markdown) and
        ``results_file``.
    """
    started = datetime.now(timezone.utc)
    load_before = _load_average()
    figures = [f for f in select_figures(options.figures) if f.runs_in_quick_mode or not options.quick]
    dataset = ensure_dataset(options.rows, options.seed, log=log)
    log(f"data set {dataset.path} ({dataset.byte_size / 1e6:.0f} MB)")
    context = Context(dataset, quick=options.quick, model_timeout=options.model_timeout)
    if any(figure.needs_split for figure in figures):
        context.split = ensure_split(dataset, log=log)
    metrics: list[Metric] = [m for figure in figures for m in (figure, *figure.companions)] + OBSERVATIONS
    results = {metric.key: Result(metric) for metric in metrics}
    with ExitStack() as stack:
        servers = [_start(name, options, stack) for name in options.servers]
        for server in servers:
            _load_benchmark_frame(server, context, results)
            if context.split is not None:
                _load_split_frames(server, context)
        for figure in figures:
            _measure(figure, servers, context, results, options.repeat)
        for server in servers:
            peak = server.peak_rss_bytes()
            if peak is not None:
                results[RSS_PEAK.key].add(server.name, Sample(peak / MIB))
        server_info = {server.name: dict(server.info) for server in servers}

    ordered = [results[m.key] for m in metrics]
    split = context.split
    table = markdown_table(ordered, dataset.rows, split.train.rows if split else None,
                           split.test.rows if split else None, quick=options.quick)
    payload = {
        "created": started.isoformat(timespec="seconds"),
        "options": {**options.__dict__},
        "command": [sys.executable, *sys.argv],
        "machine": {"platform": platform.platform(), "python": platform.python_version(),
                    "cpus": os.cpu_count(), "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
                    "load_average_before": load_before, "load_average_after": _load_average()},
        "code": _code_version(),
        "dataset": dataset.to_json(),
        "split": context.split.to_json() if context.split is not None else None,
        "model_parameters": {f.key: f.params_for(context) for f in figures if hasattr(f, "params_for")},
        "servers": server_info,
        "disagreements": _disagreements(server_info),
        "results": [r.to_json() for r in ordered],
        "checks": {key: value for key, value in context.checks.items() if not key.startswith("_")},
        "table": table,
    }
    payload["results_file"] = str(write_json(payload, options.results_dir))
    return payload


def _measure(figure: Figure, servers: list[BenchServer], context: Context, results: dict[str, Result],
             repeat: int) -> None:
    """Take ``repeat`` samples of one figure per server, alternating servers every round."""
    failed: set[str] = set()
    for round_ in range(repeat):
        order = servers if round_ % 2 == 0 else servers[::-1]
        for server in order:
            if server.name in failed:
                continue
            where = f"{figure.key} on {server.name}, round {round_ + 1}/{repeat}"
            try:
                sample = figure.measure(server, context)
            except Exception as exc:  # noqa: BLE001 - one server failing a figure is a result, not a crash
                reason = f"{type(exc).__name__}: {exc}"
                results[figure.key].fail(server.name, reason)
                # A timeout would cost as much again next round; a quick error may be passing.
                if isinstance(exc, H2OJobTimeoutError):
                    failed.add(server.name)
                log(f"{where}: FAILED {reason}")
                continue
            results[figure.key].add(server.name, sample)
            for key, value in sample.companions.items():
                results[key].add(server.name, Sample(value))
            extra = "".join(f", {key} {value:.4f}" for key, value in sample.companions.items())
            log(f"{where}: {sample.value:.3f} {figure.unit}{extra}")


def _start(name: str, options: Options, stack: ExitStack) -> BenchServer:
    server = make_server(name, options.xmx)
    # Registered before starting, so a server that fails half-way through startup is still stopped.
    stack.callback(server.stop)
    log(f"starting {server.title}...")
    server.start()
    log(f"{server.title} {server.info.get('version')} at {server.url} (pid {server.process.pid}) "
        f"in {server.info['startup_s']} s")
    return server


def _load_benchmark_frame(server: BenchServer, context: Context, results: dict[str, Result]) -> None:
    """Parse the data set into the frame the figures read, and take the one-off observations."""
    server.info["rss_idle_mib"] = round(server.rss_bytes() / MIB, 1)
    timing = import_and_parse(server.client, str(context.dataset.path), BENCHMARK_FRAME)
    context.frames[server.name] = timing.frame_id
    results[COLD_PARSE.key].add(server.name, Sample(timing.total, timing.phases()))
    # The first GET also makes H2O-3 compute its column rollups, so the latency figure
    # later measures warm reads on both servers.
    frame = server.client.frame(timing.frame_id, row_count=0)
    results[RSS_LOADED.key].add(server.name, Sample(server.rss_bytes() / MIB))
    results[FRAME_BYTES.key].add(server.name, Sample(frame.get("byte_size", 0) / MIB))
    server.info["frame_check"] = check_frame(frame, context.dataset)
    log(f"{server.title}: loaded {timing.frame_id} in {timing.total:.2f} s; "
        f"check: {server.info['frame_check']['problems'] or 'ok'}")


def _load_split_frames(server: BenchServer, context: Context) -> None:
    """Parse the training and test files the model figures use, and check both."""
    keys = []
    for part, frame_id in ((context.split.train, TRAIN_FRAME), (context.split.test, TEST_FRAME)):
        timing = import_and_parse(server.client, str(part.path), frame_id)
        frame = server.client.frame(timing.frame_id, row_count=0)
        problems = check_frame(frame, part)["problems"]
        server.info.setdefault("split_check", {})[frame_id] = {"parse_s": round(timing.total, 2),
                                                               "rows": frame.get("rows"), "problems": problems}
        log(f"{server.title}: loaded {timing.frame_id} in {timing.total:.2f} s; check: {problems or 'ok'}")
        keys.append(timing.frame_id)
    context.split_frames[server.name] = (keys[0], keys[1])


def check_frame(frame: dict, dataset: Dataset) -> dict:
    """Compare a parsed ``FrameV3`` with what the generator wrote.

    A parse that drops rows or guesses the wrong types could look fast for the wrong reason,
    so the results record what each server made of the file.

    Returns
    -------
    dict
        ``rows``, ``types`` and ``missing`` per column as the server reports them, and
        ``problems``: a list of human-readable differences from the data set (empty if none).
    """
    columns = frame.get("columns") or []
    types = {c["label"]: c.get("type") for c in columns}
    missing = {c["label"]: c.get("missing_count") for c in columns}
    problems = []
    rows = frame.get("rows")
    if rows != dataset.rows:
        problems.append(f"{rows} rows instead of {dataset.rows}")
    if list(types) != dataset.columns:
        problems.append(f"columns {list(types)} instead of {dataset.columns}")
    for name, expected in dataset.expected_types.items():
        if name in types and types[name] != expected:
            problems.append(f"column {name} is {types[name]}, expected {expected}")
    for name, expected in dataset.missing_counts.items():
        if name in missing and missing[name] != expected:
            problems.append(f"column {name} has {missing[name]} missing, expected {expected}")
    return {"rows": rows, "types": types, "missing": missing, "problems": problems}


def _disagreements(server_info: dict) -> list[str]:
    """Problems found on one server but not the other (the interesting ones for parity)."""
    found = {name: set(info.get("frame_check", {}).get("problems", [])) for name, info in server_info.items()}
    if len(found) < 2:
        return []
    everywhere = set.intersection(*found.values())
    return sorted(f"{name}: {problem}" for name, problems in found.items() for problem in problems - everywhere)


def _code_version() -> dict:
    """The commit benchmarked and whether the engine had uncommitted edits.

    The embedded engine changes under active development; numbers mean little without the
    code they were taken on.
    """
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                                  timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    return {"commit": git("rev-parse", "HEAD") or None,
            "uncommitted_changes": git("status", "--porcelain", "--", "h2odash").splitlines()}


def _load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None
