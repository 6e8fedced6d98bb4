"""Arithmetic, logic, math and statistics through POST /99/Rapids on both servers (the embedded
engine and real H2O-3): first each answer against the same pandas/numpy computation of H2O-3's
rules, then ~90 expressions whose answers from the two servers must agree cell by cell."""
import io
import math

import numpy as np
import pandas as pd
import pytest

A = [1, 2, None, 4, 5, 7, 3, None, 6, 2]
B = [0.5, 1.25, 2.5, -3.5, 0.0, 8.75, 2.5, 4.0, None, -1.0]
G = ["x", "y", "z", "x", "y", "x", "z", "z", "y", "x"]


@pytest.fixture
def frame(client, frame_name):
    df = pd.DataFrame({"a": pd.array(A, dtype="Int64"), "b": B, "g": pd.Categorical(G)})
    key = client.upload_frame(df, destination_frame=frame_name("arith"), column_types=["int", "real", "enum"])
    yield key
    client.delete_frame(key)


def scalar(client, expr):
    value = client.rapids(expr)["scalar"]
    convert = lambda x: math.nan if x in ("NaN", None) else float(x)   # noqa: E731
    return [convert(x) for x in value] if isinstance(value, list) else convert(value)


def frame_result(client, frame_name, expr) -> pd.DataFrame:
    """The frame ``expr`` gives, read from its CSV (blank lines kept: a one-column frame writes a
    missing cell as an empty line)."""
    key = frame_name("res")
    client.rapids(f"(tmp= {key} {expr})")
    try:
        return pd.read_csv(io.StringIO(client.download_csv(key)), skip_blank_lines=False)
    finally:
        client.rapids(f"(rm {key})")   # a temporary is removed the Rapids way on both servers


def numbers(series):
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)


def test_scalars_and_lists(client, frame):
    a, b = pd.Series(A, dtype=float), pd.Series(B, dtype=float)
    assert scalar(client, f"(sumNA (> (cols {frame} 'a') 2))") == float((a > 2).sum())   # missing > 2 is 0
    assert scalar(client, f"(sumNA (ifelse (> (cols {frame} 'a') 2) 1 0))") == float((a > 2).sum())
    assert scalar(client, f"(maxNA (cols {frame} 'b'))") == b.max()
    assert math.isnan(scalar(client, f"(max (cols {frame} 'b'))"))
    assert scalar(client, f"(naCnt {frame})") == [2.0, 1.0, 0.0]
    median = scalar(client, f"(median (cols {frame} ['a' 'b']) True)")
    np.testing.assert_allclose(median, [a.median(), b.median()], rtol=1e-12)
    sd = scalar(client, f"(sd (cols {frame} ['a' 'b']) True)")
    np.testing.assert_allclose(sd, [a.std(), b.std()], rtol=1e-12)
    kept = a.notna() & b.notna()
    cor = scalar(client, f"(cor (cols {frame} 'a') (cols {frame} 'b') 'complete.obs' 'Pearson')")
    assert cor == pytest.approx(np.corrcoef(a[kept], b[kept])[0, 1], rel=1e-12)
    assert scalar(client, "(+ 1 (* 2 3))") == 7.0 and scalar(client, "(& nan 0)") == 0.0


def test_frames_with_their_names(client, frame, frame_name):
    a, b = pd.Series(A, dtype=float), pd.Series(B, dtype=float)
    means = frame_result(client, frame_name, f"(mean {frame} True 0)")
    assert list(means.columns) == ["a", "b", "g"]
    np.testing.assert_allclose(numbers(means.iloc[0, :2]), [a.mean(), b.mean()], rtol=1e-12)
    logs = frame_result(client, frame_name, f"(log (cols {frame} ['a' 'b']))")
    assert list(logs.columns) == ["log(a)", "log(b)"]
    with np.errstate(all="ignore"):
        np.testing.assert_allclose(numbers(logs["log(b)"]), np.log(b), rtol=1e-12)
    equal = frame_result(client, frame_name, f"(== (cols {frame} 'g') 'x')")
    np.testing.assert_array_equal(numbers(equal["g"]), (pd.Series(G) == "x").astype(float))
    rounded = frame_result(client, frame_name, f"(round (cols {frame} 'b') 0)")
    np.testing.assert_array_equal(numbers(rounded["b"]), np.round(b))      # half to even at 0 digits
    quantiles = frame_result(client, frame_name, f"(quantile (cols {frame} 'b') [0.1 0.5 0.9] 'interpolate' '_')")
    assert list(quantiles.columns) == ["Probs", "bQuantiles"]
    np.testing.assert_allclose(numbers(quantiles["bQuantiles"]), np.nanquantile(b, [0.1, 0.5, 0.9]), rtol=1e-12)
    cumulative = frame_result(client, frame_name, f"(cumsum (cols {frame} 'b') 0)")
    assert list(cumulative.columns) == ["C1"]
    np.testing.assert_allclose(numbers(cumulative["C1"]), np.cumsum(b.to_numpy()), rtol=1e-12)
    picked = frame_result(client, frame_name, f"(ifelse (> (cols {frame} 'b') 1) 'hi' 'lo')")
    # (> NA 1) is 0, so a missing b picks 'lo'; a missing test would give a missing cell
    assert list(picked["C1"]) == ["hi" if x > 1 else "lo" for x in b.fillna(0)]
    missing_test = frame_result(client, frame_name, f"(ifelse (cols {frame} 'b') 'hi' 'lo')")
    assert missing_test["C1"].isna().tolist() == b.isna().tolist()


