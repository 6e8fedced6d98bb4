"""Training, reading and scoring models over HTTP: the seed's example and each algorithm."""

import io
import json
import subprocess
import time

import numpy as np
import pandas as pd
import pytest
import requests
from sklearn import metrics as skm

from tests.server.conftest import assert_h2o_error, import_and_parse, wait_job

ALGORITHMS = ["gbm", "drf", "xgboost", "glm", "gam", "deeplearning", "naivebayes"]
# Small, fast settings per algorithm: the seed's body shape with each algorithm's own knobs.
SETTINGS = {
    "gbm": {"ntrees": 20, "max_depth": 3, "learn_rate": 0.1},
    "drf": {"ntrees": 20, "max_depth": 8},
    "xgboost": {"ntrees": 20, "max_depth": 3},
    "glm": {"lambda": [0.0]},
    "gam": {"gam_columns": ["PSA"], "lambda": [0.0]},
    "deeplearning": {"hidden": [16, 16], "epochs": 5},
    "naivebayes": {"laplace": 1},
}
CATEGORIES = {"binomial": "Binomial", "multinomial": "Multinomial", "regression": "Regression"}


@pytest.fixture(scope="module")
def frames(embedded_url, data_dir):
    """prostate with CAPSULE numeric (as the seed's train_frame) and as enum, and iris."""
    url = embedded_url
    assert import_and_parse(url, data_dir / "prostate.csv", "train_frame")["status"] == "DONE"
    keys = requests.post(f"{url}/3/ImportFiles", data={"path": str(data_dir / "prostate.csv")}).json()["destination_frames"]
    types = ["Numeric", "Enum"] + ["Numeric"] * 7
    job = requests.post(f"{url}/3/Parse", json={"source_frames": keys, "destination_frame": "prostate_enum",
                                                "column_types": types}).json()["job"]
    assert wait_job(url, job["key"]["name"])["status"] == "DONE"
    assert import_and_parse(url, data_dir / "iris.csv", "iris")["status"] == "DONE"
    return {"regression": ("train_frame", "AGE"), "binomial": ("prostate_enum", "CAPSULE"),
            "multinomial": ("iris", "Species")}


def _train(url, algo, frame, response, **extra):
    body = {"training_frame": frame, "response_column": {"column_name": response}, "seed": 42, **extra}
    answer = requests.post(f"{url}/3/ModelBuilders/{algo}", json=body)
    assert answer.status_code == 200, answer.text
    job = wait_job(url, answer.json()["job"]["key"]["name"], timeout=180)
    assert job["status"] == "DONE", job["exception"]
    return job["dest"]["name"]


def _predictions(url, model_id, frame):
    scored = requests.post(f"{url}/3/Predictions/models/{model_id}/frames/{frame}")
    assert scored.status_code == 200, scored.text
    body = scored.json()
    name = body["predictions_frame"]["name"]
    csv = requests.get(f"{url}/3/DownloadDataset", params={"frame_id": name}).text
    return body, pd.read_csv(io.StringIO(csv))


def test_seed_gbm_example_verbatim(url, frames):
    """The seed's curl body: CAPSULE is numeric in train_frame, so (as in H2O) this is regression."""
    command = '''curl -s -X POST http://localhost:54321/3/ModelBuilders/gbm \\
  -H "Content-Type: application/json" \\
  -d '{
    "training_frame": "train_frame",
    "response_column": {"column_name": "CAPSULE"},
    "ntrees": 100,
    "max_depth": 5,
    "learn_rate": 0.05,
    "seed": 42
  }' '''.replace("http://localhost:54321", url)
    out = json.loads(subprocess.run(["bash", "-c", command], capture_output=True, text=True, check=True).stdout)
    job = wait_job(url, out["job"]["key"]["name"])
    assert job["status"] == "DONE", job["exception"]
    model = requests.get(f"{url}/3/Models/{job['dest']['name']}").json()["models"][0]
    assert model["output"]["model_category"] == "Regression"
    assert model["output"]["training_metrics"]["RMSE"] > 0


def test_every_algorithm_is_listed_with_its_parameters(url):
    builders = requests.get(f"{url}/3/ModelBuilders").json()["model_builders"]
    # Stacked ensembles are trained from base models (see test_grid); the unsupervised
    # builders have their own tests (test_unsupervised_*).
    unsupervised = ["kmeans", "pca", "svd", "glrm", "isolationforest"]
    assert sorted(builders) == sorted(ALGORITHMS + ["stackedensemble"] + unsupervised)
    for algo, builder in builders.items():
        names = [p["name"] for p in builder["parameters"]]
        assert names[0] == "model_id" and "training_frame" in names, algo
        assert builder["supervised"] == (algo not in unsupervised), algo
        assert ("response_column" in names) == builder["supervised"], algo
        for p in builder["parameters"]:
            assert {"name", "type", "default_value", "values", "required", "level", "help"} <= p.keys()
            assert p["help"], (algo, p["name"])
            if p["type"] == "enum" and p["default_value"] is not None:  # H2O has unset enums too
                assert p["default_value"] in p["values"], (algo, p["name"])


