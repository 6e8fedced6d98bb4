"""Text operations: ``toupper``, ``tolower``, ``trim``, ``lstrip``, ``rstrip``, ``substring``,
``strlen``, ``countmatches``, ``replacefirst``/``replaceall`` (h2o-py's ``sub``/``gsub``),
``grep``, ``strsplit``, ``tokenize`` and ``strDistance``.

As in H2O-3, a factor (enum) column is changed through its levels: the operation runs on the
domain, and levels that become equal are merged (then sorted, as H2O-3 merges them). Regular
expressions follow Java's syntax as far as RE2 (pyarrow's engine) shares it: lookaround and
backreferences are refused with a message. Result columns are named ``C1``, ``C2``... except
where H2O-3 keeps the input's names (``replacefirst``).
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from h2odash.engine.frames import Frame

from ..interpreter import Interpreter, RapidsError, prim
from ..syntax import NumList
from .. import values as v
from .levels import enum_array

# What Java's String.trim() removes: every character up to and including the space.
JAVA_TRIMMED = "".join(chr(i) for i in range(1, 33))


# -- shared machinery ---------------------------------------------------------------------------
def text_frame(fr, op: str, kinds: tuple = ("string", "enum")) -> Frame:
    fr = v.frame(fr, op)
    for name, kind in zip(fr.names, fr.types):
        if kind not in kinds:
            wanted = "a string or categorical" if "enum" in kinds else "a string"
            raise RapidsError(f"{op}() requires {wanted} column; column '{name}' is {kind}. Please convert "
                              "it first.")
    return fr


def _plain(column) -> pa.Array:
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    return column


def _dictionary_parts(fr: Frame, col: int) -> tuple[pa.Array, pa.Array]:
    """An enum column's level codes (with nulls) and levels."""
    column = _plain(fr.table.column(col))
    if not isinstance(column, pa.DictionaryArray):
        column = column.dictionary_encode()
    return column.indices, column.dictionary


def map_text(fr: Frame, col: int, change: Callable[[pa.Array], pa.Array]) -> tuple[pa.Array, str]:
    """Column ``col`` with ``change`` (strings to strings, vectorized) applied: to the values of a
    string column, to the levels of an enum (merging levels that become equal)."""
    if fr.types[col] != "enum":
        return _regex_guard(change, _plain(fr.table.column(col))), "string"
    indices, levels = _dictionary_parts(fr, col)
    renamed = _regex_guard(change, levels)
    merged = pc.unique(renamed)
    if len(merged) == len(renamed):
        return pa.DictionaryArray.from_arrays(indices, renamed), "enum"
    merged = pc.take(merged, pc.array_sort_indices(merged))
    remap = pc.index_in(renamed, value_set=merged)
    return pa.DictionaryArray.from_arrays(pc.take(remap, indices).cast(pa.int32()), merged), "enum"


def map_numbers(fr: Frame, col: int, measure: Callable[[pa.Array], pa.Array]) -> np.ndarray:
    """A number per row from ``measure`` (strings to numbers), via the levels for an enum."""
    if fr.types[col] != "enum":
        values = _regex_guard(measure, _plain(fr.table.column(col)))
    else:
        indices, levels = _dictionary_parts(fr, col)
        values = pc.take(_regex_guard(measure, levels), indices)
    return values.cast(pa.float64()).fill_null(math.nan).to_numpy(zero_copy_only=False)


def _regex_guard(function, array):
    try:
        return function(array)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as failure:
        raise RapidsError(f"The regular expression cannot be used: {failure}. (Lookaround and backreferences "
                          "are not supported here.)") from None


def _numbered(arrays: list, types: list) -> Frame:
    return v.make_frame([f"C{i + 1}" for i in range(len(arrays))], arrays, types)


def _each_column(fr: Frame, change) -> Frame:
    arrays, types = zip(*(map_text(fr, c, change) for c in range(fr.ncols))) if fr.ncols else ((), ())
    return _numbered(list(arrays), list(types))


def java_replacement(text: str) -> str:
    """A Java replacement string (``$1`` for a group, backslash escapes the next character) in
    RE2's rewrite syntax (``\\1``, ``\\\\`` for a backslash)."""
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            out.append("\\\\" if text[i + 1] == "\\" else text[i + 1])
            i += 2
        elif c == "$" and i + 1 < len(text) and text[i + 1].isdigit():
            out.append("\\" + text[i + 1])
            i += 2
        elif c == "$":
            raise RapidsError("In a replacement, '$' must be followed by a group number (write '\\$' for a "
                              "dollar sign).")
        else:
            out.append("\\\\" if c == "\\" else c)
            i += 1
    return "".join(out)


