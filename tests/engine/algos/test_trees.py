"""The tree learners (GBM on LightGBM, DRF and XGBoost on XGBoost): shapes, reproducibility,
accuracy, distributions, constraints, stopping, unseen levels and H2O-3's declarations."""

import json
import time

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from h2odash.engine.algos import get
from h2odash.engine.algos.base import Monitor
from h2odash.engine.errors import InvalidArgument
from h2odash.engine.model_data import build_spec, features_frame

from .training_sets import DATA_DIR, fit, frame_of, prepared, prostate

TREES = ("gbm", "drf", "xgboost")
SUMMARY_COLUMNS = ["number_of_trees", "number_of_internal_trees", "model_size_in_bytes", "min_depth", "max_depth",
                   "mean_depth", "min_leaves", "max_leaves", "mean_leaves"]
PROSTATE_ENUMS = ("CAPSULE", "RACE", "DPROS")


def iris():
    return pd.read_csv(DATA_DIR / "iris.csv")


def capsule(df=None):
    """Prostate as H2O users load it for classification: CAPSULE, RACE and DPROS categorical."""
    return (prostate() if df is None else df).drop(columns="ID")


def fit_capsule(algo, df=None, **given):
    return fit(get(algo), capsule(df), "CAPSULE", enums=PROSTATE_ENUMS, **given)


@pytest.mark.parametrize("algo", TREES)
def test_binomial_probabilities_have_two_columns_summing_to_one(algo):
    fitted, data = fit_capsule(algo, ntrees=10, seed=1)
    p = fitted.predict(data.X)
    assert p.shape == (380, 2)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    assert ((p >= 0) & (p <= 1)).all()


@pytest.mark.parametrize("algo", TREES)
def test_multinomial_probabilities_have_one_column_per_class(algo):
    df = iris()
    fitted, data = fit(get(algo), df, df.columns[-1], ntrees=10, seed=1)
    p = fitted.predict(data.X)
    assert p.shape == (150, 3)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    assert (p.argmax(axis=1) == data.y).mean() > 0.9
    summary = dict((name, value) for name, _, value in fitted.summary())
    assert summary["number_of_trees"] == 10
    assert summary["number_of_internal_trees"] == 30


@pytest.mark.parametrize("algo", TREES)
def test_regression_predicts_one_value_per_row_better_than_the_mean(algo):
    df = capsule()
    fitted, data = fit(get(algo), df, "VOL", enums=PROSTATE_ENUMS, ntrees=20, seed=1)
    pred = fitted.predict(data.X)
    assert pred.shape == (380,)
    assert np.mean((pred - data.y) ** 2) < np.var(data.y)


@pytest.mark.parametrize("algo", TREES)
def test_seeded_fits_repeat_bit_for_bit(algo):
    given = dict(ntrees=15, seed=42, sample_rate=0.7, col_sample_rate_per_tree=0.8)
    first, data = fit_capsule(algo, **given)
    second, _ = fit_capsule(algo, **given)
    assert np.array_equal(first.predict(data.X), second.predict(data.X))
    other, _ = fit_capsule(algo, **{**given, "seed": 43})
    assert not np.array_equal(first.predict(data.X), other.predict(data.X))


@pytest.mark.parametrize("algo", TREES)
def test_cross_validated_auc_on_prostate_is_near_h2os(algo):
    # H2O-3's GBM (30 trees, 3 folds) reaches a cross-validated AUC of 0.79 on these rows;
    # a single 3-fold split varies by +-0.03, so average four.
    df = prostate()
    learner = get(algo)
    frame = frame_of(df, PROSTATE_ENUMS)
    aucs = []
    for assignment in range(4):
        folds = np.random.default_rng(assignment).integers(0, 3, len(df))
        held_out = np.zeros(len(df))
        for k in range(3):
            _, spec, params, data = prepared(learner, df[folds != k], "CAPSULE", enums=PROSTATE_ENUMS, ntrees=30,
                                             seed=1)
            fitted = learner.fit(data, params, Monitor())
            held_out[folds == k] = fitted.predict(learner.layout(frame, spec, params))[folds == k, 1]
        aucs.append(roc_auc_score(df["CAPSULE"], held_out))
    assert np.mean(aucs) > 0.75


