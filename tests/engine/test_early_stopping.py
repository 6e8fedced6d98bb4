"""Early stopping as H2O-3 does it: fold models stop on their holdout, boosted models keep the
trees up to their best score, and a cross-validated main model is as big as its folds grew."""

import numpy as np
import pandas as pd
import pytest

from h2odash.engine import Engine
from h2odash.engine.algos.base import Monitor
from h2odash.engine.frames import Frame
from tests.engine.algos.training_sets import frame_of


def noisy_frame(n=3000, seed=0):
    """Little signal, much noise: boosting overfits soon, so a holdout stops it early."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 6))
    y = np.where(x[:, 0] + 2.5 * rng.normal(size=n) > 0, "yes", "no")
    return pd.DataFrame({**{f"x{i}": x[:, i] for i in range(6)}, "y": y})


@pytest.fixture(scope="module")
def engine():
    eng = Engine()
    frame = frame_of(noisy_frame())
    eng.store.put("noisy", Frame("noisy", frame.table, frame.types))
    yield eng
    eng.shutdown()


def train(engine, algo, **params):
    job = engine.train(algo, {"training_frame": "noisy", "response_column": "y", "seed": 1, **params})
    assert job.wait(300) and job.status == "DONE", job.exception
    return engine.model(job.dest_key)


@pytest.mark.parametrize("algo", ["gbm", "xgboost"])
def test_fold_models_stop_on_their_holdout_and_size_the_main_model(engine, algo):
    model = train(engine, algo, ntrees=400, max_depth=6, learn_rate=0.3, nfolds=3, stopping_rounds=2,
                  score_tree_interval=5)
    folds = [engine.model(key) for key in model.cross_validation_models]
    fold_trees = [fold.fitted.ntrees for fold in folds]
    # On training rows the loss keeps falling for 400 trees; on a holdout it turns within tens.
    assert max(fold_trees) < 200, fold_trees
    assert all(n % 5 == 0 or n == 1 for n in fold_trees), f"kept up to a scored round: {fold_trees}"
    assert model.params["ntrees"] == int(sum(fold_trees) / len(fold_trees))
    assert model.params["stopping_rounds"] == 0
    assert model.fitted.ntrees == model.params["ntrees"]


def test_a_model_stopped_early_keeps_the_trees_up_to_its_best_score(engine):
    validation = frame_of(noisy_frame(seed=9))
    engine.store.put("noisy_valid", Frame("noisy_valid", validation.table, validation.types))
    model = train(engine, "gbm", ntrees=400, max_depth=6, learn_rate=0.3, stopping_rounds=3,
                  score_tree_interval=5, validation_frame="noisy_valid")
    history = model.history_rows
    best = min(history, key=lambda row: row["validation_logloss"])
    assert model.fitted.ntrees == best["number_of_trees"] < history[-1]["number_of_trees"]


def test_without_stopping_rounds_nothing_is_cut():
    monitor = Monitor()
    assert monitor.kept_iterations(40) == 40


@pytest.mark.parametrize("classes", [2, 3])
def test_the_holdout_log_loss_fold_models_stop_on_is_the_metrics_log_loss(classes):
    from h2odash.engine.algos.base import TrainingSet
    from h2odash.engine.training import _logloss, model_metrics

    rng = np.random.default_rng(classes)
    probabilities = rng.dirichlet(np.ones(classes), 200)
    y = rng.integers(0, classes, 200)
    w = rng.uniform(0.5, 2, 200)
    spec = type("Spec", (), {"category": "Binomial" if classes == 2 else "Multinomial",
                             "response_domain": [str(c) for c in range(classes)]})()
    holdout = TrainingSet(probabilities, y, w, spec)
    full = model_metrics(spec, {}, y, probabilities, w)["logloss"]
    assert _logloss(holdout, lambda X: X) == pytest.approx(full, rel=1e-12)
