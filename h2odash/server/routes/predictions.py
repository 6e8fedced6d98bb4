"""Predictions: score a frame with a model, at once (/3) or as a job (/4)."""

import time

from h2odash.engine.jobs import Job
from h2odash.server.endpoint import Endpoint
from h2odash.server.model_schemas import metrics_v3
from h2odash.server.params import Param, Schema
from h2odash.server.schemas import envelope, frame_v3, job_v3, key_ref


# Predictions switches that change what is predicted; the model refuses those it cannot honour.
OPTIONS = (
    Param("reconstruction_error", "bool", False, help="Autoencoders: per-row reconstruction error."),
    Param("reconstruction_error_per_feature", "bool", False, help="Autoencoders: reconstruction error per column."),
    Param("deep_features_hidden_layer", "int", help="Deep learning: the activations of this hidden layer."),
    Param("project_archetypes", "bool", False, help="GLRM: project the frame onto the archetypes."),
    Param("reverse_transform", "bool", False, help="GLRM/PCA: undo the training transform on the output."),
    Param("leaf_node_assignment", "bool", False, help="Tree models: the leaf each row reaches in every tree."),
    Param("leaf_node_assignment_type", "str", help="Leaf node assignment as Path (L/R turns, the default) or "
                                                   "Node_ID (the leaf's id in GET /3/Tree)."),
    Param("predict_staged_proba", "bool", False, help="GBM: the predictions after each tree."),
    Param("row_to_tree_assignment", "bool", False, help="GBM: which rows each tree was grown on."),
)


# Contributions (SHAP): H2O-3's /4 honours all of these, its /3 only the first three and the last two.
CONTRIBUTIONS = (
    Param("predict_contributions", "bool", False, help="Feature contributions (SHAP values) instead of predictions."),
    Param("predict_contributions_output_format", "str", "Original",
          help="XGBoost: Original (a column per categorical level) or Compact (a column per column)."),
    Param("top_n", "int", 0, help="Contributions: keep the n highest per row, sorted (-1: all)."),
    Param("bottom_n", "int", 0, help="Contributions: keep the n lowest per row, sorted (-1: all)."),
    Param("compare_abs", "bool", False, help="Contributions: sort by absolute value."),
    Param("background_frame", "key", help="Contributions: baseline SHAP against these rows."),
    Param("output_space", "bool", False, help="Contributions: scale them to add up to the prediction."),
    Param("output_per_reference", "bool", False, help="Contributions: one row per (row, background row)."),
)


def contributions_request(params, sorting=True):
    from h2odash.engine.contributions import Request

    return Request(output_format=params.get("predict_contributions_output_format") or "Original",
                   top_n=int(params.get("top_n") or 0) if sorting else 0,
                   bottom_n=int(params.get("bottom_n") or 0) if sorting else 0,
                   compare_abs=bool(params.get("compare_abs")) if sorting else False,
                   output_space=bool(params.get("output_space")),
                   output_per_reference=bool(params.get("output_per_reference")))


def options_of(params):
    options = {option.name: params.get(option.name) for option in OPTIONS}
    if not options["leaf_node_assignment"]:
        options["leaf_node_assignment_type"] = None   # H2O-3 reads the type only with the assignment
    return options


def predict(call):
    p = call.params
    started = int(time.time() * 1000)
    engine = call.engine
    if p.get("predict_contributions"):
        return _contributions_now(call)
    predictions, scored = engine.predict(p["model_id"], p["frame_id"], p.get("predictions_frame"), options_of(p))
    model = engine.model(p["model_id"], "model")
    metrics = metrics_v3(model, scored, p["frame_id"], scoring_time=started) if scored is not None else None
    if metrics is None:
        # A switch (deep features of a classifier, ...) scores no metrics: H2O-3 answers with
        # those computed before on this frame, if any.
        metrics = next((metrics_v3(m, known, f_key, scoring_time=when)
                        for m, f_key, known, when in engine.metrics_of(model.key, p["frame_id"])), None)
    if metrics is not None:
        # As H2O-3: the metrics carry the first rows of the predictions (h2o-py's anomaly() reads
        # the predictions frame's key from there).
        metrics["predictions"] = frame_v3(predictions, 0, 100, 0, predictions.ncols)
    return envelope(
        "ModelMetricsListSchemaV3",
        model=key_ref(model.key, "Model"),
        frame=key_ref(p["frame_id"]),
        predictions_frame=key_ref(predictions.key),
        deviances_frame=None,
        model_metrics=[metrics] if metrics is not None else [],
    )


def _contributions_now(call):
    """/3 with predict_contributions: the contributions frame at once, as the predictions frame
    (H2O-3's /3 ignores the sorting switches and any background frame)."""
    p = call.params
    engine = call.engine
    contributions = engine.contributions(p["model_id"], p["frame_id"], p.get("predictions_frame"),
                                         contributions_request(p, sorting=False), as_job=False)
    model = engine.model(p["model_id"], "model")
    known = [metrics_v3(m, scored, f_key, scoring_time=when) for m, f_key, scored, when in
             engine.metrics_of(model.key, p["frame_id"])]
    return envelope("ModelMetricsListSchemaV3", model=key_ref(model.key, "Model"), frame=key_ref(p["frame_id"]),
                    predictions_frame=key_ref(contributions.key), deviances_frame=None, model_metrics=known[:1])


def predict_async(call):
    """Start scoring as a job; its dest is the predictions frame (or the contributions frame)."""
    p = call.params
    engine = call.engine
    if p.get("predict_contributions"):
        return job_v3(engine.contributions(p["model_id"], p["frame_id"], p.get("predictions_frame"),
                                           contributions_request(p), p.get("background_frame")))
    model = engine.model(p["model_id"], "model")
    engine.frame(p["frame_id"], "frame")
    destination = p.get("predictions_frame") or f"predictions_{model.key}_on_{p['frame_id']}"
    job = Job("Prediction", destination, "Frame", locks=[model.key, p["frame_id"]])
    engine.jobs.start(job, lambda job: engine.predict(model.key, p["frame_id"], destination, options_of(p)))
    return job_v3(job)


_PREDICT = Schema("ModelMetricsListSchemaV3", (
    Param("model_id", "key", required=True, help="Model to score with."),
    Param("frame_id", "key", required=True, help="Frame to score."),
    Param("predictions_frame", "key", help="Name of the predictions frame (generated if not given)."),
    *OPTIONS,
    *CONTRIBUTIONS,
), tolerated={"deep_features_hidden_layer_name": (), "exemplar_index": ("-1",)})

ENDPOINTS = [
    Endpoint("POST", "/3/Predictions/models/{model_id}/frames/{frame_id}", predict,
             "Score a frame; metrics too when the frame holds the response.", _PREDICT, "ModelMetricsListSchemaV3"),
    Endpoint("POST", "/4/Predictions/models/{model_id}/frames/{frame_id}", predict_async,
             "Score a frame as a job.", _PREDICT, "JobV3"),
]
