"""Reshaping and row-assignment operations: ``t`` (transpose), ``dropdup``, ``pivot``, ``melt``,
``rank_within_groupby``, ``topn``; fold and split columns (``kfold_column``,
``modulo_kfold_column``, ``stratified_kfold_column``, ``h2o.random_stratified_split``); and two
text measures (``entropy``, ``num_valid_substrings``).

Fold and split columns draw from H2O-3's per-row seeded generator (:mod:`h2odash.engine.h2o_random`),
so a given seed assigns the same rows as H2O-3 does.
"""
from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from h2odash.engine import h2o_random
from h2odash.engine.frames import Frame

from .. import values as v
from ..interpreter import Interpreter, RapidsError, prim
from ..syntax import NumList
from .groupby import group_rows, key_codes
from .reshape import sort_order

TRANSPOSE_MAX_ROWS = 1_000_000


def _seed(value, op: str) -> int:
    """A Java ``long`` seed; -1 asks for a fresh random one, as in H2O-3."""
    seed = int(v.number(value, op, "the seed"))
    return random.getrandbits(63) if seed == -1 else h2o_random.wrap_long(seed)


def _folds(value, op: str) -> int:
    n = v.number(value, op, "the number of folds")
    if n != int(n) or n < 1:
        raise RapidsError(f"'{op}' needs a whole number of folds of at least 1, got {n:g}.")
    return int(n)


def _int_column(name: str, values: np.ndarray, missing: np.ndarray | None = None) -> Frame:
    data = np.asarray(values, dtype=np.float64)
    if missing is not None:
        data = np.where(missing, np.nan, data)
    return v.numbers_frame([name], [data])


def _enum_from_codes(codes: np.ndarray, levels: list[str], missing: np.ndarray | None = None) -> pa.ChunkedArray:
    """An enum column from codes into ``levels`` (re-coded so its levels read sorted)."""
    labels = pc.take(pa.array(levels, pa.string()), pa.array(codes, mask=missing))
    return v.enum_column(labels)


# -- transpose ------------------------------------------------------------------------------------
@prim("t")
def transpose(ix: Interpreter, fr):
    """``(t fr)``: rows become columns C1..Cn; only numeric (and time) columns, as H2O-3."""
    fr = v.frame(fr, "t")
    for name, kind in zip(fr.names, fr.types):
        if kind == "enum":
            raise RapidsError("transpose can only be applied to all-numeric frames (representing a matrix); "
                              f"column '{name}' is categorical.")
        if kind in ("string", "uuid"):
            raise RapidsError(f"transpose can only be applied to all-numeric frames; column '{name}' holds {kind}s.")
    if fr.nrows > TRANSPOSE_MAX_ROWS:
        raise RapidsError("too many rows, transpose only works for frames with < 1M rows.")
    matrix = np.column_stack([v.column_floats(fr, c) for c in range(fr.ncols)]) if fr.ncols \
        else np.zeros((fr.nrows, 0))
    return v.numbers_frame([f"C{i + 1}" for i in range(fr.nrows)], list(matrix))


# -- dropdup --------------------------------------------------------------------------------------
def _dedup_columns(fr: Frame, cols) -> list[int]:
    if isinstance(cols, NumList):
        picked = [int(i) for i in cols.expand(fr.ncols)]
        for i in picked:
            if not 0 <= i < fr.ncols:
                raise RapidsError(f"No such column index: '{i}', frame has {fr.ncols} columns, maximum index is "
                                  f"{fr.ncols - 1}.")
    elif isinstance(cols, (str, list)):
        picked = []
        for name in v.strings(cols, "dropdup", "the columns"):
            if name not in fr.names:
                raise RapidsError(f"Unknown column name: '{name}'")
            picked.append(fr.names.index(name))
    else:
        raise RapidsError("Column range for deduplication must either be a set of columns, or a column range.")
    for i in picked:
        if fr.types[i] in ("string", "uuid"):
            raise RapidsError(f"Column '{fr.names[i]}' is of unsupported type {fr.types[i]} for row de-duplication.")
    return picked


