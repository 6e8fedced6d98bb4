"""What Rapids operations share: checking argument kinds, reading columns as numpy arrays, and
building result frames whose column types follow H2O-3's rules (a numeric column whose values
are all whole numbers is ``int``; otherwise ``real``)."""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from h2odash.engine.frames import Frame, numeric_values
from h2odash.engine.parse import _narrowest_int, to_enum

from .interpreter import CURRENT_STORE, Closure, RapidsError
from .syntax import NumList

NUMERIC = ("int", "real", "time")


# -- argument kinds -------------------------------------------------------------------------
def frame(value: Any, op: str, what: str = "its argument") -> Frame:
    if isinstance(value, str):
        found = CURRENT_STORE.get().find(value)
        if isinstance(found, Frame):
            return found
    if not isinstance(value, Frame):
        raise RapidsError(f"'{op}' needs a frame as {what}, got {describe(value)}.")
    return value


def number(value: Any, op: str, what: str = "its argument") -> float:
    """A number; a 1x1 frame counts as its only value (as H2O-3 reads it)."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, Frame) and value.nrows == 1 and value.ncols == 1:
        return float(column_floats(value, 0)[0])
    if isinstance(value, NumList) and len(value.items) == 1 and not hasattr(value.items[0], "count"):
        return float(value.items[0])
    raise RapidsError(f"'{op}' needs a number as {what}, got {describe(value)}.")


def flag(value: Any, op: str, what: str = "its argument") -> bool:
    return bool(number(value, op, what))


def string(value: Any, op: str, what: str = "its argument") -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
        return value[0]
    raise RapidsError(f"'{op}' needs a string as {what}, got {describe(value)}.")


def strings(value: Any, op: str, what: str = "its argument") -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    if isinstance(value, NumList) and value.is_empty:
        return []
    raise RapidsError(f"'{op}' needs a list of strings as {what}, got {describe(value)}.")


def numbers(value: Any, op: str, what: str = "its argument", limit: int | None = None) -> list[float]:
    if isinstance(value, NumList):
        return value.expand(limit)
    if isinstance(value, (int, float)):
        return [float(value)]
    if isinstance(value, list) and all(isinstance(v, (int, float)) for v in value):
        return [float(v) for v in value]
    raise RapidsError(f"'{op}' needs a list of numbers as {what}, got {describe(value)}.")


def function(value: Any, op: str, what: str = "its argument") -> Closure:
    if not isinstance(value, Closure):
        raise RapidsError(f"'{op}' needs a function as {what}, got {describe(value)}.")
    return value


def describe(value: Any) -> str:
    if isinstance(value, Frame):
        return f"a {value.nrows}x{value.ncols} frame"
    if isinstance(value, (int, float)):
        return f"the number {value:g}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, NumList):
        return "a list of numbers"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Closure):
        return "a function"
    return type(value).__name__


def column_indices(fr: Frame, selection: Any, op: str) -> list[int]:
    """Columns picked by a number, a name, a list of either or a span; negative numbers (or a
    list of them) drop columns, as in H2O-3's ``(cols fr -(i+1))``."""
    if isinstance(selection, NumList):
        picked = [int(v) for v in selection.expand(fr.ncols)]
    elif isinstance(selection, (int, float)):
        picked = [int(selection)]
    elif isinstance(selection, str):
        return [fr.index_of(selection, "ast")]
    elif isinstance(selection, list) and all(isinstance(v, str) for v in selection):
        return [fr.index_of(name, "ast") for name in selection]
    elif isinstance(selection, list):
        picked = [int(v) for v in selection]
    elif isinstance(selection, Frame):
        picked = [int(v) for v in column_floats(selection, 0)]
    else:
        raise RapidsError(f"'{op}' cannot select columns with {describe(selection)}.")
    if picked and all(i < 0 for i in picked):
        dropped = {-i - 1 for i in picked}
        return [i for i in range(fr.ncols) if i not in dropped]
    for i in picked:
        if not 0 <= i < fr.ncols:
            raise RapidsError(f"'{op}': column index {i} is out of range; the frame has {fr.ncols} columns.")
    return picked


# -- columns as arrays ------------------------------------------------------------------------
def column_floats(fr: Frame, col: int) -> np.ndarray:
    """A column as float64 with NaN for missing: numbers, enum codes, epoch milliseconds."""
    if fr.types[col] in ("string", "uuid"):
        raise RapidsError(f"Column '{fr.names[col]}' holds strings, not numbers.")
    return numeric_values(fr.table.column(col), fr.types[col])


def number_column(values: np.ndarray) -> tuple[pa.Array, str]:
    """A float64 array as an H2O column: whole numbers become ``int`` (narrowest integer type),
    anything else ``real``; NaN is missing."""
    values = np.asarray(values, dtype=np.float64)
    finite = values[~np.isnan(values)]
    if len(finite) and np.all(np.isfinite(finite)) and np.all(finite == np.round(finite)) \
            and np.all(np.abs(finite) < 2 ** 53):
        ints = pa.array(np.where(np.isnan(values), 0, values).astype(np.int64), mask=np.isnan(values))
        return _narrowest_int(ints), "int"
    if not len(finite):
        # All missing: H2O-3 shows such a column as int (its roll-ups see no fraction)
        return pa.array(values, mask=np.isnan(values), type=pa.float64()), "int"
    return pa.array(values, mask=np.isnan(values)), "real"


def numbers_frame(names: list[str], columns: list[np.ndarray]) -> Frame:
    arrays, types = zip(*(number_column(c) for c in columns)) if columns else ((), ())
    return make_frame(list(names), list(arrays), list(types))


def make_frame(names: list[str], arrays: list, types: list[str]) -> Frame:
    """An unnamed frame (the interpreter names it if it is kept)."""
    names = unique_names(names)
    chunked = [a if isinstance(a, pa.ChunkedArray) else pa.chunked_array([a]) for a in arrays]
    return Frame("", pa.table(dict(zip(names, chunked))) if chunked else pa.table({}), types)


def unique_names(names: list[str]) -> list[str]:
    """Names made unique as frames are bound together: a repeated name gets the first free
    number counting from 0 (``a``, ``a0``, ``a1``), as H2O-3 numbers them."""
    taken: set[str] = set()
    out = []
    for name in names:
        candidate, n = name, 0
        while candidate in taken:
            candidate = f"{name}{n}"
            n += 1
        taken.add(candidate)
        out.append(candidate)
    return out


def enum_column(labels: pa.Array | pa.ChunkedArray) -> pa.ChunkedArray:
    return to_enum(labels)


def column_of(fr: Frame, col: int) -> tuple[pa.ChunkedArray, str]:
    return fr.table.column(col), fr.types[col]


def select_columns(fr: Frame, indices: list[int]) -> Frame:
    return make_frame([fr.names[i] for i in indices], [fr.table.column(i) for i in indices],
                      [fr.types[i] for i in indices])


def take_rows(fr: Frame, rows: np.ndarray | pa.Array) -> Frame:
    return Frame("", fr.table.take(rows), fr.types)


def is_nan(value: float) -> bool:
    return isinstance(value, float) and math.isnan(value)


def labels_of(fr: Frame, col: int) -> pa.ChunkedArray:
    """A column as strings (enum levels decoded); numbers are not converted."""
    column = fr.table.column(col)
    if fr.types[col] == "enum":
        return pc.cast(column, pa.string())
    return column
