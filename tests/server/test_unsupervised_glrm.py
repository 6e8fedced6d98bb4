"""GLRM over HTTP: the seed's ModelBuilders flow, answered in H2O-3's shapes."""

import io
import json

import numpy as np
import pandas as pd
import pytest
import requests

from tests.server.conftest import assert_h2o_error, assert_refused, import_and_parse, wait_job

REFERENCE = "tests/data/h2o_reference"


def reference(name):
    with open(f"{REFERENCE}/{name}.json") as f:
        return json.load(f)


def table_shape(table):
    return table["name"], [(c["name"], c["type"], c["format"], c["description"]) for c in table["columns"]]


def frame_columns(url, name):
    frame = requests.get(f"{url}/3/Frames/{name}").json()["frames"][0]
    return frame["rows"], [(c["label"], c["type"], c["domain"]) for c in frame["columns"]]


def download(url, name):
    return pd.read_csv(io.StringIO(requests.get(f"{url}/3/DownloadDataset", params={"frame_id": name}).text))


@pytest.fixture(scope="module")
def iris(embedded_url, data_dir):
    assert import_and_parse(embedded_url, data_dir / "iris.csv", "iris_glrm")["status"] == "DONE"
    return "iris_glrm"


def start(url, **body):
    return requests.post(f"{url}/3/ModelBuilders/glrm", json=body)


def train(url, **body):
    answer = start(url, **body)
    assert answer.status_code == 200, answer.text
    job = wait_job(url, answer.json()["job"]["key"]["name"])
    assert job["status"] == "DONE", job["exception"]
    return requests.get(f"{url}/3/Models/{job['dest']['name']}").json()["models"][0]


def test_model_reads_as_h2o_shapes_it(embedded_url, iris):
    # The reference is H2O-3's answer to the same request.
    model = train(embedded_url, training_frame=iris, k=3, seed=1, max_iterations=50)
    expected = reference("model_glrm_iris")["models"][0]
    out, theirs = model["output"], expected["output"]
    assert model["response_column_name"] is None
    assert out["__meta"] == theirs["__meta"] and out["model_category"] == theirs["model_category"] == "DimReduction"
    for field in ("names", "column_types", "domains"):
        assert out[field] == theirs[field], field
    assert set(theirs) - {"variable_importances"} <= set(out)
    for field in ("model_summary", "scoring_history", "archetypes", "importance"):
        assert table_shape(out[field]) == table_shape(theirs[field]), field
    assert out["archetypes"]["data"][0] == ["Arch1", "Arch2", "Arch3"]
    assert out["scoring_history"]["data"][3] == list(range(50))   # the iterations column counts from 0
    assert (out["iterations"], out["updates"]) == (theirs["iterations"], theirs["updates"]) == (50, 100)
    assert out["model_summary"]["data"][3][0] == pytest.approx(out["objective"])
    assert out["singular_vals"] is None and out["eigenvectors"] is None
    metrics, their_metrics = out["training_metrics"], theirs["training_metrics"]
    assert metrics["__meta"] == their_metrics["__meta"]
    assert set(their_metrics) - {"model_checksum", "frame_checksum"} <= set(metrics)
    assert (metrics["numcnt"], metrics["catcnt"]) == (their_metrics["numcnt"], their_metrics["catcnt"]) == (600, 150)
    assert metrics["numerr"] < 150 * 4 * 1.0 and metrics["caterr"] < 150
    assert [p["name"] for p in model["parameters"]] == [p["name"] for p in expected["parameters"]]
    # The representation X is a frame of its own, named as H2O-3 names it.
    name = out["representation_name"]
    assert name.startswith("GLRMLoading_")
    assert frame_columns(embedded_url, name) == (150, [(f"Arch{i}", "real", None) for i in (1, 2, 3)])


def test_predictions_reconstruct_the_frame_with_glrm_metrics(embedded_url, iris):
    model = train(embedded_url, training_frame=iris, k=3, seed=1, representation_name="iris_x")
    model_id = model["model_id"]["name"]
    answer = requests.post(f"{embedded_url}/3/Predictions/models/{model_id}/frames/{iris}")
    assert answer.status_code == 200, answer.text
    body, theirs = answer.json(), reference("predict_glrm_iris")
    metrics = body["model_metrics"][0]
    assert metrics["__meta"] == theirs["model_metrics"][0]["__meta"]
    assert metrics["numerr"] == pytest.approx(model["output"]["training_metrics"]["numerr"])
    their_columns = [(c["label"], c["type"], c["domain"]) for c in theirs["model_metrics"][0]["predictions"]["columns"]]
    assert frame_columns(embedded_url, body["predictions_frame"]["name"]) == (150, their_columns)
    # Reconstruction is X times the archetypes (no transform here).
    X = download(embedded_url, "iris_x").to_numpy()
    archetypes = model["output"]["archetypes"]
    numbers = np.array([archetypes["data"][j + 4] for j in range(4)]).T   # after the 3 Species levels
    rebuilt = download(embedded_url, body["predictions_frame"]["name"])
    assert rebuilt.iloc[:, :4].to_numpy() == pytest.approx(X @ numbers, abs=1e-9)


