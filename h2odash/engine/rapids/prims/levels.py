"""Levels and counting: ``levels``, ``nlevels``, ``setLevel``, ``setDomain``, ``appendLevels``,
``relevel``, ``relevel.by.freq``, ``cut``, ``table``, ``unique``, ``hist``, ``h2o.runif`` and
``match``.

Several of these give an enum whose levels are not in sorted order (``relevel`` puts a level
first, ``cut`` lists its intervals in order): H2O-3 keeps a domain in the order it was given, and
so do these operations.
"""
from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from h2odash.engine.frames import Frame

from ..interpreter import Interpreter, RapidsError, prim
from ..syntax import NumList
from .. import values as v


# -- helpers shared with the string operations ------------------------------------------------
def enum_array(codes: np.ndarray, levels, missing: np.ndarray | None = None) -> pa.DictionaryArray:
    """An enum column from level codes (``missing`` marks NA rows) and its levels, in the order
    given (not re-sorted)."""
    codes = np.asarray(codes)
    if missing is not None:
        codes = np.where(missing, 0, codes)
    indices = pa.array(codes.astype(np.int32), mask=missing, type=pa.int32())
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(levels) if not isinstance(levels, pa.Array)
                                                            else levels, pa.string()))


def enum_codes(fr: Frame, col: int) -> tuple[np.ndarray, np.ndarray]:
    """An enum column's level codes (0 where missing) and its missing-value mask."""
    column = fr.table.column(col)
    column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if not isinstance(column, pa.DictionaryArray):
        column = column.dictionary_encode()
    indices = column.indices
    missing = indices.is_null().to_numpy(zero_copy_only=False)
    codes = indices.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, missing


def one_enum_column(fr, op: str) -> Frame:
    fr = v.frame(fr, op)
    if fr.ncols != 1:
        raise RapidsError(f"'{op}' works on a single column at a time; got {fr.ncols} columns.")
    if fr.types[0] != "enum":
        raise RapidsError(f"'{op}' needs a factor (enum) column; column '{fr.names[0]}' is {fr.types[0]}.")
    return fr


