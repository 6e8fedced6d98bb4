"""Naive Bayes: H2O-3's classifier from class priors and per-class predictor distributions.

Categorical predictors use conditional level frequencies with Laplace smoothing; numeric
predictors a Gaussian with the class's sample mean and standard deviation. As in H2O-3:

- training counts only rows where the response and every predictor are present (H2O skips a
  row with any missing value), while scoring skips just the missing predictors of a row;
- the priors are Laplace-smoothed too;
- a standard deviation at most ``eps_sdev`` is replaced by ``min_sdev``, and a probability or
  density at most ``eps_prob`` by ``min_prob``, when scoring.
"""

import numpy as np
import pandas as pd

from h2odash.engine.algos.base import Algorithm, Fitted
from h2odash.engine.model_data import BINOMIAL, MULTINOMIAL
from h2odash.engine.parameters import COMMON, Parameter as P, ParameterSet, extend
from h2odash.engine.tables import Column, Table, col

_H2O_ORDER = (
    "model_id nfolds seed fold_assignment fold_column keep_cross_validation_models keep_cross_validation_predictions "
    "keep_cross_validation_fold_assignment training_frame validation_frame response_column ignored_columns "
    "ignore_const_cols score_each_iteration balance_classes class_sampling_factors max_after_balance_size "
    "max_confusion_matrix_size laplace min_sdev eps_sdev min_prob eps_prob compute_metrics max_runtime_secs "
    "export_checkpoints_dir gainslift_bins auc_type"
).split()

PARAMETERS = ParameterSet(sorted(extend(
    COMMON,
    P("balance_classes", "boolean", False, "secondary", "Over/under-sample classes (not applicable to Naive Bayes).",
      supported=False),
    P("class_sampling_factors", "float[]", None, "expert", "Per-class sampling ratios (not applicable).",
      supported=False),
    P("max_after_balance_size", "float", 5.0, "expert", "Largest size after balancing (not applicable).",
      supported=False),
    P("max_confusion_matrix_size", "int", 20, "secondary", "Largest confusion matrix shown in logs (no effect here)."),
    P("laplace", "double", 0.0, "critical", "Laplace smoothing added to every count (0: none).", gridable=True, min=0),
    P("min_sdev", "double", 0.001, "critical", "Standard deviation used in place of one at most eps_sdev.",
      gridable=True, min=1e-10),
    P("eps_sdev", "double", 0.0, "critical", "Standard deviations at most this are replaced by min_sdev.",
      gridable=True, min=0),
    P("min_prob", "double", 0.001, "critical", "Probability used in place of one at most eps_prob.", gridable=True,
      min=1e-10),
    P("eps_prob", "double", 0.0, "critical", "Probabilities at most this are replaced by min_prob.", gridable=True,
      min=0),
    P("compute_metrics", "boolean", True, "critical", "Score the training frame once trained.", gridable=True),
    drop=("offset_column", "weights_column", "stopping_rounds", "stopping_metric", "stopping_tolerance",
          "categorical_encoding", "custom_metric_func", "checkpoint"),
    overrides={"seed": {"level": "expert"}},
).parameters, key=lambda p: _H2O_ORDER.index(p.name)))


