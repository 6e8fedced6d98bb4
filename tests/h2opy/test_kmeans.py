"""K-means through h2o-py on both servers: starting centers from a frame, size constraints and
cross-validation, each held to an independent computation (scikit-learn, scipy, numpy).

The starting centers are given as an uploaded list, whose columns are C1..C4: both servers
read them by position, as H2O-3 does.
"""
from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans

IRIS_X = ["Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width"]
START = [[4.9, 3.0, 1.4, 0.2], [5.6, 2.5, 3.9, 1.1], [6.5, 3.0, 5.2, 2.0]]


@pytest.fixture
def iris(h2opy, data_dir):
    h2opy.no_progress()
    frame = h2opy.upload_file(str(data_dir / "iris.csv"))
    return frame, frame[IRIS_X].as_data_frame().to_numpy()


def _squared_distances(x, centers):
    return ((x[:, None, :] - np.asarray(centers)[None, :, :]) ** 2).sum(axis=2)


def _least_constrained_cost(distances, minimum):
    """The least total distance of an assignment giving cluster j at least minimum[j] rows, by
    the Hungarian method on an expanded square matrix: minimum[j] slots for each cluster j at
    its distance, and the remaining slots at each row's nearest distance."""
    free = len(distances) - sum(minimum)
    slots = [distances[:, [j] * m] for j, m in enumerate(minimum)] + [np.repeat(distances.min(axis=1)[:, None],
                                                                                 free, axis=1)]
    cost = np.hstack(slots)
    rows, cols = linear_sum_assignment(cost)
    return cost[rows, cols].sum()


def test_user_points_start_the_clustering_where_scikit_learn_does(h2opy, iris):
    from h2o.estimators import H2OKMeansEstimator
    frame, x = iris
    model = H2OKMeansEstimator(k=3, user_points=h2opy.H2OFrame(START), standardize=False)
    model.train(x=IRIS_X, training_frame=frame)
    expected = KMeans(n_clusters=3, init=np.asarray(START), n_init=1, tol=0).fit(x).cluster_centers_
    np.testing.assert_allclose(np.asarray(model.centers()), expected, rtol=1e-9)


@pytest.mark.parametrize("minimum, standardize", [([100, 40, 1], True), ([1, 1, 148], False), ([50, 50, 50], True)])
def test_cluster_size_constraints_give_the_least_cost_assignment(h2opy, iris, minimum, standardize):
    from h2o.estimators import H2OKMeansEstimator
    frame, x = iris
    model = H2OKMeansEstimator(k=3, user_points=h2opy.H2OFrame(START), standardize=standardize,
                               cluster_size_constraints=minimum)
    model.train(x=IRIS_X, training_frame=frame)
    stats = model._model_json["output"]["training_metrics"]._metric_json["centroid_stats"].cell_values
    sizes = [row[2] for row in stats]
    assert sum(sizes) == 150 and all(size >= m for size, m in zip(sizes, minimum))
    # At convergence the reported within-cluster sum is the least cost any assignment meeting
    # the constraints has for the final centers (in the scale the distances are taken in).
    scale = x.std(axis=0, ddof=1) if standardize else np.ones(4)
    mean = x.mean(axis=0) if standardize else np.zeros(4)
    centers = (np.asarray(model.centers()) - mean) / scale
    distances = _squared_distances((x - mean) / scale, centers)
    assert model.tot_withinss() == pytest.approx(_least_constrained_cost(distances, minimum), rel=1e-6)


def test_cross_validation_folds_are_fitted_and_scored_on_their_own_rows(h2opy, iris):
    from h2o.estimators import H2OKMeansEstimator
    frame, x = iris
    model = H2OKMeansEstimator(k=3, user_points=h2opy.H2OFrame(START), standardize=False, nfolds=3,
                               fold_assignment="Modulo", keep_cross_validation_fold_assignment=True)
    model.train(x=IRIS_X, training_frame=frame)
    folds = np.arange(150) % 3
    assigned = model.cross_validation_fold_assignment().as_data_frame().to_numpy().ravel()
    np.testing.assert_array_equal(assigned, folds)
    output = model._model_json["output"]
    holdout_withinss = []
    for fold, ref in enumerate(output["cross_validation_models"]):
        inside, outside = x[folds != fold], x[folds == fold]
        expected = KMeans(n_clusters=3, init=np.asarray(START), n_init=1, tol=0).fit(inside).cluster_centers_
        cv_model = h2opy.get_model(ref["name"])
        # H2O-3's fold models list one more, empty, center column (its fold weights column).
        np.testing.assert_allclose(np.asarray(cv_model.centers())[:, :4].astype(float), expected, rtol=1e-9)
        assert cv_model._model_json["output"]["training_metrics"]._metric_json["centroid_stats"] is not None
        holdout_withinss.append(_squared_distances(outside, expected).min(axis=1).sum())
    combined = output["cross_validation_metrics"]._metric_json
    assert combined["centroid_stats"] is None
    assert combined["tot_withinss"] == pytest.approx(sum(holdout_withinss), rel=1e-6)
    assert combined["totss"] == pytest.approx(((x - x.mean(axis=0)) ** 2).sum(), rel=1e-6)
    summary = output["cross_validation_metrics_summary"]
    assert summary.col_header == ["", "mean", "sd", "cv_1_valid", "cv_2_valid", "cv_3_valid"]
    rows = {row[0]: row[1:] for row in summary.cell_values}
    assert sorted(rows) == ["betweenss", "mse", "rmse", "tot_withinss", "totss"]
    np.testing.assert_allclose(rows["tot_withinss"][2:], holdout_withinss, rtol=1e-6)
    assert rows["tot_withinss"][0] == pytest.approx(np.mean(holdout_withinss), rel=1e-6)
    assert np.isnan(rows["mse"][0])