def java_double(x: float) -> str:
    """A number written as Java's ``Double.toString`` writes it (H2O-3 names levels and columns
    with it): ``10.0``, ``0.25``, ``1.0E7``, ``1.0E-4``."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "-0.0" if math.copysign(1, x) < 0 else "0.0"
    if 1e-3 <= abs(x) < 1e7:
        text = repr(float(x))
        return text if "e" not in text else f"{x:f}".rstrip("0")
    mantissa, exponent = np.format_float_scientific(x, unique=True).split("e")
    if mantissa.endswith("."):
        mantissa += "0"
    return f"{mantissa}E{int(exponent)}"


def _keep_in_place(ix: Interpreter, original: Frame, changed: Frame, in_place: bool) -> Frame:
    """H2O-3 changes a stored frame itself when asked to work in place; frames here are
    immutable, so the changed one replaces it under the same key."""
    if in_place and original.key:
        return ix.store_frame(original.key, changed, temporary=False)
    return changed


# -- levels --------------------------------------------------------------------------------
@prim("levels")
def levels(ix: Interpreter, fr):
    """One enum column per input column listing its levels (padded with NA to the longest
    domain); a column without levels gives an all-missing column."""
    fr = v.frame(fr, "levels")
    domains = [fr.domain(c) for c in range(fr.ncols)]
    longest = max((len(d) for d in domains if d is not None), default=0)
    arrays, types = [], []
    positions = np.arange(longest)
    for domain in domains:
        if domain is None:
            arrays.append(pa.nulls(longest, pa.float64()))
            types.append("int")
        else:
            arrays.append(enum_array(positions, domain, positions >= len(domain)))
            types.append("enum")
    return v.make_frame([f"C{i + 1}" for i in range(fr.ncols)], arrays, types)


@prim("nlevels")
def nlevels(ix: Interpreter, fr):
    fr = v.frame(fr, "nlevels")
    if fr.ncols != 1:
        raise RapidsError(f"'nlevels' applies to a single column; got {fr.ncols} columns.")
    domain = fr.domain(0)
    return float(len(domain)) if domain is not None else 0.0


@prim("setLevel")
def set_level(ix: Interpreter, fr, level):
    """Every row (missing ones too) becomes ``level``; the levels stay as they were."""
    fr = one_enum_column(fr, "setLevel")
    level = v.string(level, "setLevel", "the level")
    domain = fr.domain(0)
    if level not in domain:
        raise RapidsError(f"Did not find level '{level}' in column '{fr.names[0]}'.")
    codes = np.full(fr.nrows, domain.index(level))
    return v.make_frame(fr.names, [enum_array(codes, domain)], ["enum"])


@prim("setDomain")
def set_domain(ix: Interpreter, fr, in_place, new_levels):
    """Rename the levels. When fewer names than levels are given, the levels actually used are
    renamed (in order) and unused ones dropped, as H2O-3 does."""
    fr = one_enum_column(fr, "setDomain")
    in_place = v.flag(in_place, "setDomain", "inPlace")
    names = v.strings(new_levels, "setDomain", "the new levels")
    codes, missing = enum_codes(fr, 0)
    if len(names) != len(fr.domain(0)):
        used = np.unique(codes[~missing])
        if len(used) != len(names):
            raise RapidsError(f"Number of replacement levels must equal the current number of levels: "
                              f"the column uses {len(used)}, got {len(names)}.")
        codes = np.searchsorted(used, codes)
    changed = v.make_frame(fr.names, [enum_array(codes, names, missing)], ["enum"])
    return _keep_in_place(ix, fr, changed, in_place)


@prim("appendLevels")
def append_levels(ix: Interpreter, fr, in_place, extra):
    fr = one_enum_column(fr, "appendLevels")
    in_place = v.flag(in_place, "appendLevels", "inPlace")
    extra = v.strings(extra, "appendLevels", "the extra levels")
    codes, missing = enum_codes(fr, 0)
    changed = v.make_frame(fr.names, [enum_array(codes, fr.domain(0) + extra, missing)], ["enum"])
    return _keep_in_place(ix, fr, changed, in_place)


@prim("relevel")
def relevel(ix: Interpreter, fr, level):
    """``level`` becomes the first level (the reference level of models); the rest keep their order."""
    fr = one_enum_column(fr, "relevel")
    level = v.string(level, "relevel", "the level")
    domain = fr.domain(0)
    if level not in domain:
        raise RapidsError(f"Did not find level '{level}' in column '{fr.names[0]}'.")
    first = domain.index(level)
    order = [first] + [i for i in range(len(domain)) if i != first]
    return _reordered(fr, 0, np.asarray(order))


def _reordered(fr: Frame, col: int, order: np.ndarray) -> Frame:
    """Column ``col`` with its levels put in ``order`` (old positions), values unchanged."""
    domain = fr.domain(col)
    mapping = np.empty(len(order), dtype=np.int64)
    mapping[order] = np.arange(len(order))
    codes, missing = enum_codes(fr, col)
    array = enum_array(mapping[codes] if len(mapping) else codes, [domain[i] for i in order], missing)
    return v.make_frame([fr.names[col]], [array], ["enum"])


@prim("relevel.by.freq")
def relevel_by_frequency(ix: Interpreter, fr, weights, top_n):
    """Every enum column's levels ordered by frequency (or total weight), most frequent first;
    with ``top_n``, only the ``top_n`` most frequent move to the front."""
    fr = v.frame(fr, "relevel.by.freq")
    weight_values = None
    if not (isinstance(weights, NumList) and weights.is_empty):
        name = v.string(weights, "relevel.by.freq", "the weights column")
        if name not in fr.names:
            raise RapidsError(f"Frame doesn't contain weights column '{name}'.")
        weight_values = v.column_floats(fr, fr.names.index(name))
        if np.isnan(weight_values).any():
            raise RapidsError("The weights column cannot contain missing values.")
        if len(weight_values) and weight_values.min() < 0:
            raise RapidsError("Negative weights are not allowed.")
    top = v.number(top_n, "relevel.by.freq", "topN")
    if (top != -1 and top <= 0) or int(top) != top:
        raise RapidsError(f"topN needs to be a positive whole number (or -1 for all levels), got {top:g}.")
    top = int(top)
    arrays, types = [], []
    for col in range(fr.ncols):
        if fr.types[col] != "enum":
            arrays.append(fr.table.column(col))
            types.append(fr.types[col])
            continue
        codes, missing = enum_codes(fr, col)
        present = codes[~missing]
        size = int(present.max()) + 1 if len(present) else 0   # as H2O-3: levels past the last used stay put
        totals = np.bincount(present, weights=None if weight_values is None else weight_values[~missing],
                             minlength=size)
        order = np.argsort(-totals, kind="stable")
        if top != -1 and top < len(order) - 1:
            leaders = order[:top]
            order = np.concatenate([leaders, np.setdiff1d(np.arange(size), leaders)])
        order = np.concatenate([order, np.arange(size, len(fr.domain(col)))]).astype(np.int64)
        arrays.append(_reordered(fr, col, order).table.column(0))
        types.append("enum")
    return v.make_frame(fr.names, arrays, types)


# -- cut -----------------------------------------------------------------------------------
@prim("cut")
def cut(ix: Interpreter, fr, breaks, labels, include_lowest, right, digits):
    """Bin a numeric column into intervals: ``(a,b]`` (``right``) or ``[a,b)``; with
    ``include_lowest`` the first interval is closed on the left. Breaks are rounded to
    ``digits`` decimals before binning, as H2O-3 does. A single number ``n`` cuts the range into
    ``n`` equal intervals (widened by 0.1% at each end, as R does)."""
    fr = v.frame(fr, "cut")
    if fr.ncols != 1 or fr.types[0] not in ("int", "real"):
        raise RapidsError("'cut' needs a single numeric column.")
    cuts = np.sort(np.asarray(v.numbers(breaks, "cut", "the breaks"), dtype=np.float64))
    names = None if isinstance(labels, NumList) and labels.is_empty else v.strings(labels, "cut", "the labels")
    lowest = v.number(include_lowest, "cut", "include_lowest") == 1
    closed_right = v.number(right, "cut", "right") == 1
    places = min(int(v.number(digits, "cut", "digits")), 12)
    x = v.column_floats(fr, 0)
    if len(cuts) == 0:
        raise RapidsError("'cut' needs breaks: a list of numbers or how many intervals to make.")
    if len(cuts) == 1:
        if cuts[0] < 2:
            raise RapidsError(f"The number of intervals must be at least 2; got {cuts[0]:g}.")
        count = int(math.floor(cuts[0]))
        low, high = np.nanmin(x), np.nanmax(x)
        cuts = np.linspace(low, high, count + 1)
        cuts[0] -= 0.001 * (high - low)
        cuts[-1] += 0.001 * (high - low)
    bins = len(cuts) - 1
    if names is not None and len(names) != bins:
        raise RapidsError(f"'cut' got {len(names)} labels for {bins} intervals.")
    scale = 10.0 ** places
    cuts = np.floor(cuts * scale + 0.5) / scale
    if names is None:
        opening, closing = ("(", "]") if closed_right else ("[", ")")
        names = [("[" if lowest and i == 0 else opening) + f"{java_double(cuts[i])},{java_double(cuts[i + 1])}"
                 + closing for i in range(bins)]
    with np.errstate(invalid="ignore"):
        near_first = np.abs(x - cuts[0]) <= np.spacing(np.minimum(np.abs(x), abs(cuts[0])))
        near_last = np.abs(x - cuts[-1]) <= np.spacing(np.minimum(np.abs(x), abs(cuts[-1])))
        outside = np.isnan(x) | (x < cuts[0]) | (x > cuts[-1])
        if not lowest:
            outside |= near_first
        if not closed_right:
            outside |= near_last | (x >= cuts[-1])
    codes = np.searchsorted(cuts[1:], np.where(np.isnan(x), cuts[0], x), side="left" if closed_right else "right")
    codes = np.minimum(codes, bins - 1)
    return v.make_frame(fr.names, [enum_array(codes, names, outside)], ["enum"])


# -- table, unique ------------------------------------------------------------------------------
@prim("table")
def table(ix: Interpreter, fr, *rest):
    """Counts of each value (one column), or of each pair of values (two columns): ``dense``
    lists the pairs that occur; otherwise a cross-table with one column per value of the second."""
    if len(rest) not in (1, 2):
        raise RapidsError("'table' takes a frame, an optional second frame and the dense flag.")
    fr = v.frame(fr, "table")
    dense = v.number(rest[-1], "table", "dense") == 1
    columns = [(fr, c) for c in range(fr.ncols)]
    if len(rest) == 2:
        other = v.frame(rest[0], "table", "its second frame")
        if other.nrows != fr.nrows:
            raise RapidsError(f"'table' needs frames of equal length; got {fr.nrows} and {other.nrows} rows.")
        columns += [(other, c) for c in range(other.ncols)]
    if len(columns) not in (1, 2):
        raise RapidsError(f"'table' counts one or two columns; got {len(columns)}.")
    for owner, col in columns:
        if owner.types[col] in ("string", "uuid"):
            raise RapidsError(f"'table' counts numbers and factors; column '{owner.names[col]}' holds strings.")
    first = columns[0]
    x = v.column_floats(*first)
    if len(columns) == 1:
        return _one_way_table(first[0], first[1], x)
    second = columns[1]
    y = v.column_floats(*second)
    both = ~np.isnan(x) & ~np.isnan(y)
    pairs, counts = np.unique(np.stack([x[both], y[both]], axis=1), axis=0, return_counts=True) \
        if both.any() else (np.empty((0, 2)), np.empty(0, dtype=np.int64))
    if dense:
        return v.make_frame([first[0].names[first[1]], second[0].names[second[1]], "Counts"],
                            [_labels_like(first, pairs[:, 0])[0], _labels_like(second, pairs[:, 1])[0],
                             pa.array(counts.astype(np.int64))],
                            [_labels_like(first, pairs[:, 0])[1], _labels_like(second, pairs[:, 1])[1], "int"])
    rows_values = np.unique(pairs[:, 0])
    column_values = np.unique(pairs[:, 1])
    grid = np.zeros((len(rows_values), len(column_values)), dtype=np.int64)
    grid[np.searchsorted(rows_values, pairs[:, 0]), np.searchsorted(column_values, pairs[:, 1])] = counts
    domain = second[0].domain(second[1])
    names = [first[0].names[first[1]]] + [domain[int(c)] if domain is not None else java_double(c)
                                          for c in column_values]
    label, kind = _labels_like(first, rows_values)
    return v.make_frame(names, [label] + [pa.array(grid[:, j]) for j in range(len(column_values))],
                        [kind] + ["int"] * len(column_values))


def _one_way_table(fr: Frame, col: int, x: np.ndarray) -> Frame:
    present = x[~np.isnan(x)]
    values, counts = np.unique(present, return_counts=True)
    whole = fr.types[col] in ("int", "enum") and (not len(values) or values[-1] - values[0] < 1_000_000)
    # H2O-3 counts whole numbers in a fast pass that names the count column "Count"; other
    # values go through a slower pass that calls it "Counts"
    label, kind = _labels_like((fr, col), values)
    return v.make_frame([fr.names[col], "Count" if whole else "Counts"],
                        [label, pa.array(counts.astype(np.int64))], [kind, "int"])


def _labels_like(source: tuple[Frame, int], values: np.ndarray) -> tuple[pa.Array, str]:
    """``values`` (float codes or numbers) as a column of the same kind as ``source``'s."""
    fr, col = source
    if fr.types[col] == "enum":
        return enum_array(values.astype(np.int64), fr.domain(col)), "enum"
    return v.number_column(values)


