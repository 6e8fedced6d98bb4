"""Model metrics with H2O-3's definitions, computed with numpy over whole columns.

Each function returns a plain dict keyed by the field names of H2O's ModelMetrics*V3 schemas
("MSE", "AUC", "cm", ...), with :class:`~h2odash.engine.tables.Table` objects for the tables,
so the server only has to serialize them. Rows whose actual, prediction or weight is missing,
and rows of weight 0, are left out, as H2O leaves them out; ``nobs`` counts the rows kept.

Where H2O approximates, the approximation is kept only where it shapes what the user sees:

* ``AUC`` and ``pr_auc`` are exact (computed on every distinct score), while H2O computes them
  on its 400-bin histogram of the scores (hex/AUC2.java). Both agree whenever there are at most
  400 distinct scores.
* The "Metrics for Thresholds" table, the maximum-metric table, the confusion matrix and the
  default (max-F1) threshold come from that 400-bin histogram, as in H2O, so the table has at
  most 400 rows and every ``idx`` in "Maximum Metrics" points into it.

Notes on H2O's definitions (and how they differ from scikit-learn):

* ``logloss`` clips the probability of the actual class from below at 1e-15 only
  (hex/MathUtils.logloss); sklearn's ``log_loss`` clips both ends.
* ``r2`` is ``1 - MSE / var(y)`` with the weighted population variance of y. For a classifier,
  y is the class index (0..k-1), so a multinomial r2 depends on the order of the domain.
* Multinomial ``MSE`` is the mean of ``(1 - p_actual)^2`` (not the sum over classes of the
  squared one-hot error, which sklearn's Brier score would give).
* ``pr_auc`` is the area under the precision-recall curve with precision interpolated between
  curve points as XGBoost does (the integral of tp/(tp+fp) over recall when tp and fp grow
  linearly between thresholds). That is neither sklearn's ``average_precision_score`` (step
  function) nor ``auc(recall, precision)`` (trapezoids); all three are close on large data.

Deliberate departures from H2O-3 3.46:

* With one class only, ``AUC`` and ``Gini`` are NaN; H2O reports AUC 1.0 (no negatives) or 0.0.
* Hit ratios weight every row; H2O counts top-1 hits unweighted but divides by the weight sum.
* The gains/lift table sums weights as doubles; H2O accumulates them in whole numbers, which
  only differs for fractional weights.
* Actuals are kept as doubles; H2O rounds them to Java floats, a ~1e-8 relative difference.
"""

import math

import numpy as np

from h2odash.engine.tables import Table, col

NBINS = 400  # H2O's AUC2.NBINS: at most this many rows in "Metrics for Thresholds"
LOGLOSS_MAX = -math.log(1e-15)  # H2O caps each row's logloss here (p_actual clipped at 1e-15)
GAINS_LIFT_PROBS = (0.99, 0.98, 0.97, 0.96, 0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0)
HIT_RATIO_MAX_K = 10

# (name, integer-valued) in H2O's order (AUC2.ThresholdCriterion)
THRESHOLD_CRITERIA = (
    ("f1", False), ("f2", False), ("f0point5", False), ("accuracy", False), ("precision", False),
    ("recall", False), ("specificity", False), ("absolute_mcc", False), ("min_per_class_accuracy", False),
    ("mean_per_class_accuracy", False), ("tns", True), ("fns", True), ("fps", True), ("tps", True),
    ("tnr", False), ("fnr", False), ("fpr", False), ("tpr", False),
)

DISTRIBUTIONS = ("gaussian", "poisson", "gamma", "tweedie", "laplace", "quantile", "huber")


# -- public API -----------------------------------------------------------------------------
def binomial(y, p1, domain, weights=None):
    """Metrics of a two-class model, as H2O's ModelMetricsBinomialV3.

    Parameters
    ----------
    y : array-like of int
        Actual class codes, 0 or 1 (indexes into ``domain``); other values and NaN are skipped.
    p1 : array-like of float
        Predicted probability of class 1 (``domain[1]``).
    domain : sequence of str
        The two class labels.
    weights : array-like of float, optional
        Observation weights.

    Returns
    -------
    dict
        MSE, RMSE, nobs, r2, logloss, loglikelihood, AIC, AUC, pr_auc, Gini,
        mean_per_class_error, domain, cm ({"table": Table}), thresholds_and_metric_scores,
        max_criteria_and_metric_scores, gains_lift_table, and default_threshold (the max-F1
        threshold: H2O predicts class 1 when ``p1 >= default_threshold``).
    """
    domain = [str(d) for d in domain]
    if len(domain) != 2:
        raise ValueError(f"binomial metrics need 2 classes, got {len(domain)}")
    y = np.asarray(y, dtype=np.float64)
    p1 = np.asarray(p1, dtype=np.float64)
    w = _weights(weights, len(y))
    keep = (y == 0) | (y == 1)
    keep &= ~np.isnan(p1) & (w > 0)
    y, p1, w = y[keep], p1[keep], w[keep]
    out = {"domain": domain, "loglikelihood": math.nan, "AIC": math.nan}
    if len(y) == 0:
        out.update(MSE=math.nan, RMSE=math.nan, nobs=0, r2=math.nan, logloss=math.nan, AUC=math.nan,
                   pr_auc=math.nan, Gini=math.nan, mean_per_class_error=math.nan, cm=None,
                   thresholds_and_metric_scores=None, max_criteria_and_metric_scores=None,
                   gains_lift_table=None, default_threshold=0.5)
        return out

    scores = _SortedScores(p1, y, w)
    out.update(_squared_error(y, p1, y, w))
    out["logloss"] = logloss(np.where(y == 1, p1, 1 - p1), w)

    tps, fps = scores.roc_counts()
    auc = _auc(tps, fps)
    out["AUC"] = auc
    out["Gini"] = 2 * auc - 1
    out["pr_auc"] = _pr_auc(tps, fps)

    bins = scores.threshold_bins()
    criteria = _threshold_criteria(bins)
    best = _max_criterion_index(criteria["f1"])
    cm = _binomial_cm(bins, best)
    out["mean_per_class_error"] = _mean_per_class_error(cm) if cm is not None else math.nan
    out["cm"] = {"table": confusion_matrix_table(cm, domain)} if cm is not None else None
    out["thresholds_and_metric_scores"] = _thresholds_table(bins, criteria)
    out["max_criteria_and_metric_scores"] = _max_criteria_table(bins, criteria)
    out["gains_lift_table"] = _gains_lift_table(scores)
    out["default_threshold"] = float(bins.thresholds[best]) if best >= 0 else 0.5
    return out


