"""A stacked ensemble against its base models on rows none of them saw (issue 5's check)."""

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from h2odash.engine import Engine
from h2odash.engine.frames import Frame
from h2odash.engine.model_data import response_values

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
        assert ensemble_auc >= max(base_aucs), base_aucs
    finally:
        engine.shutdown()
