"""GLM and GAM against independent references: numpy lstsq, scipy optimizers, scikit-learn's
ElasticNet, a textbook Wald test, and H2O-3's own prostate model."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats
from sklearn.linear_model import ElasticNet

from h2odash.engine.algos import gam, glm
from h2odash.engine.algos.base import Monitor, TrainingSet
from h2odash.engine.errors import InvalidArgument
from h2odash.engine.model_data import (
    build_spec,
    frame_from_columns,
    response_values,
    weight_values,
)

DATA = Path(__file__).resolve().parents[2] / "data"


# --- factories --------------------------------------------------------------------------------

def make_frame(columns, enums=None, key="f"):
    """A Frame from numpy columns; ``enums`` maps a column to its levels (values are codes)."""
    enums = enums or {}
    types = {name: ("enum", enums[name]) if name in enums else "real" for name in columns}
    return frame_from_columns(key, columns, types)


def train(algorithm, frame, response, monitor=None, **given):
    spec = build_spec(frame, response)
    params = algorithm.parameters.resolve({"training_frame": frame.key, "response_column": response, **given})
    algorithm.check(params, spec)
    X = algorithm.layout(frame, spec, params)
    data = TrainingSet(X, response_values(frame, spec), weight_values(frame, spec), spec)
    fitted = algorithm.fit(data, params, monitor)
    return fitted, X


def regression_data(n=400, seed=0):
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(2.0, 3.0, size=n)
    group = rng.integers(0, 3, size=n)
    eta = 0.3 + 0.5 * x1 - 0.2 * x2 + np.array([0.0, 0.4, -0.3])[group]
    return rng, x1, x2, group, eta


def design(x1, x2, group):
    """Intercept, x1, x2 and dummies for levels 1 and 2 (level 0 is the reference)."""
    return np.column_stack([np.ones_like(x1), x1, x2, group == 1, group == 2]).astype(float)


def coefficients(fitted):
    return np.array([row[1] for row in fitted.coefficients_table().rows])


def mle(negative_loglik, gradient, start):
    result = optimize.minimize(negative_loglik, start, jac=gradient, method="BFGS",
                               options={"gtol": 1e-12, "maxiter": 10000})
    return result.x


# --- agreement with references ------------------------------------------------------------------

def test_gaussian_unregularized_matches_least_squares_with_enum_expansion():
    rng, x1, x2, group, eta = regression_data()
    y = eta + rng.normal(scale=0.5, size=len(eta))
    frame = make_frame({"x1": x1, "x2": x2, "g": group, "y": y}, enums={"g": ["a", "b", "c"]})
    fitted, _ = train(glm.ALGORITHM, frame, "y", **{"lambda": [0.0]})
    expected = np.linalg.lstsq(design(x1, x2, group), y, rcond=None)[0]
    table = fitted.coefficients_table()
    assert table.column("names") == ["Intercept", "x1", "x2", "g.b", "g.c"]
    np.testing.assert_allclose(coefficients(fitted), expected, atol=1e-8)


def test_binomial_unregularized_matches_maximum_likelihood():
    rng, x1, x2, group, eta = regression_data(n=600, seed=1)
    y = (rng.random(len(eta)) < 1 / (1 + np.exp(-eta))).astype(int)
    frame = make_frame({"x1": x1, "x2": x2, "g": group, "y": y}, enums={"g": ["a", "b", "c"], "y": ["0", "1"]})
    fitted, X = train(glm.ALGORITHM, frame, "y", **{"lambda": [0.0]})
    D = design(x1, x2, group)

    def nll(b):
        z = D @ b
        return np.sum(np.logaddexp(0, z) - y * z)

    def grad(b):
        return D.T @ (1 / (1 + np.exp(-(D @ b))) - y)

    expected = mle(nll, grad, np.zeros(D.shape[1]))
    np.testing.assert_allclose(coefficients(fitted), expected, atol=1e-5)
    probabilities = fitted.predict(X)
    assert probabilities.shape == (len(y), 2)
    np.testing.assert_allclose(probabilities[:, 1], 1 / (1 + np.exp(-(D @ expected))), atol=1e-6)


def test_poisson_unregularized_matches_maximum_likelihood():
    rng, x1, x2, group, eta = regression_data(n=500, seed=2)
    y = rng.poisson(np.exp(0.5 * eta)).astype(float)
    frame = make_frame({"x1": x1, "x2": x2, "g": group, "y": y}, enums={"g": ["a", "b", "c"]})
    fitted, X = train(glm.ALGORITHM, frame, "y", family="poisson", **{"lambda": [0.0]})
    D = design(x1, x2, group)

    def nll(b):
        z = D @ b
        return np.sum(np.exp(z) - y * z)

    def grad(b):
        return D.T @ (np.exp(D @ b) - y)

    expected = mle(nll, grad, np.zeros(D.shape[1]))
    np.testing.assert_allclose(coefficients(fitted), expected, atol=1e-5)
    np.testing.assert_allclose(fitted.predict(X), np.exp(D @ expected), rtol=1e-5)


@pytest.mark.parametrize("alpha,lam", [(1.0, 0.05), (0.5, 0.1), (0.0, 0.3)])
def test_elastic_net_matches_sklearn_on_standardized_predictors(alpha, lam):
    rng = np.random.default_rng(3)
    n, p = 300, 6
    Xraw = rng.normal(size=(n, p)) * rng.uniform(0.5, 4, size=p) + rng.normal(size=p)
    y = Xraw @ np.array([1.0, -0.5, 0.0, 0.0, 0.25, 2.0]) + rng.normal(size=n)
    columns = {f"x{i}": Xraw[:, i] for i in range(p)} | {"y": y}
    frame = make_frame(columns)
    fitted, X = train(glm.ALGORITHM, frame, "y", alpha=[alpha], **{"lambda": [lam]})
    # H2O's objective (1/n) deviance / 2 + lambda (alpha |b|_1 + (1 - alpha) / 2 |b|^2) is sklearn's.
    reference = ElasticNet(alpha=lam, l1_ratio=alpha, tol=1e-14, max_iter=100000).fit(X, y)
    standardized = [row[-1] for row in fitted.coefficients_table().rows]
    np.testing.assert_allclose(standardized[1:], reference.coef_, atol=1e-5)
    np.testing.assert_allclose(standardized[0], reference.intercept_, atol=1e-5)
    np.testing.assert_allclose(fitted.predict(X), reference.predict(X), atol=1e-5)


def test_prostate_binomial_matches_h2o_default_lambda_and_coefficients():
    df = pd.read_csv(DATA / "prostate.csv")
    columns = {c: df[c].to_numpy(dtype=float) for c in df.columns}
    frame = make_frame(columns, enums={"CAPSULE": ["0", "1"]}, key="prostate_enum")
    fitted, _ = train(glm.ALGORITHM, frame, "CAPSULE")
    output = fitted.output()
    # Values from H2O-3 3.46 (reference/model_glm_prostate_enum.json).
    assert output["lambda_best"] == pytest.approx(0.0004444752603497294, rel=1e-9)
    assert output["alpha_best"] == 0.5
    summary = {name: value for name, _, value in fitted.summary()}
    assert summary["regularization"] == "Elastic Net (alpha = 0.5, lambda = 4.445E-4 )"
    assert summary["family"] == "binomial" and summary["link"] == "logit"
    assert summary["number_of_predictors_total"] == 8
    h2o = {"Intercept": -8.102861233026575, "AGE": -0.007959389969014725, "RACE": -0.606018934540387,
           "DPROS": 0.5503891749841721, "PSA": 0.027076170422619898, "GLEASON": 1.0053229809192141}
    ours = fitted.coef()
    for name, value in h2o.items():   # H2O stops IRLSM earlier (objective_epsilon 1e-4)
        assert ours[name] == pytest.approx(value, rel=5e-3, abs=1e-4)
    assert [name for name, _ in fitted.variable_importances()][:3] == ["GLEASON", "DPROS", "PSA"]


# --- p-values -----------------------------------------------------------------------------------

def test_gaussian_p_values_match_textbook_wald_t_test():
    rng, x1, x2, group, eta = regression_data(n=120, seed=4)
    y = eta + rng.normal(size=len(eta))
    frame = make_frame({"x1": x1, "x2": x2, "g": group, "y": y}, enums={"g": ["a", "b", "c"]})
    fitted, _ = train(glm.ALGORITHM, frame, "y", compute_p_values=True, **{"lambda": [0.0]})
    D = design(x1, x2, group)
    beta = np.linalg.lstsq(D, y, rcond=None)[0]
    n, k = D.shape
    sigma2 = np.sum((y - D @ beta) ** 2) / (n - k)
    se = np.sqrt(np.diag(np.linalg.inv(D.T @ D)) * sigma2)
    t = beta / se
    p = 2 * stats.t(n - k).cdf(-np.abs(t))
    table = fitted.coefficients_table()
    assert [c.name for c in table.columns] == ["names", "coefficients", "std_error", "z_value", "p_value",
                                               "standardized_coefficients"]
    np.testing.assert_allclose(table.column("std_error"), se, rtol=1e-6)
    np.testing.assert_allclose(table.column("z_value"), t, rtol=1e-6)
    np.testing.assert_allclose(table.column("p_value"), p, rtol=1e-5, atol=1e-12)


def test_binomial_p_values_match_textbook_wald_z_test():
    rng, x1, x2, _group, eta = regression_data(n=500, seed=5)
    y = (rng.random(len(eta)) < 1 / (1 + np.exp(-eta))).astype(int)
    frame = make_frame({"x1": x1, "x2": x2, "y": y}, enums={"y": ["0", "1"]})
    fitted, _ = train(glm.ALGORITHM, frame, "y", compute_p_values=True, **{"lambda": [0.0]})
    D = np.column_stack([np.ones_like(x1), x1, x2])
    beta = coefficients(fitted)
    mu = 1 / (1 + np.exp(-(D @ beta)))
    cov = np.linalg.inv(D.T @ (D * (mu * (1 - mu))[:, None]))
    z = beta / np.sqrt(np.diag(cov))
    table = fitted.coefficients_table()
    np.testing.assert_allclose(table.column("z_value"), z, rtol=1e-5)
    np.testing.assert_allclose(table.column("p_value"), 2 * stats.norm.cdf(-np.abs(z)), rtol=1e-4, atol=1e-12)


def test_p_values_refuse_multinomial_and_other_solvers():
    iris = _iris_frame()
    with pytest.raises(InvalidArgument, match="multinomial"):
        train(glm.ALGORITHM, iris, "species", compute_p_values=True)
    _rng, x1, x2, _, eta = regression_data(seed=6)
    frame = make_frame({"x1": x1, "x2": x2, "y": eta})
    with pytest.raises(InvalidArgument, match="IRLSM"):
        train(glm.ALGORITHM, frame, "y", compute_p_values=True, solver="L_BFGS")


def test_collinear_columns_are_refused_for_p_values_or_removed():
    rng, x1, x2, _, eta = regression_data(seed=7)
    frame = make_frame({"x1": x1, "x2": x2, "x3": x1 + 2 * x2, "y": eta + rng.normal(size=len(eta))})
    with pytest.raises(InvalidArgument, match="collinear"):
        train(glm.ALGORITHM, frame, "y", compute_p_values=True, **{"lambda": [0.0]})
    fitted, _X = train(glm.ALGORITHM, frame, "y", compute_p_values=True, remove_collinear_columns=True,
                      **{"lambda": [0.0]})
    table = fitted.coefficients_table()
    assert table.column("coefficients")[3] == 0.0 and np.isnan(table.column("p_value")[3])
    assert np.isfinite(table.column("p_value")[1])


def test_removed_collinear_columns_still_let_the_live_history_score_every_column():
    """While fitting without a collinear column, each scored iteration predicts from all the
    columns (the dropped one weighing 0), as the training frame has them."""
    rng, x1, x2, _, eta = regression_data(seed=7)
    frame = make_frame({"x1": x1, "x2": x2, "x3": x1 + 2 * x2, "y": eta + rng.normal(size=len(eta))})
    params = glm.ALGORITHM.parameters.resolve({"training_frame": frame.key, "response_column": "y"})
    X = glm.ALGORITHM.layout(frame, build_spec(frame, "y"), params)
    scored = []
    monitor = Monitor(scorer=lambda predict: scored.append(np.asarray(predict(X))) or {}, score_each_iteration=True)
    fitted, _X = train(glm.ALGORITHM, frame, "y", monitor=monitor, remove_collinear_columns=True, **{"lambda": [0.0]})
    assert scored and scored[-1].shape == (len(eta),)
    assert np.allclose(scored[-1], fitted.predict(X))


# --- families, options --------------------------------------------------------------------------

def _iris_frame():
    df = pd.read_csv(DATA / "iris.csv")
    species = df.columns[-1]
    levels = sorted(df[species].unique())
    columns = {c: df[c].to_numpy(dtype=float) for c in df.columns[:-1]}
    columns["species"] = df[species].map({v: i for i, v in enumerate(levels)}).to_numpy()
    return make_frame(columns, enums={"species": levels}, key="iris")


def test_multinomial_predicts_probabilities_and_reports_per_class_coefficients():
    fitted, X = train(glm.ALGORITHM, _iris_frame(), "species")
    probabilities = fitted.predict(X)
    assert probabilities.shape == (150, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    y = response_values(_iris_frame(), build_spec(_iris_frame(), "species"))
    assert (probabilities.argmax(axis=1) == y).mean() > 0.9
    output = fitted.output()
    table = output["coefficients_table"]
    assert [c.name for c in table.columns][:4] == ["names", "coefs_class_0", "coefs_class_1", "coefs_class_2"]
    named = output["coefficients_table_multinomials_with_class_names"]
    assert named.columns[1].name.startswith("coefs_class_") and named.columns[1].name != "coefs_class_0"
    assert {name: value for name, _, value in fitted.summary()}["family"] == "multinomial"


@pytest.mark.parametrize("family,extra", [
    ("gamma", {}), ("gamma", {"link": "log"}), ("tweedie", {"tweedie_variance_power": 1.5, "tweedie_link_power": 0}),
    ("poisson", {}), ("gaussian", {"link": "log"}),
])
def test_positive_response_families_train_and_predict(family, extra):
    rng, x1, x2, _, eta = regression_data(n=500, seed=8)
    mean = np.exp(0.3 * eta)
    y = rng.gamma(shape=3.0, scale=mean / 3.0) if family != "poisson" else rng.poisson(mean).astype(float)
    frame = make_frame({"x1": x1, "x2": x2, "y": y})
    fitted, X = train(glm.ALGORITHM, frame, "y", family=family, **{"lambda": [0.0]}, **extra)
    predictions = fitted.predict(X)
    assert predictions.shape == (len(y),) and np.all(predictions > 0)
    # The fit explains the mean better than a constant does.
    assert np.mean((y - predictions) ** 2) < np.mean((y - y.mean()) ** 2)


def test_gamma_log_link_matches_maximum_likelihood():
    rng, x1, x2, _, eta = regression_data(n=400, seed=9)
    y = rng.gamma(shape=2.0, scale=np.exp(0.4 * eta) / 2.0)
    frame = make_frame({"x1": x1, "x2": x2, "y": y})
    fitted, _ = train(glm.ALGORITHM, frame, "y", family="gamma", link="log", **{"lambda": [0.0]})
    D = np.column_stack([np.ones_like(x1), x1, x2])

    def nll(b):
        z = D @ b
        return np.sum(y * np.exp(-z) + z)

    def grad(b):
        return D.T @ (1 - y * np.exp(-(D @ b)))

    np.testing.assert_allclose(coefficients(fitted), mle(nll, grad, np.zeros(3)), atol=1e-5)


def test_lambda_search_picks_and_reports_a_lambda():
    rng = np.random.default_rng(10)
    n, p = 400, 8
    Xraw = rng.normal(size=(n, p))
    y = Xraw[:, 0] - 0.5 * Xraw[:, 1] + rng.normal(size=n)
    frame = make_frame({f"x{i}": Xraw[:, i] for i in range(p)} | {"y": y})
    fitted, _ = train(glm.ALGORITHM, frame, "y", lambda_search=True, nlambdas=20)
    output = fitted.output()
    assert output["lambda_max"] > output["lambda_best"] >= output["lambda_min"] > 0
    lambdas = [s.lambda_value for s in fitted.solution.submodels]
    assert lambdas == sorted(lambdas, reverse=True) and lambdas[0] == pytest.approx(output["lambda_max"])
    summary = {name: value for name, _, value in fitted.summary()}
    assert summary["lambda_search"].startswith("nlambda = 20, lambda.max = ")
    # H2O-3's summary names the chosen lambda "lambda.min" (not the path's smallest).
    # At lambda_max every coefficient is zero.
    np.testing.assert_allclose(fitted.solution.submodels[0].beta[1:], 0.0, atol=1e-12)


def test_lambda_search_summary_names_the_chosen_lambda_lambda_min():
    """As H2O-3's summary: "lambda.min" is the lambda picked on the validation rows, not the
    path's smallest."""
    rng = np.random.default_rng(11)
    n, p = 120, 30
    Xraw = rng.normal(size=(2 * n, p))
    y = Xraw[:, 0] + rng.normal(scale=2.0, size=2 * n)
    columns = {f"x{i}": Xraw[:, i] for i in range(p)}
    train_frame = make_frame({k: v[:n] for k, v in columns.items()} | {"y": y[:n]}, key="t")
    valid_frame = make_frame({k: v[n:] for k, v in columns.items()} | {"y": y[n:]}, key="v")
    spec = build_spec(train_frame, "y")
    params = glm.ALGORITHM.parameters.resolve({"training_frame": "t", "response_column": "y", "lambda_search": True,
                                               "nlambdas": 30})
    def laid_out(frame):
        return TrainingSet(glm.ALGORITHM.layout(frame, spec, params), response_values(frame, spec),
                           weight_values(frame, spec), spec)
    data = laid_out(train_frame)
    data.valid = laid_out(valid_frame)
    fitted = glm.ALGORITHM.fit(data, params, None)
    output = fitted.output()
    assert output["lambda_best"] > output["lambda_min"]
    summary = {name: value for name, _, value in fitted.summary()}
    assert f"lambda.min = {glm.java_double(output['lambda_best'])}," in summary["lambda_search"]


