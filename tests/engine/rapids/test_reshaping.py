"""Reshaping prims (GB, sort, merge, h2o.impute, na.omit, apply) checked against pandas
computations of the same thing, with H2O-3's NA rules and row orders."""
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from h2odash.engine.errors import InvalidArgument
from h2odash.engine.frames import Frame
from h2odash.engine.parse import to_enum

RNG = np.random.default_rng(7)
N = 300


def put(engine, key, df: pd.DataFrame, enums=()):
    columns = {}
    for name in df.columns:
        values = df[name]
        if name in enums:
            columns[name] = to_enum(pa.array(values.astype(object).where(values.notna(), None)))
        else:
            columns[name] = pa.array(values, from_pandas=True)
    engine.store.put(key, Frame(key, pa.table(columns)))
    return key


@pytest.fixture
def data():
    g = RNG.choice(["lo", "mid", "hi", None], N, p=[0.3, 0.3, 0.3, 0.1])
    n = RNG.integers(0, 4, N).astype(float)
    n[RNG.random(N) < 0.05] = np.nan
    x = RNG.normal(50, 10, N)
    x[RNG.random(N) < 0.15] = np.nan
    return pd.DataFrame({"g": g, "n": n, "x": x, "id": np.arange(N)})


@pytest.fixture
def fr(engine, data):
    put(engine, "fr", data, enums=("g",))
    return engine


def table(result) -> pd.DataFrame:
    return result.table.to_pandas()


def pandas_groups(data, by):
    """pandas' groups in H2O-3's order: missing keys first, then ascending."""
    keyed = data.assign(**{f"_na{b}": data[b].notna() for b in by})
    order = [c for b in by for c in (f"_na{b}", b)]
    return keyed.sort_values(order, kind="stable").groupby(by, dropna=False, sort=False)


# -- GB -------------------------------------------------------------------------------------------
def test_group_by_rm_matches_pandas_and_sorts_missing_keys_first(fr, data):
    out = table(fr.rapids("(GB fr [0] 'nrow' 0 'all' 'mean' 2 'rm' 'sum' 2 'rm' 'min' 2 'rm' 'max' 2 'rm' "
                          "'sdev' 2 'rm' 'var' 2 'rm' 'sumSquares' 2 'rm' 'median' 2 'rm')"))
    assert list(out.columns) == ["g", "nrow", "mean_x", "sum_x", "min_x", "max_x", "sdev_x", "var_x",
                                 "sumSquares_x", "median_x"]
    groups = pandas_groups(data, ["g"])
    want = groups["x"].agg(["size", "mean", "sum", "min", "max", "std", "var", "median"]).reset_index()
    assert out["g"].isna().iloc[0] and list(out["g"][1:]) == ["hi", "lo", "mid"]
    np.testing.assert_array_equal(out["nrow"], want["size"])
    for mine, theirs in [("mean_x", "mean"), ("sum_x", "sum"), ("min_x", "min"), ("max_x", "max"),
                         ("sdev_x", "std"), ("var_x", "var"), ("median_x", "median")]:
        np.testing.assert_allclose(out[mine], want[theirs], rtol=1e-7)
    np.testing.assert_allclose(out["sumSquares_x"], groups["x"].apply(lambda s: (s ** 2).sum()).values)


def test_group_by_na_modes(fr, data):
    out = table(fr.rapids("(GB fr [0] 'mean' 2 'all' 'mean' 2 'ignore' 'nrow' 2 'rm' 'sum' 2 'all')"))
    groups = pandas_groups(data, ["g"])["x"]
    has_na = groups.apply(lambda s: s.isna().any()).values
    # 'all': a missing value makes the group's result missing
    assert np.array_equal(np.isnan(out["mean_x"]), has_na) and np.array_equal(np.isnan(out["sum_x"]), has_na)
    # 'ignore': skip missing values but divide by every row of the group
    # (H2O-3 leaves the second mean_x named as the first; names here are unique, numbered as cbind's)
    np.testing.assert_allclose(out["mean_x0"], (groups.sum() / groups.size()).values)
    # 'rm' on nrow counts only the rows where the column is present
    np.testing.assert_array_equal(out["nrow"], groups.count().values)


