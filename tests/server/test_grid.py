"""Grid search and stacked ensembles over HTTP: counts, sorting, H2O's form dialect, refusals."""

import pytest
import requests

from tests.server.conftest import assert_h2o_error, wait_job


@pytest.fixture(scope="module")
def frame(embedded_url, data_dir):
    url = embedded_url
    keys = requests.post(f"{url}/3/ImportFiles", json={"path": str(data_dir / "prostate.csv")}).json()[
        "destination_frames"]
    job = requests.post(f"{url}/3/Parse", json={"source_frames": keys, "destination_frame": "grid_prostate",
                                                "column_types": ["Numeric", "Enum"] + ["Numeric"] * 7}).json()["job"]
    assert wait_job(url, job["key"]["name"])["status"] == "DONE"
    return url


BASE = {"training_frame": "grid_prostate", "response_column": "CAPSULE", "ignored_columns": ["ID"], "seed": 1}


def _grid(url, algo, body, form=False):
    answer = requests.post(f"{url}/99/Grid/{algo}", **({"data": body} if form else {"json": body}))
    assert answer.status_code == 200, answer.text
    job = wait_job(url, answer.json()["job"]["key"]["name"], timeout=180)
    assert job["status"] == "DONE", job["exception"]
    return job["dest"]["name"]


def test_cartesian_grid_trains_every_combination(frame):
    grid_id = _grid(frame, "gbm", {**BASE, "ntrees": 10, "grid_id": "g_cart",
                                   "hyper_parameters": {"max_depth": [2, 3, 4], "learn_rate": [0.1, 0.2]}})
    assert grid_id == "g_cart"
    grid = requests.get(f"{frame}/99/Grids/g_cart").json()
    assert len(grid["model_ids"]) == 6 and grid["hyper_names"] == ["max_depth", "learn_rate"]
    assert grid["sort_by"] == "logloss" and grid["decreasing"] is False
    table = grid["summary_table"]
    names = [c["name"] for c in table["columns"]]
    assert names == ["", "max_depth", "learn_rate", "model_ids", "logloss"]
    assert sorted(zip(table["data"][1], table["data"][2])) == [(d, r) for d in (2, 3, 4) for r in (0.1, 0.2)]
    losses = table["data"][4]
    assert losses == sorted(losses)
    # The seed's GET /3/Grid/{id}, sorted another way.
    by_auc = requests.get(f"{frame}/3/Grid/g_cart", params={"sort_by": "auc", "decreasing": "true"}).json()
    aucs = by_auc["summary_table"]["data"][4]
    assert aucs == sorted(aucs, reverse=True) and len(aucs) == 6


def test_random_discrete_grid_in_h2o_python_form_dialect(frame):
    """H2O's Python client sends maps with unquoted strings, form-encoded."""
    body = {"training_frame": "grid_prostate", "response_column": "CAPSULE", "ntrees": "5", "grid_id": "g_rand",
            "hyper_parameters": '{"max_depth": [2,3,4,5],"min_rows": [1.0,5.0,10.0],"distribution": [bernoulli]}',
            "search_criteria": '{"strategy": RandomDiscrete,"max_models": 4,"seed": 1}'}
    _grid(frame, "gbm", body, form=True)
    grid = requests.get(f"{frame}/99/Grids/g_rand").json()
    assert len(grid["model_ids"]) == 4
    combos = {tuple(r) for r in zip(*grid["summary_table"]["data"][1:4])}
    assert len(combos) == 4


def test_grid_failures_are_recorded_and_the_search_goes_on(frame):
    _grid(frame, "glm", {**BASE, "grid_id": "g_fail", "hyper_parameters": {"family": ["binomial", "poisson"]}})
    grid = requests.get(f"{frame}/99/Grids/g_fail").json()
    assert len(grid["model_ids"]) + len(grid["failure_details"]) == 2
    assert len(grid["model_ids"]) >= 1


