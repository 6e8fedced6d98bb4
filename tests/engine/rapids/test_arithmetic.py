"""Arithmetic, comparison, logic, ifelse and the math operations of Rapids, checked against
numpy/scipy/pandas computations of H2O-3's rules (missing compared is 0, ``&``/``|`` let 0/1 win
over a missing value, categorical arithmetic is missing, names such as ``log(b)``)."""
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from scipy import special

from h2odash.engine.errors import InvalidArgument
from h2odash.engine.frames import Frame
from h2odash.engine.parse import to_enum

A = [1.0, 2.0, np.nan, 4.0, 5.0, -3.0]
B = [0.5, np.nan, 2.5, -3.5, 0.0, 1.25]
S = ["x", "y", None, "x", "z", "y"]
T = ["x", "y", "", "x", None, "w"]


@pytest.fixture
def eng(engine):
    table = pa.table({"a": pa.array(A, mask=np.isnan(A)).cast(pa.int64()), "b": pa.array(B, mask=np.isnan(B)),
                      "s": to_enum(pa.array(S)), "t": pa.array(T)})
    engine.store.put("fr", Frame("fr", table, ["int", "real", "enum", "string"]))
    return engine


def run(engine, expr):
    return engine.rapids(expr)


def col(frame, i=0):
    return frame.table.column(i).to_pandas().astype("float64").to_numpy()


def same(actual, expected):
    np.testing.assert_allclose(np.asarray(actual, float), np.asarray(expected, float), rtol=1e-12, equal_nan=True)


ARITHMETIC = {
    "+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "^": np.power, "%": np.fmod, "%%": np.fmod,
}


@pytest.mark.parametrize("op", list(ARITHMETIC))
def test_arithmetic_between_columns_and_numbers_follows_numpy(eng, op):
    a, b = np.array(A), np.array(B)
    fn = ARITHMETIC[op]
    with np.errstate(all="ignore"):
        same(col(run(eng, f"({op} (cols fr 'a') 3)")), fn(a, 3))
        same(col(run(eng, f"({op} 2.5 (cols fr 'b'))")), fn(2.5, b))
        same(col(run(eng, f"({op} (cols fr 'a') (cols fr 'b'))")), fn(a, b))
        assert run(eng, f"({op} 7 2)") == pytest.approx(float(fn(7.0, 2.0)))


def test_integer_division_truncates_toward_zero_and_zero_divisor_is_missing(eng):
    result = run(eng, "(intDiv (cols fr 'a') -2)")
    a = np.array(A)
    expected = np.where(np.isnan(a), 0, np.trunc(np.nan_to_num(a) / -2))   # Java's (int) NaN is 0
    same(col(result), expected)
    assert np.isnan(run(eng, "(intDiv 5 0.5)")) and run(eng, "(%/% -7 2)") == -3.0


def test_power_with_a_missing_exponent_is_missing_as_in_java(eng):
    assert np.isnan(run(eng, "(^ 1 nan)")) and run(eng, "(^ nan 0)") == 1.0


@pytest.mark.parametrize("op, fn", [(">", np.greater), (">=", np.greater_equal), ("<", np.less), ("<=", np.less_equal)])
def test_comparisons_give_int_flags_and_missing_compares_false(eng, op, fn):
    result = run(eng, f"({op} (cols fr 'a') 2)")
    assert result.types == ["int"] and result.names == ["a"]
    with np.errstate(invalid="ignore"):
        same(col(result), fn(np.array(A), 2).astype(float))


def test_equality_treats_two_missing_values_as_equal_and_names_columns(eng):
    same(col(run(eng, "(== (cols fr 'a') (cols fr 'b'))")), [0, 0, 0, 0, 0, 0])
    same(col(run(eng, "(== (cols fr 'b') (cols fr 'b'))")), [1] * 6)
    same(col(run(eng, "(!= (cols fr 'a') nan)")), ~np.isnan(A))
    both = run(eng, "(== (cols fr ['a' 'b']) 2)")
    assert both.names == ["C1", "C2"]   # H2O-3 names (== frame number) columns C1, C2, ...
    same(col(both, 0), np.array(A) == 2)


def test_equality_within_one_ulp(eng):
    assert run(eng, "(== 0.30000000000000004 0.3)") == 1.0
    assert run(eng, "(== 0.3000000000000001 0.3)") == 0.0


def test_categorical_and_string_columns_compare_by_label(eng):
    labels = pd.Series(S)
    same(col(run(eng, "(== (cols fr 's') 'x')")), (labels == "x").astype(float))
    same(col(run(eng, "(!= 'y' (cols fr 's'))")), (labels != "y").astype(float))
    text = pd.Series(T)
    # an empty or missing cell is "empty"; it equals only an empty string
    same(col(run(eng, "(== (cols fr 't') 'x')")), (text == "x").astype(float))
    same(col(run(eng, "(== (cols fr 't') '')")), text.fillna("").eq("").astype(float))
    same(col(run(eng, "(== (cols fr 's') (cols fr 's'))")), [1] * 6)
    with pytest.raises(InvalidArgument, match="not supported on string"):
        run(eng, "(< (cols fr 't') 'x')")


