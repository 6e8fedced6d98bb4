"""Training a model as a job: from a request's parameters to a scored model in the store.

The steps every algorithm shares live here: resolve frames and columns, decide the model
category, cross-validate, fit the final model while its scoring history grows, and compute
training, validation and cross-validation metrics. Algorithms only fit (see algos/base.py).
"""

import contextlib
import itertools
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from h2odash.engine import algos, metrics, system_properties
from h2odash.engine.algos import class_balance
from h2odash.engine.algos.base import Monitor, TrainingSet, default_stopping_metric, seed_of
from h2odash.engine.algos.out_of_bag import OUT_OF_BAG, scored_rows
from h2odash.engine.algos.trees import THREADS, threads_for
from h2odash.engine.errors import IllegalModelArguments, InvalidArgument
from h2odash.engine.frames import Frame
from h2odash.engine.jobs import Job
from h2odash.engine.model_data import (
    BINOMIAL, MULTINOMIAL, REGRESSION, build_spec, check_columns, frame_from_columns, response_values, usable_rows,
    weight_values,
)
from h2odash.engine.models import Model

# Rows of the training frame scored for each scoring-history row (H2O scores a sample too).
HISTORY_SAMPLE_ROWS = 20_000
_model_counter = itertools.count(1)
_SESSION = int(time.time() * 1000)

# Stopping metric (H2O name) -> (scoring-history key, larger is better).
_STOPPING_KEYS = {
    "logloss": ("logloss", False), "deviance": ("deviance", False), "MSE": ("mse", False), "RMSE": ("rmse", False),
    "MAE": ("mae", False), "RMSLE": ("rmsle", False), "AUC": ("auc", True), "AUCPR": ("pr_auc", True),
    "lift_top_group": ("lift", True), "misclassification": ("classification_error", False),
    "mean_per_class_error": ("mean_per_class_error", False),
}


def new_model_id(algorithm):
    return f"{algos.prefix(algorithm.name)}_model_{_SESSION}_{next(_model_counter)}"


def prepare(engine, algorithm, given):
    """Check a training request fully, before any job starts; returns (params, frames, spec).

    Everything that can be known from the request alone fails here, as a 400/404 the client
    sees at once, rather than as a failed job.
    """
    params = algorithm.parameters.resolve(given)
    train = engine.store.get(params["training_frame"], Frame, "training_frame")
    valid = None
    if params.get("validation_frame"):
        valid = engine.store.get(params["validation_frame"], Frame, "validation_frame")
    unsupervised = algorithm.unsupervised_category(params)
    if unsupervised is None and not params.get("response_column"):
        raise InvalidArgument("response_column", "Parameter 'response_column' is required.")
    if unsupervised is not None:
        _check_unsupervised_request(algorithm, params, unsupervised)
    kept = set(algorithm.kept_columns(params))
    ignored = [name for name in params.get("ignored_columns") or () if name not in kept]
    spec = build_spec(
        train, params.get("response_column"), ignored, params.get("weights_column"),
        params.get("fold_column"), params.get("ignore_const_cols", True), unsupervised_category=unsupervised,
    )
    spec = algorithm.adapt_spec(params, spec, train, named_frames(engine, algorithm, params))
    if params.get("check_constant_response") and spec.category == REGRESSION and _constant_response(train, spec):
        raise InvalidArgument("response_column", f"Response '{spec.response}' is constant; set "
                                                 "check_constant_response=false to train on it anyway.")
    algorithm.check(params, spec)
    algorithm.check_data(params, spec, train)
    if params.get("checkpoint"):
        algorithm.check_checkpoint(params, spec, engine.model(params["checkpoint"], "checkpoint"))
    nfolds = params.get("nfolds") or 0
    if nfolds == 1:
        raise InvalidArgument("nfolds", "nfolds must be 0 (no cross-validation) or at least 2.")
    if nfolds and params.get("fold_column"):
        raise InvalidArgument("nfolds", "Give either nfolds or fold_column, not both.")
    if nfolds > train.nrows:
        raise InvalidArgument("nfolds", f"nfolds ({nfolds}) is larger than the number of rows ({train.nrows}).")
    if valid is not None:
        check_columns(valid, spec, need_response=unsupervised is None)
    return params, train, valid, spec


