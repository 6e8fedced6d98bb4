"""Reducers and statistics of Rapids (sum, min, max, prod, any, all, naCnt, mean, sumaxis,
median, sd, skewness, kurtosis, which.max/min, quantile, var, cor) against numpy, pandas and
scipy, with the shapes H2O-3 answers: numbers, lists (one value per column) or frames."""
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from scipy import stats

from h2odash.engine.errors import InvalidArgument
from h2odash.engine.frames import Frame
from h2odash.engine.parse import to_enum

RNG = np.random.default_rng(7)
X = RNG.normal(10, 3, 40).round(3)
Y = (X * 0.5 + RNG.normal(0, 1, 40)).round(3)
W = RNG.integers(0, 4, 40).astype(float)
XM = X.copy()
XM[[3, 17]] = np.nan


@pytest.fixture
def eng(engine):
    full = pa.table({"x": X, "y": Y, "w": W, "k": to_enum(pa.array(["u", "v"] * 20))})
    engine.store.put("full", Frame("full", full, ["real", "real", "int", "enum"]))
    gaps = pa.table({"xm": pa.array(XM, mask=np.isnan(XM)), "y": Y, "t": pa.array(["a"] * 40)})
    engine.store.put("gaps", Frame("gaps", gaps, ["real", "real", "string"]))
    return engine


def run(engine, expr):
    return engine.rapids(expr)


def row(frame):
    return [frame.table.column(i).to_pandas().astype("float64").iloc[0] for i in range(frame.ncols)]


def column(frame, i=0):
    return frame.table.column(i).to_pandas().astype("float64").to_numpy()


def test_sums_extremes_and_products(eng):
    assert run(eng, "(sum (cols full ['x' 'y']))") == pytest.approx(X.sum() + Y.sum())
    assert run(eng, "(sumNA (cols gaps 'xm'))") == pytest.approx(np.nansum(XM))
    assert np.isnan(run(eng, "(sum (cols gaps 'xm'))"))         # a missing value poisons sum
    assert run(eng, "(max (cols full ['x' 'y']))") == max(X.max(), Y.max())
    assert run(eng, "(min (cols full 'y'))") == Y.min()
    assert np.isnan(run(eng, "(max gaps)")) and run(eng, "(maxNA (cols gaps 'xm'))") == np.nanmax(XM)
    assert run(eng, "(minNA (cols gaps 'xm'))") == np.nanmin(XM)
    assert run(eng, "(prod (cols full 'w'))") == np.prod(W)
    assert run(eng, "(prod.na (cols gaps 'xm'))") == pytest.approx(np.prod(XM[~np.isnan(XM)]))
    assert np.isnan(run(eng, "(prod (cols gaps 'xm'))"))
    with pytest.raises(InvalidArgument, match="numeric"):
        run(eng, "(prod full)")


def test_categorical_extremes_are_codes_and_strings_have_none(eng):
    assert run(eng, "(max (cols full 'k'))") == 1.0 and run(eng, "(min (cols full 'k'))") == 0.0
    assert np.isnan(run(eng, "(maxNA (cols gaps 't'))"))


def test_any_all_and_missing_counts(eng):
    assert run(eng, "(any (cols full 'w'))") == float((W != 0).any())
    assert run(eng, "(all (cols full 'w'))") == float((W != 0).all())
    assert run(eng, "(all (cols full 'x'))") == 1.0
    assert run(eng, "(all (is.na (cols gaps 'xm')))") == 0.0
    assert run(eng, "(naCnt gaps)") == [2.0, 0.0, 0.0]
    assert run(eng, "(any 0)") == 0.0


def test_mean_and_sumaxis_by_column_are_one_row_frames(eng):
    means = run(eng, "(mean gaps True 0)")
    assert means.names == ["xm", "y", "t"] and means.nrows == 1
    np.testing.assert_allclose(row(means), [np.nanmean(XM), Y.mean(), np.nan], equal_nan=True)
    strict = row(run(eng, "(mean gaps False 0)"))
    assert np.isnan(strict[0]) and strict[1] == pytest.approx(Y.mean())
    sums = row(run(eng, "(sumaxis gaps True 0)"))
    np.testing.assert_allclose(sums, [np.nansum(XM), Y.sum(), np.nan], equal_nan=True)


def test_mean_and_sumaxis_by_row_use_numeric_columns(eng):
    frame = pd.DataFrame({"xm": XM, "y": Y})
    by_row = run(eng, "(mean gaps True 1)")
    assert by_row.names == ["mean"]
    np.testing.assert_allclose(column(by_row), frame.mean(axis=1))
    # a string column with na_rm false makes every row missing, as H2O-3
    assert np.isnan(column(run(eng, "(mean gaps False 1)"))).all()
    strict = column(run(eng, "(sumaxis (cols gaps ['xm' 'y']) False 1)"))
    np.testing.assert_allclose(strict, frame.sum(axis=1, skipna=False))


