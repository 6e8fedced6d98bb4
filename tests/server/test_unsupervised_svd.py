"""SVD over HTTP, under /3 (the seed's flow) and /99 (where H2O-3 serves it), answered in H2O-3's
shapes and numbers."""

import numpy as np
import pytest
import requests

from tests.server.conftest import assert_refused, import_and_parse, reference, wait_job
from tests.server.test_unsupervised_pca import assert_predicts_as_h2o, full_shape


@pytest.fixture(scope="module")
def iris(embedded_url, data_dir):
    assert import_and_parse(embedded_url, data_dir / "iris.csv", "iris_svd")["status"] == "DONE"
    return "iris_svd"


def train(url, version=99, **body):
    answer = requests.post(f"{url}/{version}/ModelBuilders/svd", json=body)
    assert answer.status_code == 200, answer.text
    job = wait_job(url, answer.json()["job"]["key"]["name"])
    assert job["status"] == "DONE", job["exception"]
    return requests.get(f"{url}/3/Models/{job['dest']['name']}").json()["models"][0]


def frame_of(url, name):
    frame = requests.get(f"{url}/3/Frames/{name}", params={"row_count": 200}).json()["frames"][0]
    return [c["label"] for c in frame["columns"]], np.array([c["data"] for c in frame["columns"]]).T


def test_the_builder_is_h2os_experimental_v99_one(embedded_url):
    builder = requests.get(f"{embedded_url}/3/ModelBuilders/svd").json()["model_builders"]["svd"]
    # H2O-3 3.46 answers the same (captured in ../shared/reference/h2o-3.46.0.12/modelbuilders/svd.json).
    assert builder["__meta"] == {"schema_version": 99, "schema_name": "SVDV99", "schema_type": "SVD"}
    assert (builder["visibility"], builder["can_build"], builder["supervised"]) == ("Experimental", ["DimReduction"],
                                                                                     False)


@pytest.mark.parametrize("version", [3, 99])
def test_model_reads_as_h2o_shapes_it_with_h2os_numbers(embedded_url, iris, version):
    # The reference is H2O-3's answer to the same request (nv=3, GramSVD, transform NONE).
    model = train(embedded_url, version, training_frame=iris, nv=3, seed=1)
    expected = reference("model_svd_iris")["models"][0]
    out, theirs = model["output"], expected["output"]
    assert model["__meta"] == expected["__meta"] and out["__meta"] == theirs["__meta"]
    assert out["model_category"] == theirs["model_category"] == "DimReduction"
    for field in ("names", "column_types", "domains", "scoring_history", "training_metrics", "validation_metrics"):
        assert out[field] == theirs[field], field
    assert set(theirs) - {"help", "reproducibility_information_table"} <= set(out)
    assert full_shape(out["model_summary"]) == full_shape(theirs["model_summary"])
    np.testing.assert_allclose(out["d"], theirs["d"], rtol=1e-9)
    np.testing.assert_allclose(np.ravel(out["model_summary"]["data"][1:]), theirs["d"], rtol=1e-9)
    assert [p["name"] for p in model["parameters"]] == [p["name"] for p in expected["parameters"]]
    # V and U are frames: a row per expanded column, a row per training row.
    for field in ("v_key", "u_key"):
        assert out[field]["__meta"] == theirs[field]["__meta"]
        assert out[field]["name"].startswith(theirs[field]["name"][:12])   # SVDUMatrix__, SVDVMatrix__
    names, v = frame_of(embedded_url, out["v_key"]["name"])
    assert names == ["C1", "C2", "C3"] and v.shape == (7, 3)
    names, u = frame_of(embedded_url, out["u_key"]["name"])
    assert names == ["C1", "C2", "C3"] and u.shape == (150, 3)
    np.testing.assert_allclose(u.T @ u, np.eye(3), atol=1e-9)


def test_u_takes_the_name_given_and_keep_u_false_keeps_none(embedded_url, iris):
    model = train(embedded_url, training_frame=iris, nv=2, u_name="iris_u")
    assert model["output"]["u_key"]["name"] == "iris_u"
    assert requests.get(f"{embedded_url}/3/Frames/iris_u").status_code == 200
    model = train(embedded_url, training_frame=iris, nv=2, keep_u=False)
    assert model["output"]["u_key"] is None


def test_predictions_are_h2os_projections(embedded_url, iris):
    model = train(embedded_url, training_frame=iris, nv=3, seed=1)
    assert_predicts_as_h2o(embedded_url, model, iris, "predict_svd_iris")


@pytest.mark.parametrize("body, fragments", [
    ({"nv": 8}, ("nv must be between 1 and 7",)),
    ({"nv": 0}, ("nv", "at least 1")),
    ({"nv": 2, "svd_method": "GLRM"}, ("svd_method", "GramSVD")),
    ({"nv": 2, "u_name": "iris_svd"}, ("u_name",)),
    ({"nv": 2, "impute_missing": True}, ("impute_missing",)),
])
def test_bad_input_gets_a_clear_error(embedded_url, iris, body, fragments):
    answer = requests.post(f"{embedded_url}/99/ModelBuilders/svd", json={"training_frame": iris, **body})
    assert_refused(embedded_url, answer, *fragments)


def test_deleting_the_model_deletes_the_frames_it_made(embedded_url, iris):
    model = train(embedded_url, training_frame=iris, nv=2, u_name="iris_u_deleted")
    made = [model["output"]["u_key"]["name"], model["output"]["v_key"]["name"]]
    assert all(requests.get(f"{embedded_url}/3/Frames/{key}").status_code == 200 for key in made)
    assert requests.delete(f"{embedded_url}/3/Models/{model['model_id']['name']}").status_code == 200
    assert all(requests.get(f"{embedded_url}/3/Frames/{key}").status_code == 404 for key in made)
    assert requests.get(f"{embedded_url}/3/Frames/{iris}").status_code == 200
