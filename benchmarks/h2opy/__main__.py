"""``python -m benchmarks.h2opy``: H2O's own Python client (h2o-py) doing frame work on the
embedded engine and on a real H2O-3, side by side in one run.

Both servers import the same 1M x 20 CSV and a 100k-row table keyed for a merge. Then, alternating
servers, each figure is timed ``--repeat`` times from the h2o-py call until its result exists on
the server (h2o-py is lazy: a figure ends with the call that makes the server compute it):
filtering rows by a condition, a group-by mean over a 10-level column, sorting by one column, a
merge with the 100k-row table, making a column categorical, and ``as_data_frame()`` of the whole
frame. Prints a Markdown table (best and median per server, the ratio of medians) and writes the
samples to ``benchmarks/results/h2opy-<timestamp>.json``.

Examples
--------
    python -m benchmarks.h2opy                 # 1M rows, 3 samples per figure
    python -m benchmarks.h2opy --rows 100000 --repeat 1 --only embedded
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
from .data import ensure_tables

RESULTS_DIR = Path(__file__).resolve().parent.parent / "results"
TARGET = 0.5


def _force(frame) -> None:
    """Make the server compute a lazy h2o-py frame (its id is known only once it exists)."""
    frame.frame_id  # noqa: B018  (evaluation happens in the property)


def _figures(h2o, big, small):
    """(key, label, work) for each figure; ``work`` runs one sample and returns what to remove."""
    def filtered():
        part = big[big["x01"] > 0.5, :]
        _force(part)
        return part

    def grouped():
        result = big.group_by("g").mean("x02").get_frame()
        _force(result)  # get_frame() is lazy too
        return result

    def ordered():
        result = big.sort("x03")
        _force(result)
        return result

    def merged():
        result = big.merge(small)
        _force(result)
        return result

    def factor():
        result = big["visits"].asfactor()
        _force(result)
        return result

    def pandas_copy():
        big.as_data_frame()
        return None

    return [
        ("filter", "filter rows (`fr[fr['x01'] > 0.5, :]`)", filtered),
        ("group_by", "group-by mean over a 10-level column", grouped),
        ("sort", "sort by one real column", ordered),
        ("merge", "merge with a 100,000-row table (many to one)", merged),
        ("asfactor", "`asfactor()` of an integer column", factor),
        ("as_data_frame", "`as_data_frame()` of the whole frame (pandas)", pandas_copy),
    ]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=["embedded", "h2o3"], action="append")
    parser.add_argument("--figures", help="comma-separated figure keys")
    parser.add_argument("--results-dir", default=str(RESULTS_DIR), help="where the samples' JSON goes")
    options = parser.parse_args(argv)

    import h2o

    big_path, small_path = ensure_tables(options.rows)
    names = options.only or ["embedded", "h2o3"]
    samples: dict[str, dict[str, list[float]]] = {}
    with ExitStack() as stack:
        servers = [stack.enter_context(EmbeddedServer() if n == "embedded" else H2O3Server()) for n in names]
        loaded = {}
        for server in servers:
            use_server(h2o, server)
            started = time.perf_counter()
            loaded[server.name] = (h2o.import_file(str(big_path), destination_frame="bench_big.hex"),
                                   h2o.import_file(str(small_path), destination_frame="bench_small.hex"))
            print(f"{server.name}: imported in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        wanted = set(options.figures.split(",")) if options.figures else None
        for _ in range(options.repeat):
            for server in servers:
                use_server(h2o, server)
                big, small = loaded[server.name]
                for key, _label, work in _figures(h2o, big, small):
                    if wanted and key not in wanted:
                        continue
                    started = time.perf_counter()
                    made = work()
                    elapsed = time.perf_counter() - started
                    samples.setdefault(key, {}).setdefault(server.name, []).append(elapsed)
                    print(f"{server.name} {key}: {elapsed:.3f} s", file=sys.stderr)
                    if made is not None:
                        h2o.remove(made)
        h2o.connection().close()

    labels = {key: label for key, label, _ in _figures(None, None, None)}
    print(f"| figure ({options.rows:,} x 20) | embedded | H2O-3 | ratio (medians) | target |")
    print("|---|---|---|---|---|")
    for key, by_server in samples.items():
        cells = []
        for name in ("embedded", "h2o3"):
            times = by_server.get(name)
            cells.append(f"{min(times):.2f} s (median {statistics.median(times):.2f} s)" if times else "—")
        if len(by_server) == 2:
            ratio = statistics.median(by_server["embedded"]) / statistics.median(by_server["h2o3"])
            verdict = f"{ratio:.2f} {'✓' if ratio <= TARGET else '✗'}"
        else:
            verdict = "—"
        print(f"| {labels[key]} | {cells[0]} | {cells[1]} | {verdict} | ≤ {TARGET} |")
    results_dir = Path(options.results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = results_dir / f"h2opy-{stamp}.json"
    out.write_text(json.dumps({"rows": options.rows, "samples": samples}, indent=1))
    print(f"\nsamples: {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