def test_median_sd_skewness_kurtosis_are_lists(eng):
    present = XM[~np.isnan(XM)]
    median = run(eng, "(median gaps True)")
    assert median[0] == pytest.approx(np.median(present)) and median[1] == pytest.approx(np.median(Y))
    assert np.isnan(median[2]) and np.isnan(run(eng, "(median gaps False)")[0])
    sd = run(eng, "(sd full True)")
    assert sd[:3] == pytest.approx([X.std(ddof=1), Y.std(ddof=1), W.std(ddof=1)]) and np.isnan(sd[3])
    assert run(eng, "(skewness (cols full 'x') True)") == pytest.approx([stats.skew(X)])
    assert run(eng, "(kurtosis (cols full 'y') True)") == pytest.approx([stats.kurtosis(Y, fisher=False)])


def test_which_max_and_min(eng):
    assert row(run(eng, "(which.max (cols full ['x' 'y']) True 0)")) == [np.argmax(X), np.argmax(Y)]
    assert row(run(eng, "(which.min (cols gaps 'xm') True 0)")) == [np.nanargmin(XM)]
    assert np.isnan(row(run(eng, "(which.min (cols gaps 'xm') False 0)"))[0])
    across = run(eng, "(which.max (cols full ['x' 'y']) True 1)")
    assert across.names == ["which.max"]
    np.testing.assert_array_equal(column(across), np.argmax(np.column_stack([X, Y]), axis=1))


@pytest.mark.parametrize("method, numpy_method", [("interpolate", "linear"), ("low", "lower"),
                                                  ("high", "higher"), ("average", "midpoint")])
def test_quantile_frame_matches_numpy(eng, method, numpy_method):
    probs = [0, 0.01, 0.1, 0.25, 1 / 3, 0.5, 0.75, 0.9, 0.999, 1]
    result = run(eng, f"(quantile gaps [{' '.join(map(repr, probs))}] '{method}' '_')")
    assert result.names == ["Probs", "xmQuantiles", "yQuantiles", "tQuantiles"]
    np.testing.assert_allclose(column(result, 0), probs)
    np.testing.assert_allclose(column(result, 1), np.nanquantile(XM, probs, method=numpy_method), rtol=1e-12)
    np.testing.assert_allclose(column(result, 2), np.quantile(Y, probs, method=numpy_method), rtol=1e-12)
    assert np.isnan(column(result, 3)).all()


def test_weighted_quantile_counts_each_value_weight_times(eng):
    probs = [0.1, 0.5, 0.75]
    result = run(eng, "(quantile (cols full ['x' 'w']) [0.1 0.5 0.75] 'interpolate' 'w')")
    assert result.names == ["Probs", "xQuantiles"]
    expanded = np.repeat(X, W.astype(int))
    np.testing.assert_allclose(column(result, 1), np.quantile(expanded, probs), rtol=1e-12)


def test_quantile_checks_its_arguments(eng):
    with pytest.raises(InvalidArgument, match="between 0 and 1"):
        run(eng, "(quantile full [1.5] 'interpolate' '_')")
    with pytest.raises(InvalidArgument, match="combines with"):
        run(eng, "(quantile full [0.5] 'nearest' '_')")


def test_var_gives_a_number_or_a_covariance_frame(eng):
    assert run(eng, "(var (cols full 'x') (cols full 'x') 'everything' True)") == pytest.approx(X.var(ddof=1))
    assert run(eng, "(var (cols full 'x') (cols full 'y') 'everything' False)") == pytest.approx(np.cov(X, Y)[0, 1])
    matrix = run(eng, "(var (cols full ['x' 'y']) (cols full ['x' 'y']) 'everything' True)")
    assert matrix.names == ["x", "y"]
    expected = pd.DataFrame({"x": X, "y": Y}).cov()
    np.testing.assert_allclose(np.column_stack([column(matrix, 0), column(matrix, 1)]), expected.to_numpy())
    both = "(cols gaps ['xm' 'y'])"
    assert np.isnan(column(run(eng, f"(var {both} {both} 'everything' False)"), 0)).all()
    complete = run(eng, f"(var {both} {both} 'complete.obs' True)")
    kept = pd.DataFrame({"xm": XM, "y": Y}).dropna().cov()
    np.testing.assert_allclose(np.column_stack([column(complete, 0), column(complete, 1)]), kept.to_numpy())
    with pytest.raises(InvalidArgument, match="all.obs"):
        run(eng, "(var (cols gaps 'xm') (cols gaps 'y') 'all.obs' False)")


