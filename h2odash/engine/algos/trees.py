"""What the tree learners (gbm, drf, xgboost) share: parameter declarations, H2O's
distributions, constraints by column name, and the Model Summary of a tree ensemble.

Not an algorithm itself (no ``ALGORITHM``); the registry never lists it.
"""

import os
from dataclasses import replace

import numpy as np

from h2odash.engine.algos.base import Algorithm
from h2odash.engine.errors import InvalidArgument
from h2odash.engine.model_data import BINOMIAL, MULTINOMIAL, REGRESSION, weight_values
from h2odash.engine.parameters import MAX_DOUBLE, Parameter as P, class_balance_parameters

# H2O's full list; quasibinomial, ordinal and custom are declared but refused (see resolve_distribution).
TREE_DISTRIBUTIONS = ("AUTO", "bernoulli", "quasibinomial", "ordinal", "multinomial", "gaussian", "poisson", "gamma",
                      "tweedie", "laplace", "quantile", "huber", "custom")
CLASSIFIER_DISTRIBUTIONS = ("bernoulli", "multinomial")
# Distributions whose response must be non-negative (True: strictly positive).
POSITIVE_RESPONSE = {"poisson": False, "tweedie": False, "gamma": True}
THREADS = os.cpu_count() or 1
# Below this many cells (rows x predictors) one thread is faster: OpenMP's hand-offs cost more
# than the work, badly so on a busy machine (50 trees on prostate: 0.04 s vs 3 s at load 7).
SMALL_DATA_CELLS = 1_000_000


def threads_for(nrows, ncols):
    """Threads a learner uses: fixed by the data's size, so seeded fits repeat bit for bit."""
    return 1 if nrows * max(ncols, 1) < SMALL_DATA_CELLS else THREADS


def shared_tree_parameters(ntrees=50, max_depth=5, min_rows=10.0):
    """Parameters common to H2O's GBM and DRF (its SharedTree), in H2O's order, by position.

    Returns a dict name -> Parameter so each algorithm can place them where H2O lists them.
    """
    params = [
        P("score_tree_interval", "int", 0, "secondary", "Score the model every this many trees (0: automatic).",
          min=0),
        *class_balance_parameters(),
        P("max_confusion_matrix_size", "int", 20, "secondary", "Largest confusion matrix shown in model output."),
        P("ntrees", "int", ntrees, "critical", "Number of trees.", gridable=True, min=1),
        P("max_depth", "int", max_depth, "critical", "Deepest a tree may grow (0: no limit).", gridable=True, min=0),
        P("min_rows", "double", float(min_rows), "critical", "Fewest (weighted) rows a leaf may hold.",
          gridable=True, min=0),
        P("nbins", "int", 20, "critical", "Histogram bins per numeric column when looking for splits.",
          gridable=True, min=2),
        P("nbins_top_level", "int", 1024, "secondary", "Bins at the root; deeper levels have fewer, down to "
          "nbins (here: columns are binned once, into max(nbins, min(nbins_top_level, 256)) bins).",
          gridable=True, min=2),
        P("nbins_cats", "int", 1024, "secondary", "Bins for categorical columns (not implemented).",
          supported=False, gridable=True),
        P("r2_stopping", "double", MAX_DOUBLE, "secondary", "Stop once training R^2 reaches this (not "
          "implemented; use stopping_rounds).", supported=False, gridable=True),
        P("build_tree_one_node", "boolean", False, "expert", "Build on one node (the embedded engine always is one "
          "node, so this changes nothing)."),
        P("sample_rate_per_class", "double[]", None, "expert", "Row sampling rate per class (not implemented).",
          supported=False, gridable=True),
        P("col_sample_rate_change_per_level", "double", 1.0, "expert", "Factor applied to the column sampling rate "
          "at each depth (not implemented).", supported=False, gridable=True),
        P("col_sample_rate_per_tree", "double", 1.0, "secondary", "Fraction of columns each tree may use.",
          gridable=True, min=0, max=1),
        P("min_split_improvement", "double", 1e-05, "secondary", "Smallest loss reduction a split must bring.",
          gridable=True, min=0),
        P("histogram_type", "enum", "AUTO", "secondary", "How split points are binned (only AUTO: quantile "
          "histograms).", values=("AUTO", "UniformAdaptive", "Random", "QuantilesGlobal", "RoundRobin",
                                  "UniformRobust"), supported=False, gridable=True),
        P("calibrate_model", "boolean", False, "expert", "Calibrate class probabilities (not implemented).",
          supported=False),
        P("calibration_frame", "Key<Frame>", None, "expert", "Frame to calibrate on (not implemented).",
          supported=False),
        P("calibration_method", "enum", "AUTO", "expert", "Calibration method (not implemented).",
          values=("AUTO", "PlattScaling", "IsotonicRegression"), supported=False),
        P("check_constant_response", "boolean", True, "expert",
          "Refuse a constant response; false trains a model that predicts the constant."),
    ]
    return {p.name: p for p in params}


