"""Isolation trees grown the way H2O-3 grows them, vectorized with numpy.

H2O-3's isolation forest is its shared tree builder fed a random response. A node takes
its candidate columns (``mtries`` of them, drawn at random among those it can still split)
in random order; for a candidate it draws random cut points across the column's range
(many near the root, halving with depth down to one) and keeps the cut that best
separates the random response (least squared error). The first candidate with a usable
cut decides the node. The values only decide where cuts can fall, so splits are random,
but the best cut of noise tends to be lopsided: H2O's trees are uneven and cut a few rows
off early, which is what isolates the odd ones.

A leaf's path length is the depth of its parent, as in H2O-3 (a leaf hanging from the root
counts 0; no correction for the rows a leaf holds). Each tree draws its own random response;
H2O-3 seeds the response by row position, so on a frame of one chunk every tree sees the same
one and the rows it happens to make extreme are cut off early in every tree. Here that noise
does not carry from tree to tree.

Trees grow level by level, a batch of them at once: every node of every tree in the batch is
handled by the same few numpy calls (a sort, cumulative sums, one searchsorted for all the
cuts), so fifty trees on 256-row samples take a few tens of milliseconds.

Not an algorithm itself (no ``ALGORITHM``); the registry never lists it.
"""

import warnings
from dataclasses import dataclass

import numpy as np

# H2O's binning for isolation forests: random cut points, 1024 at the root (nbins_top_level),
# halving with depth down to 2 (nbins); categorical columns get 2 (nbins_cats).
ROOT_BINS = 1024
MIN_BINS = 2
CATEGORICAL_BINS = 2
# Rows scored per pass when walking trees: small enough for the temporaries to stay in cache.
BLOCK_ROWS = 1 << 15


@dataclass
class Columns:
    """What the grower knows of each predictor column, from the whole training frame."""

    integer: np.ndarray      # whole numbers only (categorical codes too): ranges end at max + 1
    categorical: np.ndarray  # level codes: CATEGORICAL_BINS cut points
    low: np.ndarray          # smallest value (NaN when the column has none)
    high: np.ndarray         # largest value

    @classmethod
    def of(cls, X, categorical):
        """Describe the columns of the training matrix ``X`` (codes of ``categorical`` ones as numbers)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)   # an all-missing column's range is NaN
            low, high = np.nanmin(X, axis=0), np.nanmax(X, axis=0)
        whole = np.all(np.isnan(X) | (X == np.round(X)), axis=0)
        categorical = np.asarray(categorical, dtype=bool)
        return cls(whole | categorical, categorical, low, high)

    def exclusive_end(self, high):
        """H2O's exclusive upper end of a range whose largest value is ``high``."""
        return np.where(self.integer, high + 1.0, np.nextafter(high, np.inf))


@dataclass
class Settings:
    max_depth: int          # 0: grow until every row is alone
    min_rows: float         # fewest rows on either side of a split
    mtries: int             # candidate columns per split at the root
    change_per_level: float  # mtries factor per level (col_sample_rate_change_per_level)

    def mtries_at(self, depth, ncols):
        return min(max(1, int(self.mtries * self.change_per_level ** depth)), ncols)


@dataclass
class Tree:
    """One isolation tree as flat node arrays; node 0 is the root, leaves point to themselves."""

    feature: np.ndarray      # column tested at each node (0 at leaves)
    threshold: np.ndarray    # a row goes left when its value is below this (+inf at leaves)
    missing_left: np.ndarray  # where a missing value goes
    children: np.ndarray     # (nodes, 2): [right, left] child of each node
    path_length: np.ndarray  # at leaves: the path length a row landing there scores
    depth: int               # deepest leaf
    leaves: int
    split_counts: np.ndarray  # per split: (column, rows left, rows right, depth of the splitting node)

    @property
    def nbytes(self):
        return sum(a.nbytes for a in (self.feature, self.threshold, self.missing_left, self.children,
                                      self.path_length))

    def path_lengths(self, X, has_missing=True):
        """Each row's path length in this tree."""
        out = np.empty(len(X), dtype=np.int64)
        for start in range(0, len(X), BLOCK_ROWS):
            block = X[start:start + BLOCK_ROWS]
            out[start:start + len(block)] = self.path_length[self._leaves_of(block, has_missing)]
        return out

    def _leaves_of(self, X, has_missing):
        n, p = X.shape
        flat = np.ascontiguousarray(X).ravel()
        offsets = np.arange(n, dtype=np.int64) * p
        children = self.children.ravel()
        node = np.zeros(n, dtype=np.int64)
        for _ in range(self.depth):
            x = flat[offsets + self.feature[node]]
            left = x < self.threshold[node]
            if has_missing:
                missing = np.isnan(x)
                left[missing] = self.missing_left[node[missing]]
            node = children[2 * node + left]
        return node


