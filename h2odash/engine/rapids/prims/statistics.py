"""Covariance and correlation between the columns of two frames, ``(var x y use symmetric)`` and
``(cor x y use method)``; also ``distance`` between rows and the matrix product ``x``.

``use`` takes R's modes as H2O-3 reads them:

* ``everything``: a column with a missing value gives NaN;
* ``all.obs``: a missing value is an error;
* ``complete.obs``: rows with a missing value in any of the columns are left out.

A result is a number when both sides are one column (or one row: then the columns are the
observations); otherwise a frame with a column per column of ``y`` and a row per column of
``x`` (Spearman's frame is the other way round and its columns are named C1, C2, ...).
"""
from __future__ import annotations

import numpy as np
from scipy import spatial, stats

from h2odash.engine.frames import Frame

from ..interpreter import Interpreter, RapidsError, prim
from .. import values as v
from .reducers import na_count, rollup_mean, rollup_sigma

MODES = ("everything", "all.obs", "complete.obs")


def _frames(x, y, use, op: str) -> tuple[Frame, Frame, str]:
    frx, fry = v.frame(x, op, "its first frame"), v.frame(y, op, "its second frame")
    if frx.nrows != fry.nrows:
        raise RapidsError(f"'{op}': frames must have the same number of rows, found {frx.nrows} and {fry.nrows}.")
    mode = v.string(use, op, "its 'use' mode")
    if mode not in MODES:
        raise RapidsError(f"'{op}': unknown use mode '{mode}' (everything, all.obs or complete.obs).")
    return frx, fry, mode


def _columns(fr: Frame, op: str) -> list[np.ndarray]:
    return [_floats(fr, i, op) for i in range(fr.ncols)]


def _floats(fr: Frame, col: int, op: str) -> np.ndarray:
    if fr.types[col] in ("string", "uuid"):
        raise RapidsError(f"'{op}' needs numeric columns; '{fr.names[col]}' holds strings.")
    return v.column_floats(fr, col)


def _refuse_missing(frames: list[Frame]) -> None:
    if any(na_count(fr, i) for fr in frames for i in range(fr.ncols)):
        raise RapidsError("Mode is 'all.obs' but NAs are present.")


def _complete_rows(columns: list[np.ndarray]) -> np.ndarray:
    if not columns:
        return np.zeros(0, dtype=bool)
    return ~np.any(np.isnan(np.column_stack(columns)), axis=1)


def _cross(xs: list[np.ndarray], ys: list[np.ndarray], x_means, y_means) -> np.ndarray:
    """Sums of co-deviations, [y][x]; a missing value anywhere in a pair gives NaN."""
    with np.errstate(all="ignore"):
        return np.array([[np.sum((x - mx) * (y - my)) for x, mx in zip(xs, x_means)] for y, my in zip(ys, y_means)])


def _result(matrix: np.ndarray, fry: Frame, names: list[str] | None = None):
    """A 1x1 matrix is a number; otherwise a frame, a column per y column."""
    if matrix.shape == (1, 1):
        return float(matrix[0, 0])
    return v.numbers_frame(names or fry.names, [matrix[j] for j in range(matrix.shape[0])])


def _across_columns(frx: Frame, fry: Frame, mode: str, correlate: bool) -> float:
    """One-row frames: each column is an observation."""
    if frx.ncols != fry.ncols:
        raise RapidsError(f"Single rows must have the same number of columns, found {frx.ncols} and {fry.ncols}.")
    x = np.array([_floats(frx, i, "var")[0] for i in range(frx.ncols)])
    y = np.array([_floats(fry, i, "var")[0] for i in range(fry.ncols)])
    keep = ~(np.isnan(x) | np.isnan(y))
    if not keep.all():
        if mode == "all.obs":
            raise RapidsError("Mode is 'all.obs' but NAs are present.")
        if mode == "everything":
            return float("nan")
    x, y = x[keep], y[keep]
    with np.errstate(all="ignore"):
        cov = np.sum((x - x.mean()) * (y - y.mean())) / (len(x) - 1)
        if not correlate:
            return float(cov)
        return float(cov / (np.std(x, ddof=1) * np.std(y, ddof=1)))


