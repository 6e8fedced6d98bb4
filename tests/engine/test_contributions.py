"""Contributions (SHAP) of the embedded engine's models, against independent computations.

* Every row adds up to the model's margin, computed here from the model's own predictions
  (logit of p1 for boosted trees and GLM, p1 for a forest, the value for regression).
* Against a background frame, the values equal exact Shapley values computed here by brute
  force from the model's predictions on hybrid rows (x on a subset of features, the background
  row elsewhere) over every subset: nothing from the engine's tree reading is reused.
* Without one, they are the libraries' path-dependent TreeSHAP; the tree reading that baseline
  SHAP relies on is checked to send every row to the leaf the library sends it to.
"""

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from h2odash.engine import Engine
from h2odash.engine.algos.tree_shap import lightgbm_trees, xgboost_trees
from h2odash.engine.algos.tree_contributions import codes
from h2odash.engine.algos.xgboost_support import positional
from h2odash.engine.contributions import Request
from h2odash.engine.errors import InvalidArgument
from tests.engine.algos.training_sets import frame_of


def _data(n=300, seed=0):
    """Five predictors (one categorical, some values missing) and three responses."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "a": rng.normal(size=n), "b": rng.uniform(0, 10, size=n), "c": rng.integers(0, 4, size=n).astype(str),
        "d": rng.normal(size=n), "e": rng.exponential(size=n),
    })
    df.loc[rng.random(n) < 0.08, "a"] = np.nan
    df.loc[rng.random(n) < 0.05, "c"] = None
    score = df["a"].fillna(0) * 1.5 + np.sin(df["b"]) + (df["c"] == "2") * 1.2 - df["d"] * df["e"] * 0.5
    df["y"] = score + rng.normal(scale=0.3, size=n)
    df["label"] = np.where(score + rng.normal(scale=0.5, size=n) > 0.3, "yes", "no")
    df["kind"] = np.select([score < -0.3, score < 0.8], ["low", "mid"], "high")
    return df


@pytest.fixture(scope="module")
def engine():
    engine = Engine()
    df = _data()
    frame = frame_of(df, enums=("c", "label", "kind"))
    frame.key = "train"
    engine.store.put("train", frame)
    yield engine
    engine.shutdown()


def _train(engine, algo, response, **params):
    key = f"{algo}_{response}_{abs(hash(tuple(sorted(params.items())))) % 10**6}"
    if key in engine.store:
        return engine.model(key)
    job = engine.train(algo, {"training_frame": "train", "response_column": response, "model_id": key, "seed": 1,
                              "ignored_columns": [c for c in ("y", "label", "kind") if c != response], **params})
    job.wait(300)
    assert job.status == "DONE", job.exception
    return engine.model(key)


def _rows(engine, start, stop, key):
    frame = engine.frame("train")
    from h2odash.engine.frames import Frame
    engine.store.put(key, Frame(key, frame.table.slice(start, stop - start), frame.types))
    return engine.frame(key)


def _margin(model, frame):
    """The model's margin from its own predictions: what the contributions must add up to."""
    raw = model.predict_raw(frame)
    if model.category == "Regression":
        return raw[None, :]
    if model.category == "Binomial":
        p1 = raw[:, 1]
        return (p1 if model.algo == "drf" else np.log(p1) - np.log1p(-p1))[None, :]
    return raw.T   # multinomial: per-class margins are checked by the library's own sums below


def _contributions(engine, model, frame, request=None, background=None):
    found = engine.contributions(model.key, frame.key, request=request or Request(), background_key=background,
                                 as_job=False)
    return found.table.to_pandas()


MODELS = [
    ("gbm", "label", {"ntrees": 15, "max_depth": 4}),
    ("gbm", "y", {"ntrees": 15, "max_depth": 4}),
    ("drf", "label", {"ntrees": 12, "max_depth": 6}),
    ("drf", "y", {"ntrees": 12, "max_depth": 6}),
    ("xgboost", "label", {"ntrees": 15, "max_depth": 4}),
    ("xgboost", "y", {"ntrees": 15, "max_depth": 4}),
]


def _compact(algo):
    return Request(output_format="Compact") if algo in ("xgboost", "glm") else Request()


@pytest.mark.parametrize("algo,response,params", MODELS, ids=[f"{a}-{r}" for a, r, _ in MODELS])
def test_rows_add_up_to_the_margin(engine, algo, response, params):
    model = _train(engine, algo, response, **params)
    frame = engine.frame("train")
    shap = _contributions(engine, model, frame, _compact(algo))
    assert list(shap.columns)[-1] == "BiasTerm" and len(shap) == frame.nrows
    margin = _margin(model, frame)[0]
    # XGBoost works in 32-bit floats: its sums carry their rounding.
    tolerance = 1e-6 if algo == "gbm" else 2e-5
    np.testing.assert_allclose(shap.sum(axis=1).to_numpy(), margin, atol=tolerance)