def multinomial(y, probs, domain, weights=None, auc_type="AUTO"):
    """Metrics of a k-class model, as H2O's ModelMetricsMultinomialV3.

    The predicted class is the most probable one (the first of equals: H2O breaks exact ties
    at random). As in H2O, the confusion matrix counts rows (weights do not enter it), and so
    does ``mean_per_class_error``, which is read from it.

    ``auc_type`` (H2O's MultinomialAucType) asks for the one-vs-rest and one-vs-one AUC and
    PR AUC tables, and picks which of their four averages is the model's ``AUC``/``pr_auc``;
    AUTO and NONE compute neither (``AUC`` NaN), as H2O, which also skips them past 50 classes.

    Parameters
    ----------
    y : array-like of int
        Actual class codes (indexes into ``domain``).
    probs : array-like of float, shape (n, k)
        Per-class probabilities, column i for ``domain[i]``.
    domain : sequence of str
    weights : array-like of float, optional

    Returns
    -------
    dict
        MSE, RMSE, nobs, r2, logloss, loglikelihood, AIC, AUC, pr_auc (NaN: H2O computes
        multinomial AUC only on request), mean_per_class_error, hit_ratio_table, cm, domain.
    """
    domain = [str(d) for d in domain]
    k = len(domain)
    y = np.asarray(y, dtype=np.float64)
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim != 2 or probs.shape != (len(y), k):
        raise ValueError(f"probs must have shape ({len(y)}, {k}), got {probs.shape}")
    w = _weights(weights, len(y))
    keep = (y >= 0) & (y < k) & (y == np.floor(y))
    keep &= ~np.isnan(probs).any(axis=1) & (w > 0)
    codes, probs, w = y[keep].astype(np.int64), probs[keep], w[keep]
    out = {"domain": domain, "loglikelihood": math.nan, "AIC": math.nan, "AUC": math.nan, "pr_auc": math.nan,
           "multinomial_auc_table": None, "multinomial_aucpr_table": None}
    if len(codes) == 0:
        out.update(MSE=math.nan, RMSE=math.nan, nobs=0, r2=math.nan, logloss=math.nan,
                   mean_per_class_error=math.nan, hit_ratio_table=None, cm=None)
        return out

    rows = np.arange(len(codes))
    p_actual = probs[rows, codes]
    out.update(_squared_error(np.ones_like(p_actual), p_actual, codes.astype(np.float64), w))
    out["logloss"] = logloss(p_actual, w)

    predicted = probs.argmax(axis=1)
    cm = np.bincount(codes * k + predicted, minlength=k * k).reshape(k, k).astype(np.float64)
    out["mean_per_class_error"] = _mean_per_class_error(cm)
    out["cm"] = {"table": confusion_matrix_table(cm, domain)}
    out["hit_ratio_table"] = _hit_ratio_table(probs, codes, p_actual, w)
    if auc_type in MULTINOMIAL_AVERAGES and k <= MAX_AUC_CLASSES:
        out.update(_multinomial_aucs(codes, probs, w, domain, auc_type))
    return out


# MultinomialAucType: which row of the AUC tables is the model's AUC
MULTINOMIAL_AVERAGES = {"MACRO_OVR": "Macro OVR", "WEIGHTED_OVR": "Weighted OVR",
                        "MACRO_OVO": "Macro OVO", "WEIGHTED_OVO": "Weighted OVO"}
MAX_AUC_CLASSES = 50   # H2O's MultinomialAUC.MAX_AUC_CLASSES