@pytest.mark.parametrize("algo", TREES)
def test_summary_and_importances_name_h2o_columns_and_predictors(algo):
    fitted, data = fit_capsule(algo, ntrees=5, max_depth=3, seed=1)
    summary = fitted.summary()
    assert [name for name, _, _ in summary] == SUMMARY_COLUMNS
    values = dict((name, value) for name, _, value in summary)
    assert values["number_of_trees"] == 5
    assert 1 <= values["max_depth"] <= 3
    assert values["model_size_in_bytes"] > 0
    importances = fitted.variable_importances()
    assert sorted(name for name, _ in importances) == sorted(data.spec.names)
    assert importances[0][1] == max(value for _, value in importances) > 0


@pytest.mark.parametrize("algo", ["drf", "xgboost"])
def test_tree_shapes_read_from_the_binary_model_match_its_json_form(algo):
    """Depths and leaf counts come from the child arrays of the model's UBJSON; here they are
    recounted from XGBoost's own JSON dump of every tree."""
    fitted, _ = fit_capsule(algo, ntrees=7, max_depth=6, seed=3)
    boosters = fitted.boosters if algo == "drf" else [fitted.booster]
    expected_depths, expected_leaves = [], []
    for booster in boosters:
        for dumped in booster.get_dump(dump_format="json"):
            tree = json.loads(dumped)
            expected_depths.append(_depth_of(tree))
            expected_leaves.append(_leaves_of(tree))
    values = dict((name, value) for name, _, value in fitted.summary())
    assert values["max_depth"] == max(expected_depths) and values["min_depth"] == min(expected_depths)
    assert values["min_leaves"] == min(expected_leaves) and values["max_leaves"] == max(expected_leaves)
    assert values["mean_leaves"] == pytest.approx(np.mean(expected_leaves))


def _depth_of(node):
    return 0 if "leaf" in node else 1 + max(_depth_of(child) for child in node["children"])


def _leaves_of(node):
    return 1 if "leaf" in node else sum(_leaves_of(child) for child in node["children"])


@pytest.mark.parametrize("distribution", ["AUTO", "gaussian", "poisson", "gamma", "tweedie", "laplace", "quantile",
                                          "huber"])
def test_gbm_trains_every_regression_distribution(distribution):
    fitted, data = fit(get("gbm"), capsule(), "PSA", enums=PROSTATE_ENUMS, ntrees=10, distribution=distribution,
                       seed=1)
    pred = fitted.predict(data.X)
    assert pred.shape == (380,) and np.isfinite(pred).all()
    if distribution in ("poisson", "gamma", "tweedie"):
        assert (pred > 0).all()   # log link


@pytest.mark.parametrize("distribution", ["gaussian", "poisson", "gamma", "tweedie"])
def test_xgboost_trains_its_regression_distributions(distribution):
    fitted, data = fit(get("xgboost"), capsule(), "PSA", enums=PROSTATE_ENUMS, ntrees=10, distribution=distribution,
                       seed=1)
    assert np.isfinite(fitted.predict(data.X)).all()


@pytest.mark.parametrize("algo", ["gbm", "xgboost"])
def test_multinomial_distribution_fits_a_two_class_response(algo):
    fitted, data = fit_capsule(algo, ntrees=5, distribution="multinomial", seed=1)
    assert fitted.predict(data.X).shape == (380, 2)