@prim("dropdup")
def dropdup(ix: Interpreter, fr, cols, keep):
    """``(dropdup fr cols 'first'|'last')``: one row per distinct key (missing equals missing),
    the first or last seen, kept in the frame's row order."""
    fr = v.frame(fr, "dropdup")
    picked = _dedup_columns(fr, cols)
    order = v.string(keep, "dropdup", "the drop order").lower()
    if order not in ("first", "last"):
        raise RapidsError(f"Unknown drop order: '{keep}'. Known types: [First, Last]")
    if fr.nrows == 0 or not picked:
        return fr if fr.nrows == 0 else v.take_rows(fr, pa.array([0], pa.int64()))
    gid, _, first = group_rows(fr, picked)
    if order == "first":
        rows = first
    else:
        last = np.full(len(first), -1, dtype=np.int64)
        np.maximum.at(last, gid, np.arange(fr.nrows, dtype=np.int64))
        rows = last
    return v.take_rows(fr, pa.array(np.sort(rows), pa.int64()))


# -- folds and splits -----------------------------------------------------------------------------
def kfold_assignments(nrows: int, nfolds: int, seed: int) -> np.ndarray:
    """H2O-3's random fold per row: ``|getRNG(row + seed).nextInt()| % nfolds``."""
    rows = np.arange(nrows, dtype=np.int64)
    with np.errstate(over="ignore"):
        seeds = rows + np.int64(seed)
    return h2o_random.java_abs_mod(h2o_random.first_ints(seeds), nfolds)


@prim("kfold_column")
def kfold_column(ix: Interpreter, fr, nfolds, seed):
    """``(kfold_column fr nfolds seed)``: a fold number per row of ``fr``."""
    fr = v.frame(fr, "kfold_column")
    return _int_column("C1", kfold_assignments(fr.nrows, _folds(nfolds, "kfold_column"), _seed(seed, "kfold_column")))


@prim("modulo_kfold_column")
def modulo_kfold_column(ix: Interpreter, fr, nfolds):
    """``(modulo_kfold_column fr nfolds)``: row number modulo ``nfolds``."""
    fr = v.frame(fr, "modulo_kfold_column")
    return _int_column("C1", np.arange(fr.nrows) % _folds(nfolds, "modulo_kfold_column"))


def _stratum_codes(fr: Frame, op: str) -> tuple[np.ndarray, int, np.ndarray]:
    """Class index per row of the first column (by ascending value), the class count, and the
    missing mask; only integer and categorical columns can be stratified on."""
    if fr.ncols == 0:
        raise RapidsError(f"'{op}' needs a column to stratify on.")
    kind = fr.types[0]
    values = v.column_floats(fr, 0) if kind in ("int", "real", "enum") else None
    if values is None or (kind == "real" and np.any(np.mod(values[~np.isnan(values)], 1) != 0)):
        shown = {"int": "Numeric", "real": "Numeric", "time": "Time", "string": "String", "uuid": "UUID"}[kind]
        raise RapidsError(f"Stratification only applies to integer and categorical columns. Got: {shown}")
    missing = np.isnan(values)
    classes, inverse = np.unique(values[~missing], return_inverse=True)
    codes = np.zeros(fr.nrows, dtype=np.int64)
    codes[~missing] = inverse
    return codes, len(classes), missing


@prim("stratified_kfold_column")
def stratified_kfold_column(ix: Interpreter, fr, nfolds, seed):
    """``(stratified_kfold_column y nfolds seed)``: folds drawn per class so that each fold gets
    its share of every class; rows with a missing class go round-robin."""
    op = "stratified_kfold_column"
    fr = v.frame(fr, op)
    n, seed = _folds(nfolds, op), _seed(seed, op)
    codes, nclass, missing = _stratum_codes(fr, op)
    with np.errstate(over="ignore"):
        class_seeds = h2o_random.Generators(np.int64(seed) + np.arange(nclass, dtype=np.int64)).next_long()
        row_seeds = np.arange(fr.nrows, dtype=np.int64) + (class_seeds[codes] if nclass else np.int64(0))
    folds = h2o_random.java_abs_mod(h2o_random.first_ints(row_seeds), n)
    folds = np.where(missing, np.arange(fr.nrows) % n, folds)
    return _int_column("C1", folds)


