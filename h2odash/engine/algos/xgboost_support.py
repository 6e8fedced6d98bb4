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


# UBJSON's typed-array markers: element types and count types, as numpy dtypes.
_UBJ_TYPES = {b"i": ">i1", b"U": ">u1", b"I": ">i2", b"l": ">i4", b"L": ">i8"}


def _child_arrays(booster):
    """Every tree's left and right child indices (-1 at leaves), read from the model's binary
    (UBJSON) form without decoding the rest: parsing the JSON form of a 50-tree, depth-20 forest
    took ~0.27 s a tree, a tenth of growing it."""
    raw = bytes(booster.save_raw("ubj"))
    found = {key: _typed_arrays(raw, key) for key in (b"left_children", b"right_children")}
    if found[b"left_children"] is None or found[b"right_children"] is None:
        return [(np.asarray(t["left_children"]), np.asarray(t["right_children"])) for t in _trees_of(booster)]
    return list(zip(found[b"left_children"], found[b"right_children"]))


def _typed_arrays(raw, key):
    """The integer arrays stored under ``key``, in order; None when one is not a typed array."""
    arrays, start = [], raw.find(key)
    while start >= 0:
        at = start + len(key)
        if raw[at:at + 2] != b"[$" or raw[at + 3:at + 4] != b"#":
            return None
        element, count_type = _UBJ_TYPES.get(raw[at + 2:at + 3]), _UBJ_TYPES.get(raw[at + 4:at + 5])
        if element is None or count_type is None:
            return None
        width = np.dtype(count_type).itemsize
        count = int(np.frombuffer(raw, count_type, 1, at + 5)[0])
        arrays.append(np.frombuffer(raw, element, count, at + 5 + width).astype(np.int64))
        start = raw.find(key, at + 5 + width + count * np.dtype(element).itemsize)
    return arrays


def _trees_of(booster):
    model = json.loads(booster.save_raw("json"))["learner"]["gradient_booster"]
    if "gbtree" in model:      # dart wraps a gbtree
        model = model["gbtree"]
    return model.get("model", {}).get("trees", [])


def tree_shapes(booster):
    """Depth and leaf count of every tree in ``booster`` (empty for linear boosters)."""
    depths, leaves = [], []
    for left, right in _child_arrays(booster):
        leaves.append(int((left < 0).sum()))
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