def _multinomial_aucs(codes, probs, w, domain, auc_type):
    """One-vs-rest and one-vs-one areas, with their macro and weighted averages (hex/MultinomialAUC).

    Class i against the rest scores every row by p_i. A pair (i, j) is the mean of "j against
    i by p_j" and "i against j by p_i" over the rows of those two classes (Hand and Till's
    measure, sklearn's ``multi_class="ovo"``); a pair whose area is undefined counts 0, as in H2O.
    Weighted averages weight a class by its rows' weight, a pair by its two classes' weight.
    """
    k = len(domain)

    def areas(scores, positive, weight):
        if not len(scores):     # a fold or frame without rows of either class
            return math.nan, math.nan
        sorted_scores = _SortedScores(scores, positive.astype(np.float64), weight)
        tps, fps = sorted_scores.roc_counts()
        return _auc(tps, fps), _pr_auc(tps, fps)

    class_weight = np.bincount(codes, weights=w, minlength=k)
    ovr = [areas(probs[:, i], codes == i, w) for i in range(k)]
    pairs, pair_weight = [], []
    for i in range(k - 1):
        for j in range(i + 1, k):
            rows = (codes == i) | (codes == j)
            first = areas(probs[rows, j], codes[rows] == j, w[rows])
            second = areas(probs[rows, i], codes[rows] == i, w[rows])
            pairs.append((domain[i], domain[j], *(np.nan_to_num((a + b) / 2) for a, b in zip(first, second))))
            pair_weight.append(class_weight[i] + class_weight[j])

    def averages(which):
        per_class = np.array([found[which] for found in ovr])
        per_pair = np.array([pair[2 + which] for pair in pairs])
        return {"Macro OVR": per_class.mean(), "Weighted OVR": np.average(per_class, weights=class_weight),
                "Macro OVO": per_pair.mean(), "Weighted OVO": np.average(per_pair, weights=pair_weight)}

    def table(which, metric):
        summary = averages(which)
        rows = [[f"{domain[i]} vs Rest", domain[i], None, float(ovr[i][which])] for i in range(k)]
        rows += [[name, None, None, float(summary[name])] for name in ("Macro OVR", "Weighted OVR")]
        rows += [[f"Class {a} vs. {b}", a, b, float(pair[2 + which])] for pair in pairs for a, b in [pair[:2]]]
        rows += [[name, None, None, float(summary[name])] for name in ("Macro OVO", "Weighted OVO")]
        return Table(f"Multinomial {metric} values",
                     [col("Type", "string"), col("First class domain", "string"),
                      col("Second class domain", "string"), col(metric, "double", fmt="%d")], rows)

    chosen = MULTINOMIAL_AVERAGES[auc_type]
    return {"AUC": float(averages(0)[chosen]), "pr_auc": float(averages(1)[chosen]),
            "multinomial_auc_table": table(0, "AUC"), "multinomial_aucpr_table": table(1, "auc_pr")}


def regression(y, pred, weights=None, distribution="gaussian", tweedie_power=1.5, quantile_alpha=0.5,
               huber_alpha=0.9):
    """Metrics of a regression model, as H2O's ModelMetricsRegressionV3.

    Parameters
    ----------
    y, pred : array-like of float
        Actual and predicted values (predictions in response space, not link space).
    weights : array-like of float, optional
    distribution : str
        The model's distribution, which defines ``mean_residual_deviance``: one of gaussian
        (= MSE), poisson, gamma, tweedie, laplace (= MAE), quantile (= pinball loss), huber;
        "AUTO" means gaussian; "custom" gives NaN as in H2O.
    tweedie_power, quantile_alpha, huber_alpha : float
        Parameters of the tweedie, quantile and huber deviances. For huber, delta is the
        ``huber_alpha`` quantile of the absolute errors (H2O recomputes it when scoring).

    Returns
    -------
    dict
        MSE, RMSE, nobs, r2, mae, rmsle, mean_residual_deviance, loglikelihood, AIC.
        ``rmsle`` is NaN when a value is below -1 (and infinite when exactly -1), as in H2O.
    """
    distribution = (distribution or "gaussian").lower()
    if distribution == "auto":
        distribution = "gaussian"
    if distribution not in DISTRIBUTIONS + ("custom",):
        raise ValueError(f"unknown distribution '{distribution}'; expected one of {', '.join(DISTRIBUTIONS)}")
    y = np.asarray(y, dtype=np.float64)
    pred = np.asarray(pred, dtype=np.float64)
    w = _weights(weights, len(y))
    keep = ~np.isnan(y) & ~np.isnan(pred) & (w > 0)
    y, pred, w = y[keep], pred[keep], w[keep]
    out = {"loglikelihood": math.nan, "AIC": math.nan}
    if len(y) == 0:
        out.update(MSE=math.nan, RMSE=math.nan, nobs=0, r2=math.nan, mae=math.nan, rmsle=math.nan,
                   mean_residual_deviance=math.nan)
        return out
    out.update(_squared_error(y, pred, y, w))
    wsum = w.sum()
    out["mae"] = float(_weighted_sum(w, np.abs(y - pred)) / wsum)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["rmsle"] = float(np.sqrt(_weighted_sum(w, (np.log1p(pred) - np.log1p(y)) ** 2) / wsum))
    if distribution == "custom":
        out["mean_residual_deviance"] = math.nan
    else:
        deviance = _deviance(distribution, y, pred, w, tweedie_power, quantile_alpha, huber_alpha)
        out["mean_residual_deviance"] = float(_weighted_sum(w, deviance) / wsum)
    return out


