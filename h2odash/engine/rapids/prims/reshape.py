"""Reordering and combining rows: ``sort``, ``merge``, ``h2o.impute``, ``na.omit`` and ``apply``,
with H2O-3's orders: sorts are stable with missing values first (in both directions), and the
radix merge returns rows sorted by key."""
from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from h2odash.engine.frames import Frame

from ..interpreter import Interpreter, RapidsError, prim
from ..syntax import NumList
from .. import values as v
from .groupby import aggregate, by_columns, group_rows, key_codes

# H2O-3's names for column types in its error messages (Vec.get_type_str).
TYPE_NAMES = {"int": "Numeric", "real": "Numeric", "enum": "Enum", "string": "String", "time": "Time",
              "uuid": "UUID"}


# -- sort -----------------------------------------------------------------------------------------
def sort_order(fr: Frame, cols: list[int], ascending: list[int]) -> np.ndarray:
    """Stable row order by ``cols``: missing first whatever the direction; an enum column sorts
    by level order and, as in H2O-3's radix sort, ignores a descending flag."""
    keys = []
    for col, direction in zip(cols, ascending):
        kind = fr.types[col]
        if kind in ("string", "uuid"):
            raise RapidsError(f"'sort' cannot sort on the {kind} column '{fr.names[col]}'; convert it "
                              "to a factor first.")
        if kind == "enum":
            keys.append(key_codes(fr, col)[0])
            continue
        values = v.column_floats(fr, col) * (1.0 if direction >= 0 else -1.0)
        missing = np.isnan(values)
        if np.isneginf(values[~missing]).any():     # -inf must still come after missing values
            codes, k = key_codes(fr, col)
            keys.append(np.where(codes == 0, 0, codes if direction >= 0 else k - codes))
        else:
            keys.append(np.where(missing, -np.inf, values))
    if len(keys) == 1:
        return np.argsort(keys[0], kind="stable")
    return np.lexsort(keys[::-1])


@prim("sort")
def sort(ix: Interpreter, fr, cols, ascending):
    """``(sort fr [cols] [1|-1 …])``."""
    fr = v.frame(fr, "sort")
    picked = v.column_indices(fr, cols, "sort")
    if not picked:
        return fr
    directions = [int(d) for d in v.numbers(ascending, "sort", "the directions")]
    if len(directions) == 1 and len(picked) > 1:
        directions *= len(picked)
    if len(directions) != len(picked):
        raise RapidsError(f"'sort' got {len(directions)} directions for {len(picked)} columns.")
    return v.take_rows(fr, pa.array(sort_order(fr, picked, directions), pa.int64()))


