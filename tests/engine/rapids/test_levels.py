"""Levels and counting prims (levels, setDomain, relevel, cut, table, unique, hist, runif, match),
checked against pandas and numpy."""
import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from h2odash.engine.errors import InvalidArgument
from h2odash.engine.frames import Frame
from h2odash.engine.parse import to_enum

RNG = np.random.default_rng(7)
N = 200


@pytest.fixture
def data():
    return pd.DataFrame({
        "n": RNG.integers(0, 6, N).astype(float),
        "x": np.round(RNG.normal(5, 2, N), 2),
        "c": RNG.choice(["lo", "mid", "hi", "zz"], N, p=[0.5, 0.3, 0.15, 0.05]),
    }).assign(x=lambda d: d.x.mask(RNG.random(N) < 0.05), c=lambda d: d.c.mask(RNG.random(N) < 0.05))


@pytest.fixture
def eng(engine, data):
    table = pa.table({"n": pa.array(data.n.astype("int32")), "x": pa.array(data.x),
                      "c": to_enum(pa.array([c if isinstance(c, str) else None for c in data.c]))})
    engine.store.put("fr", Frame("fr", table))
    return engine


def factor_values(data):
    return [c if isinstance(c, str) else None for c in data.c]


def col(result, i=0):
    return result.table.column(i).to_pandas()


def labels(result, i=0):
    return result.table.column(i).cast(pa.string()).to_pylist()


def test_levels_and_nlevels(eng, data):
    result = eng.rapids("(levels fr)")
    expected = sorted(data.c.dropna().unique())
    assert result.names == ["C1", "C2", "C3"] and result.nrows == len(expected)
    assert labels(result, 2) == expected
    assert col(result, 0).isna().all()
    assert eng.rapids("(nlevels (cols fr 'c'))") == len(expected)
    assert eng.rapids("(nlevels (cols fr 'x'))") == 0
    with pytest.raises(InvalidArgument, match="single column"):
        eng.rapids("(nlevels fr)")


def test_set_domain_relevel_and_append(eng, data):
    renamed = eng.rapids("(setDomain (cols fr 'c') False ['A' 'B' 'C' 'D'])")
    mapping = dict(zip(sorted(data.c.dropna().unique()), "ABCD"))
    assert labels(renamed) == [mapping.get(c) for c in factor_values(data)]
    relevelled = eng.rapids("(relevel (cols fr 'c') 'mid')")
    assert relevelled.domain(0)[0] == "mid" and sorted(relevelled.domain(0)) == sorted(mapping)
    assert labels(relevelled) == factor_values(data)
    appended = eng.rapids("(appendLevels (cols fr 'c') False ['new'])")
    assert appended.domain(0) == sorted(mapping) + ["new"]
    assert eng.rapids("(setLevel (cols fr 'c') 'hi')").table.column(0).cast(pa.string()).to_pylist() == ["hi"] * N
    with pytest.raises(InvalidArgument, match="Did not find level"):
        eng.rapids("(relevel (cols fr 'c') 'nope')")
    with pytest.raises(InvalidArgument, match="replacement levels"):
        eng.rapids("(setDomain (cols fr 'c') False ['A'])")


def test_set_domain_in_place_replaces_the_stored_frame(engine):
    engine.store.put("f1", Frame("f1", pa.table({"c": to_enum(pa.array(["a", "b", "a"]))})))
    engine.rapids("(setDomain f1 True ['x' 'y'])")
    assert engine.store.get("f1").domain(0) == ["x", "y"]


def test_relevel_by_frequency(eng, data):
    result = eng.rapids("(relevel.by.freq fr [] -1)")
    counts = data.c.value_counts()
    assert result.domain(2) == counts.index.tolist()   # most frequent first (no ties here)
    assert labels(result, 2) == factor_values(data)
    top1 = eng.rapids("(relevel.by.freq fr [] 1)").domain(2)
    assert top1[0] == counts.index[0] and top1[1:] == sorted(counts.index[1:])


def test_cut_matches_pandas(eng, data):
    result = eng.rapids("(cut (cols fr 'x') [0 2.5 5 7.5 12] [] False True 3)")
    expected = pd.cut(data.x, [0, 2.5, 5, 7.5, 12], right=True)
    assert result.domain(0) == ["(0.0,2.5]", "(2.5,5.0]", "(5.0,7.5]", "(7.5,12.0]"]
    assert [None if c is None else result.domain(0).index(c) for c in labels(result)] == \
        [None if pd.isna(c) else int(c) for c in expected.cat.codes.replace(-1, np.nan)]
    left = eng.rapids("(cut (cols fr 'x') [0 5 12] ['low' 'high'] False False 3)")
    expected = pd.cut(data.x, [0, 5, 12], right=False, labels=["low", "high"])
    assert labels(left) == [None if pd.isna(c) else c for c in expected]