def predicted_labels(p1, threshold):
    """Class codes H2O predicts from class-1 probabilities: 1 where ``p1 >= threshold``."""
    return (np.asarray(p1, dtype=np.float64) >= threshold).astype(np.int64)


def f1_threshold(y, p1, weights=None):
    """The threshold on ``p1`` that maximizes F1 (H2O's default threshold), 0.5 when undefined."""
    y = np.asarray(y, dtype=np.float64)
    p1 = np.asarray(p1, dtype=np.float64)
    w = _weights(weights, len(y))
    keep = ((y == 0) | (y == 1)) & ~np.isnan(p1) & (w > 0)
    if not keep.any():
        return 0.5
    bins = _SortedScores(p1[keep], y[keep], w[keep]).threshold_bins()
    best = _max_criterion_index(_threshold_criteria(bins)["f1"])
    return float(bins.thresholds[best]) if best >= 0 else 0.5


# -- cross-validation summary -----------------------------------------------------------------
def _cm_matrix(metrics):
    cm = metrics.get("cm")
    if not cm:
        return None
    table = cm["table"]
    k = len(table.rows) - 1  # the last row holds the totals
    return np.array([row[:k] for row in table.rows[:k]], dtype=np.float64)


def _cm_metric(fn):
    def get(metrics):
        cm = _cm_matrix(metrics)
        if cm is None:
            return math.nan
        with np.errstate(invalid="ignore", divide="ignore"):
            return float(fn(cm))
    return get


def _binary_rates(cm):
    tn, fp, fn, tp = cm[0, 0], cm[0, 1], cm[1, 0], cm[1, 1]
    precision = tp / (tp + fp)
    recall = tp / (tp + fn)
    return tn, fp, fn, tp, precision, recall


def _f_score(beta2):
    def score(cm):
        *_, precision, recall = _binary_rates(cm)
        return (1 + beta2) * precision * recall / (beta2 * precision + recall)
    return score


def _mcc(cm):
    tn, fp, fn, tp, _, _ = _binary_rates(cm)
    return (tp * tn - fp * fn) / np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))


def _class_errors(cm):
    sizes = cm.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(sizes == 0, 0.0, (sizes - np.diag(cm)) / sizes)


def _error_rate(cm):
    return (cm.sum() - np.trace(cm)) / cm.sum()


def _field(name):
    return lambda metrics: metrics.get(name, math.nan)


def _lift_top_group(metrics):
    table = metrics.get("gains_lift_table")
    return table.column("lift")[0] if table is not None and table.rows else math.nan


_COMMON_ROWS = {
    "aic": _field("AIC"),
    "loglikelihood": _field("loglikelihood"),
    "mse": _field("MSE"),
    "r2": _field("r2"),
    "rmse": _field("RMSE"),
}
_CLASSIFIER_ROWS = {
    "accuracy": _cm_metric(lambda cm: 1 - _error_rate(cm)),
    "auc": _field("AUC"),
    "err": _cm_metric(_error_rate),
    "err_count": _cm_metric(lambda cm: cm.sum() - np.trace(cm)),
    "logloss": _field("logloss"),
    "max_per_class_error": _cm_metric(lambda cm: _class_errors(cm).max()),
    "mean_per_class_accuracy": _cm_metric(lambda cm: 1 - _class_errors(cm).mean()),
    "mean_per_class_error": _field("mean_per_class_error"),
    "pr_auc": _field("pr_auc"),
}
# H2O lists every no-argument double getter of the fold's metrics and of its confusion
# matrix (hex/ModelBuilder.makeCrossValidationSummaryTable), sorted by name.
CV_SUMMARY_ROWS = {
    "Binomial": {
        **_COMMON_ROWS, **_CLASSIFIER_ROWS,
        "f0point5": _cm_metric(_f_score(0.25)),
        "f1": _cm_metric(_f_score(1.0)),
        "f2": _cm_metric(_f_score(4.0)),
        "lift_top_group": _lift_top_group,
        "mcc": _cm_metric(_mcc),
        "precision": _cm_metric(lambda cm: _binary_rates(cm)[4]),
        "recall": _cm_metric(lambda cm: _binary_rates(cm)[5]),
        "specificity": _cm_metric(lambda cm: cm[0, 0] / (cm[0, 0] + cm[0, 1])),
    },
    "Multinomial": {**_COMMON_ROWS, **_CLASSIFIER_ROWS},
    "Regression": {
        **_COMMON_ROWS,
        "mae": _field("mae"),
        "mean_residual_deviance": _field("mean_residual_deviance"),
        "residual_deviance": _field("mean_residual_deviance"),
        "rmsle": _field("rmsle"),
    },
    # H2O-3 lists a clustering's squared errors too, always NaN (mean NaN, sd 0).
    "Clustering": {
        "betweenss": _field("betweenss"),
        "mse": lambda m: math.nan,
        "rmse": lambda m: math.nan,
        "tot_withinss": _field("tot_withinss"),
        "totss": _field("totss"),
    },
}


