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
MODEL_FIGURES = ("gbm", "drf", "glm", "xgboost", "deeplearning")


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
    for key in (*TIMED_FIGURES, *MODEL_FIGURES, "predict"):
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


@pytest.mark.h2o3
def test_quick_run_reports_test_auc_of_every_model_on_both_servers(quick_run):
    results = {r["key"]: r for r in quick_run["results"]}
    for key in MODEL_FIGURES:
        auc = results[f"{key}_test_auc"]
        for server in SERVERS:
            assert 0.5 < auc["servers"][server]["median"] <= 1, (key, server, auc["servers"][server])
        assert auc["difference"] is not None and auc["higher_is_better"]
        assert f"{key}_test_auc" in [r["key"] for r in quick_run["results"]]
    assert "GBM test AUC" in quick_run["table"]


@pytest.mark.h2o3
def test_quick_run_trains_on_the_split_and_checks_auc_with_sklearn(quick_run):
    split = quick_run["split"]
    assert split["train"]["rows"] + split["test"]["rows"] == ROWS
    assert split["train"]["rows"] == int(ROWS * 0.8)
    assert quick_run["model_parameters"]["gbm"]["ntrees"] == 5
    for server in SERVERS:
        checks = quick_run["servers"][server]["split_check"]
        assert all(not check["problems"] for check in checks.values()), checks
        outcome = quick_run["checks"]["gbm_auc_vs_sklearn"][server]
        # H2O-3 bins thresholds for its AUC; the embedded engine should match exactly.
        assert abs(outcome["difference"]) < 1e-3, outcome


def test_only_figures_runs_a_subset(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--rows", "2000", "--only", "embedded",
         "--only-figures", "glm", "--results-dir", str(tmp_path)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"benchmark failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    payload = json.loads(next(tmp_path.glob("*.json")).read_text())
    keys = [r["key"] for r in payload["results"]]
    assert keys[:2] == ["glm", "glm_test_auc"]
    assert "gbm" not in keys and "parse" not in keys


def test_only_figures_refuses_unknown_figures():
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "--only-figures", "nope"],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "unknown figure" in proc.stderr, proc.stderr


@pytest.mark.h2o3
def test_quick_run_times_a_small_automl_on_prostate_only(quick_run):
    results = {r["key"]: r for r in quick_run["results"]}
    assert quick_run["model_parameters"]["automl_prostate"] == {"max_models": 2, "seed": 1}
    assert "automl_generated" not in results  # the 20k-row AutoML is left out of quick runs
    for server in SERVERS:
        stats = results["automl_prostate"]["servers"][server]
        assert stats["samples"] and all(v > 0 for v in stats["samples"]), (server, stats)
        assert 0.5 < results["automl_prostate_best_auc"]["servers"][server]["median"] <= 1
        assert stats["details"][0]["models"] >= 2
    assert results["automl_prostate_best_auc"]["difference"] is not None


def test_only_figures_automl_selects_both_automl_figures():
    from benchmarks.runner import select_figures

    assert [f.key for f in select_figures(("automl",))] == ["automl_prostate", "automl_generated"]