@prim("h2o.random_stratified_split")
def random_stratified_split(ix: Interpreter, fr, test_frac, seed):
    """``(h2o.random_stratified_split y test_frac seed)``: an enum column ``test_train_split``
    marking ``round(n_class * test_frac)`` (at least 1) rows of each class as 'test'."""
    op = "h2o.random_stratified_split"
    fr = v.frame(fr, op)
    if fr.ncols != 1:
        raise RapidsError(f"Must give a single column to stratify against. Got: {fr.ncols} columns.")
    frac = v.number(test_frac, op, "the test fraction")
    if not 0 <= frac <= 1:
        raise RapidsError(f"'{op}' needs a test fraction between 0 and 1, got {frac:g}.")
    seed = _seed(seed, op)
    codes, nclass, missing = _stratum_codes(fr, op)
    test = np.zeros(fr.nrows, dtype=np.int64)
    rows_by_class = np.argsort(np.where(missing, nclass, codes), kind="stable")
    counts = np.bincount(codes[~missing], minlength=nclass)
    starts = np.concatenate([[0], np.cumsum(counts)])
    for c in range(nclass):          # a loop over classes; each draws its rows at once
        members = rows_by_class[starts[c]:starts[c + 1]]
        wanted = min(max(h2o_random.java_round(len(members) * frac), 1), len(members))
        test[_distinct_draws(len(members), wanted, seed, members)] = 1
    column = _enum_from_codes(test, ["train", "test"])
    return v.make_frame(["test_train_split"], [column], ["enum"])


def _distinct_draws(size: int, wanted: int, seed: int, members: np.ndarray) -> np.ndarray:
    """H2O-3's draw of ``wanted`` distinct members: the k-th try picks
    ``int(getRNG(k + seed).nextDouble() * size)``; repeats are skipped."""
    picked = np.zeros(0, dtype=np.int64)
    tried = 0
    batch = max(2 * wanted, 16)
    while len(picked) < wanted:
        with np.errstate(over="ignore"):
            seeds = np.arange(tried, tried + batch, dtype=np.int64) + np.int64(seed)
        draws = (h2o_random.seeded_double(seeds) * size).astype(np.int64)
        allofthem = np.concatenate([picked, draws])
        _, first = np.unique(allofthem, return_index=True)
        picked = allofthem[np.sort(first)][:wanted]
        tried += batch
        batch *= 2
    return members[picked]


# -- pivot and melt -------------------------------------------------------------------------------
def _iso_millis(ms: int) -> str:
    moment = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(milliseconds=int(ms))
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@prim("pivot")
def pivot(ix: Interpreter, fr, index, column, value):
    """``(pivot fr 'index' 'column' 'value')``: one row per index value (ascending), one column
    per value of ``column``; each cell is the first non-missing ``value`` of its pair."""
    fr = v.frame(fr, "pivot")
    icol, ccol, vcol = (fr.index_of(v.string(x, "pivot", what), "ast") for x, what in
                        ((index, "the index column"), (column, "the column column"), (value, "the value column")))
    for c in (icol, ccol, vcol):
        if fr.types[c] in ("string", "uuid"):
            raise RapidsError(f"'pivot' cannot use the {fr.types[c]} column '{fr.names[c]}'.")
    cvals = v.column_floats(fr, ccol)
    present = cvals[~np.isnan(cvals)]
    if not len(present) or present.min() == present.max():
        raise RapidsError(f"Column: '{fr.names[ccol]}'is constant. Perhaps use transpose?")
    ivals = v.column_floats(fr, icol)
    if np.isnan(ivals).any():
        raise RapidsError(f"Index column '{fr.names[icol]}' has > 0 NAs")
    ivals = np.trunc(ivals)
    keys, irow = np.unique(ivals, return_inverse=True)
    if fr.types[ccol] == "enum":
        headers = list(fr.domain(ccol) or [])
        cpos = np.where(np.isnan(cvals), -1, cvals).astype(np.int64)
    else:
        classes, cinv = np.unique(np.trunc(present), return_inverse=True)
        headers = [_iso_millis(c) for c in classes] if fr.types[ccol] == "time" else [str(int(c)) for c in classes]
        cpos = np.full(fr.nrows, -1, dtype=np.int64)
        cpos[~np.isnan(cvals)] = cinv
    vals = v.column_floats(fr, vcol)
    usable = (cpos >= 0) & ~np.isnan(vals)
    cell = irow[usable] * len(headers) + cpos[usable]
    cells, first = np.unique(cell, return_index=True)
    table = np.full(len(keys) * len(headers), np.nan)
    table[cells] = vals[usable][first]
    table = table.reshape(len(keys), len(headers))
    index_kind = fr.types[icol]
    if index_kind == "enum":
        index_column = _enum_from_codes(keys.astype(np.int64), list(fr.domain(icol) or []))
    elif index_kind == "time":
        index_column = pa.chunked_array([pa.array(keys.astype(np.int64), pa.timestamp("ms"))])
    else:
        index_column = v.number_column(keys)[0]
    rest = v.numbers_frame(headers, list(table.T))
    return v.make_frame([fr.names[icol]] + rest.names, [index_column] + [rest.table.column(i) for i in range(rest.ncols)],
                        [index_kind if index_kind in ("enum", "time") else "int"] + rest.types)


