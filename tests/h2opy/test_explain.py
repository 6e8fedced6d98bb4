"""h2o-py's explanation calls on both servers (issue 16): ``predict_contributions`` and
``partial_plot``.

The layouts a user gets (column names, column types) are written down once and checked against
each server, so running with ``--server h2o3`` shows they are real H2O-3's. The numbers are
checked against what the test computes itself from the model's own predictions: rows add up to
the margin, and partial dependence is the average prediction over the frame with the column set
to each grid value (computed here with frame operations and plain predictions).
"""
from __future__ import annotations

import numpy as np
import pytest

from tests.h2opy.prostate import X, upload_prostate


@pytest.fixture
def prostate(h2opy, data_dir):
    return upload_prostate(h2opy, data_dir, ("CAPSULE", "RACE"))


@pytest.fixture
def gbm(h2opy, prostate):
    from h2o.estimators import H2OGradientBoostingEstimator

    model = H2OGradientBoostingEstimator(ntrees=20, max_depth=3, seed=1)
    model.train(x=X, y="CAPSULE", training_frame=prostate)
    return model


def _p1(model, frame):
    return model.predict(frame).as_data_frame()["p1"].to_numpy()


def test_contributions_layout_and_sums(h2opy, prostate, gbm):
    shap = gbm.predict_contributions(prostate)
    assert shap.names == X + ["BiasTerm"]
    # H2O-3 types a column of whole numbers (all zeros: a feature no tree used) int.
    assert all(t in ("real", "int") for t in shap.types.values())
    p1 = _p1(gbm, prostate)
    # GBM's float trees: H2O-3 adds 32-bit values, the embedded engine 64-bit ones.
    np.testing.assert_allclose(shap.as_data_frame().sum(axis=1), np.log(p1) - np.log1p(-p1), atol=1e-5)

    top = gbm.predict_contributions(prostate, top_n=2, bottom_n=2)
    assert top.names == ["top_feature_1", "top_value_1", "top_feature_2", "top_value_2",
                         "bottom_feature_1", "bottom_value_1", "bottom_feature_2", "bottom_value_2", "BiasTerm"]
    assert top.types["top_feature_1"] == "enum" and top.types["top_value_1"] == "real"
    assert sorted(top["top_feature_1"].levels()[0]) == sorted(X + ["BiasTerm"])
    values = shap.as_data_frame()[X].to_numpy()
    sorted_values = top.as_data_frame()
    np.testing.assert_allclose(sorted_values["top_value_1"], values.max(axis=1), atol=1e-6)
    np.testing.assert_allclose(sorted_values["bottom_value_1"], values.min(axis=1), atol=1e-6)


@pytest.mark.parametrize("top_n, bottom_n, compare_abs, expected", [
    # (top_n, bottom_n) -> the columns H2O-3's ContributionComposer lays out, as (name, rank)
    # pairs: rank k is the k-th highest value, -k the k-th lowest.
    (0, 2, False, [("bottom_1", -1), ("bottom_2", -2)]),
    (0, -1, False, [(f"bottom_{k}", -k) for k in range(1, 8)]),
    (-1, 0, True, [(f"top_{k}", k) for k in range(1, 8)]),
    (3, 4, False, [("top_1", 1), ("top_2", 2), ("top_3", 3), ("bottom_1", -1), ("bottom_2", -2),
                   ("bottom_3", -3), ("bottom_4", -4)]),
    (4, 4, False, [("top_1", 1), ("top_2", 2), ("top_3", 3), ("top_4", 4), ("bottom_1", 5), ("bottom_2", 6),
                   ("bottom_3", 7)]),
    (50, -1, True, [(f"top_{k}", k) for k in range(1, 8)]),
])
def test_sorted_contributions_follow_h2o_layout(h2opy, prostate, gbm, top_n, bottom_n, compare_abs, expected):
    rows = prostate[:20, :]
    values = gbm.predict_contributions(rows).as_data_frame()[X].to_numpy()
    keys = np.abs(values) if compare_abs else values
    ranked = -np.sort(-keys, axis=1)
    found = gbm.predict_contributions(rows, top_n=top_n, bottom_n=bottom_n, compare_abs=compare_abs)
    names = [name for pair in ((f"{label.split('_')[0]}_feature_{label.split('_')[1]}",
                                f"{label.split('_')[0]}_value_{label.split('_')[1]}") for label, _ in expected)
             for name in pair]
    assert found.names == names + ["BiasTerm"]
    frame = found.as_data_frame()
    for label, rank in expected:
        side, k = label.split("_")
        column = frame[f"{side}_value_{k}"].to_numpy()
        want = ranked[:, rank - 1] if rank > 0 else ranked[:, rank]
        np.testing.assert_allclose(np.abs(column) if compare_abs else column, want, atol=1e-6)


