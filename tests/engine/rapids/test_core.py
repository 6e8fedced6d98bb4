"""The Rapids language itself: reading expressions (with positions in errors), names, temporaries,
sessions, functions, and the selection and binding operations, checked against pandas."""
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from h2odash.engine.errors import InvalidArgument
from h2odash.engine.frames import Frame
from h2odash.engine.parse import to_enum
from h2odash.engine.rapids import RapidsSyntaxError, parse
from h2odash.engine.rapids.syntax import Call, Function, Name, NumList, Span, StrList


@pytest.fixture
def fr(engine):
    table = pa.table({"a": pa.array([1, 2, 3, None, 5], pa.int32()), "b": [1.5, 2.5, None, 4.0, 0.5],
                      "s": to_enum(pa.array(["x", "y", None, "x", "z"]))})
    engine.store.put("fr", Frame("fr", table))
    return engine


def frame_of(result) -> pd.DataFrame:
    return result.table.to_pandas()


def test_reading_lists_spans_strings_and_functions():
    tree = parse("(tmp= py_1 (rows (cols_py fr [0:4]) [0:3:2 7]))")
    assert isinstance(tree, Call) and tree.op.name == "tmp=" and tree.args[0] == Name(6, "py_1")
    rows = tree.args[1].args[1]
    assert rows.items == (Span(0.0, 3.0, 2.0), 7.0) and rows.expand() == [0.0, 2.0, 4.0, 7.0]
    assert parse("['a' \"b c\" 'it\\'s']") == StrList(0, ("a", "b c", "it's"))
    function = parse("{x y . (+ x y)}")
    assert isinstance(function, Function) and function.params == ("x", "y")
    assert parse("[]") == NumList(0, ()) and parse("[5:nan]").expand(limit=8) == [5.0, 6.0, 7.0]
    assert np.isnan(parse("nan").value) and parse("True").value == 1.0 and parse("-2.5e1").value == -25


@pytest.mark.parametrize("text, position, words", [
    ("(+ 1", 4, "never closed"), ("(+ 1))", 5, "after the end"), ("()", 1, "no operation"),
    ("[1 'a']", 0, "either numbers or strings"), ("(cols fr [0:a])", 10, "span"), ("", 0, "empty"),
    ("{x (+ x 1)}", 3, "'.'"), ("'open", 0, "never closed"),
])
def test_malformed_expressions_say_where(text, position, words):
    with pytest.raises(RapidsSyntaxError) as caught:
        parse(text)
    assert caught.value.pos == position and words in str(caught.value)


def test_unknown_names_and_operations_are_named(fr):
    with pytest.raises(InvalidArgument, match="'nosuchprim'.*not implemented"):
        fr.rapids("(nosuchprim fr)")
    with pytest.raises(InvalidArgument, match="Name lookup of 'nofr' failed"):
        fr.rapids("(rows nofr 1)")
    with pytest.raises(InvalidArgument, match="'cols' .*takes 2 argument"):
        fr.rapids("(cols fr)")
    assert fr.store.keys() == ["fr"]  # nothing stored by failed expressions
    with pytest.raises(InvalidArgument):
        fr.rapids("(cbind (tmp= half (rows fr [0:2])) (rm fr) (cols fr 99))")
    assert fr.store.keys() == ["fr"]  # ... even when parts of them ran before the failure


def test_rows_and_columns_match_pandas(fr):
    df = frame_of(fr.store.get("fr"))
    assert frame_of(fr.rapids("(rows fr [1:3])")).equals(df.iloc[1:4].reset_index(drop=True))
    assert frame_of(fr.rapids("(rows fr [-1 -3])")).equals(df.drop(index=[0, 2]).reset_index(drop=True))
    assert frame_of(fr.rapids("(rows fr [3:nan])")).equals(df.iloc[3:].reset_index(drop=True))
    assert fr.rapids("(rows fr [3:10])").nrows == 2                       # a span stops at the end
    assert fr.rapids("(rows fr 7)").table.to_pylist() == [{"a": None, "b": None, "s": None}]  # H2O-3's NA row
    assert list(frame_of(fr.rapids("(cols_py fr ['s' 'a'])")).columns) == ["s", "a"]
    assert list(frame_of(fr.rapids("(cols fr -2)")).columns) == ["a", "s"]
    mask = Frame("mask", pa.table({"m": [1, 0, None, 1, 0]}))
    fr.store.put("mask", mask)
    assert fr.rapids("(rows fr mask)").table.column("a").to_pylist() == [1, None]  # NA in a mask drops the row


