"""Reducers: ``sum``/``sumNA``, ``min``/``max`` (and their ``NA`` forms), ``prod``/``prod.na``,
``any``/``all``/``any.na``, ``naCnt``, ``mean`` and ``sumaxis`` (frames, by column or by row),
``median``, ``sd``, ``skewness``, ``kurtosis``, ``which``, ``which.max``/``which.min``.

They read H2O-3's column roll-ups, whose rules show through: a categorical column's minimum and
maximum are level codes, its mean exists only for two levels or fewer, and a string column has
none of them (NaN). Those returning several values return one per column (a list); ``mean`` and
``sumaxis`` return a frame, as h2o-py expects.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from h2odash.engine.frames import Frame

from ..interpreter import Interpreter, RapidsError, prim
from .. import values as v
from .quantiles import quantiles_of

NUMERIC = ("int", "real")


# -- roll-ups of one column --------------------------------------------------------------------
def _values(fr: Frame, col: int) -> np.ndarray | None:
    """The column as floats (enum codes, epoch ms), or None for text."""
    return None if fr.types[col] in ("string", "uuid") else v.column_floats(fr, col)


def _present(fr: Frame, col: int) -> np.ndarray:
    x = _values(fr, col)
    return np.empty(0) if x is None else x[~np.isnan(x)]


def _levels_count(fr: Frame, col: int) -> int:
    chunks = fr.table.column(col).chunks
    return len(chunks[0].dictionary) if chunks else 0


def rollup_mean(fr: Frame, col: int) -> float:
    if fr.types[col] in ("string", "uuid") or (fr.types[col] == "enum" and _levels_count(fr, col) > 2):
        return np.nan
    x = _present(fr, col)
    return float(np.mean(x)) if len(x) else np.nan


def rollup_sigma(fr: Frame, col: int) -> float:
    if fr.types[col] in ("string", "uuid") or (fr.types[col] == "enum" and _levels_count(fr, col) > 2):
        return np.nan
    x = _present(fr, col)
    if len(x) == 1:
        return 0.0
    return float(np.std(x, ddof=1)) if len(x) else np.nan


def rollup_min(fr: Frame, col: int) -> float:
    x = _present(fr, col)
    return float(np.min(x)) if len(x) else np.nan


def rollup_max(fr: Frame, col: int) -> float:
    x = _present(fr, col)
    return float(np.max(x)) if len(x) else np.nan


def is_binary(fr: Frame, col: int) -> bool:
    """H2O-3's ``isBinary``: present values (or level codes) all 0 or 1."""
    x = _present(fr, col)
    return fr.types[col] not in ("string", "uuid", "time") and bool(np.all((x == 0) | (x == 1)))


def na_count(fr: Frame, col: int) -> int:
    return fr.table.column(col).null_count


def _combine(values: list[float], op: Callable) -> float:
    """Fold per-column results as Java's Math.min/max/+ do: NaN anywhere gives NaN."""
    if not values:
        return np.nan
    out = values[0]
    for value in values[1:]:
        out = np.nan if np.isnan(out) or np.isnan(value) else op(out, value)
    return float(out)


# -- scalars -----------------------------------------------------------------------------------
def _rollup_reducer(name: str, per_column: Callable, op: Callable, skip_missing: bool):
    def reduce(ix: Interpreter, value):
        fr = v.frame(value, name)
        if not skip_missing and any(na_count(fr, i) for i in range(fr.ncols)):
            return float("nan")
        return _combine([per_column(fr, i) for i in range(fr.ncols)], op)
    reduce.__name__ = name.replace(".", "_")
    prim(name)(reduce)


def _sum_all(fr: Frame, col: int) -> float:
    return rollup_mean(fr, col) * fr.nrows


def _sum_present(fr: Frame, col: int) -> float:
    return rollup_mean(fr, col) * (fr.nrows - na_count(fr, col))


_rollup_reducer("sum", _sum_all, lambda a, b: a + b, skip_missing=False)
_rollup_reducer("sumNA", _sum_present, lambda a, b: a + b, skip_missing=True)
_rollup_reducer("max", rollup_max, max, skip_missing=False)
_rollup_reducer("maxNA", rollup_max, max, skip_missing=True)
_rollup_reducer("min", rollup_min, min, skip_missing=False)
_rollup_reducer("minNA", rollup_min, min, skip_missing=True)


def _product(name: str, value, skip_missing: bool) -> float:
    fr = v.frame(value, name)
    for col, kind in zip(fr.names, fr.types):
        if kind in ("enum", "string", "uuid"):
            raise RapidsError(f"`{name}` is only defined on a frame whose columns are all numeric ('{col}' is {kind}).")
    # H2O-3 keeps the product of the last column (or of the first whose product is NaN)
    product = np.nan if fr.ncols == 0 else 1.0
    for i in range(fr.ncols):
        x = v.column_floats(fr, i)
        product = float(np.prod(x[~np.isnan(x)] if skip_missing else x))
        if np.isnan(product):
            break
    return product


