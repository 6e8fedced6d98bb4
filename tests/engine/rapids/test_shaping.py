"""Shaping prims (t, dropdup, pivot, melt, rank_within_groupby, topn, fold and split columns,
entropy, num_valid_substrings) checked against pandas/numpy computations of H2O-3's rules."""
import math
from collections import Counter

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from h2odash.engine.errors import InvalidArgument
from h2odash.engine.frames import Frame
from h2odash.engine.parse import to_enum

RNG = np.random.default_rng(11)
N = 400


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


def result(engine, expr) -> tuple[pd.DataFrame, list[str]]:
    fr = engine.rapids(expr)
    return fr.table.to_pandas(), fr.types


@pytest.fixture
def data():
    g = RNG.choice(["lo", "mid", "hi", None], N, p=[0.3, 0.3, 0.3, 0.1])
    k = RNG.integers(0, 5, N).astype(float)
    k[RNG.random(N) < 0.05] = np.nan
    x = np.round(RNG.normal(50, 10, N), 1)
    x[RNG.random(N) < 0.1] = np.nan
    return pd.DataFrame({"g": g, "k": k, "x": x, "id": np.arange(N)})


@pytest.fixture
def fr(engine, data):
    return put(engine, "fr", data, enums=("g",))


def test_transpose_is_the_matrix_transpose(engine, data, fr):
    out, types = result(engine, "(t (cols fr ['k' 'x' 'id']))")
    assert list(out.columns) == [f"C{i + 1}" for i in range(N)]
    np.testing.assert_array_equal(out.to_numpy(float), data[["k", "x", "id"]].to_numpy(float).T)


def test_transpose_refuses_categoricals(engine, fr):
    with pytest.raises(InvalidArgument, match="all-numeric"):
        engine.rapids("(t fr)")


@pytest.mark.parametrize("keep", ["first", "last"])
def test_dropdup_keeps_first_or_last_in_row_order(engine, data, fr, keep):
    out, _ = result(engine, f"(dropdup fr ['g' 'k'] '{keep}')")
    expected = data.drop_duplicates(["g", "k"], keep=keep)     # pandas: NaN equals NaN, as H2O-3
    assert out["id"].tolist() == expected["id"].tolist()


def test_dropdup_by_index_and_bad_order(engine, data, fr):
    out, _ = result(engine, "(dropdup fr [1] 'FIRST')")
    assert out["id"].tolist() == data.drop_duplicates(["k"])["id"].tolist()
    with pytest.raises(InvalidArgument, match="Unknown drop order"):
        engine.rapids("(dropdup fr [1] 'middle')")


def test_kfold_columns(engine, fr):
    folds, types = result(engine, "(kfold_column fr 5 1234)")
    assert types == ["int"] and set(folds["C1"]) == set(range(5))
    assert min(Counter(folds["C1"]).values()) > N / 5 * 0.6
    again, _ = result(engine, "(kfold_column fr 5 1234)")
    assert again["C1"].tolist() == folds["C1"].tolist()
    modulo, _ = result(engine, "(modulo_kfold_column fr 3)")
    assert modulo["C1"].tolist() == (np.arange(N) % 3).tolist()


def test_stratified_kfold_balances_each_class(engine, data, fr):
    folds, _ = result(engine, "(stratified_kfold_column (cols fr ['g']) 4 99)")
    table = pd.crosstab(data["g"].fillna("NA"), folds["C1"])
    share = table.div(table.sum(axis=1), axis=0)
    assert (share.sub(0.25).abs() < 0.12).all().all()
    missing = data["g"].isna().to_numpy()
    assert (folds["C1"].to_numpy()[missing] == np.arange(N)[missing] % 4).all()   # round-robin
    with pytest.raises(InvalidArgument, match="Stratification only applies"):
        engine.rapids("(stratified_kfold_column (cols fr ['x']) 4 99)")


def test_random_stratified_split_takes_the_fraction_of_every_class(engine, data, fr):
    out, types = result(engine, "(h2o.random_stratified_split (cols fr ['k']) 0.3 42)")
    assert list(out.columns) == ["test_train_split"] and types == ["enum"]
    for value, rows in data.groupby("k").groups.items():
        assert (out.loc[rows, "test_train_split"] == "test").sum() == max(math.floor(len(rows) * 0.3 + 0.5), 1)
    with pytest.raises(InvalidArgument, match="single column"):
        engine.rapids("(h2o.random_stratified_split fr 0.3 42)")


def test_pivot_first_value_per_cell(engine):
    df = pd.DataFrame({"idx": RNG.integers(0, 20, N), "col": RNG.choice(["a", "b", "c"], N),
                       "val": RNG.normal(size=N)})
    df.loc[RNG.random(N) < 0.2, "val"] = np.nan
    put(engine, "pv", df, enums=("col",))
    out, types = result(engine, "(pivot pv 'idx' 'col' 'val')")
    expected = df.dropna(subset=["val"]).groupby(["idx", "col"])["val"].first().unstack()
    expected = expected.reindex(sorted(df["idx"].unique()))
    assert list(out.columns) == ["idx", "a", "b", "c"]
    assert out["idx"].tolist() == expected.index.tolist()
    np.testing.assert_allclose(out[["a", "b", "c"]].to_numpy(float), expected[["a", "b", "c"]].to_numpy(float))