@prim("melt")
def melt(ix: Interpreter, fr, id_vars, value_vars, var_name, value_name, skip_na):
    """``(melt fr [id_vars] [value_vars] 'var' 'value' skipna)``: one row per (row, value column),
    row by row; the variable column is categorical."""
    fr = v.frame(fr, "melt")
    ids = v.strings(id_vars, "melt", "the id columns")
    if not ids:
        raise RapidsError("Empty list of id_vars provided, id_vars needs to have at least one column name.")
    id_idx = [fr.index_of(name, "ast") for name in ids]
    given = v.strings(value_vars, "melt", "the value columns") if not (
        isinstance(value_vars, NumList) and value_vars.is_empty) else []
    names = given or [n for n in fr.names if n not in ids]
    if not names:
        raise RapidsError("Empty list of value_vars provided, value_vars needs to have at least one column name.")
    val_idx = [fr.index_of(name, "ast") for name in names]
    if any(fr.types[i] not in ("int", "real") for i in val_idx):
        raise RapidsError("You can only use `melt` with numerical columns. Categorical (and other) columns are "
                          "not supported.")
    k = len(val_idx)
    stacked = np.column_stack([v.column_floats(fr, i) for i in val_idx]).reshape(-1)
    rows = np.repeat(np.arange(fr.nrows, dtype=np.int64), k)
    which = np.tile(np.arange(k, dtype=np.int64), fr.nrows)
    if v.flag(skip_na, "melt", "skip_na"):
        keep = ~np.isnan(stacked)
        rows, which, stacked = rows[keep], which[keep], stacked[keep]
    taken = fr.table.take(pa.array(rows, pa.int64()))
    arrays = [taken.column(i) for i in id_idx]
    value_array, value_type = v.number_column(stacked)
    return v.make_frame(ids + [v.string(var_name, "melt", "the variable name"),
                               v.string(value_name, "melt", "the value name")],
                        arrays + [_enum_from_codes(which, names), value_array],
                        [fr.types[i] for i in id_idx] + ["enum", value_type])


# -- ranking and top values -----------------------------------------------------------------------
def _picked(fr: Frame, selection, op: str) -> list[int]:
    if isinstance(selection, (int, float)) and not isinstance(selection, bool):
        selection = [selection]
    return v.column_indices(fr, selection, op)


