"""Parsing raw files into frames, as a job: H2O's Parse with pyarrow doing the heavy lifting.

Text is read by Arrow's multi-threaded CSV reader; every column is then converted to the H2O
type the setup asks for, by the same conversion whatever the source format was.
"""

import re

import numpy as np
import psutil
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from h2odash.engine.errors import InvalidArgument
from h2odash.engine.frames import Frame
from h2odash.engine.parse_setup import DEFAULT_NA_STRINGS, HEADER_YES, TIME_FORMATS
from h2odash.engine.readers import read_svmlight, read_xlsx_rows, rows_to_table

_NUMBER_PATTERN = r"^\s*[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf|infinity|Inf|Infinity|INF)\s*$"
# How much memory a parsed frame can take per byte of (uncompressed) input, with the
# temporary copies a parse makes; used to refuse parses that cannot fit before starting them.
_MEMORY_PER_INPUT_BYTE = 3
_COMPRESSION_RATIO = {"gzip": 5, "bz2": 8, "zip": 5, "xlsx": 10, "parquet": 6, "plain": 1}
_BLOCK_SIZE = 1 << 20
_TEXT_TYPES = ("Enum", "String", "UUID")  # measured: 16 MB blocks read the 1M-row file twice as slowly


def check_fits_in_memory(raws):
    """Refuse, before any work, a parse whose result cannot fit in the memory left."""
    needed = sum(r.byte_size * _COMPRESSION_RATIO.get(r.container(), 1) for r in raws) * _MEMORY_PER_INPUT_BYTE
    available = psutil.virtual_memory().available
    if needed > available:
        raise InvalidArgument(
            "source_frames",
            f"Parsing these files needs about {needed / 2**30:.1f} GiB of memory but only "
            f"{available / 2**30:.1f} GiB is free. Free memory (delete frames and models) or "
            "parse a smaller file.",
        )


def parse_frame(raws, setup, destination_frame, job):
    """Read every raw source with ``setup`` and return the combined :class:`Frame`."""
    keep = [i for i in range(setup.number_columns) if i not in set(setup.skipped_columns or ())]
    tables = []
    for n, raw in enumerate(raws):
        job.update(n / (len(raws) + 1), f"Parsing {raw.display_name} ({n + 1} of {len(raws)})")
        try:
            table = _read_source(raw, setup, keep)
        except pa.ArrowInvalid as exc:
            raise InvalidArgument("source_frames", f"Cannot parse '{raw.display_name}': {_arrow_reason(exc)}")
        except ValueError as exc:
            raise InvalidArgument("source_frames", f"Cannot parse '{raw.display_name}': {exc}")
        tables.append(table)
    job.update(len(raws) / (len(raws) + 1), "Converting columns")
    names = [setup.column_names[i] for i in keep]
    types = [setup.column_types[i] for i in keep]
    columns = []
    for name, kind in zip(names, types):
        columns.append(convert_column(_concat([t.column(name) for t in tables]), kind))
        job.check_cancelled()
    return Frame(destination_frame, pa.table(dict(zip(names, columns))))


def _concat(parts):
    """One column from the same column of several files (as text when their types differ)."""
    if len(parts) == 1:
        return parts[0]
    kind = parts[0].type if len({p.type for p in parts}) == 1 else pa.string()
    return pa.chunked_array([c.cast(kind) for p in parts for c in p.chunks], kind)


def _read_source(raw, setup, keep):
    names = setup.column_names
    if setup.parse_type == "PARQUET":
        table = pq.read_table(raw.path)
        if table.num_columns != len(names):
            raise ValueError(f"it has {table.num_columns} columns where {len(names)} were expected")
        return table.rename_columns(names).select([names[i] for i in keep])
    if setup.parse_type == "XLSX":
        rows = read_xlsx_rows(raw.path)
        if setup.check_header == HEADER_YES:
            rows = rows[1:]
        return rows_to_table(rows, names).select([names[i] for i in keep])
    if setup.parse_type == "SVMLight":
        with raw.open_text_bytes() as stream:
            table = read_svmlight(stream, len(names))
        if table.num_columns > len(names):
            raise ValueError(f"it has {table.num_columns} columns where {len(names)} were expected")
        return table
    return _read_csv(raw, setup, keep)


