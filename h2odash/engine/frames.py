"""Frames: immutable, column-typed tables held as Arrow tables, with H2O's column statistics.

Column types are H2O's: ``int``, ``real``, ``enum`` (categorical, held as an Arrow dictionary
whose dictionary is the sorted domain), ``string``, ``time`` (milliseconds since the epoch,
held as ``timestamp[ms]``) and ``uuid`` (held as strings). A frame never changes once built,
so its statistics are computed once, on first request, and cached.
"""

import hashlib
import math
import threading
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from h2odash.engine.errors import InvalidArgument

DEFAULT_PERCENTILES = (
    0.001, 0.01, 0.1, 0.2, 0.25, 0.3, 1 / 3, 0.4, 0.5, 0.6, 2 / 3, 0.7, 0.75, 0.8, 0.9, 0.99,
    0.999,
)
NUMERIC_TYPES = ("int", "real", "time")
# H2O shows the five smallest and five largest values of a column.
EXTREMES = 5
HISTOGRAM_MAX_BINS = 1000


@dataclass
class ColumnStats:
    """H2O's per-column roll-ups (ColV3 without the data preview)."""

    missing_count: int = 0
    zero_count: int = 0
    positive_infinity_count: int = 0
    negative_infinity_count: int = 0
    mins: list = field(default_factory=list)
    maxs: list = field(default_factory=list)
    mean: float = math.nan
    sigma: float = math.nan


@dataclass
class ColumnSummary:
    """The distribution of a column: histogram bins and percentiles (H2O's summary)."""

    histogram_bins: list
    histogram_base: float
    histogram_stride: float
    percentiles: list


class Frame:
    """A named table of typed columns.

    Parameters
    ----------
    key : str
        The frame's key name in the store.
    table : pyarrow.Table
        The data; enum columns must be dictionary-encoded with a sorted dictionary.
    types : list of str, optional
        H2O column types; inferred from the Arrow types when not given.
    """

    is_text = False

    def __init__(self, key, table, types=None):
        self.key = key
        self.table = table
        self.types = list(types) if types is not None else [h2o_type(t) for t in table.schema.types]
        if len(self.types) != table.num_columns:
            raise ValueError("one type per column is required")
        self._stats = {}
        self._summaries = {}
        self._checksum = None
        self._byte_size = None
        self._mutex = threading.Lock()

    # -- shape ---------------------------------------------------------------------------
    @property
    def names(self):
        return self.table.column_names

    @property
    def nrows(self):
        return self.table.num_rows

    @property
    def ncols(self):
        return self.table.num_columns

    @property
    def byte_size(self):
        # Summing the buffers of hundreds of chunks takes milliseconds; frames never change.
        if self._byte_size is None:
            self._byte_size = self.table.nbytes
        return self._byte_size

    def index_of(self, name, argument="column"):
        try:
            return self.names.index(name)
        except ValueError:
            raise InvalidArgument(argument, f"Frame '{self.key}' has no column named '{name}'.")

    def domain(self, col):
        """The sorted levels of an enum column, else None."""
        if self.types[col] != "enum":
            return None
        column = self.table.column(col)
        if column.num_chunks == 0:
            return []
        return column.chunk(0).dictionary.to_pylist()

    # -- statistics ----------------------------------------------------------------------
    def stats(self, col):
        """Roll-ups of column ``col`` (cached: frames are immutable)."""
        with self._mutex:
            cached = self._stats.get(col)
        if cached is None:
            cached = _column_stats(self.table.column(col), self.types[col])
            with self._mutex:
                self._stats[col] = cached
        return cached

    def summary(self, col):
        """Histogram and percentiles of column ``col``, or None for string-like columns."""
        with self._mutex:
            if col in self._summaries:
                return self._summaries[col]
        result = _column_summary(self.table.column(col), self.types[col], self.stats(col))
        with self._mutex:
            self._summaries[col] = result
        return result

    def checksum(self):
        """A 64-bit signed fingerprint of the data, types and names (stable while stored)."""
        with self._mutex:
            if self._checksum is not None:
                return self._checksum
        digest = hashlib.blake2b(digest_size=8)
        for name, kind, column in zip(self.names, self.types, self.table.columns):
            digest.update(f"{name}\x00{kind}\x00".encode())
            for chunk in column.chunks:
                for buf in chunk.buffers():
                    if buf is not None:
                        digest.update(buf)
                if isinstance(chunk, pa.DictionaryArray):
                    for buf in chunk.dictionary.buffers():
                        if buf is not None:
                            digest.update(buf)
        value = int.from_bytes(digest.digest(), "big", signed=True)
        with self._mutex:
            self._checksum = value
        return value

    # -- data ----------------------------------------------------------------------------
    def preview(self, col, row_offset, row_count):
        """Rows ``[row_offset, row_offset + row_count)`` of a column, as H2O shows them.

        Returns ``(data, string_data)``: numbers (enum codes, epoch milliseconds) with NaN for
        missing, or for string and uuid columns the strings with None for missing.
        """
        piece = self.table.column(col).slice(row_offset, row_count)
        kind = self.types[col]
        if kind in ("string", "uuid"):
            return None, piece.to_pylist()
        return numeric_values(piece, kind).tolist(), None