def grow_trees(X, samples, active, columns, settings, rng, between_levels=None):
    """Grow one isolation tree per sample (row numbers of ``X``), each using only its row of
    ``active`` (boolean, trees x columns: the trees' column samples).

    The trees grow together, level by level: their nodes are simply more nodes of the level,
    which spares numpy's per-call cost on small samples. ``between_levels()`` is called after
    each level (a deep tree on many rows takes seconds: a cancel should not wait for it).
    """
    p = X.shape[1]
    nodes = _NodeTable(len(samples))
    rows = np.concatenate(samples).astype(np.int64) if samples else np.empty(0, dtype=np.int64)
    response = rng.random(len(rows))              # H2O's random response, one draw per sampled row
    where = np.repeat(np.arange(len(samples)), [len(s) for s in samples])  # each row's node in the level
    level = _root_level(columns, len(samples), p)
    depth = 0
    while level.size:
        counts = np.bincount(where, minlength=level.size)
        may_split = (counts >= 2) & (counts >= 2 * settings.min_rows) & level.tracked.any(axis=1)
        if settings.max_depth and depth >= settings.max_depth:
            may_split[:] = False
        candidates, order, chosen = _candidates(level, active[level.tree], may_split, settings.mtries_at(depth, p),
                                                rng)
        split = _first_usable_cuts(X, rows, response, where, level, order, chosen, settings.min_rows, rng)
        splitting = np.nonzero(split.column >= 0)[0]
        nodes.add_leaves(level.ids[split.column < 0], level.tree[split.column < 0], depth)
        if not len(splitting):
            break
        # Rows of the splitting nodes go left or right; the next level lists each node's left
        # child then its right child.
        observed_low, observed_high = _observed_ranges(X, rows, where, level.size)
        keep = split.column[where] >= 0
        rows, response, where = rows[keep], response[keep], where[keep]
        x = X[rows, split.column[where]]
        left = x < split.threshold[where]
        missing = np.isnan(x)
        left[missing] = split.missing_left[where[missing]]
        rank = np.full(level.size, -1, dtype=np.int64)
        rank[splitting] = np.arange(len(splitting))
        where = 2 * rank[where] + (~left)
        sizes = np.bincount(where, minlength=2 * len(splitting)).reshape(-1, 2)
        child_ids = nodes.add_splits(level.ids[splitting], level.tree[splitting], split, splitting, sizes, depth)
        level = _children(level, splitting, split, candidates, observed_low, observed_high, columns, child_ids)
        depth += 1
        if between_levels is not None:
            between_levels()
    return nodes.trees()


# -- one level -------------------------------------------------------------------------------
@dataclass
class _Level:
    """The nodes of one level: their ids and, per column, H2O's histogram range and bins."""

    ids: np.ndarray
    tree: np.ndarray     # the tree each node belongs to
    low: np.ndarray      # (nodes, columns) inclusive lower end of the range cuts fall in
    high: np.ndarray     # exclusive upper end
    bins: np.ndarray     # cuts + 1
    tracked: np.ndarray  # column still splittable here

    @property
    def size(self):
        return len(self.ids)