def test_standardize_does_not_change_unregularized_predictions():
    rng, x1, x2, group, eta = regression_data(seed=11)
    y = (rng.random(len(eta)) < 1 / (1 + np.exp(-eta))).astype(int)
    frame = make_frame({"x1": x1, "x2": x2 * 100, "g": group, "y": y}, enums={"g": ["a", "b", "c"], "y": ["n", "y"]})
    on, X_on = train(glm.ALGORITHM, frame, "y", standardize=True, **{"lambda": [0.0]})
    off, X_off = train(glm.ALGORITHM, frame, "y", standardize=False, **{"lambda": [0.0]})
    np.testing.assert_allclose(on.predict(X_on), off.predict(X_off), atol=1e-7)
    np.testing.assert_allclose(coefficients(on), coefficients(off), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose([r[-1] for r in on.coefficients_table().rows],
                               [r[-1] for r in off.coefficients_table().rows], rtol=1e-5, atol=1e-7)


def test_regularized_models_keep_every_level_as_h2o():
    _rng, x1, _x2, group, eta = regression_data(seed=12)
    frame = make_frame({"x1": x1, "g": group, "y": eta}, enums={"g": ["a", "b", "c"]})
    fitted, X = train(glm.ALGORITHM, frame, "y")
    assert fitted.coefficients_table().column("names") == ["Intercept", "x1", "g.a", "g.b", "g.c"]
    assert X.shape[1] == 4
    assert {name for name, _ in fitted.variable_importances()} == {"x1", "g.a", "g.b", "g.c"}


def test_non_negative_and_no_intercept():
    rng, x1, x2, _, _eta = regression_data(seed=13)
    y = 1.0 + x1 - x2 + rng.normal(scale=0.1, size=len(x1))
    frame = make_frame({"x1": x1, "x2": x2, "y": y})
    fitted, _ = train(glm.ALGORITHM, frame, "y", non_negative=True, **{"lambda": [0.0]})
    coefs = fitted.coef()
    assert coefs["x2"] == 0.0 and coefs["x1"] > 0.5
    fitted, _ = train(glm.ALGORITHM, frame, "y", intercept=False, **{"lambda": [0.0]})
    assert fitted.solution.beta[0] == 0.0


def test_skip_leaves_out_rows_with_missing_values():
    rng, x1, x2, _, eta = regression_data(seed=14)
    x1 = x1.copy()
    x1[:50] = np.nan
    y = eta + 0.01 * rng.normal(size=len(eta))
    frame = make_frame({"x1": x1, "x2": x2, "y": y})
    fitted, X = train(glm.ALGORITHM, frame, "y", missing_values_handling="Skip", **{"lambda": [0.0]})
    D = np.column_stack([np.ones(len(x1)), x1, x2])[50:]
    np.testing.assert_allclose(coefficients(fitted), np.linalg.lstsq(D, y[50:], rcond=None)[0], atol=1e-8)
    assert np.isnan(fitted.predict(X)[:50]).all()


def test_monitor_sees_iterations_and_can_stop_training():
    rng, x1, x2, _, eta = regression_data(n=300, seed=15)
    y = (rng.random(len(eta)) < 1 / (1 + np.exp(-eta))).astype(int)
    frame = make_frame({"x1": x1, "x2": x2, "y": y}, enums={"y": ["0", "1"]})
    seen = []

    class Once(Monitor):
        def iteration(self, done, total, predict=None, unit="number_of_trees"):
            seen.append((done, unit, predict(np.zeros((2, 2))).shape))
            return False

    fitted, X = train(glm.ALGORITHM, frame, "y", monitor=Once(), **{"lambda": [0.0]})
    assert seen == [(1, "iterations", (2, 2))]
    assert fitted.predict(X).shape == (300, 2)


def test_unimplemented_parameters_and_families_are_refused():
    _rng, x1, x2, _, eta = regression_data(seed=16)
    frame = make_frame({"x1": x1, "x2": x2, "y": eta})
    with pytest.raises(InvalidArgument, match="control_variables"):
        train(glm.ALGORITHM, frame, "y", control_variables=["x1"])
    with pytest.raises(InvalidArgument, match="negativebinomial"):
        train(glm.ALGORITHM, frame, "y", family="negativebinomial")
    with pytest.raises(InvalidArgument, match="family=binomial"):
        train(glm.ALGORITHM, frame, "y", family="binomial")


@pytest.mark.parametrize("algorithm", [glm.ALGORITHM, gam.ALGORITHM])
def test_parameters_match_h2o_declarations(algorithm, h2o3_parameters):
    expected = {p["name"]: p for p in h2o3_parameters(algorithm.name)}
    ours = {p.name: p for p in algorithm.parameters}
    assert set(ours) == set(expected)
    for name, p in expected.items():
        assert ours[name].type == p["type"], name
        assert ours[name].default == p["default_value"] or (ours[name].default is None and not p["default_value"]), name
        assert ours[name].level == p["level"], name
        if p["type"] == "enum":
            assert list(ours[name].values) == p["values"], name


# --- GAM ------------------------------------------------------------------------------------------

def test_gam_fits_a_nonlinear_curve_better_than_glm():
    rng = np.random.default_rng(17)
    n = 1500
    x = rng.uniform(-3, 3, n)
    z = rng.normal(size=n)
    y = np.sin(2 * x) + 0.5 * z + rng.normal(scale=0.2, size=n)
    frame = make_frame({"x": x, "z": z, "y": y})
    linear, X_linear = train(glm.ALGORITHM, frame, "y")
    smooth, X_smooth = train(gam.ALGORITHM, frame, "y", gam_columns=[["x"]], num_knots=[12], scale=[0.001])
    mse_linear = np.mean((linear.predict(X_linear) - y) ** 2)
    mse_smooth = np.mean((smooth.predict(X_smooth) - y) ** 2)
    assert mse_smooth < 0.06
    assert mse_linear > 0.4
    names = smooth.coefficients_table().column("names")
    assert names[:2] == ["Intercept", "z"]
    assert names[2:] == [f"x_0_center_cs__{i}" for i in range(11)]
    assert smooth.output()["coefficients_table"].description == "gam coefficients"


def test_gam_smoothing_penalty_trades_wiggle_for_fit():
    rng = np.random.default_rng(18)
    x = rng.uniform(0, 10, 800)
    y = np.cos(x) + rng.normal(scale=0.3, size=800)
    frame = make_frame({"x": x, "y": y})
    fits = [train(gam.ALGORITHM, frame, "y", gam_columns=["x"], scale=[s], **{"lambda": [0.0]}) for s in (1e-4, 1e3)]
    errors = [np.mean((f.predict(X) - y) ** 2) for f, X in fits]
    assert errors[0] < errors[1]


def test_gam_basis_reproduces_a_cubic_inside_the_knots():
    # A natural cubic spline interpolates values at the knots; a line is reproduced exactly.
    x = np.linspace(0, 1, 200)
    spline = gam.CubicSpline.fit("x", x, 6, 1.0)
    raw = gam._basis(x, spline.knots, spline.F)
    np.testing.assert_allclose(raw @ (2 * spline.knots + 1), 2 * x + 1, atol=1e-10)
    np.testing.assert_allclose(spline.basis(x).mean(axis=0), 0.0, atol=1e-12)


def test_gam_refuses_unimplemented_spline_types_and_missing_columns():
    rng = np.random.default_rng(19)
    frame = make_frame({"x": rng.normal(size=100), "y": rng.normal(size=100)})
    with pytest.raises(InvalidArgument, match="bs"):
        train(gam.ALGORITHM, frame, "y", gam_columns=[["x"]], bs=[1])
    with pytest.raises(InvalidArgument, match="gam column 'nope'"):
        train(gam.ALGORITHM, frame, "y", gam_columns=[["nope"]])
