"""``python -m benchmarks.workspace``: how long keeping work takes on the embedded engine.

Three timings, each the median of ``--repeat`` samples, against the targets of issue 17:

- saving the 100-tree GBM trained on the 800,000 training rows (``GET /99/Models.bin``) and
  loading it back (``POST /99/Models.bin/``): under 1 s each;
- a restart of ``h2odash serve --workspace`` holding the 1,000,000-row frame and five models, from
  the process start until ``GET /3/Cloud`` answers (the workspace is read before the server
  listens, so by then every frame and model is back): under 5 s.

Prints a Markdown table and writes the samples to ``benchmarks/results/workspace-<timestamp>.json``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import tempfile
import time
from pathlib import Path

import requests

from h2odash.embedded import EmbeddedServer

DATA = Path(__file__).resolve().parent / "data"
RESULTS_DIR = Path(__file__).resolve().parent / "results"
FULL = DATA / "bench-v1-r1000000-s42.csv"
TRAIN = DATA / "bench-v1-r1000000-s42-train-v1.csv"
GBM = {"ntrees": 100, "max_depth": 5, "seed": 42}
TARGETS = {"save": 1.0, "load": 1.0, "restart": 5.0}


def _free_port():
    from tools.h2o3 import free_port

    return free_port()


def _wait(url, job, timeout=1800):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = requests.get(f"{url}/3/Jobs/{requests.utils.quote(job, safe='')}").json()["jobs"][0]
        if state["status"] in ("DONE", "FAILED", "CANCELLED"):
            assert state["status"] == "DONE", state["exception"]
            return
        time.sleep(0.2)
    raise TimeoutError(job)


def _parse(url, path, key):
    imported = requests.post(f"{url}/3/ImportFiles", json={"path": str(path)}).json()
    answer = requests.post(f"{url}/3/Parse", json={"source_frames": imported["destination_frames"],
                                                   "destination_frame": key}).json()
    _wait(url, answer["job"]["key"]["name"])


def _train(url, key, frame, **params):
    answer = requests.post(f"{url}/3/ModelBuilders/gbm", json={"training_frame": frame, "response_column": "label",
                                                               "model_id": key, **params})
    answer.raise_for_status()
    _wait(url, answer.json()["job"]["key"]["name"])


def _timed(call):
    started = time.perf_counter()
    answer = call()
    elapsed = time.perf_counter() - started
    answer.raise_for_status()
    return elapsed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--results-dir", default=str(RESULTS_DIR))
    options = parser.parse_args(argv)
    samples = {"save": [], "load": [], "restart": []}
    with tempfile.TemporaryDirectory(prefix="bench-workspace-") as scratch:
        workspace = Path(scratch) / "workspace"
        server = EmbeddedServer(port=_free_port(), serve_args=["--workspace", str(workspace), "--log-level",
                                                               "warning"]).start()
        try:
            url = server.url
            _parse(url, TRAIN, "train")
            _train(url, "gbm100", "train", **GBM)
            model_file = Path(scratch) / "gbm100.model"
            for _ in range(options.repeat):
                samples["save"].append(_timed(lambda: requests.get(
                    f"{url}/99/Models.bin/gbm100", params={"dir": str(model_file), "force": "true"})))
                samples["load"].append(_timed(lambda: requests.post(f"{url}/99/Models.bin/",
                                                                    data={"dir": str(model_file)})))
            # The restart: the 1M-row frame and five models (the 100-tree GBM and four more).
            requests.delete(f"{url}/3/Frames/train").raise_for_status()
            _parse(url, FULL, "full")
            for i, depth in enumerate((3, 4, 5, 6)):
                _train(url, f"gbm_{i}", "full", ntrees=20, max_depth=depth, seed=42)
        finally:
            server.stop()
        held = sum(f.stat().st_size for f in (workspace / "objects").iterdir())
        for _ in range(options.repeat):
            started = time.perf_counter()
            server = EmbeddedServer(port=_free_port(), serve_args=["--workspace", str(workspace), "--log-level",
                                                                   "warning"]).start()
            samples["restart"].append(time.perf_counter() - started)
            try:
                frames = [f["frame_id"]["name"] for f in requests.get(f"{server.url}/3/Frames").json()["frames"]]
                models = [m["model_id"]["name"] for m in requests.get(f"{server.url}/3/Models").json()["models"]]
                assert "full" in frames and {"gbm100", "gbm_0", "gbm_1", "gbm_2", "gbm_3"} <= set(models), models
            finally:
                server.stop()
    medians = {k: statistics.median(v) for k, v in samples.items()}
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = Path(options.results_dir) / f"workspace-{stamp}.json"
    out.write_text(json.dumps({"samples": samples, "medians": medians, "workspace_bytes": held,
                               "targets": TARGETS}, indent=1))
    labels = {"save": "save the 100-tree GBM (800,000 rows) with GET /99/Models.bin",
              "load": "load it back with POST /99/Models.bin/",
              "restart": f"restart with the 1M-row frame and five models ({held / 2**20:.0f} MB) until /3/Cloud "
                         "answers"}
    print("| what | median | samples | target |\n|---|---|---|---|")
    for key, label in labels.items():
        mark = "✓" if medians[key] <= TARGETS[key] else "✗"
        print(f"| {label} | {medians[key]:.2f} s | {', '.join(f'{s:.2f}' for s in samples[key])} | "
              f"< {TARGETS[key]:.0f} s {mark} |")
    print(f"\nsamples: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
