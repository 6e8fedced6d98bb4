"""Model metrics: score a model on a frame for its metrics (h2o-py's ``model_performance(test)``),
read the metrics already computed, and make metrics of predictions made elsewhere
(``h2o.make_metrics``)."""

import time

from h2odash.engine.errors import InvalidArgument
from h2odash.engine.made_metrics import made_metrics
from h2odash.server.endpoint import Endpoint
from h2odash.server.model_schemas import metric_fields, metrics_v3
from h2odash.server.params import Param, Schema
from h2odash.server.routes.predictions import OPTIONS, options_of
from h2odash.server.schemas import envelope, key_ref, meta

_AUC_TYPES = ("AUTO", "NONE", "MACRO_OVR", "WEIGHTED_OVR", "MACRO_OVO", "WEIGHTED_OVO")
_AUC_TYPE_HELP = ("Multiclass AUC: MACRO_OVR, WEIGHTED_OVR, MACRO_OVO or WEIGHTED_OVO compute the AUC tables and "
                  "pick the model's AUC; AUTO and NONE compute none.")


def _listing(model=None, frame=None, model_metrics=()):
    return envelope(
        "ModelMetricsListSchemaV3",
        model=key_ref(model, "Model") if model else None,
        frame=key_ref(frame) if frame else None,
        predictions_frame=None,
        deviances_frame=None,
        model_metrics=list(model_metrics),
    )


def score(call):
    """Score the frame for the model's metrics; the predictions are kept only when named."""
    p = call.params
    engine = call.engine
    model = engine.model(p["model"], "model")
    frame = engine.frame(p["frame"], "frame")
    spec = model.spec
    if model.supervised and spec.response not in frame.names:
        raise InvalidArgument("frame", f"Frame '{p['frame']}' has no response column '{spec.response}', "
                                       "which the metrics are computed against.")
    started = int(time.time() * 1000)
    kept = p.get("predictions_frame")
    # As H2O-3: auc_type, when given, stands in for the model's own for this scoring.
    predictions, scored = engine.predict(model.key, p["frame"], kept, options_of(p), keep_predictions=bool(kept),
                                         auc_type=p.get("auc_type"))
    answer = _listing(model.key, p["frame"],
                      [metrics_v3(model, scored, p["frame"], scoring_time=started)] if scored is not None else [])
    answer["predictions_frame"] = key_ref(predictions.key) if kept else None
    return answer


def fetch(call):
    """Metrics computed so far, for one model and/or one frame or all of them."""
    p = call.params
    model_key, frame_key = p.get("model"), p.get("frame")
    if model_key:
        call.engine.model(model_key, "model")
    if frame_key:
        call.engine.frame(frame_key, "frame")
    found = call.engine.metrics_of(model_key, frame_key)
    return _listing(model_key, frame_key, [metrics_v3(model, scored, f_key, scoring_time=when)
                                           for model, f_key, scored, when in found])


def make(call):
    """Metrics of a frame of predictions against a frame of true values."""
    p = call.params
    engine = call.engine
    predictions = engine.frame(p["predictions_frame"], "predictions_frame")
    actuals = engine.frame(p["actuals_frame"], "actuals_frame")
    weights = engine.frame(p["weights_frame"], "weights_frame") if p.get("weights_frame") else None
    category, scored = made_metrics(predictions, actuals, p.get("domain"), p.get("distribution"), weights,
                                    p.get("auc_type") or "AUTO")
    kind = {"Binomial": "ModelMetricsBinomial", "Multinomial": "ModelMetricsMultinomial"}.get(category,
                                                                                            "ModelMetricsRegression")
    body = {"__meta": meta(f"{kind}V3", kind), "model": None, "model_checksum": 0,
            "frame": key_ref(actuals.key), "frame_checksum": 0, "description": None,
            "model_category": category, "scoring_time": int(time.time() * 1000), "predictions": None,
            "custom_metric_name": None, "custom_metric_value": 0.0}
    body.update(metric_fields(scored))
    return envelope(
        "ModelMetricsMakerSchemaV3",
        predictions_frame=p["predictions_frame"], actuals_frame=p["actuals_frame"],
        weights_frame=p.get("weights_frame"), treatment_frame=None, domain=p.get("domain"),
        distribution=p.get("distribution"), auc_type=p.get("auc_type") or "AUTO", auuc_type="AUTO",
        auuc_nbins=-1, model_metrics=body,
    )


