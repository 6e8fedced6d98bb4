"""The benchmark data set: a synthetic binary classification table written as CSV.

One table shape serves every figure of the suite (parse now; GBM, DRF, GLM, scoring and
AutoML later), so it is built to look like real tabular data to both servers' parsers and
learners:

* 16 float columns ``x01``..``x16`` with different shapes (normal, uniform, skewed,
  correlated, pure noise);
* two categoricals: ``color`` (4 levels) and ``region`` (20 levels, unevenly frequent);
* one integer column ``visits`` (Poisson counts);
* about 2 % missing cells scattered over all predictors (written as empty fields);
* a ``yes``/``no`` label ``label`` drawn from a logistic model of the predictors with
  linear, interaction, threshold, periodic and categorical effects, so that a linear
  model learns part of it (AUC about 0.88) and tree ensembles most of it (about 0.97).

The output is deterministic for a given ``(rows, seed)``: rows are generated in fixed
chunks, each from its own random stream derived from the seed, so memory stays flat for
any row count and the same file comes out on every machine.

Files are cached in ``benchmarks/data/`` (git-ignored) under a name that holds the rows,
the seed and :data:`GENERATOR_VERSION`, next to a ``.json`` sidecar describing them.

Examples
--------
Command line (prints the path)::

    python -m benchmarks.generate --rows 100000 --seed 42
"""
from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

# Bump whenever the generated content changes, so cached files are not reused by mistake.
GENERATOR_VERSION = 1
DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_ROWS = 1_000_000
DEFAULT_SEED = 42
MISSING_RATE = 0.02
# Rows per generated chunk: fixed (not derived from ``rows``) so that chunk k of a file is
# the same whatever the total, and small enough to keep memory flat for large files.
CHUNK_ROWS = 200_000

FLOAT_COLUMNS = [f"x{i:02d}" for i in range(1, 17)]
COLOR_LEVELS = ["red", "green", "blue", "amber"]
REGION_LEVELS = [f"R{i:02d}" for i in range(20)]
LABEL_COLUMN = "label"
COLUMNS = FLOAT_COLUMNS + ["color", "region", "visits", LABEL_COLUMN]
# Column types H2O-3 should give each column after parsing (its FrameV3 ``type`` names).
EXPECTED_TYPES = {**{name: "real" for name in FLOAT_COLUMNS},
                  "color": "enum", "region": "enum", "visits": "int", LABEL_COLUMN: "enum"}


@dataclass(frozen=True)
class Dataset:
    """A generated CSV file and what is known about it.

    Attributes
    ----------
    path : pathlib.Path
        The CSV file (header line, comma separated, missing values as empty fields).
    rows, seed : int
        What it was generated from.
    columns : list of str
        Column names in file order; the label is last.
    expected_types : dict
        H2O column type (``real``, ``int``, ``enum``) each column should parse to.
    label : str
        Name of the ``yes``/``no`` response column.
    positive_rate : float
        Share of ``yes`` labels.
    bayes_auc : float
        AUC of the true probabilities the labels were drawn from: the ceiling for any model.
    missing_counts : dict
        Number of missing cells per column, what a parser should report.
    byte_size : int
        File size in bytes.
    """

    path: Path
    rows: int
    seed: int
    columns: list[str] = field(default_factory=lambda: list(COLUMNS))
    expected_types: dict[str, str] = field(default_factory=lambda: dict(EXPECTED_TYPES))
    label: str = LABEL_COLUMN
    positive_rate: float = float("nan")
    bayes_auc: float = float("nan")
    missing_counts: dict[str, int] = field(default_factory=dict)
    byte_size: int = 0

    def to_json(self) -> dict:
        """The sidecar/result form: plain JSON types, the path as a string."""
        return {**asdict(self), "path": str(self.path), "generator_version": GENERATOR_VERSION}


