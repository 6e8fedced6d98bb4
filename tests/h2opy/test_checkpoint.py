"""``checkpoint`` for GBM through h2o-py, on both servers: continuing a 20-tree model to 40
trees gives the 40-tree model (same data and seed, no row sampling), and a request that could
not continue it is refused before any training."""
from __future__ import annotations

import numpy as np
import pytest

from tests.h2opy.prostate import X, upload_prostate


def _gbm(h2o, frame, **params):
    from h2o.estimators import H2OGradientBoostingEstimator

    model = H2OGradientBoostingEstimator(seed=1111, max_depth=4, **params)
    model.train(x=X, y="CAPSULE", training_frame=frame)
    return model


def test_a_continued_gbm_equals_one_grown_at_once(h2opy, data_dir):
    frame = upload_prostate(h2opy, data_dir)
    first = _gbm(h2opy, frame, ntrees=20)
    continued = _gbm(h2opy, frame, ntrees=40, checkpoint=first.model_id)
    at_once = _gbm(h2opy, frame, ntrees=40)
    assert continued.checkpoint == first.model_id
    assert continued._model_json["output"]["model_summary"]["number_of_trees"][0] == 40
    p_continued = continued.predict(frame).as_data_frame()["p1"].to_numpy()
    p_at_once = at_once.predict(frame).as_data_frame()["p1"].to_numpy()
    p_first = first.predict(frame).as_data_frame()["p1"].to_numpy()
    assert np.abs(p_continued - p_at_once).max() < 1e-6
    assert np.abs(p_continued - p_first).max() > 1e-3     # the new trees changed something
    assert continued.auc() == pytest.approx(at_once.auc(), abs=1e-6)


@pytest.mark.parametrize("change", [{"ntrees": 20}, {"ntrees": 10}, {"ntrees": 40, "max_depth": 6},
                                    {"ntrees": 40, "sample_rate": 0.5}])
def test_a_checkpoint_that_cannot_be_continued_is_refused(h2opy, data_dir, change):
    from h2o.estimators import H2OGradientBoostingEstimator
    from h2o.exceptions import H2OResponseError

    frame = upload_prostate(h2opy, data_dir)
    first = _gbm(h2opy, frame, ntrees=20)
    params = {"seed": 1111, "max_depth": 4, **change}
    with pytest.raises((H2OResponseError, EnvironmentError)) as refused:
        H2OGradientBoostingEstimator(checkpoint=first.model_id, **params).train(x=X, y="CAPSULE",
                                                                               training_frame=frame)
    named = "ntrees" if set(change) == {"ntrees"} else next(name for name in change if name != "ntrees")
    assert named in str(refused.value)