# -- case, trimming, substrings ----------------------------------------------------------------
@prim("toupper")
def to_upper(ix: Interpreter, fr):
    return _each_column(text_frame(fr, "toupper"), pc.utf8_upper)


@prim("tolower")
def to_lower(ix: Interpreter, fr):
    return _each_column(text_frame(fr, "tolower"), pc.utf8_lower)


@prim("trim")
def trim(ix: Interpreter, fr):
    return _each_column(text_frame(fr, "trim"), lambda a: pc.utf8_trim(a, characters=JAVA_TRIMMED))


@prim("lstrip")
def lstrip(ix: Interpreter, fr, characters):
    chars = v.string(characters, "lstrip", "the characters to strip")
    fr = text_frame(fr, "lstrip")
    return _each_column(fr, (lambda a: pc.utf8_ltrim(a, characters=chars)) if chars else (lambda a: a))


@prim("rstrip")
def rstrip(ix: Interpreter, fr, characters):
    chars = v.string(characters, "rstrip", "the characters to strip")
    fr = text_frame(fr, "rstrip")
    return _each_column(fr, (lambda a: pc.utf8_rtrim(a, characters=chars)) if chars else (lambda a: a))


@prim("substring")
def substring(ix: Interpreter, fr, start, end):
    """Characters ``start`` (inclusive) to ``end`` (exclusive); ``[]`` as the end means to the end."""
    first = max(0, int(v.number(start, "substring", "the start")))
    last = None if isinstance(end, NumList) and end.is_empty else int(v.number(end, "substring", "the end"))
    fr = text_frame(fr, "substring")
    if last is not None and first >= last:
        return _each_column(fr, lambda a: pc.if_else(pc.is_null(a), a, ""))
    return _each_column(fr, lambda a: pc.utf8_slice_codeunits(a, first, last))


@prim("strlen")
def strlen(ix: Interpreter, fr):
    fr = text_frame(fr, "strlen")
    return v.numbers_frame([f"C{i + 1}" for i in range(fr.ncols)],
                           [map_numbers(fr, c, pc.utf8_length) for c in range(fr.ncols)])


@prim("countmatches")
def count_matches(ix: Interpreter, fr, patterns):
    """How many times the patterns (plain text, not regular expressions) occur, summed over them."""
    wanted = [p for p in v.strings(patterns, "countmatches", "the pattern(s)") if p]
    fr = text_frame(fr, "countmatches")

    def count(a):
        total = pc.multiply(pc.utf8_length(a), 0)
        for pattern in wanted:
            total = pc.add(total, pc.count_substring(a, pattern))
        return total

    return v.numbers_frame([f"C{i + 1}" for i in range(fr.ncols)], [map_numbers(fr, c, count) for c in range(fr.ncols)])


# -- regular expressions ---------------------------------------------------------------------
def _replace(op: str, fr, pattern, replacement, ignore_case, first_only: bool) -> Frame:
    pattern = v.string(pattern, op, "the pattern")
    rewrite = java_replacement(v.string(replacement, op, "the replacement"))
    lower = v.number(ignore_case, op, "ignore_case") == 1
    fr = text_frame(fr, op)

    def replace(a):
        # As H2O-3: ignoring case lower-cases the text (not the pattern) before replacing
        text = pc.utf8_lower(a) if lower else a
        return pc.replace_substring_regex(text, pattern=pattern, replacement=rewrite,
                                          max_replacements=1 if first_only else None)

    result = _each_column(fr, replace)
    if first_only:   # H2O-3's replacefirst keeps the column names; replaceall does not
        return v.make_frame(fr.names, [result.table.column(i) for i in range(result.ncols)], result.types)
    return result


@prim("replacefirst")
def replace_first(ix: Interpreter, fr, pattern, replacement, ignore_case):
    return _replace("replacefirst", fr, pattern, replacement, ignore_case, first_only=True)


@prim("replaceall")
def replace_all(ix: Interpreter, fr, pattern, replacement, ignore_case):
    return _replace("replaceall", fr, pattern, replacement, ignore_case, first_only=False)


