"""``python -m benchmarks``: the same workload on the embedded engine and on a real H2O-3.

Prints a Markdown table (figure | embedded | H2O-3 | ratio | target) on stdout, progress on
stderr, and writes every sample to ``benchmarks/results/<timestamp>.json``.

Examples
--------
Full run (1M rows: parse and frame figures on all of it, models on an 800k/200k split;
3 rounds)::

    python -m benchmarks

Smoke test (20k rows, 1 round, 5-tree models), one server only::

    python -m benchmarks --quick --only embedded

Only some figures (keys: parse, frame_get, gbm, drf, glm, xgboost, deeplearning, predict,
automl_prostate, automl_generated; ``automl`` for both AutoML figures)::

    python -m benchmarks --only-figures gbm,predict --repeat 2
    python -m benchmarks --only-figures automl --repeat 2
"""
from __future__ import annotations

import argparse

from .figures import FIGURE_GROUPS, FIGURES, PLANNED_FIGURES
from .generate import DEFAULT_ROWS, DEFAULT_SEED
from .report import RESULTS_DIR
from .runner import DEFAULT_MODEL_TIMEOUT, Options, run
from .servers import DEFAULT_H2O3_HEAP, SERVER_NAMES

# Small enough that the whole smoke test, models included, takes about a minute per server.
QUICK_ROWS = 20_000
DEFAULT_REPEAT = 3


def parse_options(argv: list[str] | None = None) -> Options:
    """Turn command-line arguments into :class:`~benchmarks.runner.Options`.

    ``--quick`` only changes the defaults: an explicit ``--rows`` or ``--repeat`` wins.
    """
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, help=f"data rows (default {DEFAULT_ROWS:,}; {QUICK_ROWS:,} with --quick)")
    parser.add_argument("--repeat", type=int,
                        help=f"samples per figure and server (default {DEFAULT_REPEAT}; 1 with --quick)")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke test: small data, one round, small models (5 trees)")
    parser.add_argument("--only-figures", metavar="KEYS",
                        help="comma-separated figures to run (default all): "
                             + ", ".join([figure.key for figure in FIGURES] + list(FIGURE_GROUPS))
                             + " (automl: both AutoML figures; --quick runs AutoML on prostate only)")
    parser.add_argument("--model-timeout", type=float, default=DEFAULT_MODEL_TIMEOUT,
                        help=f"seconds before a training job is cancelled and counted as failed "
                             f"(default {DEFAULT_MODEL_TIMEOUT:g})")
    parser.add_argument("--only", choices=SERVER_NAMES, help="run on one server only (no ratios)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"data seed (default {DEFAULT_SEED})")
    parser.add_argument("--xmx", default=DEFAULT_H2O3_HEAP, help=f"H2O-3 heap (default {DEFAULT_H2O3_HEAP})")
    parser.add_argument("--results-dir", default=str(RESULTS_DIR), help="where the JSON goes")
    args = parser.parse_args(argv)
    rows = args.rows if args.rows is not None else (QUICK_ROWS if args.quick else DEFAULT_ROWS)
    repeat = args.repeat if args.repeat is not None else (1 if args.quick else DEFAULT_REPEAT)
    if rows < 1 or repeat < 1:
        parser.error("--rows and --repeat must be positive")
    servers = (args.only,) if args.only else SERVER_NAMES
    figures = None
    if args.only_figures:
        figures = tuple(key.strip() for key in args.only_figures.split(",") if key.strip())
        known = {figure.key for figure in FIGURES} | set(FIGURE_GROUPS)
        for key in figures:
            if key in PLANNED_FIGURES:
                parser.error(f"{key}: {PLANNED_FIGURES[key]}")
            if key not in known:
                parser.error(f"unknown figure {key!r}; choose from {', '.join(sorted(known))}")
    return Options(rows=rows, seed=args.seed, repeat=repeat, servers=servers, xmx=args.xmx,
                   results_dir=args.results_dir, figures=figures, quick=args.quick,
                   model_timeout=args.model_timeout)


def main(argv: list[str] | None = None) -> int:
    payload = run(parse_options(argv))
    print(payload["table"])
    # A parse that differs from the data written (rows, types, missing cells) is part of the result.
    for name, info in payload["servers"].items():
        for problem in info.get("frame_check", {}).get("problems", []):
            print(f"\n* {name}: {problem}")
    for check, per_server in payload.get("checks", {}).items():
        for name, outcome in per_server.items():
            if "difference" in outcome and abs(outcome["difference"]) > 1e-3 or "problem" in outcome:
                print(f"\n* {name}: {check}: {outcome}")
    for result in payload["results"]:
        for name, info in result["servers"].items():
            for reason in info.get("failures", []):
                print(f"\n* {name}: {result['key']} failed: {reason}")
    if payload["options"]["quick"]:
        print("\nquick mode: model figures trained small variants (see model_parameters in the results file)")
    code = payload["code"]
    dirty = " + uncommitted changes in h2odash/" if code["uncommitted_changes"] else ""
    print(f"\ncode: {code['commit'] or 'unknown'}{dirty}; results: {payload['results_file']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
