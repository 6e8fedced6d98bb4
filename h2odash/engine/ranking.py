"""Ranking models by a metric: what AutoML leaderboards and grid summaries share.

Metric names are H2O's lower-case leaderboard/grid names ("auc", "logloss", "rmse",
"mean_residual_deviance" ...); each maps to a key of the engine's metrics dicts and a direction.
"""

import math

from h2odash.engine.errors import InvalidArgument
from h2odash.engine.model_data import BINOMIAL, MULTINOMIAL

# name -> (key in a metrics dict, larger is better)
METRICS = {
    "auc": ("AUC", True),
    "aucpr": ("pr_auc", True),
    "pr_auc": ("pr_auc", True),
    "logloss": ("logloss", False),
    "mean_per_class_error": ("mean_per_class_error", False),
    "rmse": ("RMSE", False),
    "mse": ("MSE", False),
    "mae": ("mae", False),
    "rmsle": ("rmsle", False),
    "mean_residual_deviance": ("mean_residual_deviance", False),
    "residual_deviance": ("mean_residual_deviance", False),
    "deviance": ("mean_residual_deviance", False),
    "r2": ("r2", True),
    "err": ("classification_error", False),
    "misclassification": ("classification_error", False),
}

# The leaderboard's columns after model_id, by model category (H2O-3's); the first is the
# default sort metric.
LEADERBOARD_COLUMNS = {
    BINOMIAL: ["auc", "logloss", "aucpr", "mean_per_class_error", "rmse", "mse"],
    MULTINOMIAL: ["mean_per_class_error", "logloss", "rmse", "mse"],
    "Regression": ["rmse", "mse", "mae", "rmsle", "mean_residual_deviance"],
}


def metric_name(name):
    """H2O's canonical lower-case name of a sort metric; refuses names it does not know."""
    key = str(name).strip().lower()
    if key in ("auto", ""):
        return None
    if key not in METRICS:
        raise InvalidArgument("sort_metric", f"Unknown metric '{name}'. Known: {', '.join(sorted(METRICS))}.")
    return {"pr_auc": "aucpr", "deviance": "mean_residual_deviance", "residual_deviance": "mean_residual_deviance",
            "misclassification": "err"}.get(key, key)


def larger_is_better(name):
    return METRICS[name][1]


def value(scored, name):
    """A metric's value in a metrics dict (NaN when absent)."""
    if scored is None:
        return math.nan
    result = scored.get(METRICS[name][0])
    return float(result) if isinstance(result, (int, float)) and result is not None else math.nan


def model_metrics(model):
    """The metrics a model is ranked by when no leaderboard frame is given: cross-validation,
    else validation, else training."""
    for scored in (model.cross_validation_metrics, model.validation_metrics, model.training_metrics):
        if scored is not None:
            return scored
    return None


def ranked(entries, name, decreasing=None):
    """``entries`` (pairs of anything and a metrics dict) sorted best first by ``name``; NaN last,
    ties kept in their order."""
    decreasing = larger_is_better(name) if decreasing is None else decreasing

    def sort_key(item):
        v = value(item[1], name)
        if math.isnan(v):
            return (1, 0.0)
        return (0, -v if decreasing else v)

    return sorted(entries, key=sort_key)
