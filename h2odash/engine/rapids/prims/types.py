"""Column types: ``as.factor``, ``as.numeric``, ``as.character`` and the ``is.*`` questions."""
from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from h2odash.engine.frames import Frame
from h2odash.engine.parse import convert_column

from ..interpreter import Interpreter, prim
from .. import values as v


def _retyped(fr: Frame, kind: str) -> Frame:
    arrays, types = [], []
    for col in range(fr.ncols):
        array = _converted(fr.table.column(col), fr.types[col], kind)
        arrays.append(array)
        types.append(Frame("", pa.table({"c": array})).types[0])
    if kind == "Numeric":
        # whole numbers read as int, as H2O-3's roll-ups say
        pairs = [v.number_column(v.column_floats(Frame("", pa.table({"c": a}), [t]), 0)) if t == "real" else (a, t)
                 for a, t in zip(arrays, types)]
        arrays, types = [p[0] for p in pairs], [p[1] for p in pairs]
    return v.make_frame(list(fr.names), arrays, types)


# The text as.numeric reads as a number, as H2O-3's BufferedString.getNumericType does: an
# optional sign, then digits with at most one decimal point, nothing else (no spaces,
# exponents, "Inf" or "NaN": H2O-3 makes those missing). Where H2O-3 fails the whole request
# ("+", ".", an integer past 64 bits), this reads a missing value or the number instead.
_H2O_NUMBER = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$"


def _text_to_numbers(labels):
    """Strings as numbers by H2O-3's rule (not the parser's, which takes exponents and spaces)."""
    if pa.types.is_string(labels.type) or pa.types.is_large_string(labels.type):
        labels = pc.if_else(pc.match_substring_regex(labels, _H2O_NUMBER), labels, None)
    return convert_column(labels, "Numeric")


def _numbers_as_levels(column, own: str):
    """A number column as a factor whose levels are in numeric order, as H2O-3 orders them
    (``-3, 1, 2, 10``, not the text order ``-3, 1, 10, 2``); hashing, not sorting, every row."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    distinct = pc.unique(column).drop_null()
    distinct = pc.take(distinct, pc.array_sort_indices(distinct))
    codes = pc.index_in(column, value_set=distinct).cast(pa.int32())
    if own == "int":
        labels = pc.cast(distinct, pa.string())
    else:
        from .levels import java_double  # H2O-3 names a real level as Java writes the number

        labels = pa.array([java_double(float(x)) for x in distinct.to_numpy(zero_copy_only=False)], pa.string())
    return pa.chunked_array([pa.DictionaryArray.from_arrays(codes, labels)], pa.dictionary(pa.int32(), pa.string()))


def _converted(column, own: str, kind: str):
    if kind == "Enum" and own in ("int", "real"):
        return _numbers_as_levels(column, own)
    if own != "enum":
        return _text_to_numbers(column) if kind == "Numeric" else convert_column(column, kind)
    labels = column.cast(pa.string())
    if kind != "Numeric":
        return convert_column(labels, kind)
    # As in H2O-3: a factor whose levels are all numbers becomes those numbers; any other
    # factor becomes its level codes.
    as_numbers = _text_to_numbers(labels)
    if as_numbers.null_count == labels.null_count:
        return as_numbers
    return pa.chunked_array([c.indices for c in column.chunks]).cast(pa.int32())


@prim("as.factor")
def as_factor(ix: Interpreter, fr):
    return _retyped(v.frame(fr, "as.factor"), "Enum")


@prim("as.numeric")
def as_numeric(ix: Interpreter, fr):
    return _retyped(v.frame(fr, "as.numeric"), "Numeric")


@prim("as.character")
def as_character(ix: Interpreter, fr):
    return _retyped(v.frame(fr, "as.character"), "String")


def _question(name: str, kinds: tuple):
    def ask(ix: Interpreter, fr):
        fr = v.frame(fr, name)
        return [1.0 if kind in kinds else 0.0 for kind in fr.types]
    ask.__name__ = name.replace(".", "_")
    prim(name)(ask)
    return ask


is_factor = _question("is.factor", ("enum",))
is_numeric = _question("is.numeric", ("int", "real"))
is_character = _question("is.character", ("string",))


@prim("any.factor")
def any_factor(ix: Interpreter, fr):
    return 1.0 if "enum" in v.frame(fr, "any.factor").types else 0.0


@prim("columnsByType")
def columns_by_type(ix: Interpreter, fr, kind):
    fr = v.frame(fr, "columnsByType")
    wanted = {"numeric": ("int", "real"), "categorical": ("enum",), "string": ("string",), "time": ("time",),
              "uuid": ("uuid",), "bad": ()}.get(v.string(kind, "columnsByType", "the type"))
    if wanted is None:
        raise v.RapidsError("'columnsByType' knows numeric, categorical, string, time, uuid and bad.")
    return [float(i) for i, t in enumerate(fr.types) if t in wanted]
