"""``python -m benchmarks.ui``: issue 13's journey in headless chromium, timed.

Starts an embedded engine and ``h2odash app`` on it, loads the prostate example in the Frames
panel, trains a GBM, a GLM and a DRF (REST client) and a small AutoML (AutoML panel), then times,
``--repeat`` times each: opening a model, switching metric set, comparing three models, going
from the leaderboard's first row to the leader's view, and moving the threshold slider. Then it opens
models until ``--opens`` views have been opened in the tab and measures everything again, with
the page's JavaScript heap after a forced garbage collection.

Prints a Markdown table on stdout (progress on stderr) and writes every sample, with what it cost
(websocket bytes, widgets created, kernel CPU and busy time, browser main-thread time, long
tasks), browser console errors and screenshots of failed steps' pages, to
``benchmarks/results/ui-<timestamp>.json``.

Examples
--------
Full run (5 samples per figure, 100 views, then the figures again; 6–8 minutes here)::

    python -m benchmarks.ui

Smoke test (one sample per figure, no long run; about 2 minutes)::

    python -m benchmarks.ui --quick

A committed version, without the working tree's edits (``git archive`` into a scratch folder),
e.g. the baseline or the code before plotly's bundle was shared::

    python -m benchmarks.ui --commit HEAD
    python -m benchmarks.ui --commit 698856c --quick
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .run import Options, run
from .processes import REPO_ROOT

QUICK_OPENS = 5


def parse_options(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ui", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, help="samples per figure (default 5; 1 with --quick)")
    parser.add_argument("--opens", type=int, help="model views to open in the tab before measuring again "
                                                  f"(default 100; --quick: {QUICK_OPENS}, and no second round)")
    parser.add_argument("--quick", action="store_true", help="a smoke test: one sample per figure, no long run")
    parser.add_argument("--first-tab-only", action="store_true",
                        help="count a view ready when its first tab is (default: every tab clicked and drawn)")
    parser.add_argument("--step-timeout", type=float, default=60.0,
                        help="seconds before a step that never gets ready counts as failed (default 60)")
    parser.add_argument("--checkout", type=Path, default=REPO_ROOT,
                        help="the checkout whose h2odash the app runs (default this one)")
    parser.add_argument("--commit", help="measure this commit's dashboard (and engine), exported with git archive "
                                         "to a scratch folder; the working tree is left alone")
    parser.add_argument("--results-dir", type=Path, default=REPO_ROOT / "benchmarks" / "results")
    args = parser.parse_args(argv)
    repeat = args.repeat if args.repeat is not None else (1 if args.quick else 5)
    opens = args.opens if args.opens is not None else (QUICK_OPENS if args.quick else 100)
    if repeat < 1 or opens < 1:
        parser.error("--repeat and --opens must be positive")
    # The fresh figures alone open 1 + repeat × (open, compare, leaderboard...) views.
    return Options(repeat=repeat, opens=opens, quick=args.quick, checkout=args.checkout.resolve(),
                   results_dir=args.results_dir, all_tabs=not args.first_tab_only, commit=args.commit,
                   step_timeout=args.step_timeout)


def main(argv: list[str] | None = None) -> int:
    payload = run(parse_options(argv))
    print(payload["table"])
    failed = [(r["key"], phase, reason) for r in payload["results"] for phase in ("fresh", "after")
              if r.get(phase) for reason in r[phase]["failures"]]
    for key, phase, reason in failed:
        print(f"\n* {key} ({phase}) failed: {reason}")
    if payload["console_errors"]:
        print(f"\n* {len(payload['console_errors'])} errors/warnings in the browser console, first: "
              f"{payload['console_errors'][:3]}")
    if payload["page_errors"]:
        print(f"\n* JavaScript errors in the page: {payload['page_errors'][:5]}")
    code = payload["code"]
    dirty = " + uncommitted changes in h2odash/" if code["uncommitted_changes"] else ""
    machine = payload["machine"]
    print(f"\ncode: {code['commit'] or code['checkout']}{dirty}; load average before/after "
          f"{machine['load_before']}/{machine['load_after']} on {machine['cpus']} CPUs; "
          f"results: {payload['results_file']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