@prim("prod")
def prod(ix: Interpreter, value):
    return _product("prod", value, skip_missing=False)


@prim("prod.na")
def prod_na(ix: Interpreter, value):
    return _product("prod.na", value, skip_missing=True)


def _true_counts(fr: Frame, col: int) -> int | None:
    """How many cells count as true: non-zero or missing (any string); None for a categorical
    column whose levels are not true/false."""
    if fr.types[col] in ("string", "uuid"):
        return fr.nrows            # H2O-3 counts every present string as non-zero, and NAs as true
    if fr.types[col] == "enum":
        levels = [s.lower() for s in fr.table.column(col).chunks[0].dictionary.to_pylist()] \
            if fr.table.column(col).num_chunks else []
        if not (levels and len(levels) <= 2 and set(levels) <= {"true", "false"} and len(set(levels)) == len(levels)):
            return None
        x = v.column_floats(fr, col)
        nonzero = int(np.count_nonzero(x[~np.isnan(x)]))
        return fr.nrows - nonzero if levels[0] == "true" else nonzero + na_count(fr, col)
    x = v.column_floats(fr, col)
    return int(np.count_nonzero(x[~np.isnan(x)])) + na_count(fr, col)


@prim("any")
def any_(ix: Interpreter, value):
    """1 if some cell is non-zero (a missing cell counts as true), as H2O-3."""
    if isinstance(value, (int, float)):
        return 0.0 if value == 0 else 1.0
    fr = v.frame(value, "any")
    for col in range(fr.ncols):
        count = _true_counts(fr, col)
        if count is None:
            return 0.0
        if count > 0:
            return 1.0
    return 0.0


@prim("all")
def all_(ix: Interpreter, value):
    """1 if every cell is non-zero (a missing cell counts as true), as H2O-3."""
    if isinstance(value, (int, float)):
        return 0.0 if value == 0 else 1.0
    fr = v.frame(value, "all")
    for col in range(fr.ncols):
        count = _true_counts(fr, col)
        if count is None or count < fr.nrows:
            return 0.0
    return 1.0


@prim("any.na")
def any_na(ix: Interpreter, value):
    """H2O-3 answers whether any cell is non-zero here (it counts non-zeros, not NAs)."""
    fr = v.frame(value, "any.na")
    for col in range(fr.ncols):
        x = _values(fr, col)
        nonzero = fr.nrows - na_count(fr, col) if x is None else np.count_nonzero(x[~np.isnan(x)])
        if nonzero:
            return 1.0
    return 0.0


@prim("naCnt")
def na_cnt(ix: Interpreter, value):
    fr = v.frame(value, "naCnt")
    return [float(na_count(fr, i)) for i in range(fr.ncols)]


# -- per-column lists ----------------------------------------------------------------------------
def _per_numeric_column(name: str, value, na_rm, fn: Callable) -> list[float]:
    """``fn`` of each int/real column; NaN for other columns, empty ones, or ones with a missing
    value when ``na_rm`` is false."""
    fr = v.frame(value, name)
    remove = v.flag(na_rm, name, "na_rm")
    out = []
    for i, kind in enumerate(fr.types):
        if kind not in NUMERIC or fr.nrows == 0 or (not remove and na_count(fr, i)):
            out.append(float("nan"))
        else:
            out.append(float(fn(fr, i)))
    return out


@prim("median")
def median(ix: Interpreter, value, na_rm):
    return _per_numeric_column("median", value, na_rm,
                               lambda fr, i: quantiles_of(v.column_floats(fr, i), [0.5], "interpolate",
                                                              whole=fr.types[i] == "int")[0])


@prim("sd")
def sd(ix: Interpreter, value, na_rm):
    return _per_numeric_column("sd", value, na_rm, rollup_sigma)


def _moment(fr: Frame, col: int, power: int) -> float:
    """H2O-3's moment ratio: sums over present cells, both divided by all rows (NAs included)."""
    x = v.column_floats(fr, col)
    d = x[~np.isnan(x)] - rollup_mean(fr, col)
    m2 = np.sum(d * d) / fr.nrows
    with np.errstate(all="ignore"):
        return float((np.sum(d ** power) / fr.nrows) / m2 ** (power / 2))


@prim("skewness")
def skewness(ix: Interpreter, value, na_rm):
    return _per_numeric_column("skewness", value, na_rm, lambda fr, i: _moment(fr, i, 3))


@prim("kurtosis")
def kurtosis(ix: Interpreter, value, na_rm):
    """Kurtosis (not excess kurtosis), as H2O-3."""
    return _per_numeric_column("kurtosis", value, na_rm, lambda fr, i: _moment(fr, i, 4))