def test_pivot_numeric_headers_and_errors(engine):
    put(engine, "pn", pd.DataFrame({"i": [1, 1, 2, 2], "c": [10, 20, 10, 20], "v": [1.5, 2.5, 3.5, 4.5]}))
    out, _ = result(engine, "(pivot pn 'i' 'c' 'v')")
    assert list(out.columns) == ["i", "10", "20"]
    assert out.to_numpy(float).tolist() == [[1, 1.5, 2.5], [2, 3.5, 4.5]]
    put(engine, "pc", pd.DataFrame({"i": [1, 2], "c": [3, 3], "v": [1.0, 2.0]}))
    with pytest.raises(InvalidArgument, match="constant"):
        engine.rapids("(pivot pc 'i' 'c' 'v')")


@pytest.mark.parametrize("skipna", [0, 1])
def test_melt_row_by_row(engine, data, fr, skipna):
    out, types = result(engine, f"(melt fr ['g' 'id'] ['k' 'x'] 'variable' 'value' {skipna})")
    expected = data.melt(id_vars=["g", "id"], value_vars=["k", "x"])
    expected["order"] = expected["variable"].map({"k": 0, "x": 1})
    expected = expected.sort_values(["id", "order"], kind="stable")
    if skipna:
        expected = expected.dropna(subset=["value"])
    assert types[:2] == ["enum", "int"] and types[2] == "enum"
    assert out["id"].tolist() == expected["id"].tolist()
    assert out["variable"].astype(str).tolist() == expected["variable"].tolist()
    np.testing.assert_array_equal(out["value"].to_numpy(float), expected["value"].to_numpy(float))


def test_melt_refuses_categorical_values(engine, fr):
    with pytest.raises(InvalidArgument, match="numerical columns"):
        engine.rapids("(melt fr ['id'] ['g'] 'variable' 'value' 0)")


def test_rank_within_groupby(engine, data, fr):
    out, types = result(engine, "(rank_within_groupby fr ['g'] ['x'] [1] 'rank' 0)")
    assert types[-1] == "int" and list(out.columns) == ["g", "k", "x", "id", "rank"]
    ranked = data.dropna(subset=["x"]).copy()
    ranked["order"] = ranked["g"].fillna("")        # missing groups sort first, like missing values
    ranked = ranked.sort_values(["order", "x", "id"], kind="stable")
    ranked["rank"] = ranked.groupby("order", dropna=False).cumcount() + 1
    mine = out.dropna(subset=["x"]).set_index("id")["rank"]
    assert mine.loc[ranked["id"]].tolist() == ranked["rank"].tolist()
    assert out.loc[out["x"].isna(), "rank"].isna().all()


def test_rank_within_groupby_sorted_by_sort_columns(engine, data, fr):
    out, _ = result(engine, "(rank_within_groupby fr ['g'] ['x'] [-1] 'rank' 1)")
    x = out["x"].to_numpy(float)
    present = x[~np.isnan(x)]
    assert np.isnan(x[: np.isnan(x).sum()]).all()           # missing first, then descending
    assert (np.diff(present) <= 0).all()


@pytest.mark.parametrize("direction", [1, -1])
def test_topn(engine, data, fr, direction):
    out, _ = result(engine, f"(topn fr 2 10 {direction})")
    count = math.floor(N * 0.1 + 0.5)
    present = data["x"].dropna()
    best = present.sort_values(ascending=direction < 0, kind="stable").iloc[:count]
    assert list(out.columns) == ["Original_Row_Indices", "x"]
    np.testing.assert_array_equal(out["x"].to_numpy(float), best.to_numpy(float))
    assert (data["x"].to_numpy()[out["Original_Row_Indices"].to_numpy(int)] == out["x"].to_numpy()).all()


def _entropy(text):
    counts = np.array(list(Counter(text).values()), float)
    return float(-(counts / len(text) * np.log2(counts / len(text))).sum()) if text else 0.0


WORDS_TEXT = ["banana", "bandana", None, "héllo wörld", "", "aa", "nan"]


def test_entropy_of_strings_and_levels(engine):
    put(engine, "tx", pd.DataFrame({"s": WORDS_TEXT, "e": WORDS_TEXT}), enums=("e",))
    engine.store.put("tx", Frame("tx", engine.store.find("tx").table, ["string", "enum"]))
    out, _ = result(engine, "(entropy tx)")
    expected = [math.nan if t is None else _entropy(t) for t in WORDS_TEXT]
    assert list(out.columns) == ["C1", "C2"]          # H2O-3's names, not the measured columns'
    np.testing.assert_allclose(out["C1"].to_numpy(float), expected, equal_nan=True)
    np.testing.assert_allclose(out["C2"].to_numpy(float), expected, equal_nan=True)
    put(engine, "nums", pd.DataFrame({"x": [1.0, 2.0]}))
    with pytest.raises(InvalidArgument, match="string or categorical"):
        engine.rapids("(entropy nums)")


def test_num_valid_substrings(engine, tmp_path):
    words = ["an", "ana", "nan", "ll", "wö", "banana", "a"]
    path = tmp_path / "words.txt"
    path.write_text("\n".join(words) + "\n", encoding="utf-8")
    put(engine, "tx", pd.DataFrame({"s": WORDS_TEXT}))
    out, _ = result(engine, f"(num_valid_substrings tx '{path}')")
    vocabulary = set(words)

    def count(text):
        return sum(text[i:j] in vocabulary for i in range(len(text) - 1) for j in range(i + 2, len(text) + 1))

    expected = [math.nan if t is None else count(t) for t in WORDS_TEXT]
    np.testing.assert_allclose(out["s"].to_numpy(float), expected, equal_nan=True)
    with pytest.raises(InvalidArgument, match="cannot read"):
        engine.rapids(f"(num_valid_substrings tx '{tmp_path / 'nope.txt'}')")
