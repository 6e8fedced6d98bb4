"""The official h2o-py client, unchanged, on both servers: connecting, getting frames in,
looking at them and removing them (issue 14, "connection and frames").

Every test runs once per server (``server_url``) and checks what the server gives against an
expectation computed independently with pandas, so the embedded engine and real H2O-3 must
both match it, hence each other.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

H2O_VERSION = "3.46.0.12"


# -- expectations, computed with pandas -------------------------------------------------------
def h2o_types(df: pd.DataFrame) -> dict:
    """The types H2O-3 gives the columns of a CSV file that pandas reads as ``df``: numbers
    that are all integral are ``int`` (13.0 too), other numbers ``real``, text ``enum``."""
    types = {}
    for name, column in df.items():
        if pd.api.types.is_numeric_dtype(column):
            values = column.dropna()
            types[name] = "int" if (values == values.round()).all() else "real"
        else:
            types[name] = "enum"
    return types


def assert_frame_holds(fr, expected: pd.DataFrame, types: dict | None = None):
    """``fr`` has the shape, names, types (``types`` or those of :func:`h2o_types`) and values
    of ``expected``, as h2o-py's cache and ``as_data_frame()`` see them."""
    assert fr.shape == expected.shape
    assert fr.columns == list(expected.columns)
    assert fr.types == (types or h2o_types(expected))
    got = fr.as_data_frame()
    pd.testing.assert_frame_equal(got, expected.reset_index(drop=True), check_dtype=False)



def levels(fr, column):
    """An enum column's levels, from the frame's cached rollups (no Rapids: ``levels`` is a
    Rapids prim, tested with the others)."""
    return fr.get_summary()[column]["domain"]


# -- connecting ---------------------------------------------------------------------------------
def test_connect_prints_no_error_and_cluster_status_shows(h2opy, capsys):
    cluster = h2opy.cluster()
    assert cluster.version == H2O_VERSION
    assert cluster.cloud_healthy and cluster.consensus and cluster.cloud_size == 1
    cluster.show_status()
    cluster.show_status(True)
    shown = capsys.readouterr().out
    assert "H2O_cluster_version:" in shown and H2O_VERSION in shown
    assert "H2O_cluster_total_nodes:" in shown
    assert "error" not in shown.lower()


def test_init_with_a_url_passes_the_strict_version_check(server_url, disconnect, monkeypatch, capsys):
    import h2o

    monkeypatch.delenv("H2O_DISABLE_STRICT_VERSION_CHECK", raising=False)
    try:
        h2o.init(url=server_url, verbose=False)
        assert h2o.connection().connected
        # init opened a session (setTimeZone ran through Rapids) and reads the time zone back
        assert h2o.cluster().timezone == "UTC"
    finally:
        disconnect(h2o)
    printed = capsys.readouterr()
    assert "error" not in (printed.out + printed.err).lower()


# -- frames from Python objects -----------------------------------------------------------------
def test_frame_from_pandas_with_every_type_and_missing_values(h2opy):
    df = pd.DataFrame({
        "i": [1, 2, 3, 4, 5, 6],
        "n": [13.0, 16.0, np.nan, 7.0, 1.0, -2.0],           # integral floats: an int column
        "r": [1.5, np.nan, 2.25, -3.0, 0.0, 1e-3],
        "e": ["x", "y", "x", None, "y", "x"],                  # repeated labels: an enum
        "s": ["alpha", "beta", "gamma", "delta", "eps", "zeta"],   # all distinct: a string
        "t": pd.to_datetime(["2020-01-01 00:00:00", "2020-01-02 12:30:00", None, "2021-06-30 00:00:00",
                             "1999-12-31 23:59:59", "2020-02-29 00:00:00"]),
    })
    fr = h2opy.H2OFrame(df)
    assert fr.shape == (6, 6)
    assert fr.columns == list(df.columns)
    assert fr.types == {"i": "int", "n": "int", "r": "real", "e": "enum", "s": "string", "t": "time"}
    # h2o-py writes the missing label as a bare nan, which H2O-3 reads as a label "nan"
    assert levels(fr, "e") == ["nan", "x", "y"]
    got = fr.as_data_frame()
    assert got["i"].tolist() == [1, 2, 3, 4, 5, 6]
    assert got["n"].isna().tolist() == df["n"].isna().tolist()
    assert got["n"].dropna().tolist() == df["n"].dropna().tolist()
    assert np.allclose(got["r"], df["r"], equal_nan=True)
    assert [row[3] for row in fr.as_data_frame(use_pandas=False)[1:]] == ["x", "y", "x", "nan", "y", "x"]
    assert got["s"].tolist() == df["s"].tolist()
    # times come back as epoch milliseconds, read in UTC
    epoch_ms = (df["t"] - pd.Timestamp("1970-01-01")) // pd.Timedelta(milliseconds=1)
    assert got["t"].isna().tolist() == df["t"].isna().tolist()
    assert got["t"].dropna().astype("int64").tolist() == epoch_ms.dropna().astype("int64").tolist()
    stats = fr.get_summary()
    assert stats["i"]["mins"][0] == 1 and stats["i"]["maxs"][0] == 6
    assert stats["r"]["missing_count"] == 1 and stats["e"]["missing_count"] == 0
    assert math.isclose(stats["r"]["mean"], df["r"].mean())


