"""Random frames (H2O-3's CreateFrame) and random missing values (its MissingInserter).

Both draw from H2O-3's per-cell seeded generator (:mod:`h2odash.engine.h2o_random`), a fresh
generator seeded from the seed, the row and the column, so a given seed gives the frame H2O-3
gives. Everything is drawn a column at a time over all rows.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from h2odash.engine import h2o_random
from h2odash.engine.errors import InvalidArgument
from h2odash.engine.frames import Frame
from h2odash.engine.jobs import Job
from h2odash.engine.parse import to_enum

MAX_RESPONSE_FACTORS = 1 << 10
FIFTY_YEARS_MS = 50 * 365 * 24 * 3600 * 1000
STRING_LENGTH = 8


@dataclass
class CreateFrameSpec:
    """CreateFrame's parameters with H2O-3's defaults (hex.CreateFrame)."""

    rows: int = 10000
    cols: int = 10
    seed: int = -1
    seed_for_column_types: int = -1
    randomize: bool = True
    value: int = 0
    real_range: int = 100
    categorical_fraction: float = 0.2
    factors: int = 100
    integer_fraction: float = 0.2
    integer_range: int = 100
    binary_fraction: float = 0.1
    binary_ones_fraction: float = 0.02
    time_fraction: float = 0.0
    string_fraction: float = 0.0
    missing_fraction: float = 0.01
    has_response: bool = False
    response_factors: int = 2
    positive_response: bool = False

    def check(self) -> None:
        """H2O-3's checks, in its order and words."""
        fractions = {"Integer": self.integer_fraction, "Binary": self.binary_fraction, "Time": self.time_fraction,
                     "String": self.string_fraction, "Binary ones": self.binary_ones_fraction,
                     "Categorical": self.categorical_fraction, "Missing": self.missing_fraction}
        if self.integer_fraction + self.binary_fraction + self.categorical_fraction + self.time_fraction \
                + self.string_fraction > 1.00000001:
            _fail("Integer, binary, categorical, time and string fractions must add up to <= 1.")
        for what, share in fractions.items():
            if not 0 <= share <= 1:
                _fail(f"{what} fraction must be between 0 and 1.")
        if self.categorical_fraction > 0 and self.factors <= 1:
            _fail("Factors must be larger than 2 for categorical data.")
        if self.response_factors < 1:
            _fail("Response factors must be either 1 (real-valued response), or >=2 (factor levels).")
        if self.response_factors > MAX_RESPONSE_FACTORS:
            _fail(f"Response factors must be <= {MAX_RESPONSE_FACTORS}.")
        if self.factors > 10_000_000:
            _fail("Number of factors must be <= 10,000,000).")
        if self.cols <= 0 or self.rows <= 0:
            _fail("Must have number of rows > 0 and columns > 0.")
        if not self.randomize:
            if self.integer_fraction or self.categorical_fraction or self.time_fraction or self.string_fraction:
                _fail("Cannot have integer, categorical or time fractions > 0 unless randomize=true.")
        elif self.value != 0:
            _fail("Cannot set data to a constant value if randomize=true.")

    def column_kinds(self) -> list[str]:
        """The kind of each data column (after the response), placed as H2O-3 shuffles them."""
        counts = {kind: int(share * self.cols + 0.1) for kind, share in (
            ("cat", self.categorical_fraction), ("int", self.integer_fraction), ("bin", self.binary_fraction),
            ("time", self.time_fraction), ("str", self.string_fraction))}
        real = self.cols - sum(counts.values())
        for kind in ("cat", "int", "bin", "time", "str"):   # too many allotted: give back, in this order
            if real < 0 and counts[kind] > 0:
                counts[kind] -= 1
                real += 1
        order = (["cat"] * counts["cat"] + ["int"] * counts["int"] + ["real"] * real + ["bin"] * counts["bin"]
                 + ["time"] * counts["time"] + ["str"] * counts["str"])
        kinds = [""] * self.cols
        for kind, column in zip(order, _shuffled(self.cols, self.seed_for_column_types)):
            kinds[column] = kind
        return kinds


