"""AutoML through the client. Only real H2O-3 has AutoML for now (the embedded engine gets it
in issue 6), so these tests use ``h2o3_url`` directly instead of the two-server ``client``."""
from __future__ import annotations

import pytest

from h2odash.client import H2OClient, H2ONotFoundError, H2OServerError
from h2odash.client.automl import automl_spec


@pytest.fixture
def h2o3_client(h2o3_url):
    client = H2OClient(h2o3_url, timeout=120)
    yield client
    client.close()


def test_spec_nests_options_where_h2o_py_puts_them():
    spec = automl_spec("train", "CAPSULE", max_models=2, seed=1, exclude_algos=["DeepLearning"], nfolds=0,
                       sort_metric="AUC")
    assert spec == {"input_spec": {"training_frame": "train", "response_column": "CAPSULE", "sort_metric": "AUC"},
                    "build_control": {"nfolds": 0, "stopping_criteria": {"max_models": 2, "seed": 1}},
                    "build_models": {"exclude_algos": ["DeepLearning"]}}
    with pytest.raises(TypeError):
        automl_spec("train", "CAPSULE", max_trees=3)


def test_automl_runs_and_fills_a_leaderboard(h2o3_client, data_dir, frame_name):
    assert h2o3_client.has_automl()
    frame = h2o3_client.import_frame(str(data_dir / "prostate.csv"), destination_frame=frame_name("aml"),
                                     column_types={"CAPSULE": "enum"})
    job = h2o3_client.start_automl(frame, "CAPSULE", max_models=2, seed=1, nfolds=0,
                                   include_algos=["GLM", "GBM"], project_name=frame_name("aml_project"),
                                   max_runtime_secs=None)
    automl_id = job["dest"]["name"]
    done = h2o3_client.wait_job(job, timeout=300)
    assert done["status"] == "DONE"
    run = h2o3_client.automl(automl_id)
    board = run["leaderboard_table"]
    model_ids = board["data"][[c["name"] for c in board["columns"]].index("model_id")]
    assert 1 <= len(model_ids) <= 2
    assert all(m in {x["model_id"]["name"] for x in h2o3_client.models()} for m in model_ids)
    assert run["event_log_table"]["data"]


def test_automl_refusals_carry_the_servers_message(h2o3_client):
    with pytest.raises(H2OServerError) as info:
        h2o3_client.start_automl("no_such_frame_abc", "CAPSULE", max_models=1)
    assert info.value.http_status == 412 and "No training data" in info.value.msg  # H2O-3's own words
    with pytest.raises(H2ONotFoundError):
        h2o3_client.automl("no_such_automl_abc")

