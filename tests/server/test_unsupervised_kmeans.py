"""K-means over HTTP: the seed's ModelBuilders flow, answered in H2O-3's shapes."""

import io

import pandas as pd
import pytest
import requests

from tests.server.conftest import (assert_h2o_error, assert_refused, import_and_parse, reference, table_shape,
                                   train_model)

@pytest.fixture(scope="module")
def iris(embedded_url, data_dir):
    assert import_and_parse(embedded_url, data_dir / "iris.csv", "iris_km")["status"] == "DONE"
    return "iris_km"


def train(url, **body):
    return train_model(url, "kmeans", **body)


def test_model_reads_as_h2o_shapes_it(embedded_url, iris):
    model = train(embedded_url, training_frame=iris, k=3, seed=1, init="PlusPlus")
    expected = reference("model_kmeans_iris")["models"][0]
    out, theirs = model["output"], expected["output"]
    assert model["response_column_name"] is None
    assert out["__meta"] == theirs["__meta"] and out["model_category"] == "Clustering"
    assert out["names"] == theirs["names"] and out["column_types"] == theirs["column_types"]
    for field in ("model_summary", "scoring_history", "centers", "centers_std"):
        assert table_shape(out[field]) == table_shape(theirs[field]), field
    metrics, their_metrics = out["training_metrics"], theirs["training_metrics"]
    assert metrics["__meta"] == their_metrics["__meta"]
    assert set(their_metrics) - {"model_checksum", "frame_checksum"} <= set(metrics)
    assert table_shape(metrics["centroid_stats"]) == table_shape(their_metrics["centroid_stats"])
    # Same data, same standardization: the total sum of squares is H2O's exactly.
    assert metrics["totss"] == pytest.approx(their_metrics["totss"], rel=1e-6)
    assert metrics["betweenss"] / metrics["totss"] > 0.6
    assert [p["name"] for p in model["parameters"]] == [p["name"] for p in expected["parameters"]]


def test_predictions_are_cluster_numbers_with_clustering_metrics(embedded_url, iris):
    model = train(embedded_url, training_frame=iris, k=3, seed=1)
    model_id = model["model_id"]["name"]
    answer = requests.post(f"{embedded_url}/3/Predictions/models/{model_id}/frames/{iris}")
    assert answer.status_code == 200, answer.text
    body, theirs = answer.json(), reference("predict_kmeans_iris")
    assert body["model_metrics"][0]["__meta"] == theirs["model_metrics"][0]["__meta"]
    assert body["model_metrics"][0]["tot_withinss"] == pytest.approx(
        model["output"]["training_metrics"]["tot_withinss"])
    name = body["predictions_frame"]["name"]
    frame = requests.get(f"{embedded_url}/3/Frames/{name}").json()["frames"][0]
    assert [(c["label"], c["type"]) for c in frame["columns"]] == [("predict", "int")]
    csv = requests.get(f"{embedded_url}/3/DownloadDataset", params={"frame_id": name}).text
    assert set(pd.read_csv(io.StringIO(csv))["predict"]) == {0, 1, 2}


def test_user_points_start_the_clustering(embedded_url, iris, make_csv):
    points = make_csv("Sepal.Length,Sepal.Width,Petal.Length,Petal.Width,Species\n"
                                    "5.0,3.4,1.5,0.2,Iris-setosa\n6.0,2.8,4.5,1.4,Iris-versicolor\n"
                                    "6.8,3.0,5.7,2.1,Iris-virginica\n", "points.csv")
    assert import_and_parse(embedded_url, points, "iris_points")["status"] == "DONE"
    model = train(embedded_url, training_frame=iris, k=3, init="User", user_points="iris_points")
    # Started at one flower of each species, the clusters stay close to the species.
    sizes = model["output"]["training_metrics"]["centroid_stats"]["data"][2]
    assert len(sizes) == 3 and min(sizes) >= 35


@pytest.mark.parametrize("body, fragments", [
    ({"k": 500}, ("larger than the number of rows",)),
    ({"k": 0}, ("k", "at least 1")),
    ({"response_column": "Species", "k": 2}, ("response_column",)),
    ({"nfolds": 3, "k": 2, "fold_assignment": "Stratified"}, ("ERRR on field: _fold_assignment", "stratified")),
    ({"k": 2, "cluster_size_constraints": [10]}, ("cluster_size_constraints", "one per cluster")),
    ({"init": "User", "k": 2}, ("user_points",)),
    ({"init": "User", "k": 2, "user_points": "no_such_frame"}, ("no_such_frame",)),
])
def test_bad_input_gets_a_clear_error(embedded_url, iris, body, fragments):
    answer = requests.post(f"{embedded_url}/3/ModelBuilders/kmeans", json={"training_frame": iris, **body})
    assert_refused(embedded_url, answer, *fragments)


def test_all_constant_columns_leave_nothing_to_cluster(embedded_url, make_csv):
    path = make_csv("a,b\n" + "1,2\n" * 20, "constant.csv")
    assert import_and_parse(embedded_url, path, "constant_km")["status"] == "DONE"
    answer = requests.post(f"{embedded_url}/3/ModelBuilders/kmeans", json={"training_frame": "constant_km", "k": 2})
    assert_h2o_error(answer, 400, "No predictor columns")