def _constant_response(train, spec):
    values = response_values(train, spec)
    values = values[np.isfinite(values)]
    return len(values) > 0 and values.min() == values.max()


def named_frames(engine, algorithm, params):
    """The frames a request names besides its training and validation frames (k-means'
    user_points, GLRM's user_y...), by parameter; a missing one is a 404 before any job."""
    return {
        p.name: engine.store.get(params[p.name], Frame, p.name) for p in algorithm.parameters
        if p.type == "Key<Frame>" and p.name not in ("training_frame", "validation_frame") and params.get(p.name)
    }


def _check_unsupervised_request(algorithm, params, category):
    kind = f"{algorithm.full_name} ({category})"
    if params.get("response_column"):
        raise InvalidArgument("response_column", f"{kind} learns without a response here; leave response_column "
                                                 "out.")
    if (params.get("nfolds") or params.get("fold_column")) and not algorithm.cross_validates_unsupervised:
        raise InvalidArgument("nfolds" if params.get("nfolds") else "fold_column",
                              f"Cross-validation of {kind} models is not implemented by this engine.")


@contextlib.contextmanager
def builder_errors(algorithm, model_id):
    """Refusals of a model's parameters, worded as H2O-3's model builders word them
    (IllegalModelArguments), whether found before the job starts or once it reads the data."""
    try:
        yield
    except IllegalModelArguments:
        raise
    except InvalidArgument as error:
        raise IllegalModelArguments(algos.prefix(algorithm.name), model_id, error) from None


def start_training(engine, algorithm, given):
    """Start a training job; returns the Job (its dest is the model, already in the store)."""
    model_id = given.get("model_id") or new_model_id(algorithm)
    with builder_errors(algorithm, model_id):
        params, train, valid, spec = prepare(engine, algorithm, given)
    if engine.store.is_locked(model_id):
        raise InvalidArgument("model_id", f"Model '{model_id}' is being built by a running job.")
    model = Model(model_id, algorithm, params, spec)
    model.given_params = dict(given)
    model.training_frame = train.key
    model.validation_frame = valid.key if valid is not None else None
    # The model itself is locked too: nobody may delete or replace it while it is built.
    locks = [model_id, train.key] + ([valid.key] if valid is not None else [])
    job = Job(algos.prefix(algorithm.name), model_id, "Model", locks=locks)
    engine.store.put(model_id, model)

    def work(job):
        from h2odash.engine.builds import finished

        with builder_errors(algorithm, model_id):
            _train(engine, algorithm, model, train, valid, job)
        finished(engine, model)
        return model

    def cleanup(job):
        # A failed or cancelled build leaves nothing behind: no half-built model.
        for key in [model_id, *model.cross_validation_models]:
            if engine.store.find(key) is not None:
                engine.store.delete(key)

    return engine.jobs.start(job, work, cleanup=cleanup)