@pytest.mark.parametrize("body, status, fragment", [
    ({**BASE, "hyper_parameters": {"no_such_knob": [1, 2]}}, 400, "no_such_knob"),
    ({**BASE, "hyper_parameters": {"max_depth": [2]}, "search_criteria": {"strategy": "Bayesian"}}, 400,
     "strategy"),
    ({**BASE, "training_frame": "nope", "hyper_parameters": {"max_depth": [2]}}, 404, "nope"),
    ({**BASE, "max_depth": 3, "hyper_parameters": {"max_depth": [2]}}, 400, "max_depth"),
])
def test_bad_grid_requests(frame, body, status, fragment):
    assert_h2o_error(requests.post(f"{frame}/99/Grid/gbm", json=body), status, fragment)


def test_unknown_grid_is_404(frame):
    assert_h2o_error(requests.get(f"{frame}/99/Grids/nosuch"), 404, "nosuch")


def _train(url, algo, **params):
    base = dict(BASE)
    if algo == "stackedensemble":  # an ensemble uses its base models' columns: it has no ignored_columns
        del base["ignored_columns"]
    answer = requests.post(f"{url}/3/ModelBuilders/{algo}", json={**base, **params})
    assert answer.status_code == 200, answer.text
    job = wait_job(url, answer.json()["job"]["key"]["name"], timeout=180)
    assert job["status"] == "DONE", job["exception"]
    return job["dest"]["name"]


def test_stacked_ensemble_of_a_grid_and_a_glm(frame):
    """A grid as base models; the ensemble matches its best base model's CV AUC within noise."""
    cv = {"nfolds": 5, "fold_assignment": "Modulo", "keep_cross_validation_predictions": True}
    _grid(frame, "gbm", {**BASE, **cv, "ntrees": 30, "grid_id": "g_se",
                         "hyper_parameters": {"max_depth": [2, 4]}})
    glm = _train(frame, "glm", **cv)
    se = _train(frame, "stackedensemble", base_models=["g_se", glm], metalearner_nfolds=5)
    model = requests.get(f"{frame}/3/Models/{se}").json()["models"][0]
    assert model["algo"] == "stackedensemble"
    se_auc = model["output"]["cross_validation_metrics"]["AUC"]
    base_ids = [m["name"] for m in requests.get(f"{frame}/99/Grids/g_se").json()["model_ids"]] + [glm]
    base_aucs = [requests.get(f"{frame}/3/Models/{m}").json()["models"][0]["output"]["cross_validation_metrics"]["AUC"]
                 for m in base_ids]
    assert se_auc >= max(base_aucs) - 0.02, (se_auc, base_aucs)
    scored = requests.post(f"{frame}/3/Predictions/models/{se}/frames/grid_prostate")
    assert scored.status_code == 200 and scored.json()["model_metrics"][0]["AUC"] > 0.8


def test_stacked_ensemble_refuses_base_models_without_cv_predictions(frame):
    with_cv = _train(frame, "gbm", ntrees=5, nfolds=3, fold_assignment="Modulo",
                     keep_cross_validation_predictions=True)
    without = _train(frame, "gbm", ntrees=5, nfolds=3)
    body = {**BASE, "base_models": [with_cv, without]}
    del body["ignored_columns"]
    answer = requests.post(f"{frame}/3/ModelBuilders/stackedensemble", json=body)
    assert_h2o_error(answer, 400, without, "keep_cross_validation_predictions")
    other_folds = _train(frame, "gbm", ntrees=5, nfolds=4, fold_assignment="Modulo",
                         keep_cross_validation_predictions=True)
    body["base_models"] = [with_cv, other_folds]
    # Other folds: H2O-3 builds the ensemble and warns of leakage; so do we.
    answer = requests.post(f"{frame}/3/ModelBuilders/stackedensemble", json=body)
    assert answer.status_code == 200, answer.text
    warnings = answer.json()["job"]["warnings"]
    assert any("different folds" in w and "leakage" in w for w in warnings), warnings