@pytest.mark.parametrize("algo, response, distribution", [
    ("gbm", "PSA", "bernoulli"),
    ("gbm", "CAPSULE", "gaussian"),
    ("gbm", "PSA", "multinomial"),
    ("gbm", "PSA", "quasibinomial"),
    ("xgboost", "PSA", "laplace"),
    ("xgboost", "CAPSULE", "poisson"),
    ("drf", "CAPSULE", "gaussian"),
])
def test_a_distribution_that_does_not_fit_the_response_is_refused(algo, response, distribution):
    with pytest.raises(InvalidArgument) as raised:
        prepared(get(algo), capsule(), response, enums=PROSTATE_ENUMS, distribution=distribution)
    assert raised.value.argument == "distribution"


@pytest.mark.parametrize("algo, distribution", [("gbm", "poisson"), ("gbm", "gamma"), ("xgboost", "tweedie")])
def test_a_response_outside_the_distribution_support_is_refused(algo, distribution):
    df = capsule().assign(PSA=lambda d: d["PSA"] - 10)
    with pytest.raises(InvalidArgument, match=distribution):
        fit(get(algo), df, "PSA", enums=PROSTATE_ENUMS, distribution=distribution)


@pytest.mark.parametrize("algo, name, value", [
    ("gbm", "histogram_type", "Random"),
    ("gbm", "nbins_cats", 64),
    ("drf", "binomial_double_trees", True),
    ("drf", "sample_rate_per_class", [0.5, 1.0]),
    ("xgboost", "gpu_id", [0]),
    ("xgboost", "eval_metric", "auc"),
])
def test_unimplemented_parameters_are_refused_unless_at_default(algo, name, value):
    parameters = get(algo).parameters
    required = {"training_frame": "f", "response_column": "y"}
    with pytest.raises(InvalidArgument, match=name):
        parameters.resolve({**required, name: value})
    parameters.resolve({**required, name: parameters[name].default})


def test_checks_refuse_what_the_libraries_cannot_do():
    df = capsule()
    with pytest.raises(InvalidArgument, match="exact"):
        prepared(get("xgboost"), df, "CAPSULE", enums=PROSTATE_ENUMS, tree_method="exact")
    with pytest.raises(InvalidArgument, match="gblinear"):
        prepared(get("xgboost"), df, "CAPSULE", enums=PROSTATE_ENUMS, booster="gblinear")
    with pytest.raises(InvalidArgument, match="GPU"):
        prepared(get("xgboost"), df, "CAPSULE", enums=PROSTATE_ENUMS, backend="gpu")
    with pytest.raises(InvalidArgument, match="mtries"):
        prepared(get("drf"), df, "CAPSULE", enums=PROSTATE_ENUMS, mtries=99)
    with pytest.raises(InvalidArgument, match="categorical"):
        prepared(get("gbm"), df, "CAPSULE", enums=PROSTATE_ENUMS, monotone_constraints={"RACE": 1})
    with pytest.raises(InvalidArgument, match="categorical_encoding"):
        prepared(get("gbm"), df, "CAPSULE", enums=PROSTATE_ENUMS, categorical_encoding="OneHotExplicit")


def _repeated_row_with(data, row, column, values):
    """One training row repeated, with ``column`` running through ``values``, in the learner's
    own layout (a pandas frame for XGBoost, a matrix of level codes for LightGBM)."""
    if hasattr(data.X, "iloc"):
        X = data.X.iloc[[row] * len(values)].reset_index(drop=True)
        X[column] = values
        return X
    X = data.X[[row] * len(values)].copy()
    X[:, data.spec.names.index(column)] = values
    return X


@pytest.mark.parametrize("algo", ["gbm", "xgboost"])
@pytest.mark.parametrize("constraints", [[{"key": "PSA", "value": 1}], {"PSA": 1}])
def test_monotone_constraint_makes_predictions_rise_with_the_column(algo, constraints):
    df = capsule()
    fitted, data = fit_capsule(algo, ntrees=30, seed=1, monotone_constraints=constraints)
    grid = np.linspace(df["PSA"].min(), df["PSA"].max(), 200)
    for row in range(0, 380, 38):
        X = _repeated_row_with(data, row, "PSA", grid)
        p1 = fitted.predict(X)[:, 1]
        assert (np.diff(p1) >= -1e-12).all()
    unconstrained, _ = fit_capsule(algo, ntrees=30, seed=1)
    assert not np.array_equal(unconstrained.predict(data.X), fitted.predict(data.X))


