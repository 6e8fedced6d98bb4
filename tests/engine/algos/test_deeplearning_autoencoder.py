"""Deep Learning autoencoders and deep features: outliers reconstruct worst, H2O's input layout,
reconstructions and errors that agree with a computation by hand, and what is refused."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from h2odash.engine.algos.base import Monitor
from h2odash.engine.algos.deeplearning import ALGORITHM as DL
from h2odash.engine.errors import InvalidArgument

from .training_sets import fit, prostate, unsupervised_set

SMALL = {"autoencoder": True, "hidden": [5, 3], "epochs": 5, "seed": 1}
# H2O-3's reconstruction columns for prostate without ID, read from a live H2O-3 3.46.
PROSTATE_INPUTS = ["RACE.0", "RACE.1", "RACE.2", "RACE.missing(NA)", "CAPSULE.0", "CAPSULE.1",
                   "CAPSULE.missing(NA)", "AGE", "DPROS", "DCAPS", "PSA", "VOL", "GLEASON"]


def autoencoder(df, enums=(), ignored=(), monitor=None, **given):
    """(fitted, TrainingSet) of an autoencoder on ``df``."""
    _, _, params, data = unsupervised_set(DL, df, enums=enums, ignored=ignored, **{**SMALL, **given})
    return DL.fit(data, params, monitor or Monitor()), data


def prostate_autoencoder(**given):
    return autoencoder(prostate(), enums=["CAPSULE", "RACE"], ignored=["ID"], **given)


def cloud_with_outliers(n=2000, outliers=20, seed=0):
    """Eight columns driven by two hidden factors (plus a little noise), and a few rows that
    follow no such pattern; returns (DataFrame, 0/1 outlier labels)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2)) @ rng.normal(size=(2, 8)) + 0.05 * rng.normal(size=(n, 8))
    rows = rng.choice(n, outliers, replace=False)
    X[rows] = rng.normal(scale=3.0, size=(outliers, 8))
    labels = np.zeros(n)
    labels[rows] = 1
    return pd.DataFrame(X, columns=[f"x{i}" for i in range(8)]), labels


def normalized(df):
    """H2O's NORMALIZE by hand: (x - mean) / (max - min) per column."""
    return (df - df.mean()) / (df.max() - df.min())


@pytest.mark.parametrize("activation", ["Tanh", "Rectifier"])
def test_outliers_have_the_largest_reconstruction_error(activation):
    df, labels = cloud_with_outliers()
    fitted, data = autoencoder(df, hidden=[4], epochs=20, activation=activation)
    error = fitted.predict_columns(data.X, reconstruction_error=True)["Reconstruction.MSE"]
    assert roc_auc_score(labels, error) > 0.95
    # The cloud itself is reconstructed well: its rows' error is far below the outliers'.
    assert np.median(error[labels == 0]) < 0.1 * np.median(error[labels == 1])


def test_reconstruction_error_is_the_mean_squared_error_of_the_normalized_reconstruction():
    df, _ = cloud_with_outliers(n=500)
    fitted, data = autoencoder(df, activation="Tanh")
    columns = fitted.predict_columns(data.X)
    assert list(columns) == [f"reconstr_{name}" for name in df.columns]
    reconstruction = pd.DataFrame({name: columns[f"reconstr_{name}"] for name in df.columns})
    # Normalize the reconstruction (in the data's units) with the data's own statistics.
    scale = df.max() - df.min()
    by_hand = (((reconstruction - df) / scale) ** 2).mean(axis=1).to_numpy()
    error = fitted.predict_columns(data.X, reconstruction_error=True)["Reconstruction.MSE"]
    np.testing.assert_allclose(error, by_hand, rtol=1e-5, atol=1e-9)
    per_input = fitted.predict_columns(data.X, reconstruction_error_per_feature=True)
    assert list(per_input) == [f"reconstr_{name}.SE" for name in df.columns]
    np.testing.assert_allclose(np.mean(list(per_input.values()), axis=0), error, rtol=1e-9)
    # reconstruction_error_per_feature wins over reconstruction_error, as in H2O.
    assert list(fitted.predict_columns(data.X, reconstruction_error=True, reconstruction_error_per_feature=True)) \
        == list(per_input)


def test_metrics_are_the_mean_reconstruction_error():
    fitted, data = prostate_autoencoder()
    error = fitted.predict_columns(data.X, reconstruction_error=True)["Reconstruction.MSE"]
    metrics = fitted.metrics(data.X, data.w)
    assert metrics["MSE"] == pytest.approx(error.mean(), rel=1e-9)
    assert metrics["RMSE"] == pytest.approx(np.sqrt(error.mean()), rel=1e-9)
    assert metrics["nobs"] == 380


