"""Naive Bayes against scikit-learn's GaussianNB and CategoricalNB, and H2O-3's declarations."""


import numpy as np
import pandas as pd
import pytest
from sklearn.naive_bayes import CategoricalNB, GaussianNB

from h2odash.engine.algos.naivebayes import ALGORITHM as NB
from h2odash.engine.errors import InvalidArgument

from .training_sets import DATA_DIR, fit, prepared



def iris():
    return pd.read_csv(DATA_DIR / "iris.csv")


def categorical_frame(n=600, seed=3):
    """Three categorical predictors whose level frequencies depend on a three-class response."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    columns = {}
    for j, levels in enumerate((3, 4, 2)):
        shifted = (rng.integers(0, levels, n) + (y if j < 2 else 0) * (rng.random(n) < 0.6)) % levels
        columns[f"c{j}"] = [f"L{v}" for v in shifted]
    columns["y"] = [f"k{v}" for v in y]
    return pd.DataFrame(columns)


def test_numeric_predictors_match_gaussian_nb():
    df = iris()
    fitted, data = fit(NB, df, "Species")
    X = df.drop(columns="Species").to_numpy()
    y = data.y
    reference = GaussianNB(var_smoothing=0.0).fit(X, y)
    # H2O uses the sample variance (n - 1); scikit-learn the population variance.
    counts = np.bincount(y)
    reference.var_ = reference.var_ * (counts / (counts - 1))[:, None]
    np.testing.assert_allclose(fitted.predict(data.X), reference.predict_proba(X), rtol=0, atol=1e-6)


@pytest.mark.parametrize("laplace", [0.5, 1.0, 3.0])
def test_categorical_predictors_match_categorical_nb(laplace):
    df = categorical_frame()
    fitted, data = fit(NB, df, "y", laplace=laplace)
    X = np.column_stack([data.X[c].cat.codes.to_numpy() for c in data.X.columns])
    counts = np.bincount(data.y)
    # H2O smooths the priors as well as the conditionals.
    priors = (counts + laplace) / (counts.sum() + len(counts) * laplace)
    reference = CategoricalNB(alpha=laplace, class_prior=priors, min_categories=[3, 4, 2]).fit(X, data.y)
    np.testing.assert_allclose(fitted.predict(data.X), reference.predict_proba(X), rtol=0, atol=1e-6)


def test_probabilities_have_one_column_per_class_and_sum_to_one():
    fitted, data = fit(NB, categorical_frame().assign(x=np.linspace(0, 1, 600)), "y")
    p = fitted.predict(data.X)
    assert p.shape == (600, 3)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)


def test_training_skips_rows_with_a_missing_value_and_scoring_skips_the_missing_predictor():
    df = iris()
    holed = df.copy()
    holed.loc[::7, "Sepal.Length"] = np.nan
    with_holes, data = fit(NB, holed, "Species")
    complete, _ = fit(NB, holed.dropna(), "Species")
    np.testing.assert_allclose(with_holes.predict(data.X), complete.predict(data.X))
    # A row missing sepal_len scores as a model without that predictor would.
    without, data_without = fit(NB, holed.dropna().drop(columns="Sepal.Length"), "Species")
    missing = holed["Sepal.Length"].isna().to_numpy()
    _, _, _, rows_without = prepared(NB, holed.drop(columns="Sepal.Length"), "Species")
    np.testing.assert_allclose(with_holes.predict(data.X)[missing], without.predict(rows_without.X)[missing])


def test_conditional_tables_hold_class_means_and_sample_deviations():
    df = iris()
    fitted, _ = fit(NB, df, "Species")
    output = fitted.output()
    apriori = output["apriori"]
    assert apriori.name == "A Priori Response Probabilities"
    np.testing.assert_allclose(apriori.rows[0][1:], df["Species"].value_counts(normalize=True).sort_index())
    table = {t.name: t for t in output["pcond"]}["Petal.Width"]
    assert [c.name for c in table.columns] == ["", "Mean", "Std_Dev"] and table.description == "Y_by_Petal.Width"
    grouped = df.groupby("Species")["Petal.Width"]
    np.testing.assert_allclose([r[1] for r in table.rows], grouped.mean())
    np.testing.assert_allclose([r[2] for r in table.rows], grouped.std(ddof=1))
    assert [name for name, _, _ in fitted.summary()] == [
        "Number of Response Levels", "Min Apriori Probability", "Max Apriori Probability"]


def test_categorical_tables_list_the_categoricals_first_with_their_levels():
    df = categorical_frame().assign(x=np.linspace(0, 1, 600))
    fitted, _ = fit(NB, df, "y", laplace=1)
    pcond = fitted.output()["pcond"]
    assert [t.name for t in pcond] == ["c0", "c1", "c2", "x"]
    assert [c.name for c in pcond[1].columns] == ["", "L0", "L1", "L2", "L3"]
    np.testing.assert_allclose([sum(r[1:]) for r in pcond[1].rows], 1.0)


def test_small_deviations_are_floored_at_min_sdev():
    # Within each class x is constant: its deviation is 0 and min_sdev stands in.
    df = pd.DataFrame({"x": [1.0] * 5 + [2.0] * 5, "z": np.arange(10.0), "y": ["a"] * 5 + ["b"] * 5})
    for min_sdev in (0.3, 0.5):
        fitted, data = fit(NB, df, "y", min_sdev=min_sdev)
        p = fitted.predict(pd.DataFrame({"x": [1.5 + min_sdev / 4], "z": [np.nan]}))
        density = lambda m: np.exp(-((1.5 + min_sdev / 4 - m) ** 2) / (2 * min_sdev ** 2))
        expected = density(2.0) / (density(1.0) + density(2.0))
        np.testing.assert_allclose(p[0, 1], expected, rtol=1e-6)
    # With H2O's default min_sdev both densities underflow to 0 and become min_prob: a tie.
    fitted, _ = fit(NB, df, "y")
    np.testing.assert_allclose(fitted.predict(pd.DataFrame({"x": [1.5], "z": [np.nan]})), [[0.5, 0.5]])


def test_eps_sdev_replaces_every_deviation_up_to_it():
    df = iris()
    loose, data = fit(NB, df, "Species", eps_sdev=10.0, min_sdev=1.0)
    X = df.drop(columns="Species").to_numpy()
    reference = GaussianNB(var_smoothing=0.0).fit(X, data.y)
    reference.var_ = np.ones_like(reference.var_)
    np.testing.assert_allclose(loose.predict(data.X), reference.predict_proba(X), atol=1e-6)


def test_zero_probabilities_become_min_prob():
    df = pd.DataFrame({"c": ["u", "u", "v", "v", "v"], "y": ["a", "a", "b", "b", "a"]})
    fitted, data = fit(NB, df, "y", min_prob=0.01)
    # P(c=v | a) = 1/3, P(c=v | b) = 1; P(c=u | b) = 0 becomes 0.01.
    p = fitted.predict(data.X)
    prior_a, prior_b = 3 / 5, 2 / 5
    expected_u = prior_a * 2 / 3 / (prior_a * 2 / 3 + prior_b * 0.01)
    np.testing.assert_allclose(p[0, 0], expected_u)


def test_numeric_response_is_refused_with_a_clear_error():
    with pytest.raises(InvalidArgument, match="cannot build regression"):
        prepared(NB, iris(), "Petal.Width", ignored=["Species"])


@pytest.mark.parametrize("name, value", [("balance_classes", True), ("class_sampling_factors", [1.0, 2.0])])
def test_unimplemented_parameters_are_refused(name, value):
    with pytest.raises(InvalidArgument, match=name):
        NB.parameters.resolve({"training_frame": "f", "response_column": "Species", name: value})


@pytest.mark.parametrize("name, value", [("min_sdev", 0.0), ("min_prob", 1e-12), ("laplace", -1)])
def test_out_of_range_values_are_refused(name, value):
    with pytest.raises(InvalidArgument, match=name):
        NB.parameters.resolve({"training_frame": "f", "response_column": "Species", name: value})