@prim("unique")
def unique(ix: Interpreter, fr, include_nas):
    """The distinct values of the first column. A factor gives the levels that occur (in level
    order), then NA if asked for and present; numbers give NA first whenever one is present, as
    H2O-3 does, then the values (sorted here; H2O-3's order is its hash table's)."""
    fr = v.frame(fr, "unique")
    if fr.ncols == 0:
        raise RapidsError("'unique' needs a frame with at least one column.")
    with_nas = v.flag(include_nas, "unique", "include_nas")
    kind = fr.types[0]
    if kind == "enum":
        codes, missing = enum_codes(fr, 0)
        domain = fr.domain(0)
        used = np.unique(codes[~missing])
        extra = 1 if with_nas and missing.any() else 0
        positions = np.arange(len(used) + extra)
        return v.make_frame(["C1"], [enum_array(positions, [domain[i] for i in used], positions >= len(used))],
                            ["enum"])
    column = fr.table.column(0)
    distinct = pc.unique(column).drop_null()
    distinct = pc.take(distinct, pc.array_sort_indices(distinct))
    if column.null_count or (kind == "real" and pc.any(pc.is_nan(column)).as_py()):
        distinct = pa.concat_arrays([pa.nulls(1, distinct.type), distinct])
    return v.make_frame(["C1"], [distinct], [kind])


