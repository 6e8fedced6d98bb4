"""Metrics of a model on a new frame (``POST /3/ModelMetrics/models/{m}/frames/{f}``, h2o-py's
``model_performance(test)``) and of predictions made elsewhere (``h2o.make_metrics``), on both
servers: for every model category they equal what scoring the frame (``/3/Predictions``) reports,
and ``GET /3/ModelMetrics`` finds them afterwards."""
from __future__ import annotations

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