def test_inputs_are_laid_out_as_h2o_lays_them_out():
    fitted, data = prostate_autoencoder()
    assert fitted.input_names == PROSTATE_INPUTS
    assert list(fitted.predict_columns(data.X)) == [f"reconstr_{name}" for name in PROSTATE_INPUTS]
    df = prostate()
    Z = fitted.scaling.normalized(data.X)
    np.testing.assert_allclose(Z[:, 0:3].sum(axis=1), 1.0)        # one RACE level per row
    np.testing.assert_array_equal(Z[:, 3], 0.0)                   # and none is missing
    np.testing.assert_allclose(Z[:, 7:], normalized(df[["AGE", "DPROS", "DCAPS", "PSA", "VOL", "GLEASON"]]),
                               rtol=1e-5, atol=1e-6)


def test_categoricals_come_first_most_levels_first_ordered_as_h2o_orders_ties():
    # Read from a live H2O-3: with b and a both of two levels (b first in the frame), H2O puts
    # the three-level c first and then a before b.
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"x": rng.random(60), "b": rng.choice(["P", "Q"], 60), "a": rng.choice(["U", "V"], 60),
                       "c": rng.choice(["K", "L", "M"], 60), "y": rng.random(60)})
    fitted, _ = autoencoder(df, hidden=[2], epochs=1)
    assert fitted.input_names == ["c.K", "c.L", "c.M", "c.missing(NA)", "a.U", "a.V", "a.missing(NA)",
                                  "b.P", "b.Q", "b.missing(NA)", "x", "y"]


def test_missing_values_go_to_the_missing_input_or_the_mean():
    df = pd.DataFrame({"level": ["a", "b", None, "a", "b", "a"] * 10, "number": [1.0, 2.0, 3.0, None, 5.0, 6.0] * 10})
    fitted, data = autoencoder(df, enums=["level"], hidden=[2], epochs=1)
    assert fitted.input_names == ["level.a", "level.b", "level.missing(NA)", "number"]
    Z = fitted.scaling.normalized(data.X)
    np.testing.assert_array_equal(Z[2, :3], [0.0, 0.0, 1.0])
    assert Z[3, 3] == 0.0                                  # a missing number stands at the mean
    assert Z[0, 3] == pytest.approx((1.0 - 3.4) / 5.0)     # (x - mean) / (max - min)


def test_a_missing_input_never_seen_has_no_importance():
    fitted, _ = prostate_autoencoder()
    importances = dict(fitted.variable_importances())
    assert importances["RACE.missing(NA)"] == 0.0 and importances["CAPSULE.missing(NA)"] == 0.0
    assert max(importances.values()) == pytest.approx(1.0)


def test_without_standardize_inputs_keep_their_units():
    df, _ = cloud_with_outliers(n=300)
    fitted, data = autoencoder(df, standardize=False)
    np.testing.assert_allclose(fitted.scaling.normalized(data.X), df.to_numpy(), rtol=1e-5, atol=1e-5)


def forward_by_hand(fitted, Z, layer, activation):
    a = np.asarray(Z, dtype=np.float64)
    for W, b in zip(fitted.net.weights[:layer + 1], fitted.net.biases[:layer + 1]):
        z = a @ np.asarray(W, dtype=np.float64) + b
        a = np.tanh(z) if activation == "tanh" else np.maximum(z, 0.0)
    return a


@pytest.mark.parametrize("activation", ["Tanh", "Rectifier"])
def test_deep_features_are_the_hidden_layer_activations(activation):
    fitted, data = prostate_autoencoder(hidden=[6, 3], activation=activation)
    Z = fitted.scaling.normalized(data.X)
    for layer, units in enumerate([6, 3]):
        features = fitted.predict_columns(data.X, deep_features_hidden_layer=layer)
        assert list(features) == [f"DF.L{layer + 1}.C{j + 1}" for j in range(units)]
        by_hand = forward_by_hand(fitted, Z, layer, activation.lower())
        np.testing.assert_allclose(np.column_stack(list(features.values())), by_hand, rtol=1e-4, atol=1e-5)


def test_supervised_networks_give_deep_features_too():
    fitted, data = fit(DL, prostate(), "CAPSULE", enums=["CAPSULE"], ignored=["ID"], hidden=[7, 4], epochs=2,
                       seed=1, activation="Tanh")
    features = fitted.predict_columns(data.X, deep_features_hidden_layer=1)
    assert list(features) == [f"DF.L2.C{j}" for j in range(1, 5)]
    assert features["DF.L2.C1"].shape == (380,)
    np.testing.assert_allclose(np.column_stack(list(features.values())),
                               forward_by_hand(fitted, data.X, 1, "tanh"), rtol=1e-4, atol=1e-5)
    maxout, data = fit(DL, prostate(), "CAPSULE", enums=["CAPSULE"], ignored=["ID"], hidden=[5], epochs=1, seed=1,
                       activation="Maxout")
    assert len(maxout.predict_columns(data.X, deep_features_hidden_layer=0)) == 5   # units, not channels
    with pytest.raises(InvalidArgument, match="reconstruction_error"):
        fitted.predict_columns(data.X, reconstruction_error=True)


