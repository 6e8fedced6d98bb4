"""The client suite: every H2OClient call, run against each server (see ``server_url``).

Expected numbers come from an independent pandas computation over the same files.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from h2odash.client import H2OError, H2OImportError, H2OJobError, H2ONotFoundError, H2OServerError

PROSTATE_COLUMNS = ["ID", "CAPSULE", "AGE", "RACE", "DPROS", "DCAPS", "PSA", "VOL", "GLEASON"]


def parsed_prostate(client, data_dir, frame_name, **overrides):
    return client.import_frame(str(data_dir / "prostate.csv"), destination_frame=frame_name("prostate"),
                               **overrides)


# -- cluster --------------------------------------------------------------------------------
def test_cloud_describes_a_healthy_cluster(client):
    cloud = client.cloud()
    assert isinstance(cloud["version"], str) and cloud["version"]
    assert cloud["cloud_size"] >= 1
    assert cloud["cloud_healthy"] is True
    assert len(cloud["nodes"]) == cloud["cloud_size"]


def test_endpoints_list_the_routes_the_client_uses(client):
    routes = {(r["http_method"], r["url_pattern"]) for r in client.endpoints()}
    for needed in [("GET", "/3/Cloud"), ("POST", "/3/ImportFiles"), ("POST", "/3/ParseSetup"),
                   ("POST", "/3/Parse"), ("GET", "/3/Frames"), ("GET", "/3/Jobs")]:
        assert needed in routes


# -- import ---------------------------------------------------------------------------------
def test_import_one_file(client, data_dir):
    path = str(data_dir / "prostate.csv")
    answer = client.import_files(path)
    assert answer["files"] == [path]
    assert len(answer["destination_frames"]) == 1
    assert answer["fails"] == []


def test_import_a_folder_with_a_pattern(client, make_csv):
    df = pd.DataFrame({"a": [1, 2], "b": [3, 4]})
    first, second = make_csv(df, "part1.csv"), make_csv(df, "part2.csv")
    make_csv(df, "other.tsv", sep="\t")
    answer = client.import_files(str(make_csv.folder), pattern=r".*\.csv$")
    assert sorted(answer["files"]) == [str(first), str(second)]
    assert answer["fails"] == []


def test_import_a_folder_parses_into_one_frame(client, make_csv, frame_name):
    make_csv(pd.DataFrame({"a": [1, 2], "b": [3, 4]}), "part1.csv")
    make_csv(pd.DataFrame({"a": [5], "b": [6]}), "part2.csv")
    frame_id = client.import_frame(str(make_csv.folder), destination_frame=frame_name())
    assert client.frame(frame_id)["rows"] == 3


def test_import_files_multi(client, make_csv):
    df = pd.DataFrame({"a": [1]})
    paths = [str(make_csv(df)), str(make_csv(df))]
    answer = client.import_files_multi(paths)
    assert sorted(answer["files"]) == sorted(paths)


def test_import_of_a_missing_path_fails(client, tmp_path):
    missing = str(tmp_path / "no_such_file.csv")
    # Real H2O-3 answers 404; a server may instead list the path in `fails`. Both are failures.
    try:
        answer = client.import_files(missing)
    except H2OServerError as err:
        assert err.http_status in (400, 404)
        assert "no_such_file.csv" in err.msg
    else:
        assert answer["fails"] and answer["destination_frames"] == []
    with pytest.raises((H2OServerError, H2OImportError)):
        client.import_frame(missing)


def test_import_missing_path_is_a_404(client, tmp_path):
    with pytest.raises(H2ONotFoundError, match="does not exist"):
        client.import_files(str(tmp_path / "nothing.csv"))


# -- upload ---------------------------------------------------------------------------------
def test_upload_a_file(client, data_dir, frame_name, iris_df):
    raw = client.upload_file(data_dir / "iris.csv")
    assert isinstance(raw, str) and raw
    frame_id = client.parse(raw, destination_frame=frame_name("iris"))
    frame = client.frame(frame_id)
    assert (frame["rows"], len(frame["columns"])) == iris_df.shape


def test_upload_bytes_with_a_destination(client, frame_name):
    raw_name = frame_name("raw") + ".csv"
    assert client.upload_file(b"x,y\n1,2\n3,4\n", destination_frame=raw_name) == raw_name
    frame_id = client.parse(raw_name, destination_frame=frame_name())
    assert client.frame(frame_id)["rows"] == 2


def test_upload_a_dataframe(client, frame_name):
    df = pd.DataFrame({"x": [1.5, 2.5, np.nan, 4.0], "n": [1, 2, 3, 4],
                       "c": pd.Categorical(["a", "b", "a", "b"]), "s": ["u v", "w", "x y z", "q"]})
    frame_id = client.upload_frame(df, destination_frame=frame_name("df"))
    preview = client.frame_preview(frame_id)
    assert list(preview.columns) == ["x", "n", "c", "s"]
    assert preview["x"].tolist()[:2] == [1.5, 2.5] and np.isnan(preview["x"][2])
    assert preview["n"].tolist() == [1, 2, 3, 4]
    assert preview["c"].tolist() == ["a", "b", "a", "b"]
    assert list(preview["c"].cat.categories) == ["a", "b"]
    assert preview["s"].tolist() == ["u v", "w", "x y z", "q"]


# -- parse setup ----------------------------------------------------------------------------
def test_parse_setup_guesses_prostate(client, data_dir):
    raw = client.import_files(str(data_dir / "prostate.csv"))["destination_frames"]
    setup = client.parse_setup(raw)
    assert setup["separator"] == ord(",")
    assert setup["check_header"] == 1
    assert setup["column_names"] == PROSTATE_COLUMNS
    assert setup["column_types"] == ["Numeric"] * 9
    assert setup["number_columns"] == 9


def test_parse_setup_guesses_iris(client, data_dir):
    raw = client.import_files(str(data_dir / "iris.csv"))["destination_frames"]
    setup = client.parse_setup(raw)
    assert setup["column_types"] == ["Numeric"] * 4 + ["Enum"]
    assert setup["column_names"][-1] == "Species"


def test_parse_setup_guesses_tab_separator(client, make_csv):
    path = make_csv(pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "x"]}), sep="\t")
    setup = client.parse_setup(client.import_files(str(path))["destination_frames"])
    assert setup["separator"] == ord("\t")
    assert setup["column_names"] == ["a", "b"]


def test_parse_setup_sees_no_header(client, make_csv):
    path = make_csv("1,2.5,x\n2,3.5,y\n3,4.5,x\n")
    setup = client.parse_setup(client.import_files(str(path))["destination_frames"])
    assert setup["check_header"] == -1
    assert setup["number_columns"] == 3


def test_parse_setup_honours_a_separator_hint(client, make_csv):
    path = make_csv("a;b\n1;2\n3;4\n")
    setup = client.parse_setup(client.import_files(str(path))["destination_frames"], separator=";")
    assert setup["separator"] == ord(";")
    assert setup["column_names"] == ["a", "b"]


# -- parse ----------------------------------------------------------------------------------
def test_parse_with_capsule_as_enum(client, data_dir, frame_name):
    frame_id = parsed_prostate(client, data_dir, frame_name, column_types={"CAPSULE": "enum"})
    capsule = client.frame(frame_id)["columns"][1]
    assert capsule["label"] == "CAPSULE"
    assert capsule["type"] == "enum"
    assert capsule["domain"] == ["0", "1"]


def test_parse_with_a_list_of_types_and_new_names(client, data_dir, frame_name):
    names = [n.lower() for n in PROSTATE_COLUMNS]
    types = [None, "factor", None, "enum", None, None, None, None, None]
    frame_id = parsed_prostate(client, data_dir, frame_name, column_types=types, column_names=names)
    columns = client.frame(frame_id)["columns"]
    assert [c["label"] for c in columns] == names
    assert [c["type"] for c in columns][:4] == ["int", "enum", "int", "enum"]


def test_parse_gzip_file(client, make_csv, frame_name):
    df = pd.DataFrame({"a": range(50), "b": [i * 0.5 for i in range(50)]})
    frame_id = client.import_frame(str(make_csv(df, compress=True)), destination_frame=frame_name())
    summary = client.column_summaries(frame_id).set_index("label")
    assert summary.loc["b", "max"] == pytest.approx(24.5)
    assert client.frame(frame_id)["rows"] == 50


def test_parse_without_waiting_returns_a_job(client, data_dir, frame_name):
    raw = client.import_files(str(data_dir / "iris.csv"))["destination_frames"]
    name = frame_name("iris")
    job = client.parse(raw, destination_frame=name, wait=False)
    assert job["key"]["name"]
    done = client.wait_job(job, timeout=60)
    assert done["status"] == "DONE"
    assert done["dest"]["name"] == name


def test_parse_with_na_strings(client, make_csv, frame_name):
    # Real H2O-3 applies na_strings to tokens of categorical/string columns only (a "-99" in a
    # numeric column stays -99), so the contract tested here is the categorical one.
    path = make_csv("a,b\n1,x\n2,unknown\n3,y\n4,x\n")
    frame_id = client.import_frame(str(path), destination_frame=frame_name(), na_strings={"b": "unknown"},
                                   column_types={"b": "enum"})
    summary = client.column_summaries(frame_id).set_index("label")
    assert summary.loc["b", "missing"] == 1
    assert summary.loc["b", "cardinality"] == 2
    assert summary.loc["a", "missing"] == 0


def test_parse_rejects_unknown_column_in_types(client, data_dir):
    with pytest.raises(ValueError, match="NOPE"):
        parsed_prostate(client, data_dir, lambda p: p, column_types={"NOPE": "enum"})


# -- frames ---------------------------------------------------------------------------------
def test_frames_lists_a_parsed_frame(client, data_dir, frame_name):
    frame_id = parsed_prostate(client, data_dir, frame_name)
    listed = {f["frame_id"]["name"]: f for f in client.frames()}
    assert frame_id in listed
    assert listed[frame_id]["rows"] == 380
    assert listed[frame_id]["columns"] == 9


def test_column_summaries_match_pandas(client, data_dir, frame_name, prostate_df):
    frame_id = parsed_prostate(client, data_dir, frame_name)
    summary = client.column_summaries(frame_id).set_index("label")
    assert list(summary.index) == PROSTATE_COLUMNS
    for name in PROSTATE_COLUMNS:
        col = prostate_df[name]
        assert summary.loc[name, "mean"] == pytest.approx(col.mean(), rel=1e-9)
        assert summary.loc[name, "sigma"] == pytest.approx(col.std(ddof=1), rel=1e-9)
        assert summary.loc[name, "min"] == col.min()
        assert summary.loc[name, "max"] == col.max()
        assert summary.loc[name, "missing"] == 0
        assert summary.loc[name, "zeros"] == int((col == 0).sum())
    assert summary.loc["PSA", "type"] == "real"
    assert summary.loc["AGE", "type"] == "int"


def test_column_summaries_count_missing_values(client, make_csv, frame_name):
    df = pd.DataFrame({"x": [1.0, np.nan, 3.0, np.nan, 5.0], "g": ["a", "b", None, "a", "a"]})
    frame_id = client.import_frame(str(make_csv(df)), destination_frame=frame_name(),
                                   column_types={"g": "enum"})
    summary = client.column_summaries(frame_id).set_index("label")
    assert summary.loc["x", "missing"] == 2
    assert summary.loc["x", "mean"] == pytest.approx(3.0)
    assert summary.loc["x", "sigma"] == pytest.approx(df["x"].std())
    assert summary.loc["g", "missing"] == 1
    assert summary.loc["g", "cardinality"] == 2


def test_frame_has_the_fields_panels_read(client, data_dir, frame_name):
    frame = client.frame(parsed_prostate(client, data_dir, frame_name), row_count=3)
    assert frame["rows"] == 380
    assert frame["frame_id"]["name"]
    assert frame["row_count"] == 3
    assert len(frame["columns"]) == 9
    column = frame["columns"][0]
    for field in ("label", "type", "missing_count", "zero_count", "mins", "maxs", "mean", "sigma",
                  "domain", "data", "string_data"):
        assert field in column
    assert len(column["data"]) == 3


def test_frame_preview_matches_the_file(client, data_dir, frame_name, iris_df):
    frame_id = client.import_frame(str(data_dir / "iris.csv"), destination_frame=frame_name("iris"))
    preview = client.frame_preview(frame_id, row_offset=48, row_count=5)
    expected = iris_df.iloc[48:53].reset_index(drop=True)
    assert list(preview.columns) == list(expected.columns)
    pd.testing.assert_series_equal(preview["Sepal.Length"], expected["Sepal.Length"], check_names=False)
    assert preview["Species"].tolist() == expected["Species"].tolist()
    assert list(preview["Species"].cat.categories) == sorted(iris_df["Species"].unique())


def test_frame_column_window(client, data_dir, frame_name):
    frame_id = parsed_prostate(client, data_dir, frame_name)
    frame = client.frame(frame_id, row_count=2, column_offset=2, column_count=3)
    assert [c["label"] for c in frame["columns"]] == ["AGE", "RACE", "DPROS"]


def test_frame_summary_has_percentiles(client, data_dir, frame_name, prostate_df):
    summary = client.frame_summary(parsed_prostate(client, data_dir, frame_name))
    age = next(c for c in summary["columns"] if c["label"] == "AGE")
    assert age["mean"] == pytest.approx(prostate_df["AGE"].mean())
    assert len(age["percentiles"]) == len(summary["default_percentiles"])
    assert age["histogram_bins"]


def test_download_csv_holds_the_whole_frame(client, data_dir, frame_name, iris_df):
    frame_id = client.import_frame(str(data_dir / "iris.csv"), destination_frame=frame_name("iris"))
    text = client.download_csv(frame_id)
    lines = text.strip().splitlines()
    assert lines[0].replace('"', "").split(",") == list(iris_df.columns)
    assert len(lines) == 1 + len(iris_df)


def test_frame_to_pandas_matches_the_file(client, data_dir, frame_name, prostate_df):
    frame_id = parsed_prostate(client, data_dir, frame_name, column_types={"CAPSULE": "enum"})
    table = client.frame_to_pandas(frame_id)
    assert list(table.columns) == PROSTATE_COLUMNS and len(table) == 380
    assert list(table["CAPSULE"].cat.categories) == ["0", "1"]
    assert table["CAPSULE"].astype(int).tolist() == prostate_df["CAPSULE"].tolist()
    np.testing.assert_allclose(table["PSA"], prostate_df["PSA"])


def test_download_of_an_unknown_frame_is_a_typed_error(client):
    # H2O-3 answers a 500 (a NullPointerException) where the embedded engine answers 404;
    # either way the error is decoded from the H2OErrorV3 body, not left as CSV text.
    with pytest.raises(H2OServerError) as info:
        client.download_csv("no_such_frame_xyz")
    assert info.value.http_status in (404, 500)
    assert isinstance(info.value.body, dict) and info.value.msg


def test_delete_frame(client, data_dir, frame_name):
    frame_id = parsed_prostate(client, data_dir, frame_name)
    client.delete_frame(frame_id)
    assert frame_id not in {f["frame_id"]["name"] for f in client.frames()}
    with pytest.raises(H2ONotFoundError):
        client.frame(frame_id)


def test_unknown_frame_is_a_not_found_error(client):
    with pytest.raises(H2ONotFoundError) as info:
        client.frame("no_such_frame_xyz")
    assert info.value.http_status == 404
    assert "no_such_frame_xyz" in info.value.msg


# -- jobs -----------------------------------------------------------------------------------
def test_parse_progress_callback_sees_the_job_to_the_end(client, data_dir, frame_name):
    seen = []
    frame_id = parsed_prostate(client, data_dir, frame_name, progress=seen.append)
    assert seen and seen[-1]["status"] == "DONE"
    assert seen[-1]["progress"] == pytest.approx(1.0)
    assert all(0.0 <= j["progress"] <= 1.0 for j in seen)
    assert seen[-1]["dest"]["name"] == frame_id


def test_jobs_lists_the_parse_job(client, data_dir, frame_name):
    seen = []
    frame_id = parsed_prostate(client, data_dir, frame_name, progress=seen.append)
    job_id = seen[-1]["key"]["name"]
    listed = {j["key"]["name"]: j for j in client.jobs()}
    assert listed[job_id]["status"] == "DONE"
    assert listed[job_id]["dest"]["name"] == frame_id
    assert client.job(job_id)["status"] == "DONE"
    assert client.wait_job(job_id)["status"] == "DONE"


def test_unknown_job_is_an_error(client):
    with pytest.raises(H2OServerError):
        client.job("$03017f00000132d4ffffffff$_nope")


def test_failed_parse_raises_a_job_error_or_refuses(client, make_csv, frame_name):
    # Forcing a 2-column file into 3 columns: refused up front or fails as a job.
    path = make_csv("a,b\n1,2\n")
    raw = client.import_files(str(path))["destination_frames"]
    setup = client.parse_setup(raw)
    broken = dict(setup, number_columns=3, column_names=["a", "b", "c"],
                  column_types=["Numeric", "Numeric", "Numeric"])
    try:
        frame_id = client.parse(raw, setup=broken, destination_frame=frame_name())
    except (H2OServerError, H2OJobError):
        return
    # A lenient server may pad the missing column; it must then still be a 3-column frame.
    assert len(client.frame(frame_id)["columns"]) == 3


def test_client_errors_share_a_base_class(client):
    with pytest.raises(H2OError):
        client.frame("still_no_such_frame")
