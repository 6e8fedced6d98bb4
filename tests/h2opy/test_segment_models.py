"""Segment models through h2o-py (``train_segments``, ``H2OSegmentModels.as_frame``) on both
servers: one model per segment, each the model trained on that segment's rows alone, and the
refused segments listed with H2O-3's errors.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from .prostate import upload_prostate

PARAMS = dict(min_rows=2, ntrees=4, seed=42)
# prostate.csv has 3 rows of RACE 0: too few to split with min_rows=2.
TOO_SMALL = ("ERRR on field: _min_rows: The dataset size is too small to split for min_rows=2.0: "
             "must have at least 4.0 (weighted) rows, but have only 3.0.\n")


@pytest.fixture
def prostate(h2opy, data_dir):
    return upload_prostate(h2opy, data_dir)


def _frame(fr) -> pd.DataFrame:
    return fr.as_data_frame()


def test_one_model_per_segment_each_as_if_trained_on_its_rows(h2opy, prostate, data_dir):
    from h2o.estimators import H2OGradientBoostingEstimator
    models = H2OGradientBoostingEstimator(**PARAMS).train_segments(
        y="CAPSULE", ignored_columns=["ID"], training_frame=prostate, segments=["RACE"])
    table = _frame(models.as_frame())
    assert list(table.columns) == ["RACE", "model", "status", "errors", "warnings"]
    assert table["RACE"].tolist() == [0, 1, 2]
    assert table["status"].tolist() == ["FAILED", "SUCCEEDED", "SUCCEEDED"]
    assert table["errors"][0] == TOO_SMALL
    assert table["errors"][1:].isna().all()
    raw = pd.read_csv(data_dir / "prostate.csv")
    for race in (1, 2):
        model = h2opy.get_model(table["model"][race])
        rows = prostate[prostate["RACE"] == race]
        alone = H2OGradientBoostingEstimator(**PARAMS)
        alone.train(y="CAPSULE", ignored_columns=["ID"], training_frame=rows)
        assert model._model_json["output"]["training_metrics"]["nobs"] == int((raw["RACE"] == race).sum())
        np.testing.assert_allclose(_frame(model.predict(rows))["p1"], _frame(alone.predict(rows))["p1"], atol=1e-6)


def test_segments_are_the_distinct_combinations_or_the_rows_given(h2opy, prostate, data_dir):
    from h2o.estimators import H2OGradientBoostingEstimator
    from h2o.model.segment_models import H2OSegmentModels
    raw = pd.read_csv(data_dir / "prostate.csv")
    estimator = H2OGradientBoostingEstimator(ntrees=3, seed=1)
    estimator.train_segments(y="CAPSULE", ignored_columns=["ID"], training_frame=prostate,
                             segments=["DPROS", "DCAPS"], segment_models_id="prostate_by_dpros_dcaps")
    table = _frame(H2OSegmentModels(segment_models_id="prostate_by_dpros_dcaps").as_frame())
    expected = raw[["DPROS", "DCAPS"]].drop_duplicates().sort_values(["DPROS", "DCAPS"]).to_numpy()
    np.testing.assert_array_equal(table[["DPROS", "DCAPS"]].to_numpy(), expected)
    # GBM's default min_rows=10 needs 20 rows to split: the smaller segments are refused.
    counts = raw.groupby(["DPROS", "DCAPS"]).size().to_numpy()
    assert table["status"].tolist() == ["SUCCEEDED" if n >= 20 else "FAILED" for n in counts]
    built = table["status"] == "SUCCEEDED"
    nobs = [h2opy.get_model(m)._model_json["output"]["training_metrics"]["nobs"] for m in table["model"][built]]
    assert nobs == counts[built.to_numpy()].tolist()

    given = h2opy.H2OFrame({"DPROS": [3, 1]})
    chosen = _frame(estimator.train_segments(y="CAPSULE", ignored_columns=["ID"], training_frame=prostate,
                                             segments=given).as_frame())
    assert chosen["DPROS"].tolist() == [3, 1] and (chosen["status"] == "SUCCEEDED").all()
    nobs = [h2opy.get_model(m)._model_json["output"]["training_metrics"]["nobs"] for m in chosen["model"]]
    assert nobs == [int((raw["DPROS"] == 3).sum()), int((raw["DPROS"] == 1).sum())]