# -- the two servers side by side ------------------------------------------------------------------
# Expressions whose answers the embedded engine and real H2O-3 must give alike (numbers within
# 1e-9, frames with the same names, types and cells). Not listed: division by zero (H2O-3 shows
# infinities in an int column as +-2^63), digamma/trigamma (H2O-3's series is less precise).
BOTH = [
    "(+ CMP 1)", "(- 2 CMP)", "(* (cols CMP ['a' 'b']) (cols CMP 'c'))", "(^ (cols CMP 'b') 2)",
    "(% (cols CMP 'a') 3)", "(%% (cols CMP 'b') -2)", "(intDiv (cols CMP 'b') 2)", "(%/% (cols CMP 'c') 2)",
    "(== CMP 1)", "(== 1 CMP)", "(!= CMP 2)", "(< CMP 2)", "(== (cols CMP 'g') 'mid')", "(> (cols CMP 'g') 'lo')",
    "(== 'yes' (cols CMP 'h'))", "(== (cols CMP ['g' 'h']) (cols CMP ['h' 'g']))", "(+ (cols CMP 'a') (cols CMP 'g'))",
    "(== (cols CMP ['a' 'g']) (cols CMP 'h'))", "(== 'mid' (cols CMP 'c'))",
    "(& (cols CMP 'a') (cols CMP 'b'))", "(| (cols CMP 'a') (cols CMP 'b'))", "(&& (cols CMP 'a') 1)", "(& 1 nan)",
    "(+ (rows CMP 0) CMP)", "(- CMP (rows CMP 2))",
    "(ifelse (> (cols CMP 'a') 2) (cols CMP 'b') (cols CMP 'c'))", "(ifelse (cols CMP 'b') 1 0)",
    "(ifelse (> (cols CMP 'c') 5) 'big' 'small')", "(ifelse (> (cols CMP 'c') 5) (cols CMP 'g') 'other')",
    "(ifelse 1 (cols CMP 'c') 2)",
    "(not (cols CMP ['a' 'b']))", "(log (cols CMP ['a' 'b' 'c']))", "(gamma (cols CMP 'b'))", "(lgamma (cols CMP 'b'))",
    "(sign (cols CMP 'b'))", "(cospi (cols CMP 'b'))", "(acosh (cols CMP 'c'))", "(is.na CMP)",
    "(round (cols CMP ['b' 'c']) 0)", "(round (cols CMP ['b' 'c']) 1)", "(round CMP 1)", "(signif (cols CMP ['b' 'c']) 2)",
    "(cumsum (cols CMP 'b') 0)", "(cumprod (cols CMP ['a' 'c']) 0)", "(cummin (cols CMP ['a' 'b' 'c']) 1)",
    "(scale (cols CMP ['a' 'b' 'c']) True True)", "(scale CMP [1 2 3 0 0] [1 1 2 0 0])", "(difflag1 (cols CMP 'b'))",
    "(sum (cols CMP 'c'))", "(sumNA (cols CMP ['a' 'b' 'c']))", "(sumNA (cols CMP 'h'))", "(max (cols CMP 'g'))",
    "(maxNA (cols CMP ['a' 'b' 'c']))", "(prod (cols CMP 'c'))", "(prod.na (cols CMP ['a' 'b']))",
    "(any (cols CMP 'b'))", "(all (cols CMP 'h'))", "(any.na (cols CMP 'a'))", "(naCnt CMP)",
    "(mean CMP True 0)", "(mean CMP False 0)", "(mean CMP True 1)", "(sumaxis CMP True 0)",
    "(sumaxis (cols CMP ['a' 'b' 'c']) False 1)", "(median CMP True)", "(sd CMP True)", "(skewness CMP True)",
    "(kurtosis CMP True)", "(which (> (cols CMP 'c') 5))", "(which.max CMP True 0)", "(which.min CMP True 0)",
    "(which.max (cols CMP ['a' 'b' 'c']) True 1)", "(which.min (cols CMP ['a' 'b' 'c']) False 1)",
    "(quantile CMP [0 0.1 0.25 0.5 0.75 0.9 0.99 1] 'interpolate' '_')",
    "(quantile (cols CMP ['a' 'b' 'c']) [0 0.5 1 0.2 0.8 0.35] 'high' '_')",
    "(quantile (cols CMP ['a' 'b' 'c']) [0 0.5 1 0.2 0.8 0.35] 'average' '_')",
    "(quantile (cols CMP ['b' 'c']) [0 0.05 0.3 0.5 0.77 1] 'interpolate' 'c')",
    "(var (cols CMP ['a' 'b' 'c']) (cols CMP ['a' 'b' 'c']) 'complete.obs' True)",
    "(var (cols CMP ['b' 'c']) (cols CMP ['a' 'c']) 'complete.obs' False)", "(var (cols CMP 'c') (cols CMP 'c') 'everything' True)",
    "(cor (cols CMP ['a' 'b' 'c']) (cols CMP ['a' 'b' 'c']) 'complete.obs' 'Pearson')",
    "(cor (cols CMP 'c') (cols CMP 'a') 'complete.obs' 'Spearman')",
    "(cor (cols CMP ['c' 'g']) (cols CMP ['c' 'h']) 'everything' 'Spearman')",
    "(distance (rows (cols CMP ['c']) [0:5]) (rows (cols CMP ['c']) [0:2]) 'l2')",
    "(== (cols TMS 's') 'x')", "(== TMS 1.5)", "(> (cols TMS 'd') 1675000000000)", "(mean TMS True 0)",
    "(sumNA (cols TMS 'd'))", "(all TMS)", "(any (cols TMS 's'))",
]


