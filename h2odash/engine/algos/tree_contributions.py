"""Contributions (SHAP) of the tree learners: LightGBM (GBM) and XGBoost (DRF, XGBoost).

Without a background frame they are path-dependent TreeSHAP: LightGBM's by per-leaf tables
(fast_tree_shap.py, equal to its pred_contrib and several times faster), XGBoost's own; with one,
baseline SHAP computed from the libraries' trees (tree_shap.py). Values come out as
(margins, rows, features) with a bias per margin and row, for h2odash.engine.contributions.
"""

import numpy as np
import xgboost as xgb

from h2odash.engine.algos import fast_tree_shap
from h2odash.engine.algos.tree_shap import baseline_shap, lightgbm_trees, xgboost_trees
from h2odash.engine.algos.trees import threads_for
from h2odash.engine.algos.xgboost_support import positional
from h2odash.engine.contributions import Contributions
from h2odash.engine.errors import InvalidArgument
from h2odash.engine.model_data import MULTINOMIAL

_LOG_LINKED = ("poisson", "gamma", "tweedie", "count:poisson", "reg:gamma", "reg:tweedie")


def inverse_link_of(objective):
    """From margin to prediction for a library objective (None: the margin is the prediction)."""
    if objective in ("binary", "binary:logistic"):
        return lambda z: 1.0 / (1.0 + np.exp(-z))
    return np.exp if objective in _LOG_LINKED else None


def check_tree_request(spec, request, algo, compact_only=False):
    """Refuse what trees cannot answer: output space of a multinomial model, and for XGBoost the
    one-hot (Original) layout when a categorical column is split natively."""
    if request.output_space and spec.category == MULTINOMIAL:
        raise InvalidArgument("output_space", "output_space is not available for multinomial models: a class's "
                                              "probability depends on every class's margin.")
    if compact_only and request.output_format == "Original" and "enum" in spec.kinds:
        raise InvalidArgument("predict_contributions_output_format",
                              f"{algo} models on this engine split categorical columns natively, so they have one "
                              "contribution per column, not per level: ask for predict_contributions_output_format="
                              "Compact.")


def codes(X):
    """A learner's native-encoded frame as floats: categorical levels as codes, NaN where missing."""
    if not hasattr(X, "columns"):
        return np.asarray(X, dtype=np.float64)
    out = np.empty((len(X), X.shape[1]))
    for j, name in enumerate(X.columns):
        column = X[name]
        if hasattr(column, "cat"):
            found = column.cat.codes.to_numpy()
            out[:, j] = np.where(found < 0, np.nan, found)
        else:
            out[:, j] = column.to_numpy(dtype=np.float64, na_value=np.nan)
    return out


def _split_library_output(raw, nmargins, p):
    """The libraries' (rows, [margins,] features + 1) SHAP output as (values, bias) per margin."""
    raw = np.asarray(raw, dtype=np.float64).reshape(len(raw), nmargins, p + 1)
    return raw[:, :, :p].transpose(1, 0, 2), raw[:, :, p].T


def _with_background(trees, X, B, margins_of_B, nmargins, per_reference):
    """Baseline SHAP values and the bias they start from (the background's mean margin, or each
    background row's own margin per reference)."""
    values = baseline_shap(trees, X, B, X.shape[1], nmargins, per_reference)
    margins = np.asarray(margins_of_B, dtype=np.float64).reshape(len(B), nmargins).T   # (margins, m)
    n = len(X)
    if per_reference:
        bias = np.tile(margins, (1, n))
    else:
        bias = np.repeat(margins.mean(axis=1, keepdims=True), n, axis=1)
    return values, bias


