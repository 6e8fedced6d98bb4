"""Load: concurrent trainings while many clients poll, and GET /3/Jobs with a long history.

    python -m benchmarks.load [--seconds 60] [--pollers 20] [--trainings 4] [--server embedded|h2o3]

Prints latency percentiles of the pollers' GETs, the error count, and how GET /3/Jobs
scales with the number of jobs the server has run; writes JSON to benchmarks/results/.
"""

import argparse
import json
import statistics
import threading
import time
from datetime import datetime, timezone
from urllib.parse import quote

import numpy as np
import requests

from benchmarks.generate import ensure_dataset
from benchmarks.servers import make_server

RESULTS = __import__("pathlib").Path(__file__).resolve().parent / "results"
# Small but real models, cycled so that `trainings` are always running.
TRAININGS = [
    ("gbm", {"ntrees": 60, "max_depth": 5}),
    ("drf", {"ntrees": 20, "max_depth": 10}),
    ("xgboost", {"ntrees": 60, "max_depth": 5}),
    ("deeplearning", {"hidden": [32, 32], "epochs": 2}),
    ("glm", {"family": "binomial"}),
]


def _load_frame(client, rows):
    dataset = ensure_dataset(rows=rows)
    return client.import_frame(str(dataset.path), destination_frame="load_frame")


class Trainer(threading.Thread):
    """Keeps one training running at all times until told to stop."""

    def __init__(self, client, index, stop):
        super().__init__(daemon=True)
        self.client, self.index, self.stop = client, index, stop
        self.started = self.failed = 0
        self.model_ids = []

    def run(self):
        n = self.index
        while not self.stop.is_set():
            algo, settings = TRAININGS[n % len(TRAININGS)]
            n += 4
            try:
                job = self.client.train(algo, "load_frame", "label", wait=False, seed=n, **settings)
                self.started += 1
                self.model_ids.append(job["dest"]["name"])
                self.client.wait_job(job, poll_interval=0.5)
            except Exception:
                self.failed += 1


class Poller(threading.Thread):
    """Polls jobs, the frame and the models as dashboards do, timing every GET."""

    def __init__(self, url, trainers, stop, auth=None):
        super().__init__(daemon=True)
        self.url, self.trainers, self.stop = url, trainers, stop
        self.latencies, self.errors = [], []
        self.session = requests.Session()

    def run(self):
        paths = ["/3/Jobs", "/3/Frames/load_frame", "/3/Models", "/3/Cloud"]
        i = 0
        while not self.stop.is_set():
            path = paths[i % len(paths)]
            models = [m for t in self.trainers for m in t.model_ids[-1:]]
            if i % 5 == 4 and models:
                path = f"/3/Models/{quote(models[i % len(models)], safe='')}"
            i += 1
            started = time.perf_counter()
            try:
                response = self.session.get(self.url + path, timeout=30)
                if response.status_code >= 400 and not (response.status_code == 404 and "/3/Models/" in path):
                    self.errors.append(f"{path}: {response.status_code}")
            except requests.RequestException as exc:
                self.errors.append(f"{path}: {exc}")
            self.latencies.append((time.perf_counter() - started) * 1000)


def measure_polling(client, seconds, pollers, trainings):
    stop = threading.Event()
    trainers = [Trainer(client, i, stop) for i in range(trainings)]
    for t in trainers:
        t.start()
    time.sleep(2)  # let the trainings get going before the clock starts
    polls = [Poller(client.url, trainers, stop) for _ in range(pollers)]
    for p in polls:
        p.start()
    time.sleep(seconds)
    stop.set()
    for p in polls:
        p.join()
    latencies = np.array([x for p in polls for x in p.latencies])
    errors = [e for p in polls for e in p.errors]
    for t in trainers:
        t.join(timeout=120)
    return {
        "seconds": seconds, "pollers": pollers, "trainings": trainings,
        "requests": int(latencies.size), "errors": len(errors), "error_samples": errors[:5],
        "p50_ms": float(np.percentile(latencies, 50)), "p95_ms": float(np.percentile(latencies, 95)),
        "p99_ms": float(np.percentile(latencies, 99)), "max_ms": float(latencies.max()),
        "trainings_started": sum(t.started for t in trainers), "trainings_failed": sum(t.failed for t in trainers),
    }


def measure_job_history(client, jobs):
    """GET /3/Jobs latency with few jobs, then after ``jobs`` more have run."""
    def timed():
        samples = []
        for _ in range(10):
            started = time.perf_counter()
            client.jobs()
            samples.append((time.perf_counter() - started) * 1000)
        return statistics.median(samples)

    before_count, before = len(client.jobs()), timed()
    keys = client.import_files(str(ensure_dataset(rows=20_000).path))["destination_frames"]
    setup = client.parse_setup(keys)
    for i in range(jobs):
        # Cheap jobs: parse setups re-run as parses of the same small file.
        client.parse(keys, destination_frame=f"history_{i % 5}", setup=setup, wait=True, delete_on_done=False)
    return {"jobs_before": before_count, "ms_before": before, "jobs_after": len(client.jobs()), "ms_after": timed()}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--pollers", type=int, default=20)
    parser.add_argument("--trainings", type=int, default=4)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--history-jobs", type=int, default=1000)
    parser.add_argument("--server", default="embedded", choices=["embedded", "h2o3"])
    args = parser.parse_args(argv)
    with make_server(args.server) as server:
        _load_frame(server.client, args.rows)
        polling = measure_polling(server.client, args.seconds, args.pollers, args.trainings)
        history = measure_job_history(server.client, args.history_jobs)
    result = {"server": args.server, "when": datetime.now(timezone.utc).isoformat(), "polling": polling,
              "job_history": history}
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"load-{args.server}-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(result, indent=2))
    print(f"| figure | {args.server} | target |\n|---|---|---|")
    print(f"| GET p99 with {args.trainings} trainings + {args.pollers} pollers, {args.seconds:.0f} s | "
          f"{polling['p99_ms']:.0f} ms (p50 {polling['p50_ms']:.0f}, max {polling['max_ms']:.0f}) | ≤ 200 ms |")
    print(f"| errors over {polling['requests']} GETs | {polling['errors']} | 0 |")
    print(f"| trainings run (failed) | {polling['trainings_started']} ({polling['trainings_failed']}) | |")
    print(f"| GET /3/Jobs, {history['jobs_before']} → {history['jobs_after']} jobs | "
          f"{history['ms_before']:.1f} → {history['ms_after']:.1f} ms | flat |")
    print(f"results: {out}")
    return 0 if polling["errors"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
