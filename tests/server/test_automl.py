"""AutoML over HTTP: the seed's curl body, the live leaderboard, budgets, choices, cancel, bad requests."""

import json
import subprocess
import time

import pytest
import requests

from tests.server.conftest import assert_h2o_error, import_and_parse, wait_job

JOB_TIMEOUT = 240


@pytest.fixture(scope="module")
def frames(embedded_url, data_dir):
    """prostate as the seed's train_frame (CAPSULE numeric) and with CAPSULE as enum."""
    url = embedded_url
    assert import_and_parse(url, data_dir / "prostate.csv", "train_frame")["status"] == "DONE"
    keys = requests.post(f"{url}/3/ImportFiles", json={"path": str(data_dir / "prostate.csv")}).json()[
        "destination_frames"]
    job = requests.post(f"{url}/3/Parse", json={"source_frames": keys, "destination_frame": "aml_prostate_enum",
                                                "column_types": ["Numeric", "Enum"] + ["Numeric"] * 7}).json()["job"]
    assert wait_job(url, job["key"]["name"])["status"] == "DONE"
    return url


def _start(url, body, path="/3/AutoML"):
    answer = requests.post(f"{url}{path}", json=body)
    assert answer.status_code == 200, answer.text
    job = answer.json()["job"]
    return job["key"]["name"], job["dest"]["name"]


def _binomial(max_models=3, seed=1, **control):
    return {"input_spec": {"training_frame": "aml_prostate_enum", "response_column": {"column_name": "CAPSULE"},
                           "ignored_columns": ["ID"]},
            "build_control": {"stopping_criteria": {"max_models": max_models, **control.pop("stopping", {})},
                              "seed": seed, **control}}


def _leaderboard(url, automl_id):
    body = requests.get(f"{url}/3/AutoML/{automl_id}").json()
    table = body["leaderboard_table"]
    names = [c["name"] for c in table["columns"]]
    rows = [dict(zip(names, [column[i] for column in table["data"]])) for i in range(table["rowcount"])]
    return body, rows


def test_seed_curl_example_verbatim(frames):
    """The seed's curl command, with only host:port changed, runs to DONE with a leader."""
    url = frames
    body = """{
    "input_spec": {
      "training_frame": "train_frame",
      "response_column": {"column_name": "CAPSULE"}
    },
    "build_control": {
      "stopping_criteria": {
        "max_models": 20,
        "max_runtime_secs": 600
      },
      "seed": 42
    }
  }"""
    out = subprocess.run(["curl", "-s", "-X", "POST", f"{url}/3/AutoML", "-H", "Content-Type: application/json",
                          "-d", body], capture_output=True, text=True, check=True).stdout
    started = json.loads(out)
    automl_id = started["job"]["dest"]["name"]
    assert started["job"]["dest"]["type"] == "Key<AutoML>"
    job = wait_job(url, started["job"]["key"]["name"], timeout=JOB_TIMEOUT)
    assert job["status"] == "DONE", job["exception"]
    result, rows = _leaderboard(url, automl_id)
    assert result["project_name"] and result["leader"]["name"] == rows[0]["model_id"]
    assert result["leader"]["type"] == "Key<Model>"
    # CAPSULE is numeric in train_frame: a regression, ranked by RMSE (H2O-3 3.46's default), smallest first.
    assert result["leaderboard"]["sort_metric"] == "rmse"
    base = [r for r in rows if not r["model_id"].startswith("StackedEnsemble")]
    assert len(base) == 20 and len(rows) == 22
    values = [r["rmse"] for r in rows]
    assert values == sorted(values)
    # The project name alone finds the run too, as the seed's GET /3/AutoML/{project} does.
    assert requests.get(f"{url}/3/AutoML/{result['project_name']}").status_code == 200


def test_leaderboard_grows_while_the_run_goes_on(frames):
    url = frames
    job_key, automl_id = _start(url, _binomial(max_models=6, seed=3), "/99/AutoMLBuilder")
    seen = []
    deadline = time.monotonic() + JOB_TIMEOUT
    while time.monotonic() < deadline:
        job = requests.get(f"{url}/3/Jobs/{requests.utils.quote(job_key, safe='')}").json()["jobs"][0]
        body, rows = _leaderboard(url, automl_id)
        if job["status"] == "RUNNING":
            seen.append((len(rows), job["progress"], len(body["event_log"]["events"])))
        else:
            break
        time.sleep(0.1)
    assert job["status"] == "DONE", job["exception"]
    counts = [n for n, _, _ in seen]
    assert any(0 < n < 8 for n in counts), counts     # rows seen before the job finished
    assert counts == sorted(counts)
    progress = [p for _, p, _ in seen]
    assert progress == sorted(progress) and 0 < max(progress) < 1
    events = [e for _, _, e in seen]
    assert events == sorted(events) and events[-1] > events[0]
    assert body["leaderboard"]["sort_metric"] == "auc" and body["leaderboard"]["sort_decreasing"] is True
    names = [c["name"] for c in body["leaderboard_table"]["columns"]]
    assert names == ["", "model_id", "auc", "logloss", "aucpr", "mean_per_class_error", "rmse", "mse"]
    assert [r["model_id"] for r in rows[:1]] == [body["leader"]["name"]]
    aucs = [r["auc"] for r in rows]
    assert aucs == sorted(aucs, reverse=True)
    frame = requests.get(f"{url}/3/Frames/{automl_id}_leaderboard").json()["frames"][0]
    assert frame["rows"] == len(rows)
    assert [c["label"] for c in frame["columns"]] == names[1:]


def _model_ids(url, automl_id):
    return [r["model_id"] for r in _leaderboard(url, automl_id)[1]]