# -- hist ------------------------------------------------------------------------------------
@prim("hist")
def hist(ix: Interpreter, fr, breaks):
    """H2O-3's histogram frame: ``breaks``, ``counts``, ``mids_true``, ``mids`` (h2o-py adds the
    density itself). Breaks are a rule ('sturges', 'rice', 'sqrt', 'doane', 'scott', 'fd'), a
    number of breaks, or the breaks themselves.

    Reproduced as H2O-3 computes it: with a rule or a number the break points are the upper
    ends of equal steps from the minimum, and a value goes to bin ``floor((x - min) / h)``
    (capped at the last); ``mids_true`` is half the smallest value of a bin (H2O-3 never records
    a bin's largest value, so it averages the minimum with zero; an empty bin gives 0).
    """
    fr = v.frame(fr, "hist")
    if fr.ncols != 1 or fr.types[0] not in ("int", "real"):
        raise RapidsError("Hist only applies to single numeric columns.")
    x = v.column_floats(fr, 0)
    present = x[~np.isnan(x)]
    if not len(present) or present.min() == present.max():
        raise RapidsError("Hist does not apply to constant numeric columns.")
    low, high = float(present.min()), float(present.max())
    n = float(fr.nrows)
    if isinstance(breaks, NumList) and len(breaks.items) != 1:
        cuts = np.asarray(v.numbers(breaks, "hist", "the breaks"), dtype=np.float64)
        if len(cuts) < 2:
            raise RapidsError("'hist' needs at least two breaks.")
        bins = len(cuts) - 1
        index = np.searchsorted(cuts[1:bins], present, side="left")
    else:
        if isinstance(breaks, str):
            count, width = _rule(breaks.lower(), present, n, low, high)
        else:
            count = int(v.number(breaks, "hist", "the breaks"))
            width = (high - low) / count if count > 0 else 0.0
        if count <= 0:
            raise RapidsError("breaks must be a positive number.")
        step = (high - low) / count
        cuts = low + step * np.arange(1, count + 1)
        bins = count - 1
        if bins < 1:
            raise RapidsError("'hist' needs at least two breaks.")
        index = np.minimum(bins - 1, np.floor((present - low) / width)).astype(np.int64)
    counts = np.bincount(index, minlength=bins)[:bins]
    mids_true = 0.5 * _bin_minimum(index, present, bins)
    mids = 0.5 * (cuts[:-1] + cuts[1:])
    pad = np.array([np.nan])
    return v.numbers_frame(["breaks", "counts", "mids_true", "mids"],
                           [cuts, np.concatenate([pad, counts.astype(np.float64)]),
                            np.concatenate([pad, mids_true]), np.concatenate([pad, mids])])