def _exact_shapley(model, engine, x_frame, b_frame, per_reference=False):
    """Interventional Shapley values by brute force over every subset of the model's features:
    v(S) = margin of the row that takes x's values on S and the background row's elsewhere."""
    from h2odash.engine.frames import Frame

    names = model.input_columns
    p = len(names)
    x_table, b_table = x_frame.table, b_frame.table
    results = []
    for i in range(x_frame.nrows):
        per_b = []
        for j in range(b_frame.nrows):
            subsets = list(itertools.product([False, True], repeat=p))
            # One frame of 2^p hybrid rows, scored at once.
            columns = []
            for name in x_table.column_names:
                if name in names:
                    k = names.index(name)
                    cells = [x_table.column(name)[i] if s[k] else b_table.column(name)[j] for s in subsets]
                else:
                    cells = [x_table.column(name)[i]] * len(subsets)
                columns.append(_array_of(cells, x_table.schema.field(name).type))
            import pyarrow as pa
            hybrid = Frame("hybrid", pa.Table.from_arrays(columns, names=x_table.column_names), x_frame.types)
            value = dict(zip(subsets, _margin(model, hybrid)[0]))
            phi = np.zeros(p)
            for s in subsets:
                if not all(s):
                    size = sum(s)
                    weight = math.factorial(size) * math.factorial(p - size - 1) / math.factorial(p)
                    for k in range(p):
                        if not s[k]:
                            with_k = tuple(True if q == k else s[q] for q in range(p))
                            phi[k] += weight * (value[with_k] - value[s])
            per_b.append(phi)
        results.append(per_b if per_reference else [np.mean(per_b, axis=0)])
    return np.array([phi for row in results for phi in row])


def _array_of(cells, arrow_type):
    import pyarrow as pa

    if pa.types.is_dictionary(arrow_type):
        values = [c.as_py() for c in cells]
        dictionary = cells[0].dictionary if hasattr(cells[0], "dictionary") else None
        levels = dictionary.to_pylist() if dictionary is not None else sorted({v for v in values if v is not None})
        indices = pa.array([levels.index(v) if v is not None else None for v in values], pa.int32())
        return pa.DictionaryArray.from_arrays(indices, pa.array(levels, pa.string()))
    return pa.array([c.as_py() for c in cells], arrow_type)


@pytest.mark.parametrize("algo,response,params", MODELS + [("glm", "label", {}), ("glm", "y", {})],
                         ids=[f"{a}-{r}" for a, r, _ in MODELS] + ["glm-label", "glm-y"])
def test_against_a_background_they_are_exact_shapley_values(engine, algo, response, params):
    model = _train(engine, algo, response, **params)
    x = _rows(engine, 0, 6, "some_rows")
    background = _rows(engine, 100, 104, "background_rows")
    shap = _contributions(engine, model, x, Request(output_format="Compact"), background="background_rows")
    exact = _exact_shapley(model, engine, x, background)
    ours = shap[[c for c in shap.columns if c != "BiasTerm"]]
    if algo in ("xgboost", "glm"):   # categorical columns first, as H2O-3 lays them out for these
        assert list(ours.columns)[0] == "c"
        ours = ours[model.input_columns]
    tolerance = 1e-6 if algo in ("gbm", "glm") else 2e-5
    np.testing.assert_allclose(ours.to_numpy(), exact, atol=tolerance)
    # The bias is the background's mean margin, so rows add up to their own margin.
    np.testing.assert_allclose(shap["BiasTerm"], _margin(model, background)[0].mean(), atol=tolerance)
    np.testing.assert_allclose(shap.sum(axis=1), _margin(model, x)[0], atol=tolerance)


