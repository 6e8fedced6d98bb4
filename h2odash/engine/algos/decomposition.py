"""The matrix H2O-3's PCA and SVD decompose, and its singular value decomposition.

Both read a frame as H2O-3's DataInfo does: each categorical column becomes one 0/1 column per
level (the first level left out unless use_all_factor_levels), categorical columns first, the
one with most levels first, then the numeric columns in frame order, transformed with the
training frame's statistics as ``(x - sub) * mul``:

    NONE         sub 0,     mul 1
    STANDARDIZE  sub mean,  mul 1 / sigma
    NORMALIZE    sub mean,  mul 1 / (max - min)
    DEMEAN       sub mean,  mul 1
    DESCALE      sub 0,     mul 1 / sigma

(a constant column keeps mul 1). 0/1 level columns are never transformed. A training row with a
missing value is left out of the decomposition, unless PCA's impute_missing fills it in (a number
with its column's mean, a level with its column's most common one). A row being scored skips a
missing or unseen level, and projects to NaN when a number is missing.

The k largest singular values d and right singular vectors V of that matrix A (and U = A V / d
when asked) come from one of H2O-3's methods: GramSVD (eigen-decomposition of A'A: exact),
Power (power iterations on the Gram matrix, one component at a time, deflating it after each)
or Randomized (Halko, Martinsson and Tropp's randomized subspace iteration, then the SVD of the
small matrix Q'A). The iterative ones write a scoring-history row per iteration.
"""

from dataclasses import dataclass

import numpy as np

from h2odash.engine.algos import kmeans
from h2odash.engine.algos.autoencoder_inputs import input_columns
from h2odash.engine.errors import InvalidArgument
from h2odash.engine.parameters import COMMON, NOT_DECLARED_BY_DECOMPOSITIONS, ParameterSet, extend

TRANSFORMS = ("NONE", "STANDARDIZE", "NORMALIZE", "DEMEAN", "DESCALE")
TRANSFORM_HELP = ("Transform of numeric columns before decomposing: STANDARDIZE (subtract the mean, divide by the "
                  "standard deviation), NORMALIZE (subtract the mean, divide by the range), DEMEAN, DESCALE (divide "
                  "by the standard deviation) or NONE (as they are: not even centered).")
# H2O-3's scoring history of the iterative methods: its title, and its columns' types and titles.
HISTORY_NAMES = {"Power": "Scoring History from Power SVD", "Randomized": "Scoring History from Randomized SVD"}
HISTORY_COLUMNS = {"iterations": ("long", "Iterations"), "err": ("double", "err"),
                   "principal_component_": ("double", "Principal Component #"),
                   "average_see": ("double", "average SEE")}
# H2O-3's convergence tolerance: a power iteration stops once its vector moves less than this;
# the subspace iteration once its singular values change by less than its square (relatively).
TOLERANCE = 1e-6
# Extra directions the subspace iteration carries beyond the k it reports (as scikit-learn's
# randomized_svd does; H2O-3 carries none): the k-th direction then converges at the pace of
# sigma_(k+11) / sigma_k rather than sigma_(k+1) / sigma_k.
OVERSAMPLING = 10


def declare(order, *extra, overrides=None):
    """A decomposition builder's parameters: those of COMMON it takes and ``extra``, in H2O-3's
    ``order`` (a list of names)."""
    shared = {"validation_frame": {"gridable": True}, "max_runtime_secs": {"gridable": True},
              "seed": {"help": "Random seed of the Power and Randomized methods (-1: a new one each time)."}}
    declared = extend(COMMON, *extra, drop=NOT_DECLARED_BY_DECOMPOSITIONS, overrides={**shared, **(overrides or {})})
    return ParameterSet(sorted(declared.parameters, key=lambda p: order.index(p.name)))


def read_rows(frame, spec, rows=None):
    """A frame's predictors as k-means reads them, unscaled: numbers (NaN where missing) and
    level codes (-1 where missing or unseen), in the model's column order."""
    return kmeans.ALGORITHM.layout(frame, spec, {"standardize": False}, rows)


def expanded_names(spec, use_all_levels):
    """Names of the expanded columns in H2O's order: ``col.level`` for levels, then numbers."""
    enums, numbers = input_columns(spec)
    drop = 0 if use_all_levels else 1
    return [f"{name}.{level}" for name in enums for level in spec.domains[name][drop:]] + numbers


def check_rank(rank, argument, spec, use_all_levels):
    """Refuse a rank larger than the number of columns once categoricals are expanded."""
    width = len(expanded_names(spec, use_all_levels))
    if rank > width:
        raise InvalidArgument(argument, f"{argument} must be between 1 and {width}, the number of columns once each "
                                        f"categorical column is expanded to one per level"
                                        f"{'' if use_all_levels else ' (the first level left out)'}; got {rank}.")


