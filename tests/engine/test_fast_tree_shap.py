"""The table TreeSHAP (fast_tree_shap.py) against LightGBM's own pred_contrib.

Random LightGBM models of depths 1 to 8 (regression, binary, multiclass), on numbers with
missing values, zeros read as missing, and categorical columns with missing levels; each
model's SHAP values and bias must equal the library's to 1e-9 of their magnitude. Nothing is
taken from the engine but the function under test.
"""

import lightgbm as lgb
import numpy as np
import pytest

from h2odash.engine.algos import fast_tree_shap
from h2odash.engine.algos.fast_tree_shap import lightgbm_shap


def _data(rng, n, p, ncategorical):
    X = rng.normal(size=(n, p))
    X[:, 0] = np.round(X[:, 0], 1)     # repeated values and exact zeros
    for j in range(ncategorical):
        X[:, p - 1 - j] = rng.integers(0, 6, size=n)
    X[rng.random((n, p)) < 0.07] = np.nan
    signal = np.nan_to_num(X[:, 0]) * 2 + np.sin(np.nan_to_num(X[:, 1]) * 3) + (np.nan_to_num(X[:, p - 1]) % 3 == 1)
    return X, signal + rng.normal(scale=0.3, size=n)


def _train(objective, depth, seed, ncategorical=2, zero_as_missing=False, rounds=12):
    rng = np.random.default_rng(seed)
    p = 6
    X, signal = _data(rng, 600, p, ncategorical)
    if objective == "binary":
        y = (signal > np.median(signal)).astype(int)
    elif objective == "multiclass":
        y = np.digitize(signal, np.quantile(signal, [0.33, 0.66]))
    else:
        y = signal
    params = {"objective": objective, "max_depth": depth, "num_leaves": min(2 ** depth, 64), "min_data_in_leaf": 5,
              "learning_rate": 0.3, "seed": seed, "verbosity": -1, "zero_as_missing": zero_as_missing,
              "max_cat_to_onehot": 2 + seed % 4, "cat_smooth": 1, "min_data_per_group": 5}
    if objective == "multiclass":
        params["num_class"] = 3
    categorical = list(range(p - ncategorical, p))
    booster = lgb.train(params, lgb.Dataset(X, y, categorical_feature=categorical), num_boost_round=rounds)
    test, _ = _data(np.random.default_rng(seed + 1000), 400, p, ncategorical)
    test[:5, p - 1] = 9         # a level unseen in training
    test[5:10, 0] = 0.0         # exact zeros (missing where zero_as_missing)
    return booster, test


def _assert_equal_to_library(booster, X, iterations=None):
    p = X.shape[1]
    expected = booster.predict(X, pred_contrib=True, num_iteration=iterations)
    k = expected.shape[1] // (p + 1)
    expected = expected.reshape(len(X), k, p + 1)
    values, bias = lightgbm_shap(booster, iterations).contributions(X, p)
    scale = np.abs(expected).max()
    np.testing.assert_allclose(values.transpose(1, 0, 2), expected[:, :, :p], rtol=0, atol=1e-9 * scale)
    np.testing.assert_allclose(bias.T, expected[:, :, p], rtol=0, atol=1e-9 * scale)


CASES = [(objective, depth) for objective in ("regression", "binary", "multiclass") for depth in range(1, 9)]


@pytest.mark.parametrize("objective,depth", CASES, ids=[f"{o}-depth{d}" for o, d in CASES])
def test_equals_pred_contrib(objective, depth):
    booster, X = _train(objective, depth, seed=depth)
    _assert_equal_to_library(booster, X)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_zeros_read_as_missing(seed):
    booster, X = _train("regression", 5, seed, zero_as_missing=True)
    assert '"missing_type": "Zero"' in str(booster.dump_model()).replace("'", '"')
    _assert_equal_to_library(booster, X)


def test_first_iterations_only():
    booster, X = _train("binary", 4, seed=7, rounds=20)
    _assert_equal_to_library(booster, X, iterations=9)


def test_tables_can_fail():
    """The comparison notices a wrong value: a shifted leaf shows up."""
    booster, X = _train("regression", 3, seed=5)
    shap = fast_tree_shap.LightGBMShap(fast_tree_shap.lightgbm_trees(booster, None), 1)
    shap.trees[0].table[0, 0] += 1e-3
    values, _ = shap.contributions(X, X.shape[1])
    expected = booster.predict(X, pred_contrib=True)[:, :-1]
    assert not np.allclose(values[0], expected, rtol=0, atol=1e-9)


def test_long_paths_are_left_to_the_library(monkeypatch):
    """Paths of more distinct features than the tables allow: no tables (tree_contributions
    then asks LightGBM's pred_contrib)."""
    booster, X = _train("regression", 6, seed=4, ncategorical=0)
    monkeypatch.setattr(fast_tree_shap, "MAX_PATH_FEATURES", 2)
    assert lightgbm_shap(booster, None) is None


def test_big_tables_are_left_to_the_library(monkeypatch):
    booster, _ = _train("regression", 4, seed=4, ncategorical=0)
    monkeypatch.setattr(fast_tree_shap, "MAX_TABLE_CELLS", 100)
    assert lightgbm_shap(booster, None) is None


def test_rows_in_blocks(monkeypatch):
    """Rows split into blocks (a few pairs per block) give the same values."""
    monkeypatch.setattr(fast_tree_shap, "_PAIRS_PER_BLOCK", 200)
    booster, X = _train("multiclass", 4, seed=11)
    _assert_equal_to_library(booster, X)