@prim("grep")
def grep(ix: Interpreter, fr, pattern, ignore_case, invert, output_logical):
    """Rows whose text contains a match: their positions, or a 0/1 indicator per row (a missing
    value counts as no match)."""
    pattern = v.string(pattern, "grep", "the pattern")
    caseless = v.number(ignore_case, "grep", "ignore_case") == 1
    inverted = v.number(invert, "grep", "invert") == 1
    logical = v.number(output_logical, "grep", "output_logical") == 1
    fr = text_frame(fr, "grep")
    if fr.ncols != 1:
        raise RapidsError("grep works on a single categorical or string column.")
    found = map_numbers(fr, 0, lambda a: pc.match_substring_regex(a, pattern, ignore_case=caseless))
    hit = np.where(np.isnan(found), False, found == 1) != inverted
    if logical:
        return v.numbers_frame(["C1"], [hit.astype(np.float64)])
    return v.numbers_frame(["C1"], [np.flatnonzero(hit).astype(np.float64)])


def java_split(texts: pa.Array, pattern: str):
    """Split each text as Java's ``String.split(regex)``: trailing empty pieces dropped, a leading
    empty piece dropped when the first match is empty and at the start, the whole text kept when
    nothing matches.

    Returns the pieces flattened, with each piece's row and position in its row. (pyarrow's own
    regex split loops forever on a pattern that matches the empty string, so matches are
    wrapped in a marker absent from the text and split on that, plain.)
    """
    if not len(texts):
        return pa.array([], pa.string()), np.zeros(0, np.int64), np.zeros(0, np.int64)
    marker = next(m for m in ("\x00", "\x1e", "\x1f", "\ue000", "\ue001\ue002")
                  if not pc.any(pc.greater(pc.count_substring(texts, m), 0)).as_py())
    marked = _regex_guard(lambda a: pc.replace_substring_regex(a, pattern=pattern,
                                                               replacement=marker + "\\0" + marker), texts)
    parts = pc.split_pattern(marked, marker)
    flat = pc.list_flatten(parts)
    rows = pc.list_parent_indices(parts).to_numpy().astype(np.int64)
    offsets = np.asarray(parts.offsets)
    position = np.arange(len(flat)) - offsets[rows]
    empty = (pc.utf8_length(flat).to_numpy(zero_copy_only=False) == 0)
    lengths = np.diff(offsets)
    # Pieces sit at even positions, the matches between them at odd ones.
    first_match_empty = np.zeros(len(texts), bool)
    has_match = lengths >= 3
    starts = offsets[:-1]
    first_match_empty[has_match] = empty[starts[has_match]] & empty[starts[has_match] + 1]
    is_piece = position % 2 == 0
    piece = position // 2 - first_match_empty[rows]
    keep = is_piece & (piece >= 0)
    count = np.bincount(rows[keep], minlength=len(texts))
    last_full = np.full(len(texts), -1)
    np.maximum.at(last_full, rows[keep & ~empty], piece[keep & ~empty])
    keep &= (piece <= last_full[rows]) | (count[rows] == 1)
    chosen = np.flatnonzero(keep)
    return pc.take(flat, pa.array(chosen)), rows[chosen], piece[chosen]


def _spread(values: pa.Array, rows: np.ndarray, position: np.ndarray, nrows: int) -> list[pa.Array]:
    """Pieces laid out as columns: column j holds each row's piece j (missing when it has fewer)."""
    columns = []
    for j in range(int(position.max()) + 1 if len(position) else 0):
        at = np.flatnonzero(position == j)
        take = np.full(nrows, -1)
        take[rows[at]] = at
        columns.append(pc.take(values, pa.array(take, mask=take < 0)))
    return columns


@prim("strsplit")
def strsplit(ix: Interpreter, fr, pattern):
    """Each column split at a regular expression into columns of pieces (factors stay factors,
    each piece column with the pieces of the levels as its levels)."""
    pattern = v.string(pattern, "strsplit", "the pattern")
    if pattern == "":
        raise RapidsError("strsplit needs a non-empty pattern.")
    fr = text_frame(fr, "strsplit")
    arrays, types = [], []
    for col in range(fr.ncols):
        if fr.types[col] == "enum":
            indices, levels = _dictionary_parts(fr, col)
            for pieces in _spread(*java_split(levels, pattern), len(levels)):
                domain = pc.unique(pieces).drop_null()
                domain = pc.take(domain, pc.array_sort_indices(domain))
                codes = pc.take(pc.index_in(pieces, value_set=domain), indices)
                arrays.append(pa.DictionaryArray.from_arrays(codes.cast(pa.int32()), domain))
                types.append("enum")
        else:
            texts = _plain(fr.table.column(col))
            for pieces in _spread(*java_split(texts, pattern), len(texts)):
                arrays.append(pieces)
                types.append("string")
    return _numbered(arrays, types)