class Expansion:
    """How a model turns rows into the matrix it decomposes: H2O's columns and the training
    frame's transform, learned from the training rows ``points``."""

    def __init__(self, spec, use_all_levels, transform, points):
        enums, _ = input_columns(spec)
        in_spec_order = [name for name, kind in zip(spec.names, spec.kinds) if kind == "enum"]
        self.enum_columns = [in_spec_order.index(name) for name in enums]   # H2O's order of points.codes
        self.levels = [len(spec.domains[name]) for name in enums]
        self.drop = 0 if use_all_levels else 1
        self.names = expanded_names(spec, use_all_levels)
        numbers = points.numeric
        present = ~np.isnan(numbers)
        counts = present.sum(axis=0)
        # A column with no values (possible when constant columns are kept) has mean 0.
        self.means = np.where(present, numbers, 0.0).sum(axis=0) / np.maximum(counts, 1)
        self.sub, self.mul = _transform(transform, numbers, self.means, counts)
        codes = points.codes[:, self.enum_columns]
        self.modes = [int(np.bincount(c[c >= 0], minlength=n).argmax()) if (c >= 0).any() else 0
                      for c, n in zip(codes.T, self.levels)]

    def matrix(self, points):
        """The rows as the expanded, transformed matrix (n x width)."""
        n = len(points)
        blocks = []
        for column, levels in zip(self.enum_columns, self.levels):
            codes = points.codes[:, column]
            onehot = np.zeros((n, levels))
            known = codes >= 0
            onehot[np.nonzero(known)[0], codes[known]] = 1.0
            blocks.append(onehot[:, self.drop:])
        blocks.append((points.numeric - self.sub) * self.mul)
        return np.hstack(blocks)

    def complete(self, points):
        """Which rows have every value (a known level, a number)."""
        return ~np.isnan(points.numeric).any(axis=1) & (points.codes >= 0).all(axis=1)

    def imputed(self, points):
        """The rows with each missing number at its column's mean, each missing level at its
        column's most common one."""
        numeric = np.where(np.isnan(points.numeric), self.means[None, :], points.numeric)
        codes = points.codes.copy()
        for column, mode in zip(self.enum_columns, self.modes):
            codes[:, column] = np.where(codes[:, column] >= 0, codes[:, column], mode)
        return kmeans.Points(numeric, codes)


def _transform(transform, numbers, means, counts):
    """(sub, mul) of each numeric column for H2O's ``transform``: mean, sample standard
    deviation and range over the column's values."""
    width = numbers.shape[1]
    sub = means.copy() if transform in ("STANDARDIZE", "NORMALIZE", "DEMEAN") else np.zeros(width)
    if transform == "NORMALIZE":
        spread = np.fmax.reduce(numbers, axis=0) - np.fmin.reduce(numbers, axis=0)   # NaN-blind max - min
    elif transform in ("STANDARDIZE", "DESCALE"):
        squares = np.where(np.isnan(numbers), 0.0, numbers - means[None, :]) ** 2
        spread = np.sqrt(squares.sum(axis=0) / np.maximum(counts - 1, 1))
    else:
        return sub, np.ones(width)
    good = np.isfinite(spread) & (spread > 0)
    return sub, np.where(good, 1.0 / np.where(good, spread, 1.0), 1.0)


def training_matrix(expansion, points, rank, argument, impute=False):
    """The training rows to decompose, as a matrix, and which rows they are (a mask).

    Refuses what has no rank-``rank`` decomposition: no complete rows, fewer rows than
    ``rank`` (the parameter named ``argument``), or a matrix of zeros."""
    if impute:
        points, kept = expansion.imputed(points), np.ones(len(points), dtype=bool)
    else:
        kept = expansion.complete(points)
        if not kept.any():
            raise InvalidArgument("training_frame", "Every training row has a missing value, and rows with missing "
                                                    "values are left out of the decomposition." +
                                  (" Set impute_missing to fill them in." if argument == "k" else ""))
    A = expansion.matrix(points[kept])
    if rank > len(A):
        left_out = "" if kept.all() else f" ({int((~kept).sum())} rows with missing values are left out)"
        raise InvalidArgument(argument, f"{argument} ({rank}) is larger than the number of rows to decompose "
                                        f"({len(A)}){left_out}.")
    if not A.any():
        raise InvalidArgument("training_frame", "Every value is 0 once the columns are expanded and transformed "
                                                "(constant columns demeaned?): there is nothing to decompose.")
    return A, kept


@dataclass
class Decomposition:
    """A ~ U diag(d) V' with the k largest singular values, largest first."""

    d: np.ndarray          # k singular values
    v: np.ndarray          # width x k right singular vectors
    u: np.ndarray = None   # rows x k left singular vectors (when asked for)


