"""Picking and changing parts of frames: ``cols``/``cols_py``, ``rows``, ``:=``, ``append``,
``colnames=``, ``cbind``, ``rbind``, ``flatten``, ``getrow``, ``dim``, ``nrow``, ``ncol``."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from h2odash.engine.frames import Frame
from h2odash.engine.parse import to_enum

from ..interpreter import Interpreter, RapidsError, prim
from ..syntax import NumList, Span
from .. import values as v


@prim("cols", "cols_py")
def columns(ix: Interpreter, fr, selection):
    fr = v.frame(fr, "cols")
    return v.select_columns(fr, v.column_indices(fr, selection, "cols"))


def row_positions(fr: Frame, selection, op: str) -> np.ndarray:
    """Row numbers picked by a number, a list or span (negative: rows dropped), or a one-column
    frame used as a mask (rows where it is non-zero and not missing)."""
    n = fr.nrows
    if isinstance(selection, Frame):
        if selection.ncols != 1 or selection.nrows != n:
            raise RapidsError(f"'{op}': a row mask must be one column of {n} rows, got "
                              f"{selection.nrows}x{selection.ncols}.")
        mask = v.column_floats(selection, 0)
        return np.flatnonzero((mask != 0) & ~np.isnan(mask))
    if isinstance(selection, NumList) and selection.is_empty:
        return np.arange(n)
    if isinstance(selection, NumList):
        # a span stops at the last row (a tail of a short frame); a row named alone does not
        picked = np.asarray([x for item in selection.items
                             for x in (NumList(0, (item,)).expand(n) if isinstance(item, Span) else [item])
                             if not (isinstance(item, Span) and x >= n)], dtype=np.float64)
    else:
        picked = np.asarray(v.numbers(selection, op, "its rows", limit=n), dtype=np.float64)
    if not len(picked):
        return np.arange(0)
    if np.all(picked < 0):
        keep = np.ones(n, dtype=bool)
        dropped = (-picked - 1).astype(np.int64)
        keep[dropped[dropped < n]] = False
        return np.flatnonzero(keep)
    positions = picked.astype(np.int64)
    if positions.min() < 0:
        raise RapidsError(f"'{op}': rows cannot mix kept and dropped (negative) numbers.")
    # A row past the end reads as a row of missing values, as in H2O-3 (``fr[3, :]`` of 3 rows);
    # :func:`take_positions` turns those positions into missing rows.
    return positions


def take_positions(positions: np.ndarray, n: int) -> pa.Array:
    """Row positions as take() indices; those past the end become missing (a row of NAs)."""
    return pa.array(positions, pa.int64(), mask=positions >= n)


@prim("rows")
def rows(ix: Interpreter, fr, selection):
    fr = v.frame(fr, "rows")
    return v.take_rows(fr, take_positions(row_positions(fr, selection, "rows"), fr.nrows))


@prim("dim")
def dim(ix: Interpreter, fr):
    fr = v.frame(fr, "dim")
    return [float(fr.nrows), float(fr.ncols)]


@prim("nrow")
def nrow(ix: Interpreter, fr):
    return float(v.frame(fr, "nrow").nrows)


@prim("ncol")
def ncol(ix: Interpreter, fr):
    return float(v.frame(fr, "ncol").ncols)


@prim("flatten")
def flatten(ix: Interpreter, fr):
    """A 1x1 frame's value (a number or a string); any other frame stays as it is."""
    if not isinstance(fr, Frame) or fr.nrows != 1 or fr.ncols != 1:
        return fr
    if fr.types[0] in ("enum", "string", "uuid"):
        value = v.labels_of(fr, 0)[0].as_py()
        # H2O-3 answers a missing label as the text "NA" (so h2o-py's fr[i, j] reads "NA")
        return value if value is not None else "NA"
    return float(v.column_floats(fr, 0)[0])


@prim("getrow")
def getrow(ix: Interpreter, fr):
    """A one-row frame's values as a list of numbers."""
    fr = v.frame(fr, "getrow")
    if fr.nrows != 1:
        raise RapidsError(f"'getrow' needs a frame of one row, got {fr.nrows} rows.")
    return [float(v.column_floats(fr, i)[0]) if fr.types[i] not in ("string", "uuid") else float("nan")
            for i in range(fr.ncols)]