def _read_csv(raw, setup, keep):
    names = setup.column_names
    bad_rows = []

    def on_bad_row(row):
        bad_rows.append(row)
        return "error"

    read = pacsv.ReadOptions(
        column_names=names,
        skip_rows=1 if setup.check_header == HEADER_YES else 0,
        block_size=_BLOCK_SIZE,
        use_threads=True,
    )
    parse = pacsv.ParseOptions(
        delimiter=setup.separator_char,
        quote_char="'" if setup.single_quotes else '"',
        escape_char=chr(setup.escapechar) if setup.escapechar else False,
        ignore_empty_lines=True,
        invalid_row_handler=on_bad_row,
    )
    given_na, own_na = _na_tokens(setup, keep)
    text = [i for i in keep if setup.column_types[i] in _TEXT_TYPES]
    # Enums are dictionary-encoded while reading (cheaper than encoding strings afterwards).
    # Arrow's reader takes one list of missing-value tokens for all columns, and applies it
    # only to columns it reads as numbers or times (strings_can_be_null=False): a text column's
    # missing values are nulled after reading, and so are those of a column with tokens of
    # its own (read as text for that).
    as_read = {"Enum": pa.dictionary(pa.int32(), pa.string()), "String": pa.string(), "UUID": pa.string()}
    column_types = {names[i]: as_read[setup.column_types[i]] for i in keep if setup.column_types[i] in as_read}
    column_types.update({names[i]: pa.string() for i in own_na})
    convert = pacsv.ConvertOptions(
        column_types=column_types,
        null_values=sorted(set(DEFAULT_NA_STRINGS) | given_na),
        strings_can_be_null=False,
        include_columns=[names[i] for i in keep],
        timestamp_parsers=[pacsv.ISO8601, *TIME_FORMATS],
    )
    try:
        with raw.open_native() as stream:
            table = pacsv.read_csv(stream, read_options=read, parse_options=parse, convert_options=convert)
    except pa.ArrowInvalid:
        if bad_rows:
            row = bad_rows[0]
            line = row.number if row.number is not None else _find_line(raw, row.text)
            where = f"line {line}" if line else "a line"
            raise ValueError(
                f"{where} has {row.actual_columns} fields where {row.expected_columns} columns "
                f"were expected: {row.text[:80]!r}. Fix the file, or set the separator and "
                "column names to match it."
            ) from None
        raise
    for i in sorted(set(own_na) | set(text)):
        if i in text:
            # H2O-3 keeps "NA", "nan", "null"... as labels of text columns: only empty fields
            # and the caller's tokens are missing there
            tokens = {""} | given_na | own_na.get(i, set())
        else:
            tokens = set(DEFAULT_NA_STRINGS) | given_na | own_na[i]
        at = table.schema.get_field_index(names[i])
        table = table.set_column(at, names[i], _null_tokens(table.column(at), tokens))
    return table


def _null_tokens(column, tokens):
    """``column`` (text, or dictionary-encoded text) with ``tokens`` made missing; a dictionary
    loses them from its levels too."""
    value_set = pa.array(sorted(tokens), pa.string())
    if not pa.types.is_dictionary(column.type):
        return pc.if_else(pc.is_in(column, value_set=value_set), pa.scalar(None, column.type), column)
    chunks = []
    for chunk in column.chunks:
        hit = np.asarray(pc.is_in(chunk.dictionary, value_set=value_set))
        if not hit.any():
            chunks.append(chunk)
            continue
        remap = (np.cumsum(~hit) - 1).astype(np.int32)
        codes = np.asarray(pc.fill_null(chunk.indices, 0))
        missing = hit[codes] | np.asarray(chunk.indices.is_null())
        chunks.append(pa.DictionaryArray.from_arrays(pa.array(remap[codes], mask=missing),
                                                     chunk.dictionary.filter(pa.array(~hit))))
    return pa.chunked_array(chunks, column.type)


def _find_line(raw, text):
    """The line number of a bad row (Arrow's threaded reader does not know it)."""
    target = text.encode()
    with raw.open_text_bytes() as stream:
        for number, line in enumerate(stream, start=1):
            if line.rstrip(b"\r\n") == target:
                return number
    return None


def _na_tokens(setup, keep):
    """The caller's missing-value tokens: those for every kept column, and ``{column index:
    its own further tokens}``.

    ``na_strings`` is H2O's list of token lists, one per column (h2o-py repeats a flat list for
    every column, and gives ``[]`` to columns a dict does not name); bare tokens apply to all.
    """
    given = setup.na_strings or []
    shared = {str(t) for t in given if t is not None and not isinstance(t, (list, tuple))}
    lists = [t for t in given if isinstance(t, (list, tuple))]
    if not lists:
        return shared, {}
    if len(given) != setup.number_columns or len(lists) != len(given):
        # not one list per column: every token counts for every column
        return shared | {str(t) for entry in lists for t in entry}, {}
    own = {i: {str(t) for t in given[i]} for i in keep}
    shared |= set.intersection(*own.values()) if own else set()
    return shared, {i: tokens - shared for i, tokens in own.items() if tokens - shared}


def convert_column(column, kind):
    """Convert an Arrow column to the storage of the H2O parse type ``kind``."""
    if kind == "Numeric":
        return _to_numeric(column)
    if kind == "Enum":
        return to_enum(column)
    if kind in ("String", "UUID"):
        return column if pa.types.is_string(column.type) else column.cast(pa.string())
    if kind == "Time":
        return _to_time(column)
    raise InvalidArgument("column_types", f"Unknown column type '{kind}'.")