@prim("tokenize")
def tokenize(ix: Interpreter, fr, pattern):
    """One string column: each row's tokens (from every column in turn), then a missing value
    closing the row."""
    pattern = v.string(pattern, "tokenize", "the pattern")
    if pattern == "":
        raise RapidsError("tokenize needs a non-empty pattern.")
    fr = text_frame(fr, "tokenize", kinds=("string",))
    values, keys_row, keys_col, keys_pos = [], [], [], []
    for col in range(fr.ncols):
        pieces, rows, position = java_split(_plain(fr.table.column(col)), pattern)
        values.append(pieces)
        keys_row.append(rows)
        keys_col.append(np.full(len(rows), col))
        keys_pos.append(position)
    values.append(pa.nulls(fr.nrows, pa.string()))          # the row separators
    keys_row.append(np.arange(fr.nrows))
    keys_col.append(np.full(fr.nrows, fr.ncols))
    keys_pos.append(np.zeros(fr.nrows, np.int64))
    order = np.lexsort((np.concatenate(keys_pos), np.concatenate(keys_col), np.concatenate(keys_row)))
    tokens = pc.take(pa.concat_arrays([a.cast(pa.string()) for a in values]), pa.array(order))
    return v.make_frame(["C1"], [tokens], ["string"])


# -- distances ----------------------------------------------------------------------------------
@prim("strDistance")
def string_distance(ix: Interpreter, x, y, measure, compare_empty):
    """Similarity (0 to 1, H2O-3's comparators) of the texts in ``x`` and ``y``, row by row and
    column by column: 'lv' (Levenshtein), 'lcs', 'qgram', 'jaccard', 'jw' (Jaro-Winkler),
    'soundex'. With ``compare_empty`` false a comparison with an empty text is missing."""
    x, y = v.frame(x, "strDistance"), v.frame(y, "strDistance", "its second argument")
    measure = v.string(measure, "strDistance", "the measure")
    empty_too = v.number(compare_empty, "strDistance", "compare_empty") == 1
    if x.ncols != y.ncols or x.nrows != y.nrows:
        raise RapidsError("strDistance() requires the frames to have the same number of columns and rows.")
    compare = _COMPARATORS.get(measure)
    if compare is None:
        raise RapidsError(f"Unknown comparator: '{measure}'; use one of lv, lcs, qgram, jaccard, jw, soundex.")
    for fr in (x, y):
        text_frame(fr, "strDistance")
    columns = []
    for col in range(x.ncols):
        left, right = _plain(v.labels_of(x, col)), _plain(v.labels_of(y, col))
        left_codes, left_levels = _codes(left)
        right_codes, right_levels = _codes(right)
        missing = (left_codes < 0) | (right_codes < 0)
        # Distinct pairs only: the comparators are plain Python, so each pair is scored once
        # (a loop over distinct pairs, not over rows).
        keys = np.where(missing, -1, left_codes * max(1, len(right_levels)) + right_codes)
        distinct, inverse = np.unique(keys, return_inverse=True)
        scores = np.empty(len(distinct))
        for i, key in enumerate(distinct):
            if key < 0:
                scores[i] = math.nan
                continue
            a, b = left_levels[key // max(1, len(right_levels))], right_levels[key % max(1, len(right_levels))]
            scores[i] = math.nan if not empty_too and (not a or not b) else compare(a, b)
        columns.append(scores[inverse.reshape(-1)])
    return v.numbers_frame([f"C{i + 1}" for i in range(x.ncols)], columns)


def _codes(texts: pa.Array) -> tuple[np.ndarray, list[str]]:
    encoded = texts.dictionary_encode()
    return encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64), \
        encoded.dictionary.to_pylist()


def _levenshtein(a: str, b: str) -> float:
    if not a and not b:
        return 1.0
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a):
        current = [i + 1]
        for j, cb in enumerate(b):
            current.append(min(current[j] + 1, previous[j + 1] + 1, previous[j] + (ca != cb)))
        previous = current
    return 1.0 - previous[-1] / max(len(a), len(b))