def decompose(A, k, method, max_iterations, rng, monitor, want_u=False):
    """The rank-k SVD of ``A`` by H2O-3's ``method`` (GramSVD, Power or Randomized)."""
    if method == "Power":
        return _power(A, k, max_iterations, rng, monitor, want_u)
    if method == "Randomized":
        return _randomized(A, k, max_iterations, rng, monitor, want_u)
    values, vectors = np.linalg.eigh(A.T @ A)
    order = np.argsort(values)[::-1][:k]
    d, v = np.sqrt(np.clip(values[order], 0.0, None)), vectors[:, order]
    return Decomposition(d, v, _left_vectors(A, v, d) if want_u else None)


def _power(A, k, max_iterations, rng, monitor, want_u):
    """Power iterations on the Gram matrix deflated by the components found so far (each
    iterate kept orthogonal to them), one component after another.

    Each iteration is a history row (the vector's move ``err``, its component); once out of
    time, each remaining component gets one iteration, so the model is whole."""
    width = A.shape[1]
    gram = A.T @ A / len(A)
    # Below this, what the Gram matrix leaves is rounding: A has no further direction.
    negligible = 1e-13 * np.trace(gram)
    v_all, d = np.zeros((width, k)), np.zeros(k)
    iteration, go_on = 0, True
    for component in range(k):
        found = v_all[:, :component]
        v = _unit(_orthogonal(rng.standard_normal(width), found))
        for _ in range(max_iterations):
            moved = _orthogonal(gram @ v, found)
            if np.linalg.norm(moved) <= negligible:
                break
            moved = _unit(moved)
            err = float(np.linalg.norm(moved - v))
            v = moved
            go_on = monitor.record(component, k, {"iterations": iteration, "err": err,
                                                  "principal_component_": float(component + 1)}) and go_on
            iteration += 1
            if err <= TOLERANCE or not go_on:
                break
        v_all[:, component] = v
        d[component] = np.linalg.norm(A @ v)
    return Decomposition(d, v_all, _left_vectors(A, v_all, d) if want_u else None)


def _orthogonal(x, found):
    """x less its components along the orthonormal columns of ``found`` (twice over, so
    that rounding leaves none)."""
    for _ in range(2):
        x = x - found @ (found.T @ x)
    return x


def _randomized(A, k, max_iterations, rng, monitor, want_u):
    """Randomized subspace iteration: a basis Q of A's range, from A times a random matrix,
    multiplied through A A' until the k largest singular values of Q'A stop growing, each
    iteration a history row (``average_see``: their mean relative change; NaN for the first).

    Singular values settle once the vectors are found (their error is about the square of the
    vectors'), and also when near-equal values leave the vectors undetermined, where waiting
    for the vectors to settle would take every iteration allowed."""
    width = min(k + OVERSAMPLING, *A.shape)
    q = _orthonormal(A @ rng.standard_normal((A.shape[1], width)))
    previous = None
    for iteration in range(max_iterations):
        w, d, vt = np.linalg.svd(q.T @ A, full_matrices=False)
        change = np.abs(d[:k] - previous) / np.maximum(d[:k], 1e-300) if previous is not None else np.nan
        see = float(np.mean(change))
        previous = d[:k]
        go_on = monitor.record(iteration, max_iterations, {"iterations": iteration, "average_see": see})
        if see <= TOLERANCE ** 2 or not go_on or iteration + 1 == max_iterations:
            break
        # A A' Q spans what A V spans, as A'Q = V D W'.
        q = _orthonormal(A @ vt.T)
    return Decomposition(d[:k], vt[:k].T, q @ w[:, :k] if want_u else None)


def _orthonormal(Y):
    """An orthonormal basis of Y's columns: Q of its QR factorization, from the Cholesky factor
    of Y'Y, twice (the second pass restores what rounding lost; on a tall Y this is many times
    faster than Householder QR), or by Householder QR when Y is too near rank-deficient."""
    q = Y
    try:
        for _ in range(2):
            q = q @ np.linalg.inv(np.linalg.cholesky(q.T @ q).T)
    except np.linalg.LinAlgError:
        return np.linalg.qr(Y)[0]
    if not np.allclose(q.T @ q, np.eye(q.shape[1]), rtol=0.0, atol=1e-10):
        return np.linalg.qr(Y)[0]
    return q


def _unit(x):
    norm = np.linalg.norm(x)
    return x / norm if norm > 0 else x


def _left_vectors(A, v, d):
    """U = A V / d (a column of zeros where d is 0: A has no such direction)."""
    return (A @ v) / np.where(d > 0, d, np.inf)[None, :]


def projection(expansion, points, v):
    """Rows projected on the right singular vectors (PC1..PCk): their expanded, transformed
    values times V, a missing or unseen level adding nothing, a missing number giving NaN."""
    return expansion.matrix(points) @ v
