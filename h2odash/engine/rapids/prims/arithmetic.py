"""Arithmetic, comparison and logic between frames, numbers and strings: ``+ - * / ^ % %% intDiv
%/% == != < <= > >= & | && ||`` and ``ifelse``.

The rules are H2O-3's (``AstBinOp`` and its subclasses):

* a number and a frame: the number meets every cell; frame and frame: cell by cell, or a
  one-column frame against every column of the other, or a one-row frame against every row;
* a missing value compared with anything is 0 (``NA > 1`` is 0), except ``==``, where two
  missing values are equal; ``&`` gives 0 when either side is 0 even if the other is missing,
  ``|`` gives 1 when either side is 1;
* arithmetic on a categorical column gives a column of missing values; ``==``/``!=`` compare its
  codes with a number and its levels with a string; a string compared with a non-text column is
  the constant ``op(1, 2)``;
* every result column is numeric, ``int`` when all its values are whole.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from h2odash.engine.frames import Frame

from ..interpreter import Interpreter, RapidsError, prim
from ..syntax import NumList
from .. import values as v

INT_MIN, INT_MAX = -2.0 ** 31, 2.0 ** 31 - 1
TEXT = ("string", "uuid")


# -- the operations on float64 arrays ----------------------------------------------------------
def java_int(x: np.ndarray) -> np.ndarray:
    """Java's ``(int) x``: toward zero, saturating, NaN becomes 0."""
    return np.clip(np.trunc(np.nan_to_num(x, nan=0.0, posinf=INT_MAX, neginf=INT_MIN)), INT_MIN, INT_MAX)


def _pow(l, r):
    out = np.power(l, r)
    # Java's Math.pow: a NaN exponent gives NaN, and so does (+-1) ** +-inf (C gives 1)
    return np.where(np.isnan(r) | ((np.abs(l) == 1) & np.isinf(r)), np.nan, out)


def _int_div(l, r):
    li, ri = java_int(l), java_int(r)
    safe = np.where(ri == 0, 1.0, ri)
    quotient = np.trunc(li / safe)   # exact: both are 32-bit integers
    return np.where(ri == 0, np.nan, quotient)


def equal_within_ulp(l, r):
    """H2O's ``==``: equal within one unit in the last place of the smaller; NaN equals NaN."""
    ulp = np.minimum(np.spacing(np.abs(l)), np.spacing(np.abs(r)))
    with np.errstate(invalid="ignore"):
        close = np.abs(l - r) <= ulp
    return np.where(close | (np.isnan(l) & np.isnan(r)), 1.0, 0.0)


def and_op(l, r):
    """0 wins over NA, NA wins over 1."""
    return np.where((l == 0) | (r == 0), 0.0, np.where(np.isnan(l) | np.isnan(r), np.nan, 1.0))


def or_op(l, r):
    """1 wins over NA, NA wins over 0."""
    return np.where((l == 1) | (r == 1), 1.0, np.where(np.isnan(l) | np.isnan(r), np.nan, 0.0))


def _flag(test):
    return lambda l, r: np.where(test(l, r), 1.0, 0.0)


OPERATIONS: dict[str, Callable] = {
    "+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "^": _pow,
    "%": np.fmod, "%%": np.fmod, "intDiv": _int_div, "%/%": lambda l, r: java_int(l / r),
    "==": equal_within_ulp, "!=": lambda l, r: 1.0 - equal_within_ulp(l, r),
    "<": _flag(np.less), "<=": _flag(np.less_equal), ">": _flag(np.greater), ">=": _flag(np.greater_equal),
    "&": and_op, "|": or_op, "&&": and_op, "||": or_op,
}
# Operations that make sense on a categorical column (its codes or levels); others give NAs.
CATEGORICAL_OK = ("==", "!=")


def apply_op(name: str, l, r) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.asarray(OPERATIONS[name](np.asarray(l, dtype=np.float64), np.asarray(r, dtype=np.float64)),
                          dtype=np.float64)


def string_equal(name: str, labels: pa.ChunkedArray, other: str | None) -> np.ndarray:
    """``==``/``!=`` of a text column and a string: a missing or empty cell equals a missing or
    empty string."""
    empty = pc.fill_null(pc.equal(labels, ""), True).to_numpy(zero_copy_only=False)
    if other is None or other == "":
        same = empty
    else:
        same = pc.fill_null(pc.equal(labels, other), False).to_numpy(zero_copy_only=False)
    return np.where(same, 1.0, 0.0) if name == "==" else np.where(same, 0.0, 1.0)


