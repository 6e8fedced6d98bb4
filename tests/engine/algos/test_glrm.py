"""GLRM against known low-rank matrices, numpy's SVD and H2O-3's declarations."""

import itertools
import time

import numpy as np
import pandas as pd
import pytest

from h2odash.engine.algos.base import Monitor
from h2odash.engine.algos.glrm import ALGORITHM as GLRM
from h2odash.engine.errors import InvalidArgument

from .training_sets import DATA_DIR, frame_of, unsupervised_set


def fit(df, enums=(), monitor=None, **given):
    _, _, params, data = unsupervised_set(GLRM, df, enums, **given)
    return GLRM.fit(data, params, monitor or Monitor()), data


def low_rank(rows=200, columns=20, rank=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(rows, rank)) @ rng.normal(size=(rank, columns))


def as_frame(matrix, hidden=None):
    values = matrix if hidden is None else np.where(hidden, np.nan, matrix)
    return pd.DataFrame(values, columns=[f"c{j}" for j in range(matrix.shape[1])])


def reconstruction(fitted, data, columns):
    predicted = fitted.predict_columns(data.X)
    return np.column_stack([np.asarray(predicted[f"reconstr_{c}"]) for c in columns])


@pytest.mark.parametrize("init", ["PlusPlus", "SVD", "Random"])
def test_recovers_the_missing_cells_of_a_rank_3_matrix(init):
    full = low_rank()
    hidden = np.random.default_rng(1).random(full.shape) < 0.2
    df = as_frame(full, hidden)
    fitted, data = fit(df, k=3, seed=1, init=init)
    rebuilt = reconstruction(fitted, data, df.columns)
    rmse = np.sqrt(np.mean((rebuilt[hidden] - full[hidden]) ** 2))
    assert rmse < 0.01 * full[hidden].std()
    # The observed cells are fitted too, and the metrics count only those.
    scored = fitted.metrics(data.X, data.w)
    assert scored["numcnt"] == int((~hidden).sum()) and scored["catcnt"] == 0
    assert scored["numerr"] == pytest.approx(((rebuilt - full)[~hidden] ** 2).sum(), abs=1e-9)


def test_reaches_the_best_rank_k_error_that_numpys_svd_gives():
    rng = np.random.default_rng(2)
    noisy = low_rank(150, 8, 2, seed=3) + 0.3 * rng.normal(size=(150, 8))
    fitted, _ = fit(as_frame(noisy), k=2, seed=4, init="Random", min_step_size=1e-12, max_iterations=3000)
    singular = np.linalg.svd(noisy, compute_uv=False)
    # Eckart-Young: no rank-2 matrix is closer than the discarded singular values.
    assert fitted.solution.objective == pytest.approx((singular[2:] ** 2).sum(), rel=1e-4)
    importance = fitted.output()["importance"]
    xy = np.linalg.svd(fitted.X @ fitted.Y, compute_uv=False)[:2]
    assert importance.rows[0][1:] == pytest.approx(list(xy / np.sqrt(149)), rel=1e-9)
    total = (noisy ** 2).sum() / 149
    assert importance.rows[1][1:] == pytest.approx(list(xy ** 2 / 149 / total), rel=1e-9)


def test_recover_svd_reports_the_singular_values_and_eigenvectors_of_xy():
    fitted, _ = fit(as_frame(low_rank(60, 6, 2)), k=2, seed=1, recover_svd=True)
    output = fitted.output()
    _, s, vt = np.linalg.svd(fitted.X @ fitted.Y, full_matrices=False)
    assert output["singular_vals"] == pytest.approx(list(s[:2]), rel=1e-9)
    vectors = np.array([row[1:] for row in output["eigenvectors"].rows])
    # Singular vectors are defined up to sign.
    assert np.abs(vectors.T @ vt[:2].T) == pytest.approx(np.eye(2), abs=1e-9)