_SCORE = Schema("ModelMetricsListSchemaV3", (
    Param("model", "key", required=True, help="Model to score with."),
    Param("frame", "key", required=True, help="Frame to compute the metrics on."),
    Param("predictions_frame", "key", help="Keep the predictions under this name (not kept when unset)."),
    Param("auc_type", "enum", None, values=_AUC_TYPES, help=_AUC_TYPE_HELP + " Unset: the model's."),
    *OPTIONS,
), tolerated={"deviances_frame": (), "deviances": ("false",), "deep_features_hidden_layer_name": (),
              "leaf_node_assignment": ("false",), "exemplar_index": ("-1",), "predict_contributions": ("false",),
              "predict_staged_proba": ("false",), "custom_metric_func": (), "auuc_type": ("AUTO",),
              "custom_auuc_thresholds": (), "auuc_nbins": ("-1",)})

_FETCH = Schema("ModelMetricsListSchemaV3", (
    Param("model", "key", help="Only the metrics of this model."),
    Param("frame", "key", help="Only the metrics on this frame."),
))

_MAKE = Schema("ModelMetricsMakerSchemaV3", (
    Param("predictions_frame", "key", required=True, help="Predictions: one column for regression and two "
                                                          "classes (the second class's probability), one per "
                                                          "class otherwise."),
    Param("actuals_frame", "key", required=True, help="The true values, one column."),
    Param("weights_frame", "key", help="Row weights, one column."),
    Param("domain", "strs", help="Class labels; unset for regression."),
    Param("distribution", "str", help="Regression distribution for the deviance (gaussian by default)."),
    Param("auc_type", "enum", "AUTO", values=_AUC_TYPES, help=_AUC_TYPE_HELP),
), tolerated={"treatment_frame": (), "auuc_type": ("AUTO",), "auuc_nbins": ("-1",), "custom_auuc_thresholds": ()})

# The longer paths first: a key path parameter takes the rest of the URL.
ENDPOINTS = [
    Endpoint("POST", "/3/ModelMetrics/predictions_frame/{predictions_frame}/actuals_frame/{actuals_frame}", make,
             "Metrics of a frame of predictions against a frame of true values.", _MAKE,
             "ModelMetricsMakerSchemaV3"),
    Endpoint("POST", "/3/ModelMetrics/models/{model}/frames/{frame}", score,
             "Score a frame with a model for its metrics.", _SCORE, "ModelMetricsListSchemaV3"),
    Endpoint("GET", "/3/ModelMetrics/models/{model}/frames/{frame}", fetch,
             "The metrics of a model on a frame, if computed.", _FETCH, "ModelMetricsListSchemaV3"),
    Endpoint("GET", "/3/ModelMetrics/models/{model}", fetch,
             "The metrics computed for a model.", _FETCH, "ModelMetricsListSchemaV3"),
    Endpoint("GET", "/3/ModelMetrics/frames/{frame}/models/{model}", fetch,
             "The metrics of a model on a frame, if computed.", _FETCH, "ModelMetricsListSchemaV3"),
    Endpoint("GET", "/3/ModelMetrics/frames/{frame}", fetch,
             "The metrics computed on a frame.", _FETCH, "ModelMetricsListSchemaV3"),
    Endpoint("GET", "/3/ModelMetrics", fetch, "Every metrics computed so far.", _FETCH, "ModelMetricsListSchemaV3"),
]