def _string_op_unsupported(name: str) -> RapidsError:
    return RapidsError(f"Binary operation '{name}' is not supported on string columns.")


def _floats(fr: Frame, col: int, name: str) -> np.ndarray:
    if fr.types[col] in TEXT:
        raise RapidsError(f"'{name}' cannot do arithmetic on the string column '{fr.names[col]}'.")
    return v.column_floats(fr, col)


def _clean_categorical(name: str, fr: Frame, columns: list[np.ndarray]) -> list[np.ndarray]:
    if name in CATEGORICAL_OK:
        return columns
    return [np.full(len(c), np.nan) if fr.types[i] == "enum" else c for i, c in enumerate(columns)]


# -- frame shapes ------------------------------------------------------------------------------
def frame_and_number(name: str, fr: Frame, d: float, frame_left: bool) -> Frame:
    if name in CATEGORICAL_OK and frame_left:
        return _equality_with_number(name, fr, d)
    columns = [apply_op(name, _floats(fr, i, name), d) if frame_left else apply_op(name, d, _floats(fr, i, name))
               for i in range(fr.ncols)]
    return v.numbers_frame(fr.names, _clean_categorical(name, fr, columns))


def _equality_with_number(name: str, fr: Frame, d: float) -> Frame:
    """``(== fr n)``: text columns compare with the number written as Java writes it; other
    non-numeric columns give 0; columns are named C1, C2, ... (H2O-3 names them so)."""
    columns = []
    for i, kind in enumerate(fr.types):
        if kind in TEXT:
            columns.append(string_equal(name, v.labels_of(fr, i), None if np.isnan(d) else java_double_text(d)))
        elif kind in ("enum", "time"):
            columns.append(np.zeros(fr.nrows))
        else:
            columns.append(apply_op(name, v.column_floats(fr, i), d))
    return v.numbers_frame([f"C{i + 1}" for i in range(fr.ncols)], columns)


def java_double_text(d: float) -> str:
    """How Java's ``String.valueOf(double)`` writes a number (``1.0``, ``0.25``, ``1.0E10``)."""
    if np.isinf(d):
        return "Infinity" if d > 0 else "-Infinity"
    if d == 0 or 1e-3 <= abs(d) < 1e7:
        return repr(float(d))            # Python writes this range as Java does: shortest, with ".0"
    mantissa, exponent = np.format_float_scientific(d, unique=True).split("e")
    return f"{mantissa}{'0' if mantissa.endswith('.') else ''}E{int(exponent)}"


def frame_and_string(name: str, fr: Frame, s: str, frame_left: bool) -> Frame:
    columns = []
    for i, kind in enumerate(fr.types):
        if kind in TEXT:
            if name not in CATEGORICAL_OK:
                raise _string_op_unsupported(name)
            columns.append(string_equal(name, v.labels_of(fr, i), s))
        elif kind == "enum":
            levels = _levels(fr, i)
            code = float(levels.index(s)) if s in levels else -1.0
            codes = v.column_floats(fr, i)
            columns.append(apply_op(name, codes, code) if frame_left else apply_op(name, code, codes))
        else:
            columns.append(np.full(fr.nrows, apply_op(name, 1.0, 2.0)))
    return v.numbers_frame(fr.names, columns)


def _levels(fr: Frame, col: int) -> list[str]:
    chunks = fr.table.column(col).chunks
    return chunks[0].dictionary.to_pylist() if chunks else []