def h2o_type(arrow_type):
    """The H2O column type an Arrow type is shown as."""
    if pa.types.is_dictionary(arrow_type):
        return "enum"
    if pa.types.is_integer(arrow_type):
        return "int"
    if pa.types.is_floating(arrow_type) or pa.types.is_decimal(arrow_type):
        return "real"
    if pa.types.is_timestamp(arrow_type) or pa.types.is_date(arrow_type):
        return "time"
    if pa.types.is_boolean(arrow_type):
        return "int"
    return "string"


def numeric_values(column, kind):
    """A float64 numpy view of a column: enum codes, epoch ms for times, NaN for missing."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if kind == "enum":
        column = column.indices
    elif kind == "time":
        column = pc.cast(column, pa.timestamp("ms")).cast(pa.int64())
    elif pa.types.is_boolean(column.type):
        column = column.cast(pa.int8())
    if column.null_count == 0 and pa.types.is_floating(column.type):
        return column.to_numpy(zero_copy_only=False)
    return column.cast(pa.float64()).fill_null(math.nan).to_numpy(zero_copy_only=False)


def _column_stats(column, kind):
    stats = ColumnStats()
    if kind in ("string", "uuid"):
        stats.missing_count = column.null_count
        return stats
    values = numeric_values(column, kind)
    finite_mask = np.isfinite(values)
    nan_count = int(np.isnan(values).sum())
    stats.missing_count = nan_count
    stats.positive_infinity_count = int(np.isposinf(values).sum())
    stats.negative_infinity_count = int(np.isneginf(values).sum())
    stats.zero_count = int((values == 0).sum())
    finite = values[finite_mask] if stats.positive_infinity_count + stats.negative_infinity_count + nan_count else values
    if finite.size:
        k = min(EXTREMES, finite.size)
        stats.mins = np.sort(np.partition(finite, k - 1)[:k]).tolist() if finite.size > k else np.sort(finite).tolist()
        top = np.partition(finite, finite.size - k)[finite.size - k:] if finite.size > k else finite
        stats.maxs = np.sort(top)[::-1].tolist()
        if kind != "enum":
            stats.mean = float(finite.mean())
            stats.sigma = float(finite.std(ddof=1)) if finite.size > 1 else math.nan
    return stats


def _column_summary(column, kind, stats):
    if kind in ("string", "uuid"):
        return None
    values = numeric_values(column, kind)
    finite = values[np.isfinite(values)]
    if kind == "enum":
        cardinality = len(column.chunk(0).dictionary) if column.num_chunks else 0
        counts = np.bincount(finite.astype(np.int64), minlength=cardinality)
        return ColumnSummary(counts.tolist(), 0.0, 1.0, _percentiles(finite))
    if finite.size == 0:
        return ColumnSummary([], 0.0, 0.0, [math.nan] * len(DEFAULT_PERCENTILES))
    lo, hi = float(finite.min()), float(finite.max())
    bins, stride = _bin_layout(kind, lo, hi, finite.size)
    index = np.minimum(((finite - lo) / stride).astype(np.int64), bins - 1) if stride > 0 else np.zeros(finite.size, np.int64)
    counts = np.bincount(index, minlength=bins)
    return ColumnSummary(counts.tolist(), lo, stride, _percentiles(finite))


def _bin_layout(kind, lo, hi, n):
    """How many histogram bins of what width cover [lo, hi].

    Integer columns with a small range get one bin per integer (so counts read as the
    frequency of each value); everything else gets up to HISTOGRAM_MAX_BINS equal bins.
    """
    span = hi - lo
    if span == 0:
        return 1, 1.0 if kind == "int" else 0.0
    if kind == "int" and span + 1 <= HISTOGRAM_MAX_BINS:
        return int(span) + 1, 1.0
    bins = int(min(HISTOGRAM_MAX_BINS, max(1, n)))
    return bins, span / bins * (1 + 1e-12)


def _percentiles(finite):
    if finite.size == 0:
        return [math.nan] * len(DEFAULT_PERCENTILES)
    return np.quantile(finite, DEFAULT_PERCENTILES).tolist()


class FrameKey(str):
    """A frame's id given in a model's output (SVD's u_key and v_key): the server writes it as
    a key object, as H2O-3 does, rather than as a plain string."""
