"""K-means through the client, against the embedded engine and a real H2O-3 alike."""
from __future__ import annotations

import pytest


@pytest.fixture
def iris(client, data_dir, frame_name):
    return client.import_frame(str(data_dir / "iris.csv"), destination_frame=frame_name("iris"))


def test_kmeans_clusters_iris_and_scores_it(client, iris, frame_name):
    model_id = client.train("kmeans", iris, k=3, seed=1, init="PlusPlus", model_id=frame_name("kmeans"))
    model = client.model(model_id)
    output = model["output"]
    assert output["model_category"] == "Clustering"
    metrics = output["training_metrics"]
    assert metrics["totss"] == pytest.approx(696.0, rel=1e-4)   # 4 standardized columns + Species mismatches
    assert metrics["betweenss"] / metrics["totss"] > 0.6
    sizes = output["training_metrics"]["centroid_stats"]["data"][2]
    assert sum(sizes) == 150
    assert [c["name"] for c in output["centers"]["columns"]][0] == "centroid"
    scored = client.predict(model_id, iris)
    assert scored["model_metrics"][0]["tot_withinss"] == pytest.approx(metrics["tot_withinss"], rel=0.02)
    predictions = client.frame_to_pandas(scored["predictions_frame"]["name"])
    assert list(predictions.columns) == ["predict"]
    assert sorted(predictions["predict"].value_counts()) == sorted(int(s) for s in sizes)


def test_kmeans_refuses_more_clusters_than_rows(client, iris):
    from h2odash.client import H2OJobError, H2OServerError

    with pytest.raises((H2OJobError, H2OServerError)):
        client.train("kmeans", iris, k=1000)