def frame_and_frame(name: str, lf: Frame, rt: Frame) -> Frame:
    if lf.nrows != rt.nrows:
        if lf.nrows == 1 or rt.nrows == 1:
            return _frame_and_row(name, lf, rt)
        raise RapidsError(f"'{name}': frames must have the same number of rows, found {lf.nrows} and {rt.nrows}.")
    if lf.ncols == 0:
        return lf
    if rt.ncols == 0:
        return rt
    if lf.ncols == 1 and rt.ncols > 1:
        left = _floats(lf, 0, name)
        columns = [apply_op(name, left, _floats(rt, i, name)) for i in range(rt.ncols)]
        return v.numbers_frame(rt.names, _clean_categorical(name, rt, columns))
    if rt.ncols == 1 and lf.ncols > 1:
        right = _floats(rt, 0, name)
        columns = [apply_op(name, _floats(lf, i, name), right) for i in range(lf.ncols)]
        return v.numbers_frame(lf.names, _clean_categorical(name, lf, columns))
    if lf.ncols != rt.ncols:
        raise RapidsError(f"'{name}': frames must have the same number of columns, found {lf.ncols} and {rt.ncols}.")
    columns = []
    for i in range(lf.ncols):
        if lf.types[i] in TEXT:
            if name not in CATEGORICAL_OK:
                raise _string_op_unsupported(name)
            if rt.types[i] not in TEXT:
                raise RapidsError(f"'{name}' cannot compare the string column '{lf.names[i]}' with a "
                                  f"{rt.types[i]} column.")
            same = pc.fill_null(pc.equal(v.labels_of(lf, i), v.labels_of(rt, i)), False)
            both_empty = pc.and_(_empty(v.labels_of(lf, i)), _empty(v.labels_of(rt, i)))
            equal = pc.or_(same, both_empty).to_numpy(zero_copy_only=False)
            columns.append(np.where(equal, 1.0, 0.0) if name == "==" else np.where(equal, 0.0, 1.0))
        elif name in CATEGORICAL_OK and lf.types[i] == "enum" and rt.types[i] == "enum":
            left, right = _shared_codes(lf, rt, i)
            columns.append(apply_op(name, left, right))
        else:
            columns.append(apply_op(name, _floats(lf, i, name), _floats(rt, i, name)))
    return v.numbers_frame(lf.names, _clean_categorical(name, lf, columns))


def _empty(labels) -> pa.ChunkedArray:
    return pc.fill_null(pc.equal(labels, ""), True)


def _shared_codes(lf: Frame, rt: Frame, col: int) -> tuple[np.ndarray, np.ndarray]:
    """Two categorical columns as codes into the union of their levels (levels compare by name)."""
    union = sorted(set(_levels(lf, col)) | set(_levels(rt, col)))
    codes = []
    for fr in (lf, rt):
        labels = v.labels_of(fr, col)
        index = pc.index_in(labels, value_set=pa.array(union, pa.string()))
        codes.append(pc.fill_null(index.cast(pa.float64()), np.nan).to_numpy(zero_copy_only=False))
    return codes[0], codes[1]


def _frame_and_row(name: str, lf: Frame, row: Frame) -> Frame:
    """A frame against the first row of ``row`` (H2O-3 takes the right side as the row, whichever
    side has one row)."""
    if lf.ncols != row.ncols:
        raise RapidsError(f"'{name}': frames must have the same number of columns, found {lf.ncols} and {row.ncols}.")
    values = [float(v.column_floats(row, i)[0]) if row.types[i] in ("int", "real", "time") else np.nan
              for i in range(row.ncols)]
    columns = [np.full(lf.nrows, np.nan) if lf.types[i] in TEXT else apply_op(name, v.column_floats(lf, i), values[i])
               for i in range(lf.ncols)]
    return v.numbers_frame(lf.names, _clean_categorical(name, lf, columns))


# -- dispatch ------------------------------------------------------------------------------------
def _kind(value):
    if isinstance(value, Frame):
        return "frame"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list) and value and all(isinstance(x, str) for x in value):
        return "string"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, NumList) and value.items:
        return "number"
    if isinstance(value, list) and value and all(isinstance(x, (int, float)) for x in value):
        return "number"
    return None


def _first_number(value, name: str) -> float:
    if isinstance(value, (int, float)):
        return float(value)
    return float(v.numbers(value, name, "an operand")[0])


def binary(name: str, lhs, rhs):
    """Evaluate ``(name lhs rhs)`` on already evaluated operands."""
    kinds = (_kind(lhs), _kind(rhs))
    if kinds == ("number", "number"):
        return float(apply_op(name, _first_number(lhs, name), _first_number(rhs, name)))
    if kinds == ("frame", "number"):
        return frame_and_number(name, lhs, _first_number(rhs, name), frame_left=True)
    if kinds == ("number", "frame"):
        return frame_and_number(name, rhs, _first_number(lhs, name), frame_left=False)
    if kinds == ("frame", "string"):
        return frame_and_string(name, lhs, v.strings(rhs, name)[0], frame_left=True)
    if kinds == ("string", "frame"):
        return frame_and_string(name, rhs, v.strings(lhs, name)[0], frame_left=False)
    if kinds == ("frame", "frame"):
        return frame_and_frame(name, lhs, rhs)
    raise RapidsError(f"'{name}' cannot combine {v.describe(lhs)} and {v.describe(rhs)}.")