def test_non_negative_regularizers_give_non_negative_factors():
    rng = np.random.default_rng(5)
    parts = rng.random((100, 3)) @ rng.random((3, 10))
    fitted, data = fit(as_frame(parts), k=3, seed=2, init="Random", regularization_x="NonNegative",
                       regularization_y="NonNegative", gamma_x=1.0, gamma_y=1.0, max_iterations=3000)
    assert (fitted.X >= 0).all() and (fitted.Y >= 0).all()
    rebuilt = reconstruction(fitted, data, [f"c{j}" for j in range(10)])
    assert np.sqrt(np.mean((rebuilt - parts) ** 2)) < 0.05 * parts.std()
    # Without the constraint, the same start leaves negative entries.
    free, _ = fit(as_frame(parts), k=3, seed=2, init="Random", max_iterations=300)
    assert (free.X < 0).any()


def test_constraint_regularizers_keep_rows_of_x_in_their_sets():
    df = as_frame(low_rank(80, 6, 3))
    simplex, _ = fit(df, k=3, seed=1, init="Random", regularization_x="Simplex", gamma_x=1.0, max_iterations=200)
    assert (simplex.X >= 0).all() and simplex.X.sum(axis=1) == pytest.approx(np.ones(80))
    one_hot, _ = fit(df, k=3, seed=1, init="Random", regularization_x="UnitOneSparse", gamma_x=1.0,
                     max_iterations=200)
    assert set(np.unique(one_hot.X)) <= {0.0, 1.0} and (one_hot.X.sum(axis=1) == 1).all()
    sparse, _ = fit(df, k=3, seed=1, init="Random", regularization_x="OneSparse", gamma_x=1.0, max_iterations=200)
    assert ((sparse.X > 0).sum(axis=1) == 1).all() and (sparse.X >= 0).all()


def test_shrinking_regularizers_shrink():
    df = as_frame(low_rank(80, 6, 3))
    plain, _ = fit(df, k=3, seed=3, init="Random", max_iterations=300)
    quadratic, _ = fit(df, k=3, seed=3, init="Random", regularization_x="Quadratic", regularization_y="Quadratic",
                       gamma_x=5.0, gamma_y=5.0, max_iterations=300)
    assert np.linalg.norm(quadratic.X) < np.linalg.norm(plain.X)
    lasso, _ = fit(df, k=3, seed=3, init="Random", regularization_x="L1", gamma_x=20.0, max_iterations=300)
    assert (np.abs(lasso.X) < 1e-12).mean() > (np.abs(plain.X) < 1e-12).mean()


def test_absolute_and_huber_losses_resist_outliers_that_pull_the_quadratic_one():
    full = low_rank(120, 8, 2, seed=6)
    spoiled = full.copy()
    outliers = np.random.default_rng(7).random(full.shape) < 0.03
    spoiled[outliers] += 50.0
    clean = ~outliers

    def error(loss):
        fitted, data = fit(as_frame(spoiled), k=2, seed=1, loss=loss, max_iterations=2000)
        rebuilt = reconstruction(fitted, data, [f"c{j}" for j in range(8)])
        return np.sqrt(np.mean((rebuilt[clean] - full[clean]) ** 2))

    quadratic = error("Quadratic")
    assert quadratic > 1.0
    assert error("Absolute") < 0.2 * quadratic and error("Huber") < 0.2 * quadratic


def test_categorical_columns_are_imputed_from_the_numbers_they_go_with():
    rng = np.random.default_rng(8)
    group = rng.integers(0, 3, 300)
    centers = rng.normal(0, 4, (3, 5))
    df = pd.DataFrame(centers[group] + 0.3 * rng.normal(size=(300, 5)), columns=list("abcde"))
    df["group"] = np.array(["x", "y", "z"])[group]
    hidden = rng.random(300) < 0.2
    df.loc[hidden, "group"] = None
    fitted, data = fit(df, enums=("group",), k=3, seed=1, max_iterations=500)
    guessed = np.asarray(fitted.predict_columns(data.X)["reconstr_group"])
    truth = np.array(["x", "y", "z"])[group]
    assert (guessed[hidden] == truth[hidden]).mean() > 0.95
    scored = fitted.metrics(data.X, data.w)
    assert scored["catcnt"] == int((~hidden).sum()) and scored["caterr"] <= 0.05 * scored["catcnt"]
    archetypes = fitted.output()["archetypes"]
    assert [c.description for c in archetypes.columns][1:4] == ["group.x", "group.y", "group.z"]
    assert [c.name for c in archetypes.columns][1:4] == ["groupx", "groupy", "groupz"]


