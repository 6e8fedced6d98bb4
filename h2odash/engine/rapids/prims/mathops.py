"""Cell-by-cell math on numeric frames: the one-argument functions (``abs``, ``log``, trig, gamma
...), ``not``/``!!``, ``is.na``, ``round``, ``signif``, the cumulative ``cumsum``/``cumprod``/
``cummin``/``cummax``, ``scale`` and ``difflag1``, as H2O-3 computes them.

A function of one argument names its result columns ``fn(col)`` (``log(AGE)``), accepts only
``int``/``real`` columns, and on a number gives a number.
"""
from __future__ import annotations

import decimal
from typing import Callable

import numpy as np
from scipy import special

from h2odash.engine.frames import Frame

from ..interpreter import Interpreter, RapidsError, prim
from ..syntax import NumList
from .. import values as v
from .arithmetic import java_int


def _lgamma(x):
    # Apache Commons' logGamma, which H2O-3 calls, is NaN for x <= 0
    return np.where(x > 0, special.gammaln(np.where(x > 0, x, 1.0)), np.nan)


def _signum(x):
    return np.where(x == 0, x, np.sign(x))   # keeps -0.0 and NaN, as Math.signum


UNARY: dict[str, Callable] = {
    "abs": np.abs, "acos": np.arccos, "acosh": np.arccosh, "asin": np.arcsin, "asinh": np.arcsinh,
    "atan": np.arctan, "atanh": np.arctanh, "ceiling": np.ceil, "cos": np.cos, "cosh": np.cosh,
    "cospi": lambda x: np.cos(np.pi * x), "digamma": special.digamma, "exp": np.exp, "expm1": np.expm1,
    "floor": np.floor, "gamma": special.gamma, "lgamma": _lgamma, "log": np.log, "log10": np.log10,
    "log1p": np.log1p, "log2": lambda x: np.log(x) / np.log(2.0), "sign": _signum, "sin": np.sin,
    "sinh": np.sinh, "sinpi": lambda x: np.sin(np.pi * x), "sqrt": np.sqrt, "tan": np.tan, "tanh": np.tanh,
    "tanpi": lambda x: np.tan(np.pi * x), "trigamma": lambda x: special.polygamma(1, x), "trunc": np.trunc,
    "none": lambda x: x, "not": lambda x: np.where(np.isnan(x), np.nan, np.where(x == 0, 1.0, 0.0)),
}


def numeric_columns(fr: Frame, op: str) -> list[np.ndarray]:
    """The columns of a frame that must be all ``int``/``real`` (H2O-3's ``isNumeric``)."""
    for name, kind in zip(fr.names, fr.types):
        if kind not in ("int", "real"):
            raise RapidsError(f"Operator {op}() cannot be applied to non-numeric column {name} ({kind}).")
    return [v.column_floats(fr, i) for i in range(fr.ncols)]


def unary(name: str, value):
    fn = UNARY[name]
    with np.errstate(all="ignore"):
        if isinstance(value, (int, float)) or (isinstance(value, NumList) and len(value.items) == 1):
            return float(fn(np.float64(v.number(value, name))))
        fr = v.frame(value, name)
        columns = [np.asarray(fn(c), dtype=np.float64) for c in numeric_columns(fr, name)]
    return v.numbers_frame([f"{name}({n})" for n in fr.names], columns)


def _register_unary(name: str, *aliases: str):
    def op(ix: Interpreter, value):
        return unary(name, value)
    op.__name__ = f"unary_{name}"
    prim(name, *aliases)(op)


for _name in UNARY:
    _register_unary(_name, *(("!!",) if _name == "not" else ()))


@prim("is.na")
def is_na(ix: Interpreter, value):
    """1 where a cell is missing; a frame's columns are named ``isNA(col)``."""
    if isinstance(value, (int, float)):
        return 1.0 if np.isnan(value) else 0.0
    if isinstance(value, str):
        return 0.0
    fr = v.frame(value, "is.na")
    columns = [np.asarray(fr.table.column(i).is_null(), dtype=np.float64) for i in range(fr.ncols)]
    return v.numbers_frame([f"isNA({n})" for n in fr.names], columns)