def _register(name: str):
    def op(ix: Interpreter, lhs, rhs):
        return binary(name, lhs, rhs)
    op.__name__ = f"binary_{name}"
    prim(name)(op)


for _name in OPERATIONS:
    if _name not in ("&&", "||"):
        _register(_name)


@prim("&&", lazy=True)
def logical_and(ix: Interpreter, lhs, rhs):
    """``&&``: a left side that is the number 0 decides without evaluating the right side."""
    left = ix.eval(*lhs)
    if _kind(left) == "number" and _first_number(left, "&&") == 0:
        return left
    return binary("&&", left, ix.eval(*rhs))


@prim("||", lazy=True)
def logical_or(ix: Interpreter, lhs, rhs):
    """``||``: a left side that is the number 1 decides without evaluating the right side."""
    left = ix.eval(*lhs)
    if _kind(left) == "number" and _first_number(left, "||") == 1:
        return left
    return binary("||", left, ix.eval(*rhs))


# -- ifelse --------------------------------------------------------------------------------------
@prim("ifelse", lazy=True)
def ifelse(ix: Interpreter, test, yes, no):
    """``(ifelse test yes no)``. A number test evaluates one side only (a frame there gives its
    first cell); a frame test picks cell by cell between frames of its shape, numbers or
    strings (strings make a categorical column), and a missing test gives a missing cell."""
    tested = ix.eval(*test)
    if _kind(tested) == "number":
        d = _first_number(tested, "ifelse")
        if np.isnan(d):
            return float("nan")
        chosen = ix.eval(*(no if d == 0 else yes))
        if isinstance(chosen, Frame):
            if not chosen.nrows or not chosen.ncols:
                raise RapidsError("ifelse with a number test picks the first cell of a frame, but that frame is empty.")
            return float(_floats(chosen, 0, "ifelse")[0])
        return chosen
    tst = v.frame(tested, "ifelse", "its test")
    tests = [_floats(tst, i, "ifelse") for i in range(tst.ncols)]
    # As H2O-3, a side is evaluated only when some cell needs it
    yes_value = _checked_side(ix, yes, tst) if any(np.any(t != 0) for t in tests) else None
    no_value = _checked_side(ix, no, tst) if any(np.any(t == 0) for t in tests) else None
    yes_value = no_value if yes_value is None else yes_value
    no_value = yes_value if no_value is None else no_value
    arrays, types = [], []
    for i, t in enumerate(tests):
        array, kind = _pick_column(t, yes_value, no_value, i)
        arrays.append(array)
        types.append(kind)
    return v.make_frame([f"C{i + 1}" for i in range(tst.ncols)], arrays, types)


def _checked_side(ix: Interpreter, side, tst: Frame):
    value = ix.eval(*side)
    if isinstance(value, Frame) and (value.ncols != tst.ncols or value.nrows != tst.nrows):
        raise RapidsError(f"ifelse: the test frame is {tst.nrows}x{tst.ncols} but a side is "
                          f"{value.nrows}x{value.ncols}; they must match.")
    if not isinstance(value, Frame) and _kind(value) is None and value is not None:
        raise RapidsError(f"ifelse picks between frames, numbers or strings, not {v.describe(value)}.")
    return value


def _pick_column(test: np.ndarray, yes, no, col: int):
    missing = np.isnan(test)
    is_no = pa.array(test == 0)
    if _kind(yes) == "string" or _kind(no) == "string":
        chosen = pc.if_else(is_no, _labels_side(no, yes, col), _labels_side(yes, no, col))
        chosen = pc.if_else(pa.array(missing), pa.scalar(None, pa.string()), chosen)
        return v.enum_column(chosen), "enum"
    values = np.where(test == 0, _number_side(no, col), _number_side(yes, col))
    return v.number_column(np.where(missing, np.nan, values))


def _number_side(side, col: int):
    if side is None:
        return np.nan
    if isinstance(side, Frame):
        return _floats(side, col, "ifelse")
    return _first_number(side, "ifelse")


def _labels_side(side, other, col: int):
    """A side of a string ifelse as strings: a string, or a categorical column's levels."""
    if _kind(side) == "string":
        return pa.scalar(v.strings(side, "ifelse")[0], pa.string())
    if isinstance(side, Frame):
        if side.types[col] != "enum":
            raise RapidsError(f"ifelse with a string on one side needs a categorical column on the other; "
                              f"'{side.names[col]}' is {side.types[col]}.")
        return v.labels_of(side, col).combine_chunks()
    raise RapidsError("ifelse cannot pick between a string and a number.")
