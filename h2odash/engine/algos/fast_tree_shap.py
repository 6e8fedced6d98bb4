"""Path-dependent TreeSHAP of LightGBM's trees by per-leaf tables (Fast TreeSHAP v2).

LightGBM's ``pred_contrib`` walks every tree for every row, doing O(depth^2) work per leaf; on
200,000 rows of a 100-tree depth-5 GBM it took longer than H2O-3. Fast TreeSHAP v2 (Yang 2021,
"Fast TreeSHAP: Accelerating SHAP Value Computation for Trees") moves that work to a table per
leaf, computed once per model: path-dependent TreeSHAP is the Shapley value of the game

    v(S) = sum over leaves of value * prod_{j in S} o_j * prod_{j in D, not in S} z_j

where D is the leaf's path's distinct features, o_j is 1 when the row passes every test of the
path on feature j (0 otherwise) and z_j the product of the path's cover fractions on j (child
cover over parent cover; a feature tested twice on a path has its tests merged, as TreeSHAP
does). A leaf's share of feature i's Shapley value depends on the row only through which of D
it passes: 2^|D| patterns, so the table holds, per pattern, the leaf's contribution to each of
D. A row then costs one pattern and one lookup per leaf; the tables are built in numpy for all
leaves with the same |D| at once, and the rows are handled as arrays, tree by tree, on threads
(numpy's array loops run without the GIL).

Per pattern P and feature i of D (Q = P without i, d = |D|, w(k) = k!(d-k-1)!/d!):

    phi_i(P) = value * ([i in P] - z_i) * prod_{j in D, not in P, j != i} z_j
               * sum_k w(k) e_{|Q|-k}(z_Q)

and sum_k w(k) e_{|Q|-k}(z_Q) = sum_k w(k) [t^k] prod_{j in Q} (t + z_j), built for every subset
Q by multiplying in one feature at a time.
"""

import math
import os
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from h2odash.engine.algos.tree_shap import lightgbm_trees

# Tables have 2^d rows per leaf; a path of more distinct features than this makes them too big
# (and LightGBM's own walk is then the better algorithm): such a model is left to pred_contrib,
# as is one whose tables would hold more numbers than MAX_TABLE_CELLS (128 MB; the benchmark's
# 100 trees of depth 5 need under 1M).
MAX_PATH_FEATURES = 10
MAX_TABLE_CELLS = 1 << 24
# (leaf, row) pairs handled at once: bounds the pattern and lookup scratch to some tens of MB.
_PAIRS_PER_BLOCK = 1 << 21
_THREADS = max(1, min(2, os.cpu_count() or 1))


@dataclass
class _TreeTable:
    """One tree ready for lookups: its leaves' tables stacked in ``table`` (rows: each leaf's
    patterns, from ``offsets``; columns: the tree's features ``features``).

    ``tests`` (leaves, path features, tests) indexes the rows of ``_outcomes``: a node's "went
    yes" row, its "went no" row, or a row of all True (padding a feature with fewer tests) or
    all False (padding a leaf with fewer features, so its bit stays 0).
    """

    tree: object
    output: int
    features: np.ndarray
    tests: np.ndarray
    offsets: np.ndarray
    table: np.ndarray


class LightGBMShap:
    """A LightGBM model's path-dependent TreeSHAP by tables; equal to ``pred_contrib``."""

    def __init__(self, trees, noutputs):
        self.noutputs = noutputs
        self.expected = np.zeros(self.noutputs)
        self.trees = []
        for tree in trees:
            self.expected[tree.output] += _expected_value(tree)
            if tree.feature[0] >= 0:
                self.trees.append(_tree_table(tree))

    def contributions(self, X, nfeatures):
        """(outputs, rows, features) SHAP values and (outputs, rows) bias of the rows ``X``
        (LightGBM's encoding: float codes, NaN where missing)."""
        X = np.asarray(X, dtype=np.float64)
        n = len(X)

        def part(trees):
            # Feature-major: adding a tree's few columns writes contiguous rows.
            out = np.zeros((self.noutputs, nfeatures, n))
            for tree in trees:
                step = max(1, _PAIRS_PER_BLOCK // len(tree.offsets))
                for start in range(0, n, step):
                    out[tree.output][tree.features, start:start + step] += _tree_values(tree, X[start:start + step]).T
            return out

        shares = [self.trees[k::_THREADS] for k in range(_THREADS)]
        with ThreadPoolExecutor(_THREADS) as pool:
            values = sum(pool.map(part, shares))
        bias = np.repeat(self.expected[:, None], n, axis=1)
        return values.transpose(0, 2, 1), bias


# One answer per booster and iteration count: the tables are built once per model.
_CACHE = weakref.WeakKeyDictionary()


def lightgbm_shap(booster, iterations):
    """The LightGBMShap of a booster's first ``iterations`` rounds (None: all), or None when a
    path tests more than MAX_PATH_FEATURES features or the tables would hold more than
    MAX_TABLE_CELLS numbers (the caller then uses pred_contrib)."""
    per_booster = _CACHE.setdefault(booster, {})
    if iterations not in per_booster:
        trees = lightgbm_trees(booster, iterations)
        # Per leaf: its path's distinct features d, and the 2^d table rows of its tree's features.
        shapes = [(len(_path_features(tree, path)), len(set(tree.feature[tree.feature >= 0])))
                  for tree in trees for _, path in tree.leaf_paths()]
        fits = all(d <= MAX_PATH_FEATURES for d, _ in shapes) and \
            sum(width << d for d, width in shapes) <= MAX_TABLE_CELLS
        per_booster[iterations] = LightGBMShap(trees, max(booster.num_model_per_iteration(), 1)) if fits else None
    return per_booster[iterations]


def _expected_value(tree):
    """The tree's mean output over its training rows: LightGBM's bias (ExpectedValue)."""
    leaves = tree.feature < 0
    if leaves.sum() == 1:
        return float(tree.value[leaves][0])
    return float(np.sum(tree.cover[leaves] / tree.cover[0] * tree.value[leaves]))


def _path_features(tree, path):
    """The path's tests grouped by feature, in order of first test: {feature: [(node, went yes)...]}."""
    grouped = {}
    for node, went_yes in path:
        grouped.setdefault(int(tree.feature[node]), []).append((node, went_yes))
    return grouped


def _tree_table(tree):
    features = np.array(sorted({int(f) for f in tree.feature if f >= 0}))
    column = {int(f): k for k, f in enumerate(features)}
    leaves, by_size = [], {}
    for leaf, path in tree.leaf_paths():
        grouped = _path_features(tree, path)
        zero = [np.prod([tree.cover[(tree.yes if yes else tree.no)[node]] / tree.cover[node]
                         for node, yes in tests]) for tests in grouped.values()]
        leaves.append(list(grouped.values()))
        by_size.setdefault(len(grouped), []).append((len(leaves) - 1, zero, tree.value[leaf],
                                                     [column[f] for f in grouped]))
    sizes = [1 << len(tests) for tests in leaves]
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int32)
    table = np.zeros((sum(sizes), len(features)))
    for d, group in by_size.items():
        index, zero, value, columns = zip(*group)
        found = _leaf_tables(np.array(zero).reshape(len(group), d), np.array(value))   # (leaves, 2^d, d)
        for k, leaf in enumerate(index):
            table[offsets[leaf]:offsets[leaf] + (1 << d), list(columns[k])] = found[k]
    return _TreeTable(tree, tree.output, features, _test_index(leaves, len(tree.feature)), offsets, table)


