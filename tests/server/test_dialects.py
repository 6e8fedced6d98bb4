"""The same operations in the seed's JSON dialect and in real H2O-3's form dialect."""

import json

import pandas as pd
import pytest
import requests

from tests.server.conftest import assert_h2o_error, wait_job


def test_full_h2o_flow_with_edited_types(url, data_dir):
    """ImportFiles -> ParseSetup -> Parse with the setup sent back edited, all form-encoded."""
    keys = requests.post(f"{url}/3/ImportFiles", data={"path": str(data_dir / "prostate.csv")}).json()["destination_frames"]
    setup = requests.post(f"{url}/3/ParseSetup", data={"source_frames": json.dumps(keys)}).json()
    assert setup["separator"] == 44 and setup["check_header"] == 1
    assert setup["destination_frame"] == "prostate.hex"
    types = setup["column_types"]
    types[1] = "Enum"
    form = {
        "destination_frame": "prostate_enum", "source_frames": json.dumps(keys),
        "parse_type": setup["parse_type"], "separator": str(setup["separator"]),
        "check_header": str(setup["check_header"]), "number_columns": str(setup["number_columns"]),
        "chunk_size": str(setup["chunk_size"]), "delete_on_done": "True", "blocking": "False",
        "column_types": json.dumps(types), "column_names": json.dumps(setup["column_names"]),
        "single_quotes": "False", "escapechar": "0", "force_col_types": "False", "tz_adjust_to_local": "False",
    }
    job = requests.post(f"{url}/3/Parse", data=form).json()["job"]
    assert wait_job(url, job["key"]["name"])["status"] == "DONE"
    frame = requests.get(f"{url}/3/Frames/prostate_enum").json()["frames"][0]
    capsule = frame["columns"][1]
    assert capsule["type"] == "enum" and capsule["domain"] == ["0", "1"]
    # The raw file is gone once parsed, as delete_on_done asked.
    assert requests.get(f"{url}/3/Frames/{keys[0]}").status_code == 404


def test_keys_as_name_objects(url, data_dir):
    keys = requests.post(f"{url}/3/ImportFiles", json={"path": str(data_dir / "iris.csv")}).json()["destination_frames"]
    body = {"source_frames": [{"name": k} for k in keys], "destination_frame": {"name": "iris_obj"}}
    job = requests.post(f"{url}/3/Parse", json=body).json()["job"]
    assert wait_job(url, job["key"]["name"])["status"] == "DONE"


@pytest.mark.parametrize("multipart", [False, True])
def test_upload_then_parse(url, tmp_path, multipart):
    df = pd.DataFrame({"x": [1.5, 2.5, 3.5], "label": ["yes", "no", "yes"]})
    path = tmp_path / "up.csv"
    df.to_csv(path, index=False)
    name = f"upload_{int(multipart)}"
    if multipart:
        response = requests.post(f"{url}/3/PostFile", params={"destination_frame": name},
                                 files={"file": ("up.csv", path.read_bytes())})
    else:
        response = requests.post(f"{url}/3/PostFile", params={"destination_frame": name}, data=path.read_bytes())
    assert response.status_code == 200, response.text
    assert response.json() == {"destination_frame": name, "total_bytes": path.stat().st_size}
    job = requests.post(f"{url}/3/Parse", json={"source_frames": [name], "destination_frame": name + "_hex"}).json()["job"]
    assert wait_job(url, job["key"]["name"])["status"] == "DONE"
    frame = requests.get(f"{url}/3/Frames/{name}_hex").json()["frames"][0]
    assert [c["type"] for c in frame["columns"]] == ["real", "enum"]
    assert frame["columns"][0]["data"] == df["x"].tolist()


def test_empty_upload_is_refused(url):
    assert_h2o_error(requests.post(f"{url}/3/PostFile", data=b""), 400, "empty")


def test_summary_has_histograms_and_percentiles(url, data_dir, prostate_df):
    keys = requests.post(f"{url}/3/ImportFiles", data={"path": str(data_dir / "prostate.csv")}).json()["destination_frames"]
    job = requests.post(f"{url}/3/Parse", json={"source_frames": keys, "destination_frame": "pro_sum"}).json()["job"]
    wait_job(url, job["key"]["name"])
    frame = requests.get(f"{url}/3/Frames/pro_sum/summary").json()["frames"][0]
    gleason = next(c for c in frame["columns"] if c["label"] == "GLEASON")
    counts = prostate_df["GLEASON"].value_counts()
    assert gleason["histogram_base"] == prostate_df["GLEASON"].min()
    assert sum(gleason["histogram_bins"]) == len(prostate_df)
    assert gleason["histogram_bins"][0] == counts[prostate_df["GLEASON"].min()]
    assert len(gleason["percentiles"]) == len(frame["default_percentiles"])


def test_frame_window_and_download(url, data_dir, iris_df):
    keys = requests.post(f"{url}/3/ImportFiles", data={"path": str(data_dir / "iris.csv")}).json()["destination_frames"]
    job = requests.post(f"{url}/3/Parse", json={"source_frames": keys, "destination_frame": "iris_w"}).json()["job"]
    wait_job(url, job["key"]["name"])
    frame = requests.get(f"{url}/3/Frames/iris_w", params={"row_offset": 50, "row_count": 3,
                                                          "column_offset": 2, "column_count": 2}).json()["frames"][0]
    assert [c["label"] for c in frame["columns"]] == list(iris_df.columns[2:4])
    assert frame["columns"][0]["data"] == iris_df.iloc[50:53, 2].tolist()
    csv = requests.get(f"{url}/3/DownloadDataset", params={"frame_id": "iris_w"})
    assert csv.status_code == 200
    from io import StringIO

    pd.testing.assert_frame_equal(pd.read_csv(StringIO(csv.text)), iris_df, check_dtype=False)


def test_import_files_multi_and_find_compatible_models(url, data_dir):
    body = requests.post(f"{url}/3/ImportFilesMulti",
                         data={"paths": json.dumps([str(data_dir / "iris.csv"), str(data_dir / "prostate.csv")])}).json()
    assert len(body["destination_frames"]) == 2
    job = requests.post(f"{url}/3/Parse", json={"source_frames": [body["destination_frames"][0]],
                                                "destination_frame": "iris_compat"}).json()["job"]
    wait_job(url, job["key"]["name"])
    train = requests.post(f"{url}/3/ModelBuilders/gbm", json={
        "training_frame": "iris_compat", "response_column": "Species", "ntrees": 2, "model_id": "compat_gbm"}).json()
    wait_job(url, train["job"]["key"]["name"])
    listed = requests.get(f"{url}/3/Frames", params={"find_compatible_models": "true"}).json()["frames"]
    by_name = {f["frame_id"]["name"]: f for f in listed}
    assert "compat_gbm" in by_name["iris_compat"]["compatible_models"]
    raw = [f for f in listed if f["is_text"]]
    assert raw and all(f["compatible_models"] == [] for f in raw)