def test_arithmetic_on_categoricals_is_missing_and_strings_are_refused(eng):
    result = run(eng, "(+ (cols fr ['a' 's']) 1)")
    assert result.names == ["a", "s"] and np.isnan(col(result, 1)).all()
    with pytest.raises(InvalidArgument, match="string column 't'"):
        run(eng, "(* (cols fr 't') 2)")


def test_and_or_let_zero_and_one_win_over_missing(eng):
    eng.store.put("l", Frame("l", pa.table({"x": [0.0, 1.0, None, None, 1.0, 0.0]})))
    eng.store.put("r", Frame("r", pa.table({"y": [None, None, 0.0, 1.0, 1.0, 0.0]})))
    same(col(run(eng, "(& l r)")), [0, np.nan, 0, np.nan, 1, 0])
    same(col(run(eng, "(| l r)")), [np.nan, 1, np.nan, 1, 1, 0])
    assert run(eng, "(&& 0 (nosuchprim))") == 0.0      # decided by its left side
    assert run(eng, "(|| 1 (nosuchprim))") == 1.0


def test_one_column_and_one_row_broadcast(eng):
    ab = run(eng, "(- (cols fr ['a' 'b']) (cols fr 'a'))")
    assert ab.names == ["a", "b"]
    with np.errstate(invalid="ignore"):
        same(col(ab, 1), np.array(B) - np.array(A))
    first = run(eng, "(* (cols fr ['a' 'b']) (rows (cols fr ['a' 'b']) 0))")
    same(col(first, 0), np.array(A) * A[0])
    same(col(first, 1), np.array(B) * B[0])
    with pytest.raises(InvalidArgument, match="same number of rows"):
        run(eng, "(+ (rows fr [0 1 2]) (rows fr [0 1]))")
    with pytest.raises(InvalidArgument, match="cannot combine"):
        run(eng, "(+ 'a' 1)")


def test_ifelse_with_numbers_strings_and_frames(eng):
    a = np.array(A)
    test = "(> (cols fr 'a') 1)"
    numbers = run(eng, f"(ifelse {test} 10 -1)")
    assert numbers.names == ["C1"]
    same(col(numbers), np.where(a > 1, 10, -1))
    words = run(eng, f"(ifelse {test} 'big' 'small')")
    assert words.types == ["enum"]
    assert words.table.column(0).to_pylist() == ["big" if x > 1 else "small" for x in a]
    picked = run(eng, f"(ifelse {test} (cols fr 'b') 0)")
    same(col(picked), np.where(a > 1, B, 0))
    keep_level = run(eng, f"(ifelse {test} (cols fr 's') 'other')")
    assert keep_level.table.column(0).to_pylist() == [s if x > 1 else "other" for s, x in zip(S, a)]
    missing = run(eng, "(ifelse (cols fr 'b') 1 0)")
    same(col(missing), np.where(np.isnan(B), np.nan, np.array(B) != 0))
    assert run(eng, "(ifelse 0 (nosuchprim) 7)") == 7.0 and np.isnan(run(eng, "(ifelse nan 1 2)"))
    with pytest.raises(InvalidArgument, match="must match"):
        run(eng, f"(ifelse {test} (rows fr [0 1]) 0)")


UNARY = {
    "abs": np.abs, "ceiling": np.ceil, "floor": np.floor, "trunc": np.trunc, "exp": np.exp, "expm1": np.expm1,
    "log": np.log, "log10": np.log10, "log1p": np.log1p, "log2": np.log2, "sqrt": np.sqrt, "sin": np.sin,
    "cos": np.cos, "tan": np.tan, "asin": np.arcsin, "acos": np.arccos, "atan": np.arctan, "sinh": np.sinh,
    "cosh": np.cosh, "tanh": np.tanh, "asinh": np.arcsinh, "acosh": np.arccosh, "atanh": np.arctanh,
    "sign": np.sign, "cospi": lambda x: np.cos(np.pi * x), "sinpi": lambda x: np.sin(np.pi * x),
    "tanpi": lambda x: np.tan(np.pi * x), "gamma": special.gamma, "digamma": special.digamma,
    "trigamma": lambda x: special.polygamma(1, x),
    "lgamma": lambda x: np.where(x > 0, special.gammaln(np.where(x > 0, x, 1)), np.nan),
}