@dataclass
class _Split:
    column: np.ndarray       # per node, -1 where the node stays a leaf
    threshold: np.ndarray
    missing_left: np.ndarray


def _root_level(columns, ntrees, p):
    """The roots: H2O bins them over the whole training frame's range."""
    low = np.repeat(columns.low[None, :], ntrees, axis=0)
    high = np.repeat(columns.exclusive_end(columns.high)[None, :], ntrees, axis=0)
    bins = _bins(np.full((ntrees, p), ROOT_BINS), low, high, columns)
    roots = np.arange(ntrees, dtype=np.int64)
    return _Level(roots, roots.copy(), low, high, bins, _splittable(low, high, bins, columns))


def _bins(wanted, low, high, columns):
    """H2O's bin count for a range: ``wanted`` for numbers, CATEGORICAL_BINS for categories,
    and no more than one per value on whole-number ranges."""
    bins = np.where(columns.categorical, CATEGORICAL_BINS, wanted)
    with np.errstate(invalid="ignore"):
        span = np.where(np.isfinite(high - low), high - low, 0.0)
    narrow = columns.integer & (span <= bins)
    return np.where(narrow, span, bins).astype(np.int64)


def _splittable(low, high, bins, columns):
    with np.errstate(invalid="ignore"):
        return (high > low) & (bins > 1) & (~columns.integer | (low + 1 < high))


def _candidates(level, active, may_split, mtries, rng):
    """Each node's candidate columns in the random order they are tried: (mask, order, count)."""
    eligible = level.tracked & active & may_split[:, None]
    keys = np.where(eligible, rng.random(eligible.shape), 2.0)
    order = np.argsort(keys, axis=1)
    chosen = np.minimum(eligible.sum(axis=1), mtries)
    candidates = np.argsort(order, axis=1) < chosen[:, None]
    return candidates, order, chosen


def _first_usable_cuts(X, rows, response, where, level, order, chosen, min_rows, rng):
    """Try each node's candidates in order until one has a usable cut."""
    split = _Split(np.full(level.size, -1, dtype=np.int64), np.full(level.size, np.inf),
                   np.zeros(level.size, dtype=bool))
    for attempt in range(int(chosen.max(initial=0))):
        trying = np.nonzero((split.column < 0) & (attempt < chosen))[0]
        if not len(trying):
            break
        columns = order[trying, attempt]
        found, threshold, missing_left = _best_cuts(X, rows, response, where, level, trying, columns, min_rows,
                                                    rng)
        split.column[trying[found]] = columns[found]
        split.threshold[trying[found]] = threshold[found]
        split.missing_left[trying[found]] = missing_left[found]
    return split