def test_frame_from_a_list_of_rows_a_flat_list_and_a_dict(h2opy):
    rows = h2opy.H2OFrame([[1, "a"], [2, "b"], [3, "c"]])
    assert rows.shape == (3, 2) and rows.columns == ["C1", "C2"]
    assert rows.types == {"C1": "int", "C2": "string"}
    assert rows.as_data_frame().values.tolist() == [[1, "a"], [2, "b"], [3, "c"]]

    flat = h2opy.H2OFrame([1, 2, 3])
    assert flat.shape == (3, 1) and flat.types == {"C1": "int"}

    d = h2opy.H2OFrame({"x": [1.5, 2, 3], "y": ["p", "q", "r"]})
    assert d.columns == ["x", "y"] and d.types == {"x": "real", "y": "string"}
    assert d.as_data_frame().values.tolist() == [[1.5, "p"], [2.0, "q"], [3.0, "r"]]

    typed = h2opy.H2OFrame({"a": [1, 2, 1], "b": [0.5, 1.5, 2.5]}, column_types={"a": "enum"},
                           destination_frame="h2opy_typed")
    assert typed.frame_id == "h2opy_typed"
    assert typed.types == {"a": "enum", "b": "real"}


def test_integral_floats_read_as_int(h2opy, make_csv):
    assert h2opy.H2OFrame({"x": [13.0, 16.0]}).types == {"x": "int"}
    path = make_csv("x,y\n13.0,1.5\n16.0,2\n,3\n")
    fr = h2opy.import_file(str(path))
    assert fr.types == {"x": "int", "y": "real"}
    assert fr.as_data_frame()["x"].tolist()[:2] == [13, 16]


# -- frames from files --------------------------------------------------------------------------
def test_upload_file_with_col_types_dict_na_strings_and_skipped_columns(h2opy, data_dir, prostate_df):
    fr = h2opy.upload_file(str(data_dir / "prostate.csv"), destination_frame="h2opy_prostate",
                           col_types={"CAPSULE": "enum", "RACE": "enum"}, sep=",",
                           na_strings=["NA", ""], skipped_columns=[0])
    assert fr.frame_id == "h2opy_prostate"
    expected = prostate_df.drop(columns="ID")
    types = {**h2o_types(expected), "CAPSULE": "enum", "RACE": "enum"}
    assert fr.shape == (380, 8) and fr.types == types
    got = fr.as_data_frame()
    # enums come back as their labels, which pandas reads back as numbers here
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    assert sorted(levels(fr, "RACE")) == ["0", "1", "2"]


def test_import_file_with_col_types_list_and_col_names(h2opy, data_dir, prostate_df):
    names = [c.lower() for c in prostate_df.columns]
    types = ["int", "enum", "int", "enum", "int", "int", "real", "real", "int"]
    fr = h2opy.import_file(str(data_dir / "prostate.csv"), destination_frame="h2opy_prostate_named",
                           col_names=names, col_types=types)
    assert fr.columns == names
    assert list(fr.types.values()) == types
    assert fr.shape == prostate_df.shape
    expected = prostate_df.set_axis(names, axis=1)
    pd.testing.assert_frame_equal(fr.as_data_frame(), expected, check_dtype=False)


def test_import_file_default_name_sep_skipped_columns_and_na_strings(h2opy, make_csv, iris_df):
    path = make_csv(iris_df, name="h2opy_iris_semi.csv", sep=";")
    fr = h2opy.import_file(str(path), sep=";", col_types={"Species": "enum"},
                           na_strings=["NA"], skipped_columns=[1])
    assert fr.frame_id == "h2opy_iris_semi.hex"
    expected = iris_df.drop(columns="Sepal.Width")
    assert_frame_holds(fr, expected)
    assert sorted(levels(fr, "Species")) == sorted(iris_df["Species"].unique())