# -- var -------------------------------------------------------------------------------------
@prim("var")
def var(ix: Interpreter, x, y, use, symmetric):
    frx, fry, mode = _frames(x, y, use, "var")
    mirror = v.flag(symmetric, "var", "symmetric")
    if fry.nrows == 1:
        return _across_columns(frx, fry, mode, correlate=False)
    xs, ys = _columns(frx, "var"), _columns(fry, "var")
    n = fry.nrows
    if mode == "all.obs":
        _refuse_missing([frx] if mirror else [frx, fry])
    if mode in ("everything", "all.obs"):
        if mirror and fry.ncols == 1:
            return rollup_sigma(fry, 0) ** 2 if na_count(fry, 0) == 0 else float("nan")
        with np.errstate(all="ignore"):
            matrix = _cross(xs, ys, [rollup_mean(frx, i) for i in range(frx.ncols)],
                            [rollup_mean(fry, j) for j in range(fry.ncols)]) / (n - 1)
        if mirror:
            # H2O-3 fills the diagonal from the roll-up sigmas
            for j in range(min(fry.ncols, frx.ncols)):
                matrix[j, j] = rollup_sigma(fry, j) ** 2 if na_count(fry, j) == 0 else np.nan
        return _result(matrix, fry)
    # complete.obs
    if mirror and fry.ncols == 1:
        return rollup_sigma(fry, 0) ** 2
    keep = _complete_rows(ys if mirror else ys + xs)
    xs = ys if mirror else xs
    xs, ys = [c[keep] for c in xs], [c[keep] for c in ys]
    with np.errstate(all="ignore"):
        matrix = _cross(xs, ys, [c.mean() for c in xs], [c.mean() for c in ys]) / (int(keep.sum()) - 1)
    return _result(matrix, fry)


# -- cor ---------------------------------------------------------------------------------------
@prim("cor")
def cor(ix: Interpreter, x, y, use, method):
    frx, fry, mode = _frames(x, y, use, "cor")
    how = v.string(method, "cor", "its method").lower()
    if how == "spearman":
        return _spearman(frx, fry, mode)
    if how != "pearson":
        raise RapidsError(f"Unknown correlation method '{how}'. Available options are: [Pearson, Spearman].")
    if fry.nrows == 1:
        return _across_columns(frx, fry, mode, correlate=True)
    xs, ys = _columns(frx, "cor"), _columns(fry, "cor")
    names = fry.names
    if mode == "complete.obs":
        keep = _complete_rows(xs + ys)
        xs, ys = [c[keep] for c in xs], [c[keep] for c in ys]
        # H2O-3 names the answer after y's columns as they were bound after x's (AGE -> AGE0)
        names = _bound_names(frx.names, fry.names)
        present = [Frame("", frx.table.take(np.flatnonzero(keep)), frx.types),
                   Frame("", fry.table.take(np.flatnonzero(keep)), fry.types)]
    else:
        if mode == "all.obs":
            _refuse_missing([frx])
        present = [frx, fry]
    n = len(ys[0]) if ys else 0
    x_means = [rollup_mean(present[0], i) for i in range(frx.ncols)]
    y_means = [rollup_mean(present[1], j) for j in range(fry.ncols)]
    x_sigmas = np.array([rollup_sigma(present[0], i) for i in range(frx.ncols)])
    y_sigmas = np.array([rollup_sigma(present[1], j) for j in range(fry.ncols)])
    with np.errstate(all="ignore"):
        matrix = _cross(xs, ys, x_means, y_means) / (n - 1) / np.outer(y_sigmas, x_sigmas)
    return _result(matrix, fry, names)


def _bound_names(left: list[str], right: list[str]) -> list[str]:
    """Names the right frame's columns get when bound after the left's: a taken name gets a
    number from 0 (H2O-3's Frame.uniquify)."""
    taken = list(left)
    out = []
    for name in right:
        candidate, count = name, 0
        while candidate in taken:
            candidate = f"{name}{count}"
            count += 1
        taken.append(candidate)
        out.append(candidate)
    return out


def _spearman_ranks(fr: Frame, col: int) -> np.ndarray:
    """Ranks from 0, ties sharing the lowest; missing values rank first, each its own rank (as
    H2O-3's sort leaves them); a categorical column's codes serve as ranks."""
    x = v.column_floats(fr, col)
    if fr.types[col] == "enum":
        return x
    missing = np.isnan(x)
    ranks = np.empty(len(x))
    ranks[missing] = np.arange(int(missing.sum()))
    if (~missing).any():
        ranks[~missing] = stats.rankdata(x[~missing], method="min") - 1 + missing.sum()
    return ranks