def test_binary_and_count_columns_take_their_own_losses():
    rng = np.random.default_rng(9)
    scores = rng.normal(size=400)
    df = pd.DataFrame({"x1": scores * 2, "x2": scores * -1.5, "flag": np.where(scores > 0, "yes", "no"),
                       "count": rng.poisson(np.exp(1 + 0.5 * scores)).astype(float)})
    # loss_by_col_idx counts the frame's columns: flag is column 2, count column 3.
    fitted, data = fit(df, enums=("flag",), k=2, seed=1, loss_by_col=["Logistic", "Poisson"],
                       loss_by_col_idx=[2, 3])
    predicted = fitted.predict_columns(data.X)
    assert (np.asarray(predicted["reconstr_flag"]) == df["flag"]).mean() > 0.95
    assert (predicted["reconstr_count"] > 0).all()   # a Poisson mean, exp(xy)
    assert np.corrcoef(predicted["reconstr_count"], df["count"])[0, 1] > 0.9
    # A two-level column under a 0/1 loss is one column of Y, not a block of two.
    assert [c.description for c in fitted.output()["archetypes"].columns[1:]] == ["flag", "x1", "x2", "count"]


def test_rows_it_has_not_seen_get_their_own_representation():
    full = low_rank(300, 10, 2, seed=10)
    fitted, _ = fit(as_frame(full[:200]), k=2, seed=1, init="SVD")
    hidden = np.random.default_rng(11).random((100, 10)) < 0.2
    _, spec, params, _ = unsupervised_set(GLRM, as_frame(full[:200]), k=2)
    new_rows = GLRM.layout(frame_of(as_frame(full[200:], hidden)), spec, params)
    predicted = fitted.predict_columns(new_rows)
    rebuilt = np.column_stack([predicted[f"reconstr_c{j}"] for j in range(10)])
    assert np.sqrt(np.mean((rebuilt[hidden] - full[200:][hidden]) ** 2)) < 0.05 * full.std()
    assert fitted.metrics(new_rows, np.ones(100))["numcnt"] == int((~hidden).sum())


def test_standardized_fit_reconstructs_in_original_units_with_impute_original():
    iris = pd.read_csv(DATA_DIR / "iris.csv").drop(columns="Species")
    fitted, data = fit(iris, k=4, seed=1, transform="STANDARDIZE", impute_original=True, init="SVD")
    rebuilt = reconstruction(fitted, data, iris.columns)
    assert rebuilt == pytest.approx(iris.to_numpy(), abs=1e-4)
    scaled, data = fit(iris, k=4, seed=1, transform="STANDARDIZE", init="SVD")
    z = ((iris - iris.mean()) / iris.std()).to_numpy()
    assert reconstruction(scaled, data, iris.columns) == pytest.approx(z, abs=1e-4)
    # Projected archetypes come back in original units on request.
    projected = scaled.predict_columns(data.X, project_archetypes=True, reverse_transform=True)
    y = scaled.Y * iris.std().to_numpy() + iris.mean().to_numpy()
    assert np.column_stack([projected[c] for c in iris.columns]) == pytest.approx(y)