def test_group_by_two_keys_mode_and_no_keys(fr, data):
    out = table(fr.rapids("(GB fr [0 1] 'nrow' 0 'all' 'mode' 0 'rm')"))
    want = pandas_groups(data, ["g", "n"]).size()
    assert len(out) == len(want)
    np.testing.assert_array_equal(out["nrow"], want.values)
    assert out["n"].iloc[0] != out["n"].iloc[0] or out["g"].isna().iloc[0]   # missing keys lead
    levels = sorted({"lo", "mid", "hi"})
    present = out["g"].notna()
    assert [levels[int(c)] for c in out["mode_g"][present]] == list(out["g"][present])
    whole = table(fr.rapids("(GB fr [] 'nrow' 0 'all' 'mean' 2 'rm')"))
    assert whole.shape == (1, 2) and whole["nrow"][0] == N
    assert whole["mean_x"][0] == pytest.approx(data["x"].mean())


def test_group_by_keeps_enum_keys_and_checks_arguments(fr):
    result = fr.rapids("(GB fr [0] 'mean' 2 'rm')")
    assert result.types[0] == "enum" and result.domain(0) == ["hi", "lo", "mid"]
    with pytest.raises(InvalidArgument, match="Mode only allowed on categorical"):
        fr.rapids("(GB fr [0] 'mode' 2 'rm')")
    with pytest.raises(InvalidArgument, match="no aggregate 'average'"):
        fr.rapids("(GB fr [0] 'average' 2 'rm')")
    with pytest.raises(InvalidArgument, match="NA mode"):
        fr.rapids("(GB fr [0] 'mean' 2 'sometimes')")


# -- sort -----------------------------------------------------------------------------------------
def test_sort_is_stable_with_missing_first_in_both_directions(fr, data):
    up = table(fr.rapids("(sort fr ['x'] [1])"))
    want = pd.concat([data[data.x.isna()], data[data.x.notna()].sort_values("x", kind="stable")])
    np.testing.assert_array_equal(up["id"], want["id"])
    down = table(fr.rapids("(sort fr [2] [-1])"))
    want = pd.concat([data[data.x.isna()], data[data.x.notna()].sort_values("x", ascending=False, kind="stable")])
    np.testing.assert_array_equal(down["id"], want["id"])


def test_sort_by_two_columns(fr, data):
    out = table(fr.rapids("(sort fr ['n' 'x'] [-1 1])"))
    keyed = data.assign(n_na=data.n.notna(), x_na=data.x.notna())
    want = keyed.sort_values(["n_na", "n", "x_na", "x"], ascending=[True, False, True, True], kind="stable")
    np.testing.assert_array_equal(out["id"], want["id"])


# -- merge ----------------------------------------------------------------------------------------
@pytest.fixture
def pair(engine):
    left = pd.DataFrame({"k": RNG.integers(0, 30, 200).astype(float), "a": RNG.normal(size=200)})
    left.loc[RNG.random(200) < 0.05, "k"] = np.nan
    right = pd.DataFrame({"b": RNG.normal(size=40), "k": RNG.integers(10, 40, 40).astype(float)})
    put(engine, "left", left)
    put(engine, "right", right)
    return engine, left, right


def test_inner_merge_matches_pandas_sorted_by_key(pair):
    engine, left, right = pair
    out = table(engine.rapids("(merge left right False False [0] [1] 'auto')"))
    assert list(out.columns) == ["k", "a", "b"]       # keys first, then left's, then right's
    want = left.reset_index().merge(right.reset_index(), on="k", suffixes=("_l", "_r"))
    want = want.sort_values(["k", "index_l", "index_r"], kind="stable")
    np.testing.assert_array_equal(out["k"], want["k"])
    np.testing.assert_allclose(out["a"], want["a"])
    np.testing.assert_allclose(out["b"], want["b"])


def test_left_and_right_merges_keep_unmatched_rows(pair):
    engine, left, right = pair
    out = table(engine.rapids("(merge left right True False [] [] 'radix')"))
    want = left.merge(right, on="k", how="left")
    assert len(out) == len(want) and out["b"].isna().sum() == want["b"].isna().sum()
    assert np.isnan(out["k"].iloc[0])                # missing keys lead
    out = table(engine.rapids("(merge left right False True [0] [1] 'auto')"))
    want = left.merge(right, on="k", how="right")
    assert list(out.columns) == ["k", "a", "b"] and len(out) == len(want)
    np.testing.assert_allclose(np.sort(out["b"]), np.sort(want["b"]))