def test_project_archetypes_gives_one_row_per_archetype(embedded_url, iris):
    model = train(embedded_url, training_frame=iris, k=2, seed=1, transform="STANDARDIZE")
    model_id = model["model_id"]["name"]
    answer = requests.post(f"{embedded_url}/3/Predictions/models/{model_id}/frames/{iris}",
                           data={"project_archetypes": "true", "reverse_transform": "true"})
    assert answer.status_code == 200, answer.text
    rows, columns = frame_columns(embedded_url, answer.json()["predictions_frame"]["name"])
    assert rows == 2
    assert [c[0] for c in columns] == ["Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width", "Species"]
    assert columns[-1][1] == "enum"
    projected = download(embedded_url, answer.json()["predictions_frame"]["name"])
    iris_df = pd.read_csv("tests/data/iris.csv")
    # Undone standardization: archetypes sit within the data's range.
    for name in ("Sepal.Length", "Petal.Length"):
        assert iris_df[name].min() - 1 <= projected[name].min() <= projected[name].max() <= iris_df[name].max() + 1


def test_missing_cells_come_back_imputed(embedded_url, make_csv):
    rng = np.random.default_rng(0)
    full = rng.normal(size=(200, 3)) @ rng.normal(size=(3, 20))
    hidden = rng.random(full.shape) < 0.2
    path = make_csv(pd.DataFrame(np.where(hidden, np.nan, full), columns=[f"c{j}" for j in range(20)]),
                    "rank3_missing.csv")
    assert import_and_parse(embedded_url, path, "rank3_missing")["status"] == "DONE"
    model = train(embedded_url, training_frame="rank3_missing", k=3, seed=1)
    assert model["output"]["training_metrics"]["numcnt"] == int((~hidden).sum())
    answer = requests.post(f"{embedded_url}/3/Predictions/models/{model['model_id']['name']}/frames/rank3_missing")
    rebuilt = download(embedded_url, answer.json()["predictions_frame"]["name"]).to_numpy()
    assert np.sqrt(np.mean((rebuilt[hidden] - full[hidden]) ** 2)) < 0.01 * full[hidden].std()


@pytest.mark.parametrize("body, fragments", [
    ({"k": 8}, ("k must be between 1 and 7",)),
    ({"k": 0}, ("k", "at least 1")),
    ({"k": 2, "loss": "Logistic"}, ("loss_by_col",)),
    ({"k": 2, "response_column": "Species"}, ("response_column",)),
    ({"k": 2, "user_y": "iris_glrm"}, ("user_y", "init to User")),
    ({"k": 2, "init": "User", "user_y": "no_such_frame"}, ("no_such_frame",)),
    ({"k": 2, "init": "User", "user_x": "iris_glrm"}, ("user_x", "k = 2 columns")),
    ({"k": 2, "model_id": "same", "representation_name": "same"}, ("representation_name",)),
    ({"k": 2, "loss_by_col": ["Absolute", "Huber"]}, ("loss_by_col", "one per column")),
    ({"k": 2, "loss_by_col": ["Hinge"], "loss_by_col_idx": [0]}, ("Hinge", "Sepal.Length")),
    ({"k": 2, "min_step_size": 2.0}, ("min_step_size",)),
    ({"k": 2, "validation_frame": "iris_short"}, ("validation frame", "150 rows")),
])
def test_bad_input_gets_a_clear_error(embedded_url, iris, make_csv, body, fragments):
    if body.get("validation_frame"):
        path = make_csv(pd.read_csv("tests/data/iris.csv").head(20), "iris_short.csv")
        assert import_and_parse(embedded_url, path, "iris_short")["status"] == "DONE"
    assert_refused(embedded_url, start(embedded_url, training_frame=iris, **body), *fragments)


def test_frames_with_too_few_columns_are_refused(embedded_url, make_csv):
    path = make_csv("a,b,c\n" + "".join(f"1,2,{i}\n" for i in range(20)), "mostly_constant.csv")
    assert import_and_parse(embedded_url, path, "mostly_constant")["status"] == "DONE"
    answer = start(embedded_url, training_frame="mostly_constant", k=1)
    assert_h2o_error(answer, 400, "at least two columns", "constant")
    path = make_csv("a,b\n" + "1,2\n" * 20, "all_constant.csv")
    assert import_and_parse(embedded_url, path, "all_constant")["status"] == "DONE"
    assert_h2o_error(start(embedded_url, training_frame="all_constant", k=1), 400, "No predictor columns")
