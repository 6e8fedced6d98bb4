"""Out-of-bag training metrics of the forests (DRF, and XRT for AutoML), as H2O-3 reports them:
each training row is scored only by the trees whose sample left it out; rows that no tree has
left out yet are skipped. Checked against predictions recomputed tree by tree with numpy, and
metrics recomputed with scikit-learn."""

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb
from sklearn.metrics import log_loss, mean_squared_error, roc_auc_score

from h2odash.engine import Engine
from h2odash.engine.algos import get
from h2odash.engine.algos.out_of_bag import OUT_OF_BAG, in_bag
from h2odash.engine.algos.xgboost_support import positional
from h2odash.engine.algos.xrt import ALGORITHM as XRT
from h2odash.engine.frames import Frame

from .training_sets import DATA_DIR, fit, frame_of, prostate

PROSTATE_ENUMS = ("CAPSULE", "RACE", "DPROS")
CASES = {   # category -> (data, response, categorical columns)
    "binomial": (lambda: prostate().drop(columns="ID"), "CAPSULE", PROSTATE_ENUMS),
    "multinomial": (lambda: pd.read_csv(DATA_DIR / "iris.csv"), "Species", ()),
    "regression": (lambda: prostate().drop(columns="ID"), "VOL", PROSTATE_ENUMS),
}


def engine_with(df, enums=()):
    """An Engine holding ``df`` as frame "train"."""
    engine = Engine()
    frame = frame_of(df, enums)
    engine.store.put("train", Frame("train", frame.table, frame.types))
    return engine


def train(category, **given):
    """A DRF model trained by the engine's whole training path (metrics, history), and its rows."""
    make, response, enums = CASES[category]
    df = make()
    engine = engine_with(df, enums)
    job = engine.train("drf", {"training_frame": "train", "response_column": response, "seed": 1, **given})
    job.wait()
    assert job.status == "DONE"
    model = engine.model(job.dest_key)
    algorithm = get("drf")
    X = algorithm.layout(engine.frame("train"), model.spec, model.params)
    return model, X, df[response]


def tree_predictions(fitted, X, base):
    """Every tree's own predictions (its leaf means), read tree by tree from XGBoost: a chunk's
    booster predicts base + (mean of its trees - base), each tree adding 1/size of its own."""
    for booster, size in zip(fitted.boosters, fitted.sizes):
        for j in range(size):
            margin = booster.inplace_predict(positional(X, fitted.spec), iteration_range=(j, j + 1))
            yield base + (np.asarray(margin, dtype=np.float64) - base) * size


def recomputed_out_of_bag(fitted, X, indicators, seed=1, rate=0.632, trees=None):
    """Each row's mean prediction over the trees that left it out (NaN if none), with H2O's
    probabilities for classifiers; ``indicators`` is the response as the trees learn it."""
    base = indicators.mean()
    total, count = 0.0, np.zeros(len(X))
    for t, predicted in enumerate(tree_predictions(fitted, X, base)):
        if trees is not None and t >= trees:
            break
        left_out = ~in_bag(seed, t, len(X), rate)
        total = total + (predicted * (left_out if predicted.ndim == 1 else left_out[:, None]))
        count += left_out
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / (count if np.ndim(total) == 1 else count[:, None])
    if indicators.ndim == 2:
        votes = np.clip(mean, 0, None)
        return votes / votes.sum(axis=1, keepdims=True)
    return mean if fitted.spec.category == "Regression" else np.clip(mean, 0, 1)


def indicators_of(category, y, nclasses=None):
    if category == "multinomial":
        return np.eye(nclasses)[np.asarray(y, dtype=int)]
    return np.asarray(y, dtype=np.float64)


def test_trees_grow_on_the_rows_in_bag_and_their_leaves_hold_those_rows_mean():
    df = prostate().drop(columns="ID")
    fitted, data = fit(get("drf"), df, "VOL", enums=PROSTATE_ENUMS, ntrees=4, seed=7, sample_rate=0.5)
    matrix = xgb.DMatrix(positional(data.X, data.spec), enable_categorical=True)
    t = 0
    for booster, size in zip(fitted.boosters, fitted.sizes):
        leaves = booster.predict(matrix, pred_leaf=True).reshape(len(data.y), -1)
        predicted = list(tree_predictions(type(fitted)([booster], [size], fitted.spec), data.X, data.y.mean()))
        for j in range(size):
            sample = in_bag(7, t, len(data.y), 0.5)
            assert 0.4 < sample.mean() < 0.6          # each row in or out once, about half in
            for leaf in np.unique(leaves[:, j]):
                rows = leaves[:, j] == leaf
                assert sample[rows].any()
                assert data.y[rows & sample].mean() == pytest.approx(predicted[j][rows][0], rel=1e-4)
            t += 1


