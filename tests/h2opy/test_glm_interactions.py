"""GLM ``interactions`` and ``interaction_pairs``, through h2o-py, on both servers.

The expected numbers come from ordinary least squares (numpy) on a design matrix built here
with pandas the way H2O-3 documents its interaction columns: the product of two numbers; per
level of a categorical, the number on that level's rows; per pair of levels, an indicator.
Missing values are filled as H2O-3's MeanImputation does: a number with its mean, a
categorical with its most frequent level, an interaction column with its mean over complete
rows.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def _data(seed=7, n=240):
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n)
    x2 = rng.uniform(-2, 2, size=n)
    c1 = rng.choice(["A", "B", "C"], size=n)
    c2 = rng.choice(["u", "v"], size=n, p=[0.35, 0.65])
    effect = {"A": 0.0, "B": 1.0, "C": -0.5}
    y = (1.0 + 0.8 * x1 - 0.4 * x2 + 0.3 * x1 * x2 + np.array([effect[c] for c in c1]) * (1 + x1)
         + (c2 == "v") * 0.7 + ((c1 == "C") & (c2 == "v")) * 1.5 + rng.normal(scale=0.3, size=n))
    df = pd.DataFrame({"x1": x1, "x2": x2, "c1": c1, "c2": c2, "y": y})
    df.loc[[3, 50, 77], "x2"] = np.nan
    df.loc[[10, 90], "c2"] = None
    return df


def _upload(h2o, df):
    h2o.no_progress()
    return h2o.H2OFrame(df, column_types={"x1": "real", "x2": "real", "c1": "enum", "c2": "enum", "y": "real"},
                        na_strings=["nan"])


def _ols(design, y):
    X = np.column_stack([np.ones(len(y)), design.to_numpy(dtype=float)])
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    return dict(zip(["Intercept"] + list(design.columns), beta)), X @ beta


def _levels(values, levels, name):
    return pd.DataFrame({f"{name}.{level}": (values == level).astype(float) for level in levels})


def test_numeric_and_categorical_interactions_are_least_squares_columns(h2opy):
    from h2o.estimators import H2OGeneralizedLinearEstimator

    df = _data()
    model = H2OGeneralizedLinearEstimator(family="gaussian", lambda_=0, interactions=["x1", "x2", "c1"])
    model.train(x=["x1", "x2", "c1"], y="y", training_frame=_upload(h2opy, df))

    complete = df["x2"].notna()
    x2 = df["x2"].fillna(df["x2"].mean())
    product = df["x1"] * df["x2"]
    design = pd.concat([df[["x1"]], x2.rename("x2"), _levels(df["c1"], "BC", "c1")], axis=1)
    design["x1_x2"] = product.fillna(product[complete].mean())
    for level in "BC":
        design[f"x1_c1.{level}"] = np.where(df["c1"] == level, df["x1"], 0.0)
        on_level = np.where(df["c1"] == level, df["x2"], 0.0)
        level_mean = on_level[complete].mean()      # the column's mean over rows with both values
        design[f"x2_c1.{level}"] = np.where(complete, on_level, np.where(df["c1"] == level, level_mean, 0.0))
    expected, _ = _ols(design, df["y"].to_numpy())

    coefs = model.coef()
    assert sorted(coefs) == sorted(expected)
    for name, value in expected.items():
        assert coefs[name] == pytest.approx(value, rel=1e-5, abs=1e-6), name


def test_categorical_pairs_predict_like_least_squares_on_their_indicators(h2opy):
    """With a (tiny) penalty every level is kept, pairs included, so the coefficients are not
    unique; the fitted values are."""
    from h2o.estimators import H2OGeneralizedLinearEstimator

    df = _data(seed=11)
    frame = _upload(h2opy, df)
    model = H2OGeneralizedLinearEstimator(family="gaussian", lambda_=1e-8, alpha=0,
                                          interaction_pairs=[("c1", "c2"), ("x1", "c2")])
    model.train(x=["x1", "c1", "c2"], y="y", training_frame=frame)

    c2 = df["c2"].fillna(df["c2"].mode()[0])
    seen = sorted({f"{a}_NA" if pd.isna(b) else f"{a}_{b}" for a, b in zip(df["c1"], df["c2"])})
    pairs = df["c1"] + "_" + df["c2"]
    most_frequent = pairs.value_counts().sort_index().idxmax()
    pairs = pairs.fillna(most_frequent)
    design = pd.concat([df[["x1"]], _levels(df["c1"], "ABC", "c1"), _levels(c2, "uv", "c2"),
                        _levels(pairs, seen, "c1_c2")], axis=1)
    for level in "uv":
        design[f"x1_c2.{level}"] = np.where(c2 == level, df["x1"], 0.0)
    _, fitted = _ols(design, df["y"].to_numpy())

    assert sorted(model.coef()) == sorted(["Intercept"] + list(design.columns))
    predicted = model.predict(frame).as_data_frame(use_pandas=True)["predict"].to_numpy()
    np.testing.assert_allclose(predicted, fitted, rtol=1e-4, atol=1e-4)


def test_without_a_penalty_pairs_leave_out_first_levels(h2opy):
    from h2o.estimators import H2OGeneralizedLinearEstimator

    df = _data(seed=3).dropna()
    model = H2OGeneralizedLinearEstimator(family="gaussian", lambda_=0, interactions=["c1", "c2"])
    model.train(x=["c1", "c2"], y="y", training_frame=_upload(h2opy, df))
    assert sorted(model.coef()) == ["Intercept", "c1.B", "c1.C", "c1_c2.B_v", "c1_c2.C_v", "c2.v"]


def test_interacting_a_column_that_is_not_a_predictor_is_refused(h2opy):
    """The engine refuses the request; H2O-3 fails the training job."""
    from h2o.estimators import H2OGeneralizedLinearEstimator
    from h2o.exceptions import H2OResponseError

    frame = _upload(h2opy, _data())
    model = H2OGeneralizedLinearEstimator(family="gaussian", interactions=["x1", "nope"])
    with pytest.raises((H2OResponseError, OSError)):
        model.train(x=["x1", "x2"], y="y", training_frame=frame)
