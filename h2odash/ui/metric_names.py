"""Metric names as people write them (AUC, PR AUC, log loss, RMSE, R²), from H2O's field and
scoring-history column names, and which way each one is better."""
from __future__ import annotations

# H2O's names, lower-cased, -> what a chart or table shows.
_LABELS = {
    "auc": "AUC", "pr_auc": "PR AUC", "aucpr": "PR AUC", "gini": "Gini", "logloss": "log loss",
    "mean_per_class_error": "mean per-class error", "classification_error": "classification error",
    "mse": "MSE", "rmse": "RMSE", "r2": "R²", "mae": "MAE", "rmsle": "RMSLE",
    "mean_residual_deviance": "mean residual deviance", "deviance": "deviance",
    "residual_deviance": "residual deviance", "null_deviance": "null deviance", "aic": "AIC",
    "lift": "lift (top 1%)", "objective": "objective", "negative_log_likelihood": "negative log-likelihood",
    "tot_withinss": "total within-cluster SS", "within_cluster_sum_of_squares": "within-cluster SS",
    "betweenss": "between-cluster SS", "totss": "total SS", "mean_score": "mean anomaly score",
    "mean_normalized_score": "mean normalized score", "mean_anomaly_score": "mean anomaly score",
    "mean_tree_path_length": "mean tree path length", "numerr": "numeric error", "caterr": "categorical error",
    "numcnt": "numeric entries", "catcnt": "categorical entries", "nobs": "rows", "accuracy": "accuracy",
    "f1": "F1", "precision": "precision", "recall": "recall", "specificity": "specificity",
}
_HIGHER_IS_BETTER = frozenset((
    "auc", "aucpr", "pr_auc", "gini", "r2", "accuracy", "f1", "f2", "f0point5", "precision", "recall",
    "specificity", "sensitivity", "tpr", "tnr", "mean_per_class_accuracy", "min_per_class_accuracy",
    "mcc", "absolute_mcc", "lift", "lift_top_group", "cumulative_lift", "kolmogorov_smirnov", "ks",
    "loglikelihood", "betweenss", "auuc", "qini",
))
_LOWER_IS_BETTER = frozenset((
    "logloss", "mean_per_class_error", "max_per_class_error", "error", "err", "classification_error",
    "misclassification", "rmse", "mse", "mae", "rmsle", "deviance", "mean_residual_deviance",
    "residual_deviance", "aic", "fpr", "fnr", "huber_loss", "tot_withinss", "within_cluster_sum_of_squares",
    "numerr", "caterr", "objective", "reconstruction_error",
))
# Prefixes naming the data a metric was measured on (scoring histories, grids, h2o-py's xval_).
_SETS = ("training_", "validation_", "cross_validation_", "xval_", "valid_", "train_")


def base_name(name: str) -> str:
    """``validation_logloss`` -> ``logloss``: the metric without the data set it was measured on."""
    lowered = name.lower()
    for prefix in _SETS:
        if lowered.startswith(prefix):
            return lowered[len(prefix):]
    return lowered


def metric_label(name: str) -> str:
    """How people write a metric: ``AUC``, ``PR AUC``, ``log loss``, ``R²``... (unknown names
    are shown with spaces for underscores)."""
    key = base_name(name)
    return _LABELS.get(key, key.replace("_", " "))


def higher_is_better(name: str) -> bool | None:
    """True when a larger value is better (AUC), False when a smaller one is (RMSE), None when the
    number is no score (rows, the null deviance, a hyper-parameter). Case-insensitive; a
    ``training_``/``validation_``/``cross_validation_`` prefix is read through."""
    lowered = str(name).strip().lower()
    for key in (lowered, base_name(lowered)):
        if key in _HIGHER_IS_BETTER:
            return True
        if key in _LOWER_IS_BETTER:
            return False
    return None
