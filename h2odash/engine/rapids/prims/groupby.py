"""Grouping: ``GB`` (H2O-3's AstGroup) and the row-grouping helpers the reshaping prims share.

Rows are grouped by turning each key column into integer codes that sort as H2O-3 orders the
keys (missing first, then ascending values; enum levels in domain order), combining the codes
of several keys into one number, and reducing every aggregate with ``np.bincount`` over the
group ids, so no Python loop ever runs over rows.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from h2odash.engine.frames import Frame

from ..interpreter import Closure, Interpreter, RapidsError, prim
from ..syntax import NumList
from .. import values as v

AGGREGATES = ("nrow", "mean", "sum", "sumSquares", "var", "sdev", "min", "max", "median", "mode")
NA_MODES = ("all", "rm", "ignore")
# H2O-3 starts min/max at +-Double.MAX_VALUE, which a group with no usable value keeps.
JAVA_MAX = np.finfo(np.float64).max


# -- keys as sortable codes --------------------------------------------------------------------
def key_codes(fr: Frame, col: int) -> tuple[np.ndarray, int]:
    """Codes 0..k-1 for a key column: 0 is missing, then the values in ascending order (enum
    levels in domain order, strings by their text)."""
    kind = fr.types[col]
    column = fr.table.column(col)
    if kind == "enum":
        levels = fr.domain(col) or []
        indices = column.combine_chunks().indices if column.num_chunks else pa.array([], pa.int32())
        return pc.fill_null(indices, -1).to_numpy(zero_copy_only=False).astype(np.int64) + 1, len(levels) + 1
    if kind in ("string", "uuid"):
        text = column.combine_chunks() if column.num_chunks else pa.array([], pa.string())
        levels = pc.unique(text).drop_null()
        levels = pc.take(levels, pc.array_sort_indices(levels))
        found = pc.index_in(text, value_set=levels)
        return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64) + 1, len(levels) + 1
    values = v.column_floats(fr, col)
    missing = np.isnan(values)
    codes = np.zeros(len(values), dtype=np.int64)
    present = values[~missing]
    if kind == "int" and len(present):
        low, high = present.min(), present.max()
        if high - low < max(4 * len(values), 1 << 16):   # a small range: the value is its own code
            codes[~missing] = (present - low).astype(np.int64) + 1
            return codes, int(high - low) + 2
    uniques, inverse = np.unique(present, return_inverse=True)
    codes[~missing] = inverse + 1
    return codes, len(uniques) + 1


def combine_codes(parts: list[tuple[np.ndarray, int]], nrows: int) -> tuple[np.ndarray, int]:
    """One code per row from several key columns' codes, ordered as the keys are (first key
    most significant); returns dense group ids 0..G-1 in that order and G."""
    if not parts:
        return np.zeros(nrows, dtype=np.int64), (1 if nrows else 0)
    combined, span = parts[0][0], parts[0][1]
    for codes, k in parts[1:]:
        if span * k >= 2 ** 62:
            # Too many combinations for one number: rank the rows' code tuples instead.
            stacked = np.stack([c for c, _ in parts], axis=1)
            _, inverse = np.unique(stacked, axis=0, return_inverse=True)
            inverse = inverse.reshape(-1)
            return inverse.astype(np.int64), int(inverse.max()) + 1 if nrows else 0
        combined = combined * k + codes
        span *= k
    if span <= max(4 * nrows, 1 << 20):
        present = np.flatnonzero(np.bincount(combined, minlength=span))
        lookup = np.full(span, -1, dtype=np.int64)
        lookup[present] = np.arange(len(present))
        return lookup[combined], len(present)
    uniques, inverse = np.unique(combined, return_inverse=True)
    return inverse.reshape(-1).astype(np.int64), len(uniques)


def group_rows(fr: Frame, by: list[int]) -> tuple[np.ndarray, int, np.ndarray]:
    """Group ids per row (numbered in H2O-3's key order), the group count, and one row of each
    group (its first), to copy the key values from."""
    gid, count = combine_codes([key_codes(fr, c) for c in by], fr.nrows)
    first = np.full(count, fr.nrows, dtype=np.int64)
    np.minimum.at(first, gid, np.arange(fr.nrows, dtype=np.int64))
    return gid, count, first


# -- aggregates ---------------------------------------------------------------------------------
def aggregate(fcn: str, na: str, x: np.ndarray, gid: np.ndarray, count: int) -> np.ndarray:
    """One aggregate per group with H2O-3's NA modes: 'all' feeds NAs to the reduction (they
    propagate), 'ignore' skips them but counts them in the row count, 'rm' skips them."""
    missing = np.isnan(x)
    usable = ~missing
    fed = x if na == "all" else np.where(missing, 0.0, x)
    # The row count divides mean and var: 'ignore' counts the NA rows too.
    n = np.bincount(gid, weights=None if na == "ignore" else usable, minlength=count).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        if fcn == "nrow":
            return np.bincount(gid, weights=None if na == "all" else usable, minlength=count).astype(np.float64)
        if fcn == "sum":
            return np.bincount(gid, weights=fed, minlength=count)
        if fcn == "sumSquares":
            return np.bincount(gid, weights=fed * fed, minlength=count)
        if fcn == "mean":
            return np.bincount(gid, weights=fed, minlength=count) / n
        if fcn in ("var", "sdev"):
            total = np.bincount(gid, weights=fed, minlength=count)
            squares = np.bincount(gid, weights=fed * fed, minlength=count)
            numerator = squares - total * total / n
            numerator = np.where(np.abs(numerator) < 1e-5, 0.0, numerator)
            var = numerator / (n - 1)
            return np.sqrt(var) if fcn == "sdev" else var
        if fcn in ("min", "max"):
            return _extreme(fcn, na, x, missing, gid, count)
        if fcn == "median":
            return _median(na, x, missing, gid, count)
        if fcn == "mode":
            keep = np.ones(len(x), bool) if na == "all" else usable
            # H2O-3 casts a missing level to int, which makes it level 0 under 'all'.
            codes = np.where(missing, 0, x).astype(np.int64)[keep]
            width = int(np.nanmax(x)) + 1 if usable.any() else 1
            counts = np.bincount(gid[keep] * width + codes, minlength=count * width).reshape(count, width)
            return counts.argmax(axis=1).astype(np.float64) if width else np.zeros(count)
    raise RapidsError(f"Unknown aggregate {fcn!r}.")


def _extreme(fcn: str, na: str, x, missing, gid, count) -> np.ndarray:
    start, ufunc = (JAVA_MAX, np.minimum) if fcn == "min" else (-JAVA_MAX, np.maximum)
    out = np.full(count, start)
    keep = ~missing
    ufunc.at(out, gid[keep], x[keep])
    if na == "all":
        out[np.bincount(gid, weights=missing, minlength=count) > 0] = np.nan
    return out


def _median(na: str, x, missing, gid, count) -> np.ndarray:
    """Middle value (or mean of the two middle values) of each group's sorted values; under
    'all' and 'ignore' H2O-3 keeps NAs in the list and sorts them first."""
    keep = ~missing if na == "rm" else np.ones(len(x), bool)
    xs, gs, ms = x[keep], gid[keep], missing[keep]
    order = np.lexsort((np.where(ms, 0.0, xs), ~ms, gs))
    xs = xs[order]
    sizes = np.bincount(gs, minlength=count)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
    out = np.full(count, np.nan)
    have = sizes > 0
    mid = starts + sizes // 2
    odd = have & (sizes % 2 == 1)
    even = have & (sizes % 2 == 0)
    out[odd] = xs[mid[odd]]
    out[even] = 0.5 * (xs[mid[even] - 1] + xs[mid[even]])
    return out


def group_by(fr: Frame, by: list[int], aggs: list[tuple[str, int, str]]) -> Frame:
    """Rows of ``fr`` grouped by the ``by`` columns (key columns first, keeping their types and
    domains), one column per aggregate ``(fcn, col, na)``, groups in key order."""
    gid, count, first = group_rows(fr, by)
    names = [fr.names[c] for c in by]
    arrays = [fr.table.column(c).take(pa.array(first)) for c in by]
    types = [fr.types[c] for c in by]
    for fcn, col, na in aggs:
        result = aggregate(fcn, na, v.column_floats(fr, col), gid, count)
        array, kind = v.number_column(result)
        names.append(fcn if fcn == "nrow" else f"{fcn}_{fr.names[col]}")
        arrays.append(array)
        types.append(kind)
    return v.make_frame(names, arrays, types)


# -- the GB prim --------------------------------------------------------------------------------
def _aggregate_name(value) -> str:
    if isinstance(value, Closure) and value.op is not None:
        return value.op.name
    return v.string(value, "GB", "an aggregate's name")


def single_column(fr: Frame, value, op: str) -> int:
    picked = v.column_indices(fr, value, op)
    if len(picked) != 1:
        raise RapidsError(f"'{op}': group-by functions take only a single column.")
    return picked[0]


def aggregate_specs(fr: Frame, triples: tuple, op: str = "GB") -> list[tuple[str, int, str]]:
    """Read ``{fcn col na}*`` as H2O-3 does; string columns are skipped (H2O-3 only warns)."""
    if len(triples) % 3:
        raise RapidsError(f"'{op}' takes aggregates as triples: a function name, a column index and "
                          "an NA mode ('all', 'ignore' or 'rm').")
    specs = []
    for i in range(0, len(triples), 3):
        fcn = _aggregate_name(triples[i])
        if fcn not in AGGREGATES:
            raise RapidsError(f"'{op}' has no aggregate {fcn!r}; use one of {', '.join(AGGREGATES)}.")
        col = single_column(fr, triples[i + 1], op)
        if fcn == "mode" and fr.types[col] != "enum":
            raise RapidsError("Mode only allowed on categorical columns")
        na = v.string(triples[i + 2], op, "an NA mode").lower()
        if na not in NA_MODES:
            raise RapidsError(f"'{op}': the NA mode must be 'all', 'ignore' or 'rm', got {na!r}.")
        if fr.types[col] not in ("string", "uuid"):
            specs.append((fcn, col, na))
    return specs


def by_columns(fr: Frame, value, op: str) -> list[int]:
    if isinstance(value, NumList) and value.is_empty:
        return []
    if isinstance(value, (NumList, int, float)):
        return [int(i) for i in v.column_indices(fr, value, op)]
    if isinstance(value, list) and all(isinstance(s, str) for s in value):
        return v.column_indices(fr, value, op)
    raise RapidsError(f"'{op}' needs the group-by columns as a list of numbers, got {v.describe(value)}.")


@prim("GB")
def gb(ix: Interpreter, fr, by, *triples):
    """``(GB fr [by…] {fcn col na}*)``: one row per group of the ``by`` columns (sorted, missing
    first), the keys then one column per aggregate (``nrow``, ``mean_AGE``…)."""
    fr = v.frame(fr, "GB")
    return group_by(fr, by_columns(fr, by, "GB"), aggregate_specs(fr, triples))