@pytest.mark.parametrize("algo", ["gbm", "drf"])
def test_original_layout_puts_a_categorical_columns_value_on_the_rows_level(engine, algo):
    """H2O-3's Original layout against a background: one column per level and one for missing."""
    model = _train(engine, algo, "label", ntrees=10, max_depth=4)
    x = _rows(engine, 0, 40, "forty_rows_with_missing")
    _rows(engine, 100, 104, "background_rows")
    compact = _contributions(engine, model, x, Request(output_format="Compact"), background="background_rows")
    original = _contributions(engine, model, x, Request(), background="background_rows")
    levels = list(model.spec.domains["c"])
    level_columns = [f"c.{level}" for level in levels] + ["c.missing(NA)"]
    assert list(original.columns) == ["a", "b"] + level_columns + ["d", "e", "BiasTerm"]
    np.testing.assert_allclose(original[level_columns].sum(axis=1), compact["c"], atol=1e-12)
    row_levels = x.table.column("c").to_pandas().astype(object)
    expected = ["c.missing(NA)" if level is None or level != level else f"c.{level}" for level in row_levels]
    assert row_levels.isna().any()   # the rows include missing levels
    for i, column in enumerate(expected):
        others = [c for c in level_columns if c != column]
        assert (original.loc[i, others] == 0).all()
        assert original.loc[i, column] == pytest.approx(compact.loc[i, "c"], abs=1e-12)


def test_per_reference_gives_each_background_rows_values(engine):
    model = _train(engine, "gbm", "label", ntrees=15, max_depth=4)
    x, background = _rows(engine, 0, 3, "three_rows"), _rows(engine, 200, 205, "five_rows")
    shap = _contributions(engine, model, x, Request(output_format="Compact", output_per_reference=True),
                          background="five_rows")
    assert list(shap.columns)[-3:] == ["BiasTerm", "RowIdx", "BackgroundRowIdx"] and len(shap) == 15
    assert shap["RowIdx"].tolist() == [0] * 5 + [1] * 5 + [2] * 5
    exact = _exact_shapley(model, engine, x, background, per_reference=True)
    np.testing.assert_allclose(shap[model.input_columns].to_numpy(), exact, atol=1e-6)
    # Each row against each background row adds up to the difference of their margins.
    moved = shap[model.input_columns].sum(axis=1).to_numpy()
    expected = np.repeat(_margin(model, x)[0], 5) - np.tile(_margin(model, background)[0], 3)
    np.testing.assert_allclose(moved, expected, atol=1e-6)


@pytest.mark.parametrize("algo", ["gbm", "drf", "xgboost"])
def test_the_tree_reading_sends_rows_where_the_library_does(engine, algo):
    """Baseline SHAP walks the trees itself; its walk must match the library's leaf for leaf."""
    import xgboost as xgb

    model = _train(engine, algo, "kind", ntrees=6, max_depth=4)
    frame = engine.frame("train")
    X = model.layout(frame)
    fitted = model.fitted
    if algo == "gbm":
        trees = lightgbm_trees(fitted.booster, fitted.iterations)
        leaves = fitted.booster.predict(X, pred_leaf=True, num_iteration=fitted.iterations)
        ours = np.column_stack([t.leaves_of(codes(X)) for t in trees])
        # LightGBM numbers leaves apart from internal nodes: compare the leaf values reached.
        values = np.column_stack([t.value[ours[:, i]] for i, t in enumerate(trees)])
        library = np.column_stack([[fitted.booster.get_leaf_output(i, leaf) for leaf in leaves[:, i]]
                                   for i in range(len(trees))])
        np.testing.assert_allclose(values, library, rtol=1e-12)
        return
    boosters = fitted.boosters if algo == "drf" else [fitted.booster]
    for booster in boosters:
        trees = xgboost_trees(booster, None, model.spec.nclasses)
        matrix = xgb.DMatrix(positional(X, model.spec), enable_categorical=True)
        reached = booster.predict(matrix, pred_leaf=True).reshape(len(X), -1)
        x32 = codes(X).astype(np.float32).astype(np.float64)
        for i, tree in enumerate(trees):
            # Our node arrays are in node-id order, so positions are XGBoost's node ids.
            np.testing.assert_array_equal(tree.leaves_of(x32), reached[:, i])


@pytest.mark.parametrize("response", ["label", "y", "kind"])
def test_gbm_values_are_lightgbms_own_treeshap(engine, response):
    """The engine computes GBM SHAP from per-leaf tables (fast_tree_shap.py); the frame it
    returns must hold LightGBM's own pred_contrib numbers (NaNs and a categorical column in the data)."""
    model = _train(engine, "gbm", response, ntrees=8, max_depth=5)
    frame = engine.frame("train")
    shap = _contributions(engine, model, frame).to_numpy()
    fitted = model.fitted
    library = fitted.booster.predict(model.layout(frame), pred_contrib=True, num_iteration=fitted.iterations)
    np.testing.assert_allclose(shap, library, rtol=0, atol=1e-9 * np.abs(library).max())


