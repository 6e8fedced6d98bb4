"""A cross-validated GLM chooses its penalty as H2O-3 does: by the folds' mean holdout deviance."""

import math

import numpy as np
import pytest

from h2odash.engine.algos import glm, glm_cv
from h2odash.engine.algos.glm_solver import Submodel
from h2odash.engine.frames import Frame
from h2odash.engine.model_data import build_spec, response_values
from tests.engine.algos.training_sets import prostate_engine

FOLDS = 5


@pytest.fixture(scope="module")
def engine():
    eng = prostate_engine()
    yield eng
    eng.shutdown()


def train(engine, response, **params):
    job = engine.train("glm", {"training_frame": "prostate", "response_column": response, "ignored_columns": ["ID"],
                               "seed": 1, "nfolds": FOLDS, "fold_assignment": "Modulo", **params})
    assert job.wait(120) and job.status == "DONE", job.exception
    return engine.model(job.dest_key)


def holdout_layout(engine, model):
    """Each fold's holdout rows (Modulo: row i is in fold i % k) in the GLM's layout, and y."""
    frame = engine.store.get("prostate", Frame)
    X = glm.ALGORITHM.layout(frame, model.spec, model.params)
    y = response_values(frame, build_spec(frame, model.spec.response, ignored=["ID"])).astype(float)
    rows = np.arange(len(y))
    return [(X[rows % FOLDS == f], y[rows % FOLDS == f]) for f in range(FOLDS)]


def mean_deviance(beta, X, y, family):
    """Mean deviance per row, written out here independently of the solver."""
    eta = beta[0] + X @ beta[1:]
    if family == "binomial":
        p = 1 / (1 + np.exp(-eta))
        return float(np.mean(-2 * (y * np.log(p) + (1 - y) * np.log(1 - p))))
    return float(np.mean((y - eta) ** 2))


@pytest.mark.parametrize("response, family, extra", [
    ("CAPSULE", "binomial", {}),
    ("CAPSULE", "binomial", {"alpha": [0.5, 1.0], "non_negative": True}),   # AutoML's metalearner
    ("VOL", "gaussian", {}),
])
def test_the_chosen_lambda_minimizes_the_folds_mean_holdout_deviance(engine, response, family, extra):
    model = train(engine, response, family=family, lambda_search=True, **extra)
    choice = glm.cross_validation_choice(model.params)
    folds = [engine.model(key).fitted for key in model.cross_validation_models]
    holdouts = holdout_layout(engine, model)
    # Recompute every scanned submodel's holdout deviance in every fold from its coefficients.
    averages = []
    for alpha, lam, _, _ in choice.deviances:
        devs = []
        for fitted, (X, y) in zip(folds, holdouts):
            sub = next(s for s in fitted.solution.submodels if s.alpha == alpha and s.lambda_value == lam)
            devs.append(mean_deviance(sub.beta, X, y, family))
        averages.append(np.mean(devs))
    assert averages == pytest.approx([d for _, _, d, _ in choice.deviances], rel=1e-9)
    best = int(np.argmin(averages))
    assert (choice.deviances[best][0], choice.deviances[best][1]) == (choice.alpha, choice.lambda_value)
    assert model.extra_output["lambda_best"] == choice.lambda_value
    assert model.extra_output["alpha_best"] == choice.alpha
    assert model.extra_output["lambda_1se"] >= choice.lambda_value
    # Every fold model was moved to the choice, so the cross-validation metrics are its predictions.
    assert all(f.solution.lambda_value == choice.lambda_value and f.solution.alpha == choice.alpha for f in folds)
    rows = sum(len(y) for _, y in holdouts)
    pooled = sum(mean_deviance(f.beta, X, y, family) * len(y) for f, (X, y) in zip(folds, holdouts)) / rows
    if family == "binomial":
        assert model.cross_validation_metrics["logloss"] == pytest.approx(pooled / 2, rel=1e-9)
    else:
        assert model.cross_validation_metrics["MSE"] == pytest.approx(pooled, rel=1e-9)


def test_a_lambda_array_without_search_refits_the_main_model_at_the_chosen_lambda(engine):
    lambdas = [0.1, 0.03, 0.01, 0.003, 0.001]
    model = train(engine, "CAPSULE", family="binomial", **{"lambda": lambdas})
    choice = glm.cross_validation_choice(model.params)
    folds = [engine.model(key).fitted for key in model.cross_validation_models]
    holdouts = holdout_layout(engine, model)
    averages = [np.mean([mean_deviance(f.solution.submodels[i].beta, X, y, "binomial")
                         for f, (X, y) in zip(folds, holdouts)]) for i in range(len(choice.deviances))]
    assert choice.lambda_value == lambdas[int(np.argmin(averages))]
    # The main model fits that one lambda (H2O-3 replaces the array by it).
    subs = model.fitted.solution.submodels
    assert [s.lambda_value for s in subs] == [choice.lambda_value]


# --- the rule itself, on made-up holdout deviances ----------------------------------------------

class FoldPath:
    """A fold's solution as glm_cv sees it: submodels with holdout deviances, its own pick, and
    an extend() that records being asked for more."""

    def __init__(self, alphas_devs, best, more=None):
        self.submodels = [Submodel(lam, a, np.zeros(2), 1, 1.0, d)
                          for a, devs in alphas_devs for lam, d in zip(LAMBDAS, devs)]
        self.best_index = best
        self.more = more or {}      # alpha -> holdout deviances of the lambdas past the path's end
        self.ends = {a: len(devs) for a, devs in alphas_devs}
        self.extended = []

    def extend(self, alpha, count):
        self.extended.append((alpha, count))
        own = [s for s in self.submodels if s.alpha == alpha]
        where = self.submodels.index(own[-1]) + 1
        added = [Submodel(LAMBDAS[k], alpha, np.zeros(2), 1, 1.0, self.more[alpha][k - self.ends[alpha]])
                 for k in range(len(own), count)]
        self.submodels[where:where] = added
        return [s for s in self.submodels if s.alpha == alpha]


