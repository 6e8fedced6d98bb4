"""Smoke test of ``python -m benchmarks.h2opy``: h2o-py's frame work runs to the end on the
embedded engine and every figure gets a sample (no timing is asserted: CI machines are noisy)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
FIGURES = {"filter", "group_by", "sort", "merge", "asfactor", "as_data_frame"}


def test_the_h2opy_benchmark_runs_every_figure(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.h2opy", "--rows", "20000", "--repeat", "1", "--only", "embedded",
         "--results-dir", str(tmp_path)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"benchmark failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    samples = json.loads(next(tmp_path.glob("h2opy-*.json")).read_text())["samples"]
    assert set(samples) == FIGURES and all(len(by["embedded"]) == 1 for by in samples.values())
    assert "| filter rows" in proc.stdout


def test_the_h2opy_automl_benchmark_runs(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.h2opy.automl", "--max-models", "2", "--repeat", "1", "--only", "embedded",
         "--results-dir", str(tmp_path)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"benchmark failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    samples = json.loads(next(tmp_path.glob("h2opy-automl-*.json")).read_text())["samples"]
    (sample,) = samples["embedded"]
    assert sample["seconds"] > 0 and 0.5 < sample["best_auc"] <= 1
    assert "| time, best AUC" in proc.stdout
