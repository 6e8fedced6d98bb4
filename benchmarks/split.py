"""The train/test split of the benchmark data set that the model figures learn and score on.

The generator's CSV is cut in two by line: the first :data:`TRAIN_SHARE` of its data rows
become the training file, the rest the test file, each with the header line. Rows are
drawn independently of their position (every generator chunk has its own random stream),
so a cut by position is as good as a random split, is the same on every machine, and
copies the lines byte for byte: both servers parse exactly the values the generator wrote.

The two files are cached next to the generator's output, under names that hold the source
file's name, with a ``.json`` sidecar like the generator's.

Examples
--------
>>> from benchmarks.generate import ensure_dataset           # doctest: +SKIP
>>> split = ensure_split(ensure_dataset())                   # doctest: +SKIP
>>> split.train.rows, split.test.rows                        # doctest: +SKIP
(800000, 200000)
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pyarrow.csv as pacsv

from .generate import Dataset

# 800k training and 200k test rows from the 1M-row file, as in DESIGN.md's measurements.
TRAIN_SHARE = 0.8
SPLIT_VERSION = 1
# Copy in blocks of lines rather than line by line: the 1M-row file is 325 MB.
_LINES_PER_BLOCK = 50_000


@dataclass(frozen=True)
class Split:
    """The training and test files cut from one data set.

    Attributes
    ----------
    train, test : Dataset
        Each file described like the generator's output (``rows``, ``path``, ``byte_size``;
        ``missing_counts``, ``positive_rate`` and ``bayes_auc`` are not recomputed and
        are left empty or NaN).
    source : Dataset
        The file they were cut from.
    """

    train: Dataset
    test: Dataset
    source: Dataset

    def to_json(self) -> dict:
        return {"train": {"path": str(self.train.path), "rows": self.train.rows, "byte_size": self.train.byte_size},
                "test": {"path": str(self.test.path), "rows": self.test.rows, "byte_size": self.test.byte_size},
                "train_share": TRAIN_SHARE, "split_version": SPLIT_VERSION}


def split_paths(dataset: Dataset) -> tuple[Path, Path]:
    """Where the training and test files cut from ``dataset`` are cached."""
    stem = dataset.path.with_suffix("")
    return (Path(f"{stem}-train-v{SPLIT_VERSION}.csv"), Path(f"{stem}-test-v{SPLIT_VERSION}.csv"))


def train_rows(dataset: Dataset) -> int:
    """Number of data rows that go to the training file."""
    return int(round(dataset.rows * TRAIN_SHARE))


def ensure_split(dataset: Dataset, log=print) -> Split:
    """Return the cached train/test files of ``dataset``, writing them first if needed.

    Parameters
    ----------
    dataset : Dataset
        The generator's output (see :func:`benchmarks.generate.ensure_dataset`).
    log : callable or None
        Receives one progress line when the files are written.

    Returns
    -------
    Split
    """
    train_path, test_path = split_paths(dataset)
    sidecar = train_path.with_name(train_path.name.replace("-train-", "-split-")).with_suffix(".json")
    n_train = train_rows(dataset)
    n_test = dataset.rows - n_train
    if n_train < 1 or n_test < 1:
        raise ValueError(f"{dataset.rows} rows are too few to split into training and test files")
    expected = {"source_byte_size": dataset.byte_size, "train_rows": n_train, "test_rows": n_test}
    if train_path.exists() and test_path.exists() and sidecar.exists():
        meta = json.loads(sidecar.read_text())
        if {k: meta.get(k) for k in expected} == expected and meta.get("train_byte_size") == train_path.stat().st_size \
                and meta.get("test_byte_size") == test_path.stat().st_size:
            return _split(dataset, train_path, test_path, n_train, n_test)
    started = time.perf_counter()
    _write_split(dataset.path, train_path, test_path, n_train)
    sidecar.write_text(json.dumps({**expected, "train_byte_size": train_path.stat().st_size,
                                   "test_byte_size": test_path.stat().st_size}, indent=2))
    if log is not None:
        log(f"split {dataset.path.name} into {n_train:,} training and {n_test:,} test rows "
            f"in {time.perf_counter() - started:.1f} s")
    return _split(dataset, train_path, test_path, n_train, n_test)


def _split(dataset: Dataset, train_path: Path, test_path: Path, n_train: int, n_test: int) -> Split:
    def part(path: Path, rows: int) -> Dataset:
        return replace(dataset, path=path, rows=rows, positive_rate=float("nan"), bayes_auc=float("nan"),
                       missing_counts={}, byte_size=path.stat().st_size)

    return Split(train=part(train_path, n_train), test=part(test_path, n_test), source=dataset)


def _write_split(source: Path, train_path: Path, test_path: Path, n_train: int) -> None:
    """Copy the header to both files, the first ``n_train`` data lines to one and the rest to the other.

    Both files appear under their final names only once complete, so an interrupted run
    never leaves a truncated file that looks cached.
    """
    partial_train = train_path.with_suffix(".csv.partial")
    partial_test = test_path.with_suffix(".csv.partial")
    with open(source, "rb") as src, open(partial_train, "wb") as train, open(partial_test, "wb") as test:
        header = src.readline()
        train.write(header)
        test.write(header)
        remaining = n_train
        while remaining > 0:
            block = [line for _, line in zip(range(min(remaining, _LINES_PER_BLOCK)), src)]
            if not block:
                raise ValueError(f"{source} has fewer than {n_train} data rows")
            train.writelines(block)
            remaining -= len(block)
        while True:
            chunk = src.read(2 ** 24)
            if not chunk:
                break
            test.write(chunk)
    os.replace(partial_train, train_path)
    os.replace(partial_test, test_path)


def read_test_labels(split: Split) -> np.ndarray:
    """The test file's labels as booleans (True for ``yes``), in file order.

    Used to recompute a server's test AUC from its downloaded predictions.
    """
    label = split.test.label
    options = pacsv.ConvertOptions(include_columns=[label])
    column = pacsv.read_csv(split.test.path, convert_options=options).column(label)
    return np.asarray(column.to_pylist(), dtype=object) == "yes"