@prim("rank_within_groupby")
def rank_within_groupby(ix: Interpreter, fr, groupby, sortby, ascending, new_name, sort_cols_order):
    """``(rank_within_groupby fr [groupby] [sortby] [ascending] 'newcol' sort_cols_order)``: the
    frame sorted by groupby then sort columns, with a 1-based rank within each group; rows with a
    missing sort value get no rank. With ``sort_cols_order`` 1 the result is re-sorted by the sort
    columns alone."""
    op = "rank_within_groupby"
    fr = v.frame(fr, op)
    groups, sorts = _picked(fr, groupby, op), _picked(fr, sortby, op)
    directions = [int(d) for d in v.numbers(ascending, op, "the sort directions")]
    if len(directions) == 1 and len(sorts) > 1:
        directions *= len(sorts)
    if len(directions) != len(sorts):
        raise RapidsError(f"'{op}' got {len(directions)} sort directions for {len(sorts)} sort columns.")
    name = v.string(new_name, op, "the new column name")
    ordered = v.take_rows(fr, pa.array(sort_order(fr, groups + sorts, [1] * len(groups) + directions), pa.int64()))
    eligible = np.ones(ordered.nrows, dtype=bool)
    for c in sorts:
        if ordered.types[c] not in ("string", "uuid"):
            eligible &= ~np.isnan(v.column_floats(ordered, c))
    gid = group_rows(ordered, groups)[0] if groups else np.zeros(ordered.nrows, dtype=np.int64)
    counted = np.cumsum(eligible)
    starts = np.r_[True, gid[1:] != gid[:-1]] if ordered.nrows else np.zeros(0, bool)
    before = np.maximum.accumulate(np.where(starts, np.arange(ordered.nrows), 0)) if ordered.nrows else starts
    rank = counted - (counted[before] - eligible[before])
    rank_col, rank_type = v.number_column(np.where(eligible, rank, np.nan))
    out = v.make_frame(ordered.names + [name], [ordered.table.column(i) for i in range(ordered.ncols)] + [rank_col],
                       ordered.types + [rank_type if eligible.any() else "int"])
    if v.number(sort_cols_order, op, "sort_cols_order") == 1:
        out = v.take_rows(out, pa.array(sort_order(out, sorts, directions), pa.int64()))
    return out


@prim("topn")
def topn(ix: Interpreter, fr, col, percent, grab_top):
    """``(topn fr col nPercent grabTopN)``: the largest (1) or smallest (-1) ``nPercent`` % of a
    numeric column's values with their row numbers, best first; missing values are skipped."""
    fr = v.frame(fr, "topn")
    c = int(v.number(col, "topn", "the column index"))
    if not 0 <= c < fr.ncols:
        raise RapidsError(f"'topn': column index {c} is out of range; the frame has {fr.ncols} columns.")
    if fr.types[c] not in ("int", "real", "time"):
        raise RapidsError(f"'topn' needs a numeric column; '{fr.names[c]}' is {fr.types[c]}.")
    share = v.number(percent, "topn", "the percentage")
    if not 0 <= share <= 100:
        raise RapidsError(f"'topn' needs a percentage between 0 and 100, got {share:g}.")
    direction = int(v.number(grab_top, "topn", "grabTopN"))
    count = h2o_random.java_round(share * 0.01 * fr.nrows)
    values = v.column_floats(fr, c)
    rows = np.nonzero(~np.isnan(values))[0]
    key = -values[rows] if direction >= 0 else values[rows]
    chosen = rows[np.argsort(key, kind="stable")][:count]
    return v.numbers_frame(["Original_Row_Indices", fr.names[c]], [chosen.astype(np.float64), values[chosen]])


# -- text measures --------------------------------------------------------------------------------
def _codepoints(text: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every character of a string array as one flat array of code points, with the row of
    each and each row's length in characters (missing rows have length 0)."""
    text = pc.fill_null(text, "")
    if not isinstance(text, pa.Array):
        text = text.combine_chunks()
    text = text.cast(pa.large_string())
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int64)[text.offset:text.offset + len(text) + 1]
    data = text.buffers()[2]
    raw = np.frombuffer(data, dtype=np.uint8)[offsets[0]:offsets[-1]] if data is not None and len(text) \
        else np.zeros(0, np.uint8)
    byte_rows = np.repeat(np.arange(len(text), dtype=np.int64), np.diff(offsets))
    lead = (raw & 0xC0) != 0x80
    padded = np.concatenate([raw, np.zeros(3, np.uint8)]).astype(np.uint32)
    at = np.nonzero(lead)[0]
    b0, b1, b2, b3 = (padded[at + k] for k in range(4))
    cp = np.where(b0 < 0x80, b0,
         np.where(b0 < 0xE0, ((b0 & 0x1F) << 6) | (b1 & 0x3F),
         np.where(b0 < 0xF0, ((b0 & 0x0F) << 12) | ((b1 & 0x3F) << 6) | (b2 & 0x3F),
                  ((b0 & 0x07) << 18) | ((b1 & 0x3F) << 12) | ((b2 & 0x3F) << 6) | (b3 & 0x3F))))
    rows = byte_rows[at]
    return cp.astype(np.uint32), rows, np.bincount(rows, minlength=len(text))


