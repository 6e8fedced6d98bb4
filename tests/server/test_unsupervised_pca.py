"""PCA over HTTP: the seed's ModelBuilders flow, answered in H2O-3's shapes and numbers."""

import numpy as np
import pytest
import requests

from tests.server.conftest import assert_h2o_error, assert_refused, import_and_parse, reference, train_model


def full_shape(table):
    """A TwoDimTableV3's name and its columns as H2O-3 describes them."""
    return table["name"], [(c["name"], c["type"], c["format"], c["description"]) for c in table["columns"]]


def columns_of(table):
    """A TwoDimTableV3's numbers, one column per component."""
    return np.array(table["data"][1:], dtype=float).T


def assert_same_up_to_sign(ours, theirs, rtol=1e-9):
    signs = np.sign(np.sum(ours * theirs, axis=0))
    np.testing.assert_allclose(ours * signs, theirs, rtol=rtol, atol=1e-12)


@pytest.fixture(scope="module")
def iris(embedded_url, data_dir):
    assert import_and_parse(embedded_url, data_dir / "iris.csv", "iris_pca")["status"] == "DONE"
    return "iris_pca"


def test_model_reads_as_h2o_shapes_it_with_h2os_numbers(embedded_url, iris):
    # The reference is H2O-3's answer to the same request (k=3, GramSVD, transform NONE).
    model = train_model(embedded_url, "pca", training_frame=iris, k=3, seed=1)
    expected = reference("model_pca_iris")["models"][0]
    out, theirs = model["output"], expected["output"]
    assert model["__meta"] == expected["__meta"] and model["response_column_name"] is None
    assert out["__meta"] == theirs["__meta"] and out["model_category"] == "DimReduction"
    for field in ("names", "column_types", "domains"):
        assert out[field] == theirs[field], field
    assert set(theirs) - {"help", "reproducibility_information_table"} <= set(out)
    for field in ("model_summary", "importance", "eigenvectors", "scoring_history"):
        assert full_shape(out[field]) == full_shape(theirs[field]), field
    assert out["importance"]["data"][0] == theirs["importance"]["data"][0]
    np.testing.assert_allclose(columns_of(out["importance"]), columns_of(theirs["importance"]), rtol=1e-9)
    assert out["model_summary"]["data"] == out["importance"]["data"]
    assert out["eigenvectors"]["data"][0] == theirs["eigenvectors"]["data"][0]   # levels first, as H2O-3
    assert_same_up_to_sign(columns_of(out["eigenvectors"]), columns_of(theirs["eigenvectors"]))
    assert out["scoring_history"]["data"][3] == [0] and out["objective"] == theirs["objective"] == 0.0
    metrics, their_metrics = out["training_metrics"], theirs["training_metrics"]
    assert metrics["__meta"] == their_metrics["__meta"]
    assert set(their_metrics) - {"model_checksum", "frame_checksum"} <= set(metrics)
    assert [p["name"] for p in model["parameters"]] == [p["name"] for p in expected["parameters"]]


def assert_predicts_as_h2o(url, model, frame_id, answer_name):
    """POST /3/Predictions answers as H2O-3 did (saved as ``answer_name``): its metrics' schema
    and fields, the predictions' columns, and their values (each column up to its sign)."""
    answer = requests.post(f"{url}/3/Predictions/models/{model['model_id']['name']}/frames/{frame_id}")
    assert answer.status_code == 200, answer.text
    body, theirs = answer.json(), reference(answer_name)
    metrics, their_metrics = body["model_metrics"][0], theirs["model_metrics"][0]
    assert metrics["__meta"] == their_metrics["__meta"]
    assert set(their_metrics) - {"model_checksum", "frame_checksum", "predictions"} <= set(metrics)
    name = body["predictions_frame"]["name"]
    frame = requests.get(f"{url}/3/Frames/{name}", params={"row_count": 100}).json()["frames"][0]
    their_frame = their_metrics["predictions"]
    assert [(c["label"], c["type"]) for c in frame["columns"]] == [(c["label"], c["type"])
                                                                  for c in their_frame["columns"]]
    assert frame["rows"] == their_frame["rows"]
    ours = np.array([c["data"] for c in frame["columns"]]).T
    assert_same_up_to_sign(ours, np.array([c["data"] for c in their_frame["columns"]]).T)


def test_predictions_are_h2os_projections(embedded_url, iris):
    model = train_model(embedded_url, "pca", training_frame=iris, k=3, seed=1)
    assert_predicts_as_h2o(embedded_url, model, iris, "predict_pca_iris")


@pytest.mark.parametrize("method, title", [("Power", "Scoring History from Power SVD"),
                                           ("Randomized", "Scoring History from Randomized SVD")])
def test_iterative_methods_find_the_same_importance_and_keep_a_history(embedded_url, iris, method, title):
    exact = train_model(embedded_url, "pca", training_frame=iris, k=2, transform="STANDARDIZE")
    model = train_model(embedded_url, "pca", training_frame=iris, k=2, transform="STANDARDIZE",
                        pca_method=method, seed=5)
    np.testing.assert_allclose(columns_of(model["output"]["importance"]),
                               columns_of(exact["output"]["importance"]), rtol=1e-6)
    history = model["output"]["scoring_history"]
    assert history["name"] == title and len(history["data"][0]) >= 2
    assert [c["name"] for c in history["columns"]][:4] == ["", "timestamp", "duration", "iterations"]


@pytest.mark.parametrize("body, fragments", [
    ({"k": 7}, ("k must be between 1 and 6",)),
    ({"k": 0}, ("k", "at least 1")),
    ({"k": 2, "pca_method": "GLRM"}, ("GLRM", "not implemented")),
    ({"k": 2, "transform": "LOG"}, ("transform", "STANDARDIZE")),
    ({"k": 2, "response_column": "Species"}, ("response_column",)),
    ({"k": 2, "nfolds": 3}, ("nfolds",)),
])
def test_bad_input_gets_a_clear_error(embedded_url, iris, body, fragments):
    answer = requests.post(f"{embedded_url}/3/ModelBuilders/pca", json={"training_frame": iris, **body})
    assert_refused(embedded_url, answer, *fragments)


def test_more_components_than_rows_are_refused(embedded_url, make_csv):
    path = make_csv("a,b,c,d\n1,2,3,4\n2,1,4,3\n5,5,1,2\n", "three_rows.csv")
    assert import_and_parse(embedded_url, path, "three_rows_pca")["status"] == "DONE"
    answer = requests.post(f"{embedded_url}/3/ModelBuilders/pca", json={"training_frame": "three_rows_pca", "k": 4})
    assert_refused(embedded_url, answer, "k (4) is larger than the number of rows to decompose (3)")


def test_all_constant_columns_leave_nothing_to_decompose(embedded_url, make_csv):
    path = make_csv("a,b\n" + "1,2\n" * 20, "constant_pca.csv")
    assert import_and_parse(embedded_url, path, "constant_pca")["status"] == "DONE"
    answer = requests.post(f"{embedded_url}/3/ModelBuilders/pca", json={"training_frame": "constant_pca", "k": 1})
    assert_h2o_error(answer, 400, "No predictor columns")
    # Kept, then demeaned, they are all zeros.
    answer = requests.post(f"{embedded_url}/3/ModelBuilders/pca", json={
        "training_frame": "constant_pca", "k": 1, "ignore_const_cols": False, "transform": "DEMEAN"})
    assert_refused(embedded_url, answer, "nothing to decompose")