# -- round and signif ------------------------------------------------------------------------------
def round_half_even_digits(x: np.ndarray, digits: np.ndarray) -> np.ndarray:
    """H2O-3's ``round``: to ``digits`` decimals, half away from zero via floor(x*10^d + 0.5);
    with 0 digits half to even. Symmetric around 0."""
    with np.errstate(all="ignore"):
        # Java's Math.round: half up, and NaN becomes 0
        digits = np.where(digits == np.trunc(digits), digits, np.nan_to_num(np.floor(digits + 0.5), nan=0.0))
        sign = np.where(x < 0, -1.0, 1.0)
        ax = np.abs(x)
        power = java_int(np.power(10.0, java_int(digits)))
        frac = np.fmod(ax, 1.0)
        to_even = np.where((frac > 0.5) | ((frac == 0.5) & (np.fmod(np.floor(ax), 2.0) != 0)), np.ceil(ax), np.floor(ax))
        scaled = np.floor(ax * power + 0.5) / power
        out = sign * np.where(digits == 0, to_even, scaled)
    return np.where(np.isnan(x), x, out)


def signif(x: np.ndarray, digits: float) -> np.ndarray:
    """``digits`` significant digits, the exact binary value rounded half to even (as Java's
    BigDecimal does)."""
    out = np.array(x, dtype=np.float64)
    if not np.isfinite(digits):
        return out                      # Java rounds a NaN digit count to 0: unlimited precision
    digits = 1 if digits < 1 else (digits if digits == int(digits) else np.floor(digits + 0.5))
    digits = int(digits)
    if digits >= 17:
        return out                      # 17 significant digits write any double exactly
    finite = np.isfinite(x) & (x != 0)
    if not finite.any():
        return out
    xs = x[finite]
    with np.errstate(all="ignore"):
        exponent = np.floor(np.log10(np.abs(xs))).astype(np.int64)
        shift = digits - 1 - exponent
        scaled = _times_power_of_ten(xs, shift)
        mantissa = np.round(scaled)               # half to even
        # the scaled value is inexact: near a tie or a decade boundary, decide with exact decimals
        doubtful = (np.abs(np.abs(scaled - np.trunc(scaled)) - 0.5) < 1e-6) | (np.abs(mantissa) >= 10.0 ** digits) \
            | (np.abs(mantissa) < 10.0 ** (digits - 1))
        result = _times_power_of_ten(mantissa, -shift)
    for i in np.flatnonzero(doubtful):  # only the few doubtful cells, never whole columns
        context = decimal.Context(prec=digits, rounding=decimal.ROUND_HALF_EVEN)
        result[i] = float(context.plus(decimal.Decimal(float(xs[i]))))
    out[finite] = result
    return out


def _times_power_of_ten(x: np.ndarray, power: np.ndarray) -> np.ndarray:
    """x * 10**power, dividing for negative powers so that exact integers stay exact."""
    positive = np.power(10.0, np.clip(power, 0, 308))
    negative = np.power(10.0, np.clip(-power, 0, 308))
    return np.where(power >= 0, x * positive, x / negative)


@prim("round")
def round_(ix: Interpreter, value, digits):
    return _digits_op("round", value, digits, round_half_even_digits)


@prim("signif")
def signif_(ix: Interpreter, value, digits):
    return _digits_op("signif", value, digits, lambda x, d: signif(x, float(np.asarray(d).flat[0])))


def _digits_op(name: str, value, digits, fn):
    """``round``/``signif`` are binary operations in H2O-3: a frame keeps its names, a
    categorical column becomes missing values."""
    d = v.number(digits, name, "the number of digits")
    if isinstance(value, (int, float)) or isinstance(value, NumList):
        return float(fn(np.array([v.number(value, name)]), np.array([d]))[0])
    fr = v.frame(value, name)
    columns = []
    for i, kind in enumerate(fr.types):
        if kind in ("string", "uuid"):
            raise RapidsError(f"'{name}' cannot round the string column '{fr.names[i]}'.")
        x = v.column_floats(fr, i)
        columns.append(np.full(fr.nrows, np.nan) if kind == "enum" else fn(x, np.full(len(x), d)))
    return v.numbers_frame(fr.names, columns)


# -- cumulative ------------------------------------------------------------------------------------
CUMULATIVE = {"cumsum": np.add, "cumprod": np.multiply, "cummin": np.minimum, "cummax": np.maximum}