def _test_index(leaves, nnodes):
    """The (leaves, features, tests) rows of ``_outcomes`` for each leaf's path tests."""
    width = max(len(tests) for tests in leaves)
    depth = max(len(test) for tests in leaves for test in tests)
    index = np.full((len(leaves), width, depth), 2 * nnodes + 1)            # all False
    for k, tests_by_feature in enumerate(leaves):
        for j, tests in enumerate(tests_by_feature):
            index[k, j, :] = 2 * nnodes                                      # all True
            index[k, j, :len(tests)] = [node if yes else nnodes + node for node, yes in tests]
    return index


def _outcomes(goes_yes):
    """(2 nodes + 2, rows) booleans: went yes per node, went no per node, all True, all False."""
    nodes = goes_yes.T
    rows = nodes.shape[1]
    return np.concatenate([nodes, ~nodes, np.ones((1, rows), dtype=bool), np.zeros((1, rows), dtype=bool)])


def _leaf_tables(zero, value):
    """(leaves, 2^d, d) contributions of leaves with ``d`` path features, per pattern of the
    features passed (bit j: the j-th feature), from their zero fractions (leaves, d)."""
    nleaves, d = zero.shape
    size = 1 << d
    poly = np.zeros((nleaves, size, d + 1))    # coefficients of prod_{j in Q} (t + z_j), per subset Q
    poly[:, 0, 0] = 1.0
    product = np.ones((nleaves, size))         # prod_{j in Q} z_j, per subset Q
    for b in range(d):
        low, high = slice(0, 1 << b), slice(1 << b, 2 << b)
        poly[:, high, 1:] = poly[:, low, :-1]
        poly[:, high, :] += zero[:, b, None, None] * poly[:, low, :]
        product[:, high] = product[:, low] * zero[:, b, None]
    weights = np.array([math.factorial(k) * math.factorial(d - k - 1) / math.factorial(d) for k in range(d)] + [0.0])
    summed = poly @ weights                     # (leaves, size)
    pattern = np.arange(size)[:, None]
    bit = 1 << np.arange(d)[None, :]
    without = pattern & ~bit                    # Q = P without i
    absent = ((size - 1) ^ pattern) & ~bit      # D without P, without i
    passed = (pattern & bit) != 0
    return value[:, None, None] * (passed - zero[:, None, :]) * product[:, absent] * summed[:, without]


def _tree_values(tree, X):
    """(rows, tree's features) contributions of one tree: each leaf's table row for the row's pattern."""
    outcomes = _outcomes(tree.tree.goes_yes(X))
    n = len(X)
    nleaves, width = tree.tests.shape[:2]
    passed = outcomes[tree.tests[:, :, 0]]                                  # (leaves, features, rows)
    for k in range(1, tree.tests.shape[2]):
        passed &= outcomes[tree.tests[:, :, k]]
    # Bit j of a leaf's pattern: the row passes the leaf's tests of its j-th feature.
    lookup = tree.offsets[:, None] + passed[:, 0]                           # (leaves, rows)
    for j in range(1, width):
        lookup += passed[:, j] * np.int32(1 << j)
    lookup = lookup.T.ravel()                                               # row-major (rows, leaves)
    # Summing the looked-up rows is a product with a 0/1 matrix of one entry per (row, leaf).
    picks = sp.csr_matrix((np.ones(n * nleaves), lookup, np.arange(0, n * nleaves + 1, nleaves)),
                          shape=(n, len(tree.table)))
    return picks @ tree.table