def _spearman(frx: Frame, fry: Frame, mode: str):
    if mode == "all.obs":
        _refuse_missing([frx, fry])
    same = mode != "everything" and frx.ncols == fry.ncols and all(
        frx.table.column(i).equals(fry.table.column(i)) for i in range(frx.ncols))
    matrix = np.full((frx.ncols, fry.ncols), np.nan)      # [x][y]: a column per x column
    for i in range(frx.ncols):
        for j in range(fry.ncols):
            if same and i == j:
                matrix[i, j] = 1.0
            elif mode == "everything" and (na_count(frx, i) or na_count(fry, j)):
                continue
            else:
                matrix[i, j] = _pearson_population(_spearman_ranks(frx, i), _spearman_ranks(fry, j))
    if fry.ncols == 1:
        return float(matrix[0, 0])
    return v.numbers_frame([f"C{i + 1}" for i in range(frx.ncols)], [matrix[i] for i in range(frx.ncols)])


def _pearson_population(x: np.ndarray, y: np.ndarray) -> float:
    n = len(x)
    if n == 0:
        return float("nan")
    with np.errstate(all="ignore"):
        mx, my = x.mean(), y.mean()
        sx, sy = np.sqrt(np.sum((x - mx) ** 2) / n), np.sqrt(np.sum((y - my) ** 2) / n)
        return float((np.sum(x * y) - n * mx * my) / (n * sx * sy))


# -- distance ------------------------------------------------------------------------------------
DISTANCES = ("cosine", "cosine_sq", "l1", "l2")


@prim("distance")
def distance(ix: Interpreter, references, queries, measure):
    """``(distance refs queries measure)``: a frame with a row per reference row and a column per
    query row (C1, C2, ...), holding the l1, l2, cosine or squared cosine measure between them."""
    refs, qs = v.frame(references, "distance", "its reference frame"), v.frame(queries, "distance", "its query frame")
    how = v.string(measure, "distance", "its measure").lower()
    if how not in DISTANCES:
        raise RapidsError(f"Invalid distance measure provided: {how}. Must be one of {', '.join(DISTANCES)}.")
    if refs.ncols != qs.ncols:
        raise RapidsError(f"Frames must have the same number of cols, found {refs.ncols} and {qs.ncols}.")
    for role, fr in (("References", refs), ("Queries", qs)):
        for i, (name, kind) in enumerate(zip(fr.names, fr.types)):
            if kind not in ("int", "real"):
                raise RapidsError(f"{role} column {name} is not numeric.")
            if na_count(fr, i):
                raise RapidsError(f"{role} column {name} contains missing values.")
    r = np.column_stack(_columns(refs, "distance")) if refs.ncols else np.zeros((refs.nrows, 0))
    q = np.column_stack(_columns(qs, "distance")) if qs.ncols else np.zeros((qs.nrows, 0))
    with np.errstate(all="ignore"):
        if how == "l1":
            matrix = spatial.distance.cdist(r, q, "cityblock")
        elif how == "l2":
            matrix = spatial.distance.cdist(r, q, "euclidean")
        else:
            dots = r @ q.T
            norms = np.outer(np.sum(r * r, axis=1), np.sum(q * q, axis=1))
            matrix = dots * dots / norms if how == "cosine_sq" else dots / np.sqrt(norms)
    return v.numbers_frame([f"C{j + 1}" for j in range(qs.nrows)], [matrix[:, j] for j in range(qs.nrows)])


@prim("x")
def matrix_multiply(ix: Interpreter, left, right):
    """``(x X Y)``: the matrix product of two numeric frames, columns named C1, C2, ..."""
    x, y = v.frame(left, "x", "its left frame"), v.frame(right, "x", "its right frame")
    if x.ncols != y.nrows:
        raise RapidsError(f"dimensions do not match! x.numcols = {x.ncols}, y.numRows = {y.nrows}")
    a = np.column_stack(_columns(x, "x")) if x.ncols else np.zeros((x.nrows, 0))
    b = np.column_stack(_columns(y, "x")) if y.ncols else np.zeros((0, y.ncols))
    product = a @ b
    return v.numbers_frame([f"C{j + 1}" for j in range(y.ncols)], [product[:, j] for j in range(y.ncols)])