def cross_validation_summary(fold_metrics, category):
    """H2O's "Cross-Validation Metrics Summary" of the folds' holdout metrics.

    Parameters
    ----------
    fold_metrics : list of dict
        One result of :func:`binomial`, :func:`multinomial` or :func:`regression` per fold,
        in fold order.
    category : str
        "Binomial", "Multinomial", "Regression" or "Clustering" (H2O's model_category).

    Returns
    -------
    Table
        One row per metric, sorted by name, with the mean, the sample standard deviation over
        the folds (NaN folds left out) and each fold's value, as floats.
    """
    rows_by_name = CV_SUMMARY_ROWS.get(str(category).capitalize())
    if rows_by_name is None:
        raise ValueError(f"no cross-validation summary for model category '{category}'")
    n = len(fold_metrics)
    columns = [col("", "string", "", "%s"), col("mean", "float"), col("sd", "float")]
    columns += [col(f"cv_{i + 1}_valid", "float") for i in range(n)]
    table = Table("Cross-Validation Metrics Summary", columns, description="")
    for name in sorted(rows_by_name):
        values = np.array([float(rows_by_name[name](m)) for m in fold_metrics], dtype=np.float64)
        present = values[~np.isnan(values)]
        mean = present.mean() if len(present) else math.nan
        sd = present.std(ddof=1) if len(present) > 1 else 0.0
        table.append([name, _float32(mean), _float32(sd)] + [_float32(v) for v in values])
    return table


