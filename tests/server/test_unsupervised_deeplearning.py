"""Deep Learning autoencoders over HTTP: the seed's ModelBuilders flow, the model and its
predictions (reconstruction, reconstruction error, deep features) in H2O-3's shapes."""

import numpy as np
import pytest
import requests

from tests.server.conftest import assert_h2o_error, train_model, wait_job

# What a live H2O-3 3.46 answers for an autoencoder on prostate without ID, CAPSULE and RACE
# categorical (read once, by hand): the reconstructed inputs and the layer table's columns.
RECONSTRUCTED = ["RACE.0", "RACE.1", "RACE.2", "RACE.missing(NA)", "CAPSULE.0", "CAPSULE.1", "CAPSULE.missing(NA)",
                 "AGE", "DPROS", "DCAPS", "PSA", "VOL", "GLEASON"]
AUTOENCODER = {"autoencoder": True, "ignored_columns": ["ID"], "hidden": [5, 3], "epochs": 5, "seed": 1,
               "activation": "Tanh"}
LAYER_COLUMNS = [("", "string"), ("layer", "int"), ("units", "int"), ("type", "string"), ("dropout", "double"),
                 ("l1", "double"), ("l2", "double"), ("mean_rate", "double"), ("rate_rms", "double"),
                 ("momentum", "double"), ("mean_weight", "double"), ("weight_rms", "double"), ("mean_bias", "double"),
                 ("bias_rms", "double")]


@pytest.fixture(scope="module")
def prostate(embedded_url, data_dir):
    """prostate with CAPSULE and RACE categorical."""
    keys = requests.post(f"{embedded_url}/3/ImportFiles",
                         json={"path": str(data_dir / "prostate.csv")}).json()["destination_frames"]
    types = ["Numeric", "Enum", "Numeric", "Enum"] + ["Numeric"] * 5
    job = requests.post(f"{embedded_url}/3/Parse", json={"source_frames": keys, "destination_frame": "prostate_ae",
                                                         "column_types": types}).json()["job"]
    assert wait_job(embedded_url, job["key"]["name"])["status"] == "DONE"
    return "prostate_ae"


@pytest.fixture(scope="module")
def model(embedded_url, prostate):
    return train_model(embedded_url, "deeplearning", training_frame=prostate, **AUTOENCODER)


def predict(url, model, frame, **options):
    model_id = model["model_id"]["name"]
    answer = requests.post(f"{url}/3/Predictions/models/{model_id}/frames/{frame}", json=options)
    assert answer.status_code == 200, answer.text
    name = answer.json()["predictions_frame"]["name"]
    frame = requests.get(f"{url}/3/Frames/{name}", params={"row_count": 5}).json()["frames"][0]
    return answer.json(), frame


def test_builder_declares_response_column_optional_and_autoencoders_buildable(embedded_url):
    builder = requests.get(f"{embedded_url}/3/ModelBuilders/deeplearning").json()["model_builders"]["deeplearning"]
    parameters = {p["name"]: p for p in builder["parameters"]}
    assert parameters["response_column"]["required"] is False
    assert "AutoEncoder" in builder["can_build"]


def test_model_reads_as_h2o_shapes_an_autoencoder(model):
    out = model["output"]
    assert model["response_column_name"] is None
    assert out["model_category"] == "AutoEncoder"
    assert out["__meta"]["schema_name"] == "DeepLearningModelOutputV3"
    summary = out["model_summary"]
    assert summary["name"] == "Status of Neuron Layers"
    assert [(c["name"], c["type"]) for c in summary["columns"]] == LAYER_COLUMNS
    assert out["model_summary"]["description"].startswith("auto-encoder, gaussian distribution, Quadratic loss")
    assert out["model_summary"]["data"][2] == [13, 5, 3, 13]          # units: inputs, hidden, reconstruction
    assert out["model_summary"]["data"][3][-1] == "Tanh"
    metrics = out["training_metrics"]
    assert metrics["__meta"]["schema_name"] == "ModelMetricsAutoEncoderV3"
    assert metrics["model_category"] == "AutoEncoder" and metrics["nobs"] == 380
    assert metrics["RMSE"] == pytest.approx(np.sqrt(metrics["MSE"]))
    history = out["scoring_history"]
    names = [c["name"] for c in history["columns"]]
    assert {"epochs", "training_rmse", "training_mse"} <= set(names)
    assert history["data"][names.index("training_mse")][-1] >= metrics["MSE"] * 0.999
    assert sorted(out["variable_importances"]["data"][0]) == sorted(RECONSTRUCTED)