def _to_numeric(column):
    t = column.type
    if pa.types.is_integer(t):
        return _narrowest_int(column)
    if pa.types.is_floating(t):
        return _whole_numbers_as_int(column)
    if pa.types.is_null(t):
        return column.cast(pa.float64())
    if pa.types.is_boolean(t):
        return column.cast(pa.int8())
    if pa.types.is_timestamp(t) or pa.types.is_date(t):
        return column.cast(pa.timestamp("ms")).cast(pa.int64())
    if pa.types.is_dictionary(t):
        column = column.cast(pa.string())
    # Text in a numeric column: numbers are kept, anything else becomes missing, as in H2O.
    text = pc.utf8_trim_whitespace(column)
    numeric = pc.if_else(pc.match_substring_regex(text, _NUMBER_PATTERN), text, None)
    return _whole_numbers_as_int(numeric.cast(pa.float64()))


def _whole_numbers_as_int(values):
    """A float column whose values are all whole numbers (``13.0``, ``16.0``) is an int column,
    as H2O-3 types it; NaN, infinities or any fraction keep it real."""
    if values.null_count == len(values):
        return values
    as_int = values.cast(pa.int64(), safe=False)
    if pc.all(pc.equal(as_int.cast(pa.float64(), safe=False), values)).as_py():
        return _narrowest_int(as_int)
    return values


def _narrowest_int(column):
    """Integers in the smallest type that holds them: most integer columns are small codes,
    and memory is what limits the frames one machine can hold."""
    bounds = pc.min_max(column).as_py()
    if bounds["min"] is None:
        return column
    for kind in (pa.int8(), pa.int16(), pa.int32()):
        info = np.iinfo(kind.to_pandas_dtype())
        if info.min <= bounds["min"] and bounds["max"] <= info.max:
            return column.cast(kind)
    return column


def to_enum(column):
    """Dictionary-encode a column with its levels sorted, as H2O orders an enum's domain."""
    if pa.types.is_dictionary(column.type) and pa.types.is_string(column.type.value_type):
        return _sort_levels(column)
    if not pa.types.is_string(column.type):
        column = column.cast(pa.string())
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    levels = pc.unique(column).drop_null()
    levels = pc.take(levels, pc.array_sort_indices(levels))
    indices = pc.index_in(column, value_set=levels).cast(pa.int32())
    return pa.chunked_array([pa.DictionaryArray.from_arrays(indices, levels)])


def _sort_levels(column):
    """Re-code a dictionary column so that its levels are sorted, without decoding it."""
    if not isinstance(column, pa.ChunkedArray):
        column = pa.chunked_array([column])
    column = column.unify_dictionaries()
    if column.num_chunks == 0:
        return pa.chunked_array([pa.DictionaryArray.from_arrays(pa.array([], pa.int32()), pa.array([], pa.string()))])
    dictionary = column.chunk(0).dictionary
    if len(dictionary) == 0:  # every value missing: no levels to sort
        empty = pa.DictionaryArray.from_arrays(pa.nulls(len(column), pa.int32()), pa.array([], pa.string()))
        return pa.chunked_array([empty], pa.dictionary(pa.int32(), pa.string()))
    order = pc.array_sort_indices(dictionary)
    levels = pc.take(dictionary, order)
    rank = np.empty(len(order), dtype=np.int32)
    rank[order.to_numpy()] = np.arange(len(order), dtype=np.int32)
    # One pass over all the codes at once: a take per 1 MB block cost more than the re-coding.
    indices = pa.chunked_array([chunk.indices for chunk in column.chunks]).combine_chunks()
    codes = rank[np.asarray(pc.fill_null(indices, 0))]
    missing = np.asarray(indices.is_null()) if indices.null_count else None
    recoded = pa.DictionaryArray.from_arrays(pa.array(codes, mask=missing), levels)
    return pa.chunked_array([recoded], pa.dictionary(pa.int32(), pa.string()))


def _to_time(column):
    t = column.type
    if pa.types.is_timestamp(t) or pa.types.is_date(t):
        return column.cast(pa.timestamp("ms"))
    if pa.types.is_integer(t) or pa.types.is_floating(t):
        return column.cast(pa.int64()).cast(pa.timestamp("ms"))
    if pa.types.is_null(t):
        return column.cast(pa.timestamp("ms"))
    text = pc.utf8_trim_whitespace(column.cast(pa.string()))
    best, best_count = None, -1
    for fmt in TIME_FORMATS:
        parsed = pc.strptime(text, format=fmt, unit="ms", error_is_null=True)
        count = len(parsed) - parsed.null_count
        if count > best_count:
            best, best_count = parsed, count
        if parsed.null_count == text.null_count:
            break
    return best


def _arrow_reason(exc):
    return re.sub(r"^CSV parse error:\s*", "", str(exc))