def string_entropy(text: pa.Array) -> np.ndarray:
    """Shannon entropy (bits) of each string's characters; NaN for a missing string."""
    cp, rows, lengths = _codepoints(text)
    missing = pc.is_null(text).to_numpy(zero_copy_only=False)
    pairs, counts = np.unique(rows * (1 << 21) + cp.astype(np.int64), return_counts=True)
    share = counts / lengths[pairs >> 21]
    entropy = np.bincount(pairs >> 21, weights=-share * np.log2(share), minlength=len(text))
    return np.where(missing, np.nan, entropy + 0.0)


def substring_counts(text: pa.Array, words: set[str]) -> np.ndarray:
    """How many substrings of two characters or more (counted by position) of each string are in
    ``words``; NaN for a missing string."""
    cp, rows, lengths = _codepoints(text)
    missing = pc.is_null(text).to_numpy(zero_copy_only=False)
    total = np.zeros(len(text), dtype=np.float64)
    longest = int(lengths.max()) if len(lengths) else 0
    by_length: dict[int, list[str]] = {}
    for word in words:
        if 2 <= len(word) <= longest:
            by_length.setdefault(len(word), []).append(word)
    for size, group in by_length.items():     # a loop over word lengths
        windows = np.ascontiguousarray(np.lib.stride_tricks.sliding_window_view(cp, size))
        whole = rows[:len(windows)] == rows[size - 1:]
        wanted = np.frombuffer("".join(group).encode("utf-32-le"), dtype=np.uint32).reshape(len(group), size)
        hits = np.isin(windows.view(f"V{4 * size}").ravel(), wanted.view(f"V{4 * size}").ravel()) & whole
        total += np.bincount(rows[:len(windows)][hits], minlength=len(text))
    return np.where(missing, np.nan, total)


def _text_columns(fr: Frame, op: str, measure, names: list[str] | None = None) -> Frame:
    for kind in fr.types:
        if kind not in ("string", "enum"):
            shown = {"int": "Numeric", "real": "Numeric", "time": "Time", "uuid": "UUID"}[kind]
            raise RapidsError(f"{op}() requires a string or categorical column. Received {shown}. Please convert "
                              "column to a string or categorical first.")
    columns = []
    for c in range(fr.ncols):
        if fr.types[c] == "enum":
            per_level = measure(pa.array(fr.domain(c) or [], pa.string()))
            codes, _ = key_codes(fr, c)
            columns.append(np.where(codes == 0, np.nan, np.r_[np.nan, per_level][codes]))
        else:
            columns.append(measure(fr.table.column(c).combine_chunks()))
    return v.numbers_frame(names or list(fr.names), columns)


@prim("entropy")
def entropy(ix: Interpreter, fr):
    """``(entropy fr)``: Shannon entropy of each string or level, per column."""
    fr = v.frame(fr, "entropy")
    # H2O-3 names the result's columns C1, C2... (not after the measured columns)
    return _text_columns(fr, "entropy", string_entropy, [f"C{c + 1}" for c in range(fr.ncols)])


@prim("num_valid_substrings")
def num_valid_substrings(ix: Interpreter, fr, path):
    """``(num_valid_substrings fr 'path')``: per string, how many of its substrings (two
    characters or more) are lines of the words file at ``path``."""
    fr = v.frame(fr, "num_valid_substrings")
    where = v.string(path, "num_valid_substrings", "the words file")
    try:
        with open(where, encoding="utf-8") as handle:
            words = set(handle.read().splitlines())
    except OSError as exc:
        raise RapidsError(f"'num_valid_substrings' cannot read the words file '{where}': {exc.strerror}.") from None
    return _text_columns(fr, "num_valid_substrings", lambda text: substring_counts(text, words))