def test_contributions_against_a_background(h2opy, prostate, gbm):
    from h2o.estimators import H2OGeneralizedLinearEstimator

    background = prostate[:10, :]
    rows = prostate[:25, :]
    shap = gbm.predict_contributions(rows, background_frame=background)
    # Against a background, H2O-3's Original layout has a column per level (and for missing).
    race = ["RACE.0", "RACE.1", "RACE.2", "RACE.missing(NA)"]
    assert shap.names == ["AGE"] + race + X[2:] + ["BiasTerm"] and shap.nrows == 25
    compact = gbm.predict_contributions(rows, background_frame=background, output_format="Compact")
    assert compact.names == X + ["BiasTerm"]
    np.testing.assert_allclose(shap.as_data_frame()[race].sum(axis=1), compact.as_data_frame()["RACE"], atol=1e-6)
    p1, p1_background = _p1(gbm, rows), _p1(gbm, background)
    margin, margin_background = np.log(p1 / (1 - p1)), np.log(p1_background / (1 - p1_background))
    frame = shap.as_data_frame()
    np.testing.assert_allclose(frame["BiasTerm"], margin_background.mean(), atol=1e-5)
    np.testing.assert_allclose(frame.sum(axis=1), margin, atol=1e-5)

    per_reference = gbm.predict_contributions(rows[:3, :], background_frame=background, output_per_reference=True)
    assert per_reference.names[-3:] == ["BiasTerm", "RowIdx", "BackgroundRowIdx"] and per_reference.nrows == 30
    in_probabilities = gbm.predict_contributions(rows, background_frame=background, output_space=True)
    np.testing.assert_allclose(in_probabilities.as_data_frame()["BiasTerm"], p1_background.mean(), atol=1e-5)
    np.testing.assert_allclose(in_probabilities.as_data_frame().sum(axis=1), p1, atol=1e-5)

    glm = H2OGeneralizedLinearEstimator(family="binomial", lambda_=0)
    glm.train(x=X, y="CAPSULE", training_frame=prostate)
    compact = glm.predict_contributions(rows, background_frame=background, output_format="Compact")
    assert compact.names == ["RACE", "AGE", "DPROS", "DCAPS", "PSA", "VOL", "GLEASON", "BiasTerm"]
    coef = glm.coef()
    means = background.as_data_frame()
    x = rows.as_data_frame()
    # GLM: coefficient times distance from the background's mean, exactly (numeric columns).
    for name in ("AGE", "PSA", "VOL"):
        np.testing.assert_allclose(compact.as_data_frame()[name], coef[name] * (x[name] - means[name].mean()),
                                   atol=1e-8)


def test_glm_without_a_background_fails_with_the_reason(h2opy, prostate):
    from h2o.estimators import H2OGeneralizedLinearEstimator
    from h2o.exceptions import H2OResponseError

    glm = H2OGeneralizedLinearEstimator(family="binomial")
    glm.train(x=X, y="CAPSULE", training_frame=prostate)
    with pytest.raises((EnvironmentError, H2OResponseError), match="background frame"):
        glm.predict_contributions(prostate)


# Deep Learning lays a network's inputs out categorical columns first, a column per level and
# one for missing values (always 0 here: no row misses RACE, so H2O-3 types it int).
RACE_LEVELS = ["RACE.0", "RACE.1", "RACE.2", "RACE.missing(NA)"]
NUMBERS = [name for name in X if name != "RACE"]


