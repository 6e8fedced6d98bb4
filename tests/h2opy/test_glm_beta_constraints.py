"""GLM ``beta_constraints`` through h2o-py, on both servers.

Expected coefficients come from scipy's L-BFGS-B minimizing the logistic log-likelihood (plus
the proximal penalty where asked) under the same bounds, on the prostate data, with no
elastic-net penalty, so that the optimum does not depend on how a server standardizes.
"""
from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize

from tests.h2opy.prostate import upload_prostate

NUMERIC = ["AGE", "DPROS", "DCAPS", "PSA", "VOL", "GLEASON"]


def _constraints(h2o, rows, columns):
    frame = h2o.H2OFrame([list(row) for row in rows])
    frame.set_names(columns)
    return frame


def _objective(X, y, b, given=None, rho=None):
    """deviance / (2 n) + 0.5 sum rho (b - given)^2 of coefficients b (intercept first)."""
    eta = b[0] + X @ b[1:]
    loss = np.mean(np.logaddexp(0, eta) - y * eta)
    return loss if rho is None else loss + 0.5 * np.sum(rho * (b - given) ** 2)


def _bounded_logistic(X, y, lower, upper, given=None, rho=None):
    """argmin deviance / (2 n) + 0.5 sum rho (b - given)^2 with lower <= b <= upper (intercept
    first, free)."""
    n = len(y)
    A = np.column_stack([np.ones(n), X])
    given = np.zeros(A.shape[1]) if given is None else given
    rho = np.zeros(A.shape[1]) if rho is None else rho

    def objective(b):
        eta = A @ b
        loss = np.sum(np.logaddexp(0, eta) - y * eta) / n + 0.5 * np.sum(rho * (b - given) ** 2)
        grad = A.T @ (1 / (1 + np.exp(-eta)) - y) / n + rho * (b - given)
        return loss, grad

    start = np.clip(np.zeros(A.shape[1]), lower, upper)
    result = optimize.minimize(objective, start, jac=True, method="L-BFGS-B", bounds=list(zip(lower, upper)),
                               options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 10000})
    return result.x


@pytest.mark.parametrize("standardize", [True, False])
def test_bounds_hold_and_give_the_bounded_optimum(h2opy, data_dir, prostate_df, standardize):
    from h2o.estimators import H2OGeneralizedLinearEstimator

    prostate = upload_prostate(h2opy, data_dir)
    bounds = {"AGE": (-0.01, 0.01), "DPROS": (0.0, 0.4), "PSA": (-1.0, 0.02), "GLEASON": (0.2, 0.5)}
    constraints = _constraints(h2opy, [(name, lo, hi) for name, (lo, hi) in bounds.items()],
                               ["names", "lower_bounds", "upper_bounds"])
    model = H2OGeneralizedLinearEstimator(family="binomial", lambda_=0, standardize=standardize,
                                          beta_constraints=constraints)
    model.train(x=NUMERIC, y="CAPSULE", training_frame=prostate)

    lower = np.array([-np.inf] + [bounds.get(c, (-np.inf, np.inf))[0] for c in NUMERIC])
    upper = np.array([np.inf] + [bounds.get(c, (-np.inf, np.inf))[1] for c in NUMERIC])
    expected = _bounded_logistic(prostate_df[NUMERIC].to_numpy(float), prostate_df["CAPSULE"].to_numpy(float),
                                 lower, upper)
    coefs = model.coef()
    for name, (lo, hi) in bounds.items():
        assert lo - 1e-9 <= coefs[name] <= hi + 1e-9, name
    # The optimum itself (H2O-3's solver stops a little short of it on unscaled columns).
    Xv, yv = prostate_df[NUMERIC].to_numpy(float), prostate_df["CAPSULE"].to_numpy(float)
    found = np.array([coefs[name] for name in ["Intercept"] + NUMERIC])
    assert _objective(Xv, yv, found) == pytest.approx(_objective(Xv, yv, expected), rel=1e-6)
    for name, value in zip(["Intercept"] + NUMERIC, expected):
        assert coefs[name] == pytest.approx(value, abs=2e-2), name
    assert coefs["PSA"] == pytest.approx(0.02, abs=1e-9)     # the unconstrained PSA effect is larger


def test_a_categorical_column_bounds_each_of_its_levels(h2opy, data_dir):
    from h2o.estimators import H2OGeneralizedLinearEstimator

    prostate = upload_prostate(h2opy, data_dir, categorical=("CAPSULE", "RACE"))
    constraints = _constraints(h2opy, [("RACE", -0.1, 0.1)], ["names", "lower_bounds", "upper_bounds"])
    model = H2OGeneralizedLinearEstimator(family="binomial", alpha=0.5, beta_constraints=constraints)
    model.train(x=["RACE"] + NUMERIC, y="CAPSULE", training_frame=prostate)
    race = {name: value for name, value in model.coef().items() if name.startswith("RACE.")}
    assert len(race) == 3         # regularized: every level of RACE is a coefficient
    assert all(-0.1 - 1e-9 <= value <= 0.1 + 1e-9 for value in race.values())
    assert any(abs(abs(value) - 0.1) < 1e-6 for value in race.values())   # a bound is reached


def test_rho_pulls_towards_beta_given(h2opy, data_dir, prostate_df):
    from h2o.estimators import H2OGeneralizedLinearEstimator

    prostate = upload_prostate(h2opy, data_dir)
    given = {"GLEASON": 2.0, "DPROS": -1.0}
    constraints = _constraints(h2opy, [(name, value, 0.05) for name, value in given.items()],
                               ["names", "beta_given", "rho"])
    model = H2OGeneralizedLinearEstimator(family="binomial", lambda_=0, standardize=False,
                                          beta_constraints=constraints)
    model.train(x=NUMERIC, y="CAPSULE", training_frame=prostate)

    target = np.array([0.0] + [given.get(c, 0.0) for c in NUMERIC])
    rho = np.array([0.0] + [0.05 if c in given else 0.0 for c in NUMERIC])
    free = np.full(len(NUMERIC) + 1, np.inf)
    expected = _bounded_logistic(prostate_df[NUMERIC].to_numpy(float), prostate_df["CAPSULE"].to_numpy(float),
                                 -free, free, target, rho)
    coefs = model.coef()
    for name, value in zip(["Intercept"] + NUMERIC, expected):
        assert coefs[name] == pytest.approx(value, abs=2e-4), name


def test_a_name_that_is_no_coefficient_is_refused(h2opy, data_dir):
    from h2o.estimators import H2OGeneralizedLinearEstimator
    from h2o.exceptions import H2OResponseError

    prostate = upload_prostate(h2opy, data_dir)
    constraints = _constraints(h2opy, [("NOPE", -1, 1)], ["names", "lower_bounds", "upper_bounds"])
    model = H2OGeneralizedLinearEstimator(family="binomial", beta_constraints=constraints)
    with pytest.raises((H2OResponseError, OSError), match="unknown name 'NOPE'"):
        model.train(x=NUMERIC, y="CAPSULE", training_frame=prostate)