@prim("colnames=")
def set_names(ix: Interpreter, fr, selection, names):
    fr = v.frame(fr, "colnames=")
    indices = v.column_indices(fr, selection, "colnames=")
    new = v.strings(names, "colnames=", "the new names")
    if len(new) != len(indices):
        raise RapidsError(f"'colnames=' got {len(new)} names for {len(indices)} columns.")
    names_now = list(fr.names)
    for i, name in zip(indices, new):
        names_now[i] = name
    if len(set(names_now)) != len(names_now):
        raise RapidsError("'colnames=' would give two columns the same name.")
    return Frame("", fr.table.rename_columns(names_now), fr.types)


@prim("cbind")
def cbind(ix: Interpreter, *parts):
    """Columns side by side; numbers become constant columns; frames must have equal rows
    (a one-row frame is repeated)."""
    frames = [p for p in parts if isinstance(p, Frame)]
    if not frames:
        raise RapidsError("'cbind' needs at least one frame.")
    n = max(f.nrows for f in frames)
    names, arrays, types = [], [], []
    for part in parts:
        if isinstance(part, Frame):
            if part.nrows not in (n, 1):
                raise RapidsError(f"'cbind' needs frames of equal rows, got {part.nrows} and {n}.")
            table = part.table if part.nrows == n else part.table.take(pa.array(np.zeros(n, np.int64)))
            names += table.column_names
            arrays += list(table.columns)
            types += part.types
        else:
            array, kind = v.number_column(np.full(n, v.number(part, "cbind")))
            names.append(f"C{len(names) + 1}")
            arrays.append(array)
            types.append(kind)
    return v.make_frame(names, arrays, types)


@prim("rbind")
def rbind(ix: Interpreter, *parts):
    """Rows one after another; frames must have the same number of columns with compatible types
    (enum levels are merged); numbers become one-row frames."""
    frames = [p for p in parts if isinstance(p, Frame)]
    if not frames:
        raise RapidsError("'rbind' needs at least one frame.")
    first = frames[0]
    pieces = []
    for part in parts:
        if not isinstance(part, Frame):
            value = v.number(part, "rbind")
            part = v.numbers_frame(first.names, [np.array([value])] * first.ncols)
        if part.ncols != first.ncols:
            raise RapidsError(f"'rbind' needs frames with the same columns, got {part.ncols} and {first.ncols}.")
        pieces.append(part)
    names, arrays, types = list(first.names), [], []
    for col in range(first.ncols):
        kinds = {p.types[col] for p in pieces}
        column_name = first.names[col]
        if kinds <= set(v.NUMERIC) - {"time"}:
            values = np.concatenate([v.column_floats(p, col) for p in pieces])
            array, kind = v.number_column(values)
        elif kinds == {"time"}:
            array = pa.chunked_array([c for p in pieces for c in p.table.column(col).chunks],
                                     pieces[0].table.column(col).type)
            kind = "time"
        elif kinds <= {"enum", "string"}:
            labels = pa.chunked_array([c for p in pieces for c in v.labels_of(p, col).chunks], pa.string())
            kind = "enum" if "enum" in kinds else "string"
            array = to_enum(labels) if kind == "enum" else labels
        else:
            raise RapidsError(f"'rbind': column {column_name} has types {sorted(kinds)} that cannot be stacked.")
        arrays.append(array)
        types.append(kind)
    return v.make_frame(names, arrays, types)


@prim("append")
def append(ix: Interpreter, fr, *pairs):
    """New last columns, one per ``value name`` pair (a one-column frame, a number or a string,
    then its name): h2o-py sends several pairs when several columns were set in a row."""
    fr = v.frame(fr, "append")
    if not pairs or len(pairs) % 2:
        raise RapidsError(f"'append' takes a frame then pairs of a value and a column name; got {len(pairs)} "
                          "argument(s) after the frame.")
    names, columns, types = list(fr.names), list(fr.table.columns), list(fr.types)
    for value, name in zip(pairs[::2], pairs[1::2]):
        names.append(v.string(name, "append", "the new column's name"))
        array, kind = _values_for(fr.nrows, value, "append")
        columns.append(array)
        types.append(kind)
    return v.make_frame(names, columns, types)


def _values_for(n: int, value, op: str):
    """A column of ``n`` rows from a one-column frame, a number or a string."""
    if isinstance(value, Frame):
        if value.ncols != 1 or value.nrows not in (n, 1):
            raise RapidsError(f"'{op}' needs a one-column frame of {n} rows, got {value.nrows}x{value.ncols}.")
        if value.nrows == 1 and n != 1:
            return value.table.column(0).take(pa.array(np.zeros(n, np.int64))), value.types[0]
        return value.table.column(0), value.types[0]
    if isinstance(value, str):
        return pa.array([value] * n, pa.string()), "string"
    return v.number_column(np.full(n, v.number(value, op)))


