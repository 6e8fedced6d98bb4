"""Isolation forest over HTTP: the seed's ModelBuilders flow, answered in H2O-3's shapes."""

import io
import time
from urllib.parse import quote

import numpy as np
import pandas as pd
import pytest
import requests

from tests.server.conftest import assert_refused, import_and_parse, reference, table_shape, train_model, wait_job


@pytest.fixture(scope="module")
def prostate(embedded_url, data_dir):
    """prostate.csv with CAPSULE categorical, as H2O-3's reference model was trained on."""
    keys = requests.post(f"{embedded_url}/3/ImportFiles", json={"path": str(data_dir / "prostate.csv")}).json()[
        "destination_frames"]
    job = requests.post(f"{embedded_url}/3/Parse", json={
        "source_frames": keys, "destination_frame": "if_prostate",
        "column_types": ["Numeric", "Enum"] + ["Numeric"] * 7}).json()["job"]
    assert wait_job(embedded_url, job["key"]["name"])["status"] == "DONE"
    return "if_prostate"


def predictions(url, model_id, frame):
    answer = requests.post(f"{url}/3/Predictions/models/{model_id}/frames/{frame}")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    name = body["predictions_frame"]["name"]
    columns = requests.get(f"{url}/3/Frames/{name}").json()["frames"][0]["columns"]
    csv = requests.get(f"{url}/3/DownloadDataset", params={"frame_id": name}).text
    return body, columns, pd.read_csv(io.StringIO(csv))


def test_model_reads_as_h2o_shapes_it(embedded_url, prostate):
    # The reference's own request: 20 trees on 256 of the 380 rows each.
    model = train_model(embedded_url, "isolationforest", training_frame=prostate, ntrees=20, seed=1,
                        sample_rate=0.6736842105263158)
    expected = reference("model_isolationforest_prostate_enum")["models"][0]
    out, theirs = model["output"], expected["output"]
    assert model["response_column_name"] is None and model["algo_full_name"] == "Isolation Forest"
    assert out["__meta"] == theirs["__meta"] and out["model_category"] == "AnomalyDetection"
    assert out["names"] == theirs["names"] and out["column_types"] == theirs["column_types"]
    assert out["domains"] == theirs["domains"]
    for field in ("model_summary", "scoring_history", "variable_splits"):
        assert table_shape(out[field]) == table_shape(theirs[field]), field
    assert [p["name"] for p in model["parameters"]] == [p["name"] for p in expected["parameters"]]
    assert out["init_f"] == theirs["init_f"] == 0.0 and out["default_threshold"] == theirs["default_threshold"]
    # A scoring-history row per tree after the empty first one, as H2O-3 writes it.
    history = out["scoring_history"]["data"]
    assert history[3] == list(range(21)) and history[4][0] == "NaN"
    summary = dict(zip([c["name"] for c in out["model_summary"]["columns"]], out["model_summary"]["data"]))
    assert summary["number_of_trees"] == [20] and summary["max_depth"] == [8]
    # Trees as H2O grows them: it found 19-77 leaves, 52 on average; path lengths near its 5.97.
    assert 35 <= summary["mean_leaves"][0] <= 80
    metrics, their_metrics = out["training_metrics"], theirs["training_metrics"]
    assert metrics["__meta"] == their_metrics["__meta"]
    assert set(their_metrics) - {"model_checksum", "frame_checksum"} <= set(metrics)
    assert metrics["description"] == their_metrics["description"] == "Metrics reported on Out-Of-Bag training samples"
    assert metrics["mean_score"] == pytest.approx(their_metrics["mean_score"], rel=0.15)
    assert 250 <= metrics["nobs"] <= 380
    assert history[4][-1] == metrics["mean_score"] and history[5][-1] == metrics["mean_normalized_score"]
    splits = out["variable_splits"]["data"]
    assert splits[0] == theirs["variable_splits"]["data"][0]            # every predictor, in order
    assert sum(splits[1]) == 20 * (summary["mean_leaves"][0] - 1)       # a split per leaf but one