# Naive Bayes is a classifier (in H2O-3 too); test_naivebayes_refuses_regression covers that.
CASES = [(a, c) for a in ALGORITHMS for c in ("binomial", "multinomial", "regression")
         if (a, c) != ("naivebayes", "regression")]


@pytest.mark.parametrize("algo, category", CASES)
def test_train_read_and_predict(url, frames, algo, category):
    frame, response = frames[category]
    extra = dict(SETTINGS[algo])
    if algo == "gam" and category == "multinomial":
        extra["gam_columns"] = ["Petal.Length"]
    model_id = _train(url, algo, frame, response, **extra)
    model = requests.get(f"{url}/3/Models/{model_id}").json()["models"][0]
    output = model["output"]
    assert output["model_category"] == CATEGORIES[category]
    assert output["status"] == "DONE"
    training = output["training_metrics"]
    assert training["nobs"] > 0 and np.isfinite(training["RMSE"])
    body, predictions = _predictions(url, model_id, frame)
    truth = pd.read_csv(io.StringIO(requests.get(f"{url}/3/DownloadDataset", params={"frame_id": frame}).text))
    scored = body["model_metrics"][0]
    if category == "regression":
        assert list(predictions.columns) == ["predict"]
        mse = skm.mean_squared_error(truth[response], predictions["predict"])
        assert scored["MSE"] == pytest.approx(mse, rel=1e-6)
    elif category == "binomial":
        assert list(predictions.columns) == ["predict", "p0", "p1"]
        assert scored["AUC"] == pytest.approx(skm.roc_auc_score(truth[response], predictions["p1"]), abs=1e-6)
        assert scored["logloss"] == pytest.approx(
            skm.log_loss(truth[response], np.clip(predictions["p1"], 1e-15, 1 - 1e-15)), abs=1e-6)
    else:
        levels = sorted(truth[response].unique())
        assert list(predictions.columns) == ["predict", *levels]
        probs = predictions[levels].to_numpy()
        np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-6)
        assert scored["logloss"] == pytest.approx(skm.log_loss(truth[response], probs, labels=levels), abs=1e-6)


def test_seeded_training_is_reproducible(url, frames):
    frame, response = frames["binomial"]
    first = _train(url, "gbm", frame, response, ntrees=10)
    second = _train(url, "gbm", frame, response, ntrees=10)
    _, a = _predictions(url, first, frame)
    _, b = _predictions(url, second, frame)
    pd.testing.assert_frame_equal(a, b)


def test_cross_validation_metrics_and_summary(url, frames):
    frame, response = frames["binomial"]
    model_id = _train(url, "gbm", frame, response, ntrees=10, nfolds=3, keep_cross_validation_predictions=True)
    output = requests.get(f"{url}/3/Models/{model_id}").json()["models"][0]["output"]
    assert 0.5 < output["cross_validation_metrics"]["AUC"] <= 1
    summary = output["cross_validation_metrics_summary"]
    assert [c["name"] for c in summary["columns"]][:3] == ["", "mean", "sd"]
    assert len(output["cross_validation_models"]) == 3
    holdout = output["cross_validation_holdout_predictions_frame_id"]["name"]
    assert requests.get(f"{url}/3/Frames/{holdout}").json()["frames"][0]["rows"] == 380


def test_scoring_history_grows_while_training_and_cancel_removes_the_model(url, frames):
    frame, response = frames["binomial"]
    answer = requests.post(f"{url}/3/ModelBuilders/deeplearning", json={
        "training_frame": frame, "response_column": {"column_name": response}, "hidden": [64, 64],
        "epochs": 100000, "seed": 1, "score_each_iteration": True, "stopping_rounds": 0,
        "model_id": "live_dl"}).json()
    job_key = answer["job"]["key"]["name"]
    seen = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(seen) < 3:
        history = requests.get(f"{url}/3/Models/live_dl").json()["models"][0]["output"]["scoring_history"]
        rows = history["rowcount"] if history else 0
        if not seen or rows > seen[-1]:
            seen.append(rows)
        time.sleep(0.2)
    assert len(seen) >= 3 and seen == sorted(seen), seen
    progress = requests.get(f"{url}/3/Jobs/{requests.utils.quote(job_key, safe='')}").json()["jobs"][0]["progress"]
    assert 0 < progress < 1
    started = time.monotonic()
    requests.post(f"{url}/3/Jobs/{requests.utils.quote(job_key, safe='')}/cancel")
    job = wait_job(url, job_key, timeout=10)
    assert job["status"] == "CANCELLED" and time.monotonic() - started < 2.5
    assert requests.get(f"{url}/3/Models/live_dl").status_code == 404


