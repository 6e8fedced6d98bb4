"""K-means against an independent computation (scikit-learn, numpy) and H2O-3's declarations."""

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans as SkKMeans

from h2odash.engine.algos.base import Monitor
from h2odash.engine.algos.kmeans import ALGORITHM as KM
from h2odash.engine.errors import InvalidArgument

from .training_sets import DATA_DIR, unsupervised_set


def iris():
    return pd.read_csv(DATA_DIR / "iris.csv")


def fit(df, enums=(), monitor=None, **given):
    _, _, params, data = unsupervised_set(KM, df, enums, **given)
    return KM.fit(data, params, monitor or Monitor()), data


def test_sums_of_squares_match_a_direct_computation_on_standardized_data():
    df = iris().drop(columns="Species")
    fitted, data = fit(df, k=3, init="PlusPlus", seed=3)
    z = (df - df.mean()) / df.std()           # H2O standardizes with the sample deviation
    labels = fitted.predict_columns(data.X)["predict"]
    scored = fitted.metrics(data.X, data.w)
    centers = np.vstack([z[labels == c].mean().to_numpy() for c in range(3)])
    withinss = sum(((z[labels == c].to_numpy() - centers[c]) ** 2).sum() for c in range(3))
    assert scored["totss"] == pytest.approx(((z - z.mean()) ** 2).to_numpy().sum(), rel=1e-9)
    assert scored["tot_withinss"] == pytest.approx(withinss, rel=1e-9)
    assert scored["betweenss"] == pytest.approx(scored["totss"] - withinss, rel=1e-9)
    assert scored["centroid_stats"].column("size") == [float((labels == c).sum()) for c in range(3)]


def test_converges_to_scikit_learns_optimum_from_the_same_start():
    rng = np.random.default_rng(0)
    x = np.vstack([rng.normal(center, 0.6, (150, 2)) for center in ((0, 0), (4, 0), (0, 4), (4, 4))])
    df = pd.DataFrame(x, columns=["a", "b"])
    fitted, data = fit(df, k=4, init="PlusPlus", seed=5, standardize=False, max_iterations=50)
    reference = SkKMeans(4, init=fitted.centers.numeric, n_init=1).fit(x)
    assert fitted.metrics(data.X, data.w)["tot_withinss"] == pytest.approx(reference.inertia_, rel=1e-6)


def test_separates_the_iris_species():
    fitted, data = fit(iris(), k=3, init="PlusPlus", seed=1)
    scored = fitted.metrics(data.X, data.w)
    assert scored["betweenss"] / scored["totss"] > 0.6
    labels = fitted.predict_columns(data.X)["predict"]
    species = iris()["Species"]
    purity = sum(species[labels == c].value_counts().iloc[0] for c in range(3)) / len(species)
    assert purity > 0.85


def test_categorical_columns_count_level_mismatches():
    df = pd.DataFrame({"x": [0.0, 0.1, 10.0, 10.1], "colour": ["red", "red", "blue", "green"]})
    fitted, data = fit(df, enums=("colour",), k=2, standardize=False, init="Furthest", seed=1)
    labels = fitted.predict_columns(data.X)["predict"]
    assert labels[0] == labels[1] != labels[2] == labels[3]
    scored = fitted.metrics(data.X, data.w)
    # The blue/green cluster's center holds one of its two levels: one mismatch, plus 2 * 0.05^2.
    assert scored["tot_withinss"] == pytest.approx(2 * 0.05 ** 2 + 1 + 2 * 0.05 ** 2)


def test_estimate_k_finds_the_number_of_separated_groups():
    rng = np.random.default_rng(1)
    x = np.vstack([rng.normal(center, 0.3, (100, 2)) for center in ((0, 0), (5, 0), (0, 5))])
    fitted, _ = fit(pd.DataFrame(x, columns=["a", "b"]), k=8, estimate_k=True)
    assert fitted.k == 3


def test_scoring_history_has_a_row_per_iteration():
    rows = []
    fit(iris(), monitor=Monitor(on_row=rows.append), k=3, seed=2, init="Random")
    assert [r["iterations"] for r in rows] == list(range(len(rows)))
    withinss = [r["within_cluster_sum_of_squares"] for r in rows[1:]]
    assert all(later <= earlier + 1e-9 for earlier, later in zip(withinss, withinss[1:]))


def test_k_larger_than_the_rows_is_refused():
    with pytest.raises(InvalidArgument, match="larger than the number of rows"):
        fit(iris().head(5), k=6)


def test_unimplemented_settings_are_refused_not_ignored():
    with pytest.raises(InvalidArgument, match="not implemented"):
        unsupervised_set(KM, iris(), k=2, categorical_encoding="OneHotExplicit")
    with pytest.raises(InvalidArgument, match="user_points"):
        unsupervised_set(KM, iris(), k=2, init="User")


def test_constrained_assignment_is_the_least_cost_one_meeting_the_minimums():
    from scipy.optimize import linear_sum_assignment

    from h2odash.engine.algos.kmeans import _constrained_assignment

    rng = np.random.default_rng(4)
    distances = rng.random((40, 4)) ** 2
    minimum = [15, 10, 3, 1]
    assignment = _constrained_assignment(distances, minimum, np.ones(40))
    assert all(np.bincount(assignment, minlength=4) >= minimum)
    # Independent optimum: the Hungarian method on minimum[j] slots per cluster plus free slots
    # at each row's nearest distance.
    free = 40 - sum(minimum)
    cost = np.hstack([distances[:, [j] * m] for j, m in enumerate(minimum)]
                     + [np.repeat(distances.min(axis=1)[:, None], free, axis=1)])
    rows, cols = linear_sum_assignment(cost)
    assert distances[np.arange(40), assignment].sum() == pytest.approx(cost[rows, cols].sum(), rel=1e-12)


def test_cluster_size_constraints_are_checked_against_k_and_the_rows():
    with pytest.raises(InvalidArgument, match="one per cluster"):
        unsupervised_set(KM, iris(), k=3, cluster_size_constraints=[10, 10])
    with pytest.raises(InvalidArgument, match="more than the 150 rows"):
        fit(iris().drop(columns="Species"), k=2, cluster_size_constraints=[100, 60])
