"""PCA against numpy's SVD of the expanded, transformed matrix, and H2O-3's answer on iris."""

import json

import numpy as np
import pandas as pd
import pytest

from h2odash.engine.algos.base import Monitor
from h2odash.engine.algos.decomposition import TRANSFORMS
from h2odash.engine.algos.pca import ALGORITHM as PCA
from h2odash.engine.errors import InvalidArgument

from .training_sets import DATA_DIR, unsupervised_set

NUMBERS = ["Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width"]


def iris():
    return pd.read_csv(DATA_DIR / "iris.csv")


def fit(df, enums=(), monitor=None, **given):
    _, _, params, data = unsupervised_set(PCA, df, enums, **given)
    return PCA.fit(data, params, monitor or Monitor()), data


def transformed(df, transform, levels=("Iris-versicolor", "Iris-virginica")):
    """Iris as H2O-3 decomposes it, built independently: the species' levels (first one
    dropped) as 0/1 columns, then the numbers transformed."""
    x = df[NUMBERS]
    sub = {"STANDARDIZE": x.mean(), "NORMALIZE": x.mean(), "DEMEAN": x.mean()}.get(transform, 0.0)
    div = {"STANDARDIZE": x.std(), "DESCALE": x.std(), "NORMALIZE": x.max() - x.min()}.get(transform, 1.0)
    onehot = np.column_stack([(df["Species"] == level).to_numpy(float) for level in levels])
    return np.column_stack([onehot, ((x - sub) / div).to_numpy()])


def table(fitted, field):
    return np.array([row[1:] for row in fitted.output()[field].rows], dtype=float)


def assert_same_directions(ours, theirs, atol=1e-8):
    """Singular vectors are defined up to their sign."""
    signs = np.sign(np.sum(ours * theirs, axis=0))
    np.testing.assert_allclose(ours * signs, theirs, atol=atol)


@pytest.mark.parametrize("transform", TRANSFORMS)
def test_importance_and_eigenvectors_match_numpys_svd_of_the_transformed_matrix(transform):
    df = iris()
    fitted, _ = fit(df, k=4, transform=transform)
    A = transformed(df, transform)
    _, s, vt = np.linalg.svd(A, full_matrices=False)
    std, proportion, cumulative = table(fitted, "importance")
    np.testing.assert_allclose(std, s[:4] / np.sqrt(len(A) - 1), rtol=1e-9)
    np.testing.assert_allclose(proportion, s[:4] ** 2 / (A ** 2).sum(), rtol=1e-9)
    np.testing.assert_allclose(cumulative, np.cumsum(s[:4] ** 2) / (A ** 2).sum(), rtol=1e-9)
    assert_same_directions(table(fitted, "eigenvectors"), vt[:4].T)
    assert fitted.summary().rows == fitted.output()["importance"].rows


def test_iris_matches_h2o3s_answer():
    """The reference is H2O-3's GET /3/Models of k=3, transform NONE, GramSVD on iris."""
    with open(DATA_DIR / "h2o_reference" / "model_pca_iris.json") as answer:
        theirs = json.load(answer)["models"][0]["output"]
    fitted, _ = fit(iris(), k=3, seed=1)
    importance, rotation = fitted.output()["importance"], fitted.output()["eigenvectors"]
    their_importance = np.array(theirs["importance"]["data"][1:], dtype=float).T
    np.testing.assert_allclose(table(fitted, "importance"), their_importance, rtol=1e-9)
    assert [row[0] for row in rotation.rows] == theirs["eigenvectors"]["data"][0]
    assert [row[0] for row in importance.rows] == theirs["importance"]["data"][0]
    assert_same_directions(table(fitted, "eigenvectors"), np.array(theirs["eigenvectors"]["data"][1:]).T)


@pytest.mark.parametrize("method", ["Power", "Randomized"])
def test_iterative_methods_find_the_exact_components(method):
    rows = []
    exact, _ = fit(iris(), k=3, transform="STANDARDIZE")
    fitted, _ = fit(iris(), monitor=Monitor(on_row=rows.append), k=3, transform="STANDARDIZE", pca_method=method,
                    seed=7)
    np.testing.assert_allclose(table(fitted, "importance"), table(exact, "importance"), rtol=1e-6)
    assert_same_directions(table(fitted, "eigenvectors"), table(exact, "eigenvectors"), atol=1e-5)
    assert PCA.history_name({"pca_method": method}) == f"Scoring History from {method} SVD"
    if method == "Power":   # one run of iterations per component
        assert sorted({row["principal_component_"] for row in rows}) == [1.0, 2.0, 3.0]
        assert rows[-1]["err"] <= 1e-6
    else:
        assert rows[-1]["average_see"] <= 1e-12
    assert [row["iterations"] for row in rows] == list(range(len(rows)))


def test_gram_svd_writes_h2os_one_history_row():
    rows = []
    fit(iris(), monitor=Monitor(on_row=rows.append), k=2)
    assert [row["iterations"] for row in rows] == [0]
    assert PCA.history_name({"pca_method": "GramSVD"}) == "Scoring History for GramSVD"


