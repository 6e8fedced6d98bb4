"""Reducers that answer a frame, by column (axis 0: one row, a column per column) or by row
(axis 1: one column): ``mean``, ``sumaxis``, ``which.max``, ``which.min``; and ``which``.

By row, H2O-3 reduces over the numeric columns only (the time columns when there is no numeric
one); with ``na_rm`` false, a frame holding any other kind of column gives missing values.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import pyarrow as pa

from h2odash.engine.frames import Frame

from ..interpreter import Interpreter, RapidsError, prim
from .. import values as v
from .reducers import is_binary, na_count, rollup_max, rollup_mean, rollup_min


def _result_column(values: np.ndarray, time: bool):
    if time:
        missing = np.isnan(values)
        ms = pa.array(np.where(missing, 0, values).astype(np.int64), mask=missing)
        return ms.cast(pa.timestamp("ms")), "time"
    return v.number_column(values)


def by_column(fr: Frame, na_rm: bool, per_column: Callable[[Frame, int], float]) -> Frame:
    arrays, types = [], []
    for i, kind in enumerate(fr.types):
        # numbers, times, and 0/1 columns (a two-level factor's codes count)
        valid = (kind in ("int", "real", "time") or is_binary(fr, i)) and fr.nrows > 0 \
            and (na_rm or na_count(fr, i) == 0)
        array, kind_out = _result_column(np.array([per_column(fr, i) if valid else np.nan]), kind == "time")
        arrays.append(array)
        types.append(kind_out)
    return v.make_frame(fr.names, arrays, types)


def by_row(fr: Frame, na_rm: bool, name: str, per_row: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Frame:
    """``per_row(matrix, missing_per_row)`` over the columns H2O-3 reduces across rows."""
    numeric = [i for i, kind in enumerate(fr.types) if kind in ("int", "real")]
    times = [i for i, kind in enumerate(fr.types) if kind == "time"]
    used = numeric if numeric else times
    if not used:
        if fr.ncols == 0:
            return v.make_frame([], [], [])
        return v.numbers_frame([name], [np.full(fr.nrows, np.nan)])
    if not na_rm and len(numeric) < fr.ncols and len(times) < fr.ncols:
        return v.numbers_frame([name], [np.full(fr.nrows, np.nan)])
    matrix = np.column_stack([v.column_floats(fr, i) for i in used])
    missing = np.isnan(matrix).sum(axis=1)
    with np.errstate(all="ignore"):
        out = per_row(matrix, missing)
    keep = missing < len(used) if na_rm else missing == 0
    array, kind = _result_column(np.where(keep, out, np.nan), time=not numeric)
    return v.make_frame([name], [array], [kind])


def _axis(value, na_rm, axis, op: str) -> tuple[Frame, bool, bool]:
    fr = v.frame(value, op)
    return fr, v.flag(na_rm, op, "na_rm"), v.number(axis, op, "its axis") == 1


@prim("mean")
def mean(ix: Interpreter, value, na_rm, axis=0.0):
    """``(mean fr na_rm axis)``: a 1-row frame of column means, or a ``mean`` column by row."""
    fr, remove, across = _axis(value, na_rm, axis, "mean")
    if across:
        return by_row(fr, remove, "mean", lambda m, missing: np.nansum(m, axis=1) / (m.shape[1] - missing))
    return by_column(fr, remove, rollup_mean)


@prim("sumaxis")
def sumaxis(ix: Interpreter, value, na_rm, axis=0.0):
    fr, remove, across = _axis(value, na_rm, axis, "sumaxis")
    if across:
        return by_row(fr, remove, "sum", lambda m, missing: np.nansum(m, axis=1))
    return by_column(fr, remove, lambda f, i: float(np.nansum(v.column_floats(f, i))))


def _first_index_of(fr: Frame, col: int, target: float) -> float:
    hits = np.flatnonzero(v.column_floats(fr, col) == target)
    return float(hits[0]) if len(hits) else np.inf


def _which_row_max(m: np.ndarray, missing: np.ndarray) -> np.ndarray:
    # the first largest value; a row of -inf/NaN only gives 0, as H2O-3
    return np.where(np.isnan(m), -np.inf, m).argmax(axis=1).astype(np.float64)


@prim("which.max")
def which_max(ix: Interpreter, value, na_rm, axis=0.0):
    """Row index of each column's first maximum (axis 0), or column index of each row's (axis 1)."""
    fr, remove, across = _axis(value, na_rm, axis, "which.max")
    if across:
        return by_row(fr, remove, "which.max", _which_row_max)
    return by_column(fr, remove, lambda f, i: _first_index_of(f, i, rollup_max(f, i)))


@prim("which.min")
def which_min(ix: Interpreter, value, na_rm, axis=0.0):
    """Row index of each column's first minimum (axis 0). By row H2O-3 answers 0 for every row
    (its search starts from -inf and never finds a smaller value); that answer is kept."""
    fr, remove, across = _axis(value, na_rm, axis, "which.min")
    if across:
        return by_row(fr, remove, "which.min", lambda m, missing: np.zeros(m.shape[0]))
    return by_column(fr, remove, lambda f, i: _first_index_of(f, i, rollup_min(f, i)))


@prim("which")
def which(ix: Interpreter, value):
    """Row numbers (from 0) of the non-zero cells of one integer column, as a column ``C1``; of a
    one-row frame, the numbers of its non-zero columns."""
    fr = v.frame(value, "which")
    if fr.nrows == 1 and fr.ncols > 1:
        cells = np.array([v.column_floats(fr, i)[0] if fr.types[i] not in ("string", "uuid") else np.nan
                          for i in range(fr.ncols)])
        _no_missing(cells)
        return v.numbers_frame(["C1"], [np.flatnonzero(cells != 0).astype(np.float64)])
    if fr.ncols != 1 or fr.types[0] not in ("int", "enum"):
        raise RapidsError("'which' requires a single integer column (a 0/1 test such as (> col 5)).")
    cells = v.column_floats(fr, 0)
    _no_missing(cells)
    return v.numbers_frame(["C1"], [np.flatnonzero(cells != 0).astype(np.float64)])


def _no_missing(cells: np.ndarray) -> None:
    if np.isnan(cells).any():
        raise RapidsError("'which' cannot read a missing value as true or false; use (is.na ...) or "
                          "(ifelse ...) to decide what a missing value means.")