def test_pearson_correlation(eng):
    assert run(eng, "(cor (cols full 'x') (cols full 'y') 'everything' 'Pearson')") == pytest.approx(np.corrcoef(X, Y)[0, 1])
    assert np.isnan(run(eng, "(cor (cols gaps 'xm') (cols gaps 'y') 'everything' 'Pearson')"))
    kept = ~np.isnan(XM)
    assert run(eng, "(cor (cols gaps 'xm') (cols gaps 'y') 'complete.obs' 'Pearson')") == \
        pytest.approx(np.corrcoef(XM[kept], Y[kept])[0, 1])
    matrix = run(eng, "(cor (cols full ['x' 'y' 'w']) (cols full ['x' 'y' 'w']) 'everything' 'Pearson')")
    expected = pd.DataFrame({"x": X, "y": Y, "w": W}).corr().to_numpy()
    np.testing.assert_allclose(np.column_stack([column(matrix, i) for i in range(3)]), expected)
    # complete.obs names the columns as H2O-3 does after binding x and y (x -> x0)
    assert run(eng, "(cor (cols gaps ['xm' 'y']) (cols gaps ['xm' 'y']) 'complete.obs' 'Pearson')").names == ["xm0", "y0"]


def test_spearman_correlation(eng):
    assert run(eng, "(cor (cols full 'x') (cols full 'y') 'everything' 'Spearman')") == \
        pytest.approx(stats.spearmanr(X, Y).statistic)
    matrix = run(eng, "(cor (cols full ['x' 'y']) (cols full ['x' 'y']) 'complete.obs' 'Spearman')")
    assert matrix.names == ["C1", "C2"] and column(matrix, 0)[0] == 1.0
    assert column(matrix, 0)[1] == pytest.approx(stats.spearmanr(X, Y).statistic)
    with pytest.raises(InvalidArgument, match="Unknown correlation method"):
        run(eng, "(cor (cols full 'x') (cols full 'y') 'everything' 'kendall')")


@pytest.mark.parametrize("measure", ["l1", "l2", "cosine", "cosine_sq"])
def test_distance_between_reference_and_query_rows(eng, measure):
    refs = np.column_stack([X, Y, W])
    queries = refs[:3]
    result = run(eng, f"(distance (cols full ['x' 'y' 'w']) (rows (cols full ['x' 'y' 'w']) [0:3]) '{measure}')")
    assert result.names == ["C1", "C2", "C3"] and result.nrows == 40
    diff = refs[:, None, :] - queries[None, :, :]
    dots = refs @ queries.T
    norms = np.outer(np.linalg.norm(refs, axis=1), np.linalg.norm(queries, axis=1))
    expected = {"l1": np.abs(diff).sum(axis=2), "l2": np.sqrt((diff ** 2).sum(axis=2)),
                "cosine": dots / norms, "cosine_sq": (dots / norms) ** 2}[measure]
    np.testing.assert_allclose(np.column_stack([column(result, j) for j in range(3)]), expected, rtol=1e-12, atol=1e-12)
    with pytest.raises(InvalidArgument, match="missing values"):
        run(eng, f"(distance (cols gaps 'xm') (cols gaps 'y') '{measure}')")


def test_matrix_product(eng):
    result = run(eng, "(x (cols full ['x' 'y']) (rows (cols full ['x' 'y' 'w']) [0:2]))")
    assert result.names == ["C1", "C2", "C3"]
    expected = np.column_stack([X, Y]) @ np.column_stack([X, Y, W])[:2]
    np.testing.assert_allclose(np.column_stack([column(result, j) for j in range(3)]), expected, rtol=1e-12)
    with pytest.raises(InvalidArgument, match="dimensions do not match"):
        run(eng, "(x full full)")


@pytest.mark.parametrize("method, expected", [("low", 0.001), ("high", 1000.0), ("average", 500.0005),
                                              ("interpolate", 0.001)])
def test_quantile_at_an_exact_row_sharing_its_first_bin_combines_with_the_next_row(engine, method, expected):
    # [0, 0.001, 1000]: the median is row 1 exactly, but 0 and 0.001 share the first of 1024 bins,
    # so H2O-3 combines row 1 with row 2 (real H2O-3 answers these values)
    engine.store.put("v", Frame("v", pa.table({"v": [0.0, 0.001, 1000.0]})))
    result = engine.rapids(f"(quantile v [0.5] '{method}' '_')")
    assert column(result, 1)[0] == pytest.approx(expected)