def distribution_parameter(help_text="Loss function and link; AUTO picks bernoulli, multinomial or gaussian "
                                     "by the response."):
    return P("distribution", "enum", "AUTO", "secondary", help_text, values=TREE_DISTRIBUTIONS, gridable=True)


MONOTONE = P("monotone_constraints", "KeyValue[]", None, "secondary",
             "Per numeric column: 1 forces predictions to rise with it, -1 to fall.")
INTERACTIONS = P("interaction_constraints", "string[][]", None, "expert",
                 "Groups of columns allowed to interact within a tree branch.")


def reordered(parameter_set, order):
    """The parameters in H2O's ``order`` (names); those not named keep their place at the end."""
    from h2odash.engine.parameters import ParameterSet

    named = [parameter_set[n] for n in order if n in parameter_set]
    rest = [p for p in parameter_set if p.name not in set(order)]
    return ParameterSet(named + rest)


def with_default(parameter, default):
    return replace(parameter, default=default)


def histogram_bins(params, most=128):
    """Bins per numeric column for a learner that bins each column once, before any split.

    H2O bins every node anew over the node's own range: nbins_top_level bins at the root,
    halving with depth, never fewer than nbins. One global binning needs finer bins for the
    same resolution: GBM with 20 global bins lost 0.0025 test AUC on the benchmark's 100k rows.
    ``most`` caps them: on its 800k rows LightGBM grew 100 depth-5 trees in 6.0 s with 256 bins
    (test AUC 0.93023), 4.8 s with 128 (0.93016), 4.3 s with 64 (0.92987); deep forests: drf.py.
    """
    return max(int(params["nbins"]), min(int(params["nbins_top_level"]), most))


# -- distributions ---------------------------------------------------------------------------
def resolve_distribution(params, spec, allowed=None, algo="This algorithm"):
    """H2O's distribution for this response: AUTO resolved; refused when it does not fit."""
    distribution = params.get("distribution") or "AUTO"
    if distribution == "AUTO":
        return {BINOMIAL: "bernoulli", MULTINOMIAL: "multinomial", REGRESSION: "gaussian"}[spec.category]
    if allowed is not None and distribution not in allowed:
        raise InvalidArgument("distribution", f"{algo} does not implement distribution '{distribution}'; use one of "
                                              f"{', '.join(('AUTO',) + tuple(allowed))}.")
    if distribution == "bernoulli" and spec.category != BINOMIAL:
        raise InvalidArgument("distribution", "Distribution 'bernoulli' needs a categorical response with two "
                                              f"classes; '{spec.response}' is {_kind(spec)}.")
    if distribution == "multinomial" and spec.category == REGRESSION:
        raise InvalidArgument("distribution", "Distribution 'multinomial' needs a categorical response; "
                                              f"'{spec.response}' is numeric.")
    if distribution not in CLASSIFIER_DISTRIBUTIONS and spec.category != REGRESSION:
        raise InvalidArgument("distribution", f"Distribution '{distribution}' needs a numeric response; "
                                              f"'{spec.response}' is categorical (use bernoulli or multinomial).")
    return distribution