def _without_background_fails(model, frame, algo_name):
    from h2o.exceptions import H2OResponseError

    with pytest.raises((EnvironmentError, H2OResponseError),
                       match=f"{algo_name} supports contribution calculation only with a background frame"):
        model.predict_contributions(frame)


def _types(names):
    return {name: "int" if name == "RACE.missing(NA)" else "real" for name in names}


def test_deep_learning_contributions_against_a_background(h2opy, prostate):
    from h2o.estimators import H2ODeepLearningEstimator

    background, rows = prostate[:10, :], prostate[:25, :]
    dl = H2ODeepLearningEstimator(hidden=[5], epochs=5, seed=1, reproducible=True)
    dl.train(x=X, y="CAPSULE", training_frame=prostate)
    shap = dl.predict_contributions(rows, background_frame=background)
    assert shap.names == RACE_LEVELS + NUMBERS + ["BiasTerm"] and shap.nrows == 25
    assert shap.types == _types(shap.names)
    # Through the softmax H2O-3 explains p1 itself: rows add up to it, the bias is the
    # background's mean p1 (H2O-3 computes in 32-bit floats).
    frame = shap.as_data_frame()
    np.testing.assert_allclose(frame.sum(axis=1), _p1(dl, rows), atol=1e-5)
    np.testing.assert_allclose(frame["BiasTerm"], _p1(dl, background).mean(), atol=1e-5)
    compact = dl.predict_contributions(rows, background_frame=background, output_format="Compact")
    assert compact.names == ["RACE"] + NUMBERS + ["BiasTerm"]
    np.testing.assert_allclose(compact.as_data_frame()["RACE"], frame[RACE_LEVELS].sum(axis=1), atol=1e-6)
    per_reference = dl.predict_contributions(rows[:2, :], background_frame=background, output_per_reference=True)
    assert per_reference.names == shap.names + ["RowIdx", "BackgroundRowIdx"] and per_reference.nrows == 20
    assert per_reference.types["RowIdx"] == per_reference.types["BackgroundRowIdx"] == "int"
    _without_background_fails(dl, rows, "DeepLearning")

    regression = H2ODeepLearningEstimator(hidden=[5, 3], epochs=5, seed=1, reproducible=True, activation="Maxout")
    x = ["AGE", "RACE", "DPROS", "PSA", "GLEASON"]
    regression.train(x=x, y="VOL", training_frame=prostate)
    shap = regression.predict_contributions(rows, background_frame=background)
    assert shap.names == RACE_LEVELS + ["AGE", "DPROS", "PSA", "GLEASON", "BiasTerm"]
    assert shap.types == _types(shap.names)
    predicted = regression.predict(rows).as_data_frame()["predict"].to_numpy()
    np.testing.assert_allclose(shap.as_data_frame().sum(axis=1), predicted, rtol=1e-5)


def test_multinomial_deep_learning_contributions_fail(h2opy, prostate):
    """H2O-3 3.46 fails on them (an index out of bounds); the embedded engine refuses them."""
    from h2o.estimators import H2ODeepLearningEstimator
    from h2o.exceptions import H2OResponseError

    dl = H2ODeepLearningEstimator(hidden=[3], epochs=1, seed=1, reproducible=True)
    dl.train(x=["AGE", "PSA", "VOL"], y="RACE", training_frame=prostate)
    with pytest.raises((EnvironmentError, H2OResponseError)):
        dl.predict_contributions(prostate[:5, :], background_frame=prostate[:3, :])


def _stack(prostate, y, x, first):
    """An ensemble of a GBM and a Deep Learning model (``first`` of them first) whose GLM
    metalearner keeps both (H2O-3 leaves out base models the metalearner does not use)."""
    from h2o.estimators import H2ODeepLearningEstimator, H2OGradientBoostingEstimator, H2OStackedEnsembleEstimator

    common = dict(nfolds=3, fold_assignment="Modulo", keep_cross_validation_predictions=True, seed=1)
    gbm = H2OGradientBoostingEstimator(ntrees=10, max_depth=3, **common)
    gbm.train(x=x, y=y, training_frame=prostate)
    dl = H2ODeepLearningEstimator(hidden=[5], epochs=5, reproducible=True, **common)
    dl.train(x=x, y=y, training_frame=prostate)
    base = [gbm, dl] if first == "gbm" else [dl, gbm]
    ensemble = H2OStackedEnsembleEstimator(base_models=base, metalearner_algorithm="glm",
                                           metalearner_params={"lambda": [0.0]})
    ensemble.train(x=x, y=y, training_frame=prostate)
    return ensemble


