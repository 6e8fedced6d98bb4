"""balance_classes through h2o-py, on both servers: trees fit on over/under-sampled rows and
their probabilities are corrected back to the true class shares; GLM takes the parameters and
ignores them, as H2O-3 does; AutoML hands them to every model that has them."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

PREDICTORS = ["a", "b", "c"]


def _rare_positives(h2o):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(4000, 3))
    y = rng.random(4000) < 1 / (1 + np.exp(-(-3 + 1.5 * X[:, 0] - X[:, 1])))
    df = pd.DataFrame(X, columns=PREDICTORS).assign(y=np.where(y, "yes", "no"))
    frame = h2o.H2OFrame(df)
    frame["y"] = frame["y"].asfactor()
    return frame, y.mean()


@pytest.mark.parametrize("estimator", ["H2OGradientBoostingEstimator", "H2ORandomForestEstimator"])
def test_balanced_trees_predict_the_true_class_shares(h2opy, estimator):
    import h2o.estimators

    h2opy.no_progress()
    frame, prior = _rare_positives(h2opy)
    model = getattr(h2o.estimators, estimator)(ntrees=20, seed=1, balance_classes=True,
                                               class_sampling_factors=[1.0, 6.0], max_after_balance_size=3.0)
    model.train(x=PREDICTORS, y="y", training_frame=frame)
    assert model.params["balance_classes"]["actual"] is True
    assert model.params["class_sampling_factors"]["actual"] == [1.0, 6.0]
    assert model.params["max_after_balance_size"]["actual"] == 3.0
    # Fitted on about half positives; uncorrected, the mean probability would be near 0.45.
    mean_p = model.predict(frame).as_data_frame()["yes"].mean()
    assert mean_p == pytest.approx(prior, abs=0.04)
    assert model.auc() > 0.85


def test_glm_takes_balance_classes_and_ignores_it(h2opy):
    from h2o.estimators import H2OGeneralizedLinearEstimator

    h2opy.no_progress()
    frame, _ = _rare_positives(h2opy)
    balanced = H2OGeneralizedLinearEstimator(balance_classes=True, seed=1)
    balanced.train(x=PREDICTORS, y="y", training_frame=frame)
    plain = H2OGeneralizedLinearEstimator(seed=1)
    plain.train(x=PREDICTORS, y="y", training_frame=frame)
    assert balanced.coef() == pytest.approx(plain.coef(), abs=1e-9)


def test_automl_passes_balance_classes_to_its_models(h2opy):
    from h2o.automl import H2OAutoML

    h2opy.no_progress()
    frame, _ = _rare_positives(h2opy)
    aml = H2OAutoML(max_models=2, include_algos=["GBM", "DRF"], balance_classes=True,
                    class_sampling_factors=[0.5, 3.0], max_after_balance_size=2.0, seed=1, nfolds=0)
    aml.train(x=PREDICTORS, y="y", training_frame=frame)
    ids = aml.leaderboard.as_data_frame()["model_id"]
    assert len(ids)
    for model_id in ids:
        params = h2opy.get_model(model_id).params
        assert params["balance_classes"]["actual"] is True
        assert params["class_sampling_factors"]["actual"] == [0.5, 3.0]
        assert params["max_after_balance_size"]["actual"] == 2.0
