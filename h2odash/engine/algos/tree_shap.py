"""Baseline (interventional) SHAP for tree ensembles against background rows.

LightGBM and XGBoost compute path-dependent TreeSHAP themselves (``pred_contrib``), but not
SHAP against a background frame, which H2O-3 offers as "baseline SHAP": for a row x and one
background row b, the game is v(S) = f(x on S, b elsewhere), and its Shapley values add up to
f(x) - f(b). For one tree that game has a closed form. A leaf is reached by the hybrid row iff,
on every feature its path tests, the row's value for that feature passes the path's tests. Let
A be the path's features that x passes and b fails, B those b passes and x fails; if some
feature fails for both the leaf is never reached. Otherwise it is reached exactly when S holds
all of A and none of B, and the Shapley values of that indicator game are
(|A|-1)! |B|! / (|A|+|B|)! for each feature of A and minus |A|! (|B|-1)! / (|A|+|B|)! for each of
B. Summing leaf value times those over leaves and trees gives the exact baseline SHAP values.

Trees are read from the libraries' own dumps into :class:`Tree` (node arrays); a row's way
through a node is decided here, so the reading is checked against the libraries' leaf indices
in the tests.
"""

import json
import math
from dataclasses import dataclass

import numpy as np

# Pairs of (row, background row) handled at once: bounds the (rows x background x features)
# boolean blocks to a few tens of MB.
_PAIRS_PER_BLOCK = 2_000_000


@dataclass
class Tree:
    """One tree as node arrays. Internal nodes have ``feature >= 0``; leaves hold ``value``.

    A row goes to ``yes`` when its value is below ``threshold`` (``below_or_equal``: at or
    below), or is one of ``categories`` for a categorical split, to ``no`` otherwise, and to
    ``missing`` when its value is NaN (or 0 where ``zero_missing``: LightGBM's missing_type
    Zero). ``cover`` is the training rows (LightGBM) or hessian (XGBoost) each node saw: the
    weights of path-dependent TreeSHAP (fast_tree_shap.py).
    """

    feature: np.ndarray
    threshold: np.ndarray
    categories: list          # per node: None, or a sorted array of level codes sent to yes
    yes: np.ndarray
    no: np.ndarray
    missing: np.ndarray
    value: np.ndarray
    below_or_equal: bool = False
    output: int = 0           # which of a multi-output model's margins the tree adds to
    cover: np.ndarray = None
    zero_missing: np.ndarray = None

    def goes_yes(self, X):
        """(rows, nodes) booleans: where each row goes at each internal node (NaN: by ``missing``)."""
        internal = np.nonzero(self.feature >= 0)[0]
        # Node-major, so that each node's column (read many times by the callers) is contiguous.
        result = np.zeros((len(self.feature), len(X)), dtype=bool)
        for node in internal:
            values = X[:, self.feature[node]]
            cats = self.categories[node]
            if cats is not None:
                passes = np.isin(values, cats)
            elif self.below_or_equal:
                passes = values <= self.threshold[node]
            else:
                passes = values < self.threshold[node]
            nan = np.isnan(values)
            if self.zero_missing is not None and self.zero_missing[node]:
                nan |= np.abs(values) <= _LIGHTGBM_ZERO
            if nan.any():
                passes = np.where(nan, self.missing[node] == self.yes[node], passes)
            result[node] = passes
        return result.T

    def leaf_paths(self):
        """For each leaf: (leaf node, [(internal node, went yes)...]) from the root."""
        paths, stack = [], [(0, [])]
        while stack:
            node, path = stack.pop()
            if self.feature[node] < 0:
                paths.append((node, path))
                continue
            stack.append((int(self.yes[node]), path + [(node, True)]))
            if self.no[node] != self.yes[node]:
                stack.append((int(self.no[node]), path + [(node, False)]))
        return paths

    def leaves_of(self, X):
        """The leaf each row reaches (for checking the reading against the library)."""
        yes = self.goes_yes(X)
        node = np.zeros(len(X), dtype=np.int64)
        for _ in range(len(self.feature)):
            internal = self.feature[node] >= 0
            if not internal.any():
                break
            step = np.where(yes[np.arange(len(X)), node], self.yes[node], self.no[node])
            node = np.where(internal, step, node)
        return node


