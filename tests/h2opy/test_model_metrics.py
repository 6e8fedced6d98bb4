"""Metrics of a model on a new frame (``POST /3/ModelMetrics/models/{m}/frames/{f}``, h2o-py's
``model_performance(test)``) and of predictions made elsewhere (``h2o.make_metrics``), on both
servers: for every model category they equal what scoring the frame (``/3/Predictions``) reports,
and ``GET /3/ModelMetrics`` finds them afterwards."""
from __future__ import annotations

import math

import numpy as np
import pytest

# Fields every category's metrics carry, and each category's own.
COMMON = ("MSE", "RMSE", "nobs")
BY_CATEGORY = {
    "Binomial": ("AUC", "logloss", "pr_auc", "mean_per_class_error", "Gini"),
    "Multinomial": ("logloss", "mean_per_class_error"),
    "Regression": ("mae", "mean_residual_deviance", "rmsle", "r2"),
    "Clustering": ("tot_withinss", "betweenss", "totss"),
}


def _models(h2o, data_dir):
    from h2o.estimators import H2OGeneralizedLinearEstimator, H2OGradientBoostingEstimator, H2OKMeansEstimator

    h2o.no_progress()
    prostate = h2o.upload_file(str(data_dir / "prostate.csv"))
    prostate["CAPSULE"] = prostate["CAPSULE"].asfactor()
    iris = h2o.upload_file(str(data_dir / "iris.csv"))
    x = ["AGE", "RACE", "DPROS", "PSA", "VOL", "GLEASON"]
    binomial = H2OGradientBoostingEstimator(ntrees=10, seed=1)
    binomial.train(x=x, y="CAPSULE", training_frame=prostate)
    multinomial = H2OGeneralizedLinearEstimator(family="multinomial")
    multinomial.train(y="Species", training_frame=iris)
    regression = H2OGradientBoostingEstimator(ntrees=10, seed=1)
    regression.train(x=["AGE", "PSA", "GLEASON"], y="VOL", training_frame=prostate)
    clustering = H2OKMeansEstimator(k=3, seed=1, standardize=False)
    clustering.train(x=["Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width"], training_frame=iris)
    return {"Binomial": (binomial, prostate), "Multinomial": (multinomial, iris),
            "Regression": (regression, prostate), "Clustering": (clustering, iris)}


def test_model_metrics_equal_the_predictions_metrics(h2opy, data_dir):
    for category, (model, frame) in _models(h2opy, data_dir).items():
        route = f"/3/ModelMetrics/models/{model.model_id}/frames/{frame.frame_id}"
        metrics = h2opy.api(f"POST {route}")["model_metrics"][0]
        scored = h2opy.api(f"POST /3/Predictions/models/{model.model_id}/frames/{frame.frame_id}")
        expected = scored["model_metrics"][0]
        assert metrics["model_category"] == expected["model_category"] == category
        assert metrics["frame"]["name"] == frame.frame_id and metrics["model"]["name"] == model.model_id
        fields = BY_CATEGORY[category] + (COMMON if category != "Clustering" else ())
        for field in fields:
            assert metrics[field] == pytest.approx(expected[field], rel=1e-9), (category, field)
        found = h2opy.api(f"GET {route}")["model_metrics"]
        assert [m["model"]["name"] for m in found] == [model.model_id]


def test_a_frame_without_the_response(h2opy, data_dir, server_kind):
    """The embedded engine says the response is missing (metrics need it); H2O-3 answers 200."""
    from h2o.exceptions import H2OResponseError

    model, frame = _models(h2opy, data_dir)["Binomial"]
    no_response = frame.drop("CAPSULE")
    route = f"POST /3/ModelMetrics/models/{model.model_id}/frames/{no_response.frame_id}"
    if server_kind == "h2o3":
        assert h2opy.api(route) is not None
    else:
        with pytest.raises(H2OResponseError, match="no response column 'CAPSULE'"):
            h2opy.api(route)


