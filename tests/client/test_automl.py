"""AutoML and grid search through the client, on both servers (the ``client`` fixture)."""
from __future__ import annotations

import pytest

from h2odash.client import H2OClient, H2ONotFoundError, H2OServerError
from h2odash.client.automl import automl_spec
from h2odash.client.grid import h2o_map

BINOMIAL_METRICS = ("auc", "logloss", "aucpr", "mean_per_class_error", "rmse", "mse")


@pytest.fixture
def h2o3_client(h2o3_url):
    client = H2OClient(h2o3_url, timeout=120)
    yield client
    client.close()


@pytest.fixture
def prostate(client, data_dir, frame_name):
    """prostate.csv with CAPSULE as a categorical, so AutoML and the grid are binomial."""
    return client.import_frame(str(data_dir / "prostate.csv"), destination_frame=frame_name("prostate"),
                               column_types={"CAPSULE": "enum"})


def column(table: dict, name: str) -> list:
    """One column of a TwoDimTable, by name."""
    return table["data"][[c["name"] for c in table["columns"]].index(name)]


def test_spec_nests_options_where_h2o_py_puts_them():
    spec = automl_spec("train", "CAPSULE", max_models=2, seed=1, exclude_algos=["DeepLearning"], nfolds=0,
                       sort_metric="AUC")
    assert spec == {"input_spec": {"training_frame": "train", "response_column": "CAPSULE", "sort_metric": "AUC"},
                    "build_control": {"nfolds": 0, "stopping_criteria": {"max_models": 2, "seed": 1}},
                    "build_models": {"exclude_algos": ["DeepLearning"]}}
    with pytest.raises(TypeError):
        automl_spec("train", "CAPSULE", max_trees=3)


def test_grid_maps_are_written_as_h2o_py_writes_them():
    # h2o.utils.shared_utils.stringify_dict_as_map's output for the same dicts
    assert h2o_map({"max_depth": [2, 3], "learn_rate": [0.1, 0.2]}) == '{"max_depth": [2,3],"learn_rate": [0.1,0.2]}'
    assert h2o_map({"strategy": "RandomDiscrete", "max_models": 2, "seed": 1}) == \
        '{"strategy": RandomDiscrete,"max_models": 2,"seed": 1}'
    assert h2o_map({"hidden": [[10, 10], [20]]}) == '{"hidden": [[10,10],[20]]}'


def test_automl_runs_and_ranks_a_leaderboard(client, prostate, frame_name):
    assert client.has_automl()
    job = client.start_automl(prostate, "CAPSULE", max_models=3, seed=1, nfolds=3,
                              exclude_algos=["DeepLearning"], ignored_columns=["ID"],
                              project_name=frame_name("aml_project"))
    automl_id = job["dest"]["name"]
    done = client.wait_job(job, timeout=600)
    assert done["status"] == "DONE"
    run = client.automl(automl_id)

    board = run["leaderboard_table"]
    names = [c["name"] for c in board["columns"]]
    assert "model_id" in names and set(BINOMIAL_METRICS) <= set(names), names
    model_ids = column(board, "model_id")
    base = [m for m in model_ids if "StackedEnsemble" not in m]
    assert len(base) == 3, model_ids  # max_models counts base models; ensembles come on top
    assert not any("DeepLearning" in m for m in model_ids)
    aucs = [float(a) for a in column(board, "auc")]
    assert aucs == sorted(aucs, reverse=True) and 0.5 < aucs[0] <= 1  # binomial: sorted by AUC
    assert run["leaderboard"]["sort_metric"].lower() == "auc"

    # H2O-3 has no 'leader' field: h2o-py's leader is the leaderboard's first model.
    leader = (run.get("leader") or {}).get("name") or run["leaderboard"]["models"][0]["name"]
    assert leader == model_ids[0] == run["leaderboard"]["models"][0]["name"]
    assert {m["name"] for m in run["leaderboard"]["models"]} == set(model_ids)
    known = {x["model_id"]["name"] for x in client.models()}
    assert set(model_ids) <= known
    leader_model = client.model(leader)
    assert leader_model["output"]["model_category"] == "Binomial"
    assert run["event_log_table"]["data"]


def test_automl_same_seed_same_leaderboard_models(client, prostate, frame_name):
    runs = []
    for _ in range(2):
        automl_id = client.start_automl(prostate, "CAPSULE", max_models=2, seed=1, nfolds=3,
                                        include_algos=["GLM", "GBM"], ignored_columns=["ID"],
                                        project_name=frame_name("aml_seed"), wait=True, timeout=600)
        board = client.automl(automl_id)["leaderboard_table"]
        runs.append(sorted(round(float(a), 6) for a in column(board, "auc")))
    assert runs[0] == runs[1]


def test_grid_builds_one_model_per_hyper_parameter_value(client, prostate, frame_name):
    grid_id = frame_name("grid")
    job = client.start_grid("gbm", prostate, "CAPSULE", {"max_depth": [2, 3]}, grid_id=grid_id,
                            ntrees=5, seed=1, ignored_columns=["ID"])
    assert job["dest"]["name"] == grid_id
    done = client.wait_job(job, timeout=300)
    assert done["status"] == "DONE"
    grid = client.grid(grid_id)
    assert grid["hyper_names"] == ["max_depth"]
    model_ids = [m["name"] for m in grid["model_ids"]]
    assert len(model_ids) == 2 and not grid["failure_details"], grid["failure_details"]
    depths = sorted(next(p["actual_value"] for p in client.model(m)["parameters"] if p["name"] == "max_depth")
                    for m in model_ids)
    assert depths == [2, 3]
    assert len(grid["summary_table"]["data"][0]) == 2


def test_grid_random_search_honours_max_models(client, prostate, frame_name):
    grid_id = client.start_grid("gbm", prostate, "CAPSULE", {"max_depth": [2, 3, 4], "learn_rate": [0.1, 0.2]},
                                search_criteria={"strategy": "RandomDiscrete", "max_models": 2, "seed": 1},
                                grid_id=frame_name("rgrid"), ntrees=3, seed=1, wait=True, timeout=300)
    grid = client.grid(grid_id)
    assert len(grid["model_ids"]) == 2
    assert sorted(grid["hyper_names"]) == ["learn_rate", "max_depth"]


def test_grid_refuses_a_hyper_parameter_the_algorithm_lacks(client, prostate):
    with pytest.raises(H2OServerError) as info:
        client.start_grid("gbm", prostate, "CAPSULE", {"no_such_param": [1, 2]}, ntrees=2)
    assert "no_such_param" in info.value.msg


def test_automl_refusals_carry_the_servers_message(h2o3_client):
    with pytest.raises(H2OServerError) as info:
        h2o3_client.start_automl("no_such_frame_abc", "CAPSULE", max_models=1)
    assert info.value.http_status == 412 and "No training data" in info.value.msg  # H2O-3's own words
    with pytest.raises(H2ONotFoundError):
        h2o3_client.automl("no_such_automl_abc")


def test_unknown_automl_is_not_found(client):
    with pytest.raises(H2ONotFoundError):
        client.automl("no_such_automl_abc")
