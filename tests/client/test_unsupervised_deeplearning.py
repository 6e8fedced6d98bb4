"""Deep Learning autoencoders and deep features through the client, against the embedded
engine and a real H2O-3 alike."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from h2odash.client import H2OJobError, H2OServerError

AUTOENCODER = {"autoencoder": True, "ignored_columns": ["ID"], "hidden": [5, 3], "epochs": 5, "seed": 1,
               "activation": "Tanh"}
CATEGORICALS = {"RACE": ["0", "1", "2"], "CAPSULE": ["0", "1"]}   # most levels first, as H2O orders inputs
NUMBERS = ["AGE", "DPROS", "DCAPS", "PSA", "VOL", "GLEASON"]
INPUTS = [f"{name}.{level}" for name, levels in CATEGORICALS.items() for level in [*levels, "missing(NA)"]] + NUMBERS


@pytest.fixture
def prostate(client, data_dir, frame_name):
    return client.import_frame(str(data_dir / "prostate.csv"), destination_frame=frame_name("prostate"),
                               column_types={"CAPSULE": "Enum", "RACE": "Enum"})


@pytest.fixture
def autoencoder(client, prostate, frame_name):
    return client.train("deeplearning", prostate, model_id=frame_name("ae"), **AUTOENCODER)


def predictions(client, model_id, frame, **options):
    return client.frame_to_pandas(client.predict(model_id, frame, **options)["predictions_frame"]["name"])


def inputs_by_hand(df):
    """The inputs as H2O lays them out and normalizes them, computed here from the data."""
    columns = {}
    for name, levels in CATEGORICALS.items():
        values = df[name].astype(str)
        for level in levels:
            columns[f"{name}.{level}"] = (values == level).astype(float)
        columns[f"{name}.missing(NA)"] = df[name].isna().astype(float)
    for name in NUMBERS:
        columns[name] = (df[name] - df[name].mean()) / (df[name].max() - df[name].min())
    return pd.DataFrame(columns)[INPUTS]


def test_autoencoder_model_reads_alike(client, autoencoder):
    model = client.model(autoencoder)
    output = model["output"]
    assert model["response_column_name"] is None
    assert output["model_category"] == "AutoEncoder"
    summary = output["model_summary"]
    assert summary["description"].startswith("auto-encoder, gaussian distribution, Quadratic loss, 140 weights/biases")
    assert summary["data"][2] == [13, 5, 3, 13] and summary["data"][3][-1] == "Tanh"
    metrics = output["training_metrics"]
    assert metrics["__meta"]["schema_name"] == "ModelMetricsAutoEncoderV3"
    assert metrics["nobs"] == 380 and 0 < metrics["MSE"] < 0.2
    assert metrics["RMSE"] == pytest.approx(np.sqrt(metrics["MSE"]))
    assert sorted(output["variable_importances"]["data"][0]) == sorted(INPUTS)


def test_reconstruction_and_its_errors_agree_with_the_data(client, autoencoder, prostate, prostate_df):
    reconstruction = predictions(client, autoencoder, prostate)
    assert list(reconstruction.columns) == [f"reconstr_{name}" for name in INPUTS]
    assert len(reconstruction) == 380
    error = predictions(client, autoencoder, prostate, reconstruction_error=True)
    assert list(error.columns) == ["Reconstruction.MSE"]
    # Mean over rows: the training MSE.
    training_mse = client.model(autoencoder)["output"]["training_metrics"]["MSE"]
    assert error["Reconstruction.MSE"].mean() == pytest.approx(training_mse, rel=1e-5)
    # Per row: the mean squared difference of the normalized inputs and their reconstruction.
    Z = inputs_by_hand(prostate_df).to_numpy()
    restored = reconstruction.to_numpy()
    numbers = slice(len(INPUTS) - len(NUMBERS), None)
    span = (prostate_df[NUMBERS].max() - prostate_df[NUMBERS].min()).to_numpy()
    restored[:, numbers] = (restored[:, numbers] - prostate_df[NUMBERS].mean().to_numpy()) / span
    by_hand = ((restored - Z) ** 2).mean(axis=1)
    np.testing.assert_allclose(error["Reconstruction.MSE"], by_hand, rtol=1e-4, atol=1e-7)
    per_input = predictions(client, autoencoder, prostate, reconstruction_error_per_feature=True)
    assert list(per_input.columns) == [f"reconstr_{name}.SE" for name in INPUTS]
    np.testing.assert_allclose(per_input.mean(axis=1), error["Reconstruction.MSE"], rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize("layer, units", [(0, 5), (1, 3)])
def test_deep_features_are_the_hidden_layers_activations(client, autoencoder, prostate, layer, units):
    features = predictions(client, autoencoder, prostate, deep_features_hidden_layer=layer)
    assert list(features.columns) == [f"DF.L{layer + 1}.C{j}" for j in range(1, units + 1)]
    assert len(features) == 380
    assert features.abs().to_numpy().max() <= 1.0   # Tanh units


def test_outliers_have_the_largest_reconstruction_error(client, make_csv, frame_name):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, 2)) @ rng.normal(size=(2, 8)) + 0.05 * rng.normal(size=(2000, 8))
    outliers = rng.choice(2000, 20, replace=False)
    X[outliers] = rng.normal(scale=3.0, size=(20, 8))
    frame = client.import_frame(str(make_csv(pd.DataFrame(X, columns=[f"x{i}" for i in range(8)]))),
                                destination_frame=frame_name("cloud"))
    model_id = client.train("deeplearning", frame, autoencoder=True, hidden=[4], epochs=20, seed=1, activation="Tanh")
    error = predictions(client, model_id, frame, reconstruction_error=True)["Reconstruction.MSE"]
    labels = np.isin(np.arange(2000), outliers)
    assert roc_auc_score(labels, error) > 0.95


def test_supervised_networks_give_deep_features_and_refuse_reconstructions(client, prostate):
    model_id = client.train("deeplearning", prostate, "CAPSULE", ignored_columns=["ID"], hidden=[4, 2], epochs=1,
                            seed=1)
    features = predictions(client, model_id, prostate, deep_features_hidden_layer=1)
    assert list(features.columns) == ["DF.L2.C1", "DF.L2.C2"]
    with pytest.raises(H2OServerError):
        client.predict(model_id, prostate, reconstruction_error=True)


@pytest.mark.parametrize("options", [
    {"deep_features_hidden_layer": 2},
    {"deep_features_hidden_layer": 0, "reconstruction_error": True},
])
def test_predictions_an_autoencoder_cannot_make_are_refused(client, autoencoder, prostate, options):
    with pytest.raises(H2OServerError):
        client.predict(autoencoder, prostate, **options)


@pytest.mark.parametrize("given", [
    {"activation": "Maxout"},
    {"nfolds": 3},
    {"stopping_metric": "AUC"},
    {"loss": "CrossEntropy"},
])
def test_autoencoders_h2o_refuses_are_refused(client, prostate, given):
    with pytest.raises((H2OServerError, H2OJobError)):
        client.train("deeplearning", prostate, **{**AUTOENCODER, **given})
