"""Models, model builders and model metrics as H2O-3's JSON schemas."""

import numpy as np

from h2odash.engine import algos
from h2odash.engine.frames import FrameKey
from h2odash.engine.tables import Table
from h2odash.server.schemas import envelope, job_v3, key_ref, meta, two_dim_table

_COLUMN_TYPES = {"enum": "Enum", "numeric": "Numeric"}


# -- builders and parameters ----------------------------------------------------------------
def parameter_v3(p, actual=None, given=None, with_values=False):
    """ModelParameterSchemaV3 of one declared parameter (and its values in a model)."""
    return {
        "__meta": meta("ModelParameterSchemaV3"),
        "name": p.name,
        "label": p.name,
        "help": p.help,
        "required": p.required,
        "type": p.type,
        "default_value": _value_v3(p, p.default),
        "actual_value": _value_v3(p, actual) if with_values else _value_v3(p, p.default),
        "input_value": _value_v3(p, given) if with_values else None,
        "level": p.level,
        "values": list(p.values),
        "is_member_of_frames": list(p.frame_of),
        "is_mutually_exclusive_with": [],
        "gridable": p.gridable,
    }


def _value_v3(p, value):
    if value is None:
        return None
    if p.type == "Key<Frame>":
        return key_ref(value)
    if p.type == "Key<Model>":
        return key_ref(value, "Model")
    if p.type == "VecSpecifier":
        return {"__meta": meta("ColSpecifierV3", "VecSpecifier"), "column_name": value, "is_member_of_frames": None}
    if p.type in ("Key<Model>[]", "Key<Keyed>[]") and isinstance(value, (list, tuple)):
        # as H2O-3: each model named by its key (h2o-py reads an ensemble's base_models so)
        return [key_ref(v, "Model") for v in value]
    if p.type == "KeyValue[]" and isinstance(value, dict):
        return [{"__meta": meta("KeyValueV3"), "key": k, "value": v} for k, v in value.items()]
    if p.type == "StringPair[]":
        return [{"__meta": meta("StringPairV3"), "a": a, "b": b} for a, b in value]
    return _output_value(value)


def builder_v3(algorithm, job=None, messages=()):
    name, version = algos.prefix(algorithm.name), algorithm.schema_version
    return {
        "__meta": meta(f"{name}V{version}", name, version),
        "_exclude_fields": "",
        "job": job_v3(job) if job is not None else None,
        "algo": algorithm.name,
        "algo_full_name": algorithm.full_name,
        "can_build": list(algorithm.categories),
        "visibility": algorithm.visibility,
        "supervised": algorithm.supervised,
        "messages": list(messages),
        "error_count": sum(1 for m in messages if m["message_type"] == "ERRR"),
        "parameters": [parameter_v3(p) for p in algorithm.parameters],
    }


def validation_message(field, message, kind="ERRR"):
    return {"__meta": meta("ValidationMessageV3", "ValidationMessage"), "message_type": kind,
            "field_name": field, "message": message}


# -- models ---------------------------------------------------------------------------------
def model_synopsis(model):
    return {
        "__meta": meta("ModelSynopsisV3", "Model"),
        "model_id": key_ref(model.key, "Model"),
        "algo": model.algo,
        "algo_full_name": model.algo_full_name,
        "response_column_name": model.spec.response,
        "treatment_column_name": None,
        "data_frame": key_ref(getattr(model, "training_frame", None)),
        "timestamp": model.start_time,
        "have_pojo": False,
        "have_mojo": False,
    }