def _fail(message: str):
    raise InvalidArgument("CreateFrame", message)


def _shuffled(n: int, seed: int) -> list[int]:
    """ArrayUtils.shuffleArray(seq, n, out, seed, 0): an inside-out shuffle of 0..n-1 (plus the
    response offset applied by the caller)."""
    rng = _ScalarRandom(seed)
    result = [0] * n
    for i in range(1, n):
        j = rng.next_int_below(i + 1)
        if j != i:
            result[i] = result[j]
        result[j] = i
    return result


class _ScalarRandom:
    """One generator, for the few draws that are not per row."""

    def __init__(self, seed: int):
        self._g = h2o_random.Generators(np.array([seed], dtype=np.int64))

    def next_int_below(self, bound: int) -> int:
        return int(self._g.next_int_below(bound)[0])


def _cell_generators(seed: int, cols: int, col: int, nrows: int) -> h2o_random.Generators:
    """FrameRandomizer's per-cell seeding: ``setSeed(seed + cols*row + col)``, then reseed
    with its own ``nextLong()``."""
    rows = np.arange(nrows, dtype=np.int64)
    with np.errstate(over="ignore"):
        seeds = np.int64(seed) + np.int64(cols) * rows + np.int64(col)
    g = h2o_random.Generators(seeds)
    g.set_seed(g.next_long())
    return g


def create_frame(spec: CreateFrameSpec) -> Frame:
    """Build the frame CreateFrame describes (unnamed: the caller stores it)."""
    spec.check()
    if spec.seed == -1:
        spec.seed = random.getrandbits(63)
    if spec.seed_for_column_types == -1:
        spec.seed_for_column_types = spec.seed
    n = spec.rows
    names, arrays, types = [], [], []
    if spec.has_response:
        names.append("response")
        if not spec.randomize:
            arrays.append(np.full(n, float(spec.value)))
            types.append("int")
        else:
            draw = _cell_generators(spec.seed, spec.cols, 0, n).next_double()
            if spec.response_factors > 1:
                codes = (draw * spec.response_factors).astype(np.int64)
                arrays.append(_enum(codes, [str(i) for i in range(spec.response_factors)]))
                types.append("enum")
            elif spec.positive_response:
                arrays.append(spec.real_range * draw)
                types.append("real")
            else:
                arrays.append(spec.real_range * (1 - 2 * draw))
                types.append("real")
    offset = 1 if spec.has_response else 0
    kinds = spec.column_kinds() if spec.randomize else ["const"] * spec.cols
    for i, kind in enumerate(kinds):
        col = i + offset
        names.append(f"C{i + 1}" if not spec.has_response else f"C{col}")
        array, kind_type = _data_column(spec, kind, col, n)
        arrays.append(array)
        types.append(kind_type)
    _insert_missing(arrays, types, spec.missing_fraction, spec.seed)
    columns = [_arrow(a, t) for a, t in zip(arrays, types)]
    return Frame("", pa.table(dict(zip(names, columns))), types)


def _data_column(spec: CreateFrameSpec, kind: str, col: int, n: int):
    if kind == "const":
        return np.full(n, float(spec.value)), "int"
    g = _cell_generators(spec.seed, spec.cols, col, n)
    if kind == "cat":
        codes = (g.next_double() * spec.factors).astype(np.int64)
        return _enum(codes, [f"c{col}.l{i}" for i in range(spec.factors)]), "enum"
    if kind == "int":
        r = spec.integer_range
        return (-r + np.floor(g.next_double() * (2 * r + 1))).astype(np.float64), "int"
    if kind == "real":
        return spec.real_range * (1 - 2 * g.next_double()), "real"
    if kind == "bin":
        return np.where(g.next_float() > spec.binary_ones_fraction, 0.0, 1.0), "int"
    if kind == "time":
        with np.errstate(over="ignore"):
            return np.abs(np.fmod(g.next_long(), FIFTY_YEARS_MS)).astype(np.float64), "time"
    letters = np.column_stack([65 + g.next_int_below(25) for _ in range(STRING_LENGTH)]).astype(np.uint8)
    return pa.array(np.ascontiguousarray(letters).view(f"S{STRING_LENGTH}").ravel().astype(str)), "string"


