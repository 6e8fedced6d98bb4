"""Deep Learning: learns what a linear model cannot, H2O-3's parameters and options, reproducibility."""


import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from h2odash.engine.algos.base import Monitor
from h2odash.engine.algos.deeplearning import ACTIVATIONS, ALGORITHM as DL, batch_rows, gedeon_importances
from h2odash.engine.errors import InvalidArgument

from .training_sets import DATA_DIR, fit, prepared, prostate, xor_frame

SMALL = {"hidden": [16, 16], "epochs": 5, "seed": 7}


def weights_of(fitted):
    return [W.copy() for W in fitted.net.weights]


def test_binomial_probabilities_have_two_columns_summing_to_one():
    fitted, data = fit(DL, prostate(), "CAPSULE", enums=["CAPSULE"], ignored=["ID"], **SMALL)
    p = fitted.predict(data.X)
    assert p.shape == (380, 2)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-12)


def test_multinomial_learns_iris():
    df = pd.read_csv(DATA_DIR / "iris.csv")
    fitted, data = fit(DL, df, "Species", hidden=[20], epochs=20, seed=1)
    p = fitted.predict(data.X)
    assert p.shape == (150, 3)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-12)
    assert (p.argmax(axis=1) == data.y).mean() > 0.9


def test_regression_predicts_in_response_units():
    rng = np.random.default_rng(0)
    x = rng.uniform(-3, 3, (2000, 2))
    df = pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "y": 100 + 20 * np.sin(x[:, 0]) + 5 * x[:, 1]})
    fitted, data = fit(DL, df, "y", hidden=[32, 32], epochs=20, seed=1)
    pred = fitted.predict(data.X)
    assert pred.shape == (2000,)
    r2 = 1 - np.mean((pred - data.y) ** 2) / np.var(data.y)
    assert r2 > 0.9


def test_prostate_capsule_auc_on_held_out_rows():
    df = prostate()
    train, test = df.iloc[:280], df.iloc[280:]
    fitted, _ = fit(DL, train, "CAPSULE", enums=["CAPSULE"], ignored=["ID"], seed=1)
    _, _, _, held_out = prepared(DL, test, "CAPSULE", enums=["CAPSULE"], ignored=["ID"])
    assert roc_auc_score(held_out.y, fitted.predict(held_out.X)[:, 1]) > 0.75


def test_learns_xor_which_a_linear_model_cannot():
    df = xor_frame()
    fitted, data = fit(DL, df, "y", hidden=[32, 32], epochs=20, seed=3)
    accuracy = (fitted.predict(data.X).argmax(axis=1) == data.y).mean()
    baseline = LogisticRegression().fit(data.X, data.y).score(data.X, data.y)
    assert baseline < 0.65
    assert accuracy > 0.9


def test_same_seed_same_model_other_seed_other_model():
    df = xor_frame(500)
    first, data = fit(DL, df, "y", **SMALL)
    again, _ = fit(DL, df, "y", **SMALL)
    other, _ = fit(DL, df, "y", **{**SMALL, "seed": 8})
    np.testing.assert_array_equal(first.predict(data.X), again.predict(data.X))
    assert not np.allclose(first.predict(data.X), other.predict(data.X))


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_every_activation_trains(activation):
    df = xor_frame(1000)
    fitted, data = fit(DL, df, "y", activation=activation, hidden=[32, 32], epochs=30, seed=2)
    p = fitted.predict(data.X)
    assert np.isfinite(p).all()
    assert roc_auc_score(data.y, p[:, 1]) > 0.8
    layers = fitted.output()["model_summary"]
    expected = activation.replace("WithDropout", "Dropout")
    assert layers.column("type") == ["Input", expected, expected, "Softmax"]


@pytest.mark.parametrize("option", [
    {"input_dropout_ratio": 0.2},
    {"activation": "RectifierWithDropout", "hidden_dropout_ratios": [0.3, 0.1]},
    {"l1": 1e-3},
    {"l2": 1e-3},
    {"max_w2": 0.5},
])
def test_regularisation_changes_the_weights(option):
    df = xor_frame(500)
    plain, _ = fit(DL, df, "y", **SMALL)
    regularised, _ = fit(DL, df, "y", **SMALL, **option)
    assert any(not np.allclose(a, b) for a, b in zip(weights_of(plain), weights_of(regularised)))