def baseline_shap(trees, X, B, nfeatures, noutputs=1, per_reference=False):
    """Baseline SHAP values of a sum of trees, shape (outputs, rows, features), averaged over the
    background rows ``B``; with ``per_reference`` (outputs, rows * len(B), features), row i's
    values against background row j at i * len(B) + j."""
    n, m = len(X), len(B)
    out = np.zeros((noutputs, n * m if per_reference else n, nfeatures))
    rows_per_block = max(1, _PAIRS_PER_BLOCK // max(m, 1))
    for tree in trees:
        x_yes, b_yes = tree.goes_yes(X), tree.goes_yes(B)
        for leaf, path in tree.leaf_paths():
            features = sorted({int(tree.feature[node]) for node, _ in path})
            if not features:
                continue   # a lone leaf adds the same to every row: bias only
            x_pass = _passes(x_yes, path, tree, features)
            b_pass = _passes(b_yes, path, tree, features)
            for start in range(0, n, rows_per_block):
                stop = min(n, start + rows_per_block)
                phi = _leaf_shapley(x_pass[start:stop], b_pass, tree.value[leaf])   # (rows, m, F)
                target = out[tree.output]
                if per_reference:
                    block = target[start * m:stop * m]
                    block[:, features] += phi.reshape(-1, len(features))
                else:
                    target[start:stop, features] += phi.mean(axis=1)
    return out


def _passes(goes_yes, path, tree, features):
    """(rows, len(features)) booleans: whether each row passes all of the path's tests of each feature."""
    result = np.ones((len(goes_yes), len(features)), dtype=bool)
    column = {f: i for i, f in enumerate(features)}
    for node, went_yes in path:
        test = goes_yes[:, node] if went_yes else ~goes_yes[:, node]
        result[:, column[int(tree.feature[node])]] &= test
    return result


def _leaf_shapley(x_pass, b_pass, value):
    """(rows, background, features) Shapley values of one leaf's reach indicator times ``value``."""
    xp, bp = x_pass[:, None, :], b_pass[None, :, :]
    only_x = xp & ~bp
    only_b = bp & ~xp
    reachable = (xp | bp).all(axis=2)
    a = only_x.sum(axis=2)
    b = only_b.sum(axis=2)
    weight_x = _WEIGHTS_X[np.minimum(a, _MAX_PATH), np.minimum(b, _MAX_PATH)] * reachable
    weight_b = _WEIGHTS_B[np.minimum(a, _MAX_PATH), np.minimum(b, _MAX_PATH)] * reachable
    return value * (only_x * weight_x[..., None] - only_b * weight_b[..., None])


def _weight_tables(most):
    """(|A|-1)!|B|!/(|A|+|B|)! and |A|!(|B|-1)!/(|A|+|B|)! for every |A|, |B| up to ``most``."""
    wx, wb = np.zeros((most + 1, most + 1)), np.zeros((most + 1, most + 1))
    for a in range(most + 1):
        for b in range(most + 1):
            total = math.factorial(a + b)
            if a:
                wx[a, b] = math.factorial(a - 1) * math.factorial(b) / total
            if b:
                wb[a, b] = math.factorial(a) * math.factorial(b - 1) / total
    return wx, wb


# A path tests at most this many distinct features (depth is far below for H2O's trees: 5 by
# default, 20 for a forest).
_MAX_PATH = 64
_WEIGHTS_X, _WEIGHTS_B = _weight_tables(_MAX_PATH)


# LightGBM reads a value this close to 0 as 0 (its kZeroThreshold).
_LIGHTGBM_ZERO = 1e-35


# -- reading the libraries' trees -----------------------------------------------------------------

def lightgbm_trees(booster, iterations):
    """A LightGBM booster's first ``iterations`` rounds as Trees (categorical levels as codes)."""
    dumped = booster.dump_model(num_iteration=iterations)
    per_round = max(booster.num_model_per_iteration(), 1)
    return [_lightgbm_tree(info["tree_structure"], i % per_round) for i, info in enumerate(dumped["tree_info"])]


def _lightgbm_tree(root, output):
    nodes = []

    def visit(node):
        index = len(nodes)
        nodes.append(None)
        cover = float(node.get("leaf_count", node.get("internal_count", 0)))
        if "leaf_value" in node or "split_feature" not in node:
            nodes[index] = (-1, 0.0, None, -1, -1, -1, float(node.get("leaf_value", 0.0)), cover, False)
            return index
        left, right = visit(node["left_child"]), visit(node["right_child"])
        missing_type = node.get("missing_type", "None")
        if node["decision_type"] == "==":
            cats = np.array(sorted(int(c) for c in str(node["threshold"]).split("||")), dtype=float)
            # LightGBM (4.x) sends a missing level right whatever the split's missing_type (3.x read
            # it as level 0 when the split kept no missing).
            missing = right
            nodes[index] = (int(node["split_feature"]), 0.0, cats, left, right, missing, 0.0, cover, False)
        else:
            threshold = float(node["threshold"])
            if missing_type == "NaN":
                missing = left if node["default_left"] else right
            elif missing_type == "Zero":
                missing = left if node["default_left"] else right
            else:   # no missing seen in training: LightGBM reads NaN as 0
                missing = left if 0.0 <= threshold else right
            nodes[index] = (int(node["split_feature"]), threshold, None, left, right, missing, 0.0, cover,
                            missing_type == "Zero")
        return index

    visit(root)
    return _tree_from_rows(nodes, below_or_equal=True, output=output)


def xgboost_trees(booster, rounds=None, noutputs=1):
    """An XGBoost booster's trees (of its first ``rounds`` rounds) as Trees; features named x0, x1..."""
    if rounds is not None and rounds < booster.num_boosted_rounds():
        booster = booster[:rounds]
    trees = []
    for i, text in enumerate(booster.get_dump(dump_format="json")):
        trees.append(_xgboost_tree(json.loads(text), i % noutputs))
    return trees


def _xgboost_tree(root, output):
    by_id = {}
    stack = [root]
    while stack:
        node = stack.pop()
        by_id[node["nodeid"]] = node
        stack.extend(node.get("children", []))
    order = sorted(by_id)
    position = {node_id: i for i, node_id in enumerate(order)}
    rows = []
    for node_id in order:
        node = by_id[node_id]
        if "leaf" in node:
            rows.append((-1, 0.0, None, -1, -1, -1, float(node["leaf"]), float(node.get("cover", 0.0)), False))
            continue
        feature = int(node["split"][1:])
        condition = node["split_condition"]
        cats = np.array(sorted(condition), dtype=float) if isinstance(condition, list) else None
        threshold = 0.0 if cats is not None else float(np.float32(condition))
        rows.append((feature, threshold, cats, position[node["yes"]], position[node["no"]],
                     position[node["missing"]], 0.0, float(node.get("cover", 0.0)), False))
    return _tree_from_rows(rows, below_or_equal=False, output=output)


def _tree_from_rows(rows, below_or_equal, output):
    feature, threshold, cats, yes, no, missing, value, cover, zero_missing = zip(*rows)
    return Tree(np.array(feature), np.array(threshold), list(cats), np.array(yes), np.array(no),
                np.array(missing), np.array(value), below_or_equal=below_or_equal, output=output,
                cover=np.array(cover), zero_missing=np.array(zero_missing, dtype=bool))