def _best_cuts(X, rows, response, where, level, trying, columns, min_rows, rng):
    """For nodes ``trying`` (each on its column): random cuts across the node's range, and the
    one whose two sides hold the random response with the least squared error.

    Rows are sorted by (node, position in the node's range); one searchsorted then counts the
    rows below every cut of every node. Missing values go to whichever side fits better, or
    split from the rest on their own, as H2O decides.
    """
    k = len(trying)
    position = np.full(level.size, -1, dtype=np.int64)
    position[trying] = np.arange(k)
    mine = position[where] >= 0
    node = position[where[mine]]
    values = X[rows[mine], columns[node]]
    low, high = level.low[trying, columns], level.high[trying, columns]
    with np.errstate(invalid="ignore"):
        u = np.clip((values - low[node]) / (high - low)[node], 0.0, 1.0)
    u[np.isnan(values)] = 2.0                     # missing values sort after the node's others
    key = 4.0 * node + u
    order = np.argsort(key, kind="stable")
    key = key[order]
    r = response[mine][order]
    s1 = np.concatenate([[0.0], np.cumsum(r)])
    s2 = np.concatenate([[0.0], np.cumsum(r * r)])
    base = 4.0 * np.arange(k)
    start = np.searchsorted(key, base)
    present_end = np.searchsorted(key, base + 1.5)
    end = np.searchsorted(key, base + 3.0)
    n_present, n_missing = present_end - start, end - present_end

    cuts = level.bins[trying, columns] - 1
    cut_node = np.repeat(np.arange(k), cuts)
    cut_u = rng.random(len(cut_node))
    below = np.searchsorted(key, 4.0 * cut_node + cut_u) - start[cut_node]
    first, last, stop = start[cut_node], present_end[cut_node], end[cut_node]
    n_left, n_right, n_na = below, n_present[cut_node] - below, n_missing[cut_node]
    left = (n_left, s1[first + below] - s1[first], s2[first + below] - s2[first])
    right = (n_right, s1[last] - s1[first + below], s2[last] - s2[first + below])
    missing = (n_na, s1[stop] - s1[last], s2[stop] - s2[last])

    candidates = []
    for missing_left in (True, False):
        lhs, rhs = (_plus(left, missing), right) if missing_left else (left, _plus(right, missing))
        usable = (lhs[0] >= max(min_rows, 1)) & (rhs[0] >= max(min_rows, 1))
        error = _squared_error(*lhs) + _squared_error(*rhs)
        # Without missing values in the node, a later missing value goes to the bigger side.
        side = np.where(n_na > 0, missing_left, n_left > n_right)
        candidates.append((cut_node[usable], error[usable], below[usable], side[usable]))
    # Missing values against the rest: rows with a value go left.
    alone = np.nonzero((n_missing >= max(min_rows, 1)) & (n_present >= max(min_rows, 1)))[0]
    present = (n_present[alone], s1[present_end[alone]] - s1[start[alone]], s2[present_end[alone]] - s2[start[alone]])
    absent = (n_missing[alone], s1[end[alone]] - s1[present_end[alone]], s2[end[alone]] - s2[present_end[alone]])
    candidates.append((alone, _squared_error(*present) + _squared_error(*absent), np.full(len(alone), -1),
                       np.zeros(len(alone), dtype=bool)))

    node_of, error, rows_below, side = (np.concatenate(parts) for parts in zip(*candidates))
    best = np.lexsort((error, node_of))
    best = best[np.diff(node_of[best], prepend=-1) != 0]      # the least error of each node
    winners, winning_below = node_of[best], np.full(k, -1)
    winning_below[winners] = rows_below[best]
    found = np.zeros(k, dtype=bool)
    found[winners] = True
    missing_left = np.zeros(k, dtype=bool)
    missing_left[winners] = side[best]
    # Every cut between the same two values makes the same partition; H2O splits halfway
    # between the lowest and the highest of them (missing-vs-rest splits stay at +inf).
    same = (winning_below[cut_node] == below)
    lowest, highest = np.full(k, np.inf), np.full(k, -np.inf)
    np.minimum.at(lowest, cut_node[same], cut_u[same])
    np.maximum.at(highest, cut_node[same], cut_u[same])
    threshold = np.full(k, np.inf)
    ranged = found & (winning_below >= 0)
    threshold[ranged] = low[ranged] + (lowest[ranged] + highest[ranged]) / 2 * (high - low)[ranged]
    return found, threshold, missing_left


def _plus(a, b):
    return tuple(x + y for x, y in zip(a, b))


def _squared_error(n, s1, s2):
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.maximum(np.where(n > 0, s2 - s1 * s1 / np.maximum(n, 1), 0.0), 0.0)


def _observed_ranges(X, rows, where, size):
    """Smallest and largest value of every column among each node's rows (NaN when none)."""
    order = np.argsort(where, kind="stable")
    values = X[rows[order]]
    starts = np.searchsorted(where[order], np.arange(size))
    with np.errstate(invalid="ignore"):
        return np.fmin.reduceat(values, starts, axis=0), np.fmax.reduceat(values, starts, axis=0)