# -- shared pieces --------------------------------------------------------------------------
def _weights(weights, n):
    if weights is None:
        return np.ones(n, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (n,):
        raise ValueError(f"weights must have {n} values, got shape {w.shape}")
    return np.where(np.isnan(w), 0.0, w)


def _weighted_sum(w, values):
    """sum(w * values) without BLAS: metrics are memory-bound sums, and a threaded BLAS dot
    wakes OpenBLAS's worker threads, which then spin against the rest of the scoring on a busy
    machine (a third more time for binomial metrics of 800k rows on 2 loaded cores)."""
    return np.einsum("i,i->", w, values)


def _float32(value):
    """A double that prints like the Java float H2O stores in its "float" columns."""
    return float(str(np.float32(value)))


def _squared_error(actual, predicted, response, w):
    """MSE, RMSE, nobs and r2; ``response`` is what r2's variance is taken of."""
    wsum = w.sum()
    mse = float(_weighted_sum(w, (actual - predicted) ** 2) / wsum)
    mean = _weighted_sum(w, response) / wsum
    variance = float(_weighted_sum(w, (response - mean) ** 2) / wsum) if len(response) > 1 else 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        r2 = float(1 - np.float64(mse) / np.float64(variance))
    return {"MSE": mse, "RMSE": math.sqrt(mse), "nobs": len(w), "r2": r2}


def logloss(p_actual, w):
    """H2O's log loss from each row's predicted probability of its actual class."""
    with np.errstate(divide="ignore"):
        losses = np.minimum(LOGLOSS_MAX, -np.log(p_actual))
    return float(_weighted_sum(w, losses) / w.sum())


def _h2o_quantiles(sorted_values, sorted_weights, probs):
    """H2O's (weighted) quantiles with linear interpolation (hex/quantile/Quantile.java).

    Unweighted, this is numpy's default ("linear") quantile; with weights, a row of weight w
    counts as w rows.
    """
    cumulative = np.cumsum(sorted_weights)
    nrows = cumulative[-1]
    last = len(sorted_values) - 1
    out = []
    for prob in probs:
        position = prob * (nrows - 1)
        row = math.floor(position) if position > 0 else 0
        lo = sorted_values[min(np.searchsorted(cumulative, row, side="right"), last)]
        hi = sorted_values[min(np.searchsorted(cumulative, row + 1, side="right"), last)]
        if row == position or lo == hi:
            out.append(float(lo))
            continue
        plo, phi = row / (nrows - 1), (row + 1) / (nrows - 1)
        out.append(float(lo + (hi - lo) * (prob - plo) / (phi - plo)))
    return out


class _SortedScores:
    """Class-1 probabilities sorted once, with labels and weights, for the curves and tables."""

    def __init__(self, p1, y, w):
        order = np.argsort(p1)
        self.p = p1[order]
        self.w = w[order]
        self.wy = self.w * (y[order] == 1)

    def _groups(self, keys):
        """Start index of each run of equal keys (keys sorted ascending)."""
        change = np.flatnonzero(keys[1:] != keys[:-1]) + 1
        return np.concatenate(([0], change))

    def roc_counts(self):
        """Cumulative weighted true and false positives at each distinct score, highest first."""
        starts = self._groups(self.p)
        positives = np.add.reduceat(self.wy, starts)[::-1]
        totals = np.add.reduceat(self.w, starts)[::-1]
        return np.cumsum(positives), np.cumsum(totals - positives)

    def threshold_bins(self):
        """H2O's histogram of scores: at most NBINS bins, thresholds from high to low.

        Scores equal as floats share a bin (AUC2.compute_delta_error); beyond NBINS bins,
        neighbours are merged where the merged bin has the smallest squared error, H2O's
        criterion. H2O merges in the order rows arrive; here the merge runs on sorted data
        (after a first cut to equal-weight bins), so the result is deterministic.
        """
        starts = self._groups(self.p.astype(np.float32))
        weight = np.add.reduceat(self.w, starts)
        weighted_sum = np.add.reduceat(self.w * self.p, starts)
        positives = np.add.reduceat(self.wy, starts)
        ends = np.concatenate((starts[1:], [len(self.p)])) - 1
        single_value = self.p[starts] == self.p[ends]
        with np.errstate(invalid="ignore", divide="ignore"):
            centers = np.where(single_value, self.p[starts], weighted_sum / weight)
        if len(starts) > NBINS:
            centers, weight, positives = _merge_bins(self.p, self.w, self.wy, starts, centers, weight, positives)
        return _Bins(centers[::-1], np.cumsum(positives[::-1]), np.cumsum((weight - positives)[::-1]))


class _Bins:
    def __init__(self, thresholds, tps, fps):
        self.thresholds = thresholds
        self.tps = tps
        self.fps = fps
        self.p = tps[-1]
        self.n = fps[-1]


def _merge_bins(p, w, wy, starts, centers, weight, positives):
    """Merge sorted score bins down to NBINS by H2O's least-squared-error rule."""
    limit = 2 * NBINS
    if len(starts) > limit:
        # First cut: about `limit` bins of equal weight, on the existing bin boundaries.
        cumulative = np.cumsum(weight)
        cuts = np.searchsorted(cumulative, cumulative[-1] * np.arange(1, limit) / limit, side="left") + 1
        group_starts = np.unique(np.concatenate(([0], cuts[cuts < len(starts)])))
        starts = starts[group_starts]
        weight = np.add.reduceat(w, starts)
        positives = np.add.reduceat(wy, starts)
        centers = np.add.reduceat(w * p, starts) / weight
    bin_of_row = np.repeat(np.arange(len(starts)), np.diff(np.concatenate((starts, [len(p)]))))
    sse = np.add.reduceat(w * (p - centers[bin_of_row]) ** 2, starts)
    centers, weight, positives, sse = list(centers), list(weight), list(positives), list(sse)
    cost = _merge_costs(np.array(centers), np.array(weight), np.array(sse))
    while len(centers) > NBINS:
        i = int(np.argmin(cost))
        k0, k1 = weight[i], weight[i + 1]
        delta = centers[i + 1] - centers[i]
        sse[i] = sse[i] + sse[i + 1] + delta * delta * k0 * k1 / (k0 + k1)
        centers[i] = (centers[i] * k0 + centers[i + 1] * k1) / (k0 + k1)
        weight[i] = k0 + k1
        positives[i] += positives[i + 1]
        for values in (centers, weight, positives, sse):
            del values[i + 1]
        cost = np.delete(cost, i)
        for j in (i - 1, i):
            if 0 <= j < len(cost):
                cost[j] = _merge_cost(centers[j], weight[j], sse[j], centers[j + 1], weight[j + 1], sse[j + 1])
    return np.array(centers), np.array(weight), np.array(positives)


def _merge_costs(centers, weight, sse):
    delta = centers[1:] - centers[:-1]
    return sse[:-1] + sse[1:] + delta * delta * weight[:-1] * weight[1:] / (weight[:-1] + weight[1:])


def _merge_cost(c0, k0, s0, c1, k1, s1):
    delta = c1 - c0
    return s0 + s1 + delta * delta * k0 * k1 / (k0 + k1)


def _auc(tps, fps):
    """Area under the ROC curve by trapezoids over (fps, tps); ties make diagonal steps."""
    p, n = tps[-1], fps[-1]
    if p == 0 or n == 0:
        return math.nan  # one class only: undefined (H2O reports 1.0 or 0.0)
    tp = np.concatenate(([0.0], tps))
    fp = np.concatenate(([0.0], fps))
    return float(np.sum(np.diff(fp) * (tp[1:] + tp[:-1])) / 2 / p / n)


def _pr_auc(tps, fps):
    """Area under the precision-recall curve, interpolated as H2O (and XGBoost) do."""
    p, n = tps[-1], fps[-1]
    if n == 0:
        return 1.0
    if p == 0:
        return 0.0
    prev_tp = np.concatenate(([0.0], tps[:-1]))
    prev_fp = np.concatenate(([0.0], fps[:-1]))
    step = tps > prev_tp  # where recall stays put, the area does not grow
    tp, fp, prev_tp, prev_fp = tps[step], fps[step], prev_tp[step], prev_fp[step]
    slope = (fp - prev_fp) / (tp - prev_tp)
    a = 1.0 + slope
    b = (prev_fp - slope * prev_tp) / p
    recall, prev_recall = tp / p, prev_tp / p
    with np.errstate(invalid="ignore", divide="ignore"):
        curved = (recall - prev_recall - b / a * (np.log(a * recall + b) - np.log(a * prev_recall + b))) / a
    area = np.where(b != 0, curved, (recall - prev_recall) / a)
    return float(area.sum())


def _threshold_criteria(bins):
    """Every H2O threshold criterion at every bin, as arrays (NaN where 0/0)."""
    tp, fp = bins.tps, bins.fps
    fn, tn = bins.p - tp, bins.n - fp
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = tp / (tp + fp)
        recall = tp / (tp + fn)
        specificity = tn / (tn + fp)
        numerator = tp * tn - fp * fn
        mcc = np.abs(numerator / np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)))
        return {
            "f1": 2 * precision * recall / (precision + recall),
            "f2": 5 * precision * recall / (4 * precision + recall),
            "f0point5": 1.25 * precision * recall / (0.25 * precision + recall),
            "accuracy": (tn + tp) / (tp + fn + tn + fp),
            "precision": precision,
            "recall": recall,
            "specificity": specificity,
            "absolute_mcc": np.where(numerator == 0, 0.0, np.minimum(mcc, 1.0)),
            "min_per_class_accuracy": np.minimum(recall, specificity),
            "mean_per_class_accuracy": 0.5 * (recall + specificity),
            "tns": tn,
            "fns": fn,
            "fps": fp,
            "tps": tp,
            "tnr": specificity,
            "fnr": fn / (fn + tp),
            "fpr": fp / (fp + tn),
            "tpr": recall,
        }