def test_merge_matches_enum_keys_by_label_and_checks_types(engine):
    put(engine, "l", pd.DataFrame({"k": ["b", "a", "c", "a"], "x": [1, 2, 3, 4]}), enums=("k",))
    put(engine, "r", pd.DataFrame({"k": ["a", "b", "z"], "y": [10, 20, 30]}), enums=("k",))
    out = table(engine.rapids("(merge l r False False [0] [0] 'auto')"))
    assert list(out["k"]) == ["a", "a", "b"] and list(out["x"]) == [2, 4, 1] and list(out["y"]) == [10, 10, 20]
    put(engine, "rn", pd.DataFrame({"k": [1.0, 2.0], "y": [1, 2]}))
    with pytest.raises(InvalidArgument, match="column k found types Enum and Numeric"):
        engine.rapids("(merge l rn False False [0] [0] 'auto')")
    with pytest.raises(InvalidArgument, match="Choose one only"):
        engine.rapids("(merge l r True True [0] [0] 'auto')")
    # Found by the server's fuzz test: a key index that is no whole number is refused, not a crash.
    for keys in ("[nan]", "[0.5]"):
        with pytest.raises(InvalidArgument, match="whole column numbers"):
            engine.rapids(f"(merge l r False False {keys} [0] 'auto')")


# -- impute, na.omit, apply -----------------------------------------------------------------------
def test_impute_mean_replaces_the_stored_frame_and_returns_fill_values(fr, data):
    values = fr.rapids("(h2o.impute fr 2 'mean' 'interpolate' [] '_' '_')")
    assert values[2] == pytest.approx(data["x"].mean()) and np.isnan(values[0])
    stored = fr.store.find("fr")
    x = stored.table.column("x").to_numpy(zero_copy_only=False)
    assert not np.isnan(x).any()
    np.testing.assert_allclose(x, data["x"].fillna(data["x"].mean()))


def test_impute_median_by_group(fr, data):
    result = table(fr.rapids("(h2o.impute fr 2 'median' 'interpolate' [0] '_' '_')"))
    medians = pandas_groups(data, ["g"])["x"].median()
    np.testing.assert_allclose(result["median_x"], medians.values)
    stored = fr.store.find("fr").table.to_pandas()
    by_group = data.assign(m=data.groupby("g", dropna=False)["x"].transform("median"))
    np.testing.assert_allclose(stored["x"], by_group["x"].fillna(by_group["m"]))


def test_na_omit_and_column_apply(fr, data):
    out = table(fr.rapids("(na.omit fr)"))
    np.testing.assert_array_equal(out["id"], data.dropna()["id"])
    sums = table(fr.rapids("(apply fr 2 {col . (nrow col)})"))
    assert list(sums.columns) == list(data.columns) and sums.shape == (1, 4) and (sums.iloc[0] == N).all()
    with pytest.raises(InvalidArgument, match="Row-wise apply"):
        fr.rapids("(apply fr 1 {row . (nrow row)})")


def test_fillna_forward_and_backward_with_a_limit(engine):
    df = pd.DataFrame({"a": [1, None, None, None, 5, None], "b": [None, 2, None, None, 3, None]})
    put(engine, "f", df)
    out = table(engine.rapids("(h2o.fillna f 'forward' 0 2)"))
    assert list(out.columns) == ["C1", "C2"]
    np.testing.assert_array_equal(out.to_numpy(), df.ffill(limit=2).to_numpy())
    out = table(engine.rapids("(h2o.fillna f 'backward' 0 1)"))
    np.testing.assert_array_equal(out.to_numpy(), df.bfill(limit=1).to_numpy())
    out = table(engine.rapids("(h2o.fillna f 'forward' 1 1)"))
    np.testing.assert_array_equal(out.to_numpy(), df.ffill(axis=1, limit=1).to_numpy())


def test_filter_na_cols_and_rep_len(fr, data):
    kept = fr.rapids("(filterNACols fr 0.1)")
    assert kept == [float(i) for i, c in enumerate(data.columns) if data[c].isna().sum() < 0.1 * N]
    out = table(fr.rapids("(rep_len (cols fr [3]) 700)"))
    np.testing.assert_array_equal(out["id"], np.resize(data["id"].to_numpy(), 700))
    assert table(fr.rapids("(rep_len fr 6)")).shape == (N, 6)