def _children(level, splitting, split, candidates, observed_low, observed_high, columns, child_ids):
    """The next level's ranges, as H2O's histograms pass them down: columns a node looked at
    narrow to what its rows held (and stop when they held one value); the split column ends
    at the cut on each side; bins halve; the missing side of a missing-vs-rest split stops."""
    parent = np.repeat(splitting, 2)
    right = np.tile([False, True], len(splitting))
    looked = candidates[parent]
    low = np.where(looked, observed_low[parent], level.low[parent])
    high = np.where(looked, columns.exclusive_end(observed_high[parent]), level.high[parent])
    with np.errstate(invalid="ignore"):
        tracked = level.tracked[parent] & ~(looked & ~(observed_high[parent] > observed_low[parent]))
    column = split.column[parent]
    cut = split.threshold[parent]
    finite = np.isfinite(cut)
    cut = np.where(columns.integer[column] & finite, np.ceil(cut), cut)
    n = np.arange(len(parent))
    high[n[~right & finite], column[~right & finite]] = cut[~right & finite]
    low[n[right & finite], column[right & finite]] = cut[right & finite]
    tracked[right & ~finite] = False
    bins = _bins(np.maximum(level.bins[parent] >> 1, MIN_BINS), low, high, columns)
    tracked &= _splittable(low, high, bins, columns)
    return _Level(child_ids, level.tree[parent], low, high, bins, tracked)


class _NodeTable:
    """Nodes of a batch of trees as they are decided, level by level (ids are shared by the
    batch, roots first); ``trees()`` cuts them into each tree's flat arrays."""

    def __init__(self, ntrees):
        self.ntrees = ntrees
        self.count = ntrees
        self.leaves = []          # (ids, tree, depth)
        self.splits = []          # (ids, tree, column, threshold, missing_left, right child, left child)
        self.stats = []           # (tree, column, rows left, rows right, depth)

    def add_leaves(self, ids, tree, depth):
        self.leaves.append((ids, tree, np.full(len(ids), depth)))

    def add_splits(self, ids, tree, split, splitting, sizes, depth):
        left = self.count + 2 * np.arange(len(ids))
        self.count += 2 * len(ids)
        column = split.column[splitting]
        self.splits.append((ids, tree, column, split.threshold[splitting], split.missing_left[splitting], left + 1,
                            left))
        self.stats.append(np.column_stack([tree, column, sizes[:, 0], sizes[:, 1], np.full(len(ids), depth)]))
        return np.column_stack([left, left + 1]).ravel()

    def trees(self):
        n = self.count
        tree_of = np.zeros(n, dtype=np.int64)
        feature = np.zeros(n, dtype=np.int64)
        threshold = np.full(n, np.inf)
        missing_left = np.zeros(n, dtype=bool)
        children = np.repeat(np.arange(n, dtype=np.int64)[:, None], 2, axis=1)
        path_length = np.zeros(n, dtype=np.int64)
        for ids, tree, column, cut, to_left, right, left in self.splits:
            tree_of[ids], feature[ids], threshold[ids], missing_left[ids] = tree, column, cut, to_left
            children[ids, 0], children[ids, 1] = right, left
        leaf_ids, leaf_tree, leaf_depth = (np.concatenate(parts) for parts in zip(*self.leaves))
        tree_of[leaf_ids] = leaf_tree
        # H2O scores a leaf by the depth of the node it hangs from.
        path_length[leaf_ids] = np.maximum(leaf_depth - 1, 0)
        stats = np.vstack(self.stats) if self.stats else np.empty((0, 5), dtype=np.int64)
        # Each tree's nodes in id order (its root first), renumbered from 0.
        order = np.argsort(tree_of, kind="stable")
        local = np.empty(n, dtype=np.int64)
        starts = np.searchsorted(tree_of[order], np.arange(self.ntrees + 1))
        local[order] = np.arange(n) - np.repeat(starts[:-1], np.diff(starts))
        trees = []
        for t in range(self.ntrees):
            mine = order[starts[t]:starts[t + 1]]
            leaves = leaf_tree == t
            trees.append(Tree(feature[mine], threshold[mine], missing_left[mine], local[children[mine]],
                              path_length[mine], int(leaf_depth[leaves].max()), int(leaves.sum()),
                              stats[stats[:, 0] == t, 1:]))
        return trees