# -- the build -------------------------------------------------------------------------------
def _train(engine, algorithm, model, train, valid, job):
    if model.spec.response is None:
        return _train_unsupervised(engine, algorithm, model, train, valid, job)
    params, spec = model.params, model.spec
    classification = spec.category != REGRESSION
    y_all = response_values(train, spec)
    w_all = weight_values(train, spec)
    rows = usable_rows(y_all, w_all, classification)
    if len(rows) == 0:
        raise InvalidArgument("response_column", "No row has both a response value and a positive weight.")
    X_all = algorithm.layout(train, spec, params)
    valid_set = None
    if valid is not None:
        yv, wv = response_values(valid, spec), weight_values(valid, spec)
        vrows = usable_rows(yv, wv, classification)
        valid_set = TrainingSet(_take(algorithm.layout(valid, spec, params), vrows), yv[vrows], wv[vrows], spec)
    nfolds = params.get("nfolds") or 0
    fold_column = params.get("fold_column")
    folds = _assign_folds(train, spec, params, rows, y_all, classification) if (nfolds or fold_column) else None
    n_fits = (int(folds.max()) + 2) if folds is not None else 1
    deadline = time.time() + params["max_runtime_secs"] if params.get("max_runtime_secs") else None
    # A checkpoint's learner goes to the fit (checked in prepare: it exists and matches).
    inputs = {"checkpoint": engine.model(params["checkpoint"], "checkpoint").fitted} if params.get("checkpoint") else None
    data = TrainingSet(_take(X_all, rows), y_all[rows], w_all[rows], spec, valid_set, inputs)
    if folds is not None:
        _cross_validate(engine, algorithm, model, data, X_all, y_all, w_all, rows, folds, job, n_fits, deadline)
        params = model.params   # maybe resized from the fold models (Algorithm.main_model_params)
    data, distributions = class_balance.balance(algorithm, data, params)
    job.update(msg=f"Training {algorithm.full_name} on {data.nrows} rows")
    monitor = _monitor(model, params, data, valid_set, job, (n_fits - 1) / n_fits, 1 / n_fits, deadline,
                       live=True)
    fitted = algorithm.fit(data, params, monitor)
    fitted.class_distributions = distributions
    job.check_cancelled()
    _keep_fitted(model, fitted)
    job.update(msg="Scoring the model")
    if params.get("compute_metrics", True):
        model.training_metrics = _training_metrics(spec, params, data, fitted)
        if spec.category == BINOMIAL:
            model.default_threshold = model.training_metrics.get("default_threshold", 0.5)
    if valid_set is not None:
        model.validation_metrics = model_metrics(spec, params, valid_set.y, np.asarray(fitted.predict(valid_set.X)),
                                                 valid_set.w, fitted)
    model.status = "DONE"
    model.end_time = int(time.time() * 1000)


def _training_metrics(spec, params, data, fitted):
    """Metrics on the training rows. A learner that kept its predictions on them spares
    re-scoring them; a forest's are out-of-bag, and measured on the rows that have one."""
    raw = getattr(fitted, "training_predictions", None)
    if raw is None:
        raw = fitted.predict(data.X)
    else:
        raw = class_balance.corrected(fitted, raw)   # kept while fitting, before any correction
    raw = np.asarray(raw)
    if not getattr(fitted, "out_of_bag", False):
        return model_metrics(spec, params, data.y, raw, data.w, fitted)
    scored = scored_rows(raw)
    return {**model_metrics(spec, params, data.y[scored], raw[scored], data.w[scored]), "description": OUT_OF_BAG}


def _train_unsupervised(engine, algorithm, model, train, valid, job):
    """Fit a model that learns without a response; its learner writes the scoring history."""
    params, spec = model.params, model.spec
    w_all = weight_values(train, spec)
    rows = np.nonzero(w_all > 0)[0]
    if len(rows) == 0:
        raise InvalidArgument("training_frame", f"Frame '{train.key}' has no rows to learn from.")
    valid_set = None
    if valid is not None:
        valid_set = TrainingSet(algorithm.layout(valid, spec, params), None, weight_values(valid, spec), spec)
    job.update(msg=f"Training {algorithm.full_name} on {len(rows)} rows")
    X = algorithm.layout(train, spec, params)
    inputs = named_frames(engine, algorithm, params)
    data = TrainingSet(X if len(rows) == train.nrows else _take(X, rows), None, w_all[rows], spec, valid_set, inputs)
    deadline = time.time() + params["max_runtime_secs"] if params.get("max_runtime_secs") else None
    if params.get("nfolds") or params.get("fold_column"):
        folds = _assign_folds(train, spec, params, rows, None, False)
        _cross_validate_unsupervised(engine, algorithm, model, X, w_all, rows, folds, inputs, job, deadline)
    monitor = Monitor(on_row=model.add_history_row, on_progress=job.update, check_cancelled=job.check_cancelled,
                      deadline=deadline, score_each_iteration=params.get("score_each_iteration", False))
    fitted = algorithm.fit(data, params, monitor)
    job.check_cancelled()
    _keep_fitted(model, fitted)
    for key, frame in fitted.frames().items():
        engine.store.put(key, frame)
        model.output_frames.append(key)
    job.update(msg="Scoring the model")
    if params.get("compute_metrics", True) and algorithm.metrics_when_built:
        # A learner may measure itself on its training rows as H2O does (out-of-bag, say).
        model.training_metrics = getattr(fitted, "training_metrics", None) or fitted.metrics(data.X, data.w)
    if valid_set is not None and algorithm.metrics_when_built:
        model.validation_metrics = fitted.metrics(valid_set.X, valid_set.w)
    model.status = "DONE"
    model.end_time = int(time.time() * 1000)