LAMBDAS = [1.0, 0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.0078125]


def choose(paths, alphas=(0.5,), lambda_search=True):
    return glm_cv.choose(paths, list(alphas), LAMBDAS, lambda_search, 100)


def test_ties_go_to_the_larger_lambda_and_the_scan_ends_where_the_folds_stopped():
    # Both folds picked their own index 3 at most: the scan covers lambdas 0..3 only, although
    # index 5 would be lower still.
    a = FoldPath([(0.5, [3.0, 2.0, 1.0, 1.0, 1.5, 0.1])], best=3)
    b = FoldPath([(0.5, [3.0, 2.0, 1.0, 1.0, 1.5, 0.1])], best=2)
    choice = choose([a, b])
    assert len(choice.deviances) == 4
    assert choice.lambda_value == 0.25
    assert choice.fold_indices == [2, 2]
    assert choice.lambdas == LAMBDAS[:5] and choice.selected == 2   # one lambda past the scan


def test_a_fold_that_stopped_short_is_fitted_on_and_three_worse_lambdas_end_the_scan():
    long = FoldPath([(0.5, [2.0, 1.0, 1.2, 1.3, 1.4, 0.5, 0.4])], best=6)
    short = FoldPath([(0.5, [2.0, 1.0, 1.2])], best=1, more={0.5: [1.3, 1.4, 0.5, 0.4]})
    choice = choose([long, short])
    # Index 5 would win, but indices 2, 3 and 4 were worse than index 1 first.
    assert choice.lambda_value == 0.5
    assert short.extended == [(0.5, 4), (0.5, 5)]
    assert [round(d, 9) for _, _, d, _ in choice.deviances] == [2.0, 1.0, 1.2, 1.3, 1.4]


def test_lambda_1se_is_the_largest_lambda_within_one_standard_error_of_the_best():
    a = FoldPath([(0.5, [5.0, 1.3, 1.1, 1.0])], best=3)
    b = FoldPath([(0.5, [5.0, 1.1, 1.0, 0.8])], best=3)
    choice = choose([a, b])
    assert choice.lambda_value == 0.125
    error = math.sqrt(((1.0 ** 2 + 0.8 ** 2) - 0.9 * 1.8) / 2)     # sd / sqrt(2), H2O-3's formula
    assert choice.deviances[3][3] == pytest.approx(error)
    # 0.9 + 0.1 = 1.0: lambda 0.25 (mean 1.05) is out of reach, so 1se stays at the best lambda ...
    assert choice.lambda_1se == 0.125
    b2 = FoldPath([(0.5, [5.0, 1.1, 0.85, 0.6])], best=3)
    # ... while with a wider spread (mean 0.8, error 0.2) lambda 0.25 (mean 0.975) is within reach.
    assert choose([a, b2]).lambda_1se == 0.25


def test_with_several_alphas_only_alphas_some_fold_picked_compete():
    # alpha 0 has the lowest deviance of all, but no fold picked it: it is left out.
    a = FoldPath([(0.0, [0.1, 0.1]), (1.0, [2.0, 1.0, 0.9])], best=4)
    b = FoldPath([(0.0, [0.1, 0.1]), (1.0, [2.0, 1.0, 0.8])], best=4)
    choice = choose([a, b], alphas=(0.0, 1.0))
    assert choice.alpha == 1.0 and choice.lambda_value == 0.25
    assert {alpha for alpha, _, _, _ in choice.deviances} == {1.0}
    assert choice.fold_indices == [4, 4]


def test_a_fold_stopped_by_its_deadline_is_fitted_on_to_the_chosen_lambda(engine, monkeypatch):
    from h2odash.engine.algos.base import Monitor

    # Every fit's monitor says stop at its first iteration: the folds stop at the path's top.
    def impatient(self, done, total, predict=None, unit="number_of_trees"):
        return False

    monkeypatch.setattr(Monitor, "iteration", impatient)
    model = train(engine, "CAPSULE", family="binomial", lambda_search=True)
    choice = glm.cross_validation_choice(model.params)
    folds = [engine.model(key).fitted for key in model.cross_validation_models]
    assert all(f.solution.lambda_value == choice.lambda_value for f in folds)
    assert all(f.solution.extend is None for f in folds)     # the folds' rows are let go


def test_gam_folds_keep_their_own_penalty(engine):
    job = engine.train("gam", {"training_frame": "prostate", "response_column": "VOL", "ignored_columns": ["ID"],
                               "gam_columns": ["PSA"], "lambda_search": True, "nfolds": 3, "seed": 1})
    assert job.wait(120) and job.status == "DONE", job.exception
    model = engine.model(job.dest_key)
    assert glm.cross_validation_choice(model.params) is None    # H2O-3's GAM has no cross-validated choice
    assert model.cross_validation_metrics["MSE"] > 0


def test_lambda_1se_is_reported_only_with_cross_validation(engine):
    job = engine.train("glm", {"training_frame": "prostate", "response_column": "CAPSULE", "ignored_columns": ["ID"],
                               "lambda_search": True})
    assert job.wait(120) and job.status == "DONE", job.exception
    assert engine.model(job.dest_key).extra_output["lambda_1se"] == -1.0      # as H2O-3 reports it