def _max_criterion_index(values):
    """First index of the largest value, NaN skipped; -1 when there is none."""
    clean = np.where(np.isnan(values), -np.inf, values)
    if len(clean) == 0 or not (clean > -np.finfo(np.float64).max).any():
        return -1
    return int(np.argmax(clean))


def _thresholds_table(bins, criteria):
    columns = [col("threshold", "double", "Threshold")]
    columns += [col(name, "long" if is_int else "double") for name, is_int in THRESHOLD_CRITERIA]
    columns.append(col("idx", "int"))
    table = Table("Metrics for Thresholds", columns,
                  description="Binomial metrics as a function of classification thresholds")
    values = [bins.thresholds.tolist()]
    for name, is_int in THRESHOLD_CRITERIA:
        column = criteria[name]
        values.append(np.trunc(column).astype(np.int64).tolist() if is_int else column.tolist())
    values.append(list(range(len(bins.thresholds))))
    table.rows = [list(row) for row in zip(*values)]
    return table


def _max_criteria_table(bins, criteria):
    table = Table("Maximum Metrics", [col("metric", "string", "Metric"), col("threshold", "double", "Threshold"),
                                      col("value", "double", "Value"), col("idx", "long")],
                  description="Maximum metrics at their respective thresholds")
    for name, _ in THRESHOLD_CRITERIA:
        idx = _max_criterion_index(criteria[name])
        if idx < 0:
            table.append([f"max {name}", math.nan, math.nan, idx])
        else:
            table.append([f"max {name}", float(bins.thresholds[idx]), float(criteria[name][idx]), idx])
    return table


def _binomial_cm(bins, idx):
    if idx < 0:
        return None
    tp, fp = bins.tps[idx], bins.fps[idx]
    return np.array([[bins.n - fp, fp], [bins.p - tp, tp]], dtype=np.float64)


def _mean_per_class_error(cm):
    return float(_class_errors(cm).mean())


def confusion_matrix_table(cm, domain):
    """H2O's "Confusion Matrix" table (hex/ConfusionMatrix.toTable) of cm[actual][predicted].

    Columns are the predicted classes, then Error and Rate; rows the actual classes, then the
    Totals (row labels are not part of H2O's JSON). Whole counts print as longs with
    thousands separators in Rate; weighted counts as doubles.
    """
    cm = np.asarray(cm, dtype=np.float64)
    is_int = bool(np.all(cm == np.floor(cm)))
    actual = cm.sum(axis=1)
    predicted = cm.sum(axis=0)
    errors = actual - np.diag(cm)
    total_error, total = errors.sum(), actual.sum()

    def rate(err, n, digits=4):
        return f"{int(err):,} / {int(n):,}" if is_int else f"{err:.{digits}f} / {n:.{digits}f}"

    width = max(len(rate(e, n)) for e, n in zip(list(errors) + [total_error], list(actual) + [total]))
    kind, fmt = ("long", "%d") if is_int else ("double", "%.2f")
    columns = [col(label, kind, fmt=fmt) for label in domain]
    columns += [col("Error", "double", fmt="%.4f"), col("Rate", "string", fmt=f"= %{width}s")]
    table = Table("Confusion Matrix", columns,
                  description="Row labels: Actual class; Column labels: Predicted class")

    def cell(value):
        return int(value) if is_int else float(value)

    with np.errstate(invalid="ignore", divide="ignore"):
        for a in range(len(domain)):
            table.append([cell(v) for v in cm[a]] + [float(errors[a] / actual[a]), rate(errors[a], actual[a])])
        table.append([cell(v) for v in predicted] + [float(total_error / total), rate(total_error, total, 2)])
    return table


def _hit_ratio_table(probs, codes, p_actual, w):
    """H2O's "Top-K Hit Ratios": the weighted share of rows whose class is among the k most likely."""
    k = min(HIT_RATIO_MAX_K, probs.shape[1])
    classes = np.arange(probs.shape[1])
    # rank of the actual class, ties going to the lower class index (as argmax does)
    above = probs > p_actual[:, None]
    tied_before = (probs == p_actual[:, None]) & (classes[None, :] < codes[:, None])
    rank = (above | tied_before).sum(axis=1)
    hits = np.bincount(rank[rank < k], weights=w[rank < k], minlength=k)
    ratios = np.cumsum(hits) / w.sum()
    table = Table(f"Top-{k} Hit Ratios", [col("k", "string", "K"), col("hit_ratio", "float", "Hit Ratio")],
                  description="")
    for i in range(k):
        table.append([str(i + 1), _float32(ratios[i])])
    return table