def test_na_strings_per_column_and_by_name(h2opy, make_csv):
    # (not "-": H2O-3 reads a lone "-" in a numeric column as 0, whatever na_strings say)
    path = make_csv("a,b,c\n1,x,?\n?,y,2\n3,?,3\n4,x,4\n")
    per_column = h2opy.import_file(str(path), na_strings=[["?"], [], ["?"]],
                                   col_types={"a": "int", "b": "enum", "c": "int"})
    got = per_column.as_data_frame()
    assert got["a"].isna().tolist() == [False, True, False, False]
    assert got["c"].isna().tolist() == [True, False, False, False]
    assert levels(per_column, "b") == ["?", "x", "y"]   # not a missing value in this column

    by_name = h2opy.import_file(str(path), na_strings={"b": "?"}, col_types={"b": "enum"})
    assert levels(by_name, "b") == ["x", "y"]
    assert by_name.as_data_frame()["b"].isna().tolist() == [False, False, True, False]


def test_only_empty_fields_are_missing_in_text_columns(h2opy, make_csv):
    # H2O-3 reads "NA", "nan", "null"... as labels in enum and string columns (a numeric
    # column has no room for them, so there they are missing)
    path = make_csv("num,en,st\n1,x,NA\nNA,NA,nan\nnan,nan,null\n2,,\n3,x,q\n")
    fr = h2opy.import_file(str(path), col_types={"num": "real", "en": "enum", "st": "string"})
    assert fr.types == {"num": "int", "en": "enum", "st": "string"}   # "real" is only Numeric
    assert levels(fr, "en") == ["NA", "nan", "x"]
    got = fr.as_data_frame(use_pandas=False)
    assert got[1:] == [["1", "x", "NA"], ["", "NA", "nan"], ["", "nan", "null"], ["2", "", ""], ["3", "x", "q"]]


# -- looking at frames --------------------------------------------------------------------------
def test_describe_summary_head_and_tail(h2opy, data_dir, prostate_df, capsys):
    fr = h2opy.upload_file(str(data_dir / "prostate.csv"), destination_frame="h2opy_prostate_look")
    capsys.readouterr()
    fr.describe()
    shown = capsys.readouterr().out
    assert "Rows:380" in shown and "Cols:9" in shown
    for label in ("type", "mins", "mean", "maxs", "sigma", "zeros", "missing"):
        assert label in shown
    fr.describe(chunk_summary=True)
    assert "Rows:380" in capsys.readouterr().out
    fr.summary()
    assert "PSA" in capsys.readouterr().out

    stats = fr.get_summary()
    for name, column in prostate_df.items():
        assert stats[name]["type"] == h2o_types(prostate_df)[name]
        assert stats[name]["mins"][0] == column.min() and stats[name]["maxs"][0] == column.max()
        assert math.isclose(stats[name]["mean"], column.mean(), rel_tol=1e-9)
        assert math.isclose(stats[name]["sigma"], column.std(), rel_tol=1e-9)
        assert stats[name]["zero_count"] == (column == 0).sum()
        assert stats[name]["missing_count"] == 0

    pd.testing.assert_frame_equal(fr.head().as_data_frame(), prostate_df.head(10), check_dtype=False)
    pd.testing.assert_frame_equal(fr.head(rows=3, cols=4).as_data_frame(), prostate_df.iloc[:3, :4],
                                  check_dtype=False)
    pd.testing.assert_frame_equal(fr.tail().as_data_frame(), prostate_df.tail(10).reset_index(drop=True),
                                  check_dtype=False)
    pd.testing.assert_frame_equal(fr.tail(5).as_data_frame(), prostate_df.tail(5).reset_index(drop=True),
                                  check_dtype=False)


def test_as_data_frame_text_of_every_type(h2opy):
    df = pd.DataFrame({"a": [1, 2, None], "b": [1.5, None, 4.0], "s": ['q"uote', "x,y", None]})
    fr = h2opy.H2OFrame(df, column_types={"s": "string"})
    got = fr.as_data_frame()
    assert got["a"].tolist()[:2] == [1, 2] and pd.isna(got["a"][2])
    assert got["b"].tolist()[0] == 1.5 and pd.isna(got["b"][1])
    assert got["s"].tolist()[:2] == ['q"uote', "x,y"] and pd.isna(got["s"][2])
    rows = fr.as_data_frame(use_pandas=False)
    assert rows[0] == ["a", "b", "s"] and rows[1] == ["1", "1.5", 'q"uote']