def _keep_fitted(model, fitted):
    model.fitted = fitted
    model.variable_importances = fitted.variable_importances()
    model.summary = fitted.summary()
    model.extra_output = fitted.output()


def _check_folds(folds):
    """The number of folds, once each has rows both in and out."""
    k = int(folds.max()) + 1
    for fold in range(k):
        if not (folds == fold).any() or (folds == fold).all():
            raise InvalidArgument("nfolds", f"Fold {fold + 1} is empty; use fewer folds.")
    return k


def _cross_validate(engine, algorithm, model, main_data, X_all, y_all, w_all, rows, folds, job, n_fits, deadline):
    """Fit one model per fold; score each on its held-out rows; keep what was asked for."""
    params, spec = model.params, model.spec
    k = _check_folds(folds)
    fold_params = algorithm.fold_params(params, main_data)

    def fit_fold(fold):
        inside, outside = rows[folds != fold], rows[folds == fold]
        # As in H2O-3, a fold model stops early on its holdout rows, not on its training rows;
        # the holdout is laid out here only when the fit reads it.
        stops = bool(params.get("stopping_rounds"))
        holdout_rows = (TrainingSet(_take(X_all, outside), y_all[outside], w_all[outside], spec)
                        if stops or algorithm.folds_see_holdout else None)
        stops_on = holdout_rows if stops else None
        data = TrainingSet(_take(X_all, inside), y_all[inside], w_all[inside], spec, holdout_rows)
        data, distributions = class_balance.balance(algorithm, data, fold_params)
        monitor = _monitor(model, params, data, stops_on, job, fold / n_fits, 1 / n_fits, deadline, live=False)
        # H2O-3's useBestCVIteration: a fold model that stopped early keeps its best trees (or all).
        monitor.keeps_best = system_properties.flag(system_properties.USE_BEST_CV_ITERATION)
        fitted = algorithm.fit(data, fold_params, monitor)
        fitted.class_distributions = distributions
        return fitted

    def predict_fold(fold):
        return np.asarray(fold_fits[fold].predict(_take(X_all, rows[folds == fold])))

    job.update(msg=f"Cross-validation: {k} models")
    fold_fits = _map_folds(algorithm, fit_fold, range(k), len(rows), len(spec.names))
    # The folds may shape the main model, and change themselves, before they predict (GLM's penalty).
    resized = algorithm.main_model_params(params, fold_fits)
    if resized is not None:
        model.params = resized
    holdout_raw = _map_folds(algorithm, predict_fold, range(k), len(rows), len(spec.names))
    holdout = np.full((len(y_all),) + holdout_raw[0].shape[1:], np.nan)
    fold_metrics = []
    for fold, (fitted, raw) in enumerate(zip(fold_fits, holdout_raw)):
        outside = rows[folds == fold]
        holdout[outside] = raw
        fold_metrics.append(model_metrics(spec, params, y_all[outside], raw, w_all[outside], fitted))
    model.cross_validation_metrics = model_metrics(spec, params, y_all[rows], holdout[rows], w_all[rows])
    _keep_cross_validation(engine, algorithm, model, fold_fits, fold_metrics, None, holdout, rows, folds)


