"""Factories for engine tests: an engine, files in several formats, and parsing helpers."""

import bz2
import gzip
import zipfile

import numpy as np
import pandas as pd
import pytest

from h2odash.engine import Engine


@pytest.fixture
def engine():
    eng = Engine()
    yield eng
    eng.shutdown()


@pytest.fixture
def sample_df():
    """Six rows covering every column type: int, real with a missing value, enum, time, string."""
    return pd.DataFrame({
        "a": [1, 2, 3, 4, 5, 6],
        "b": [1.5, 2.5, np.nan, 4.5, 5.5, 6.5],
        "c": ["x", "y", "x", "y", "x", "z"],
        "when": pd.to_datetime(["2023-01-15", "2023-02-01", "2023-03-01", "2023-04-01",
                                "2023-05-01", "2023-06-01"]),
        "note": ["hello world", "a, b", 'c "q"', "d", "e", "f"],
    })


@pytest.fixture
def write_formats(tmp_path, sample_df):
    """Write ``sample_df`` in a named format; returns the file path."""

    def write(fmt):
        csv_path = tmp_path / "sample.csv"
        sample_df.to_csv(csv_path, index=False)
        path = tmp_path / f"sample.{fmt}"
        if fmt == "csv":
            return csv_path
        if fmt == "tsv":
            sample_df.to_csv(path, index=False, sep="\t")
        elif fmt == "semicolon.txt":
            sample_df.to_csv(path, index=False, sep=";")
        elif fmt == "noheader.csv":
            sample_df.to_csv(path, index=False, header=False)
        elif fmt == "csv.gz":
            path.write_bytes(gzip.compress(csv_path.read_bytes()))
        elif fmt == "csv.bz2":
            path.write_bytes(bz2.compress(csv_path.read_bytes()))
        elif fmt == "zip":
            with zipfile.ZipFile(path, "w") as archive:
                archive.write(csv_path, "sample.csv")
        elif fmt == "parquet":
            sample_df.to_parquet(path)
        elif fmt == "xlsx":
            sample_df.to_excel(path, index=False)
        else:
            raise ValueError(fmt)
        return path

    return write


def parse_file(engine, path, destination=None, **given):
    """Import and parse one file; returns (job, frame or None)."""
    keys = engine.import_files(str(path)).destination_frames
    job = engine.parse(keys, destination, **given)
    assert job.wait(60), "parse did not finish"
    frame = engine.frame(job.dest_key) if job.status == "DONE" else None
    return job, frame