def model_v3(model):
    """ModelSchemaV3: the model, its parameters and its whole output."""
    name, version = algos.prefix(model.algo), model.algorithm.schema_version
    spec = model.spec
    # A supervised model's columns end with its response; an unsupervised one has none.
    response = [spec.response] if model.supervised else []
    output = {
        "__meta": meta(f"{name}ModelOutputV{version}", f"{name}Output", version),
        "names": spec.names + response,
        "original_names": None,
        "column_types": [_COLUMN_TYPES[k] for k in spec.kinds] + ["Enum" if spec.response_domain else "Numeric"
                                                                  for _ in response],
        "domains": [spec.domains.get(n) for n in spec.names] + [spec.response_domain for _ in response],
        "cross_validation_models": [key_ref(k, "Model") for k in model.cross_validation_models] or None,
        "cross_validation_predictions": [key_ref(k) for k in model.cross_validation_predictions] or None,
        "cross_validation_holdout_predictions_frame_id": key_ref(model.cross_validation_holdout_predictions_frame_id),
        "cross_validation_fold_assignment_frame_id": key_ref(model.cross_validation_fold_assignment_frame_id),
        "model_category": model.category,
        "model_summary": two_dim_table(model.summary_table()),
        "scoring_history": two_dim_table(model.scoring_history()),
        "cv_scoring_history": None,
        "reproducibility_information_table": None,
        "training_metrics": metrics_v3(model, model.training_metrics, getattr(model, "training_frame", None)),
        "validation_metrics": metrics_v3(model, model.validation_metrics, getattr(model, "validation_frame", None)),
        "cross_validation_metrics": metrics_v3(model, model.cross_validation_metrics, None,
                                               _cross_validation_description(model)),
        "cross_validation_metrics_summary": two_dim_table(model.cross_validation_metrics_summary),
        "status": model.status,
        "start_time": model.start_time,
        "end_time": model.end_time,
        "run_time": model.run_time,
        "default_threshold": model.default_threshold,
        "help": {},
        "variable_importances": two_dim_table(model.variable_importances_table()),
    }
    for field, value in model.extra_output.items():
        output[field] = _output_value(value)
    for alias, field in model.algorithm.output_aliases.items():
        output[alias] = output[field]
    given = model.given_params
    return {
        "__meta": meta(f"{name}ModelV{version}", f"{name}Model", version),
        "model_id": key_ref(model.key, "Model"),
        "algo": model.algo,
        "algo_full_name": model.algo_full_name,
        "response_column_name": spec.response,
        "treatment_column_name": None,
        "data_frame": key_ref(getattr(model, "training_frame", None)),
        "timestamp": model.start_time,
        "have_pojo": False,
        "have_mojo": False,
        "parameters": [
            parameter_v3(p, model.params.get(p.name), given.get(p.name), with_values=True)
            for p in model.algorithm.parameters
        ],
        "output": output,
        "compatible_frames": None,
    }


def _cross_validation_description(model):
    """H2O-3's description of the cross-validation metrics, with the number of folds (one
    column of the metrics summary each, after the name, mean and sd)."""
    summary = model.cross_validation_metrics_summary
    folds = len(summary.columns) - 3 if summary is not None else 0
    return f"{folds}-fold cross-validation on training data (Metrics computed for combined holdout predictions)"


def models_v3(models, full):
    body = [model_v3(m) if full else model_synopsis(m) for m in models]
    return envelope("ModelsV3", "Models", models=body, compatible_frames=None)


# -- metrics --------------------------------------------------------------------------------
_METRIC_SCHEMAS = {"Binomial": "ModelMetricsBinomial", "Multinomial": "ModelMetricsMultinomial",
                   "Regression": "ModelMetricsRegression", "Clustering": "ModelMetricsClustering",
                   "DimReduction": "ModelMetricsPCA", "AnomalyDetection": "ModelMetricsAnomaly",
                   "AutoEncoder": "ModelMetricsAutoEncoder"}


def metrics_v3(model, scored, frame_key, description=None, scoring_time=None):
    """ModelMetrics*V3 of a metrics dict from the engine, or None."""
    if scored is None:
        return None
    kind = model.algorithm.metrics_schema or _METRIC_SCHEMAS[model.category]
    if "null_deviance" in scored:    # a GLM's metrics (ModelMetricsBinomialGLM ...)
        kind += "GLM"
    version = model.algorithm.metrics_schema_version
    body = {
        "__meta": meta(f"{kind}V{version}", kind, version),
        "model": key_ref(model.key, "Model"),
        "model_checksum": 0,
        "frame": key_ref(frame_key),
        "frame_checksum": 0,
        "description": description,
        "model_category": model.category,
        "scoring_time": scoring_time or model.end_time,
        "predictions": None,
        "custom_metric_name": None,
        "custom_metric_value": 0.0,
    }
    if not model.supervised:
        # H2O's unsupervised metrics carry the supervised error fields, unset.
        body.update(MSE=float("nan"), RMSE=float("nan"), nobs=0)
    body.update(metric_fields(scored))
    return body


def metric_fields(scored):
    """The JSON fields of an engine metrics dict (its internal-only entries left out)."""
    return {field: _output_value(value) for field, value in scored.items()
            if field not in ("default_threshold", "classification_error")}


def _output_value(value):
    """Engine output as JSON values: tables as TwoDimTableV3 wherever they are nested, frame
    ids as key objects."""
    if isinstance(value, Table):
        return two_dim_table(value)
    if isinstance(value, FrameKey):
        return key_ref(str(value))
    if isinstance(value, dict):
        if "table" in value and isinstance(value["table"], Table):
            return {"__meta": meta("ConfusionMatrixV3", "ConfusionMatrix"), "table": two_dim_table(value["table"])}
        return {k: _output_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_output_value(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value