def _cross_validate_unsupervised(engine, algorithm, model, X_all, w_all, rows, folds, inputs, job, deadline):
    """Cross-validation of a model without a response (k-means): each fold model learns from the
    other folds' rows and is scored on its own, as H2O-3 scores its folds' holdout rows; the
    algorithm combines the folds' scoring into the cross-validation metrics."""
    params, spec = model.params, model.spec
    k = _check_folds(folds)
    X, w = _take(X_all, rows), w_all[rows]

    def fit_fold(fold):
        inside = np.nonzero(folds != fold)[0]
        monitor = Monitor(on_progress=lambda fraction: job.update((fold + fraction) / (k + 1)),
                          check_cancelled=job.check_cancelled, deadline=deadline)
        return algorithm.fit(TrainingSet(_take(X, inside), None, w[inside], spec, None, inputs), params, monitor)

    job.update(msg=f"Cross-validation: {k} models")
    fold_fits = _map_folds(algorithm, fit_fold, range(k), len(rows), len(spec.names))
    holdout = {}
    fold_metrics, training_metrics = [], []
    for fold, fitted in enumerate(fold_fits):
        inside, outside = np.nonzero(folds != fold)[0], np.nonzero(folds == fold)[0]
        fold_metrics.append(fitted.metrics(_take(X, outside), w[outside]))
        training_metrics.append(getattr(fitted, "training_metrics", None)
                                or fitted.metrics(_take(X, inside), w[inside]))
        for name, values in fitted.predict_columns(_take(X, outside)).items():
            values = np.asarray(values)
            holdout.setdefault(name, np.zeros(len(w_all), dtype=values.dtype))[rows[outside]] = values
    model.cross_validation_metrics = algorithm.combined_holdout_metrics(fold_fits, X, w, folds)
    _keep_cross_validation(engine, algorithm, model, fold_fits, fold_metrics, training_metrics, holdout, rows,
                           folds)


def _zero_outside(holdout, keep):
    """Holdout predictions (an array, or columns by name) with zeros outside the rows ``keep``,
    as H2O-3 fills each fold's own predictions frame."""
    if isinstance(holdout, dict):
        return {name: _zero_outside(values, keep) for name, values in holdout.items()}
    own = np.zeros_like(holdout)
    own[keep] = np.nan_to_num(holdout[keep])
    return own


def _keep_cross_validation(engine, algorithm, model, fold_fits, fold_metrics, training_metrics, holdout, rows,
                           folds):
    """Keep what cross-validation was asked to keep: the fold models, the metrics summary, the
    holdout predictions (full length, NaN outside the usable rows) and the fold assignment."""
    params, spec = model.params, model.spec
    for fold, fitted in enumerate(fold_fits):
        if params.get("keep_cross_validation_models", True):
            cv = Model(f"{model.key}_cv_{fold + 1}", algorithm, params, spec)
            cv.fitted, cv.status, cv.end_time = fitted, "DONE", int(time.time() * 1000)
            cv.validation_metrics = fold_metrics[fold]
            if training_metrics is not None:
                cv.training_metrics = training_metrics[fold]
            cv.variable_importances = fitted.variable_importances()
            cv.summary = fitted.summary()
            cv.extra_output = fitted.output()
            engine.store.put(cv.key, cv)
            model.cross_validation_models.append(cv.key)
    model.cross_validation_metrics_summary = metrics.cross_validation_summary(fold_metrics, spec.category)
    if params.get("keep_cross_validation_predictions"):
        key = f"cv_holdout_prediction_{model.key}"
        engine.store.put(key, model.predictions_frame(key, _zero_outside(holdout, rows)))
        model.cross_validation_holdout_predictions_frame_id = key
        # Each fold's own predictions too, full length with zeros outside its holdout rows, as
        # H2O-3 keeps them (h2o-py's cross_validation_predictions()).
        for fold in range(len(fold_fits)):
            key = f"prediction_{model.key}_cv_{fold + 1}"
            engine.store.put(key, model.predictions_frame(key, _zero_outside(holdout, rows[folds == fold])))
            model.cross_validation_predictions.append(key)
            model.output_frames.append(key)
    if params.get("keep_cross_validation_fold_assignment"):
        key = f"cv_fold_assignment_{model.key}"
        n = len(next(iter(holdout.values())) if isinstance(holdout, dict) else holdout)
        assignment = np.full(n, -1, dtype=np.int64)
        assignment[rows] = folds
        engine.store.put(key, frame_from_columns(key, {"fold_assignment": assignment.astype(float)},
                                                 {"fold_assignment": "int"}))
        model.cross_validation_fold_assignment_frame_id = key


def _map_folds(algorithm, fit_fold, folds, nrows, ncols):
    """``fit_fold`` of every fold, in fold order. On small data tree learners run one thread
    each (threads_for), so their folds are fitted side by side, one per core, as H2O-3 builds
    its cross-validation models in parallel; on big data each fit already uses every core.
    Learners on numpy's BLAS (GLM, deep learning) stay one at a time: concurrent calls into a
    multi-threaded BLAS made a stacked ensemble's GLM metalearner differ between runs."""
    parallel = algorithm.folds_in_parallel and threads_for(nrows, ncols) == 1
    workers = min(THREADS, len(folds)) if parallel else 1
    if workers <= 1:
        return [fit_fold(fold) for fold in folds]
    with ThreadPoolExecutor(workers, thread_name_prefix="h2odash-fold") as pool:
        return list(pool.map(fit_fold, folds))