def test_predictions_project_rows_on_the_eigenvectors():
    df = iris()
    fitted, data = fit(df, k=3, transform="DEMEAN")
    predicted = fitted.predict_columns(data.X)
    assert list(predicted) == ["PC1", "PC2", "PC3"]
    expected = transformed(df, "DEMEAN") @ table(fitted, "eigenvectors")
    np.testing.assert_allclose(np.column_stack(list(predicted.values())), expected, atol=1e-10)


def test_a_missing_number_projects_to_nan_and_a_missing_level_adds_nothing():
    df = iris()
    fitted, _ = fit(df, k=2)
    rows = df.iloc[[0, 60, 120]].copy()
    rows.loc[rows.index[0], "Sepal.Width"] = np.nan
    rows.loc[rows.index[1], "Species"] = np.nan
    _, _, _, scored = unsupervised_set(PCA, pd.concat([df, rows]), k=2)
    predicted = fitted.predict_columns(scored.X)
    assert np.isnan(predicted["PC1"][150]) and np.isnan(predicted["PC2"][150])
    without_level = transformed(df.iloc[[60]], "NONE")
    without_level[:, :2] = 0.0
    np.testing.assert_allclose([predicted["PC1"][151], predicted["PC2"][151]],
                               (without_level @ table(fitted, "eigenvectors"))[0], atol=1e-10)


def test_rows_with_missing_values_are_left_out_unless_imputed():
    df = iris()
    gappy = df.copy()
    gappy.loc[[3, 50], "Petal.Length"] = np.nan
    gappy.loc[[100], "Species"] = np.nan
    fitted, _ = fit(gappy, k=2, transform="STANDARDIZE")
    # The transform's statistics come from every value of a column; the decomposition from
    # the complete rows only.
    complete = gappy.drop(index=[3, 50, 100])
    stats = gappy[NUMBERS]
    A = np.column_stack([transformed(complete, "NONE")[:, :2],
                         ((complete[NUMBERS] - stats.mean()) / stats.std()).to_numpy()])
    s = np.linalg.svd(A, compute_uv=False)
    np.testing.assert_allclose(table(fitted, "importance")[0], s[:2] / np.sqrt(len(A) - 1), rtol=1e-9)

    imputed, _ = fit(gappy, k=2, transform="STANDARDIZE", impute_missing=True)
    filled = gappy.fillna({"Petal.Length": stats["Petal.Length"].mean(), "Species": "Iris-setosa"})
    # Each species has 50 rows but one virginica is missing: setosa (50) is the most common.
    B = np.column_stack([transformed(filled, "NONE")[:, :2],
                         ((filled[NUMBERS] - stats.mean()) / stats.std()).to_numpy()])
    s = np.linalg.svd(B, compute_uv=False)
    np.testing.assert_allclose(table(imputed, "importance")[0], s[:2] / np.sqrt(len(B) - 1), rtol=1e-9)


def test_categorical_columns_come_first_most_levels_first():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"x": rng.normal(size=40), "small": rng.choice(["a", "b"], 40),
                       "big": rng.choice(["p", "q", "r"], 40), "y": rng.normal(size=40)})
    fitted, _ = fit(df, enums=("small", "big"), k=2, use_all_factor_levels=True)
    assert [row[0] for row in fitted.output()["eigenvectors"].rows] == [
        "big.p", "big.q", "big.r", "small.a", "small.b", "x", "y"]


@pytest.mark.parametrize("given, fragments", [
    ({"k": 7}, ("k must be between 1 and 6", "first level left out")),
    ({"k": 8, "use_all_factor_levels": True}, ("k must be between 1 and 7",)),
    ({"k": 2, "pca_method": "GLRM"}, ("GLRM", "not implemented")),
])
def test_refuses_what_it_cannot_compute(given, fragments):
    with pytest.raises(InvalidArgument) as error:
        fit(iris(), **given)
    assert all(f in error.value.msg for f in fragments), error.value.msg


def test_refuses_more_components_than_rows():
    with pytest.raises(InvalidArgument, match=r"k \(4\) is larger than the number of rows to decompose \(3\)"):
        fit(iris().iloc[[0, 60, 120]], k=4)


def test_refuses_columns_that_are_all_constant_once_demeaned():
    df = pd.DataFrame({"a": [1.0] * 10, "b": [2.0] * 10})
    with pytest.raises(InvalidArgument, match="nothing to decompose"):
        fit(df, k=1, transform="DEMEAN", ignore_const_cols=False)


def test_refuses_when_every_row_has_a_missing_value():
    df = pd.DataFrame({"a": [1.0, np.nan, 3.0, np.nan], "b": [np.nan, 2.0, np.nan, 5.0]})
    with pytest.raises(InvalidArgument, match="impute_missing"):
        fit(df, k=1)