@prim(":=")
def assign_into(ix: Interpreter, fr, value, col_selection, row_selection):
    """``fr`` with the selected cells replaced by ``value``: a frame with one column per selected
    column (all rows, or as many rows as selected), a number, a string, or NA (``nan``). A column
    index one past the end adds a column."""
    fr = v.frame(fr, ":=")
    if isinstance(col_selection, (int, float)) and int(col_selection) == fr.ncols:
        indices = [fr.ncols]
    elif isinstance(col_selection, str) and col_selection not in fr.names:
        indices = [fr.ncols]
    else:
        indices = v.column_indices(fr, col_selection, ":=")
    positions = row_positions(fr, row_selection, ":=")
    positions = positions[positions < fr.nrows]  # no row past the end to write into
    all_rows = len(positions) == fr.nrows
    names, arrays, types = list(fr.names), list(fr.table.columns), list(fr.types)
    if isinstance(value, Frame) and value.ncols not in (1, len(indices)):
        raise RapidsError(f"':=' got a value of {value.ncols} columns for {len(indices)} selected columns.")
    for j, col in enumerate(indices):
        source = value
        if isinstance(value, Frame):
            source = v.select_columns(value, [j if value.ncols > 1 else 0])
            if source.nrows == fr.nrows and not all_rows:
                source = v.take_rows(source, pa.array(positions, pa.int64()))
            elif source.nrows not in (len(positions), 1):
                raise RapidsError(f"':=' got a value of {source.nrows} rows for {len(positions)} selected rows.")
        if col == fr.ncols:
            label = col_selection if isinstance(col_selection, str) else f"C{col + 1}"
            names.append(label)
            arrays.append(pa.nulls(fr.nrows, pa.float64()))
            types.append("int")
        new, kind = _replaced(arrays[col], types[col], positions, source, fr.nrows)
        arrays[col], types[col] = new, kind
    return v.make_frame(names, arrays, types)


def _replaced(column, kind, positions, value, n):
    """``column`` with rows ``positions`` set to ``value``."""
    if isinstance(value, Frame):
        new_kind = value.types[0]
        replacement = value.table.column(0)
        if value.nrows == 1 and len(positions) != 1:
            replacement = replacement.take(pa.array(np.zeros(len(positions), np.int64)))
    elif isinstance(value, str):
        new_kind, replacement = "string", pa.array([value] * len(positions), pa.string())
    else:
        number = v.number(value, ":=")
        new_kind, replacement = "real", pa.array(np.full(len(positions), number), pa.float64())
    if len(positions) == n:
        if isinstance(value, Frame):
            return replacement, new_kind
        if new_kind == "string" and kind == "enum":
            return to_enum(replacement), "enum"
        if new_kind == "string":
            return replacement, "string"
        return v.number_column(np.full(n, v.number(value, ":=")))
    target_text = kind in ("enum", "string", "uuid")
    source_text = new_kind in ("enum", "string", "uuid")
    if target_text or source_text:
        if not (target_text and source_text) and not _all_missing(replacement):
            raise RapidsError(f"':=' cannot put {new_kind} values into a {kind} column.")
        labels = _as_text(column, kind).to_numpy(zero_copy_only=False).astype(object)
        labels[positions] = _as_text(replacement, new_kind).to_numpy(zero_copy_only=False) \
            if source_text else None
        merged = pa.array(labels, pa.string())
        return (to_enum(merged), "enum") if kind == "enum" else (merged, kind)
    if kind == "time" and new_kind != "time":
        raise RapidsError("':=' cannot put numbers into a time column.")
    floats = v.column_floats(Frame("", pa.table({"c": column}), [kind]), 0).copy()
    floats[positions] = v.column_floats(Frame("", pa.table({"c": replacement}), [new_kind]), 0)
    if kind == "time":
        return pa.array(floats, mask=np.isnan(floats)).cast(pa.int64()).cast(pa.timestamp("ms")), "time"
    return v.number_column(floats)


def _as_text(column, kind):
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    return pc.cast(column, pa.string()) if kind == "enum" else column.cast(pa.string())


def _all_missing(array) -> bool:
    return array.null_count == len(array) or (
        pa.types.is_floating(array.type) and bool(pc.all(pc.is_nan(array)).as_py()))