@pytest.mark.parametrize("layer", [-1, 2, 7])
def test_deep_features_of_a_layer_that_does_not_exist_are_refused(layer):
    fitted, data = prostate_autoencoder()
    with pytest.raises(InvalidArgument, match="from 0 to 1"):
        fitted.predict_columns(data.X, deep_features_hidden_layer=layer)


def test_deep_features_and_reconstruction_error_together_are_refused():
    fitted, data = prostate_autoencoder()
    with pytest.raises(InvalidArgument, match="either"):
        fitted.predict_columns(data.X, deep_features_hidden_layer=0, reconstruction_error=True)
    with pytest.raises(InvalidArgument, match="project_archetypes"):
        fitted.predict_columns(data.X, project_archetypes=True)


class Recorder(Monitor):
    """The framework's side of an unsupervised fit: keeps the rows the learner records."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.rows = []

    def record(self, done, total, row):
        self.rows.append(row)
        return super().record(done, total, row)


def test_scoring_history_records_the_training_mse_and_the_best_weights_are_kept():
    recorder = Recorder()
    fitted, data = prostate_autoencoder(epochs=8, score_each_iteration=True, stopping_rounds=0, monitor=recorder)
    epochs = [row["epochs"] for row in recorder.rows]
    assert epochs == pytest.approx([1, 2, 3, 4, 5, 6, 7, 8])
    mse = [row["training_mse"] for row in recorder.rows]
    assert all(row["training_rmse"] == pytest.approx(np.sqrt(row["training_mse"])) for row in recorder.rows)
    assert mse[-1] < mse[0]
    # overwrite_with_best_model: the model is the one that scored best (all 380 rows are scored).
    assert fitted.metrics(data.X, data.w)["MSE"] == pytest.approx(min(mse), rel=1e-5)


def test_early_stopping_watches_the_reconstruction_error():
    # A tolerance no improvement can meet: stop once 2 scorings do not beat the 2 before them.
    recorder = Recorder()
    prostate_autoencoder(epochs=50, score_each_iteration=True, stopping_rounds=2, stopping_tolerance=10.0,
                         monitor=recorder)
    assert len(recorder.rows) == 4


def test_validation_frame_is_scored_too():
    _, _, params, data = unsupervised_set(DL, prostate(), enums=["CAPSULE", "RACE"], ignored=["ID"],
                                          **{**SMALL, "score_each_iteration": True})
    data.valid = data.__class__(data.X[:100], None, data.w[:100], data.spec)
    recorder = Recorder()
    DL.fit(data, params, recorder)
    assert {"validation_rmse", "validation_mse"} <= set(recorder.rows[-1])


def test_model_summary_describes_an_autoencoder():
    fitted, _ = prostate_autoencoder(activation="TanhWithDropout", hidden_dropout_ratios=[0.1, 0.2])
    table = fitted.output()["model_summary"]
    assert table.description.startswith("auto-encoder, gaussian distribution, Quadratic loss, 140 weights/biases")
    rows = table.rows
    assert [row[2] for row in rows] == [13, 5, 3, 13]
    assert [row[3] for row in rows] == ["Input", "TanhDropout", "TanhDropout", "Tanh"]


@pytest.mark.parametrize("loss, distribution", [("Absolute", "laplace"), ("Huber", "huber")])
def test_other_losses_train(loss, distribution):
    fitted, data = prostate_autoencoder(loss=loss, activation="Tanh")
    assert fitted.settings.distribution == distribution
    assert fitted.metrics(data.X, data.w)["MSE"] < 0.2


@pytest.mark.parametrize("given, argument", [
    ({"activation": "Maxout"}, "activation"),
    ({"activation": "MaxoutWithDropout"}, "activation"),
    ({"loss": "CrossEntropy"}, "loss"),
    ({"loss": "Quantile"}, "loss"),
    ({"distribution": "bernoulli"}, "distribution"),
    ({"distribution": "poisson"}, "distribution"),
    ({"distribution": "laplace", "loss": "Quadratic"}, "loss"),
    ({"stopping_metric": "logloss"}, "stopping_metric"),
    ({"sparsity_beta": 0.1}, "sparsity_beta"),
])
def test_what_an_autoencoder_cannot_do_is_refused(given, argument):
    with pytest.raises(InvalidArgument) as raised:
        unsupervised_set(DL, prostate(), enums=["CAPSULE", "RACE"], ignored=["ID"], **{**SMALL, **given})
    assert raised.value.argument == argument


def test_autoencoder_is_the_only_deep_learning_without_a_response():
    assert DL.unsupervised_category({"autoencoder": True}) == "AutoEncoder"
    assert DL.unsupervised_category({"autoencoder": False}) is None
    assert not DL.parameters["response_column"].required