class NaiveBayes(Algorithm):
    name = "naivebayes"
    full_name = "Naive Bayes"
    model_prefix = "NaiveBayes"
    categories = (BINOMIAL, MULTINOMIAL)
    encoding = "native"
    parameters = PARAMETERS

    def _settings(self, params):
        """H2O's parameter names to the learner's (one place)."""
        return {
            "laplace": float(params["laplace"]),
            "min_sdev": float(params["min_sdev"]),
            "eps_sdev": float(params["eps_sdev"]),
            "min_prob": float(params["min_prob"]),
            "eps_prob": float(params["eps_prob"]),
        }

    def fit(self, data, params, monitor):
        settings = self._settings(params)
        X = data.X
        k = data.spec.nclasses
        complete = np.asarray(data.w) > 0
        for name in X.columns:
            complete &= _present(X[name])
        y = np.asarray(data.y)[complete]
        counts = np.bincount(y, minlength=k).astype(np.float64)
        laplace = settings["laplace"]
        apriori = (counts + laplace) / (counts.sum() + k * laplace)
        conditionals = {}
        for name in X.columns:
            column = X[name]
            if isinstance(column.dtype, pd.CategoricalDtype):
                levels = len(column.cat.categories)
                codes = column.cat.codes.to_numpy()[complete]
                joint = np.zeros((k, levels))
                np.add.at(joint, (y, codes), 1.0)
                with np.errstate(invalid="ignore", divide="ignore"):
                    conditionals[name] = (joint + laplace) / (counts[:, None] + levels * laplace)
            else:
                x = column.to_numpy(dtype=np.float64)[complete]
                total = np.bincount(y, weights=x, minlength=k)
                squares = np.bincount(y, weights=x * x, minlength=k)
                with np.errstate(invalid="ignore", divide="ignore"):
                    mean = total / counts
                    # Sample variance (n - 1), as H2O computes it from the sums.
                    var = squares / (counts - 1) - mean * mean * counts / (counts - 1)
                conditionals[name] = np.column_stack([mean, np.sqrt(np.maximum(var, 0.0))])
        monitor.iteration(1, 1)
        return NaiveBayesFit(apriori, conditionals, counts, data.spec, settings)


def _present(column):
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy() >= 0
    return np.isfinite(column.to_numpy(dtype=np.float64))


class NaiveBayesFit(Fitted):
    """Priors and per-class conditionals; scores with H2O's floors on deviations and probabilities."""

    def __init__(self, apriori, conditionals, counts, spec, settings):
        self.apriori = apriori
        self.conditionals = conditionals   # name -> (k, levels) probabilities, or (k, 2) mean and sd
        self.counts = counts
        self.spec = spec
        self.settings = settings

    def predict(self, X):
        s = self.settings
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            log_joint = np.tile(np.log(self.apriori), (len(X), 1))
            for name, table in self.conditionals.items():
                column = X[name]
                if isinstance(column.dtype, pd.CategoricalDtype):
                    codes = column.cat.codes.to_numpy()
                    seen = codes >= 0
                    prob = table[:, codes[seen]].T
                else:
                    x = column.to_numpy(dtype=np.float64)
                    seen = np.isfinite(x)
                    mean = np.nan_to_num(table[:, 0], nan=0.0)
                    sd = np.where(np.isnan(table[:, 1]), 1.0,
                                  np.where(table[:, 1] <= s["eps_sdev"], s["min_sdev"], table[:, 1]))
                    d = x[seen, None] - mean[None, :]
                    prob = np.exp(-(d * d) / (2.0 * sd * sd)) / (sd * np.sqrt(2.0 * np.pi))
                prob = np.where(prob <= s["eps_prob"], s["min_prob"], prob)
                log_joint[seen] += np.log(prob)
            log_joint -= log_joint.max(axis=1, keepdims=True)
            p = np.exp(log_joint)
        return p / p.sum(axis=1, keepdims=True)

    def summary(self):
        return [("Number of Response Levels", "long", len(self.apriori)),
                ("Min Apriori Probability", "double", float(self.apriori.min())),
                ("Max Apriori Probability", "double", float(self.apriori.max()))]

    def output(self):
        classes = list(self.spec.response_domain)
        apriori = Table("A Priori Response Probabilities",
                        [Column("", "string", "%s", "")] + [col(c, "double", fmt="%5f") for c in classes])
        apriori.append([""] + [float(v) for v in self.apriori])
        pcond = []
        # H2O lists the categorical predictors' tables first.
        ordered = sorted(self.conditionals, key=lambda name: name not in self.spec.domains)
        for name in ordered:
            table = self.conditionals[name]
            if name in self.spec.domains:
                headers = list(self.spec.domains[name])
            else:
                headers = ["Mean", "Std_Dev"]
            t = Table(name, [Column("", "string", "%s", "")] + [col(h, "double", fmt="%5f") for h in headers],
                      description=f"Y_by_{name}")
            for cls, row in zip(classes, table):
                t.append([cls] + [float(v) for v in row])
            pcond.append(t)
        return {"apriori": apriori, "pcond": pcond}


ALGORITHM = NaiveBayes()
