"""The official h2o-py client munging frames on both servers: every group of Rapids prims
issue 14 names (selection and assignment, arithmetic and logic, reducers and statistics,
types and levels, reshaping, strings and time).

Each test runs once per server (``server_url``) and checks what h2o-py reads back against an
expectation computed independently with pandas/numpy from the same input data, written the
way H2O-3 defines the operation (H2O-3 is the reference for semantics: where its rule differs
from pandas', the expectation spells out H2O-3's rule and says so). Both servers must match
the expectation, hence each other.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

# -- input data ---------------------------------------------------------------------------------
# A small frame with every column type and missing values in each.
MIXED = pd.DataFrame({
    "i": [1, -2, 3, None, 5, 6, 0, 8],
    "r": [1.5, np.nan, -2.25, 3.0, 0.0, 10.5, -0.5, 7.75],
    "e": ["a", "b", "a", "c", None, "b", "a", "c"],
    "s": ["Hello World", "  padded  ", None, "a,b,c", "MiXeD", "x", "abcabc", "end."],
    "t": pd.to_datetime(["2020-01-01 00:00:00", "2020-02-29 13:45:10", None, "2021-06-30 23:00:00",
                         "1999-12-31 06:30:00", "2024-07-04 12:00:00", "2010-10-10 10:10:10",
                         "2000-03-05 00:00:01"]),
})
MIXED_TYPES = {"i": "int", "r": "real", "e": "enum", "s": "string", "t": "time"}

# Two numeric columns whose values cover signs, zero and missing values for the operators.
PAIR = pd.DataFrame({
    "a": [4.0, -7.0, np.nan, 7.0, 0.0, 10.0, -3.5, 9.0],
    "b": [2.0, 2.0, 5.0, np.nan, 3.0, -4.0, 1.5, 0.0],
})


# -- helpers ------------------------------------------------------------------------------------
def upload(h2o, df: pd.DataFrame, types: dict | None = None):
    """``df`` as an H2OFrame: ``None``/NaN become missing values in every column type
    (h2o-py writes them as a bare ``nan``, which ``na_strings`` turns into a missing value)."""
    h2o.no_progress()
    fr = h2o.H2OFrame(df, column_types=types, na_strings=["nan"])
    assert fr.shape == df.shape
    return fr


def mixed(h2o):
    fr = upload(h2o, MIXED, MIXED_TYPES)
    assert fr.types == MIXED_TYPES
    return fr


def pair(h2o):
    return upload(h2o, PAIR, {"a": "real", "b": "real"})


def prostate(h2o, data_dir):
    h2o.no_progress()
    return h2o.upload_file(str(data_dir / "prostate.csv"))


def plain(value):
    """A cell as a plain Python value: missing values (NaN, NaT, None) are ``None``, and so is
    an empty string, since h2o-py's CSV download cannot tell it from a missing one."""
    if value is None or value == "" or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return value.item()
    return value


def column(fr, name=None) -> list:
    """One column of ``fr`` (the first one unless ``name`` is given) as plain Python values."""
    got = fr.as_data_frame()
    return [plain(v) for v in got[got.columns[0] if name is None else name]]


def expect(values) -> list:
    """A pandas/numpy expectation as plain Python values, like :func:`column`."""
    return [plain(v) for v in list(values)]


def assert_same(got: list, expected: list, rel: float = 1e-9):
    """Same length and cells; numbers compared to ``rel``, missing only where missing."""
    got, expected = expect(got), expect(expected)
    assert len(got) == len(expected), f"{len(got)} values, expected {len(expected)}:\n{got}\n{expected}"
    for k, (g, e) in enumerate(zip(got, expected)):
        if e is None or g is None:
            assert g is None and e is None, f"row {k}: got {g!r}, expected {e!r}\n{got}\n{expected}"
        elif isinstance(e, (int, float)) and not isinstance(e, bool):
            assert isinstance(g, (int, float)), f"row {k}: got {g!r}, expected {e!r}"
            assert (math.isinf(e) and g == e) or math.isclose(g, e, rel_tol=rel, abs_tol=rel), \
                f"row {k}: got {g!r}, expected {e!r}\n{got}\n{expected}"
        else:
            assert g == e, f"row {k}: got {g!r}, expected {e!r}\n{got}\n{expected}"


def assert_column(fr, expected, name=None, rel: float = 1e-9):
    assert_same(column(fr, name), expect(expected), rel)


def assert_frame(fr, expected: pd.DataFrame, rel: float = 1e-9):
    """``fr`` has ``expected``'s column names and, column by column, its values."""
    assert fr.columns == list(expected.columns)
    assert fr.nrow == len(expected)
    got = fr.as_data_frame()
    for name in expected.columns:
        assert_same([plain(v) for v in got[name]], expect(expected[name]), rel)


