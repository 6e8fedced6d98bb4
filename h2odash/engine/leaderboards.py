"""Leaderboards beyond an AutoML run's own: H2O-3's optional columns (``extensions``) and a
leaderboard of any models (Rapids' ``makeLeaderboard``, h2o-py's ``h2o.make_leaderboard``)."""

import time

import numpy as np

from h2odash.engine import ranking
from h2odash.engine.errors import InvalidArgument

# The optional columns, in H2O-3's order ("ALL" asks for every one).
LEADERBOARD_EXTENSIONS = ("training_time_ms", "predict_time_per_row_ms", "algo")
# AutoML's columns that only a request by name shows: the step that made each model.
STEP_COLUMNS = ("provider", "step", "group")
EXTENSION_TYPES = {"training_time_ms": "long", "predict_time_per_row_ms": "double", "algo": "string",
                   "provider": "string", "step": "string", "group": "int"}
# H2O-3's name of each algorithm in the "algo" column.
ALGO_NAMES = {"glm": "GLM", "drf": "DRF", "gbm": "GBM", "xgboost": "XGBoost", "deeplearning": "DeepLearning",
              "stackedensemble": "StackedEnsemble"}
SCORING_DATA = ("AUTO", "train", "valid", "xval")


def extension_names(requested):
    """The extension columns asked for, in H2O-3's order. A name that is no column of the
    leaderboard adds none: H2O-3 shows only the columns the leaderboard has (its tests ask for
    "algos" alongside "algo"), so the table is the same as on H2O-3."""
    asked = {str(name) for name in ([requested] if isinstance(requested, str) else requested or ())}
    asked.discard("")
    if any(name.upper() == "ALL" for name in asked):
        return list(LEADERBOARD_EXTENSIONS)
    return [name for name in LEADERBOARD_EXTENSIONS + STEP_COLUMNS if name in asked]


def extension_values(engine, model, names, frame_key, step=None):
    """A model's values of the extension columns ``names``; ``step`` is the AutoML step that
    made it (the step columns need one).

    The prediction time is measured once per model by scoring ``frame_key`` (a leaderboard
    frame, or the model's training frame), and kept on the model."""
    values = []
    for name in names:
        if name in STEP_COLUMNS:
            values.append(None if step is None else {"provider": step.family, "step": step.id,
                                                     "group": step.group}[name])
        elif name == "algo":
            values.append(ALGO_NAMES.get(model.algo, model.algo))
        elif name == "training_time_ms":
            values.append(int(model.run_time))
        else:
            if getattr(model, "predict_time_per_row_ms", None) is None:
                if not frame_key or engine.store.find(frame_key) is None:
                    # the frame to time it on is gone (a client session's temporary, say): unknown,
                    # rather than no leaderboard at all
                    values.append(None)
                    continue
                rows = max(engine.frame(frame_key, "leaderboard_frame").nrows, 1)
                started = time.perf_counter()
                engine.predict(model.key, frame_key, keep_predictions=False)
                model.predict_time_per_row_ms = (time.perf_counter() - started) * 1000 / rows
            values.append(model.predict_time_per_row_ms)
    return values


def make_leaderboard(engine, model_ids, leaderboard_frame=None, sort_metric="AUTO", extensions=(),
                     scoring_data="AUTO"):
    """Columns ``{name: values}`` and types of a leaderboard of the given models, best first.

    Metrics come from scoring ``leaderboard_frame`` when given, else from ``scoring_data``:
    ``xval``, ``valid``, ``train``, or AUTO (cross-validation if every model has it, else
    validation if every one has it, else training), as H2O-3 chooses."""
    if not model_ids:
        raise InvalidArgument("models", "A leaderboard needs at least one model.")
    models = [engine.model(key, "models") for key in model_ids]
    categories = {m.category for m in models}
    if len(categories) != 1:
        raise InvalidArgument("models", f"The models are of different kinds ({', '.join(sorted(categories))}); "
                                        "a leaderboard ranks models of one kind.")
    category = categories.pop()
    if category not in ranking.LEADERBOARD_COLUMNS:
        raise InvalidArgument("models", f"{category} models have no leaderboard metrics.")
    if str(scoring_data) not in SCORING_DATA and str(scoring_data).lower() not in {s.lower() for s in SCORING_DATA}:
        raise InvalidArgument("scoring_data", f"scoring_data must be one of {', '.join(SCORING_DATA)}.")
    if leaderboard_frame:
        scored = [engine.predict(m.key, leaderboard_frame, keep_predictions=False)[1] for m in models]
    else:
        scored = _kept_metrics(models, str(scoring_data).lower())
    metric = ranking.metric_name(sort_metric) or ranking.LEADERBOARD_COLUMNS[category][0]
    columns = list(ranking.LEADERBOARD_COLUMNS[category])
    if metric in columns:
        columns.remove(metric)
    columns.insert(0, metric)
    entries = ranking.ranked(list(zip(models, scored)), metric)
    # Models outside AutoML have no step: H2O-3 leaves those columns out.
    names = [n for n in extension_names(extensions) if n not in STEP_COLUMNS]
    table = {"model_id": [m.key for m, _ in entries]}
    for name in columns:
        table[name] = np.array([ranking.value(s, name) for _, s in entries])
    per_model = [extension_values(engine, m, names, leaderboard_frame or getattr(m, "training_frame", None))
                 for m, _ in entries]
    for i, name in enumerate(names):
        table[name] = [values[i] for values in per_model]
    types = ["string"] + ["real"] * len(columns) + ["string" if EXTENSION_TYPES[n] == "string" else "real"
                                                     for n in names]
    return table, types


def _kept_metrics(models, scoring_data):
    kinds = {"train": "training_metrics", "valid": "validation_metrics", "xval": "cross_validation_metrics"}
    order = [kinds[scoring_data]] if scoring_data in kinds else [
        "cross_validation_metrics", "validation_metrics", "training_metrics"]
    for field in order:
        found = [getattr(m, field) for m in models]
        if all(f is not None for f in found):
            return found
    what = {"training_metrics": "training", "validation_metrics": "validation",
            "cross_validation_metrics": "cross-validation"}[order[0]]
    raise InvalidArgument("scoring_data", f"Not every model has {what} metrics; give a leaderboard frame or "
                                          "another scoring_data.")