def _longest_common_substring(a: str, b: str) -> float:
    """Duke's LCS comparator: repeatedly remove the longest common substring (at least 2
    characters long); the removed length over the shorter text's length, averaged both ways."""
    if a == b:
        return 1.0
    if min(len(a), len(b)) == 0:
        return 0.0

    def one_way(s1: str, s2: str) -> float:
        shorter = min(len(s1), len(s2))
        removed = 0
        while True:
            longest, end1, end2 = 0, 0, 0
            previous = [0] * (len(s2) + 1)
            for i in range(len(s1)):
                current = [0] * (len(s2) + 1)
                for j in range(len(s2)):
                    if s1[i] == s2[j]:
                        current[j + 1] = previous[j] + 1
                        if current[j + 1] > longest:
                            longest, end1, end2 = current[j + 1], i + 1, j + 1
                previous = current
            if longest < 2:
                break
            s1 = s1[:end1 - longest] + s1[end1:]
            s2 = s2[:end2 - longest] + s2[end2:]
            removed += longest
        return removed / shorter

    return (one_way(a, b) + one_way(b, a)) / 2.0


def _qgram(a: str, b: str) -> float:
    if a == b:
        return 1.0
    grams_a = {a[i:i + 2] for i in range(len(a) - 1)}
    grams_b = {b[i:i + 2] for i in range(len(b) - 1)}
    if not grams_a or not grams_b:
        return 0.0
    return len(grams_a & grams_b) / min(len(grams_a), len(grams_b))


def _jaccard(a: str, b: str) -> float:
    """Tokens split at spaces; each token of the shorter list scores 1 if the other list has it."""
    if a == b:
        return 1.0
    t1, t2 = [t for t in a.split(" ") if t], [t for t in b.split(" ") if t]
    if len(t1) > len(t2):
        t1, t2 = t2, t1
    common = sum(1.0 for token in t1 if token in t2)
    union = len(t1) + len(t2) - common
    return common / union if union else math.nan


def _jaro_winkler(a: str, b: str) -> float:
    """H2O-3's Jaro-Winkler (transpositions counted directly, a search window of half the longer
    text, the prefix bonus up to 4 characters)."""
    if a == b:
        return 1.0
    if len(a) > len(b):
        a, b = b, a
    taken = [False] * len(b)
    window = len(b) // 2
    common = transposed = 0
    previous = -1
    for i, ch in enumerate(a):
        for j in range(max(0, i - window), min(len(b), i + window)):
            if ch == b[j] and not taken[j]:
                common += 1
                taken[j] = True
                if previous != -1 and j < previous:
                    transposed += 1
                previous = j
                break
    if common == 0:
        return 0.0
    score = (common / len(a) + common / len(b) + (common - transposed) / common) / 3.0
    prefix = 0
    while prefix < min(4, len(a)) and a[prefix] == b[prefix]:
        prefix += 1
    return score + prefix * (1 - score) / 10


_SOUNDEX = {c: d for d, letters in {"1": "BPFV", "2": "CSKGJQXZ", "3": "DT", "4": "L", "5": "MN", "6": "R"}.items()
            for c in letters}


def _soundex_key(text: str) -> str:
    if not text:
        return ""
    key, previous = [text[0]], "0"
    for ch in text[1:]:
        if len(key) == 4:
            break
        upper = ch.upper() if ch.isascii() and ch.isalpha() else None
        if upper is None:
            continue
        digit = _SOUNDEX.get(upper, "0")
        if digit != "0" and digit != previous:
            key.append(digit)
        previous = digit
    return "".join(key).ljust(4, "0")


def _soundex(a: str, b: str) -> float:
    if a == b:
        return 1.0
    return 0.9 if _soundex_key(a) == _soundex_key(b) else 0.0


_COMPARATORS = {
    "lv": _levenshtein, "Levenshtein": _levenshtein,
    "lcs": _longest_common_substring, "LongestCommonSubstring": _longest_common_substring,
    "qgram": _qgram, "QGram": _qgram,
    "jaccard": _jaccard, "JaccardIndex": _jaccard,
    "jw": _jaro_winkler, "JaroWinkler": _jaro_winkler,
    "soundex": _soundex, "Soundex": _soundex,
}