def lightgbm_contributions(booster, iterations, spec, X, B, request):
    nmargins = spec.nclasses if spec.category == MULTINOMIAL else 1
    p = len(spec.names)
    link = inverse_link_of(booster.params.get("objective", ""))
    threads = threads_for(len(X), p)
    tables = fast_tree_shap.lightgbm_shap(booster, iterations) if B is None else None
    if tables is not None:
        values, bias = tables.contributions(codes(X), p)
    elif B is None:   # paths too long for the tables: LightGBM's own TreeSHAP
        raw = booster.predict(X, num_iteration=iterations, pred_contrib=True, num_threads=threads)
        values, bias = _split_library_output(raw, nmargins, p)
    else:
        margins = booster.predict(B, num_iteration=iterations, raw_score=True, num_threads=threads)
        values, bias = _with_background(lightgbm_trees(booster, iterations), codes(X), codes(B), margins, nmargins,
                                        request.output_per_reference)
    return Contributions(list(spec.names), values, bias, link)


def xgboost_contributions(boosters, weights, rounds, spec, X, B, request, link=None):
    """Contributions of the weighted sum of XGBoost boosters (a forest's chunks, or one booster)
    at their first ``rounds`` rounds each (None: all)."""
    nmargins = spec.nclasses if spec.category == MULTINOMIAL else 1
    p = len(spec.names)
    X_named = positional(X, spec)
    values = bias = None
    for booster, weight, upto in zip(boosters, weights, rounds):
        iteration_range = (0, upto or 0)
        booster.set_param({"nthread": threads_for(len(X), p)})
        if B is None:
            matrix = xgb.DMatrix(X_named, enable_categorical=True, nthread=threads_for(len(X), p))
            raw = booster.predict(matrix, pred_contribs=True, iteration_range=iteration_range)
            part_values, part_bias = _split_library_output(raw, nmargins, p)
        else:
            background = xgb.DMatrix(positional(B, spec), enable_categorical=True)
            margins = booster.predict(background, output_margin=True, iteration_range=iteration_range)
            # XGBoost compares 32-bit floats with its 32-bit thresholds.
            as_float32 = lambda frame: codes(frame).astype(np.float32).astype(np.float64)   # noqa: E731
            part_values, part_bias = _with_background(xgboost_trees(booster, upto, nmargins), as_float32(X),
                                                      as_float32(B), margins, nmargins, request.output_per_reference)
        values = part_values * weight if values is None else values + part_values * weight
        bias = part_bias * weight if bias is None else bias + part_bias * weight
    return Contributions(list(spec.names), values, bias, link)


def one_column_per_level(found, spec, X, B, request):
    """H2O-3's Original layout of a forest's or GBM's baseline SHAP: a categorical column's
    contribution goes to the column of the row's own level (``RACE.1``; ``RACE.missing(NA)`` when
    missing), the others of that column getting 0; numbers keep their one column."""
    if B is None or request.output_format != "Original" or "enum" not in spec.kinds:
        return found
    levels = codes(X)
    if request.output_per_reference:
        levels = np.repeat(levels, len(B), axis=0)
    names, blocks = [], []
    for j, (name, kind) in enumerate(zip(spec.names, spec.kinds)):
        if kind != "enum":
            names.append(name)
            blocks.append(found.values[:, :, j:j + 1])
            continue
        domain = list(spec.domains[name])
        names += [f"{name}.{level}" for level in domain] + [f"{name}.missing(NA)"]
        where = np.where(np.isnan(levels[:, j]), len(domain), np.nan_to_num(levels[:, j])).astype(int)
        block = np.zeros(found.values.shape[:2] + (len(domain) + 1,))
        rows = np.arange(block.shape[1])
        block[:, rows, where] = found.values[:, :, j]
        blocks.append(block)
    return Contributions(names, np.concatenate(blocks, axis=2), found.bias, found.inverse_link)


def categorical_first(found, spec):
    """XGBoost's column order in H2O-3: categorical columns first, then numbers."""
    order = [j for j, kind in enumerate(spec.kinds) if kind == "enum"] + \
            [j for j, kind in enumerate(spec.kinds) if kind != "enum"]
    return Contributions([found.names[j] for j in order], found.values[:, :, order], found.bias, found.inverse_link)
