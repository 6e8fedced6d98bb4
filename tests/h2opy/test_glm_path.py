"""GLM's regularization path (GET /3/GetGLMRegPath), a GLM made from given coefficients
(POST /3/MakeGLMModel) and GLM metrics, through h2o-py, on both servers.

Numbers are checked against computations made here with numpy from the data and the
coefficients the server gives (deviances, standardization, Wald statistics, predictions),
and against a single-lambda refit of a path's submodel.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from tests.h2opy.prostate import X, upload_prostate


@pytest.fixture
def prostate(h2opy, data_dir):
    return upload_prostate(h2opy, data_dir)


@pytest.fixture
def prostate_arrays(prostate_df):
    return prostate_df[X].to_numpy(dtype=float), prostate_df["CAPSULE"].to_numpy(dtype=float)


def _glm(**params):
    from h2o.estimators import H2OGeneralizedLinearEstimator

    return H2OGeneralizedLinearEstimator(**params)


def _binomial_deviance(y, p):
    return float(-2 * np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)))


def _probabilities(X_, coefs):
    eta = coefs["Intercept"] + X_ @ np.array([coefs[name] for name in X])
    return 1 / (1 + np.exp(-eta))


def test_path_lists_every_submodel_of_a_lambda_search(prostate, prostate_arrays):
    from h2o.estimators import H2OGeneralizedLinearEstimator

    Xv, y = prostate_arrays
    model = _glm(family="binomial", lambda_search=True, nlambdas=8, solver="COORDINATE_DESCENT")
    model.train(x=X, y="CAPSULE", training_frame=prostate)
    path = H2OGeneralizedLinearEstimator.getGLMRegularizationPath(model)

    n = len(path["lambdas"])
    assert n >= 2 and len(path["alphas"]) == len(path["coefficients"]) == len(path["coefficients_std"]) == n
    assert path["names"] == X + ["Intercept"]      # H2O-3's order: the intercept last
    assert all(a == 0.5 for a in path["alphas"])
    assert path["lambdas"] == sorted(path["lambdas"], reverse=True)
    assert path["explained_deviance_valid"] is None and path["z_values"] is None
    # The first lambda is lambda_max: only the intercept, at the logit of the mean response.
    first = path["coefficients"][0]
    assert all(first[name] == 0 for name in X)
    assert first["Intercept"] == pytest.approx(math.log(y.mean() / (1 - y.mean())), abs=1e-6)
    assert path["explained_deviance_train"][0] == pytest.approx(0, abs=1e-9)

    null = _binomial_deviance(y, np.full(len(y), y.mean()))
    sigma, mean = Xv.std(axis=0, ddof=1), Xv.mean(axis=0)
    for coefs, std, explained in zip(path["coefficients"], path["coefficients_std"],
                                     path["explained_deviance_train"]):
        # Explained deviance of the submodel's own coefficients, computed here.
        residual = _binomial_deviance(y, _probabilities(Xv, coefs))
        assert explained == pytest.approx(1 - residual / null, abs=1e-6)
        # Standardized coefficients are the original ones on columns scaled to unit sd.
        for j, name in enumerate(X):
            assert std[name] == pytest.approx(coefs[name] * sigma[j], abs=1e-6)
        assert std["Intercept"] == pytest.approx(coefs["Intercept"] + sum(coefs[c] * mean[j] for j, c in enumerate(X)),
                                                 abs=1e-6)

    # A submodel is the model fitted at its lambda alone.
    k = n // 2
    alone = _glm(family="binomial", lambda_=path["lambdas"][k], solver="COORDINATE_DESCENT")
    alone.train(x=X, y="CAPSULE", training_frame=prostate)
    for name, value in alone.coef().items():
        assert path["coefficients"][k][name] == pytest.approx(value, abs=1e-3)


def test_path_of_a_fit_with_p_values_holds_its_wald_statistics(prostate, prostate_arrays):
    from h2o.estimators import H2OGeneralizedLinearEstimator

    Xv, y = prostate_arrays
    model = _glm(family="binomial", lambda_=0, compute_p_values=True)
    model.train(x=X, y="CAPSULE", training_frame=prostate)
    path = H2OGeneralizedLinearEstimator.getGLMRegularizationPath(model)
    assert path["lambdas"] == [0.0]

    coefs = path["coefficients"][0]
    # Wald statistics computed here: the inverse Fisher information at the coefficients.
    design = np.column_stack([Xv, np.ones(len(y))])
    p = _probabilities(Xv, coefs)
    covariance = np.linalg.inv(design.T @ (design * (p * (1 - p))[:, None]))
    names = X + ["Intercept"]
    for i, name in enumerate(names):
        se = math.sqrt(covariance[i, i])
        z = coefs[name] / se
        assert path["std_errs"][0][name] == pytest.approx(se, rel=1e-5)
        assert path["z_values"][0][name] == pytest.approx(z, rel=1e-5)
        assert path["p_values"][0][name] == pytest.approx(2 * stats.norm.cdf(-abs(z)), rel=1e-4, abs=1e-12)


def test_path_with_several_alphas_and_lambdas_lists_them_alpha_by_alpha(prostate):
    from h2o.estimators import H2OGeneralizedLinearEstimator

    model = _glm(family="binomial", alpha=[0.1, 0.9], lambda_=[0.05, 0.01], solver="COORDINATE_DESCENT")
    model.train(x=X, y="CAPSULE", training_frame=prostate)
    path = H2OGeneralizedLinearEstimator.getGLMRegularizationPath(model)
    assert path["alphas"] == [0.1, 0.1, 0.9, 0.9]
    assert path["lambdas"] == [0.05, 0.01, 0.05, 0.01]
    best = model._model_json["output"]["best_submodel_index"]
    for name, value in model.coef().items():
        assert path["coefficients"][best][name] == pytest.approx(value, abs=1e-9)


def test_made_model_predicts_with_the_given_coefficients(prostate, prostate_arrays):
    from h2o.estimators import H2OGeneralizedLinearEstimator

    Xv, y = prostate_arrays
    source = _glm(family="binomial", lambda_=0)
    source.train(x=X, y="CAPSULE", training_frame=prostate)
    given = {name: value * 0.9 for name, value in source.coef().items()}   # not the fitted ones
    made = H2OGeneralizedLinearEstimator.makeGLMModel(model=source, coefs=given)

    assert made.coef() == pytest.approx(given, abs=1e-12)
    expected = _probabilities(Xv, given)
    predicted = made.predict(prostate).as_data_frame()["p1"].to_numpy()
    np.testing.assert_allclose(predicted, expected, atol=1e-6)
    # Its metrics on a frame are GLM metrics: deviances against the training mean response.
    performance = made.model_performance(prostate)
    assert performance.residual_deviance() == pytest.approx(_binomial_deviance(y, expected), rel=1e-6)
    assert performance.null_deviance() == pytest.approx(_binomial_deviance(y, np.full(len(y), y.mean())), rel=1e-6)
    assert performance.aic() == pytest.approx(_binomial_deviance(y, expected) + 2 * len(given), rel=1e-6)


def test_made_model_refuses_a_wrong_number_of_coefficients(prostate):
    from h2o.estimators import H2OGeneralizedLinearEstimator
    from h2o.exceptions import H2OResponseError

    source = _glm(family="binomial", lambda_=0)
    source.train(x=X, y="CAPSULE", training_frame=prostate)
    with pytest.raises(H2OResponseError) as refused:
        H2OGeneralizedLinearEstimator.makeGLMModel(model=source, coefs={**source.coef(), "extra": 1.0})
    text = str(refused.value)
    assert "java.lang.IllegalArgumentException" in text
    assert "model coefficient length 8 is different from coefficient provided by user 9" in text


def test_startval_at_the_null_model_changes_nothing_and_a_wrong_length_is_refused(prostate, prostate_arrays):
    from h2o.exceptions import H2OResponseError

    _, y = prostate_arrays
    default = _glm(family="binomial")
    default.train(x=X, y="CAPSULE", training_frame=prostate)
    started = _glm(family="binomial", startval=[0.0] * len(X) + [math.log(y.mean() / (1 - y.mean()))])
    started.train(x=X, y="CAPSULE", training_frame=prostate)
    assert started.coef() == pytest.approx(default.coef(), abs=1e-6)
    with pytest.raises((H2OResponseError, EnvironmentError)) as refused:
        _glm(family="binomial", startval=[0.0, 0.0]).train(x=X, y="CAPSULE", training_frame=prostate)
    assert "Initial coefficient length (2)" in str(refused.value)


def test_grid_over_weights_columns_weighs_each_model_by_its_own(prostate):
    from h2o.grid import H2OGridSearch
    from h2o.estimators import H2OGeneralizedLinearEstimator

    prostate["wt_2"] = (prostate["CAPSULE"] == "1").ifelse(2, 1)
    prostate["wt_100"] = (prostate["CAPSULE"] == "1").ifelse(100, 1)
    grid = H2OGridSearch(H2OGeneralizedLinearEstimator, hyper_params={"weights_column": ["wt_2", "wt_100"]})
    grid.train(x=X, y="CAPSULE", training_frame=prostate)
    for model in grid.models:
        weights = model.actual_params["weights_column"]["column_name"]
        alone = _glm(weights_column=weights)
        alone.train(x=X, y="CAPSULE", training_frame=prostate)
        assert model.coef() == pytest.approx(alone.coef(), abs=1e-9), weights
        assert model.logloss() == pytest.approx(alone.logloss(), abs=1e-12), weights
