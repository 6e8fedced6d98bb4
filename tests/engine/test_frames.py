"""Column statistics checked against independent numpy/pandas computations."""

import math

import numpy as np
import pandas as pd
import pytest

from tests.engine.conftest import parse_file


@pytest.fixture
def mixed(engine, tmp_path):
    rng = np.random.default_rng(7)
    n = 500
    df = pd.DataFrame({
        "x": rng.normal(10, 3, n),
        "k": rng.integers(-5, 20, n),
        "cat": rng.choice(["lo", "mid", "hi"], n),
    })
    df.loc[rng.choice(n, 25, replace=False), "x"] = np.nan
    df.loc[[3, 4], "x"] = [np.inf, -np.inf]
    path = tmp_path / "mixed.csv"
    df.to_csv(path, index=False, na_rep="NA")
    job, frame = parse_file(engine, path, "mixed")
    assert job.status == "DONE", job.exception
    return df, frame


def test_numeric_rollups_match_numpy(mixed):
    df, frame = mixed
    x = df["x"].to_numpy()
    finite = x[np.isfinite(x)]
    stats = frame.stats(0)
    assert stats.missing_count == int(np.isnan(x).sum())
    assert stats.positive_infinity_count == 1 and stats.negative_infinity_count == 1
    assert stats.mean == pytest.approx(finite.mean())
    assert stats.sigma == pytest.approx(finite.std(ddof=1))
    assert stats.mins == pytest.approx(np.sort(finite)[:5].tolist())
    assert stats.maxs == pytest.approx(np.sort(finite)[::-1][:5].tolist())
    k = frame.stats(1)
    assert k.zero_count == int((df["k"] == 0).sum())


def test_summary_histogram_and_percentiles(mixed):
    df, frame = mixed
    k = df["k"].to_numpy()
    summary = frame.summary(1)
    # Small integer ranges get one bin per value.
    assert summary.histogram_base == k.min() and summary.histogram_stride == 1.0
    assert summary.histogram_bins == np.bincount(k - k.min()).tolist()
    x = df["x"].to_numpy()
    finite = x[np.isfinite(x)]
    real = frame.summary(0)
    assert sum(real.histogram_bins) == finite.size
    assert real.percentiles[8] == pytest.approx(np.median(finite))


def test_enum_summary_counts_levels(mixed):
    df, frame = mixed
    domain = frame.domain(2)
    assert domain == sorted(df["cat"].unique())
    counts = frame.summary(2).histogram_bins
    assert counts == [int((df["cat"] == level).sum()) for level in domain]
    assert math.isnan(frame.stats(2).mean)


def test_checksum_is_stable_and_tells_frames_apart(engine, mixed, tmp_path):
    df, frame = mixed
    assert frame.checksum() == frame.checksum()
    other = tmp_path / "other.csv"
    df.assign(k=df["k"] + 1).to_csv(other, index=False, na_rep="NA")
    _, changed = parse_file(engine, other, "other")
    assert changed.checksum() != frame.checksum()