def _register_cumulative(name: str):
    def cumulative(ix: Interpreter, value, axis):
        fr = v.frame(value, name)
        for col, kind in zip(fr.names, fr.types):
            if kind in ("enum", "string", "uuid"):
                raise RapidsError(f"'{name}' does not apply to {kind} columns ('{col}').")
        along = v.number(axis, name, "its axis")
        if along not in (0.0, 1.0):
            raise RapidsError(f"'{name}': the axis must be 0 (down columns) or 1 (across rows).")
        ufunc = CUMULATIVE[name]
        columns = [v.column_floats(fr, i) for i in range(fr.ncols)]
        if fr.ncols == 1:
            # One column: down it, named C1; across one column leaves the frame as it is
            return v.numbers_frame(["C1"], [ufunc.accumulate(columns[0])]) if along == 0 else fr
        if along == 0:
            return v.numbers_frame(fr.names, [ufunc.accumulate(c) for c in columns])
        across = ufunc.accumulate(np.column_stack(columns), axis=1)
        return v.numbers_frame(fr.names, [across[:, i] for i in range(fr.ncols)])
    cumulative.__name__ = name
    prim(name)(cumulative)


for _name in CUMULATIVE:
    _register_cumulative(_name)


# -- scale and difflag1 ------------------------------------------------------------------------------
@prim("scale")
def scale(ix: Interpreter, value, center, scale_by):
    """``(scale fr center scale)``: numeric columns become (x - center) * multiplier. ``center``
    True uses the column means, ``scale`` True divides by the standard deviations; either may be
    a list with one value per column of the frame."""
    fr = v.frame(value, "scale")
    numeric = [i for i, kind in enumerate(fr.types) if kind in ("int", "real")]
    if not numeric:
        return fr
    columns = {i: v.column_floats(fr, i) for i in numeric}
    means = _per_column(center, fr, numeric, "center",
                        lambda: [np.nanmean(columns[i]) if (~np.isnan(columns[i])).any() else np.nan for i in numeric],
                        lambda: [0.0] * len(numeric))
    mults = _per_column(scale_by, fr, numeric, "scale",
                        lambda: [_multiplier(columns[i]) for i in numeric], lambda: [1.0] * len(numeric))
    arrays, types = [], []
    for i in range(fr.ncols):
        if i in columns:
            k = numeric.index(i)
            array, kind = v.number_column((columns[i] - means[k]) * mults[k])
        else:
            array, kind = fr.table.column(i), fr.types[i]
        arrays.append(array)
        types.append(kind)
    return v.make_frame(fr.names, arrays, types)


def _multiplier(x: np.ndarray) -> float:
    present = x[~np.isnan(x)]
    sigma = np.std(present, ddof=1) if len(present) > 1 else np.nan
    # H2O-3 leaves a column with (almost) no spread unscaled
    return 1.0 / sigma if sigma > 1e-6 else 1.0


def _per_column(spec, fr: Frame, numeric: list[int], what: str, when_true, when_false) -> list[float]:
    if isinstance(spec, Frame):
        given = v.column_floats(spec, 0).tolist()
    elif isinstance(spec, (NumList, list)):  # a list, even of one value, gives values per column
        given = v.numbers(spec, "scale", what)
    else:
        flag = v.number(spec, "scale", what)
        if flag not in (0.0, 1.0):
            raise RapidsError(f"'scale': {what} must be True, False or a list of numbers.")
        return when_true() if flag == 1 else when_false()
    if len(given) != fr.ncols:
        raise RapidsError(f"'scale': {what} needs one value per column ({fr.ncols}), got {len(given)} "
                          "(fill 0 for non-numeric columns).")
    return [float(given[i]) for i in numeric]


@prim("difflag1")
def difflag1(ix: Interpreter, value):
    """The difference of each row with the one before it; the first row is missing."""
    fr = v.frame(value, "difflag1")
    if fr.ncols != 1:
        raise RapidsError(f"'difflag1' expects a single column, got {fr.ncols} columns.")
    if fr.types[0] not in ("int", "real"):
        raise RapidsError(f"'difflag1' expects a numeric column, got a {fr.types[0]} column.")
    x = v.column_floats(fr, 0)
    return v.numbers_frame(fr.names, [np.concatenate([[np.nan], np.diff(x)]) if len(x) else x])
