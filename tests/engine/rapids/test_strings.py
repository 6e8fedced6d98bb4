"""String prims on string and factor columns, checked against Python's own string methods and
``re`` (factors change through their levels, as H2O-3 does)."""
import re

import numpy as np
import pyarrow as pa
import pytest

from h2odash.engine.errors import InvalidArgument
from h2odash.engine.frames import Frame
from h2odash.engine.parse import to_enum

TEXTS = ["  Hello World ", "a,b,,c", None, ",x,,", "", "banana", "Café 12", "tab\there "]
LEVELS = ["Ab c", "ab C", None, "Ab c", "x-y", "x", " x ", "b a"]


@pytest.fixture
def eng(engine):
    engine.store.put("fr", Frame("fr", pa.table({"s": pa.array(TEXTS), "f": to_enum(pa.array(LEVELS))})))
    return engine


def values(result, i=0):
    return result.table.column(i).cast(pa.string()).to_pylist() if result.types[i] in ("string", "enum") \
        else result.table.column(i).to_pylist()


def each(function, texts):
    return [None if t is None else function(t) for t in texts]


@pytest.mark.parametrize("op, function", [
    ("toupper", str.upper), ("tolower", str.lower), ("trim", str.strip), ("strlen", len),
])
def test_case_trim_and_length(eng, op, function):
    result = eng.rapids(f"({op} fr)")
    assert result.names == ["C1", "C2"]
    assert values(result, 0) == each(function, TEXTS)
    assert values(result, 1) == each(function, LEVELS)
    if op != "strlen":
        assert result.types == ["string", "enum"]


def test_levels_that_become_equal_merge(eng):
    result = eng.rapids("(tolower (cols fr 'f'))")
    assert result.domain(0) == sorted({t.lower() for t in LEVELS if t})


def test_strip_and_substring(eng):
    assert values(eng.rapids("(lstrip fr ' aA')"), 0) == each(lambda t: t.lstrip(" aA"), TEXTS)
    assert values(eng.rapids("(rstrip fr ' c')"), 1) == each(lambda t: t.rstrip(" c"), LEVELS)
    assert values(eng.rapids("(substring fr 1 4)"), 0) == each(lambda t: t[1:4], TEXTS)
    assert values(eng.rapids("(substring fr 2 [])"), 1) == each(lambda t: t[2:], LEVELS)
    assert values(eng.rapids("(substring fr 3 1)"), 0) == each(lambda t: "", TEXTS)


def test_count_matches_plain_text(eng):
    result = eng.rapids("(countmatches fr ['a' 'an'])")
    assert values(result, 0) == each(lambda t: t.count("a") + t.count("an"), TEXTS)
    assert values(result, 1) == each(lambda t: t.count("a") + t.count("an"), LEVELS)


def test_sub_and_gsub_like_re(eng):
    first = eng.rapids("(replacefirst fr '[a-z]' '#' False)")
    assert first.names == ["s", "f"]   # replacefirst keeps the names, as H2O-3
    assert values(first, 0) == each(lambda t: re.sub("[a-z]", "#", t, count=1), TEXTS)
    every = eng.rapids("(replaceall fr '([a-z])(,)' '$2$1' False)")
    assert values(every, 0) == each(lambda t: re.sub("([a-z])(,)", r"\2\1", t), TEXTS)
    caseless = eng.rapids("(replaceall (cols fr 'f') 'a' '_' True)")
    assert values(caseless) == each(lambda t: t.lower().replace("a", "_"), LEVELS)
    with pytest.raises(InvalidArgument, match="regular expression"):
        eng.rapids("(replaceall fr '(?<=a)b' 'x' False)")


def test_grep(eng):
    matched = [t is not None and re.search("a", t, re.I) is not None for t in TEXTS]
    positions = eng.rapids("(grep (cols fr 's') 'A' True False False)")
    assert values(positions) == [i for i, m in enumerate(matched) if m]
    logical = eng.rapids("(grep (cols fr 's') 'A' True True True)")
    assert values(logical) == [0 if m else 1 for m in matched]
    with pytest.raises(InvalidArgument, match="single"):
        eng.rapids("(grep fr 'a' False False False)")