def _kind(spec):
    if spec.category == REGRESSION:
        return "numeric"
    return f"categorical with {spec.nclasses} classes"


def check_response_range(distribution, y):
    """Refuse responses outside the distribution's support (e.g. negative counts for poisson)."""
    if distribution not in POSITIVE_RESPONSE:
        return
    strict = POSITIVE_RESPONSE[distribution]
    low = float(np.min(y)) if len(y) else 0.0
    if low < 0 or (strict and low <= 0):
        need = "positive" if strict else "non-negative"
        raise InvalidArgument("distribution", f"Distribution '{distribution}' needs a {need} response; the "
                                              f"smallest value is {low:g}.")


# -- constraints by column name --------------------------------------------------------------
def monotone_vector(params, spec):
    """H2O's monotone_constraints ([{"key": col, "value": 1}] or {col: 1}) as one int per predictor."""
    given = params.get("monotone_constraints")
    if not given:
        return None
    if isinstance(given, dict):
        pairs = list(given.items())
    else:
        try:
            pairs = [(item["key"], item["value"]) for item in given]
        except (TypeError, KeyError):
            raise InvalidArgument("monotone_constraints", 'monotone_constraints must be a list of {"key": column, '
                                                          '"value": -1|0|1} or a dict {column: -1|0|1}.') from None
    vector = [0] * len(spec.names)
    for name, value in pairs:
        if name not in spec.names:
            raise InvalidArgument("monotone_constraints", f"monotone_constraints names '{name}', which is not a "
                                                          "predictor of this model.")
        i = spec.names.index(name)
        if spec.kinds[i] == "enum":
            raise InvalidArgument("monotone_constraints", f"Column '{name}' is categorical; monotone constraints "
                                                          "apply to numeric columns only.")
        try:
            value = int(float(value))
        except (TypeError, ValueError):
            value = None
        if value not in (-1, 0, 1):
            raise InvalidArgument("monotone_constraints", f"The constraint of '{name}' must be -1, 0 or 1.")
        vector[i] = value
    return vector if any(vector) else None


def interaction_groups(params, spec):
    """H2O's interaction_constraints (lists of column names) as lists of predictor positions."""
    given = params.get("interaction_constraints")
    if not given:
        return None
    groups = []
    for group in given:
        if isinstance(group, str):
            group = [group]
        unknown = [n for n in group if n not in spec.names]
        if unknown:
            raise InvalidArgument("interaction_constraints", f"interaction_constraints names columns that are not "
                                                             f"predictors: {', '.join(map(str, unknown))}.")
        groups.append([spec.names.index(n) for n in group])
    return groups


def check_categorical_encoding(params, allowed=("AUTO", "Enum")):
    encoding = params.get("categorical_encoding") or "AUTO"
    if encoding not in allowed:
        raise InvalidArgument("categorical_encoding", f"categorical_encoding '{encoding}' is not implemented for "
                                                      f"this algorithm; use {' or '.join(allowed)}.")


# -- results ---------------------------------------------------------------------------------
def tree_summary(ntrees, depths, leaves, size):
    """H2O's Model Summary columns from per-(internal)-tree depths and leaf counts."""
    depths = np.asarray(depths, dtype=float)
    leaves = np.asarray(leaves, dtype=float)
    some = len(depths) > 0

    def stat(values, f):
        return f(values) if some else 0

    return [
        ("number_of_trees", "long", int(ntrees)),
        ("number_of_internal_trees", "long", int(len(depths))),
        ("model_size_in_bytes", "long", int(size)),
        ("min_depth", "long", int(stat(depths, np.min))),
        ("max_depth", "long", int(stat(depths, np.max))),
        ("mean_depth", "double", float(stat(depths, np.mean))),
        ("min_leaves", "long", int(stat(leaves, np.min))),
        ("max_leaves", "long", int(stat(leaves, np.max))),
        ("mean_leaves", "double", float(stat(leaves, np.mean))),
    ]