def test_as_data_frame_multi_threaded_through_polars(h2opy, data_dir, prostate_df):
    fr = h2opy.upload_file(str(data_dir / "prostate.csv"))
    got = fr.as_data_frame(use_multi_thread=True)
    pd.testing.assert_frame_equal(got, prostate_df, check_dtype=False)


# -- listing, fetching, removing ----------------------------------------------------------------
def test_ls_get_frame_refresh_and_remove(h2opy, data_dir, iris_df, listed_frames):
    fr = h2opy.upload_file(str(data_dir / "iris.csv"), destination_frame="h2opy_iris_ls")
    keys = h2opy.ls()["key"].tolist()
    assert "h2opy_iris_ls" in keys

    again = h2opy.get_frame("h2opy_iris_ls")
    assert again.shape == iris_df.shape and again.types == h2o_types(iris_df)
    light = h2opy.get_frame("h2opy_iris_ls", light=True)
    assert light.shape == iris_df.shape
    assert h2opy.get_frame("h2opy_no_such_frame") is None

    fr.refresh()
    assert fr.shape == iris_df.shape and fr.columns == list(iris_df.columns)

    h2opy.remove(fr)
    assert "h2opy_iris_ls" not in listed_frames()
    assert "h2opy_iris_ls" not in h2opy.ls()["key"].tolist()
    h2opy.remove("h2opy_iris_ls")   # removing twice is not an error


def test_remove_all_keeps_only_the_retained_frames(h2opy, data_dir, listed_frames):
    before = listed_frames()
    # what other suites keep on the shared server: its frames and models (H2O-3 retains only
    # those two kinds; their grids and AutoML runs may go, as with any remove_all)
    others = before + [m["model_id"]["name"] for m in h2opy.api("GET /3/Models")["models"]]
    keep = h2opy.upload_file(str(data_dir / "iris.csv"), destination_frame="h2opy_keep")
    h2opy.upload_file(str(data_dir / "iris.csv"), destination_frame="h2opy_gone")
    h2opy.H2OFrame({"x": [1, 2]}, destination_frame="h2opy_gone_too")
    h2opy.remove_all(retained=others + [keep.frame_id])
    left = listed_frames()
    assert "h2opy_keep" in left
    assert "h2opy_gone" not in left and "h2opy_gone_too" not in left
    assert set(before) <= set(left)


def test_session_temporaries_go_when_the_connection_closes(h2opy, data_dir, listed_frames):
    fr = h2opy.upload_file(str(data_dir / "prostate.csv"), destination_frame="h2opy_prostate_tmp")
    top = fr.head(rows=3)     # a Rapids temporary py_<n>_<session>, kept alive by `top`
    sid = h2opy.connection().session_id
    assert top.frame_id.startswith("py_") and top.frame_id.endswith(sid)
    assert top.frame_id in listed_frames()
    h2opy.connection().close()
    left = listed_frames()
    assert not [k for k in left if k.startswith("py_") and k.endswith(sid)]
    assert "h2opy_prostate_tmp" in left


# -- the first estimators (issue 15 starts here) --------------------------------------------------
def test_glm_and_automl_accept_h2o_py_spelling_of_enum_values(h2opy, data_dir):
    """h2o-py writes enum values its own way (``mean_imputation``, ``auto``); both servers read them."""
    from h2o.automl import H2OAutoML
    from h2o.estimators import H2OGeneralizedLinearEstimator

    fr = h2opy.upload_file(str(data_dir / "prostate.csv"))
    fr["CAPSULE"] = fr["CAPSULE"].asfactor()
    glm = H2OGeneralizedLinearEstimator(family="binomial", missing_values_handling="mean_imputation")
    glm.train(x=["AGE", "PSA"], y="CAPSULE", training_frame=fr)
    assert set(glm.coef()) == {"Intercept", "AGE", "PSA"}
    aml = H2OAutoML(max_models=2, seed=1, include_algos=["GLM", "GBM"])
    aml.train(y="CAPSULE", training_frame=fr)
    assert aml.leaderboard.nrow >= 2 and aml.leader is not None