def _assign_folds(train, spec, params, rows, y_all, classification):
    """The fold of each usable row (0-based), by fold column or fold_assignment."""
    if params.get("fold_column"):
        col = train.names.index(params["fold_column"])
        from h2odash.engine.frames import numeric_values

        values = numeric_values(train.table.column(col), train.types[col])[rows]
        if np.isnan(values).any():
            raise InvalidArgument("fold_column", "The fold column has missing values.")
        levels, folds = np.unique(values, return_inverse=True)
        if len(levels) < 2:
            raise InvalidArgument("fold_column", "The fold column must hold at least two folds.")
        return folds
    k = params["nfolds"]
    rng = np.random.default_rng(seed_of(params))
    scheme = params.get("fold_assignment", "AUTO")
    if scheme == "Modulo":
        return np.arange(len(rows)) % k
    if scheme == "Stratified" and classification:
        folds = np.empty(len(rows), dtype=np.int64)
        y = y_all[rows]
        for level in np.unique(y):
            members = np.nonzero(y == level)[0]
            rng.shuffle(members)
            folds[members] = np.arange(len(members)) % k
        return folds
    return rng.integers(0, k, len(rows))


def _monitor(model, params, data, valid_set, job, start, share, deadline, live):
    """A Monitor that maps a fit's progress into the job's and scores into the model."""
    picked = _sample_rows(data.nrows, params.get("score_training_samples", HISTORY_SAMPLE_ROWS))
    sample = _sample(data, picked)
    if valid_set is not None and params.get("score_validation_samples"):
        valid_set = _sample(valid_set, _sample_rows(valid_set.nrows, params["score_validation_samples"]))
    spec = model.spec

    metric = params.get("stopping_metric", "AUTO")
    if metric in (None, "AUTO"):
        metric = default_stopping_metric(spec.category)
    key, larger = _STOPPING_KEYS.get(metric, (None, False))
    prefix = "validation_" if valid_set is not None else "training_"

    def scorer(predict, training=None):
        if not live and valid_set is not None and key == "logloss" and spec.category != REGRESSION:
            # A fold model is scored only to stop early on its holdout: just the metric it watches.
            return {"validation_logloss": _logloss(valid_set, predict)}
        row = {}
        if live or valid_set is None:
            if training is None:
                row = _history_metrics(spec, params, "training", sample, np.asarray(predict(sample.X)))
            else:
                # A forest's out-of-bag predictions, on the sampled rows that have one.
                raw = np.asarray(training())
                raw = raw if picked is None else raw[picked]
                scored = scored_rows(raw)
                row = _history_metrics(spec, params, "training", sample, raw[scored], scored)
        if valid_set is not None:
            row.update(_history_metrics(spec, params, "validation", valid_set, np.asarray(predict(valid_set.X))))
        return row

    # Fold models are scored only to stop early (on their holdout); their rows stay unseen.
    scores = live or bool(params.get("stopping_rounds"))
    return Monitor(
        scorer=scorer if scores else None,
        on_row=model.add_history_row if live else None,
        on_progress=lambda fraction: job.update(start + share * fraction),
        check_cancelled=job.check_cancelled,
        deadline=deadline,
        stopping_rounds=params.get("stopping_rounds") or 0,
        stopping_metric=prefix + key if key else None,
        stopping_tolerance=params.get("stopping_tolerance", 1e-3),
        larger_is_better=larger,
        score_each_iteration=params.get("score_each_iteration", False),
        score_interval=params.get("score_tree_interval", 0) or 0,
        duty_cycle=params.get("score_duty_cycle", 0.1),
        min_seconds_between=params.get("score_interval", 0.0) or 0.0,
    )


