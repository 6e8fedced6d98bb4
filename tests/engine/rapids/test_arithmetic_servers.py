"""Arithmetic, logic, math and statistics through POST /99/Rapids on both servers (the embedded
engine and real H2O-3), each answer checked against the same pandas/numpy computation of
H2O-3's rules, so that the two servers are held to one expectation."""
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