@pytest.fixture(scope="module")
def both_servers(request):
    """Clients of both servers holding the same two frames, CMP (numbers with gaps, two factors)
    and TMS (time, string, real). Skipped when ``--server`` picks only one of them."""
    from h2odash.client import H2OClient

    if len(request.config.getoption("--server") or ["embedded", "h2o3"]) < 2:
        pytest.skip("comparing the servers needs both (--server picked one)")
    embedded_url, h2o3_url = request.getfixturevalue("embedded_url"), request.getfixturevalue("h2o3_url")

    rng = np.random.default_rng(3)
    n = 30
    numbers_frame = pd.DataFrame({
        "a": pd.array([None if i % 7 == 3 else int(x) for i, x in enumerate(rng.integers(-5, 10, n))], dtype="Int64"),
        "b": [None if i % 9 == 4 else round(float(x), 3) for i, x in enumerate(rng.normal(0, 3, n))],
        "c": rng.normal(5, 2, n).round(2),
        "g": pd.Categorical(rng.choice(["lo", "mid", "hi"], n)),
        "h": pd.Categorical(rng.choice(["no", "yes"], n)),
    })
    mixed_frame = pd.DataFrame({"d": ["2023-01-15", "2023-02-01", None, "2023-04-01", "2023-05-01", "2023-06-01"],
                                "s": ["x", "y", "", "x", None, "zz"], "n": [1.5, 2, 3, None, 5, 6]})
    clients = {name: H2OClient(url, timeout=120) for name, url in (("embedded", embedded_url), ("h2o3", h2o3_url))}
    for client in clients.values():
        client.upload_frame(numbers_frame, destination_frame="CMP", column_types=["int", "real", "real", "enum", "enum"])
        client.upload_frame(mixed_frame, destination_frame="TMS", column_types=["time", "string", "real"])
    yield clients
    for client in clients.values():
        client.delete_frame("CMP")
        client.delete_frame("TMS")
        client.close()


def _answer(client, expr):
    """("numbers", values) or ("frame", names and types, cells) for ``expr``: kept as a temporary
    when it is a frame (both servers refuse ``tmp=`` of a number), read as a number otherwise."""
    from h2odash.client.errors import H2OServerError

    key = f"both_{abs(hash(expr)) % 10 ** 12}"
    try:
        client.rapids(f"(tmp= {key} {expr})")
    except H2OServerError:
        value = client.rapids(expr)["scalar"]
        values = value if isinstance(value, list) else [value]
        return "numbers", [math.nan if x in ("NaN", None) else float(x) for x in values]
    columns = [(c["label"], c["type"]) for c in client.frame(key, row_count=0)["columns"]]
    cells = pd.read_csv(io.StringIO(client.download_csv(key)), skip_blank_lines=False)
    client.rapids(f"(rm {key})")
    return "frame", columns, cells


@pytest.mark.h2o3
@pytest.mark.parametrize("expr", BOTH)
def test_both_servers_agree(both_servers, expr):
    embedded, reference = (_answer(both_servers[name], expr) for name in ("embedded", "h2o3"))
    assert embedded[0] == reference[0]
    if embedded[0] == "numbers":
        np.testing.assert_allclose(embedded[1], reference[1], rtol=1e-9, atol=1e-12, equal_nan=True)
        return
    assert embedded[1] == reference[1], "names and types"
    ours, theirs = embedded[2], reference[2]
    assert ours.shape == theirs.shape
    for name in ours.columns:
        mine, real = pd.to_numeric(ours[name], errors="coerce"), pd.to_numeric(theirs[name], errors="coerce")
        if mine.notna().any() or real.notna().any():
            np.testing.assert_allclose(mine.to_numpy(float), real.to_numpy(float), rtol=1e-9, atol=1e-12,
                                       equal_nan=True, err_msg=name)
        else:
            assert ours[name].astype(str).tolist() == theirs[name].astype(str).tolist(), name