def _bin_minimum(index: np.ndarray, values: np.ndarray, bins: int) -> np.ndarray:
    found = np.full(bins, np.inf)
    np.minimum.at(found, index, values)
    return np.where(np.isinf(found), 0.0, found)


def _rule(name: str, present: np.ndarray, n: float, low: float, high: float) -> tuple[int, float]:
    """How many breaks a rule asks for and the bin width H2O-3 bins with (the range over the
    count, except for Scott's and Freedman-Diaconis', which compute their own width)."""
    def log2(value):
        return math.log(value) / math.log(2) + 1e-10

    if name == "rice":
        count = math.ceil(2 * n ** (1 / 3))
    elif name == "sqrt":
        count = int(math.sqrt(n))
    elif name == "doane":
        centered = present - present.mean()
        m2, m3 = np.sum(centered ** 2) / n, np.sum(centered ** 3) / n
        skew = m3 / m2 ** 1.5
        sigma = math.sqrt((6 * (n - 2)) / ((n + 1) * (n + 3)))
        count = int(1 + log2(n) + log2(1 + abs(skew) / sigma))
    elif name in ("scott", "fd"):
        if name == "scott":
            width = 3.5 * math.sqrt(np.var(present, ddof=1)) / n ** (1 / 3)
        else:
            # Freedman-Diaconis with the MAD (as H2O-3, whose MAD truncates values to integers)
            median = float(np.median(present))
            width = 2 * 1.4826 * float(np.median(np.abs(np.trunc(present) - median))) * n ** (-1 / 3)
        if not width > 0:
            raise RapidsError(f"The '{name}' rule gives a bin width of zero for this column.")
        return math.ceil((high - low) / width), width
    else:
        # sturges, and H2O-3 falls back to it for any other name
        count = math.ceil(1 + log2(n))
    return count, (high - low) / count