def test_multinomial_tree_models_give_one_block_per_class(engine):
    model = _train(engine, "gbm", "kind", ntrees=10, max_depth=3)
    frame = engine.frame("train")
    shap = _contributions(engine, model, frame)
    classes = model.spec.response_domain
    assert list(shap.columns) == [f"{k}:{n}" for k in classes for n in model.input_columns + ["BiasTerm"]]
    # Each block adds up to its class's margin: the softmax of the margins is the prediction.
    margins = np.column_stack([shap[[f"{k}:{n}" for n in model.input_columns + ["BiasTerm"]]].sum(axis=1)
                               for k in classes])
    softmax = np.exp(margins - margins.max(axis=1, keepdims=True))
    np.testing.assert_allclose(softmax / softmax.sum(axis=1, keepdims=True), model.predict_raw(frame), atol=1e-9)


def test_sorted_layout_follows_h2o(engine):
    model = _train(engine, "gbm", "label", ntrees=15, max_depth=4)
    frame = _rows(engine, 0, 50, "fifty_rows")
    plain = _contributions(engine, model, frame)
    features = model.input_columns
    values = plain[features].to_numpy()
    both = _contributions(engine, model, frame, Request(top_n=2, bottom_n=1))
    assert list(both.columns) == ["top_feature_1", "top_value_1", "top_feature_2", "top_value_2",
                                  "bottom_feature_1", "bottom_value_1", "BiasTerm"]
    order = np.argsort(-values, axis=1, kind="stable")
    np.testing.assert_allclose(both["top_value_1"], values[np.arange(50), order[:, 0]])
    np.testing.assert_allclose(both["top_value_2"], values[np.arange(50), order[:, 1]])
    np.testing.assert_allclose(both["bottom_value_1"], values.min(axis=1))
    assert (both["top_feature_1"].astype(str).to_numpy() == np.array(features)[order[:, 0]]).all()
    by_size = _contributions(engine, model, frame, Request(bottom_n=2, compare_abs=True))
    np.testing.assert_allclose(by_size["bottom_value_1"].abs(), np.abs(values).min(axis=1))
    everything = _contributions(engine, model, frame, Request(top_n=-1))
    assert [c for c in everything.columns if c.startswith("top_value")] == [f"top_value_{i}" for i in range(1, 8)][:len(features)]
    np.testing.assert_allclose(everything[[f"top_value_{i}" for i in range(1, len(features) + 1)]].sum(axis=1),
                               values.sum(axis=1))


def test_output_space_adds_up_to_the_probability(engine):
    model = _train(engine, "gbm", "label", ntrees=15, max_depth=4)
    frame = _rows(engine, 0, 40, "forty_rows")
    shap = _contributions(engine, model, frame, Request(output_space=True))
    np.testing.assert_allclose(shap.sum(axis=1), model.predict_raw(frame)[:, 1], atol=1e-9)
    # Against a background, each (row, background row) pair is moved to probabilities, then
    # averaged: the bias is the background's mean probability (as H2O-3 answers).
    background = _rows(engine, 100, 110, "ten_rows")
    shap = _contributions(engine, model, frame, Request(output_format="Compact", output_space=True),
                          background="ten_rows")
    np.testing.assert_allclose(shap["BiasTerm"], model.predict_raw(background)[:, 1].mean(), atol=1e-9)
    np.testing.assert_allclose(shap.sum(axis=1), model.predict_raw(frame)[:, 1], atol=1e-9)


def test_what_cannot_be_explained_is_refused_with_the_reason(engine):
    glm = _train(engine, "glm", "label")
    frame = engine.frame("train")
    with pytest.raises(InvalidArgument, match="background frame"):
        engine.contributions(glm.key, "train", as_job=False)
    xgb_model = _train(engine, "xgboost", "label", ntrees=5)
    with pytest.raises(InvalidArgument, match="Compact"):
        engine.contributions(xgb_model.key, "train", as_job=False)   # Original: one column per level
    nb = _train(engine, "naivebayes", "label")
    with pytest.raises(InvalidArgument, match="not available for Naive Bayes"):
        engine.contributions(nb.key, "train", as_job=False)
    multinomial_glm = _train(engine, "glm", "kind", family="multinomial")
    with pytest.raises(InvalidArgument, match="multinomial"):
        engine.contributions(multinomial_glm.key, "train", background_key="train", as_job=False)
    # As a job, the job fails with the same reason, and nothing is stored.
    job = engine.contributions(glm.key, "train", destination="never_made")
    job.wait(60)
    assert job.status == "FAILED" and "background frame" in str(job.exception)
    assert "never_made" not in engine.store
    assert frame.nrows == engine.frame("train").nrows