def test_table_counts_like_value_counts(eng, data):
    one = eng.rapids("(table (cols fr 'c') True)")
    counts = data.c.value_counts().sort_index()
    assert one.names == ["c", "Count"] and labels(one) == counts.index.tolist()
    assert col(one, 1).tolist() == counts.tolist()
    reals = eng.rapids("(table (cols fr 'x') True)")
    counts = data.x.value_counts().sort_index()
    assert reals.names == ["x", "Counts"] and np.allclose(col(reals).to_numpy(), counts.index.to_numpy())
    dense = eng.rapids("(table (cols fr 'n') (cols fr 'c') True)")
    pairs = data.dropna(subset=["c"]).groupby(["n", "c"]).size()
    assert dense.names == ["n", "c", "Counts"] and col(dense, 2).tolist() == pairs.tolist()
    assert list(zip(col(dense, 0).astype(float), labels(dense, 1))) == list(pairs.index)
    cross = eng.rapids("(table (cols fr 'n') (cols fr 'c') False)")
    expected = pd.crosstab(data.n, data.c)
    assert cross.names == ["n"] + expected.columns.tolist()
    assert [col(cross, i + 1).tolist() for i in range(expected.shape[1])] == \
        [expected[c].tolist() for c in expected.columns]


def test_unique(eng, data):
    values = eng.rapids("(unique (cols fr 'x') False)")
    present = np.sort(data.x.dropna().unique())
    got = col(values).to_numpy()
    assert np.isnan(got[0]) and np.allclose(got[1:], present)   # NA first, as H2O-3
    factors = eng.rapids("(unique (cols fr 'c') True)")
    assert labels(factors) == sorted(data.c.dropna().unique()) + [None]
    assert labels(eng.rapids("(unique (cols fr 'c') False)")) == sorted(data.c.dropna().unique())


@pytest.mark.parametrize("breaks", ["'sturges'", "'rice'", "'sqrt'", "'doane'", "'scott'", "'fd'", "7"])
def test_hist_bins_as_h2o3(eng, data, breaks):
    result = eng.rapids(f"(hist (cols fr 'x') {breaks})")
    assert result.names == ["breaks", "counts", "mids_true", "mids"]
    x = data.x.dropna().to_numpy()
    cuts = col(result, 0).to_numpy()
    low, high = x.min(), x.max()
    count = len(cuts)
    assert np.allclose(cuts, low + (high - low) / count * np.arange(1, count + 1))
    counts = col(result, 1).to_numpy()
    assert np.isnan(counts[0]) and counts[1:].sum() == len(x)
    mids = col(result, 3).to_numpy()[1:]
    assert np.allclose(mids, (cuts[:-1] + cuts[1:]) / 2)
    if breaks == "'sturges'":
        assert count == math.ceil(1 + math.log2(N) + 1e-10)


def test_hist_with_given_breaks(eng, data):
    result = eng.rapids("(hist (cols fr 'x') [0 2 4 6 8 20])")
    x = data.x.dropna().to_numpy()
    expected = np.bincount(np.searchsorted([2, 4, 6, 8], x, side="left"), minlength=5)
    assert col(result, 1).tolist()[1:] == expected.tolist()
    with pytest.raises(InvalidArgument, match="constant"):
        eng.rapids("(hist (- (cols fr 'n') (cols fr 'n')) 5)")


def test_runif_is_uniform_and_seeded(eng):
    first = col(eng.rapids("(h2o.runif fr 42)")).to_numpy()
    assert len(first) == N and first.min() >= 0 and first.max() < 1
    assert np.array_equal(first, col(eng.rapids("(h2o.runif fr 42)")).to_numpy())
    assert eng.rapids("(h2o.runif fr -1)").names == ["rnd"]


def test_match_like_index_lookup(eng, data):
    result = eng.rapids("(match (cols fr 'c') ['mid' 'zz' 'mid'] nan 1)")
    position = {"mid": 1, "zz": 2}
    assert col(result).tolist() == pytest.approx([position.get(c, np.nan) if isinstance(c, str) else np.nan
                                                  for c in data.c], nan_ok=True)
    numbers = eng.rapids("(match (cols fr 'n') [3 1] 0 0)")
    assert col(numbers).tolist() == [{3: 0, 1: 1}.get(n, 0) for n in data.n]
    with pytest.raises(InvalidArgument, match="numeric"):
        eng.rapids("(match (cols fr 'n') ['a'] 0 1)")