@pytest.mark.parametrize("algo", TREES)
def test_a_deadline_in_the_past_stops_after_the_first_trees(algo):
    fitted, _ = fit_capsule(algo, ntrees=50, seed=1, monitor=Monitor(deadline=time.time() - 1))
    trees = dict((name, value) for name, _, value in fitted.summary())["number_of_trees"]
    assert 1 <= trees <= 5


@pytest.mark.parametrize("algo", TREES)
def test_monitor_sees_every_tree_and_the_model_so_far(algo):
    rows = []
    monitor = Monitor(scorer=lambda predict, training=None: {"p": predict(data.X)}, on_row=rows.append,
                      score_each_iteration=True)
    _, _, params, data = prepared(get(algo), capsule(), "CAPSULE", enums=PROSTATE_ENUMS, ntrees=20, seed=1)
    fitted = get(algo).fit(data, params, monitor)
    assert rows[-1]["number_of_trees"] == 20
    # Equal up to rounding (XGBoost's float32): the history may add up margins in another order.
    np.testing.assert_allclose(rows[-1]["p"], fitted.predict(data.X), rtol=1e-5, atol=1e-6)
    assert not np.allclose(rows[0]["p"], rows[-1]["p"])


@pytest.mark.parametrize("algo", TREES)
def test_early_stopping_keeps_the_trees_grown_so_far(algo):
    # A metric that never improves: H2O's rule stops after 2 * stopping_rounds scorings.
    monitor = Monitor(scorer=lambda predict, training=None: {"m": 1.0}, stopping_rounds=2, stopping_metric="m",
                      score_each_iteration=True)
    fitted, data = fit_capsule(algo, ntrees=50, seed=1, monitor=monitor)
    summary = dict((name, value) for name, _, value in fitted.summary())
    assert monitor.stopped_early
    assert summary["number_of_trees"] < 50
    assert fitted.predict(data.X).shape == (380, 2)


@pytest.mark.parametrize("algo", TREES)
def test_levels_unseen_in_training_and_missing_values_score(algo):
    df = capsule()
    fitted, _ = fit_capsule(algo, ntrees=10, seed=1)
    scoring = df.head(6).copy()
    scoring["RACE"] = ["9", "9", "1", "2", "0", "unknown"]
    scoring.loc[0, "PSA"] = np.nan
    frame = frame_of(scoring, ("CAPSULE", "RACE", "DPROS"))
    X = features_frame(frame, build_spec(frame_of(df, PROSTATE_ENUMS), "CAPSULE"))
    assert X["RACE"].isna().sum() == 3
    p = fitted.predict(X)
    assert p.shape == (6, 2) and np.isfinite(p).all()


def test_gbm_learning_rate_annealing_shrinks_later_trees():
    plain, data = fit_capsule("gbm", ntrees=20, seed=1)
    annealed, _ = fit_capsule("gbm", ntrees=20, seed=1, learn_rate_annealing=0.5)
    early, _ = fit_capsule("gbm", ntrees=3, seed=1, learn_rate_annealing=0.5)
    # With a halving rate, trees 4..20 together move predictions less than the third tree's scale.
    assert np.abs(annealed.predict(data.X) - early.predict(data.X)).max() < 0.05
    assert not np.array_equal(plain.predict(data.X), annealed.predict(data.X))


def test_drf_leaves_hold_mean_responses_and_chunks_average_into_one_forest():
    # No row or column sampling: every tree is the same stump, whose leaves hold the mean response.
    given = dict(sample_rate=1.0, mtries=-2, max_depth=1, seed=1)
    stump, data = fit(get("drf"), capsule(), "VOL", enums=PROSTATE_ENUMS, ntrees=1, **given)
    pred = stump.predict(data.X)
    assert len(np.unique(pred)) == 2
    for value in np.unique(pred):
        assert data.y[pred == value].mean() == pytest.approx(value, rel=1e-5)
    forest, _ = fit(get("drf"), capsule(), "VOL", enums=PROSTATE_ENUMS, ntrees=20, **given)
    np.testing.assert_allclose(forest.predict(data.X), pred, rtol=1e-5)