# -- merge ----------------------------------------------------------------------------------------
def _joint_codes(left: Frame, lcol: int, right: Frame, rcol: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Codes of a key column pair in one space (0 = missing or unmatchable, then ascending):
    enum levels match by label; a left level the right side lacks behaves as missing, as in
    H2O-3's radix merge."""
    kind = left.types[lcol]
    if kind == "enum":
        llev, rlev = left.domain(lcol) or [], right.domain(rcol) or []
        rcodes, _ = key_codes(right, rcol)
        used = rcodes[rcodes > 0]
        top = int(used.max()) - 1 if len(used) else -1       # H2O-3 keeps levels up to the right max
        position = {label: i for i, label in enumerate(rlev)}
        mapping = np.array([0] + [position[l] + 1 if l in position and position[l] <= top else 0 for l in llev],
                           dtype=np.int64)
        lcodes, _ = key_codes(left, lcol)
        return mapping[lcodes], rcodes, len(rlev) + 1
    if kind in ("string", "uuid"):
        raise RapidsError(f"Merging on the {kind} column '{left.names[lcol]}' is not supported; convert it "
                          "to a factor first.")
    lv, rv = v.column_floats(left, lcol), v.column_floats(right, rcol)
    both = np.concatenate([lv, rv])
    missing = np.isnan(both)
    codes = np.zeros(len(both), dtype=np.int64)
    uniques, inverse = np.unique(both[~missing], return_inverse=True)
    codes[~missing] = inverse + 1
    return codes[:len(lv)], codes[len(lv):], len(uniques) + 1


def _composite(parts: list[np.ndarray], spans: list[int]) -> list[np.ndarray] | np.ndarray:
    total = 1
    for s in spans:
        total *= s
    if total < 2 ** 62:
        out = np.zeros(len(parts[0]), dtype=np.int64)
        for codes, span in zip(parts, spans):
            out = out * span + codes
        return out
    return np.unique(np.stack(parts, axis=1), axis=0, return_inverse=True)[1].reshape(-1)


def _match(left_keys: list[np.ndarray], right_keys: list[np.ndarray], spans: list[int], all_left: bool):
    """Row pairs of a sorting merge: left rows in key order (unmatched first when kept), each
    with every right row of its key in right-row order; -1 where no right row matches."""
    nl = len(left_keys[0])
    both = _composite([np.concatenate([a, b]) for a, b in zip(left_keys, right_keys)], spans)
    lkey, rkey = both[:nl], both[nl:]
    unmatchable = np.zeros(nl, bool)
    for codes in left_keys:
        unmatchable |= codes == 0
    lorder = np.argsort(lkey, kind="stable")
    rorder = np.argsort(rkey, kind="stable")
    rsorted = rkey[rorder]
    lo = np.searchsorted(rsorted, lkey[lorder], "left")
    hi = np.searchsorted(rsorted, lkey[lorder], "right")
    counts = np.where(unmatchable[lorder], 0, hi - lo)
    # Left rows with a missing or unknown key sort first (their key is 0), as in H2O-3.
    emitted = np.maximum(counts, 1) if all_left else counts
    left_rows = np.repeat(lorder, emitted)
    starts = np.repeat(np.cumsum(emitted) - emitted, emitted)
    offsets = np.arange(len(left_rows)) - starts
    right_pos = np.repeat(lo, emitted) + offsets
    right_rows = np.where(np.repeat(counts, emitted) > 0, rorder[np.minimum(right_pos, max(len(rorder) - 1, 0))]
                          if len(rorder) else -1, -1)
    return left_rows, right_rows


def _take(column: pa.ChunkedArray, rows: np.ndarray) -> pa.ChunkedArray:
    mask = rows < 0
    indices = pa.array(np.where(mask, 0, rows), mask=mask) if mask.any() else pa.array(rows)
    if len(column) == 0:
        return pa.nulls(len(rows), column.type) if len(rows) else column
    return column.take(indices)


def sorting_merge(left: Frame, right: Frame, lby: list[int], rby: list[int], all_left: bool):
    """H2O-3's radix merge of ``left`` with ``right``: the key columns first, then the left's
    other columns, then the right's; right rows with a missing key never match."""
    lrest = [i for i in range(left.ncols) if i not in lby]
    rrest = [i for i in range(right.ncols) if i not in rby]
    if all_left and right.nrows == 0:
        # H2O-3 sorts the left frame and adds none of the right's columns.
        order = sort_order(left, lby, [1] * len(lby))
        return v.take_rows(v.select_columns(left, lby + lrest), pa.array(order, pa.int64())), lrest, []
    lkeys, rkeys, spans = [], [], []
    for lc, rc in zip(lby, rby):
        a, b, span = _joint_codes(left, lc, right, rc)
        lkeys.append(a)
        rkeys.append(b)
        spans.append(span)
    left_rows, right_rows = _match(lkeys, rkeys, spans, all_left)
    names = [left.names[i] for i in lby + lrest] + [right.names[i] for i in rrest]
    arrays = [_take(left.table.column(i), left_rows) for i in lby + lrest] + \
             [_take(right.table.column(i), right_rows) for i in rrest]
    types = [left.types[i] for i in lby + lrest] + [right.types[i] for i in rrest]
    return v.make_frame(names, arrays, types), lrest, rrest


def hash_merge(left: Frame, right: Frame, lby: list[int], rby: list[int], all_left: bool, all_right: bool):
    """H2O-3's hash merge: the larger (or the 'all') frame is walked in row order and each row
    takes the first matching row of the other; keys compare as whole numbers with NA as 0."""
    walk_left = left.nrows > right.nrows if all_left == all_right else all_left
    walked, hashed, wby, hby = (left, right, lby, rby) if walk_left else (right, left, rby, lby)
    keep_all = all_left if walk_left else all_right
    if all_left and all_right:
        raise RapidsError("all.x=TRUE and all.y=TRUE is not supported.  Choose one only.")
    wkeys, hkeys = [], []
    for wc, hc in zip(wby, hby):
        if walked.types[wc] == "enum":
            wdom = {label: i for i, label in enumerate(walked.domain(wc) or [])}
            hdom = hashed.domain(hc) or []
            mapping = np.array([wdom.get(l, len(wdom) + i) for i, l in enumerate(hdom)] or [0], dtype=np.float64)
            hv = v.column_floats(hashed, hc)
            hv = np.where(np.isnan(hv), np.nan, mapping[np.where(np.isnan(hv), 0, hv).astype(np.int64)])
        else:
            hv = v.column_floats(hashed, hc)
        wkeys.append(np.nan_to_num(np.trunc(v.column_floats(walked, wc)), nan=0.0))
        hkeys.append(np.nan_to_num(np.trunc(hv), nan=0.0))
    spans, wcodes, hcodes = [], [], []
    for a, b in zip(wkeys, hkeys):
        _, inverse = np.unique(np.concatenate([a, b]), return_inverse=True)
        wcodes.append(inverse[:len(a)])
        hcodes.append(inverse[len(a):])
        spans.append(int(inverse.max()) + 1 if len(inverse) else 1)
    both = _composite([np.concatenate([a, b]) for a, b in zip(wcodes, hcodes)], spans)
    wkey, hkey = both[:walked.nrows], both[walked.nrows:]
    uniq, first = np.unique(hkey, return_index=True)
    at = np.clip(np.searchsorted(uniq, wkey), 0, max(len(uniq) - 1, 0))
    found = (uniq[at] == wkey) if len(uniq) else np.zeros(len(wkey), bool)
    rows = np.arange(walked.nrows) if keep_all else np.flatnonzero(found)
    partner = np.where(found, first[at] if len(uniq) else -1, -1)[rows]
    wrest = [i for i in range(walked.ncols) if i not in wby]
    hrest = [i for i in range(hashed.ncols) if i not in hby]
    names = [walked.names[i] for i in wby + wrest] + [hashed.names[i] for i in hrest]
    arrays = [_take(walked.table.column(i), rows) for i in wby + wrest] + \
             [_take(hashed.table.column(i), partner) for i in hrest]
    types = [walked.types[i] for i in wby + wrest] + [hashed.types[i] for i in hrest]
    return v.make_frame(names, arrays, types)


def _indices(value, op: str, what: str) -> list[int]:
    if isinstance(value, NumList) and value.is_empty:
        return []
    found = v.numbers(value, op, what)
    if not all(math.isfinite(i) and i == int(i) for i in found):
        raise RapidsError(f"'{op}' needs whole column numbers as {what}, got {found}.")
    return [int(i) for i in found]


@prim("merge")
def merge(ix: Interpreter, left, right, all_left, all_right, by_left, by_right, method):
    """``(merge l r all_x all_y [byLeft] [byRight] 'auto'|'radix'|'hash')``."""
    left, right = v.frame(left, "merge", "its left frame"), v.frame(right, "merge", "its right frame")
    all_left, all_right = v.flag(all_left, "merge"), v.flag(all_right, "merge")
    lby, rby = _indices(by_left, "merge", "the left keys"), _indices(by_right, "merge", "the right keys")
    method = v.string(method, "merge", "the method").lower()
    if method not in ("auto", "radix", "hash"):
        raise RapidsError(f"'merge': the method must be 'auto', 'radix' or 'hash', got {method!r}.")
    if not lby and not rby:
        common = [(i, right.names.index(n)) for i, n in enumerate(left.names) if n in right.names]
        if not common:
            raise RapidsError("No join columns specified and there are no common names")
        lby, rby = [i for i, _ in common], [j for _, j in common]
    if len(lby) != len(rby):
        raise RapidsError("byLeft and byRight are not the same length")
    for i, j in zip(lby, rby):
        if not (0 <= i < left.ncols and 0 <= j < right.ncols):
            raise RapidsError("'merge': a key column index is out of range.")
        lt, rt = TYPE_NAMES[left.types[i]], TYPE_NAMES[right.types[j]]
        if lt != rt:
            raise RapidsError(f"Merging columns must be the same type, column {left.names[i]} found types "
                              f"{lt} and {rt}")
        if method == "hash" and lt == "String":
            raise RapidsError("Cannot merge Strings with hash method; flip toCategoricalVec first or set your "
                              "method to auto or radix")
    if method == "hash":
        return hash_merge(left, right, lby, rby, all_left, all_right)
    if all_left and all_right:
        raise RapidsError("all.x=TRUE and all.y=TRUE is not supported.  Choose one only.")
    if not all_right:
        return sorting_merge(left, right, lby, rby, all_left)[0]
    # All of the right: merge the other way round, then put the left's columns first again.
    merged, rrest, lrest = sorting_merge(right, left, rby, lby, True)
    nkeys = len(lby)
    order = list(range(nkeys)) + [nkeys + len(rrest) + i for i in range(len(lrest))] + \
        [nkeys + i for i in range(len(rrest))]
    return v.select_columns(merged, order)


# -- missing values -------------------------------------------------------------------------------
@prim("na.omit")
def na_omit(ix: Interpreter, fr):
    """Rows with no missing value in any column."""
    fr = v.frame(fr, "na.omit")
    keep = np.ones(fr.nrows, bool)
    for col in range(fr.ncols):
        column = fr.table.column(col)
        if column.null_count:
            keep &= ~pc.is_null(column).to_numpy(zero_copy_only=False)
        if fr.types[col] == "real":
            keep &= ~np.isnan(v.column_floats(fr, col))
    return v.take_rows(fr, pa.array(np.flatnonzero(keep), pa.int64()))


def _median_of(x: np.ndarray, combine: str) -> float:
    x = np.sort(x[~np.isnan(x)])
    if not len(x):
        return float("nan")
    low, high = x[(len(x) - 1) // 2], x[len(x) // 2]
    return float({"low": low, "lo": low, "high": high, "hi": high}.get(combine, (low + high) / 2))


def _mode_of(fr: Frame, col: int) -> float:
    x = v.column_floats(fr, col)
    x = x[~np.isnan(x)]
    if not len(x):
        return 0.0
    if fr.types[col] == "enum":
        return float(np.bincount(x.astype(np.int64)).argmax())
    uniques, counts = np.unique(x, return_counts=True)
    return float(uniques[counts.argmax()])


def _filled(fr: Frame, col: int, value: float, where: np.ndarray | None = None):
    """Column ``col`` with its missing entries set to ``value`` (or, per row, ``where``)."""
    kind = fr.types[col]
    x = v.column_floats(fr, col)
    fill = np.full(len(x), value) if where is None else where
    x = np.where(np.isnan(x), fill, x)
    if kind == "enum":
        levels = pa.array(fr.domain(col) or [], pa.string())
        missing = np.isnan(x)
        codes = pa.array(np.where(missing, 0, x).astype(np.int32), mask=missing)
        return pa.chunked_array([pa.DictionaryArray.from_arrays(codes, levels)]), "enum"
    array, new_kind = v.number_column(x)
    return array, ("real" if new_kind == "real" or kind == "real" else "int")


@prim("h2o.impute")
def impute(ix: Interpreter, fr, col, method, combine, by, group_frame, values):
    """``(h2o.impute fr col method combine [by] groupByFrame values)``: fills missing values in
    place (the stored frame is replaced); returns the fill values, or the group-by frame used."""
    fr = v.frame(fr, "h2o.impute")
    col = int(v.number(col, "h2o.impute", "the column"))
    if col >= fr.ncols or col < -1:
        raise RapidsError(f"Column not -1 or in range 0 to {fr.ncols}")
    method = v.string(method, "h2o.impute", "the method").lower()
    if method in ("ffill", "bfill"):
        raise RapidsError("No ffill or bfill imputation supported")
    if method not in ("mean", "median", "mode"):
        raise RapidsError("Method must be one of mean, median or mode")
    combine = v.string(combine, "h2o.impute", "the combine method").lower()
    if combine not in ("interpolate", "average", "low", "high", "lo", "hi"):
        raise RapidsError(f"'h2o.impute': unknown combine method {combine!r}.")
    by_cols = [] if by == "_" else by_columns(fr, by, "h2o.impute")
    if not (isinstance(group_frame, str) and group_frame == "_") and \
            not (isinstance(group_frame, NumList) and group_frame.is_empty):
        raise RapidsError("'h2o.impute' with a precomputed group-by frame is not implemented by this engine; "
                          "pass the by columns instead.")
    imputable = [i for i in range(fr.ncols) if fr.types[i] in ("int", "real", "enum")]
    columns, types = list(fr.table.columns), list(fr.types)
    if by_cols:
        if col in by_cols:
            raise RapidsError("'h2o.impute': the imputed column cannot be a group-by column.")
        targets = [col] if col >= 0 else [i for i in imputable if i not in by_cols]
        gid, count, first = group_rows(fr, by_cols)
        names = [fr.names[c] for c in by_cols]
        arrays = [fr.table.column(c).take(pa.array(first)) for c in by_cols]
        kinds = [fr.types[c] for c in by_cols]
        for target in targets:
            fcn = method if col >= 0 else ("mode" if fr.types[target] == "enum" else "mean")
            if fcn == "mode" and fr.types[target] != "enum":
                raise RapidsError("Mode only allowed on categorical columns")
            per_group = aggregate(fcn, "rm", v.column_floats(fr, target), gid, count)
            columns[target], types[target] = _filled(fr, target, 0.0, per_group[gid])
            array, kind = v.number_column(per_group)
            names.append(f"{fcn}_{fr.names[target]}")
            arrays.append(array)
            kinds.append(kind)
        result = v.make_frame(names, arrays, kinds)
    else:
        if isinstance(values, (NumList, list, float, int)) and not (isinstance(values, NumList) and values.is_empty):
            fills = [float(x) for x in v.numbers(values, "h2o.impute", "the values")]
            if len(fills) != fr.ncols:
                raise RapidsError(f"'h2o.impute' got {len(fills)} values for {fr.ncols} columns.")
        elif col == -1:
            fills = [0.0] * fr.ncols
            for i in imputable:
                fills[i] = _mode_of(fr, i) if fr.types[i] == "enum" else float(np.nanmean(v.column_floats(fr, i))
                                                                                if fr.nrows else np.nan)
        else:
            fills = [float("nan")] * fr.ncols
            x = v.column_floats(fr, col)
            if method == "mean":
                fills[col] = float(np.nanmean(x)) if (~np.isnan(x)).any() else float("nan")
            elif method == "median":
                fills[col] = _median_of(x, combine)
            else:
                fills[col] = _mode_of(fr, col)
        for i in imputable:
            if not np.isnan(fills[i]):
                columns[i], types[i] = _filled(fr, i, fills[i])
        result = fills
    if fr.key:
        updated = Frame(fr.key, pa.table(dict(zip(fr.names, [c if isinstance(c, pa.ChunkedArray)
                                                             else pa.chunked_array([c]) for c in columns]))), types)
        ix.engine.store.put(fr.key, updated)
    return result


# -- apply ----------------------------------------------------------------------------------------
@prim("apply")
def apply(ix: Interpreter, fr, margin, fun):
    """``(apply fr 2 fun)`` calls ``fun`` on each column (as a one-column frame) and binds the
    results; a row-wise apply (margin 1) is not available here."""
    fr = v.frame(fr, "apply")
    margin = int(v.number(margin, "apply", "the margin"))
    fun = v.function(fun, "apply", "its function")
    if margin == 1:
        raise RapidsError("Row-wise apply (margin 1) is not implemented by this engine; apply a function per "
                          "column (margin 2) or write the row computation with column operations.")
    if margin != 2:
        raise RapidsError("Only row-wise (margin 1) or col-wise (margin 2) allowed")
    if fun.arity not in (None, 1):
        raise RapidsError(f"Incorrect number of arguments; the function expects {fun.arity} but was passed 1")
    results = [ix.apply(fun, [v.select_columns(fr, [i])]) for i in range(fr.ncols)]
    arrays, types = [], []
    nrows = results[0].nrows if results and isinstance(results[0], Frame) else 1
    for result in results:
        if isinstance(result, Frame):
            if result.ncols != 1:
                raise RapidsError(f"apply result Frames must have one column, found {result.ncols} cols")
            if result.nrows != nrows:
                raise RapidsError(f"apply result Frames must have all the same rows, found {nrows} rows and "
                                  f"{result.nrows}")
            arrays.append(result.table.column(0))
            types.append(result.types[0])
        elif isinstance(result, (int, float)) or (isinstance(result, list) and result
                                                  and isinstance(result[0], (int, float))):
            value = float(result[0] if isinstance(result, list) else result)
            array, kind = v.number_column(np.array([value]))
            arrays.append(array)
            types.append(kind)
        else:
            raise RapidsError(f"'apply': the function returned {v.describe(result)}, which cannot be a column.")
    return v.make_frame(list(fr.names), arrays, types)


# -- filling, filtering and repeating ---------------------------------------------------------------
def _fill_forward(matrix: np.ndarray, limit: int) -> np.ndarray:
    """Along axis 0, each missing entry takes the last value above it if at most ``limit``
    rows above."""
    rows = np.arange(matrix.shape[0])[:, None]
    valid = ~np.isnan(matrix)
    last = np.maximum.accumulate(np.where(valid, rows, -1), axis=0)
    fill = ~valid & (last >= 0) & (rows - last <= limit)
    taken = np.take_along_axis(matrix, np.maximum(last, 0), axis=0)
    return np.where(fill, taken, matrix)


@prim("h2o.fillna")
def fillna(ix: Interpreter, fr, method, axis, maxlen):
    """``(h2o.fillna fr 'forward'|'backward' axis maxlen)``: numeric columns named C1…, as
    H2O-3 returns them."""
    fr = v.frame(fr, "h2o.fillna")
    method = v.string(method, "h2o.fillna", "the method").lower()
    if method not in ("forward", "backward"):
        raise RapidsError("Method must be forward or backward")
    axis = int(v.number(axis, "h2o.fillna", "the axis"))
    if axis not in (0, 1):
        raise RapidsError("Axis must be 0 for columnar 1 for row")
    limit = int(v.number(maxlen, "h2o.fillna", "maxlen"))
    if limit < 0:
        raise RapidsError("The maxlen/limit parameter should be >= 0.")
    matrix = np.column_stack([v.column_floats(fr, i) for i in range(fr.ncols)]) if fr.ncols else np.zeros((fr.nrows, 0))
    if axis == 1:
        matrix = matrix.T
    if method == "backward":
        matrix = matrix[::-1]
    if limit:
        matrix = _fill_forward(matrix, limit)
    if method == "backward":
        matrix = matrix[::-1]
    if axis == 1:
        matrix = matrix.T
    return v.numbers_frame([f"C{i + 1}" for i in range(fr.ncols)], [matrix[:, i] for i in range(fr.ncols)])


@prim("filterNACols")
def filter_na_cols(ix: Interpreter, fr, frac):
    """Indices of the columns whose missing count is below ``frac`` of the rows."""
    fr = v.frame(fr, "filterNACols")
    bound = fr.nrows * v.number(frac, "filterNACols", "the fraction")
    return [float(i) for i in range(fr.ncols) if fr.stats(i).missing_count < bound]


@prim("rep_len")
def rep_len(ix: Interpreter, fr, length):
    """A one-column frame repeated to ``length`` rows; a wider frame's columns repeated to
    ``length`` columns (C1…); a number as a constant column."""
    length = int(v.number(length, "rep_len", "the length"))
    if length < 0:
        raise RapidsError("'rep_len' needs a length of at least 0.")
    if not isinstance(fr, Frame) and not (isinstance(fr, str) and isinstance(ix.engine.store.find(fr), Frame)):
        return v.numbers_frame(["C1"], [np.full(length, v.number(fr, "rep_len"))])
    fr = v.frame(fr, "rep_len")
    if fr.ncols == 1:
        if fr.nrows == 0:
            raise RapidsError("'rep_len' cannot repeat an empty column.")
        return v.take_rows(fr, pa.array(np.arange(length, dtype=np.int64) % fr.nrows))
    picked = [i % fr.ncols for i in range(length)]
    return v.make_frame([f"C{i + 1}" for i in range(length)], [fr.table.column(i) for i in picked],
                        [fr.types[i] for i in picked])
