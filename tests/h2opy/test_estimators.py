"""The official h2o-py client's estimators, grids and AutoML on both servers (issue 15).

Every test runs once per server (``server_url``). What a model method returns is checked two
ways: its kind (the h2o-py class or Python type the user gets), and its value against what
the test computes itself from the model's own predictions (scikit-learn, numpy), so the
embedded engine and real H2O-3 are held to the same independent yardstick. Where the fit is
deterministic (an unpenalized GLM) the values are checked against an independent fit.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score

X = ["AGE", "RACE", "DPROS", "DCAPS", "PSA", "VOL", "GLEASON"]
IRIS_X = ["Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width"]


@pytest.fixture
def prostate(h2opy, data_dir):
    """(train, test) of prostate with CAPSULE categorical, split by the server."""
    h2opy.no_progress()
    frame = h2opy.upload_file(str(data_dir / "prostate.csv"))
    frame["CAPSULE"] = frame["CAPSULE"].asfactor()
    train, test = frame.split_frame([0.75], seed=42)
    return train, test


@pytest.fixture
def iris(h2opy, data_dir):
    h2opy.no_progress()
    return h2opy.upload_file(str(data_dir / "iris.csv"))


def _df(fr) -> pd.DataFrame:
    return fr.as_data_frame()


def _actual_01(test) -> np.ndarray:
    return _df(test["CAPSULE"])["CAPSULE"].astype(int).to_numpy()


def _binomial_estimators(h2o):
    from h2o.estimators import (
        H2ODeepLearningEstimator, H2OGeneralizedAdditiveEstimator, H2OGeneralizedLinearEstimator,
        H2OGradientBoostingEstimator, H2ONaiveBayesEstimator, H2ORandomForestEstimator, H2OXGBoostEstimator,
    )
    cv = dict(nfolds=3, fold_assignment="Modulo", keep_cross_validation_predictions=True)
    return {
        "gbm": lambda: H2OGradientBoostingEstimator(ntrees=20, max_depth=3, seed=1, **cv),
        "drf": lambda: H2ORandomForestEstimator(ntrees=20, seed=1, **cv),
        "xgboost": lambda: H2OXGBoostEstimator(ntrees=20, max_depth=3, seed=1, **cv),
        "glm": lambda: H2OGeneralizedLinearEstimator(family="binomial", **cv),
        "gam": lambda: H2OGeneralizedAdditiveEstimator(family="binomial", gam_columns=["PSA"], **cv),
        "deeplearning": lambda: H2ODeepLearningEstimator(hidden=[8, 8], epochs=5, seed=1, reproducible=True, **cv),
        "naivebayes": lambda: H2ONaiveBayesEstimator(seed=1, **cv),
    }


@pytest.mark.parametrize("algo", ["gbm", "drf", "xgboost", "glm", "gam", "deeplearning", "naivebayes"])
def test_binomial_estimator_methods(h2opy, prostate, algo, capsys):
    from h2o.model.confusion_matrix import ConfusionMatrix
    from h2o.model.metrics import H2OBinomialModelMetrics
    from h2o.two_dim_table import H2OTwoDimTable

    train, test = prostate
    model = _binomial_estimators(h2opy)[algo]()
    x = [c for c in X if c != "PSA"] if algo == "gam" else X   # a GAM smooths PSA instead
    model.train(x=x, y="CAPSULE", training_frame=train, validation_frame=test)

    # model_performance on a new frame equals what its predictions give
    perf = model.model_performance(test)
    assert isinstance(perf, H2OBinomialModelMetrics)
    p1 = _df(model.predict(test))["p1"].to_numpy()
    y = _actual_01(test)
    assert perf.auc() == pytest.approx(roc_auc_score(y, p1), abs=1e-6)
    assert perf.logloss() == pytest.approx(log_loss(y, np.clip(p1, 1e-15, 1 - 1e-15)), rel=1e-6)
    assert perf.rmse() == pytest.approx(math.sqrt(np.mean((y - p1) ** 2)), rel=1e-6)
    # ...and the validation metrics kept with the model are the same numbers
    assert model.model_performance(valid=True).auc() == pytest.approx(perf.auc(), abs=1e-9)
    assert model.auc(valid=True) == pytest.approx(perf.auc(), abs=1e-9)
    assert isinstance(model.auc(), float) and isinstance(model.logloss(), float) and isinstance(model.rmse(), float)
    assert set(model.auc(train=True, valid=True, xval=True)) == {"train", "valid", "xval"}

    cm = model.confusion_matrix()
    assert isinstance(cm, ConfusionMatrix)
    table = perf.confusion_matrix().to_list()       # [[TN, FP], [FN, TP]] at the max-F1 threshold
    threshold = perf.find_threshold_by_max_metric("f1")
    predicted = (p1 >= threshold).astype(int)
    assert table == [[int(np.sum((y == 0) & (predicted == 0))), int(np.sum((y == 0) & (predicted == 1)))],
                     [int(np.sum((y == 1) & (predicted == 0))), int(np.sum((y == 1) & (predicted == 1)))]]
    fpr, tpr = model.roc()
    assert len(fpr) == len(tpr) > 2 and all(0 <= v <= 1 for v in fpr + tpr)
    assert isinstance(model.gains_lift(), H2OTwoDimTable)

    # cross-validation
    xval = model.model_performance(xval=True)
    assert isinstance(xval, H2OBinomialModelMetrics) and 0.5 < xval.auc() <= 1
    summary = model.cross_validation_metrics_summary()
    assert isinstance(summary, H2OTwoDimTable) and "mean" in summary.col_header
    holdouts = model.cross_validation_predictions()
    assert len(holdouts) == 3 and all(h.nrow == train.nrow for h in holdouts)
    assert len(model.cross_validation_models()) == 3

    if algo != "naivebayes":   # naive Bayes has no variable importances, in H2O-3 too
        varimp = model.varimp()
        # a feature, a one-hot level of one ("RACE.1") or a GAM's spline term ("PSA_0_center_cs__1")
        assert varimp and all(any(row[0].startswith(c) for c in X) for row in varimp)
    history = model.scoring_history()
    if algo == "naivebayes":   # one pass over the data: no history, in H2O-3 too
        assert history is None
    else:
        assert isinstance(history, pd.DataFrame) and len(history) >= 1
    assert isinstance(model.summary(), H2OTwoDimTable)
    model.show()
    assert model.model_id in capsys.readouterr().out

    again = h2opy.get_model(model.model_id)
    assert again.model_id == model.model_id and again.auc() == model.auc()
    h2opy.remove(model)
    with pytest.raises(Exception):
        h2opy.get_model(model.model_id)


def test_unpenalized_glm_coefficients_match_an_independent_fit(h2opy, prostate):
    from h2o.estimators import H2OGeneralizedLinearEstimator

    train, _ = prostate
    numeric = ["AGE", "PSA", "VOL", "GLEASON"]
    glm = H2OGeneralizedLinearEstimator(family="binomial", lambda_=0, solver="IRLSM")
    glm.train(x=numeric, y="CAPSULE", training_frame=train)
    df = _df(train)
    reference = LogisticRegression(penalty=None, max_iter=10_000, tol=1e-10).fit(df[numeric], df["CAPSULE"].astype(int))
    coef = glm.coef()
    assert coef["Intercept"] == pytest.approx(reference.intercept_[0], rel=1e-4)
    for name, value in zip(numeric, reference.coef_[0]):
        assert coef[name] == pytest.approx(value, rel=1e-4, abs=1e-6)
    # standardized coefficients: each slope times its column's standard deviation
    norm = glm.coef_norm()
    for name in numeric:
        assert norm[name] == pytest.approx(coef[name] * df[name].std(ddof=1), rel=1e-4, abs=1e-6)


@pytest.mark.parametrize("algo", ["gbm", "glm"])
def test_multinomial_and_regression_metrics_match_the_predictions(h2opy, iris, prostate, algo):
    from h2o.estimators import H2OGeneralizedLinearEstimator, H2OGradientBoostingEstimator
    from h2o.model.metrics import H2OMultinomialModelMetrics, H2ORegressionModelMetrics

    make = {"gbm": lambda **kw: H2OGradientBoostingEstimator(ntrees=10, seed=1, **kw),
            "glm": lambda **kw: H2OGeneralizedLinearEstimator(**kw)}[algo]
    classes = make(**({"family": "multinomial"} if algo == "glm" else {}))
    classes.train(x=IRIS_X, y="Species", training_frame=iris)
    perf = classes.model_performance(iris)
    assert isinstance(perf, H2OMultinomialModelMetrics)
    scored = _df(classes.predict(iris))
    levels = sorted(_df(iris)["Species"].unique())
    actual = _df(iris)["Species"].map({level: i for i, level in enumerate(levels)}).to_numpy()
    probs = scored[levels].to_numpy()
    assert perf.logloss() == pytest.approx(-np.mean(np.log(np.clip(probs[np.arange(len(actual)), actual],
                                                                     1e-15, 1))), rel=1e-6)
    errors = perf.confusion_matrix().cell_values   # rows: actual classes, then the totals
    for i, level in enumerate(levels):
        assert [int(v) for v in errors[i][:len(levels)]] == [
            int(np.sum((actual == i) & (scored["predict"].to_numpy() == other))) for other in levels]

    train, test = prostate
    numbers = make()
    numbers.train(x=["AGE", "PSA", "GLEASON", "DPROS"], y="VOL", training_frame=train)
    perf = numbers.model_performance(test)
    assert isinstance(perf, H2ORegressionModelMetrics)
    predicted = _df(numbers.predict(test))["predict"].to_numpy()
    truth = _df(test)["VOL"].to_numpy()
    assert perf.rmse() == pytest.approx(math.sqrt(np.mean((truth - predicted) ** 2)), rel=1e-6)
    assert perf.mae() == pytest.approx(np.mean(np.abs(truth - predicted)), rel=1e-6)
    assert perf.r2() == pytest.approx(1 - np.sum((truth - predicted) ** 2) / np.sum((truth - truth.mean()) ** 2),
                                      rel=1e-6)


def test_stacked_ensemble_of_estimators(h2opy, prostate):
    from h2o.estimators import (H2OGeneralizedLinearEstimator, H2OGradientBoostingEstimator,
                                H2OStackedEnsembleEstimator)
    from h2o.model.metrics import H2OBinomialModelMetrics

    train, test = prostate
    cv = dict(nfolds=3, fold_assignment="Modulo", keep_cross_validation_predictions=True)
    gbm = H2OGradientBoostingEstimator(ntrees=20, seed=1, **cv)
    gbm.train(x=X, y="CAPSULE", training_frame=train)
    glm = H2OGeneralizedLinearEstimator(family="binomial", **cv)
    glm.train(x=X, y="CAPSULE", training_frame=train)
    ensemble = H2OStackedEnsembleEstimator(base_models=[gbm, glm], seed=1)
    ensemble.train(x=X, y="CAPSULE", training_frame=train)
    perf = ensemble.model_performance(test)
    assert isinstance(perf, H2OBinomialModelMetrics)
    p1 = _df(ensemble.predict(test))["p1"].to_numpy()
    assert perf.auc() == pytest.approx(roc_auc_score(_actual_01(test), p1), abs=1e-6)
    assert perf.auc() >= min(gbm.model_performance(test).auc(), glm.model_performance(test).auc()) - 0.02
    assert ensemble.stacking_strategy() == "cross_validation"


def test_unsupervised_estimators(h2opy, prostate, server_kind):
    from h2o.estimators import (
        H2ODeepLearningEstimator, H2OGeneralizedLowRankEstimator, H2OIsolationForestEstimator, H2OKMeansEstimator,
        H2OPrincipalComponentAnalysisEstimator, H2OSingularValueDecompositionEstimator,
    )
    train, test = prostate
    numeric = ["AGE", "PSA", "VOL", "GLEASON"]
    df = _df(test)[numeric].to_numpy()

    kmeans = H2OKMeansEstimator(k=3, seed=1, standardize=False)
    kmeans.train(x=numeric, training_frame=train)
    centers = np.array(kmeans.centers())
    assert centers.shape == (3, len(numeric))
    assigned = _df(kmeans.predict(test))["predict"].to_numpy().astype(int)
    perf = kmeans.model_performance(test)
    assert perf.tot_withinss() == pytest.approx(float(np.sum((df - centers[assigned]) ** 2)), rel=1e-6)
    assert len(kmeans.size()) == 3 and sum(kmeans.size()) == train.nrow

    pca = H2OPrincipalComponentAnalysisEstimator(k=2, transform="STANDARDIZE")
    pca.train(x=numeric, training_frame=train)
    scores = _df(pca.predict(test))
    assert list(scores.columns) == ["PC1", "PC2"] and len(scores) == test.nrow
    importance = pca.varimp(use_pandas=True)
    assert importance.shape[1] >= 2

    svd = H2OSingularValueDecompositionEstimator(nv=2, transform="STANDARDIZE")
    svd.train(x=numeric, training_frame=train)
    assert svd.predict(test).ncol == 2

    glrm = H2OGeneralizedLowRankEstimator(k=2, seed=1, transform="STANDARDIZE", max_iterations=50)
    glrm.train(x=numeric, training_frame=train)
    assert glrm.predict(test).ncol == len(numeric)

    forest = H2OIsolationForestEstimator(ntrees=20, seed=1)
    forest.train(x=numeric, training_frame=train)
    scored = _df(forest.predict(test))
    assert {"predict", "mean_length"} <= set(scored.columns)
    assert scored["predict"].between(0, 1).all()

    autoencoder = H2ODeepLearningEstimator(autoencoder=True, hidden=[3], epochs=5, seed=1, reproducible=True)
    autoencoder.train(x=numeric, training_frame=train)
    errors = _df(autoencoder.anomaly(test))
    assert list(errors.columns) == ["Reconstruction.MSE"] and len(errors) == test.nrow
    # The metrics on a frame are the mean of its rows' reconstruction errors. H2O-3 answers NaN
    # to model_performance(test) of an autoencoder; the embedded engine gives the number.
    mse = autoencoder.model_performance(test).mse()
    if server_kind == "h2o3":
        assert mse == "NaN"
    else:
        assert mse == pytest.approx(errors["Reconstruction.MSE"].mean(), rel=1e-6)


def test_grid_search(h2opy, prostate):
    from h2o.estimators import H2OGradientBoostingEstimator
    from h2o.grid import H2OGridSearch

    train, test = prostate
    grid = H2OGridSearch(H2OGradientBoostingEstimator(seed=1), grid_id="h2opy_grid",
                         hyper_params={"max_depth": [2, 3], "ntrees": [5, 10]})
    grid.train(x=X, y="CAPSULE", training_frame=train, validation_frame=test)
    assert len(grid.models) == 4
    combos = {(m.actual_params["max_depth"], m.actual_params["ntrees"]) for m in grid.models}
    assert combos == {(2, 5), (2, 10), (3, 5), (3, 10)}
    ranked = grid.get_grid(sort_by="auc", decreasing=True)   # by the validation frame's AUC
    aucs = [m.auc(valid=True) for m in ranked.models]
    assert aucs == sorted(aucs, reverse=True)
    assert len(h2opy.get_grid("h2opy_grid").models) == 4

    random = H2OGridSearch(H2OGradientBoostingEstimator(seed=1, ntrees=5), hyper_params={"max_depth": [2, 3, 4, 5]},
                           search_criteria={"strategy": "RandomDiscrete", "max_models": 2, "seed": 1})
    random.train(x=X, y="CAPSULE", training_frame=train)
    assert len(random.models) == 2


def test_automl(h2opy, prostate):
    from h2o.automl import H2OAutoML, get_automl, get_leaderboard

    train, test = prostate
    aml = H2OAutoML(max_models=3, seed=1, nfolds=3, project_name="h2opy_automl",
                    exclude_algos=["DeepLearning", "StackedEnsemble"])
    aml.train(x=X, y="CAPSULE", training_frame=train)
    board = _df(aml.leaderboard)
    assert len(board) == 3 and board.columns[0] == "model_id" and "auc" in board.columns
    assert list(board["auc"]) == sorted(board["auc"], reverse=True)
    assert aml.leader.model_id == board["model_id"][0]
    assert aml.leader.model_performance(xval=True).auc() == pytest.approx(board["auc"][0], abs=1e-9)
    assert len(aml.event_log) > 0
    assert isinstance(aml.training_info, dict) and aml.training_info

    extended = _df(get_leaderboard(aml, extra_columns="ALL"))
    assert {"training_time_ms", "predict_time_per_row_ms", "algo"} <= set(extended.columns)
    assert list(extended["model_id"]) == list(board["model_id"])
    assert (extended["training_time_ms"] >= 0).all() and (extended["predict_time_per_row_ms"] > 0).all()

    # AutoML's step columns, shown when asked for by name (not by ALL)
    steps = _df(get_leaderboard(aml, extra_columns=["provider", "step"]))
    assert list(steps["provider"]) == [algo for algo in extended["algo"]] and steps["step"].notna().all()
    assert "provider" not in extended.columns

    algos = dict(zip(extended["model_id"], extended["algo"]))
    for algo in set(algos.values()):
        best = aml.get_best_model(algorithm=algo.lower())
        assert algos[best.model_id] == algo
    by_logloss = aml.get_best_model(criterion="logloss")
    assert by_logloss.model_id == extended.sort_values("logloss")["model_id"].iloc[0]
    assert get_automl("h2opy_automl").leader.model_id == aml.leader.model_id


def test_make_leaderboard_of_models_and_a_grid(h2opy, prostate):
    from h2o.estimators import H2OGeneralizedLinearEstimator, H2OGradientBoostingEstimator
    from h2o.grid import H2OGridSearch

    train, test = prostate
    grid = H2OGridSearch(H2OGradientBoostingEstimator(seed=1, ntrees=10), hyper_params={"max_depth": [2, 4]})
    grid.train(x=X, y="CAPSULE", training_frame=train)
    glm = H2OGeneralizedLinearEstimator(family="binomial")
    glm.train(x=X, y="CAPSULE", training_frame=train)
    board = _df(h2opy.make_leaderboard([grid, glm], test, extra_columns="ALL"))
    assert set(board["model_id"]) == set(grid.model_ids) | {glm.model_id}
    assert {"auc", "logloss", "training_time_ms", "predict_time_per_row_ms", "algo"} <= set(board.columns)
    # the metrics are the models' own on the leaderboard frame, best AUC first
    expected = {m: h2opy.get_model(m).model_performance(test).auc() for m in board["model_id"]}
    assert list(board["auc"]) == pytest.approx([expected[m] for m in board["model_id"]], abs=1e-9)
    assert list(board["auc"]) == sorted(board["auc"], reverse=True)
    by_logloss = _df(h2opy.make_leaderboard(grid, sort_metric="logloss", scoring_data="train"))
    assert list(by_logloss["logloss"]) == sorted(by_logloss["logloss"])
    assert list(by_logloss["logloss"]) == pytest.approx(
        sorted(h2opy.get_model(m).logloss(train=True) for m in grid.model_ids), abs=1e-9)