def _enum(codes: np.ndarray, levels: list[str]) -> pa.ChunkedArray:
    return to_enum(pc.take(pa.array(levels, pa.string()), pa.array(codes)))


def _arrow(values, kind: str):
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return values
    missing = np.isnan(values)
    if kind == "time":
        return pa.array(np.where(missing, 0, values).astype(np.int64), type=pa.timestamp("ms"), mask=missing)
    if kind == "int":
        return pa.array(np.where(missing, 0, values).astype(np.int64), mask=missing)
    return pa.array(values, mask=missing, type=pa.float64())


def _insert_missing(arrays: list, types: list[str], fraction: float, seed: int) -> None:
    """CreateFrame's last step: FrameUtils.MissingInserter with the frame's seed (in place)."""
    if fraction <= 0 or not arrays:
        return
    n = len(arrays[0])
    for c, values in enumerate(arrays):
        hit = missing_mask(n, c, fraction, seed)
        if isinstance(values, np.ndarray):
            arrays[c] = np.where(hit, np.nan, values)
        else:
            arrays[c] = _null_where(values, hit)


def missing_mask(nrows: int, col: int, fraction: float, seed: int) -> np.ndarray:
    """MissingInserter's choice for one column: the cell at ``row`` goes missing when
    ``getRNG((seed + 1234*col) ^ (1723*row)).nextDouble() < fraction``."""
    rows = np.arange(nrows, dtype=np.int64)
    with np.errstate(over="ignore"):
        seeds = (np.int64(seed) + np.int64(1234 * col)) ^ (np.int64(1723) * rows)
    return h2o_random.seeded_double(seeds) < fraction


def _null_where(column, hit: np.ndarray):
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    return pc.if_else(pa.array(hit), pa.nulls(len(column), column.type), column)


def insert_missing(frame: Frame, fraction: float, seed: int) -> Frame:
    """A copy of ``frame`` with about ``fraction`` of its cells set missing (MissingInserter)."""
    if not 0 <= fraction <= 1:
        raise InvalidArgument("fraction", "fraction must be between 0 and 1.")
    columns = [_null_where(frame.table.column(c), missing_mask(frame.nrows, c, fraction, seed))
               for c in range(frame.ncols)]
    return Frame(frame.key, pa.table(dict(zip(frame.names, columns))), frame.types)


# -- jobs -----------------------------------------------------------------------------------------
def start_create_frame(engine, spec: CreateFrameSpec, destination: str) -> Job:
    """Check ``spec`` now (a bad request is a 400, not a failed job), then build the frame in a job."""
    spec.check()
    job = Job("CreateFrame", destination, "Frame")

    def work(job):
        frame = create_frame(spec)
        engine.store.put(destination, Frame(destination, frame.table, frame.types))
        return destination

    return engine.jobs.start(job, work)


def start_missing_inserter(engine, key: str, fraction: float, seed: int | None) -> Job:
    """Replace frame ``key`` by a copy with missing cells, in a job (MissingValueInserter)."""
    frame = engine.store.get(key, Frame, "dataset")
    if not 0 <= fraction <= 1:
        raise InvalidArgument("fraction", "fraction must be between 0 and 1.")
    seed = random.getrandbits(63) if seed is None else h2o_random.wrap_long(int(seed))
    job = Job("MissingValueInserter", key, "Frame")

    def work(job):
        engine.store.put(key, insert_missing(frame, fraction, seed))
        return key

    return engine.jobs.start(job, work)
