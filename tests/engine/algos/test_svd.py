"""SVD against numpy.linalg.svd of the expanded, transformed matrix."""

import numpy as np
import pandas as pd
import pytest

from h2odash.engine.algos.base import Monitor
from h2odash.engine.algos.svd import ALGORITHM as SVD
from h2odash.engine.errors import InvalidArgument

from .test_pca import NUMBERS, assert_same_directions, iris, transformed
from .training_sets import unsupervised_set

METHODS = ["GramSVD", "Power", "Randomized"]


def fit(df, enums=(), monitor=None, **given):
    _, _, params, data = unsupervised_set(SVD, df, enums, **given)
    return SVD.fit(data, params, monitor or Monitor()), data


def frame_matrix(frame):
    return np.column_stack([frame.table.column(name).to_numpy() for name in frame.names])


def wide(rows=300, columns=25, seed=0):
    """Noisy data whose singular values fall off slowly: a hard case for iterative methods."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, columns)) * np.linspace(3.0, 0.5, columns)
    return pd.DataFrame(x, columns=[f"c{j}" for j in range(columns)])


@pytest.mark.parametrize("method", METHODS)
def test_d_v_and_u_match_numpys_svd(method):
    df = iris()
    fitted, _ = fit(df, nv=4, svd_method=method, seed=3)
    A = transformed(df, "NONE", levels=("Iris-setosa", "Iris-versicolor", "Iris-virginica"))
    u, s, vt = np.linalg.svd(A, full_matrices=False)
    np.testing.assert_allclose(fitted.d, s[:4], rtol=1e-8)
    assert_same_directions(fitted.v, vt[:4].T, atol=1e-6)
    assert_same_directions(fitted.u, u[:, :4], atol=1e-6)
    assert fitted.output()["d"] == pytest.approx(list(s[:4]), rel=1e-8)


@pytest.mark.parametrize("method", METHODS)
def test_iterative_methods_converge_when_singular_values_are_close(method):
    df = wide()
    fitted, _ = fit(df, nv=5, svd_method=method, transform="DEMEAN", seed=11)
    A = (df - df.mean()).to_numpy()
    _, s, vt = np.linalg.svd(A, full_matrices=False)
    np.testing.assert_allclose(fitted.d, s[:5], rtol=1e-6)
    assert_same_directions(fitted.v, vt[:5].T, atol=1e-3)


def test_u_and_v_are_frames_of_the_model():
    fitted, _ = fit(iris(), nv=2, u_name="my_u")
    frames = fitted.frames()
    v_name = fitted.output()["v_key"]
    assert set(frames) == {"my_u", v_name} and v_name.startswith("SVDVMatrix__")
    assert fitted.output()["u_key"] == "my_u"
    assert frames["my_u"].names == ["C1", "C2"] and frames["my_u"].nrows == 150
    np.testing.assert_allclose(frame_matrix(frames["my_u"]), fitted.u)
    np.testing.assert_allclose(frame_matrix(frames[v_name]), fitted.v)


def test_without_keep_u_there_is_no_u():
    fitted, _ = fit(iris(), nv=2, keep_u=False)
    assert fitted.u is None and fitted.output()["u_key"] is None and len(fitted.frames()) == 1


def test_predictions_are_projections_on_v_which_are_u_times_d_on_the_training_rows():
    fitted, data = fit(iris(), nv=3, transform="STANDARDIZE")
    predicted = fitted.predict_columns(data.X)
    assert list(predicted) == ["PC1", "PC2", "PC3"]
    np.testing.assert_allclose(np.column_stack(list(predicted.values())), fitted.u * fitted.d, atol=1e-9)


def test_rows_with_missing_values_are_left_out_and_have_no_u():
    df = iris()
    df.loc[[5, 70], "Sepal.Width"] = np.nan
    fitted, _ = fit(df, nv=2, transform="DEMEAN")
    complete = df.drop(index=[5, 70])
    A = np.column_stack([transformed(complete, "NONE", ("Iris-setosa", "Iris-versicolor", "Iris-virginica"))[:, :3],
                         (complete[NUMBERS] - df[NUMBERS].mean()).to_numpy()])
    np.testing.assert_allclose(fitted.d, np.linalg.svd(A, compute_uv=False)[:2], rtol=1e-9)
    assert np.isnan(fitted.u[[5, 70]]).all() and not np.isnan(np.delete(fitted.u, [5, 70], axis=0)).any()


def test_summary_is_h2os_singular_values_table():
    fitted, _ = fit(iris(), nv=2)
    table = fitted.summary()
    assert table.name == "Singular values"
    assert [c.name for c in table.columns] == ["", "sval1", "sval2"]
    assert table.rows == [[""] + list(fitted.d)]


@pytest.mark.parametrize("given, fragments", [
    ({"nv": 8}, ("nv must be between 1 and 7",)),
    ({"nv": 7, "use_all_factor_levels": False}, ("nv must be between 1 and 6",)),
    ({"nv": 2, "u_name": "test_frame"}, ("u_name",)),
])
def test_refuses_what_it_cannot_compute(given, fragments):
    with pytest.raises(InvalidArgument) as error:
        fit(iris(), **given)
    assert all(f in error.value.msg for f in fragments), error.value.msg


def test_refuses_more_vectors_than_rows():
    with pytest.raises(InvalidArgument, match=r"nv \(4\) is larger than the number of rows to decompose \(3\)"):
        fit(wide(rows=3, columns=6), nv=4)


def test_refuses_a_matrix_of_zeros():
    df = pd.DataFrame({"a": [0.0] * 5, "b": [0.0] * 5})
    with pytest.raises(InvalidArgument, match="nothing to decompose"):
        fit(df, nv=1, ignore_const_cols=False)


@pytest.mark.parametrize("method", METHODS)
def test_a_rank_deficient_matrix_gets_zero_singular_values_beyond_its_rank(method):
    rng = np.random.default_rng(5)
    x = rng.normal(size=(60, 2)) @ rng.normal(size=(2, 6))
    fitted, _ = fit(pd.DataFrame(x, columns=list("abcdef")), nv=4, svd_method=method, seed=2)
    s = np.linalg.svd(x, compute_uv=False)
    np.testing.assert_allclose(fitted.d[:2], s[:2], rtol=1e-8)
    assert np.all(np.abs(fitted.d[2:]) < 1e-6 * s[0])
    assert np.isfinite(fitted.u).all()