def test_predictions_are_the_reconstruction_by_default(embedded_url, model, prostate):
    body, frame = predict(embedded_url, model, prostate)
    assert [c["label"] for c in frame["columns"]] == [f"reconstr_{name}" for name in RECONSTRUCTED]
    assert frame["rows"] == 380
    assert body["model_metrics"][0]["__meta"]["schema_name"] == "ModelMetricsAutoEncoderV3"


def test_reconstruction_error_is_one_column_whose_mean_is_the_training_mse(embedded_url, model, prostate):
    _, frame = predict(embedded_url, model, prostate, reconstruction_error=True)
    assert [(c["label"], c["type"]) for c in frame["columns"]] == [("Reconstruction.MSE", "real")]
    assert frame["rows"] == 380
    assert frame["columns"][0]["mean"] == pytest.approx(model["output"]["training_metrics"]["MSE"], rel=1e-6)


def test_reconstruction_error_per_feature(embedded_url, model, prostate):
    _, frame = predict(embedded_url, model, prostate, reconstruction_error_per_feature=True)
    assert [c["label"] for c in frame["columns"]] == [f"reconstr_{name}.SE" for name in RECONSTRUCTED]


@pytest.mark.parametrize("layer, units", [(0, 5), (1, 3)])
def test_deep_features_are_a_hidden_layers_activations(embedded_url, model, prostate, layer, units):
    _, frame = predict(embedded_url, model, prostate, deep_features_hidden_layer=layer)
    assert [(c["label"], c["type"]) for c in frame["columns"]] == [
        (f"DF.L{layer + 1}.C{j}", "real") for j in range(1, units + 1)]
    assert frame["rows"] == 380
    assert all(-1 <= c["mins"][0] and c["maxs"][0] <= 1 for c in frame["columns"])   # Tanh units


def test_supervised_deep_learning_gives_deep_features(embedded_url, prostate):
    model = train_model(embedded_url, "deeplearning", training_frame=prostate, response_column="CAPSULE",
                        ignored_columns=["ID"], hidden=[4, 2], epochs=1, seed=1)
    body, frame = predict(embedded_url, model, prostate, deep_features_hidden_layer=1)
    assert [c["label"] for c in frame["columns"]] == ["DF.L2.C1", "DF.L2.C2"]
    assert body["model_metrics"] == []
    model_id = model["model_id"]["name"]
    answer = requests.post(f"{embedded_url}/3/Predictions/models/{model_id}/frames/{prostate}",
                           json={"reconstruction_error": True})
    assert_h2o_error(answer, 400, "reconstruction_error", "autoencoder")


@pytest.mark.parametrize("options, fragments", [
    ({"deep_features_hidden_layer": 2}, ("deep_features_hidden_layer", "from 0 to 1")),
    ({"deep_features_hidden_layer": -1}, ("deep_features_hidden_layer",)),
    ({"deep_features_hidden_layer": 0, "reconstruction_error": True}, ("either",)),
    ({"project_archetypes": True}, ("project_archetypes",)),
])
def test_predictions_it_cannot_make_are_refused(embedded_url, model, prostate, options, fragments):
    model_id = model["model_id"]["name"]
    answer = requests.post(f"{embedded_url}/3/Predictions/models/{model_id}/frames/{prostate}", json=options)
    assert_h2o_error(answer, 400, *fragments)


@pytest.mark.parametrize("body, fragments", [
    ({"activation": "Maxout"}, ("Maxout", "autoencoders")),
    ({"loss": "CrossEntropy"}, ("loss",)),
    ({"distribution": "bernoulli"}, ("distribution",)),
    ({"stopping_metric": "AUC"}, ("stopping_metric",)),
    ({"nfolds": 3}, ("Cross-validation",)),
    ({"response_column": "CAPSULE"}, ("response_column",)),
])
def test_bad_autoencoder_requests_get_a_clear_error(embedded_url, prostate, body, fragments):
    answer = requests.post(f"{embedded_url}/3/ModelBuilders/deeplearning",
                           json={"training_frame": prostate, **AUTOENCODER, **body})
    assert_h2o_error(answer, 400, *fragments)


def test_supervised_request_without_response_is_still_refused(embedded_url, prostate):
    answer = requests.post(f"{embedded_url}/3/ModelBuilders/deeplearning", json={"training_frame": prostate})
    assert_h2o_error(answer, 400, "response_column", "required")