# -- runif, match ----------------------------------------------------------------------------------
@prim("h2o.runif")
def runif(ix: Interpreter, fr, seed):
    """A column ``rnd`` of uniform [0, 1) numbers, one per row; seed -1 picks one at random."""
    fr = v.frame(fr, "h2o.runif")
    seed = int(v.number(seed, "h2o.runif", "the seed"))
    generator = np.random.default_rng(None if seed == -1 else seed & (2 ** 64 - 1))
    return v.make_frame(["rnd"], [pa.array(generator.random(fr.nrows))], ["real"])


@prim("match")
def match(ix: Interpreter, fr, table_values, nomatch, start_index):
    """Each value's position in ``table_values`` (first occurrence, counted from ``start_index``),
    else ``nomatch``; R's ``match``."""
    fr = v.frame(fr, "match")
    if fr.ncols == 0:
        raise RapidsError("Expected a frame with one column. Got an empty frame.")
    no_match = float("nan") if isinstance(nomatch, NumList) and nomatch.is_empty else \
        v.number(nomatch, "match", "nomatch")
    start = 1 if isinstance(start_index, NumList) and start_index.is_empty else \
        int(v.number(start_index, "match", "start_index"))
    if start < 0:
        raise RapidsError(f"start_index must be 0 or more; got {start}.")
    kind = fr.types[0]
    if isinstance(table_values, (str, list)):
        wanted = v.strings(table_values, "match", "the values to match")
        if kind not in ("enum", "string"):
            raise RapidsError("Input column is numeric and has no levels; match it with numbers.")
        column = v.labels_of(fr, 0)
        value_set = pa.array(wanted, pa.string())
    else:
        if kind in ("string", "uuid"):
            raise RapidsError("Input column holds strings; match it with strings, not numbers.")
        numbers = v.column_floats(fr, 0)
        column = pa.array(numbers, mask=np.isnan(numbers))
        value_set = pa.array(v.numbers(table_values, "match", "the values to match"), pa.float64())
    # pc.index_in gives the first occurrence in value_set, as R's match does
    found = pc.index_in(column, value_set=value_set, skip_nulls=True)
    found = found.combine_chunks() if isinstance(found, pa.ChunkedArray) else found
    positions = found.cast(pa.float64()).fill_null(math.nan).to_numpy(zero_copy_only=False)
    result = np.where(np.isnan(positions), no_match, positions + start)
    return v.numbers_frame(["C1"], [result])
