"""Factories for learner tests: a pandas DataFrame in, an algorithm's TrainingSet out."""

from pathlib import Path

import numpy as np
import pandas as pd

from h2odash.engine import Engine
from h2odash.engine.algos.base import Monitor, TrainingSet
from h2odash.engine.frames import Frame
from h2odash.engine.model_data import build_spec, frame_from_columns, response_values, weight_values

DATA_DIR = Path(__file__).resolve().parents[2] / "data"


def frame_of(df, enums=()):
    """An engine Frame from a DataFrame; columns in ``enums`` (and text columns) become enums."""
    columns, types = {}, {}
    for name in df.columns:
        values = df[name]
        if name in enums or not pd.api.types.is_numeric_dtype(values):
            categorical = pd.Categorical(values.astype("string")) if name in enums else pd.Categorical(values)
            columns[name] = categorical.codes
            types[name] = ("enum", [str(c) for c in categorical.categories])
        else:
            columns[name] = values.to_numpy(dtype=float)
            types[name] = "real"
    return frame_from_columns("test_frame", columns, types)


def prepared(algorithm, df, response, enums=(), ignored=(), **given):
    """(frame, spec, params, TrainingSet) for ``algorithm`` learning ``response`` from ``df``."""
    frame = frame_of(df, enums)
    spec = build_spec(frame, response, ignored=ignored)
    params = algorithm.parameters.resolve({"training_frame": "test_frame", "response_column": response, **given})
    algorithm.check(params, spec)
    X = algorithm.layout(frame, spec, params)
    return frame, spec, params, TrainingSet(X, response_values(frame, spec), weight_values(frame, spec), spec)


def unsupervised_set(algorithm, df, enums=(), ignored=(), **given):
    """(frame, spec, params, TrainingSet) for an algorithm learning from ``df`` without a response."""
    frame = frame_of(df, enums)
    params = algorithm.parameters.resolve({"training_frame": "test_frame", **given})
    spec = build_spec(frame, None, ignored=ignored, ignore_const_cols=params.get("ignore_const_cols", True),
                      unsupervised_category=algorithm.unsupervised_category(params))
    algorithm.check(params, spec)
    X = algorithm.layout(frame, spec, params)
    return frame, spec, params, TrainingSet(X, None, weight_values(frame, spec), spec)


def fit(algorithm, df, response, enums=(), ignored=(), monitor=None, **given):
    """Train ``algorithm`` on ``df``; returns (fitted, TrainingSet)."""
    _, _, params, data = prepared(algorithm, df, response, enums, ignored, **given)
    return algorithm.fit(data, params, monitor or Monitor()), data


def prostate():
    return pd.read_csv(DATA_DIR / "prostate.csv")


def prostate_engine():
    """An Engine holding prostate.csv as frame "prostate", CAPSULE categorical."""
    engine = Engine()
    frame = frame_of(prostate(), enums=("CAPSULE",))
    engine.store.put("prostate", Frame("prostate", frame.table, frame.types))
    return engine


def xor_frame(n=2000, seed=0):
    """Two inputs whose product's sign is the class: no linear boundary separates them."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n, 2))
    return pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "y": np.where(x[:, 0] * x[:, 1] > 0, "same", "differ")})
