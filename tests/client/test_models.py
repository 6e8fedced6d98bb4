"""Model calls the dashboard's panels use: builders, training, listing, scoring."""
from __future__ import annotations

import pytest

from h2odash.client import H2OJobError, H2ONotFoundError, H2OServerError


@pytest.fixture
def prostate_enum(client, data_dir, frame_name):
    return client.import_frame(str(data_dir / "prostate.csv"), destination_frame=frame_name("prostate"),
                               column_types={"CAPSULE": "enum"})


def test_model_builders_list_every_algorithm_with_its_parameters(client):
    builders = client.model_builders()
    assert {"gbm", "drf", "glm"} <= set(builders)
    assert "ntrees" in {p["name"] for p in builders["gbm"]["parameters"]}


def test_model_builder_declares_parameters(client):
    builder = client.model_builder("gbm")
    names = {p["name"]: p for p in builder["parameters"]}
    assert names["ntrees"]["default_value"] == 50
    assert "max_depth" in names


def test_train_gbm_then_list_score_and_delete(client, prostate_enum, frame_name):
    seen = []
    model_id = client.train("gbm", prostate_enum, "CAPSULE", ntrees=5, max_depth=3, seed=1,
                            ignored_columns=["ID"], model_id=frame_name("gbm"), progress=seen.append)
    assert seen[-1]["status"] == "DONE"
    assert model_id in {m["model_id"]["name"] for m in client.models()}
    model = client.model(model_id)
    assert model["output"]["model_category"] == "Binomial"
    scored = client.predict(model_id, prostate_enum)
    predictions = client.frame(scored["predictions_frame"]["name"], row_count=2)
    assert [c["label"] for c in predictions["columns"]] == ["predict", "p0", "p1"]
    assert predictions["rows"] == 380
    client.delete_model(model_id)
    with pytest.raises(H2ONotFoundError):
        client.model(model_id)


def test_training_on_an_unknown_frame_fails(client):
    # Real H2O-3 accepts the request and the job FAILS; a stricter server may refuse with a 4xx.
    with pytest.raises((H2OJobError, H2OServerError)):
        client.train("gbm", "no_such_frame_abc", "CAPSULE", ntrees=2)
