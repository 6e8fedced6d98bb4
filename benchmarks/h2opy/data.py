"""The data of the h2o-py frame benchmark: a 1M x 20 table with a row id, a merge key, a
10-level group column, 15 float columns, a small integer column and a yes/no label, and a 100k-row
table keyed by the merge key. Deterministic for a given (rows, seed); cached in benchmarks/data/."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from ..generate import DATA_DIR

MERGE_ROWS = 100_000
GROUPS = [f"g{i}" for i in range(10)]
FLOATS = [f"x{i:02d}" for i in range(1, 16)]


def ensure_tables(rows: int, seed: int = 7, data_dir: Path = DATA_DIR) -> tuple[Path, Path]:
    """Paths of the big table and the merge table, written on first use."""
    data_dir.mkdir(parents=True, exist_ok=True)
    big = data_dir / f"h2opy_frame_{rows}_{seed}.csv"
    small = data_dir / f"h2opy_merge_{MERGE_ROWS}_{seed}.csv"
    rng = np.random.default_rng(seed)
    if not small.exists():
        keys = rng.permutation(MERGE_ROWS)
        table = pa.table({"k": keys, "weight": rng.normal(size=MERGE_ROWS).round(4),
                          "tier": pa.array(np.array(["bronze", "silver", "gold"])[rng.integers(0, 3, MERGE_ROWS)])})
        pacsv.write_csv(table, small)
    if not big.exists():
        columns = {"id": np.arange(rows), "k": rng.integers(0, MERGE_ROWS, rows),
                   "g": pa.array(np.array(GROUPS)[rng.integers(0, len(GROUPS), rows)])}
        for name in FLOATS:
            columns[name] = rng.normal(size=rows).round(5)
        columns["visits"] = rng.poisson(3, rows)
        columns["label"] = pa.array(np.where(rng.random(rows) < 0.3, "yes", "no"))
        pacsv.write_csv(pa.table(columns), big)
    return big, small