def _gains_lift_table(scores):
    """H2O's "Gains/Lift Table" (hex/GainsLift.java): 16 groups cut at score quantiles."""
    quantiles = sorted(set(_h2o_quantiles(scores.p, scores.w, GAINS_LIFT_PROBS)), reverse=True)
    # group i holds scores in [quantiles[i], quantiles[i-1])
    bounds = np.searchsorted(scores.p, quantiles, side="left")
    ends = np.concatenate(([len(scores.p)], bounds[:-1]))
    cw = np.concatenate(([0.0], np.cumsum(scores.w)))
    cwy = np.concatenate(([0.0], np.cumsum(scores.wy)))
    cwp = np.concatenate(([0.0], np.cumsum(scores.w * scores.p)))
    observations = cw[ends] - cw[bounds]
    events = cwy[ends] - cwy[bounds]
    score_sums = cwp[ends] - cwp[bounds]
    n_total = observations.sum()
    avg_response_rate = scores.wy.sum() / n_total
    avg_score = (scores.w * scores.p).sum() / n_total
    with np.errstate(invalid="ignore", divide="ignore"):
        response_rates = np.where(observations == 0, 0.0, events / observations)
        avg_scores = np.where(observations == 0, 0.0, score_sums / observations)
    if math.isnan(avg_response_rate):
        return None

    names = ["Group", "Cumulative Data Fraction", "Lower Threshold", "Lift", "Cumulative Lift", "Response Rate",
             "Score", "Cumulative Response Rate", "Cumulative Score", "Capture Rate", "Cumulative Capture Rate",
             "Gain", "Cumulative Gain", "Kolmogorov Smirnov"]
    formats = ["%d", "%.8f"] + ["%5f"] * 12
    columns = [col(name.lower().replace(" ", "_"), "int" if name == "Group" else "double", name, fmt)
               for name, fmt in zip(names, formats)]
    table = Table("Gains/Lift Table", columns,
                  description=f"Avg response rate: {_pct(avg_response_rate)}, avg score: {_pct(avg_score)}")

    events_total = avg_response_rate * n_total
    non_events_total = n_total - events_total
    sum_e = sum_n = sum_s = 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        for i in range(len(quantiles)):
            e_i, n_i, p_i, s_i = events[i], observations[i], response_rates[i], avg_scores[i]
            sum_e += e_i
            sum_n += n_i
            sum_s += n_i * s_i
            lift = _div(p_i, avg_response_rate)
            cumulative_lift = _div(_div(sum_e, sum_n), avg_response_rate)
            cumulative_events = _div(sum_e, events_total)
            cumulative_non_events = 0.0 if non_events_total == 0 else (sum_n - sum_e) / non_events_total
            row = [sum_n / n_total, quantiles[i], lift, cumulative_lift, p_i, s_i, _div(sum_e, sum_n),
                   _div(sum_s, sum_n), _div(e_i, events_total), cumulative_events, 100 * (lift - 1),
                   100 * (cumulative_lift - 1), cumulative_events - cumulative_non_events]
            table.append([i + 1] + [float(v) for v in row])
    return table


def _div(a, b):
    """Java's double division: x/0 is infinite or NaN, never an error."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(np.float64(a) / np.float64(b))


def _pct(x):
    return "N/A" if math.isnan(x) else f"{100 * x:5.2f} %"


# -- deviances ------------------------------------------------------------------------------
def _safe_log(x):
    """H2O's LogExpUtil.log: log of max(0, x), never below -19."""
    x = np.maximum(0.0, x)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x == 0, -19.0, np.maximum(-19.0, np.log(x)))


def _safe_exp(x):
    """H2O's LogExpUtil.exp: exp capped at 1e19."""
    with np.errstate(over="ignore"):
        return np.minimum(1e19, np.exp(x))


def _deviance(distribution, y, f, w, tweedie_power, quantile_alpha, huber_alpha):
    """Per-row deviance of H2O's distributions (hex/DistributionFactory.java), f in response space."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if distribution == "gaussian":
            return (y - f) ** 2
        if distribution == "poisson":
            return 2 * (y * _safe_log(y / f) - y + f)
        if distribution == "gamma":
            ratio = np.where((y == 0) & (f == 0), 1.0, y / f)
            return 2 * (_safe_log(f / y) + ratio - 1)
        if distribution == "tweedie":
            power = tweedie_power
            link = _safe_log(f)
            return 2 * (np.power(y, 2 - power) / ((1 - power) * (2 - power))
                        - y * _safe_exp(link * (1 - power)) / (1 - power)
                        + _safe_exp(link * (2 - power)) / (2 - power))
        if distribution == "laplace":
            return np.abs(y - f)
        if distribution == "quantile":
            return np.where(y > f, quantile_alpha * (y - f), (1 - quantile_alpha) * (f - y))
        if distribution == "huber":
            errors = np.abs(y - f)
            order = np.argsort(errors, kind="stable")
            delta = _h2o_quantiles(errors[order], w[order], [huber_alpha])[0]
            return np.where(errors <= delta, errors ** 2, (2 * errors - delta) * delta)
    raise ValueError(f"unknown distribution '{distribution}'")