def test_make_metrics_equals_model_performance(h2opy, data_dir):
    models = _models(h2opy, data_dir)
    model, frame = models["Binomial"]
    predicted = model.predict(frame)
    made = h2opy.make_metrics(predicted["p1"], frame["CAPSULE"])
    performance = model.model_performance(frame)
    assert made.auc() == pytest.approx(performance.auc(), rel=1e-9)
    assert made.logloss() == pytest.approx(performance.logloss(), rel=1e-9)

    model, frame = models["Regression"]
    predicted = model.predict(frame)
    made = h2opy.make_metrics(predicted["predict"], frame["VOL"])
    performance = model.model_performance(frame)
    assert made.rmse() == pytest.approx(performance.rmse(), rel=1e-9)
    assert made.mae() == pytest.approx(performance.mae(), rel=1e-9)

    model, frame = models["Multinomial"]
    predicted = model.predict(frame)
    made = h2opy.make_metrics(predicted[1:], frame["Species"])
    assert made.logloss() == pytest.approx(model.model_performance(frame).logloss(), rel=1e-9)


def test_multinomial_auc_tables_follow_auc_type(h2opy, data_dir):
    """``auc_type`` on the model computes H2O's AUC tables and picks its AUC; ``model_performance``
    may ask for another kind for one frame. The areas are sklearn's over the model's own
    predictions (each class against the rest; each pair, Hand and Till's mean)."""
    from h2o.estimators import H2OGradientBoostingEstimator
    from sklearn.metrics import roc_auc_score

    h2opy.no_progress()
    frame = h2opy.upload_file(str(data_dir / "prostate.csv"))
    frame["GLEASON"] = frame["GLEASON"].asfactor()
    x = ["RACE", "AGE", "PSA", "DPROS", "CAPSULE", "VOL", "DCAPS"]
    model = H2OGradientBoostingEstimator(ntrees=5, max_depth=3, seed=1, auc_type="WEIGHTED_OVR")
    model.train(x=x, y="GLEASON", training_frame=frame)
    predicted = model.predict(frame).as_data_frame().iloc[:, 1:].to_numpy()
    actual = frame["GLEASON"].as_data_frame().iloc[:, 0].astype(str).to_numpy()
    labels = [str(level) for level in frame["GLEASON"].levels()[0]]
    codes = np.array([labels.index(a) for a in actual])

    table = model.multinomial_auc_table(train=True)
    rows = {row[0]: row for row in table.cell_values}
    assert rows["Weighted OVR"][3] == pytest.approx(
        roc_auc_score(codes, predicted, multi_class="ovr", average="weighted", labels=range(len(labels))), abs=1e-6)
    assert model.auc(train=True) == rows["Weighted OVR"][3]
    pr_rows = {row[0]: row for row in model.multinomial_aucpr_table(train=True).cell_values}
    assert model.aucpr(train=True) == pr_rows["Weighted OVR"][3]

    performance = model.model_performance(frame, auc_type="MACRO_OVO")
    per_pair = []
    for i in range(len(labels)):
        for j in range(i + 1, len(labels)):
            pair = (codes == i) | (codes == j)
            if (codes == i).any() and (codes == j).any():
                per_pair.append((roc_auc_score(codes[pair] == j, predicted[pair, j])
                                 + roc_auc_score(codes[pair] == i, predicted[pair, i])) / 2)
            else:
                per_pair.append(0.0)    # a pair without rows of both classes counts 0, as H2O-3 does
    assert performance.auc() == pytest.approx(np.mean(per_pair), abs=1e-6)

    plain = H2OGradientBoostingEstimator(ntrees=5, max_depth=3, seed=1)
    plain.train(x=x, y="GLEASON", training_frame=frame)
    assert math.isnan(float(plain.auc(train=True))), plain.auc(train=True)   # JSON carries NaN as "NaN"