def test_assigning_cells_columns_and_names(fr):
    df = frame_of(fr.store.get("fr"))
    changed = fr.rapids("(:= fr 7 1 [0 2])")
    expected = df["b"].copy()
    expected.iloc[[0, 2]] = 7
    assert frame_of(changed)["b"].tolist() == expected.tolist()
    relabelled = fr.rapids("(:= fr 'w' 2 [1])")
    assert relabelled.table.column("s").to_pylist() == ["x", "w", None, "x", "z"]
    assert relabelled.domain(2) == ["w", "x", "z"]                      # levels kept sorted
    factor = fr.rapids("(:= fr (as.factor (cols_py fr 'a')) 0 [])")
    assert factor.types[0] == "enum" and factor.domain(0) == ["1", "2", "3", "5"]
    added = fr.rapids("(append fr 3.5 'new')")
    assert added.names[-1] == "new" and added.types[-1] == "real"
    # several value-name pairs at once, as h2o-py sends two columns set in a row
    two = fr.rapids("(append fr (* (cols_py fr 'a') 2) 'twice' 'tag' 'label')")
    assert two.names[-2:] == ["twice", "label"] and two.types[-2:] == ["int", "string"]
    assert two.table.column("twice").to_pylist() == [None if pd.isna(a) else 2 * a for a in df["a"]]
    with pytest.raises(InvalidArgument, match="pairs"):
        fr.rapids("(append fr 3.5)")
    renamed = fr.rapids("(colnames= fr [0 1] ['A' 'B'])")
    assert renamed.names == ["A", "B", "s"]
    with pytest.raises(InvalidArgument, match="same name"):
        fr.rapids("(colnames= fr 0 'b')")


def test_binding_frames(fr):
    df = frame_of(fr.store.get("fr"))
    stacked = fr.rapids("(rbind fr fr)")
    assert stacked.nrows == 10 and stacked.table.column("b").to_pylist()[5:] == [1.5, 2.5, None, 4.0, 0.5]
    assert frame_of(stacked).iloc[:5].equals(df)
    assert stacked.domain(2) == ["x", "y", "z"]
    side = fr.rapids("(cbind (cols fr 0) (cols fr 1) 9)")
    assert side.names == ["a", "b", "C3"] and side.types == ["int", "real", "int"]
    with pytest.raises(InvalidArgument, match="equal rows"):
        fr.rapids("(cbind fr (rows fr [0:2]))")


def test_whole_numbers_read_as_int(fr):
    values = Frame("v", pa.table({"x": [13.0, 16.0, None], "y": [0.5, 1.0, 2.0]}))
    fr.store.put("v", values)
    assert fr.rapids("(as.numeric v)").types == ["int", "real"]


def test_text_reads_as_numbers_by_h2o3s_rule(fr):
    # H2O-3 (BufferedString.getNumericType): a sign, digits and one decimal point, nothing else;
    # where it fails the whole request ("+", "."), a missing value instead
    text = ["10", "-2.5", "+4", ".5", "5.", " 1", "1e3", "Inf", "NaN", "0x1A", "1,5", "+", ".", None]
    fr.store.put("t", Frame("t", pa.table({"s": pa.array(text, pa.string())})))
    got = fr.rapids("(as.numeric t)").table.column(0).to_pylist()
    assert got == [10, -2.5, 4, 0.5, 5, None, None, None, None, None, None, None, None, None]
    # a factor's levels are numbers only by the same rule; otherwise it reads as level codes
    fr.store.put("f", Frame("f", pa.table({"e": to_enum(pa.array(["1e3", "2", "2"]))})))
    assert fr.rapids("(as.numeric f)").table.column(0).to_pylist() == [0, 1, 1]
    fr.store.put("g", Frame("g", pa.table({"e": to_enum(pa.array(["-3", "+4", "-3"]))})))
    assert fr.rapids("(as.numeric g)").table.column(0).to_pylist() == [-3, 4, -3]


def test_temporaries_belong_to_their_session(fr):
    session = fr.sessions.open()
    fr.rapids("(tmp= py_1_sid (rows fr [0:2]))", session)
    fr.rapids("(assign kept (rows fr [0:2]))", session)
    fr.rapids("(rows fr [0:1])", session)                 # an unnamed result gets a key of its own
    assert "py_1_sid" in fr.store and "kept" in fr.store
    assert fr.rapids("(rm py_1_sid)") == 1.0 and fr.rapids("(rm py_1_sid)") == 0.0  # removing twice is fine
    fr.rapids("(tmp= py_2_sid (rows fr [0:2]))", session)
    removed = fr.sessions.close(session)
    assert "py_2_sid" in removed and "py_2_sid" not in fr.store
    assert "kept" in fr.store and "fr" in fr.store


def test_functions_and_scalars(fr):
    assert fr.rapids("(dim fr)") == [5.0, 3.0]
    assert fr.rapids("(flatten (rows (cols_py fr 's') 1))") == "y"
    assert fr.rapids("(flatten (rows (cols_py fr 's') 2))") == "NA"     # a missing label, as H2O-3
    assert fr.rapids("(getrow (rows fr 1))") == [2.0, 2.5, 1.0]
    assert fr.rapids("(is.factor fr)") == [0.0, 0.0, 1.0]
    keys = frame_of(fr.rapids("(ls )"))["key"].tolist()
    assert "fr" in keys


def test_removing_everything_but_what_is_kept(fr):
    fr.rapids("(assign other (rows fr [0:2]))")
    fr.remove_all(retained=["fr"])
    assert fr.store.keys() == ["fr"]
    fr.remove("fr")
    assert fr.store.keys() == []
