"""Smoke test of the benchmark suite: ``python -m benchmarks --quick`` against both servers.

It checks that the run completes and records what the report needs, not how fast anything
is (CI machines are too noisy for timing assertions). Both servers are required: a missing
Java is a failure here, not a skip, because the benchmark is meaningless without H2O-3.

No ``__init__.py`` in this folder on purpose: it would make pytest import this module as
``benchmarks.test_quick`` and shadow the real ``benchmarks`` package.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
ROWS = 20_000
SERVERS = ("embedded", "h2o3")
TIMED_FIGURES = ("parse", "frame_get", "cold_parse")


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory) -> dict:
    """The JSON results of one quick run, written to a private folder."""
    results_dir = tmp_path_factory.mktemp("bench-results")
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--rows", str(ROWS), "--results-dir", str(results_dir)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=540)
    assert proc.returncode == 0, f"benchmark failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    files = list(results_dir.glob("*.json"))
    assert len(files) == 1, f"expected one results file in {results_dir}, found {files}"
    payload = json.loads(files[0].read_text())
    payload["stdout"] = proc.stdout
    return payload


@pytest.mark.h2o3
def test_quick_run_times_each_figure_on_both_servers(quick_run):
    results = {r["key"]: r for r in quick_run["results"]}
    for key in TIMED_FIGURES:
        for server in SERVERS:
            stats = results[key]["servers"][server]
            assert stats["samples"] and all(v > 0 for v in stats["samples"]), (key, server, stats)
            assert stats["best"] > 0 and stats["median"] >= stats["best"]
        assert results[key]["ratio"] > 0


@pytest.mark.h2o3
def test_quick_run_records_memory_and_frame_size(quick_run):
    results = {r["key"]: r for r in quick_run["results"]}
    for key in ("rss_loaded", "frame_byte_size"):
        for server in SERVERS:
            assert results[key]["servers"][server]["best"] > 0, (key, server)


@pytest.mark.h2o3
def test_both_servers_parse_the_data_as_written(quick_run):
    assert quick_run["dataset"]["rows"] == ROWS
    for server in SERVERS:
        check = quick_run["servers"][server]["frame_check"]
        assert check["rows"] == ROWS
        assert check["problems"] == [], (server, check["problems"])


@pytest.mark.h2o3
def test_quick_run_prints_the_table(quick_run):
    header = "| figure | embedded | H2O-3 | ratio embedded/H2O-3 | target |"
    assert header in quick_run["stdout"]
    assert quick_run["table"] in quick_run["stdout"]