def test_max_models_and_seed_give_the_same_leaderboard(frames):
    url = frames
    boards = []
    for _ in range(2):
        job_key, automl_id = _start(url, _binomial(max_models=4, seed=7, nfolds=3))
        assert wait_job(url, job_key, timeout=JOB_TIMEOUT)["status"] == "DONE"
        _, rows = _leaderboard(url, automl_id)
        boards.append([(r["model_id"].split("_AutoML_")[0], round(r["auc"], 10)) for r in rows])
    assert boards[0] == boards[1], boards
    assert len([m for m, _ in boards[0] if not m.startswith("StackedEnsemble")]) == 4


def test_include_and_exclude_algos(frames):
    url = frames
    job_key, automl_id = _start(url, {**_binomial(max_models=3, nfolds=3), "build_spec": {
        "exclude_algos": ["XGBoost", "DeepLearning", "StackedEnsemble"]}})
    assert wait_job(url, job_key, timeout=JOB_TIMEOUT)["status"] == "DONE"
    ids = _model_ids(url, automl_id)
    assert len(ids) == 3 and not any(i.startswith(("XGBoost", "DeepLearning", "StackedEnsemble")) for i in ids)
    job_key, automl_id = _start(url, {**_binomial(max_models=2, nfolds=3), "build_models": {
        "include_algos": ["GLM", "GBM", "StackedEnsemble"]}}, "/99/AutoMLBuilder")
    assert wait_job(url, job_key, timeout=JOB_TIMEOUT)["status"] == "DONE"
    ids = _model_ids(url, automl_id)
    # One model per family: H2O-3 skips the AllModels ensemble, which would repeat BestOfFamily's.
    assert sorted(i.split("_")[0] for i in ids) == ["GBM", "GLM", "StackedEnsemble"]


def test_every_model_of_a_forest_run_reads_back(frames):
    """DRF's step makes a random forest and an extremely randomized one (XRT); each model reads
    back whole (XRT's summary once held numpy integers JSON could not encode: a 500)."""
    url = frames
    job_key, automl_id = _start(url, {**_binomial(max_models=2, nfolds=3), "build_models": {
        "include_algos": ["DRF"]}}, "/99/AutoMLBuilder")
    assert wait_job(url, job_key, timeout=JOB_TIMEOUT)["status"] == "DONE"
    ids = _model_ids(url, automl_id)
    assert sorted(i.split("_")[0] for i in ids) == ["DRF", "XRT"]
    for model_id in ids:
        answer = requests.get(f"{url}/3/Models/{model_id}")
        assert answer.status_code == 200, answer.text
        summary = answer.json()["models"][0]["output"]["model_summary"]
        names = [c["name"] for c in summary["columns"]]
        assert summary["data"][names.index("max_depth")][0] >= 1


def test_max_runtime_secs_is_honoured(frames):
    url = frames
    body = _binomial(max_models=None, stopping={"max_runtime_secs": 6})
    del body["build_control"]["stopping_criteria"]["max_models"]
    started = time.monotonic()
    job_key, automl_id = _start(url, body)
    job = wait_job(url, job_key, timeout=60)
    assert job["status"] == "DONE", job["exception"]
    assert time.monotonic() - started < 6 + 4
    assert len(_model_ids(url, automl_id)) >= 1


def test_cancel_keeps_the_finished_models(frames):
    url = frames
    job_key, automl_id = _start(url, _binomial(max_models=30))
    deadline = time.monotonic() + JOB_TIMEOUT
    while len(_model_ids(url, automl_id)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    requests.post(f"{url}/3/Jobs/{requests.utils.quote(job_key, safe='')}/cancel")
    cancelled_at = time.monotonic()
    job = wait_job(url, job_key, timeout=30)
    assert job["status"] == "CANCELLED"
    assert time.monotonic() - cancelled_at < 2.5
    ids = _model_ids(url, automl_id)
    assert len(ids) >= 2
    for model_id in ids:
        assert requests.get(f"{url}/3/Models/{model_id}").status_code == 200
    # The model that was training when the cancel came is gone, not left half-built.
    models = [m["model_id"]["name"] for m in requests.get(f"{url}/3/Models").json()["models"]]
    suffix = automl_id.split("@@")[0]
    assert sorted(m for m in models if suffix in m and "_cv_" not in m) == sorted(ids)


@pytest.mark.parametrize("change, status, fragment", [
    (lambda b: b["input_spec"].update(training_frame="nope"), 404, "nope"),
    (lambda b: b["input_spec"].pop("response_column"), 400, "response_column"),
    (lambda b: b["input_spec"].update(response_column={"column_name": "NOPE"}), 400, "NOPE"),
    (lambda b: b.update(build_spec={"exclude_algos": ["GLM", "Magic"]}), 400, "Magic"),
    (lambda b: b["build_control"]["stopping_criteria"].update(max_models=0), 400, "max_models"),
    (lambda b: b["build_control"].update(distribution="poisson"), 400, "distribution"),
    (lambda b: b["input_spec"].update(ignored_columns=["ID", "AGE", "RACE", "DPROS", "DCAPS", "PSA", "VOL",
                                                       "GLEASON"]), 400, "predictor"),
    (lambda b: b["input_spec"].update(sort_metric="rmsle"), 400, "sort_metric"),
])
def test_bad_requests(frames, change, status, fragment):
    body = _binomial()
    change(body)
    answer = requests.post(f"{frames}/3/AutoML", json=body)
    assert_h2o_error(answer, status, fragment)


def test_unknown_automl_is_404(frames):
    assert_h2o_error(requests.get(f"{frames}/3/AutoML/nosuch"), 404, "nosuch")