def test_predictions_are_the_score_and_mean_length(embedded_url, prostate):
    model = train_model(embedded_url, "isolationforest", training_frame=prostate, ntrees=30, seed=2)
    body, columns, frame = predictions(embedded_url, model["model_id"]["name"], prostate)
    theirs = reference("predict_isolationforest_prostate_enum")
    metrics, their_metrics = body["model_metrics"][0], theirs["model_metrics"][0]
    assert metrics["__meta"] == their_metrics["__meta"]
    assert metrics["description"] == their_metrics["description"] == "Isolation Forest Metrics"
    their_columns = [(c["label"], c["type"]) for c in their_metrics["predictions"]["columns"]]
    assert [(c["label"], c["type"]) for c in columns] == their_columns == [("predict", "real"), ("mean_length", "real")]
    assert len(frame) == 380 and frame["predict"].min() == 0 and frame["predict"].max() == 1
    assert metrics["nobs"] == 380
    assert metrics["mean_score"] == pytest.approx(frame["mean_length"].mean(), rel=1e-6)
    assert metrics["mean_normalized_score"] == pytest.approx(frame["predict"].mean(), rel=1e-6)


def test_contamination_adds_a_label_and_a_threshold(embedded_url, prostate):
    model = train_model(embedded_url, "isolationforest", training_frame=prostate, ntrees=30, seed=3,
                        contamination=0.1)
    threshold = model["output"]["default_threshold"]
    assert 0 < threshold < 1
    body, columns, frame = predictions(embedded_url, model["model_id"]["name"], prostate)
    assert [(c["label"], c["type"]) for c in columns] == [("predict", "enum"), ("score", "real"),
                                                          ("mean_length", "real")]
    assert columns[0]["domain"] == ["0", "1"]
    assert np.array_equal(frame["predict"] == 1, frame["score"] >= threshold - 1e-12)
    assert 0.05 <= frame["predict"].mean() <= 0.2
    assert body["model_metrics"][0]["mean_normalized_score"] == pytest.approx(frame["predict"].mean())


@pytest.mark.parametrize("body, fragments", [
    ({"mtries": 0}, ("mtries",)),
    ({"sample_size": 0}, ("sample_size",)),
    ({"sample_rate": 1.5}, ("sample_rate",)),
    ({"contamination": 0.7}, ("contamination", "0.5")),
    ({"min_rows": 0}, ("min_rows",)),
    ({"stopping_metric": "AUC"}, ("labeled validation frame",)),
    ({"categorical_encoding": "OneHotExplicit"}, ("categorical_encoding",)),
    ({"response_column": "CAPSULE"}, ("response_column",)),
    ({"validation_frame": "if_prostate"}, ("validation_frame", "not implemented")),
    ({"ntrees": 0}, ("ntrees",)),
])
def test_bad_input_gets_a_clear_error(embedded_url, prostate, body, fragments):
    answer = requests.post(f"{embedded_url}/3/ModelBuilders/isolationforest", json={"training_frame": prostate, **body})
    assert_refused(embedded_url, answer, *fragments)


@pytest.fixture(scope="module")
def big_frame(embedded_url, tmp_path_factory):
    rng = np.random.default_rng(0)
    path = tmp_path_factory.mktemp("iforest") / "big.csv"
    pd.DataFrame(rng.normal(size=(200_000, 8)), columns=[f"x{i}" for i in range(8)]).to_csv(path, index=False)
    assert import_and_parse(embedded_url, path, "if_big")["status"] == "DONE"
    return "if_big"


def test_cancel_stops_the_forest_mid_way(embedded_url, big_frame):
    answer = requests.post(f"{embedded_url}/3/ModelBuilders/isolationforest",
                           json={"training_frame": big_frame, "ntrees": 100000, "model_id": "if_cancelled"})
    key = answer.json()["job"]["key"]["name"]
    job_url = f"{embedded_url}/3/Jobs/{quote(key, safe='')}"
    deadline = time.monotonic() + 60
    while requests.get(job_url).json()["jobs"][0]["progress"] <= 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    # Trees are growing: the history already has rows.
    history = requests.get(f"{embedded_url}/3/Models/if_cancelled").json()["models"][0]["output"]["scoring_history"]
    assert history is not None and len(history["data"][0]) >= 2
    started = time.monotonic()
    requests.post(f"{job_url}/cancel")
    job = wait_job(embedded_url, key, timeout=30)
    assert job["status"] == "CANCELLED", job
    assert time.monotonic() - started < 2.0
    assert requests.get(f"{embedded_url}/3/Models/if_cancelled").status_code == 404