@pytest.mark.parametrize("name", list(UNARY))
def test_math_functions_name_their_columns_and_match_numpy(eng, name):
    result = run(eng, f"({name} (cols fr ['a' 'b']))")
    assert result.names == [f"{name}(a)", f"{name}(b)"]
    with np.errstate(all="ignore"):
        same(col(result, 0), UNARY[name](np.array(A)))
        same(col(result, 1), UNARY[name](np.array(B)))
        assert run(eng, f"({name} 0.25)") == pytest.approx(float(UNARY[name](0.25)), nan_ok=True)


def test_math_functions_refuse_non_numeric_columns(eng):
    with pytest.raises(InvalidArgument, match="non-numeric column s"):
        run(eng, "(log fr)")


def test_not_and_is_na(eng):
    negated = run(eng, "(!! (cols fr 'a'))")
    assert negated.names == ["not(a)"]
    same(col(negated), np.where(np.isnan(A), np.nan, np.array(A) == 0))
    missing = run(eng, "(is.na fr)")
    assert missing.names == ["isNA(a)", "isNA(b)", "isNA(s)", "isNA(t)"]
    expected = pd.DataFrame({"a": A, "b": B, "s": S, "t": T}).isna()
    for i, name in enumerate("abst"):
        same(col(missing, i), expected[name].astype(float))
    assert run(eng, "(is.na nan)") == 1.0


def test_round_is_half_to_even_at_zero_digits_and_half_up_otherwise(engine):
    values = [0.5, 1.5, 2.5, -2.5, 2.675, 1.005, -1.2345, 123.456, np.nan]
    engine.store.put("x", Frame("x", pa.table({"x": pa.array(values)})))
    zero = col(engine.rapids("(round x 0)"))
    expected = [float(Decimal(v).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)) if not np.isnan(v) else np.nan
                for v in values]
    same(zero, expected)
    # H2O-3: floor(|x| * 10^d + 0.5) / 10^d with the sign put back
    two = col(engine.rapids("(round x 2)"))
    x = np.array(values)
    same(two, np.sign(x) * np.floor(np.abs(x) * 100 + 0.5) / 100)


def test_signif_rounds_the_exact_binary_value_half_to_even(engine):
    values = [123456.0, 0.000123456, 2.5, 0.125, -98765.4321, 1.005, 9.99999, np.nan, 0.0]
    engine.store.put("x", Frame("x", pa.table({"x": pa.array(values)})))
    for digits in (1, 2, 3, 5):
        result = col(engine.rapids(f"(signif x {digits})"))
        context = Context(prec=digits, rounding=ROUND_HALF_EVEN)
        expected = [float(context.plus(Decimal(v))) if np.isfinite(v) else v for v in values]
        same(result, expected)


def test_cumulative_operations_down_columns_and_across_rows(eng):
    frame = pd.DataFrame({"a": A, "b": B})
    one = run(eng, "(cumsum (cols fr 'a') 0)")
    assert one.names == ["C1"]
    same(col(one), np.cumsum(A))
    for op, fn in [("cumsum", np.add), ("cumprod", np.multiply), ("cummin", np.minimum), ("cummax", np.maximum)]:
        down = run(eng, f"({op} (cols fr ['a' 'b']) 0)")
        across = run(eng, f"({op} (cols fr ['a' 'b']) 1)")
        for i, name in enumerate("ab"):
            same(col(down, i), fn.accumulate(frame[name].to_numpy()))
            same(col(across, i), fn.accumulate(frame.to_numpy(), axis=1)[:, i])
    with pytest.raises(InvalidArgument, match="enum"):
        run(eng, "(cumsum fr 0)")


def test_scale_centers_and_divides_numeric_columns_only(eng):
    frame = pd.DataFrame({"a": A, "b": B})
    both = run(eng, "(scale fr True True)")
    assert both.names == ["a", "b", "s", "t"] and both.types[2:] == ["enum", "string"]
    for i, name in enumerate("ab"):
        same(col(both, i), (frame[name] - frame[name].mean()) / frame[name].std())
    given = run(eng, "(scale fr [1 2 0 0] False)")
    same(col(given, 0), frame["a"] - 1)
    same(col(given, 1), frame["b"] - 2)
    with pytest.raises(InvalidArgument, match="one value per column"):
        run(eng, "(scale fr [1 2] False)")


def test_difflag1_and_which(eng):
    same(col(run(eng, "(difflag1 (cols fr 'b'))")), pd.Series(B).diff())
    rows = run(eng, "(which (> (cols fr 'a') 1))")
    assert rows.names == ["C1"]
    with np.errstate(invalid="ignore"):
        same(col(rows), np.flatnonzero(np.array(A) > 1))
    with pytest.raises(InvalidArgument, match="single integer column"):
        run(eng, "(which (cols fr 'b'))")