def importances(names, gains):
    """(name, relative importance) pairs, largest first, as H2O lists them."""
    pairs = [(name, float(g)) for name, g in zip(names, gains)]
    pairs.sort(key=lambda pair: -pair[1])
    return pairs


def class_probabilities(raw, nclasses):
    """(n, k) probabilities from a binary learner's p1 or a multiclass learner's matrix."""
    raw = np.asarray(raw, dtype=np.float64)
    if nclasses == 2 and raw.ndim == 1:
        return np.column_stack([1.0 - raw, raw])
    return raw.reshape(len(raw), nclasses)


def check_min_rows(params, spec, train):
    """H2O-3's SharedTree refusal: a first split needs at least 2 * min_rows (weighted) rows."""
    min_rows = float(params["min_rows"])
    weights = float(weight_values(train, spec).sum())
    if weights < 2 * min_rows:
        raise InvalidArgument("min_rows", f"The dataset size is too small to split for min_rows={min_rows}: must "
                                          f"have at least {2 * min_rows} (weighted) rows, but have only {weights}.")


class TreeEnsemble(Algorithm):
    """An algorithm whose model is a number of trees (its Fitted has ``ntrees``)."""

    # LightGBM and XGBoost fits share nothing and release the GIL.
    folds_in_parallel = True

    def main_model_params(self, params, fold_fits):
        if not params.get("stopping_rounds"):
            return None
        # H2O-3: the folds' average tree count, truncated, and no early stopping.
        ntrees = int(sum(fitted.ntrees for fitted in fold_fits) / len(fold_fits))
        return {**params, "ntrees": max(1, ntrees), "stopping_rounds": 0}


class GrowingPredictions:
    """Predictions of a model being boosted, for the few sets scored while it grows: each
    scoring adds only the rounds grown since the last one to margins kept per set. (Predicting
    with every tree anew made a scoring history quadratic in trees: two thirds of a 5-fold
    GBM's time on 16k rows went to it.) Subclasses give a library's margins of rounds
    [start, stop) and turn summed margins into the framework's predictions."""

    def __init__(self, booster, spec, objective):
        self.booster, self.spec, self.objective = booster, spec, objective
        self.done = 0
        self._margins = {}   # id(X) -> (X, X as the library reads it, rounds added, margins)

    def at(self, done):
        """The predict function of the model with its first ``done`` rounds."""
        self.done = done
        return self.predict

    def predict(self, X):
        kept = self._margins.get(id(X))
        if kept is None or kept[0] is not X:
            kept = (X, self.library_input(X), 0, None)
        _, ready, start, margins = kept
        if start < self.done:
            added = self.margins(ready, start, self.done)
            margins = added if margins is None else self.combine(margins, added, ready)
            self._margins[id(X)] = (X, ready, self.done, margins)
        return self.predictions(margins)

    def library_input(self, X):
        """X as the library predicts from it, made once per scored set."""
        return X

    def margins(self, X, start, stop):
        raise NotImplementedError

    def combine(self, kept, added, X):
        return kept + added

    def predictions(self, margins):
        raise NotImplementedError


def inverse_link(kind, margins):
    """Predicted values from summed margins: ``kind`` is "logistic", "softmax", "log" or "identity"."""
    if kind == "logistic":
        return 1.0 / (1.0 + np.exp(-margins))
    if kind == "softmax":
        shifted = np.exp(margins - margins.max(axis=1, keepdims=True))
        return shifted / shifted.sum(axis=1, keepdims=True)
    if kind == "log":
        return np.exp(margins)
    return margins