def test_penalties_shrink_the_weights():
    df = xor_frame(500)
    plain, _ = fit(DL, df, "y", **SMALL)
    l1, _ = fit(DL, df, "y", **SMALL, l1=1e-2)
    l2, _ = fit(DL, df, "y", **SMALL, l2=1e-2)
    size = lambda f, order: sum(np.abs(W) .sum() if order == 1 else (W * W).sum() for W in weights_of(f))
    assert size(l1, 1) < size(plain, 1)
    assert size(l2, 2) < size(plain, 2)
    capped, _ = fit(DL, df, "y", **SMALL, max_w2=0.5)
    assert max((W * W).sum(axis=0).max() for W in weights_of(capped)) <= 0.5 + 1e-5


def test_learning_rate_with_momentum_trains():
    df = xor_frame(1000)
    for nesterov in (True, False):
        fitted, data = fit(DL, df, "y", hidden=[32, 32], epochs=20, seed=1, adaptive_rate=False, rate=0.01,
                           momentum_start=0.5, momentum_stable=0.9, momentum_ramp=5000,
                           nesterov_accelerated_gradient=nesterov)
        assert roc_auc_score(data.y, fitted.predict(data.X)[:, 1]) > 0.8


@pytest.mark.parametrize("distribution, loss", [
    ("AUTO", "Absolute"), ("AUTO", "Huber"), ("quantile", "Automatic"), ("poisson", "Automatic"),
    ("gamma", "Automatic"), ("tweedie", "Automatic"),
])
def test_regression_distributions_and_losses(distribution, loss):
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 1, (1000, 2))
    df = pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "y": rng.poisson(np.exp(1 + x[:, 0])) + 0.5})
    fitted, data = fit(DL, df, "y", distribution=distribution, loss=loss, hidden=[16], epochs=10, seed=1)
    pred = fitted.predict(data.X)
    assert np.isfinite(pred).all()
    assert np.corrcoef(pred, data.y)[0, 1] > 0.3
    if distribution in ("poisson", "gamma", "tweedie"):
        assert (pred > 0).all()


def test_monitor_stops_training():
    class StopAfterFirst(Monitor):
        calls = 0

        def iteration(self, done, total, predict=None, unit="number_of_trees"):
            StopAfterFirst.calls += 1
            assert unit == "epochs" and predict is not None
            return False

    fitted, data = fit(DL, xor_frame(500), "y", monitor=StopAfterFirst(), **SMALL)
    assert StopAfterFirst.calls == 1
    assert fitted.samples == 500


def test_train_samples_per_iteration_sets_the_reporting_interval():
    seen = []

    class Record(Monitor):
        def iteration(self, done, total, predict=None, unit="number_of_trees"):
            seen.append(done)
            return True

    fit(DL, xor_frame(500), "y", monitor=Record(), train_samples_per_iteration=250, **{**SMALL, "epochs": 2})
    np.testing.assert_allclose(seen, [0.5, 1.0, 1.5, 2.0], atol=0.07)


def test_variable_importances_rank_informative_inputs_first():
    rng = np.random.default_rng(5)
    df = xor_frame(2000).assign(noise1=rng.normal(size=2000), noise2=rng.normal(size=2000),
                                color=rng.choice(["red", "blue"], 2000))
    fitted, _ = fit(DL, df, "y", hidden=[32, 32], epochs=20, seed=1, l1=1e-4)
    importances = dict(fitted.variable_importances())
    assert set(importances) == {"color.blue", "color.red", "a", "b", "noise1", "noise2"}
    assert max(importances.values()) == pytest.approx(1.0)
    assert min(importances["a"], importances["b"]) > max(importances["noise1"], importances["noise2"])
    off, _ = fit(DL, df, "y", variable_importances=False, **SMALL)
    assert off.variable_importances() is None


def test_gedeon_importances_follow_the_paths_weights():
    # Input 0 feeds only unit 0, input 1 only unit 1; the output listens to unit 0 three times as much.
    W1 = np.array([[1.0, 0.0], [0.0, 1.0]])
    W2 = np.array([[3.0], [1.0]])
    np.testing.assert_allclose(gedeon_importances(W1, W2), [1.0, 1 / 3])


