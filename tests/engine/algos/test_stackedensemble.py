"""Stacked ensembles: against their base models on rows none of them saw (issue 5's check), and
how their metalearner learns (H2O-3's AUTO metalearner, folds)."""

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from h2odash.engine import Engine
from h2odash.engine.algos.stackedensemble import _metalearner_parameters
from h2odash.engine.errors import InvalidArgument
from h2odash.engine.frames import Frame, numeric_values
from h2odash.engine.model_data import FeatureSpec, response_values

from .training_sets import frame_of


def two_kinds_of_signal(n, seed):
    """A linear part a GLM learns well and an interaction only trees learn."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 6))
    logit = 1.2 * x[:, 0] - 0.8 * x[:, 1] + 0.6 * x[:, 2] + 1.5 * np.sign(x[:, 3] * x[:, 4])
    y = np.where(rng.random(n) < 1 / (1 + np.exp(-logit)), "yes", "no")
    return pd.DataFrame({**{f"x{i}": x[:, i] for i in range(6)}, "y": y})


def test_an_ensemble_of_a_gbm_and_a_glm_is_at_least_as_good_as_either_on_held_out_rows():
    engine = Engine()
    try:
        for key, seed, n in (("train", 1, 4000), ("test", 2, 4000)):
            frame = frame_of(two_kinds_of_signal(n, seed))
            engine.store.put(key, Frame(key, frame.table, frame.types))
        cv = {"training_frame": "train", "response_column": "y", "seed": 3, "nfolds": 5,
              "fold_assignment": "Modulo", "keep_cross_validation_predictions": True}
        base = []
        for algo, extra in (("gbm", {"ntrees": 60, "max_depth": 3}), ("glm", {})):
            job = engine.train(algo, {**cv, **extra})
            assert job.wait(120) and job.status == "DONE", job.exception
            base.append(job.dest_key)
        job = engine.train("stackedensemble", {"training_frame": "train", "response_column": "y",
                                               "base_models": base, "seed": 3})
        assert job.wait(120) and job.status == "DONE", job.exception

        y = response_values(engine.frame("test"), engine.model(base[0]).spec)

        def test_auc(model_key):
            predictions, _ = engine.predict(model_key, "test")
            return roc_auc_score(y, np.asarray(predictions.table.column("yes")))

        base_aucs = [test_auc(key) for key in base]
        ensemble_auc = test_auc(job.dest_key)
        print(f"test AUC: ensemble {ensemble_auc:.4f}, gbm {base_aucs[0]:.4f}, glm {base_aucs[1]:.4f}")
        # Here the GBM learns the linear part too, so the GLM adds nothing; the metalearner may
        # still give it a sliver of weight, worth a ten-thousandth of AUC on new rows. A thousandth
        # is allowed: weighing the two models 4:1 by logit would already lose three.
        assert ensemble_auc >= max(base_aucs) - 0.001, base_aucs
    finally:
        engine.shutdown()


def _ensemble_spec():
    return FeatureSpec(["a", "b"], ["real", "real"], {}, "y", ["no", "yes"], None, "Binomial", {}, {})


def test_the_auto_metalearner_is_a_non_negative_glm_on_unstandardized_inputs_whatever_its_params_say():
    params = {"metalearner_algorithm": "AUTO", "seed": 7, "metalearner_nfolds": 5,
              "metalearner_params": json.dumps({"standardize": True, "non_negative": False, "alpha": [0.5, 1.0]})}
    given = _metalearner_parameters(params, _ensemble_spec(), "levelone")
    assert given["_algo"] == "glm" and given["non_negative"] is True and given["standardize"] is False
    assert given["alpha"] == [0.5, 1.0] and given["seed"] == 7 and given["nfolds"] == 5
    assert given["fold_assignment"] == "AUTO" and "lambda_search" not in given
    # With a validation frame to judge it by, the penalty is searched, over the whole path.
    given = _metalearner_parameters({**params, "validation_frame": "valid"}, _ensemble_spec(), "levelone")
    assert given["lambda_search"] is True and given["early_stopping"] is False
    # Another metalearner takes its params as given.
    given = _metalearner_parameters({**params, "metalearner_algorithm": "glm"}, _ensemble_spec(), "levelone")
    assert given["standardize"] is True and given["non_negative"] is False
    with pytest.raises(InvalidArgument, match="metalearner_fold_column"):
        _metalearner_parameters({**params, "metalearner_fold_column": "fold"}, _ensemble_spec(), "levelone")


def test_the_metalearner_is_cross_validated_on_the_given_fold_column():
    engine = Engine()
    try:
        df = two_kinds_of_signal(600, 4)
        df["fold"] = np.arange(600) // 200            # three blocks of rows, not dealt Modulo
        frame = frame_of(df)
        engine.store.put("train", Frame("train", frame.table, frame.types))
        cv = {"training_frame": "train", "response_column": "y", "seed": 3, "fold_column": "fold",
              "keep_cross_validation_predictions": True}
        base = []
        for algo, extra in (("gbm", {"ntrees": 10, "max_depth": 3}), ("glm", {})):
            job = engine.train(algo, {**cv, **extra})
            assert job.wait(120) and job.status == "DONE", job.exception
            base.append(job.dest_key)
        job = engine.train("stackedensemble", {
            "training_frame": "train", "response_column": "y", "base_models": base, "seed": 3,
            "metalearner_fold_column": "fold",
            "metalearner_params": json.dumps({"keep_cross_validation_fold_assignment": True})})
        assert job.wait(120) and job.status == "DONE", job.exception
        ensemble = engine.model(job.dest_key)
        metalearner = ensemble.fitted.metalearner
        assert ensemble.cross_validation_metrics is metalearner.cross_validation_metrics is not None
        assigned = engine.frame(metalearner.cross_validation_fold_assignment_frame_id)
        folds = numeric_values(assigned.table.column(0), assigned.types[0])
        assert np.array_equal(folds, df["fold"].to_numpy())
        with pytest.raises(InvalidArgument, match="metalearner_fold_column"):
            engine.train("stackedensemble", {"training_frame": "train", "response_column": "y", "base_models": base,
                                             "metalearner_fold_column": "nowhere"})
    finally:
        engine.shutdown()
