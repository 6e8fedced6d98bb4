"""What pickers offer: the models and frames a user made, newest first, labelled so they can be
told apart; the server's own objects (cross-validation models, metalearners, internal and
predictions frames) only when asked for.

Any panel with a model or frame picker uses these (Predict, Models, Train, AutoML).
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from .metric_names import metric_label
from .tables import scalar_metrics

# The metric a model is judged by, per H2O model category.
MAIN_METRIC = {"Binomial": "AUC", "Multinomial": "logloss", "Ordinal": "logloss", "Regression": "RMSE",
               "Clustering": "tot_withinss", "AnomalyDetection": "mean_score", "AutoEncoder": "MSE",
               "DimReduction": "numerr"}
# Where a model's metrics were measured, in the order a label prefers them.
METRIC_SETS = (("valid", "validation_metrics"), ("cv", "cross_validation_metrics"), ("train", "training_metrics"))


def model_id(model: dict) -> str:
    """The id of a ``/3/Models`` entry."""
    key = model.get("model_id")
    return key.get("name", "") if isinstance(key, dict) else str(key or "")


def frame_id(frame: dict) -> str:
    """The id of a ``/3/Frames`` entry."""
    key = frame.get("frame_id")
    return key.get("name", "") if isinstance(key, dict) else str(key or "")


def is_internal_model(name: str) -> bool:
    """A model the server made on the way to the user's: a cross-validation fold model
    (``GBM_1_cv_2``) or a stacked ensemble's metalearner."""
    return "_cv_" in name or "metalearner" in name.lower()


# Frames the servers make beside what the user asked for: cross-validation holdout predictions
# and fold assignments, AutoML leaderboards (keys with "@@"), h2o-py's and Rapids' temporaries.
_MADE_BY_THE_SERVER = re.compile(r"^(cv_holdout_prediction_|cv_fold_assignment_|rapids_[0-9a-f]+$|py_\d+_sid)"
                                 r"|^prediction_.+_cv_\d+$|@@|_leaderboard$")


def is_internal_frame(name: str) -> bool:
    """A frame the user did not make as data: H2O's internal keys (``_...``, ``$...$``),
    predictions frames (``predictions_..._on_...``), which a user rarely wants to pick again, and
    the frames the servers make on the way (:data:`_MADE_BY_THE_SERVER`)."""
    return name.startswith(("_", "$")) or name.startswith("predictions") or bool(_MADE_BY_THE_SERVER.search(name))


def user_models(client_models: list[dict], show_all: bool = False) -> list[dict]:
    """The models a user made, newest first.

    Parameters
    ----------
    client_models : list of dict
        ``client.models()`` (``GET /3/Models`` entries) or full ``client.model()`` dicts.
    show_all : bool
        Keep cross-validation models and metalearners too (:func:`is_internal_model`).

    Returns
    -------
    list of dict
        The same dicts, newest first by their ``timestamp`` (ties: by id).
    """
    kept = [m for m in client_models if show_all or not is_internal_model(model_id(m))]
    return sorted(kept, key=lambda m: (-_number(m.get("timestamp")), model_id(m)))


def user_frames(frames: list[dict], show_all: bool = False) -> list[str]:
    """The ids of the parsed frames a user made, sorted by name.

    Parameters
    ----------
    frames : list of dict
        ``client.frames()`` (``GET /3/Frames`` entries). Raw imported files (``is_text``) are
        never listed: they cannot be used before they are parsed.
    show_all : bool
        Keep internal and predictions frames too (:func:`is_internal_frame`).
    """
    names = [frame_id(f) for f in frames if not f.get("is_text")]
    return sorted(n for n in names if show_all or not is_internal_frame(n))


def main_metric(model: dict) -> tuple[str, float, str] | None:
    """``(metric, value, where)`` of the metric a model is judged by (AUC, RMSE, log loss...),
    measured on validation data when it has some, else cross-validation, else training
    (``where`` is ``"valid"``, ``"cv"`` or ``"train"``). None for a ``/3/Models`` list entry,
    which carries no metrics, or a model without that metric."""
    output = model.get("output") or {}
    name = MAIN_METRIC.get(output.get("model_category") or "")
    if name is None:
        return None
    for where, key in METRIC_SETS:
        value = scalar_metrics(output.get(key)).get(name)
        if value is not None:
            return name, value, where
    return None


_ALGORITHMS = {"gbm": "GBM", "drf": "DRF", "glm": "GLM", "gam": "GAM", "xgboost": "XGBoost",
               "deeplearning": "Deep learning", "stackedensemble": "Stacked ensemble", "naivebayes": "Naive Bayes",
               "kmeans": "k-means", "pca": "PCA", "svd": "SVD", "glrm": "GLRM", "isolationforest": "Isolation forest",
               "extendedisolationforest": "Extended isolation forest", "coxph": "CoxPH", "rulefit": "RuleFit",
               "upliftdrf": "Uplift DRF", "anovaglm": "ANOVA GLM", "modelselection": "Model selection"}


def algorithm_name(algo: str) -> str:
    """An algorithm as people write it (``xgboost`` -> ``XGBoost``); unknown ones upper-cased."""
    return _ALGORITHMS.get(str(algo).lower(), str(algo).upper())


def model_label(model: dict, now: dt.datetime | None = None) -> str:
    """``"GBM_1 · GBM · AUC 0.81 (valid) · 18:32"``: id, algorithm, main metric (when the dict
    has metrics: a full ``client.model()``) and when it was trained (a date too when not today)."""
    parts = [model_id(model), algorithm_name(model.get("algo") or "")]
    found = main_metric(model)
    if found:
        name, value, where = found
        parts.append(f"{metric_label(name)} {value:.3g} ({where})")
    when = _when(model.get("timestamp"), now)
    if when:
        parts.append(when)
    return " · ".join(p for p in parts if p)


def _when(millis: Any, now: dt.datetime | None) -> str:
    try:
        moment = dt.datetime.fromtimestamp(float(millis) / 1000)
    except (TypeError, ValueError, OverflowError, OSError):
        return ""
    now = now or dt.datetime.now()
    return moment.strftime("%H:%M" if moment.date() == now.date() else "%b %d %H:%M")


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0