def test_model_summary_describes_each_layer():
    fitted, _ = fit(DL, prostate(), "CAPSULE", enums=["CAPSULE"], ignored=["ID"],
                    activation="TanhWithDropout", input_dropout_ratio=0.1, hidden=[10, 5], epochs=1, seed=1)
    table = fitted.output()["model_summary"]
    assert table.name == "Status of Neuron Layers"
    assert [c.name for c in table.columns] == ["", "layer", "units", "type", "dropout", "l1", "l2", "mean_rate",
                                               "rate_rms", "momentum", "mean_weight", "weight_rms", "mean_bias",
                                               "bias_rms"]
    assert table.column("layer") == [1, 2, 3, 4]
    assert table.column("units") == [7, 10, 5, 2]
    assert table.column("dropout") == [10.0, 50.0, 50.0, None]
    assert all(r > 0 for r in table.column("mean_rate")[1:])
    assert "2-class classification, bernoulli distribution, CrossEntropy loss" in table.description


def test_use_all_factor_levels_false_drops_the_first_level():
    df = xor_frame(300).assign(color=["red", "blue", "green"] * 100)
    fitted, data = fit(DL, df, "y", use_all_factor_levels=False, **SMALL)
    assert data.X.shape[1] == 4
    assert {name for name, _ in fitted.variable_importances()} == {"a", "b", "color.green", "color.red"}


def test_batch_size_reading_of_h2o_default():
    assert batch_rows(1, 380) == 1
    assert batch_rows(1, 20_000) == 10
    assert batch_rows(1, 800_000) == 32
    assert batch_rows(64, 380) == 64


@pytest.mark.parametrize("given, argument", [
    ({"sparsity_beta": 0.1}, "sparsity_beta"),
    ({"elastic_averaging": True}, "elastic_averaging"),
    ({"activation": "Sigmoid"}, "activation"),
])
def test_unimplemented_or_unknown_values_are_refused(given, argument):
    with pytest.raises(InvalidArgument, match=argument):
        DL.parameters.resolve({"training_frame": "f", "response_column": "y", **given})


@pytest.mark.parametrize("given, argument", [
    ({"hidden_dropout_ratios": [0.2, 0.2]}, "hidden_dropout_ratios"),
    ({"activation": "TanhWithDropout", "hidden_dropout_ratios": [0.2]}, "hidden_dropout_ratios"),
    ({"loss": "Absolute"}, "loss"),
    ({"distribution": "gaussian"}, "distribution"),
    ({"distribution": "quasibinomial"}, "distribution"),
    ({"missing_values_handling": "Skip"}, "missing_values_handling"),
    ({"hidden": []}, "hidden"),
])
def test_combinations_h2o_refuses_are_refused(given, argument):
    with pytest.raises(InvalidArgument, match=argument):
        prepared(DL, xor_frame(50), "y", **given)


def test_cross_entropy_needs_a_categorical_response():
    df = xor_frame(50).assign(y=np.arange(50.0))
    with pytest.raises(InvalidArgument, match="CrossEntropy"):
        prepared(DL, df, "y", loss="CrossEntropy")


def test_overwrite_with_best_model_keeps_the_best_scored_weights():
    """A monitor that calls the first scoring the best: the fit must end with those weights."""
    df = xor_frame(500)
    X = prepared(DL, df, "y", **SMALL)[3].X
    first = {}

    class FirstIsBest(Monitor):
        def iteration(self, done, total, predict=None, unit="number_of_trees"):
            self.last_was_best = not first
            if not first:
                first["p"] = predict(X).copy()
            return True

    kept, _ = fit(DL, df, "y", monitor=FirstIsBest(), **{**SMALL, "epochs": 4})
    np.testing.assert_allclose(kept.predict(X), first["p"], rtol=1e-5)
    first.clear()
    last, _ = fit(DL, df, "y", monitor=FirstIsBest(), overwrite_with_best_model=False, **{**SMALL, "epochs": 4})
    assert not np.allclose(last.predict(X), first["p"], rtol=1e-5)
