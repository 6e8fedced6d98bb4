"""XGBoost plumbing shared by the drf and xgboost learners: data in, tree shapes and gains out.

Predictors reach XGBoost under positional names (x0, x1, ...): XGBoost refuses some
characters H2O allows in column names ('[', ']', '<'), and positions are what a model's
FeatureSpec fixes anyway.
"""

import json

import numpy as np
import xgboost as xgb

from h2odash.engine.algos.trees import threads_for


def feature_names(spec):
    return [f"x{i}" for i in range(len(spec.names))]


def positional(X, spec):
    """``X`` under XGBoost-safe column names, without copying its data."""
    if not hasattr(X, "columns"):
        return X
    renamed = X.copy(deep=False)
    renamed.columns = feature_names(spec)
    return renamed


def training_matrix(data, label, hist, max_bin):
    """A DMatrix of the training rows; a QuantileDMatrix (binned once, smaller) for hist."""
    X = positional(data.X, data.spec)
    threads = threads_for(data.nrows, len(data.spec.names))
    if hist:
        return xgb.QuantileDMatrix(X, label=label, weight=data.w, max_bin=max_bin, enable_categorical=True,
                                   nthread=threads)
    return xgb.DMatrix(X, label=label, weight=data.w, enable_categorical=True, nthread=threads)


def booster_predict(booster, X, spec, rounds=None, linear=False):
    """The booster's predictions (after the link) for ``X``, from its first ``rounds`` rounds (all: None)."""
    iteration_range = (0, rounds) if rounds else (0, 0)
    # Threads by the size of X (the booster keeps those it was trained with otherwise).
    booster.set_param({"nthread": threads_for(len(X), len(spec.names))})
    X = positional(X, spec)
    if linear:
        # gblinear has no in-place prediction.
        return booster.predict(xgb.DMatrix(X, nthread=threads_for(len(X), len(spec.names))),
                               iteration_range=iteration_range)
    return booster.inplace_predict(X, iteration_range=iteration_range)


def _trees_of(booster):
    model = json.loads(booster.save_raw("json"))["learner"]["gradient_booster"]
    if "gbtree" in model:      # dart wraps a gbtree
        model = model["gbtree"]
    return model.get("model", {}).get("trees", [])


def tree_shapes(booster):
    """Depth and leaf count of every tree in ``booster`` (empty for linear boosters)."""
    depths, leaves = [], []
    for tree in _trees_of(booster):
        left = np.asarray(tree["left_children"], dtype=np.int64)
        right = np.asarray(tree["right_children"], dtype=np.int64)
        is_leaf = left < 0
        leaves.append(int(is_leaf.sum()))
        # Walk level by level: depth of the deepest node reached.
        frontier, depth = np.array([0]), 0
        while True:
            children = np.concatenate([left[frontier], right[frontier]])
            children = children[children >= 0]
            if not len(children):
                break
            frontier, depth = children, depth + 1
        depths.append(depth)
    return depths, leaves


def total_gains(boosters, spec):
    """Summed split gains per predictor across ``boosters`` (H2O's relative importance)."""
    gains = np.zeros(len(spec.names))
    for booster in boosters:
        for name, gain in booster.get_score(importance_type="total_gain").items():
            gains[int(name[1:])] += gain
    return gains


def model_size(boosters):
    return sum(len(booster.save_raw("ubj")) for booster in boosters)