@dataclass(frozen=True)
class _Truth:
    """The hidden logistic model the labels come from; fixed by the seed alone."""

    color_effect: np.ndarray
    region_effect: np.ndarray
    region_weights: np.ndarray

    @classmethod
    def from_seed(cls, seed: int) -> "_Truth":
        rng = np.random.default_rng([seed, 0xC0FFEE])
        # Zipf-like frequencies: a few regions are common, most are rare, as in real data.
        weights = 1.0 / np.arange(1, len(REGION_LEVELS) + 1) ** 0.8
        return cls(color_effect=rng.normal(0, 0.8, len(COLOR_LEVELS)),
                   region_effect=rng.normal(0, 1.0, len(REGION_LEVELS)),
                   region_weights=weights / weights.sum())


def dataset_path(rows: int, seed: int, data_dir: Path | str = DATA_DIR) -> Path:
    """Where the CSV for ``(rows, seed)`` is cached."""
    return Path(data_dir) / f"bench-v{GENERATOR_VERSION}-r{rows}-s{seed}.csv"


def ensure_dataset(rows: int = DEFAULT_ROWS, seed: int = DEFAULT_SEED,
                   data_dir: Path | str = DATA_DIR, log=print) -> Dataset:
    """Return the cached data set for ``(rows, seed)``, generating it first if needed.

    Parameters
    ----------
    rows : int
        Number of data rows (the header line is extra).
    seed : int
        Seed of every random draw; the same seed gives the same bytes.
    data_dir : path-like
        Cache folder. Keep it free of hidden (``.``-prefixed) directories: real H2O-3
        refuses to import files below one.
    log : callable or None
        Receives one progress line when a file is generated.

    Returns
    -------
    Dataset
    """
    if rows < 1:
        raise ValueError(f"rows must be positive, not {rows}")
    path = dataset_path(rows, seed, data_dir)
    sidecar = path.with_suffix(".json")
    if path.exists() and sidecar.exists():
        meta = json.loads(sidecar.read_text())
        if meta.get("byte_size") == path.stat().st_size:
            return _dataset_from_json(meta)
    started = time.perf_counter()
    dataset = write_dataset(path, rows, seed)
    sidecar.write_text(json.dumps(dataset.to_json(), indent=2))
    if log is not None:
        log(f"generated {path} ({dataset.byte_size / 1e6:.0f} MB, {rows:,} rows) "
            f"in {time.perf_counter() - started:.1f} s")
    return dataset


def _dataset_from_json(meta: dict) -> Dataset:
    fields_ = {k: v for k, v in meta.items() if k in Dataset.__dataclass_fields__}
    return Dataset(**{**fields_, "path": Path(meta["path"])})