@pytest.mark.parametrize("booster", ["dart", "gblinear"])
def test_xgboost_other_boosters_train(booster):
    given = dict(ntrees=10, seed=1, booster=booster, rate_drop=0.1 if booster == "dart" else 0.0)
    fitted, data = fit(get("xgboost"), capsule(), "CAPSULE", enums=("CAPSULE",), **given)
    p = fitted.predict(data.X)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-6)
    assert roc_auc_score(data.y, p[:, 1]) > 0.7
    assert fitted.variable_importances()


def test_xgboost_native_names_win_over_h2o_names_when_set():
    algo = get("xgboost")
    _, _, params, data = prepared(algo, capsule(), "CAPSULE", enums=PROSTATE_ENUMS, eta=0.05, learn_rate=0.3,
                                  subsample=0.5)
    xgb_params, _ = algo._process_params(params, data)
    assert xgb_params["eta"] == 0.05
    assert xgb_params["subsample"] == 0.5


def test_interaction_constraints_are_taken_by_column_name():
    for algo in ("gbm", "xgboost"):
        fitted, data = fit_capsule(algo, ntrees=5, seed=1,
                                   interaction_constraints=[["PSA", "VOL"], ["AGE", "GLEASON", "DPROS"]])
        assert fitted.predict(data.X).shape == (380, 2)
    with pytest.raises(InvalidArgument, match="NOPE"):
        fit_capsule("gbm", interaction_constraints=[["PSA", "NOPE"]])


GROWING_CASES = [("bernoulli", "CAPSULE", PROSTATE_ENUMS), ("multinomial", "RACE", ["RACE"]),
                 ("gaussian", "AGE", []), ("poisson", "GLEASON", []), ("gamma", "PSA", []),
                 ("tweedie", "GLEASON", [])]


@pytest.mark.parametrize("algo, distribution, response, enums", [
    *[("gbm", *case) for case in GROWING_CASES + [("huber", "AGE", [])]],
    *[("xgboost", *case) for case in GROWING_CASES],
])
def test_history_scores_the_growing_model_as_the_finished_one_predicts(algo, distribution, response, enums):
    """The live history adds each scoring's new trees to kept margins; at any size that must
    equal predicting with all the trees so far."""
    seen = []

    def scorer(predict):
        seen.append(np.asarray(predict(data.X)))
        return {}

    df = prostate().drop(columns="ID")
    _, _, params, data = prepared(get(algo), df, response, enums=enums, ntrees=12, distribution=distribution,
                                  seed=3)
    fitted = get(algo).fit(data, params, Monitor(scorer=scorer, score_each_iteration=True))
    assert len(seen) == 12
    for trees in (1, 5, 12):
        expected = type(fitted)(fitted.booster, fitted.spec, trees).predict(data.X)
        # XGBoost predicts in float32: sums of margins differ from its own in the 7th digit.
        np.testing.assert_allclose(seen[trees - 1], expected, rtol=1e-5, atol=1e-6)


def test_gbm_scores_categorical_codes_as_lightgbm_reads_its_pandas_frame():
    df = prostate()
    df["DPROS"] = df["DPROS"].astype(float)
    df.loc[::7, "DPROS"] = np.nan          # missing categorical levels
    df.loc[::5, "PSA"] = np.nan            # and missing numbers
    fitted, data = fit_capsule("gbm", df, ntrees=20, seed=2)
    through_pandas = fitted.booster.predict(data.X, num_iteration=fitted.iterations)
    np.testing.assert_allclose(fitted.predict(data.X)[:, 1], through_pandas, rtol=1e-12)
