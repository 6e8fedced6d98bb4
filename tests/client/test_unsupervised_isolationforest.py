"""Isolation forest through the client, against the embedded engine and a real H2O-3 alike."""
from __future__ import annotations

import pytest


@pytest.fixture
def prostate_enum(client, data_dir, frame_name):
    return client.import_frame(str(data_dir / "prostate.csv"), destination_frame=frame_name("prostate"),
                               column_types={"CAPSULE": "enum"})


def table(output, name):
    found = output[name]
    return dict(zip([c["name"] for c in found["columns"]], found["data"]))


def test_isolation_forest_scores_prostate(client, prostate_enum, frame_name):
    model_id = client.train("isolationforest", prostate_enum, ntrees=20, seed=1, model_id=frame_name("iforest"))
    output = client.model(model_id)["output"]
    assert output["model_category"] == "AnomalyDetection"
    assert output["default_threshold"] == -1.0
    metrics = output["training_metrics"]
    assert metrics["__meta"]["schema_name"] == "ModelMetricsAnomalyV3"
    assert metrics["description"] == "Metrics reported on Out-Of-Bag training samples"
    assert 0 < metrics["nobs"] <= 380 and 5 < metrics["mean_score"] < 7.5
    assert table(output, "model_summary")["number_of_trees"] == [20]
    assert table(output, "scoring_history")["number_of_trees"] == list(range(21))
    assert table(output, "variable_splits")["variable"] == ["ID", "CAPSULE", "AGE", "RACE", "DPROS", "DCAPS", "PSA",
                                                            "VOL", "GLEASON"]
    scored = client.predict(model_id, prostate_enum)
    assert scored["model_metrics"][0]["description"] == "Isolation Forest Metrics"
    predictions = client.frame_to_pandas(scored["predictions_frame"]["name"])
    assert list(predictions.columns) == ["predict", "mean_length"] and len(predictions) == 380
    # Training rows span the whole scale: the shortest total path scores 1, the longest 0.
    assert predictions["predict"].min() == 0 and predictions["predict"].max() == 1
    assert scored["model_metrics"][0]["mean_score"] == pytest.approx(predictions["mean_length"].mean(), abs=1e-6)


def test_contamination_labels_anomalies(client, prostate_enum, frame_name):
    model_id = client.train("isolationforest", prostate_enum, ntrees=20, seed=1, contamination=0.1,
                            model_id=frame_name("iforest"))
    assert 0 < client.model(model_id)["output"]["default_threshold"] < 1
    scored = client.predict(model_id, prostate_enum)
    frame = client.frame(scored["predictions_frame"]["name"], row_count=5)
    assert [(c["label"], c["type"]) for c in frame["columns"]] == [("predict", "enum"), ("score", "real"),
                                                                   ("mean_length", "real")]
    labels = client.frame_to_pandas(scored["predictions_frame"]["name"])["predict"].astype(int)
    assert 0.05 <= labels.mean() <= 0.2


def test_contamination_above_a_half_is_refused(client, prostate_enum):
    from h2odash.client import H2OJobError, H2OServerError

    with pytest.raises((H2OJobError, H2OServerError), match="ontamination"):
        client.train("isolationforest", prostate_enum, contamination=0.7)