def java_split(text, pattern):
    """Java's String.split for patterns that cannot match the empty string."""
    pieces = re.split(pattern, text)
    if len(pieces) == 1:
        return pieces
    while pieces and pieces[-1] == "":
        pieces.pop()
    return pieces


def test_strsplit_follows_java_split(eng):
    result = eng.rapids("(strsplit (cols fr 's') ',')")
    expected = [None if t is None else java_split(t, ",") for t in TEXTS]
    width = max(len(p) for p in expected if p is not None)
    assert result.ncols == width and result.names == [f"C{i + 1}" for i in range(width)]
    for j in range(width):
        assert values(result, j) == [p[j] if p is not None and j < len(p) else None for p in expected]
    factors = eng.rapids("(strsplit (cols fr 'f') ' ')")
    assert factors.types == ["enum", "enum"]
    assert values(factors, 1) == [None if t is None or len(java_split(t, " ")) < 2 else java_split(t, " ")[1]
                                  for t in LEVELS]


def test_strsplit_with_empty_matches_ends(eng):
    # A pattern that matches nothing-at-all must not hang (pyarrow's own regex split would)
    result = eng.rapids("(strsplit (cols fr 's') 'z*')")
    assert values(result, 0)[5] == "b"


def test_tokenize(eng):
    result = eng.rapids("(tokenize (cols fr 's') ',')")
    expected = []
    for t in TEXTS:
        if t is not None:
            expected += java_split(t, ",")
        expected.append(None)
    assert values(result) == expected
    with pytest.raises(InvalidArgument, match="string"):
        eng.rapids("(tokenize (cols fr 'f') ',')")


def levenshtein(a, b):
    table = np.zeros((len(a) + 1, len(b) + 1))
    table[:, 0], table[0, :] = range(len(a) + 1), range(len(b) + 1)
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            table[i, j] = min(table[i - 1, j] + 1, table[i, j - 1] + 1, table[i - 1, j - 1] + (a[i - 1] != b[j - 1]))
    return table[-1, -1]


def test_string_distance(engine):
    left = ["kitten", "flaw", "", "same", None, "Robert"]
    right = ["sitting", "lawn", "x", "same", "a", "Rupert"]
    engine.store.put("l", Frame("l", pa.table({"a": pa.array(left)})))
    engine.store.put("r", Frame("r", pa.table({"a": to_enum(pa.array(right))})))
    lv = values(engine.rapids("(strDistance l r 'lv' False)"))
    for got, a, b in zip(lv, left, right):
        if a is None or not a or not b:
            assert got is None
        else:
            assert got == pytest.approx(1 - levenshtein(a, b) / max(len(a), len(b)))
    soundex = values(engine.rapids("(strDistance l r 'soundex' True)"))
    assert soundex[5] == 0.9 and soundex[3] == 1.0   # Robert and Rupert share R163
    qgram = values(engine.rapids("(strDistance l r 'qgram' True)"))
    grams = lambda t: {t[i:i + 2] for i in range(len(t) - 1)}
    assert qgram[1] == pytest.approx(len(grams("flaw") & grams("lawn")) / 3)
    for measure in ("lcs", "jaccard", "jw"):
        scores = values(engine.rapids(f"(strDistance l r '{measure}' True)"))
        assert scores[3] == 1.0 and all(s is None or 0 <= s <= 1 for s in scores)
    with pytest.raises(InvalidArgument, match="Unknown comparator"):
        engine.rapids("(strDistance l r 'cosine' True)")


def test_numbers_are_refused(engine):
    engine.store.put("n", Frame("n", pa.table({"x": [1.0, 2.0]})))
    with pytest.raises(InvalidArgument, match="string or categorical"):
        engine.rapids("(toupper n)")