def test_naivebayes_refuses_regression(url, frames):
    frame, response = frames["regression"]
    answer = requests.post(f"{url}/3/ModelBuilders/naivebayes",
                           json={"training_frame": frame, "response_column": {"column_name": response}})
    assert_h2o_error(answer, 400, "regression")


@pytest.mark.parametrize("body, status, fragment", [
    ({"training_frame": "no_such_frame", "response_column": {"column_name": "CAPSULE"}}, 404, "no_such_frame"),
    ({"training_frame": "prostate_enum", "response_column": {"column_name": "NOPE"}}, 400, "NOPE"),
    ({"training_frame": "prostate_enum", "response_column": {"column_name": "CAPSULE"}, "ntrees": "many"}, 400, "ntrees"),
    ({"training_frame": "prostate_enum", "response_column": {"column_name": "CAPSULE"}, "nosuch": 1}, 400, "nosuch"),
    ({"training_frame": "prostate_enum", "response_column": {"column_name": "CAPSULE"}, "ntrees": -3}, 400, "ntrees"),
    ({"training_frame": "prostate_enum", "response_column": {"column_name": "CAPSULE"}, "checkpoint": "m"}, 404,
     "checkpoint"),
    ({"training_frame": "prostate_enum", "response_column": {"column_name": "CAPSULE"},
      "custom_metric_func": "python:m=x.y"}, 400, "custom_metric_func"),
    ({"training_frame": "prostate_enum", "response_column": {"column_name": "CAPSULE"}, "nfolds": 1}, 400, "nfolds"),
])
def test_bad_training_requests(url, frames, body, status, fragment):
    assert_h2o_error(requests.post(f"{url}/3/ModelBuilders/gbm", json=body), status, fragment)
    assert requests.get(f"{url}/3/Cloud").status_code == 200


@pytest.mark.parametrize("algo, body, details", [
    ("gbm", {"weights_column": "foo"}, "ERRR on field: _weights_column: "),
    ("gbm", {"min_rows": 500}, "ERRR on field: _min_rows: The dataset size is too small to split for min_rows=500.0: "
                               "must have at least 1000.0 (weighted) rows, but have only 380.0.\n"),
    ("drf", {"min_rows": 200}, "ERRR on field: _min_rows: The dataset size is too small to split for min_rows=200.0"),
])
def test_refused_parameters_read_as_h2o_model_builders_word_them(url, frames, algo, body, details):
    answer = requests.post(f"{url}/3/ModelBuilders/{algo}", json={
        "training_frame": "prostate_enum", "response_column": "CAPSULE", "model_id": "refused", **body})
    prefix = {"gbm": "GBM", "drf": "DRF"}[algo]
    error = assert_h2o_error(answer, 400, f"Illegal argument(s) for {prefix} model: refused.  Details: ", details)
    assert error["exception_type"] == "water.exceptions.H2OModelBuilderIllegalArgumentException"
    assert requests.get(f"{url}/3/Models/refused").status_code == 404


def test_one_class_response_is_refused(url, tmp_path):
    path = tmp_path / "one_class.csv"
    path.write_text("x,y\n1,a\n2,a\n3,a\n")
    assert import_and_parse(url, path, "one_class")["status"] == "DONE"
    answer = requests.post(f"{url}/3/ModelBuilders/gbm",
                           json={"training_frame": "one_class", "response_column": {"column_name": "y"}})
    assert_h2o_error(answer, 400, "only one class")


def test_scoring_a_frame_without_the_models_columns(url, frames):
    model_id = _train(url, "gbm", "prostate_enum", "CAPSULE", ntrees=5)
    assert_h2o_error(requests.post(f"{url}/3/Predictions/models/{model_id}/frames/iris"), 400, "lacks columns")
    assert_h2o_error(requests.post(f"{url}/3/Predictions/models/nope/frames/iris"), 404, "nope")


def test_frame_in_use_by_training_cannot_be_deleted(url, frames):
    answer = requests.post(f"{url}/3/ModelBuilders/deeplearning", json={
        "training_frame": "iris", "response_column": {"column_name": "Species"}, "epochs": 100000}).json()
    job_key = answer["job"]["key"]["name"]
    assert_h2o_error(requests.delete(f"{url}/3/Frames/iris"), 409, "in use")
    requests.post(f"{url}/3/Jobs/{requests.utils.quote(job_key, safe='')}/cancel")
    wait_job(url, job_key)


def test_async_predictions_job(url, frames):
    model_id = _train(url, "gbm", "iris", "Species", ntrees=5)
    job = requests.post(f"{url}/4/Predictions/models/{model_id}/frames/iris").json()
    done = wait_job(url, job["key"]["name"])
    assert done["status"] == "DONE"
    assert requests.get(f"{url}/3/Frames/{done['dest']['name']}").json()["frames"][0]["rows"] == 150