def test_stacked_ensemble_contributions_against_a_background(h2opy, prostate):
    background, rows = prostate[:10, :], prostate[:25, :]
    ensemble = _stack(prostate, "CAPSULE", X, first="deeplearning")
    # The layout is the first base model's: here the network's, categorical columns first.
    shap = ensemble.predict_contributions(rows, background_frame=background)
    assert shap.names == RACE_LEVELS + NUMBERS + ["BiasTerm"] and shap.nrows == 25
    assert shap.types == _types(shap.names)
    # Rows add up to the metalearner's margin, the logit of the ensemble's p1.
    p1, p1_background = _p1(ensemble, rows), _p1(ensemble, background)
    frame = shap.as_data_frame()
    np.testing.assert_allclose(frame.sum(axis=1), np.log(p1 / (1 - p1)), atol=1e-6)
    np.testing.assert_allclose(frame["BiasTerm"], np.log(p1_background / (1 - p1_background)).mean(), atol=1e-6)
    in_probabilities = ensemble.predict_contributions(rows, background_frame=background, output_format="Compact",
                                                      output_space=True)
    assert in_probabilities.names == ["RACE"] + NUMBERS + ["BiasTerm"]
    np.testing.assert_allclose(in_probabilities.as_data_frame().sum(axis=1), p1, atol=1e-6)
    _without_background_fails(ensemble, rows, "StackedEnsemble")

    x = ["AGE", "RACE", "DPROS", "PSA", "GLEASON"]
    regression = _stack(prostate, "VOL", x, first="gbm")
    shap = regression.predict_contributions(rows, background_frame=background)
    assert shap.names == ["AGE"] + RACE_LEVELS + ["DPROS", "PSA", "GLEASON", "BiasTerm"]
    assert shap.types == _types(shap.names)
    predicted = regression.predict(rows).as_data_frame()["predict"].to_numpy()
    np.testing.assert_allclose(shap.as_data_frame().sum(axis=1), predicted, atol=1e-6)


def _manual_partial_dependence(h2o, model, frame, column, values):
    """Mean p1 over the frame with the numeric ``column`` set to each value, by plain predictions."""
    means = []
    for value in values:
        changed = h2o.deep_copy(frame, "pd_copy")
        changed[column] = float(value)
        means.append(_p1(model, changed).mean())
    return np.array(means)


def test_partial_dependence_is_the_average_prediction(h2opy, prostate, gbm):
    tables = gbm.partial_plot(prostate, cols=["AGE", "RACE"], nbins=4, plot=False)
    age = tables[0].as_data_frame()
    assert list(age.columns) == ["age", "mean_response", "stddev_response", "std_error_mean_response"]
    ages = age["age"].to_numpy(dtype=float)
    observed = prostate["AGE"].as_data_frame()["AGE"]
    np.testing.assert_allclose(ages, np.linspace(observed.min(), observed.max(), 4))
    np.testing.assert_allclose(age["mean_response"], _manual_partial_dependence(h2opy, gbm, prostate, "AGE", ages),
                               atol=1e-6)
    race = tables[1].as_data_frame()
    assert list(race["race"].astype(str)) == ["0", "1", "2"]

    ice = gbm.partial_plot(prostate, cols=["PSA"], nbins=3, row_index=5, plot=False)[0].as_data_frame()
    psa = ice["psa"].to_numpy(dtype=float)
    one_row = prostate[5, :]
    np.testing.assert_allclose(ice["mean_response"], _manual_partial_dependence(h2opy, gbm, one_row, "PSA", psa),
                               atol=1e-6)

    pairs = gbm.partial_plot(prostate, cols=["AGE"], col_pairs_2dpdp=[["AGE", "GLEASON"]], nbins=3, plot=False)
    two_d = pairs[1].as_data_frame()
    assert list(two_d.columns)[:2] == ["age", "gleason"] and len(two_d) == 3 * 3