@pytest.mark.parametrize("category", list(CASES))
def test_training_metrics_are_those_of_out_of_bag_predictions(category):
    # Six trees leave some rows in every sample (0.632^6: ~6 %): those are skipped.
    model, X, response = train(category, ntrees=6)
    fitted, spec = model.fitted, model.spec
    y = np.asarray(pd.Categorical(response.astype(str), categories=spec.response_domain).codes
                   if spec.response_domain else response, dtype=np.float64)
    expected = recomputed_out_of_bag(fitted, X, indicators_of(category, y, spec.nclasses))
    scored = ~np.isnan(expected.reshape(len(y), -1)).any(axis=1)
    assert 0 < (~scored).sum() < 0.2 * len(y)
    reported = fitted.training_predictions
    assert np.array_equal(np.isnan(reported.reshape(len(y), -1)).any(axis=1), ~scored)
    metrics = model.training_metrics
    assert metrics["description"] == OUT_OF_BAG
    assert metrics["nobs"] == scored.sum()
    if category == "binomial":
        np.testing.assert_allclose(reported[scored, 1], expected[scored], atol=1e-5)
        assert metrics["AUC"] == pytest.approx(roc_auc_score(y[scored], expected[scored]), abs=1e-4)
        assert metrics["MSE"] == pytest.approx(mean_squared_error(y[scored], expected[scored]), rel=1e-4)
    elif category == "multinomial":
        np.testing.assert_allclose(reported[scored], expected[scored], atol=1e-5)
        assert metrics["logloss"] == pytest.approx(
            log_loss(y[scored], np.clip(expected[scored], 1e-15, 1), labels=range(spec.nclasses)), rel=1e-4)
    else:
        np.testing.assert_allclose(reported[scored], expected[scored], rtol=1e-5)
        assert metrics["MSE"] == pytest.approx(mean_squared_error(y[scored], expected[scored]), rel=1e-5)


def test_scoring_history_scores_the_out_of_bag_votes_of_the_trees_so_far():
    model, X, response = train("binomial", ntrees=8, score_each_iteration=True, validation_frame="train")
    y = response.to_numpy(dtype=np.float64)
    rows = model.history_rows
    assert [r["number_of_trees"] for r in rows] == list(range(1, 9))
    for row in rows:
        expected = recomputed_out_of_bag(model.fitted, X, y, trees=row["number_of_trees"])
        scored = ~np.isnan(expected)
        assert row["training_auc"] == pytest.approx(roc_auc_score(y[scored], expected[scored]), abs=1e-4)
    # Validation columns score every tree: here on the training rows themselves, so far better.
    assert rows[-1]["validation_auc"] > rows[-1]["training_auc"] + 0.1
    assert rows[-1]["training_auc"] == pytest.approx(model.training_metrics["AUC"])


def test_out_of_bag_auc_on_prostate_is_near_the_cross_validated_one_and_far_below_in_sample():
    model, X, response = train("binomial", ntrees=50, nfolds=5)
    in_sample = roc_auc_score(response, model.fitted.predict(X)[:, 1])
    out_of_bag = model.training_metrics["AUC"]
    assert model.training_metrics["nobs"] == len(response)
    assert in_sample > 0.95
    assert out_of_bag < in_sample - 0.1
    assert abs(out_of_bag - model.cross_validation_metrics["AUC"]) < 0.05
    assert "description" not in model.cross_validation_metrics


def test_without_out_of_bag_rows_the_training_metrics_are_empty():
    model, _, _ = train("binomial", ntrees=3, sample_rate=1.0)
    assert model.training_metrics["nobs"] == 0 and np.isnan(model.training_metrics["AUC"])
    assert all(np.isnan(r["training_auc"]) for r in model.history_rows)


def test_xrt_training_predictions_are_out_of_bag():
    df = prostate().drop(columns="ID")
    fitted, data = fit(XRT, df, "CAPSULE", enums=PROSTATE_ENUMS, ntrees=6, seed=3, histogram_type="Random")
    from h2odash.engine.algos.xrt import _matrix

    matrix, n = _matrix(data.X), len(data.y)
    total, count = np.zeros(n), np.zeros(n)
    for t, tree in enumerate(fitted.trees):
        left_out = ~in_bag(3, t, n, 0.632)
        p1 = tree.predict_proba(matrix)[:, list(tree.classes_).index(1)]
        total += p1 * left_out
        count += left_out
    scored = count > 0
    assert fitted.out_of_bag and 0 < (~scored).sum() < 0.2 * n
    assert np.isnan(fitted.training_predictions[~scored]).all()
    np.testing.assert_allclose(fitted.training_predictions[scored, 1], total[scored] / count[scored], atol=1e-12)


def test_xrt_out_of_bag_auc_is_far_below_in_sample():
    df = prostate().drop(columns="ID")
    fitted, data = fit(XRT, df, "CAPSULE", enums=PROSTATE_ENUMS, ntrees=50, seed=1, histogram_type="Random")
    out_of_bag = roc_auc_score(data.y, fitted.training_predictions[:, 1])
    assert 0.7 < out_of_bag < roc_auc_score(data.y, fitted.predict(data.X)[:, 1]) - 0.1
