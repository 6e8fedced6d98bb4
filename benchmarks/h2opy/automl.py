"""``python -m benchmarks.h2opy.automl``: ``H2OAutoML`` from h2o-py on prostate, on the embedded
engine and on a real H2O-3, side by side in one run.

Each sample uploads nothing new (prostate is uploaded once per server) and times
``H2OAutoML(max_models=10, seed=1).train(...)`` from the call until h2o-py returns, servers
alternating. The best AUC is the leaderboard's top (cross-validated) AUC. Prints a Markdown table
(median time per server, their ratio against the target of a third, and the best AUCs) and
writes the samples to ``benchmarks/results/h2opy-automl-<timestamp>.json``.

Examples
--------
    python -m benchmarks.h2opy.automl               # 3 samples per server
    python -m benchmarks.h2opy.automl --repeat 1 --only embedded
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from contextlib import ExitStack
from pathlib import Path

from ..servers import EmbeddedServer, H2O3Server
from . import use_server

RESULTS_DIR = Path(__file__).resolve().parent.parent / "results"
PROSTATE = Path(__file__).resolve().parents[2] / "h2odash" / "data" / "prostate.csv"
TARGET = 1 / 3           # embedded time over H2O-3's
AUC_TOLERANCE = 0.01     # the best AUCs may differ by this much


def run_automl(h2o, frame, project: str, max_models: int, seed: int) -> tuple[float, float]:
    """Seconds ``H2OAutoML.train`` took, and the leaderboard's best AUC."""
    from h2o.automl import H2OAutoML

    x = [c for c in frame.columns if c not in ("ID", "CAPSULE")]
    aml = H2OAutoML(max_models=max_models, seed=seed, project_name=project)
    started = time.perf_counter()
    aml.train(x=x, y="CAPSULE", training_frame=frame)
    elapsed = time.perf_counter() - started
    return elapsed, float(aml.leaderboard["auc"].max())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--max-models", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", choices=["embedded", "h2o3"], action="append")
    parser.add_argument("--results-dir", default=str(RESULTS_DIR), help="where the samples' JSON goes")
    options = parser.parse_args(argv)

    import h2o

    names = options.only or ["embedded", "h2o3"]
    samples: dict[str, list[dict]] = {}
    with ExitStack() as stack:
        servers = [stack.enter_context(EmbeddedServer() if n == "embedded" else H2O3Server()) for n in names]
        frames = {}
        for server in servers:
            use_server(h2o, server)
            h2o.no_progress()
            frame = h2o.upload_file(str(PROSTATE), destination_frame="bench_prostate.hex")
            frame["CAPSULE"] = frame["CAPSULE"].asfactor()
            # A named key: the edited frame is otherwise a session temporary, and each switch
            # of servers ends the session.
            frames[server.name] = h2o.assign(frame, "bench_prostate_factor.hex")
        for i in range(options.repeat):
            for server in servers:
                use_server(h2o, server)
                seconds, auc = run_automl(h2o, frames[server.name], f"bench_automl_{i}", options.max_models,
                                          options.seed)
                samples.setdefault(server.name, []).append({"seconds": seconds, "best_auc": auc})
                print(f"{server.name}: {seconds:.2f} s, best AUC {auc:.4f}", file=sys.stderr)
        h2o.connection().close()

    medians = {name: statistics.median(s["seconds"] for s in runs) for name, runs in samples.items()}
    aucs = {name: statistics.median(s["best_auc"] for s in runs) for name, runs in samples.items()}
    print(f"| h2o-py H2OAutoML, prostate (max_models {options.max_models}, seed {options.seed}) "
          "| embedded | H2O-3 | ratio (medians) | target |")
    print("|---|---|---|---|---|")
    cells = [f"{medians[n]:.2f} s, AUC {aucs[n]:.4f}" if n in medians else "—" for n in ("embedded", "h2o3")]
    if len(medians) == 2:
        ratio = medians["embedded"] / medians["h2o3"]
        delta = aucs["embedded"] - aucs["h2o3"]
        ok = ratio <= TARGET and abs(delta) <= AUC_TOLERANCE
        verdict = f"{ratio:.2f}, AUC Δ {delta:+.4f} {'✓' if ok else '✗'}"
    else:
        verdict = "—"
    print(f"| time, best AUC | {cells[0]} | {cells[1]} | {verdict} | ≤ 0.33, |Δ AUC| ≤ {AUC_TOLERANCE} |")
    results_dir = Path(options.results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = results_dir / f"h2opy-automl-{stamp}.json"
    out.write_text(json.dumps({"max_models": options.max_models, "seed": options.seed, "samples": samples}, indent=1))
    print(f"\nsamples: {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