def test_user_start_is_taken_as_given():
    iris = pd.read_csv(DATA_DIR / "iris.csv")
    starts = iris.iloc[[0, 50, 100]].reset_index(drop=True)   # one flower of each species
    _, _, params, data = unsupervised_set(GLRM, iris, ("Species",), k=3, init="User", user_y="starts",
                                          max_updates=0)
    data.inputs = {"user_y": frame_of(starts, ("Species",))}
    fitted = GLRM.fit(data, params, Monitor())
    # No update: Y is the given rows, each species as its level's indicator, numbers as they are.
    expected = np.hstack([np.eye(3), starts.iloc[:, :4].to_numpy()])
    assert fitted.Y == pytest.approx(expected)

    rng = np.random.default_rng(12)
    X, Y = rng.normal(size=(40, 2)), rng.normal(size=(2, 5))
    _, _, params, data = unsupervised_set(GLRM, as_frame(X @ Y), k=2, init="User", user_x="x", user_y="y",
                                          max_iterations=5)
    data.inputs = {"user_x": frame_of(pd.DataFrame(X, columns=["a", "b"])), "user_y": frame_of(as_frame(Y))}
    assert GLRM.fit(data, params, Monitor()).solution.objective < 1e-20   # started at the answer
    data.inputs = {"user_y": frame_of(as_frame(Y[:1]))}
    with pytest.raises(InvalidArgument, match="k = 2 rows"):
        GLRM.fit(data, params, Monitor())


def test_scoring_history_follows_h2os_step_rule():
    rows = []
    fitted, _ = fit(pd.read_csv(DATA_DIR / "iris.csv"), enums=("Species",), monitor=Monitor(on_row=rows.append),
                    k=3, seed=1, max_iterations=60)
    assert [r["iterations"] for r in rows] == list(range(60))
    objectives = [r["objective"] for r in rows]
    assert all(later <= earlier for earlier, later in itertools.pairwise(objectives))
    # Replay the rule: grow 5% after a better iteration; after a worse one shrink by 1.5,
    # then by 2, 3, ... while failures repeat.
    improved = [rows[0]["step_size"] > 1.0] + [b < a for a, b in itertools.pairwise(objectives)]
    assert any(improved) and not all(improved)
    step, streak = 1.0, 0
    for row, better in zip(rows, improved):
        if better:
            step, streak = step * 1.05, max(1, streak + 1)
        else:
            step, streak = step / max(1.5, -streak), min(0, streak - 1)
        assert row["step_size"] == pytest.approx(step)
    assert fitted.solution.objective == objectives[-1]


def test_stops_at_max_updates_min_step_size_and_runtime():
    df = as_frame(low_rank(50, 5, 2))
    fitted, _ = fit(df, k=2, seed=1, max_updates=5)
    assert (fitted.solution.iterations, fitted.solution.updates) == (3, 5)   # the last iteration moves X only
    fitted, _ = fit(df, k=2, seed=1, min_step_size=0.9, max_iterations=100000, max_updates=200000)
    assert fitted.solution.step_size <= 0.9 and fitted.solution.iterations < 100000
    started = time.time()
    fitted, _ = fit(as_frame(low_rank(3000, 40, 5)), k=5, seed=1, init="Random", max_iterations=100000,
                    max_updates=200000, min_step_size=0.0, monitor=Monitor(deadline=time.time() + 0.5))
    assert time.time() - started < 5 and fitted.solution.iterations < 100000


def test_bad_input_is_refused_clearly():
    df = as_frame(low_rank(30, 4, 2))
    with pytest.raises(InvalidArgument, match="k must be between 1 and 4"):
        unsupervised_set(GLRM, df, k=5)
    with pytest.raises(InvalidArgument, match="at least two columns"):
        unsupervised_set(GLRM, df[["c0"]], k=1)
    with pytest.raises(InvalidArgument, match="No predictor columns"):
        unsupervised_set(GLRM, pd.DataFrame({"a": [1.0] * 5, "b": [2.0] * 5}), k=1)
    with pytest.raises(InvalidArgument, match="loss_by_col"):
        unsupervised_set(GLRM, df, k=1, loss="Logistic")
    with pytest.raises(InvalidArgument, match="init to User"):
        unsupervised_set(GLRM, df, k=1, user_x="x_frame")
    with pytest.raises(InvalidArgument, match="does not suit numeric column 'c1'"):
        fit(df, k=1, loss_by_col=["Hinge"], loss_by_col_idx=[1])
    with pytest.raises(InvalidArgument, match="one per column"):
        fit(df, k=1, loss_by_col=["Absolute", "Huber"])
    with pytest.raises(InvalidArgument, match="negative"):
        fit(df, k=1, loss="Poisson")