def write_dataset(path: Path | str, rows: int, seed: int) -> Dataset:
    """Generate ``rows`` rows from ``seed`` and write them to ``path`` as CSV.

    The file appears atomically: it is written under a temporary name and renamed, so an
    interrupted run never leaves a truncated file that looks cached.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    truth = _Truth.from_seed(seed)
    probabilities, labels = [], []
    missing = dict.fromkeys(COLUMNS, 0)
    options = pacsv.WriteOptions(quoting_header="none")
    with pacsv.CSVWriter(partial, _schema(), write_options=options) as writer:
        for index, start in enumerate(range(0, rows, CHUNK_ROWS)):
            rng = np.random.default_rng([seed, index])
            table, probability, is_yes = _chunk(rng, min(CHUNK_ROWS, rows - start), truth)
            writer.write_table(table)
            probabilities.append(probability)
            labels.append(is_yes)
            for name in COLUMNS:
                missing[name] += table.column(name).null_count
    os.replace(partial, path)
    probability = np.concatenate(probabilities)
    is_yes = np.concatenate(labels)
    return Dataset(path=path, rows=rows, seed=seed, positive_rate=float(is_yes.mean()),
                   bayes_auc=auc(is_yes, probability), missing_counts=missing,
                   byte_size=path.stat().st_size)


def _schema() -> pa.Schema:
    return pa.schema([(name, pa.float64()) for name in FLOAT_COLUMNS]
                     + [("color", pa.string()), ("region", pa.string()),
                        ("visits", pa.int64()), (LABEL_COLUMN, pa.string())])


def _chunk(rng: np.random.Generator, n: int, truth: _Truth) -> tuple[pa.Table, np.ndarray, np.ndarray]:
    """One block of rows, the true ``yes`` probability of each row and its drawn label."""
    x = np.empty((n, len(FLOAT_COLUMNS)))
    x[:, 0:8] = rng.standard_normal((n, 8))
    x[:, 8:11] = rng.uniform(-2, 2, (n, 3))
    x[:, 11:13] = rng.lognormal(0, 0.75, (n, 2))          # skewed, positive (amounts, durations)
    x[:, 13] = 0.8 * x[:, 0] + 0.6 * rng.standard_normal(n)  # correlated with x01: a redundant signal
    x[:, 14] = rng.standard_normal(n) * 10 + 50           # different scale, pure noise
    x[:, 15] = rng.standard_t(4, n)                       # heavy tails, pure noise
    color = rng.integers(0, len(COLOR_LEVELS), n)
    region = rng.choice(len(REGION_LEVELS), n, p=truth.region_weights)
    visits = rng.poisson(3.0, n)

    score = (1.3 * x[:, 0] - 1.0 * x[:, 1] + 0.7 * x[:, 2] - 0.5 * x[:, 3]
             + 1.2 * x[:, 4] * x[:, 5]                     # interaction: invisible to a linear model
             + 1.6 * np.sin(1.8 * x[:, 6])                 # periodic
             + 1.4 * (np.abs(x[:, 7]) > 1.0)               # threshold on a magnitude
             + 0.6 * x[:, 8] ** 2 - 0.8 * x[:, 9]
             + 0.9 * np.log(x[:, 11])
             + truth.color_effect[color] + truth.region_effect[region]
             + 0.25 * (visits - 3.0) - 0.9)
    probability = 1.0 / (1.0 + np.exp(-2.0 * score))
    is_yes = rng.random(n) < probability

    # Missing cells are drawn after the label, so the label still depends on the true values
    # (as when a measurement is lost); the label itself is never missing.
    def masked(values: np.ndarray) -> np.ndarray:
        return rng.random(len(values)) < MISSING_RATE

    float_mask = rng.random(x.shape) < MISSING_RATE
    columns = {name: pa.array(x[:, i], mask=float_mask[:, i]) for i, name in enumerate(FLOAT_COLUMNS)}
    columns["color"] = pa.array(np.array(COLOR_LEVELS, dtype=object)[color], mask=masked(color))
    columns["region"] = pa.array(np.array(REGION_LEVELS, dtype=object)[region], mask=masked(region))
    columns["visits"] = pa.array(visits, mask=masked(visits))
    columns[LABEL_COLUMN] = pa.array(np.where(is_yes, "yes", "no"))
    return pa.table(columns, schema=_schema()), probability, is_yes


def auc(is_positive: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve, by the rank-sum (Mann-Whitney) formula; ties count half.

    Parameters
    ----------
    is_positive : array of bool
        True labels.
    score : array of float
        Higher means more likely positive.
    """
    is_positive = np.asarray(is_positive, dtype=bool)
    positives = int(is_positive.sum())
    negatives = len(is_positive) - positives
    if positives == 0 or negatives == 0:
        return float("nan")
    order = np.argsort(score, kind="mergesort")
    sorted_scores = np.asarray(score)[order]
    ranks = np.empty(len(order))
    ranks[order] = np.arange(1, len(order) + 1)
    # Average the ranks of tied scores so that ties contribute one half.
    _, first, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    tied = counts > 1
    for start, count in zip(first[tied], counts[tied]):
        ranks[order[start:start + count]] = start + (count + 1) / 2
    rank_sum = ranks[is_positive].sum()
    return float((rank_sum - positives * (positives + 1) / 2) / (positives * negatives))


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.generate``: make sure a data set exists and print its path."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help=f"data rows (default {DEFAULT_ROWS:,})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="cache folder (default benchmarks/data)")
    args = parser.parse_args(argv)
    dataset = ensure_dataset(args.rows, args.seed, args.data_dir)
    print(json.dumps(dataset.to_json(), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