def _sample_rows(nrows, rows):
    """At most ``rows`` of ``nrows`` row numbers (a fixed choice, so history rows compare);
    None for all of them (also when ``rows`` is 0)."""
    if not rows or nrows <= rows:
        return None
    return np.sort(np.random.default_rng(0).choice(nrows, int(rows), replace=False))


def _sample(data, pick):
    """The rows ``pick`` of a TrainingSet (all of it: None)."""
    if pick is None:
        return data
    return TrainingSet(_take(data.X, pick), data.y[pick], data.w[pick], data.spec)


def _logloss(data, predict):
    """Log loss of a classifier's predictions for a TrainingSet, as metrics.binomial/multinomial."""
    probabilities = np.asarray(predict(data.X))
    if probabilities.ndim == 1:
        probabilities = np.column_stack([1 - probabilities, probabilities])
    return metrics.logloss(probabilities[np.arange(len(data.y)), data.y.astype(np.int64)], data.w)


def _history_metrics(spec, params, prefix, data, raw, rows=None):
    """A scoring-history row's metrics of predictions ``raw`` for the TrainingSet ``data`` (for
    its rows marked in ``rows`` only, when given)."""
    y, w = (data.y, data.w) if rows is None else (data.y[rows], data.w[rows])
    scored = model_metrics(spec, params, y, raw, w)
    if spec.category == REGRESSION:
        fields = {"rmse": "RMSE", "mae": "mae", "deviance": "mean_residual_deviance"}
    else:
        fields = {"rmse": "RMSE", "logloss": "logloss", "auc": "AUC", "pr_auc": "pr_auc",
                  "classification_error": "classification_error"}
    return {f"{prefix}_{short}": scored.get(name) for short, name in fields.items()}


def model_metrics(spec, params, y, raw, w=None, fitted=None):
    """H2O's metrics for predictions ``raw`` of true values ``y``, by the model's category, with
    what the fitted learner adds of its own (a GLM's deviances: ``fitted.metrics_fields``)."""
    scored = _category_metrics(spec, params, y, raw, w)
    if fitted is not None and hasattr(fitted, "metrics_fields"):
        scored.update(fitted.metrics_fields(y, raw, np.ones(len(y)) if w is None else w))
    return scored


def _category_metrics(spec, params, y, raw, w):
    if spec.category == BINOMIAL:
        p1 = raw[:, 1] if raw.ndim == 2 else raw
        scored = metrics.binomial(y, p1, spec.response_domain, w)
        scored["classification_error"] = _error_rate(y, p1, scored.get("default_threshold", 0.5), w)
        return scored
    if spec.category == MULTINOMIAL:
        scored = metrics.multinomial(y, raw, spec.response_domain, w, params.get("auc_type") or "AUTO")
        scored["classification_error"] = _error_rate(y, np.argmax(raw, axis=1), None, w)
        scored.setdefault("AUC", float("nan"))
        scored.setdefault("pr_auc", float("nan"))
        return scored
    distribution = params.get("distribution", "AUTO")
    if distribution in (None, "AUTO"):
        distribution = {"poisson": "poisson", "gamma": "gamma", "tweedie": "tweedie"}.get(params.get("family"), "gaussian")
    return metrics.regression(
        y, raw, w, distribution=distribution, tweedie_power=params.get("tweedie_power", 1.5),
        quantile_alpha=params.get("quantile_alpha", 0.5), huber_alpha=params.get("huber_alpha", 0.9),
    )


def _error_rate(y, predicted, threshold, w):
    """Weighted share of rows whose predicted class (p1 >= threshold for two classes, the given
    labels when ``threshold`` is None) is wrong; NaN without rows (an out-of-bag forest of too
    few trees)."""
    labels = predicted if threshold is None else (predicted >= threshold).astype(int)
    w = np.ones(len(y)) if w is None else np.asarray(w, dtype=np.float64)
    if not w.sum() > 0:
        return float("nan")
    return float(np.average(labels != y, weights=w))


def _take(X, rows):
    """Rows of a DataFrame or matrix (X itself when ``rows`` is every row in order: learners
    never modify their X, and a copy of 800k rows cost a tenth of fitting a GLM)."""
    if len(rows) == len(X) and np.array_equal(rows, np.arange(len(X))):
        return X
    if hasattr(X, "iloc"):
        return X.iloc[rows].reset_index(drop=True)
    return X[rows]