def h2o_bool(values: pd.Series) -> pd.Series:
    """A boolean expectation as H2O holds it: 1/0, missing where the input was missing."""
    return values.astype("float")


def h2o_round(values: pd.Series, digits: int) -> pd.Series:
    """H2O-3's round: half to even with no digits (like R), half away from zero with digits
    (floor(|x| * 10^d + 0.5) / 10^d, in doubles, with x's sign)."""
    if digits == 0:
        return np.round(values)
    scale = 10.0 ** digits
    return np.sign(values) * np.floor(values.abs() * scale + 0.5) / scale


def epoch_ms(times: pd.Series) -> list:
    return expect((times - pd.Timestamp("1970-01-01")) // pd.Timedelta(milliseconds=1))


# == selection and assignment ===================================================================
def test_select_columns_by_name_index_and_list(h2opy):
    fr = mixed(h2opy)
    assert fr["r"].columns == ["r"]
    assert_column(fr["r"], MIXED["r"])
    assert_column(fr[1], MIXED["r"])
    both = fr[["i", "e"]]
    assert both.columns == ["i", "e"] and both.types == {"i": "int", "e": "enum"}
    assert_frame(both, MIXED[["i", "e"]])
    assert fr[:, [0, 3]].columns == ["i", "s"]
    assert fr[:, 1:3].columns == ["r", "e"]


def test_select_rows_by_span_list_and_mask(h2opy):
    fr = mixed(h2opy)
    numeric = ["i", "r"]
    assert_frame(fr[2:5, :][numeric], MIXED.iloc[2:5][numeric].reset_index(drop=True))
    assert_frame(fr[[0, 3, 7], :][numeric], MIXED.iloc[[0, 3, 7]][numeric].reset_index(drop=True))
    # a mask keeps the rows where it is 1; a missing value in the mask keeps no row
    kept = fr[fr["r"] > 1, :]
    expected = MIXED[MIXED["r"] > 1].reset_index(drop=True)
    assert kept.nrow == len(expected)
    assert_frame(kept[["i", "r", "e", "s"]], expected[["i", "r", "e", "s"]])
    assert_column(fr[(fr["i"] >= 3) & (fr["e"] == "c"), "i"], MIXED["i"][(MIXED["i"] >= 3) & (MIXED["e"] == "c")])
    assert fr[fr["i"] > 100, :].nrow == 0


def test_drop_columns_and_rows(h2opy):
    fr = mixed(h2opy)
    assert fr.drop("e").columns == ["i", "r", "s", "t"]
    assert fr.drop(["i", "t"]).columns == ["r", "e", "s"]
    assert fr.drop(0).columns == ["r", "e", "s", "t"]
    rows = fr.drop([0, 2, 7], axis=0)
    assert rows.shape == (5, 5)
    assert_column(rows, MIXED["i"].drop([0, 2, 7]), "i")


def test_single_cells(h2opy):
    fr = mixed(h2opy)
    assert fr[2, "r"] == -2.25
    assert fr[0, 0] == 1
    assert fr[3, "e"] == "c"
    assert fr[4, "s"] == "MiXeD"
    assert math.isnan(fr[1, "r"])
    # a missing label reads as the text "NA" (H2O-3's flatten), a missing time as NaN
    assert fr[4, "e"] == "NA" and fr[2, "s"] == "NA"
    assert math.isnan(fr[2, "t"])
    assert fr[0, "t"] == epoch_ms(MIXED["t"])[0]


def test_head_and_tail(h2opy):
    fr = mixed(h2opy)
    assert_frame(fr.head(3)[["i", "r", "e"]], MIXED.head(3)[["i", "r", "e"]])
    assert_frame(fr.tail(2)[["i", "r", "s"]], MIXED.tail(2)[["i", "r", "s"]].reset_index(drop=True))
    assert fr.head(rows=2, cols=2).shape == (2, 2)


def test_assign_new_and_existing_columns(h2opy):
    fr = mixed(h2opy)
    fr["twice"] = fr["i"] * 2
    assert fr.columns == ["i", "r", "e", "s", "t", "twice"]
    assert_column(fr["twice"], MIXED["i"] * 2)
    fr["r"] = 5
    assert_column(fr["r"], [5] * len(MIXED))
    fr[0] = fr["twice"] + 1
    assert_column(fr["i"], MIXED["i"] * 2 + 1)


def test_assign_where_a_mask_holds(h2opy):
    fr = mixed(h2opy)
    fr[fr["i"] > 2, "r"] = 0
    expected = MIXED["r"].copy()
    expected[MIXED["i"] > 2] = 0      # a missing value in the mask changes nothing
    assert_column(fr["r"], expected)
    fr[fr["r"].isna(), "r"] = -1
    assert_column(fr["r"], expected.fillna(-1))
    fr[[1, 2], "i"] = 100
    assert_column(fr["i"], [1, 100, 100, None, 5, 6, 0, 8])


def test_rename_columns(h2opy):
    fr = mixed(h2opy)
    fr.set_names(["I", "R", "E", "S", "T"])
    assert fr.columns == ["I", "R", "E", "S", "T"]
    fr.columns = ["i1", "r1", "e1", "s1", "t1"]
    assert fr.columns == ["i1", "r1", "e1", "s1", "t1"]
    fr.set_name("r1", "real")
    assert fr.columns == ["i1", "real", "e1", "s1", "t1"]
    renamed = fr.rename(columns={"i1": "int"})
    assert renamed.columns == ["int", "real", "e1", "s1", "t1"]
    assert_column(renamed["real"], MIXED["r"])


def test_cbind_and_rbind(h2opy):
    fr = mixed(h2opy)
    other = pair(h2opy)
    wide = fr.cbind(other)
    assert wide.shape == (8, 7)
    assert wide.columns == ["i", "r", "e", "s", "t", "a", "b"]
    assert_column(wide["b"], PAIR["b"])
    tall = fr.rbind(fr)
    assert tall.shape == (16, 5) and tall.types == MIXED_TYPES
    assert_column(tall["r"], pd.concat([MIXED["r"], MIXED["r"]]))
    assert_column(tall["e"], pd.concat([MIXED["e"], MIXED["e"]]))
    # repeated names get the first free number counting from 0, as H2O-3 numbers them
    assert other.cbind([other, other]).columns == ["a", "b", "a0", "b0", "a1", "b1"]
    assert other.cbind(other["a"]).columns == ["a", "b", "a0"]


# == arithmetic, comparison and logic, with H2O's NA rules =======================================
def test_arithmetic_between_columns_and_scalars(h2opy):
    fr = pair(h2opy)
    a, b = PAIR["a"], PAIR["b"]
    assert_column(fr["a"] + fr["b"], a + b)
    assert_column(fr["a"] - fr["b"], a - b)
    assert_column(fr["a"] * fr["b"], a * b)
    assert_column(fr["a"] / fr["b"], a / b)              # x/0 is ±Inf, 0/0 would be NaN
    assert_column(fr["a"] ** 2, a ** 2)
    assert_column(3 - fr["a"], 3 - a)
    assert_column(fr["a"] / 2, a / 2)
    assert_column(0 - fr["a"], -a)


def test_integer_division_and_modulo_follow_h2o(h2opy):
    fr = pair(h2opy)
    a, b = PAIR["a"], PAIR["b"]
    # H2O-3's intDiv is Java's on ints: both operands truncated to int (a missing dividend
    # reads as 0), the quotient truncated toward zero, missing where the divisor truncates to 0
    ta, tb = np.trunc(a.fillna(0)), np.trunc(b.fillna(0))
    assert_column(fr["a"] // fr["b"], np.trunc(ta / tb.where(tb != 0)))
    # H2O-3's %% (mod) takes the sign of the dividend (Java's %), NaN where b is 0
    assert_column(fr["a"] % fr["b"], np.fmod(a, b).where(b != 0))


def test_comparisons_treat_missing_values_as_ieee_nan(h2opy):
    fr = pair(h2opy)
    a, b = PAIR["a"], PAIR["b"]
    # H2O-3 compares doubles as Java does: a missing operand makes == < <= > >= false (0) and
    # != true (1), never a missing result, which is also what pandas gives
    for got, want in [(fr["a"] == fr["b"], a == b), (fr["a"] != fr["b"], a != b),
                      (fr["a"] < fr["b"], a < b), (fr["a"] <= fr["b"], a <= b),
                      (fr["a"] > fr["b"], a > b), (fr["a"] >= fr["b"], a >= b)]:
        assert_column(got, h2o_bool(want))
    assert_column(fr["a"] > 0, h2o_bool(a > 0))
    assert_column(2 < fr["b"], h2o_bool(2 < b))
    e = mixed(h2opy)["e"]
    assert_column(e == "a", h2o_bool(MIXED["e"] == "a"))
    assert_column(e != "b", h2o_bool(MIXED["e"] != "b"))


def test_logic_with_three_valued_na(h2opy):
    # every pair of 1, 0 and missing
    flags = pd.DataFrame({"x": [1, 1, 1, 0, 0, 0, np.nan, np.nan, np.nan],
                          "y": [1, 0, np.nan, 1, 0, np.nan, 1, 0, np.nan]})
    fr = upload(h2opy, flags, {"x": "int", "y": "int"})
    x, y = fr["x"], fr["y"]
    px, py = flags["x"], flags["y"]
    # H2O-3's & and | are R's: FALSE & NA is FALSE, TRUE | NA is TRUE, otherwise NA spreads
    both = pd.Series(np.where((px == 0) | (py == 0), 0.0, np.where(px.isna() | py.isna(), np.nan, 1.0)))
    either = pd.Series(np.where((px == 1) | (py == 1), 1.0, np.where(px.isna() | py.isna(), np.nan, 0.0)))
    assert_column(x & y, both)
    assert_column(x | y, either)
    assert_column(~x, 1 - px)                     # !NA is NA
    assert_column(x.isna(), h2o_bool(px.isna()))


def test_ifelse_and_isna(h2opy):
    fr = pair(h2opy)
    a, b = PAIR["a"], PAIR["b"]
    test = fr["a"] > fr["b"]          # 0 where either is missing (see the comparisons)
    assert_column(test.ifelse(fr["a"], fr["b"]), a.where(a > b, b))
    assert_column((fr["a"] > 0).ifelse(1, -1), np.where(a > 0, 1, -1))
    # a missing test gives a missing result
    assert_column(fr["a"].ifelse(fr["a"] * 10, -1), np.where(a != 0, a * 10, -1.0))
    flags = fr.isna()
    assert flags.columns == ["isNA(a)", "isNA(b)"]
    assert_column(flags["isNA(b)"], h2o_bool(b.isna()))


def test_math_functions(h2opy):
    fr = pair(h2opy)
    a = PAIR["a"]
    with np.errstate(all="ignore"):
        assert_column(fr["a"].abs(), a.abs())
        assert_column(fr["a"].log(), np.log(a.where(a >= 0)).where(a != 0, -np.inf))
        assert_column(fr["a"].exp(), np.exp(a))
        assert_column(fr["a"].sqrt(), np.sqrt(a.where(a >= 0)))
    assert_column(fr["a"].floor(), np.floor(a))
    assert_column(fr["a"].ceil(), np.ceil(a))
    r = pd.Series([2.5, -2.5, 0.125, 1234.5678, np.nan, 3.14159, -0.0049, 99.95])
    rf = upload(h2opy, pd.DataFrame({"r": r}))
    assert_column(rf["r"].round(), h2o_round(r, 0))
    assert_column(rf["r"].round(2), h2o_round(r, 2))
    signif = [None if pd.isna(v) else float(f"{v:.3g}") for v in r]
    assert_column(rf["r"].signif(3), signif)


def test_cumulative_sums_which_idxmax_and_isin(h2opy):
    fr = pair(h2opy)
    a = PAIR["a"]
    # a missing value makes every later cumulative sum missing (pandas would skip it)
    assert_column(fr["b"].cumsum(), PAIR["b"].cumsum().mask(PAIR["b"].isna().cumsum() > 0))
    assert_column(fr["a"].cumsum(), a.cumsum().mask(a.isna().cumsum() > 0))
    assert_column((fr["a"] > 3).which(), np.flatnonzero(a > 3))
    assert_column(fr["a"].idxmax(), [a.idxmax()])
    assert_column(fr["b"].idxmax(), [PAIR["b"].idxmax()])
    e = mixed(h2opy)["e"]
    assert_column(e.isin(["a", "c"]), h2o_bool(MIXED["e"].isin(["a", "c"])))
    assert_column(fr["b"].isin([2, 3]), h2o_bool(PAIR["b"].isin([2, 3])))


# == reducers and statistics ====================================================================
def histogram(fr, breaks):
    """What ``fr.hist(breaks, plot=False)`` returns: h2o-py imports matplotlib even when it does
    not plot, so this builds the same ``(hist fr breaks)`` expression without it."""
    from h2o.expr import ExprNode

    return fr._expr(ExprNode("hist", fr, breaks))._frame()


def test_whole_frame_reducers(h2opy):
    fr = pair(h2opy)
    values = PAIR.to_numpy().ravel()
    valid = values[~np.isnan(values)]
    assert math.isclose(fr.sum(), valid.sum())                 # skipna by default
    assert math.isnan(fr.sum(skipna=False))
    # min and max do not skip missing values
    assert math.isnan(fr["a"].min()) and math.isnan(fr.max())
    full = upload(h2opy, PAIR.dropna())
    assert full["a"].min() == PAIR["a"].min() and full["a"].max() == PAIR["a"].max()
    assert full.min() == PAIR.dropna().min().min() and full.max() == PAIR.dropna().max().max()
    assert math.isclose(fr["a"].prod(na_rm=True), PAIR["a"].prod())
    assert math.isnan(fr["a"].prod())
    assert fr.nrow == 8 and fr.ncol == 2 and fr.dim == [8, 2] and fr.shape == (8, 2)


def test_per_column_reducers(h2opy):
    fr = pair(h2opy)
    assert_same(fr.mean(), expect(PAIR.mean()))
    assert_same(fr.mean(skipna=False), [None, None])
    assert_same(fr.median(na_rm=True), expect(PAIR.median()))
    assert_same(fr.sd(na_rm=True), expect(PAIR.std()))
    assert_same(fr.nacnt(), [1, 1])
    assert math.isclose(fr["a"].var(na_rm=True), PAIR["a"].var())
    flags = upload(h2opy, pd.DataFrame({"x": [1, 0, 1], "y": [1, 1, 1], "z": [0, 0, 0]}))
    assert flags["x"].any() and not flags["x"].all()
    assert flags["y"].all() and not flags["z"].any()


def test_prostate_statistics(h2opy, data_dir, prostate_df):
    fr = prostate(h2opy, data_dir)
    numeric = prostate_df[["AGE", "PSA", "VOL", "GLEASON"]]
    part = fr[["AGE", "PSA", "VOL", "GLEASON"]]
    assert_same(part.mean(), expect(numeric.mean()))
    assert_same(part.sd(), expect(numeric.std()))
    assert_same(part.median(), expect(numeric.median()))
    assert math.isclose(fr["PSA"].var(), prostate_df["PSA"].var())
    assert math.isclose(fr["AGE"].cor(fr["PSA"]), prostate_df["AGE"].corr(prostate_df["PSA"]))
    cov = part.var()
    assert cov.shape == (4, 4)
    np.testing.assert_allclose(cov.as_data_frame().to_numpy(), numeric.cov().to_numpy(), rtol=1e-9)
    corr = part.cor()
    np.testing.assert_allclose(corr.as_data_frame().to_numpy(), numeric.corr().to_numpy(), rtol=1e-9)


def test_quantiles(h2opy, data_dir, prostate_df):
    fr = prostate(h2opy, data_dir)
    probs = [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99]
    q = fr[["AGE", "PSA"]].quantile(prob=probs)
    assert q.columns == ["Probs", "AGEQuantiles", "PSAQuantiles"]
    assert_column(q["Probs"], probs)
    # H2O-3's default "interpolate" is R's type 7, numpy's linear
    assert_column(q["AGEQuantiles"], np.quantile(prostate_df["AGE"], probs))
    assert_column(q["PSAQuantiles"], np.quantile(prostate_df["PSA"], probs))
    low = fr[["PSA"]].quantile(prob=[0.1, 0.5], combine_method="low")
    assert_column(low["PSAQuantiles"], np.quantile(prostate_df["PSA"], [0.1, 0.5], method="lower"))


def test_table_unique_and_hist(h2opy, data_dir, prostate_df):
    fr = prostate(h2opy, data_dir)
    counts = fr["GLEASON"].table()
    assert counts.columns == ["GLEASON", "Count"]
    expected = prostate_df["GLEASON"].value_counts().sort_index()
    assert_frame(counts, pd.DataFrame({"GLEASON": expected.index, "Count": expected.to_numpy()}))
    two = fr["RACE"].table(fr["CAPSULE"])
    crossed = prostate_df.groupby(["RACE", "CAPSULE"]).size().reset_index(name="Counts")
    assert two.columns == ["RACE", "CAPSULE", "Counts"]
    assert_frame(two.sort(["RACE", "CAPSULE"]), crossed)
    assert sorted(column(fr["DPROS"].unique())) == sorted(prostate_df["DPROS"].unique().tolist())
    e = mixed(h2opy)["e"]
    assert sorted(column(e.unique())) == ["a", "b", "c"]
    assert sorted(column(e.unique(include_nas=True)), key=str) == sorted(["a", "b", "c", None], key=str)
    hist = histogram(fr["AGE"], [40, 50, 60, 70, 80])
    assert hist.columns[:2] == ["breaks", "counts"]
    assert_column(hist["breaks"], [40, 50, 60, 70, 80])
    # counts of (40, 50], (50, 60] ...; the first row has none (it only marks the first break)
    binned = pd.cut(prostate_df["AGE"], [40, 50, 60, 70, 80]).value_counts().sort_index()
    assert_column(hist["counts"], [None, *binned.tolist()])


def test_scale_impute_and_cut(h2opy, data_dir, prostate_df):
    fr = pair(h2opy)
    scaled = fr.scale()
    assert_frame(scaled, (PAIR - PAIR.mean()) / PAIR.std())
    centred = fr.scale(scale=False)
    assert_frame(centred, PAIR - PAIR.mean())

    filled = pair(h2opy)
    means = filled.impute("a", method="mean")
    assert math.isclose(means[0], PAIR["a"].mean())
    assert_column(filled["a"], PAIR["a"].fillna(PAIR["a"].mean()))
    assert_column(filled["b"], PAIR["b"])          # other columns unchanged
    med = pair(h2opy)
    med.impute("b", method="median")
    assert_column(med["b"], PAIR["b"].fillna(PAIR["b"].median()))
    m = mixed(h2opy)
    m.impute("e", method="mode")
    assert_column(m["e"], MIXED["e"].fillna(MIXED["e"].mode()[0]))

    p = prostate(h2opy, data_dir)
    cut = p["AGE"].cut([40, 60, 70, 80], labels=["young", "mid", "old"])
    assert cut.types == {"AGE": "enum"}
    assert_column(cut, pd.cut(prostate_df["AGE"], [40, 60, 70, 80], labels=["young", "mid", "old"]).astype(str))
    default_labels = p["AGE"].cut([40, 60, 80])
    assert sorted(default_labels.levels()[0]) == ["(40.0,60.0]", "(60.0,80.0]"]


# == types and levels ===========================================================================
def test_conversions_and_type_tests(h2opy):
    fr = mixed(h2opy)
    as_enum = fr["i"].asfactor()
    assert as_enum.types == {"i": "enum"} and as_enum.isfactor() == [True]
    assert sorted(as_enum.levels()[0], key=int) == [str(v) for v in sorted(MIXED["i"].dropna().astype(int))]
    as_text = fr["e"].ascharacter()
    assert as_text.types == {"e": "string"} and as_text.isstring() == [True]
    assert_column(as_text, MIXED["e"])
    # an enum read as numbers gives its level indices (levels are sorted labels)
    codes = fr["e"].asnumeric()
    assert codes.types == {"e": "real"} and codes.isnumeric() == [True]
    assert_column(codes, MIXED["e"].map({"a": 0, "b": 1, "c": 2}))
    # text is a number when it is a sign, digits and one decimal point (H2O-3's rule: no
    # spaces, exponents or "Inf", which pandas' to_numeric would take)
    text = pd.Series(["10", "-2.5", "+4", ".5", "x7", " 1", "1e3", "Inf", "1,5", None])
    digits = upload(h2opy, pd.DataFrame({"d": text}), {"d": "string"})
    plain_number = text.str.fullmatch(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)").fillna(False).astype(bool)
    assert_column(digits["d"].asnumeric(), pd.to_numeric(text.where(plain_number)))
    levels_as_numbers = upload(h2opy, pd.DataFrame({"e": ["-3", "+4", "-3"], "f": ["1e3", "2", "2"]}),
                               {"e": "enum", "f": "enum"}).asnumeric()
    assert_column(levels_as_numbers["e"], [-3, 4, -3])       # numeric levels: their numbers
    assert_column(levels_as_numbers["f"], [0, 1, 1])         # otherwise: level codes
    assert fr.isfactor() == [False, False, True, False, False]
    assert fr.isnumeric() == [True, True, False, False, False]
    assert fr.isstring() == [False, False, False, True, False]


def test_levels_and_their_changes(h2opy):
    fr = mixed(h2opy)
    e = fr["e"]
    assert e.levels() == [["a", "b", "c"]]
    assert e.nlevels() == [3]
    assert fr.nlevels() == [0, 0, 3, 0, 0]
    assert_column(e.set_level("b"), ["b"] * len(MIXED))
    renamed = e.set_levels(["x", "y", "z"])
    assert renamed.levels() == [["x", "y", "z"]]
    assert_column(renamed, MIXED["e"].map({"a": "x", "b": "y", "c": "z"}))
    first_c = e.relevel("c")
    assert first_c.levels() == [["c", "a", "b"]]
    assert_column(first_c, MIXED["e"])
    assert_column(first_c.asnumeric(), MIXED["e"].map({"c": 0, "a": 1, "b": 2}))


# == reshaping ==================================================================================
GROUPED = pd.DataFrame({
    "g": ["x", "y", "x", "z", "y", "x", "z", "x"],
    "v": [1.0, 2.0, np.nan, 4.0, 5.0, 6.0, np.nan, 8.0],
    "w": [10, 20, 30, 40, 50, 60, 70, 80],
})


def test_group_by_aggregates_and_na_modes(h2opy):
    fr = upload(h2opy, GROUPED, {"g": "enum", "v": "real", "w": "int"})
    got = (fr.group_by("g").count().sum("v", na="rm").mean("v", na="rm").min("w").max("w")
           .sd("w").var("w").ss("w").get_frame())
    assert got.columns == ["g", "nrow", "sum_v", "mean_v", "min_w", "max_w", "sdev_w", "var_w", "sumSquares_w"]
    by = GROUPED.groupby("g")
    expected = pd.DataFrame({
        "g": by.size().index, "nrow": by.size().to_numpy(), "sum_v": by["v"].sum().to_numpy(),
        "mean_v": by["v"].mean().to_numpy(), "min_w": by["w"].min().to_numpy(),
        "max_w": by["w"].max().to_numpy(), "sdev_w": by["w"].std().to_numpy(),
        "var_w": by["w"].var().to_numpy(), "sumSquares_w": by["w"].apply(lambda s: (s ** 2).sum()).to_numpy(),
    })
    assert_frame(got, expected)
    # na="all": a missing value makes the group's aggregate missing
    every = fr.group_by("g").sum("v", na="all").mean("v", na="all").get_frame()
    has_na = by["v"].apply(lambda s: s.isna().any()).to_numpy()
    assert_column(every["sum_v"], pd.Series(by["v"].sum().to_numpy()).mask(has_na))
    assert_column(every["mean_v"], pd.Series(by["v"].mean().to_numpy()).mask(has_na))
    # na="ignore": missing values are skipped but still counted as rows of the group
    ignored = fr.group_by("g").mean("v", na="ignore").get_frame()
    assert_column(ignored["mean_v"], (by["v"].sum() / by.size()).to_numpy())
    mode = upload(h2opy, pd.DataFrame({"g": ["p", "p", "q", "q", "q"], "m": ["u", "u", "v", "w", "w"]}),
                  {"g": "enum", "m": "enum"})
    # the mode comes back as the index of its level (u, v, w), a number, not the label
    assert_column(mode.group_by("g").mode("m").get_frame()["mode_m"], [0, 2])


def test_group_by_several_columns(h2opy, data_dir, prostate_df):
    fr = prostate(h2opy, data_dir)
    got = fr.group_by(["RACE", "CAPSULE"]).mean("PSA").count().get_frame()
    by = prostate_df.groupby(["RACE", "CAPSULE"])
    expected = by["PSA"].mean().reset_index(name="mean_PSA")
    expected["nrow"] = by.size().to_numpy()
    assert_frame(got.sort(["RACE", "CAPSULE"]), expected)


def test_merge_inner_and_left(h2opy):
    left = pd.DataFrame({"k": ["a", "b", "c", "d", "b"], "x": [1, 2, 3, 4, 5]})
    right = pd.DataFrame({"k": ["b", "c", "e"], "y": [20.5, 30.5, 50.5]})
    lf = upload(h2opy, left, {"k": "enum", "x": "int"})
    rf = upload(h2opy, right, {"k": "enum", "y": "real"})
    inner = lf.merge(rf)
    assert inner.columns == ["k", "x", "y"]
    expected = left.merge(right, on="k").sort_values("x").reset_index(drop=True)
    assert_frame(inner.sort("x"), expected)
    outer = lf.merge(rf, all_x=True)
    expected = left.merge(right, on="k", how="left").sort_values("x").reset_index(drop=True)
    assert_frame(outer.sort("x"), expected)


def test_sort_by_several_columns_and_directions(h2opy, data_dir, prostate_df):
    fr = prostate(h2opy, data_dir)
    got = fr.sort(["GLEASON", "PSA"], ascending=[False, True])
    expected = prostate_df.sort_values(["GLEASON", "PSA", "ID"], ascending=[False, True, True],
                                       kind="stable").reset_index(drop=True)
    assert_frame(got[["GLEASON", "PSA"]], expected[["GLEASON", "PSA"]])
    assert_column(fr.sort("AGE")["AGE"], prostate_df["AGE"].sort_values())
    # missing values sort first in either direction (H2O-3's rule)
    p = pair(h2opy)
    assert_column(p.sort("a")["a"], [None, *PAIR["a"].dropna().sort_values()])
    assert_column(p.sort("a", ascending=[False])["a"], [None, *PAIR["a"].dropna().sort_values(ascending=False)])


def test_runif_and_split_frame(h2opy, data_dir, prostate_df):
    fr = prostate(h2opy, data_dir)
    draws = fr.runif(seed=42)
    values = np.array(column(draws))
    assert len(values) == len(prostate_df) and ((values >= 0) & (values < 1)).all()
    assert len(set(values)) > 300
    train, valid, test = fr.split_frame(ratios=[0.6, 0.2], seed=7)
    ids = [set(column(part["ID"])) for part in (train, valid, test)]
    assert sum(len(s) for s in ids) == len(prostate_df)
    assert set().union(*ids) == set(prostate_df["ID"])
    assert not (ids[0] & ids[1]) and not (ids[0] & ids[2]) and not (ids[1] & ids[2])
    assert 0.45 < train.nrow / len(prostate_df) < 0.75
    assert train.columns == list(prostate_df.columns)


# == strings and time ===========================================================================
def test_string_case_trim_and_lengths(h2opy):
    s = mixed(h2opy)["s"]
    text = MIXED["s"]
    assert_column(s.toupper(), text.str.upper())
    assert_column(s.tolower(), text.str.lower())
    assert_column(s.trim(), text.str.strip())
    assert_column(s.nchar(), text.str.len())
    assert_column(s.substring(1, 4), text.str[1:4])
    assert_column(s.substring(2), text.str[2:])


def test_string_patterns(h2opy):
    s = mixed(h2opy)["s"]
    text = MIXED["s"]
    assert_column(s.sub("b", "B"), text.str.replace("b", "B", n=1, regex=True))
    assert_column(s.gsub("[aeiou]", "_"), text.str.replace("[aeiou]", "_", regex=True))
    # with ignore_case H2O-3 lowercases the text, not the pattern, before replacing (Java's
    # toLowerCase(...).replaceAll): the result is lowercase outside the matches too, and an
    # uppercase pattern never matches
    assert_column(s.gsub("l", "L", ignore_case=True), text.str.lower().str.replace("l", "L"))
    assert_column(s.sub("A", "#", ignore_case=True), text.str.lower())
    assert_column(s.countmatches("a"), text.str.count("a"))
    parts = s.strsplit(",")
    assert parts.ncol == 3
    split = text.str.split(",", expand=True)
    for k in range(3):
        assert_column(parts[k], split[k])


def test_string_strips_grep_distance_and_entropy(h2opy):
    s = mixed(h2opy)["s"]
    text = MIXED["s"]
    assert_column(s.lstrip(" H"), text.str.lstrip(" H"))
    assert_column(s.rstrip(" ."), text.str.rstrip(" ."))
    has_a = text.str.contains("a").fillna(False).astype(bool)
    assert_column(s.grep("a"), np.flatnonzero(has_a))
    assert_column(s.grep("a", output_logical=True), h2o_bool(has_a))
    # "lv" is Lucene's Levenshtein similarity: 1 - edits / the longer length (here the edits are
    # the letters whose case changes)
    upper = text.str.upper()
    similarity = [None if pd.isna(t) else 1 - sum(a != b for a, b in zip(t, u)) / max(len(t), len(u))
                  for t, u in zip(text, upper)]
    assert_column(s.strdistance(s.toupper(), measure="lv"), similarity)
    entropy = s.entropy()
    assert entropy.columns == ["C1"]
    shannon = [None if pd.isna(t) else -sum(p * math.log2(p) for p in (pd.Series(list(t)).value_counts() / len(t)))
               for t in text]
    assert_column(entropy, shannon)


def test_enum_strings_keep_their_type(h2opy):
    e = mixed(h2opy)["e"]
    upper = e.toupper()
    assert upper.types == {"e": "enum"} and upper.levels() == [["A", "B", "C"]]
    assert_column(upper, MIXED["e"].str.upper())
    assert_column(e.gsub("a", "zz"), MIXED["e"].str.replace("a", "zz"))


def test_time_parts(h2opy):
    t = mixed(h2opy)["t"]
    times = MIXED["t"]
    assert_column(t.year(), times.dt.year)
    assert_column(t.month(), times.dt.month)
    assert_column(t.day(), times.dt.day)
    assert_column(t.hour(), times.dt.hour)
    assert_column(t.minute(), times.dt.minute)
    assert_column(t.second(), times.dt.second)
    assert_column(t.week(), times.dt.isocalendar().week.astype("float").where(times.notna()))
    days = t.dayOfWeek()
    assert days.isfactor() == [True]
    assert days.levels() == [["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]]
    assert_column(days, times.dt.day_name().str[:3])


def test_as_date(h2opy):
    dates = pd.DataFrame({"d": ["2020-01-31", "1999-12-01", None, "2024-02-29"],
                          "u": ["31/01/2020 10:15", "01/12/1999 00:00", "29/02/2024 23:59", None]})
    fr = upload(h2opy, dates, {"d": "string", "u": "string"})
    got = fr["d"].as_date("%Y-%m-%d")      # epoch milliseconds, in UTC
    assert got.isnumeric() == [True]
    assert_column(got, epoch_ms(pd.to_datetime(dates["d"], format="%Y-%m-%d")))
    stamped = fr["u"].as_date("%d/%m/%Y %H:%M")
    assert_column(stamped, epoch_ms(pd.to_datetime(dates["u"], format="%d/%m/%Y %H:%M")))
    # a value the format does not match is an error, not a missing value
    with pytest.raises(h2opy.exceptions.H2OError, match="Invalid format"):
        upload(h2opy, pd.DataFrame({"u": ["31/01/2020", "bad"]}), {"u": "string"})["u"].as_date("%d/%m/%Y").refresh()
    from_enum = upload(h2opy, dates[["d"]].fillna("2000-01-01"), {"d": "enum"})["d"].as_date("%Y-%m-%d")
    assert_column(from_enum, epoch_ms(pd.to_datetime(dates["d"].fillna("2000-01-01"))))
