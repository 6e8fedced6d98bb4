"""Stacked Ensemble: a metalearner trained on the predictions of base models.

As in H2O-3, the metalearner learns from "level-one" data: for each training row, what every
base model predicted for it while that row was held out of its cross-validation fold (the
frames ``cv_holdout_prediction_{model}`` that ``keep_cross_validation_predictions`` keeps).
That is only honest when all base models held out the same rows together, so they must share
their folds: the same fold column, or the same nfolds with Modulo assignment, or the same
nfolds, assignment and (fixed) seed. Alternatively a ``blending_frame`` gives level-one data
directly: the base models' predictions on rows none of them learned from.

Scoring a frame = every base model scores it, then the metalearner scores those predictions.
The metalearner is a model of its own (``metalearner_{algo}_{ensemble id}``), built by the same
training framework as any other, so ``metalearner_nfolds`` (or ``metalearner_fold_column``) gives
the ensemble cross-validation metrics: H2O-3's proxy for them, the metalearner's cross-validation
on the level-one rows.
"""

import json
import time
from dataclasses import replace

import numpy as np

from h2odash.engine import algos
from h2odash.engine.algos.base import Algorithm, Fitted
from h2odash.engine.errors import InvalidArgument, KeyNotFound
from h2odash.engine.frames import Frame, numeric_values
from h2odash.engine.jobs import Job
from h2odash.engine.model_data import (BINOMIAL, MULTINOMIAL, REGRESSION, FeatureSpec, check_columns,
                                       frame_from_columns, response_values, usable_rows, weight_values)
from h2odash.engine.parameters import FOLD_ASSIGNMENTS, Parameter as P, ParameterSet

METALEARNERS = ("AUTO", "deeplearning", "drf", "gbm", "glm", "naivebayes", "xgboost")

_PARAMETERS = ParameterSet([
    P("model_id", "Key<Model>", None, "critical", "Name of the ensemble to create; generated when not given."),
    P("training_frame", "Key<Frame>", None, "critical", "Frame the base models were trained on.", required=True),
    P("response_column", "VecSpecifier", None, "critical", "Column to predict (the base models' response).",
      required=True, frame_of=("training_frame", "validation_frame", "blending_frame")),
    P("validation_frame", "Key<Frame>", None, "critical", "Frame the ensemble is scored on."),
    P("blending_frame", "Key<Frame>", None, "critical",
      "Frame of rows no base model learned from: the metalearner learns from the base models' predictions on it "
      "instead of their cross-validation predictions."),
    P("base_models", "Key<Keyed>[]", [], "critical",
      "Models to stack, or grids whose models to stack; cross-validated on the same folds with "
      "keep_cross_validation_predictions=true (unless a blending_frame is given)."),
    P("metalearner_algorithm", "enum", "AUTO", "critical",
      "Algorithm of the metalearner (AUTO: GLM with non-negative coefficients on unstandardized inputs).",
      values=METALEARNERS),
    P("metalearner_nfolds", "int", 0, "critical", "Cross-validation folds of the metalearner (0: none).", min=0),
    P("metalearner_fold_assignment", "enum", None, "secondary", "How the metalearner's folds are dealt.",
      values=FOLD_ASSIGNMENTS),
    P("metalearner_fold_column", "VecSpecifier", None, "secondary", "Column of the training frame (or blending "
      "frame) holding the metalearner's folds.", frame_of=("training_frame", "blending_frame")),
    P("metalearner_params", "string", "", "critical", "The metalearner's parameters, as a JSON object."),
    P("metalearner_transform", "enum", "NONE", "critical",
      "Transform of class probabilities before the metalearner sees them.", values=("NONE", "Logit")),
    P("max_runtime_secs", "double", 0.0, "secondary", "Stop the metalearner after this many seconds (0: no limit).",
      min=0),
    P("weights_column", "VecSpecifier", None, "secondary", "Column of per-row weights.",
      frame_of=("training_frame", "validation_frame", "blending_frame")),
    P("offset_column", "VecSpecifier", None, "secondary", "Offset column (not implemented).", supported=False),
    P("custom_metric_func", "string", None, "secondary", "Custom metric (not implemented).", supported=False),
    P("seed", "long", -1, "critical", "Random seed of the metalearner (-1: a new one each time)."),
    P("score_training_samples", "long", 10000, "secondary",
      "Training rows scored for the training metrics (all of them here).", min=0),
    P("keep_levelone_frame", "boolean", False, "secondary", "Keep the level-one frame the metalearner learned from."),
    P("export_checkpoints_dir", "string", None, "secondary",
      "Folder the finished model is saved to (h2odash's model file, named by the model id)."),
    P("auc_type", "enum", "AUTO", "secondary", "Multiclass AUC: MACRO_OVR, WEIGHTED_OVR, MACRO_OVO or "
      "WEIGHTED_OVO compute the AUC tables and pick the model's AUC; AUTO and NONE compute none.",
      values=("AUTO", "NONE", "MACRO_OVR", "WEIGHTED_OVR", "MACRO_OVO", "WEIGHTED_OVO")),
    P("gainslift_bins", "int", -1, "secondary", "Number of bins of the gains/lift table (-1: 16 by default).",
      min=-1),
])


class EnsembleFitted(Fitted):
    """Base models and the metalearner; ``predict`` takes the frame itself (see StackedEnsemble.layout)."""

    def __init__(self, base_models, metalearner, transform):
        self.base_models = list(base_models)
        self.metalearner = metalearner
        self.transform = transform

    def predict(self, frame):
        columns = level_one_columns(self.base_models, [m.predict_raw(frame) for m in self.base_models],
                                    self.transform)
        level_one = frame_from_columns("levelone_scoring", columns, {name: "real" for name in columns})
        return self.metalearner.predict_raw(level_one)

    # -- contributions: H2O-3's G-DeepSHAP -----------------------------------------------------
    def check_contributions(self, request, with_background):
        from h2odash.engine.contributions import check_request, require_background

        require_background("StackedEnsemble", self.metalearner.category == MULTINOMIAL, with_background,
                           "multinomial Stacked Ensembles (nor for their multinomial base models)")
        useful = self._useful_base_models()
        if not useful:
            raise InvalidArgument("predict_contributions",
                                  f"The metalearner '{self.metalearner.key}' uses none of the base models, so no "
                                  "feature contributes: contributions are not available.")
        for model in useful:
            check_request(model, _base_request(request), background=True)
        check_request(self.metalearner, _metalearner_request(request), background=True)

    def contributions(self, frame, background, request):
        """G-DeepSHAP, as H2O-3: per (row, background row) pair, each base model's contributions
        in its output space are rescaled by the metalearner's contribution of that base model
        over their sum (the base model's change of prediction; pairs that change it by less than
        1e-6 give nothing), then summed over the base models; the bias is the metalearner's.
        Each pair adds up to the metalearner's margin at the row minus at the background row
        (its prediction with ``output_space``); the pairs are then averaged unless asked one by one."""
        from h2odash.engine.contributions import Contributions, explain

        useful = self._useful_base_models()
        found = _same_columns([explain(m, frame, _base_request(request), background) for m in useful],
                              request.output_format)
        meta = explain(self.metalearner, self._level_one(frame), _metalearner_request(request),
                       self._level_one(background))
        values = np.zeros_like(found[0].values)
        for model, base in zip(useful, found):
            moved = base.values.sum(axis=2)
            share = meta.values[:, :, meta.names.index(model.key)]
            kept = np.abs(moved) >= 1e-6
            multiplier = np.where(kept, share / np.where(kept, moved, 1.0), 0.0)
            values += multiplier[..., None] * base.values
        bias = meta.bias
        if not request.output_per_reference:
            m = background.nrows
            values = values.reshape(values.shape[0], -1, m, values.shape[2]).mean(axis=2)
            bias = bias.reshape(bias.shape[0], -1, m).mean(axis=2)
        return Contributions(found[0].names, values, bias, None if request.output_space else meta.inverse_link)

    def _useful_base_models(self):
        """The base models the metalearner uses (H2O-3 leaves out the others): for a GLM, those
        with a nonzero coefficient; any other metalearner may use them all."""
        fitted = self.metalearner.fitted
        if self.metalearner.algo != "glm":
            return list(self.base_models)
        coefficients = dict(zip(fitted.names, np.atleast_2d(fitted.beta)[0][1:]))
        return [m for m in self.base_models if coefficients.get(m.key, 0.0) != 0.0]

    def _level_one(self, frame):
        columns = level_one_columns(self.base_models, [m.predict_raw(frame) for m in self.base_models],
                                    self.transform)
        return frame_from_columns("levelone_contributions", columns, {name: "real" for name in columns})

    def summary(self):
        return [("number_of_base_models", "int", len(self.base_models)),
                ("metalearner_algorithm", "string", self.metalearner.algo)]

    def output(self):
        return {"metalearner": {"name": self.metalearner.key},
                "base_models": [{"name": m.key} for m in self.base_models]}


class StackedEnsemble(Algorithm):
    name = "stackedensemble"
    # h2o-py sends the columns left out of ``x``; the base models already chose their columns.
    inert_parameters = ("ignored_columns",)
    full_name = "Stacked Ensemble"
    encoding = "frame"
    parameters = _PARAMETERS

    def layout(self, frame, spec, params, rows=None):
        """The frame itself: the base models lay it out, each in its own encoding."""
        check_columns(frame, spec, need_response=False)
        return frame if rows is None else Frame(frame.key, frame.table.take(rows), frame.types)

    def check(self, params, spec):
        super().check(params, spec)
        _metalearner_parameters(params, spec, None)

    def fit(self, data, params, monitor):
        raise InvalidArgument("base_models", "A Stacked Ensemble is trained from its base models, not fitted on rows.")

    def start_training(self, engine, given):
        """Start a training job (POST /3/ModelBuilders/stackedensemble); everything checkable is checked first."""
        from h2odash.engine.builds import remove_model
        from h2odash.engine.training import new_model_id, prepare

        params, train, valid, _ = prepare(engine, self, given)
        base = base_models(engine, params, train)
        level_one_source(engine, params, train)
        model_id = params.get("model_id") or new_model_id(self)
        if engine.store.is_locked(model_id):
            raise InvalidArgument("model_id", f"Model '{model_id}' is being built by a running job.")
        model = new_ensemble_model(model_id, params, given, base, train, valid)
        locks = [model_id, train.key] + [m.key for m in base] + ([valid.key] if valid is not None else [])
        job = Job(algos.prefix(self.name), model_id, "Model", locks=locks)
        if not params.get("blending_frame"):
            job.warnings.extend(fold_warnings(base))
        engine.store.put(model_id, model)

        def work(job):
            fit_ensemble(engine, model, base, train, valid, job)
            return model

        def cleanup(job):
            metalearner = engine.store.find(_metalearner_id(model))
            if metalearner is not None:
                remove_model(engine, metalearner)
            if engine.store.find(model_id) is model:
                engine.store.delete(model_id)

        return engine.jobs.start(job, work, cleanup=cleanup)


ALGORITHM = StackedEnsemble()


# -- the build, shared by ModelBuilders and AutoML --------------------------------------------
def build_ensemble(engine, given, job, model_id):
    """Train an ensemble inside a running job (AutoML); returns the DONE model."""
    from h2odash.engine.builds import remove_model
    from h2odash.engine.training import prepare

    params, train, valid, _ = prepare(engine, ALGORITHM, given)
    base = base_models(engine, params, train)
    level_one_source(engine, params, train)
    model = new_ensemble_model(model_id, params, given, base, train, valid)
    engine.store.put(model_id, model)
    try:
        fit_ensemble(engine, model, base, train, valid, job)
    except BaseException:
        metalearner = engine.store.find(_metalearner_id(model))
        if metalearner is not None:
            remove_model(engine, metalearner)
        if engine.store.find(model_id) is model:
            engine.store.delete(model_id)
        raise
    return model


def new_ensemble_model(model_id, params, given, base, train, valid):
    from h2odash.engine.models import Model

    model = Model(model_id, ALGORITHM, params, ensemble_spec(base))
    model.given_params = dict(given)
    model.training_frame = train.key
    model.validation_frame = valid.key if valid is not None else None
    return model


def fit_ensemble(engine, model, base, train, valid, job):
    """Learn the metalearner from level-one data, then score the ensemble."""
    from h2odash.engine.builds import build_model
    from h2odash.engine.training import model_metrics

    params, spec = model.params, model.spec
    transform = params.get("metalearner_transform", "NONE")
    source = level_one_source(engine, params, train)
    blending = source if source is not train else None
    job.update(0.0, "Building the level-one frame")
    if blending is not None:
        raws = [m.predict_raw(blending) for m in base]
    else:
        raws = [_holdout_predictions(engine, m) for m in base]
    level_one_key = f"levelone_training_{model.key}"
    _store_level_one(engine, level_one_key, level_one_columns(base, raws, transform), source, spec, params,
                     fold_column=params.get("metalearner_fold_column"))
    keys = [level_one_key]
    try:
        meta_given = _metalearner_parameters(params, spec, level_one_key)
        if valid is not None:
            valid_key = f"levelone_validation_{model.key}"
            columns = level_one_columns(base, [m.predict_raw(valid) for m in base], transform)
            _store_level_one(engine, valid_key, columns, valid, spec, params)
            keys.append(valid_key)
            meta_given["validation_frame"] = valid_key
        meta_algo = algos.get(meta_given.pop("_algo"))
        from h2odash.engine.builds import SubJob

        metalearner = build_model(engine, meta_algo, meta_given, SubJob(job, 0.05, 0.8, "Metalearner"),
                                  model_id=_metalearner_id(model))
    finally:
        for key in keys:
            if not (key == level_one_key and params.get("keep_levelone_frame")) and engine.store.find(key) is not None:
                engine.store.delete(key)
    if params.get("keep_levelone_frame"):
        model.extra_output["levelone_frame_id"] = {"name": level_one_key}
    # What the metalearner learned from: the base models' cross-validation predictions, or their
    # predictions on the blending frame (h2o-py's stacking_strategy()).
    model.extra_output["stacking_strategy"] = "blending" if params.get("blending_frame") else "cross_validation"
    fitted = EnsembleFitted(base, metalearner, transform)
    job.update(0.9, "Scoring the ensemble")
    y, w = response_values(train, spec), weight_values(train, spec)
    rows = usable_rows(y, w, spec.category != REGRESSION)
    model.training_metrics = model_metrics(spec, params, y[rows], np.asarray(fitted.predict(train))[rows], w[rows])
    if spec.category == BINOMIAL:
        model.default_threshold = model.training_metrics.get("default_threshold", 0.5)
    if valid is not None:
        yv, wv = response_values(valid, spec), weight_values(valid, spec)
        vrows = usable_rows(yv, wv, spec.category != REGRESSION)
        model.validation_metrics = model_metrics(spec, params, yv[vrows], np.asarray(fitted.predict(valid))[vrows],
                                                 wv[vrows])
    # The metalearner's cross-validation is the ensemble's: its rows are the training rows, and
    # its level-one inputs were predicted by base models that had not seen them.
    model.cross_validation_metrics = metalearner.cross_validation_metrics
    model.cross_validation_metrics_summary = metalearner.cross_validation_metrics_summary
    model.fitted = fitted
    model.summary = fitted.summary()
    model.extra_output.update(fitted.output())
    model.status = "DONE"
    model.end_time = int(time.time() * 1000)
    from h2odash.engine.builds import finished

    finished(engine, model)   # kept in the workspace now, not only when an AutoML run ends
    return model


# -- base models ---------------------------------------------------------------------------
def base_models(engine, params, train):
    """The base models named by ``base_models`` (grids expanded), checked to be stackable."""
    from h2odash.engine.models import Model

    models = []
    for key in params.get("base_models") or []:
        obj = engine.store.find(key)
        if isinstance(obj, Model):
            found = [obj]
        elif obj is not None and hasattr(obj, "model_ids"):
            found = [engine.store.get(k, Model, "base_models") for k in obj.model_ids]
        else:
            raise KeyNotFound(key, "base_models")
        models.extend(m for m in found if m not in models)
    if not models:
        raise InvalidArgument("base_models", "A Stacked Ensemble needs at least one base model (base_models is empty).")
    response = params["response_column"]
    first = models[0]
    for m in models:
        if m.status != "DONE":
            raise InvalidArgument("base_models", f"Base model '{m.key}' is still training; wait for its job to finish.")
        if not getattr(m.algorithm, "supervised", True) or m.spec.response is None:
            raise InvalidArgument("base_models", f"Base model '{m.key}' is not a supervised model.")
        if m.spec.response != response:
            raise InvalidArgument("base_models", f"Base model '{m.key}' predicts '{m.spec.response}', not the "
                                                 f"ensemble's response '{response}'.")
        if m.category != first.category or m.spec.response_domain != first.spec.response_domain:
            raise InvalidArgument("base_models", f"Base models '{first.key}' and '{m.key}' are of different kinds "
                                                 f"({first.category} and {m.category}).")
    if not params.get("blending_frame"):
        _check_cross_validated(engine, models, train)
    return models


def _check_cross_validated(engine, models, train):
    for m in models:
        key = m.cross_validation_holdout_predictions_frame_id
        if not key or engine.store.find(key) is None:
            raise InvalidArgument(
                "base_models",
                f"Base model '{m.key}' has no cross-validation predictions: train every base model with nfolds >= 2 "
                f"(or a fold_column) and keep_cross_validation_predictions=true, or give a blending_frame.")
        # As H2O-3, a base model's own training frame must match in its rows (its cross-validation
        # predictions are row-aligned with it); a copy under another name is fine.
        own = engine.store.find(getattr(m, "training_frame", None))
        rows = own.nrows if isinstance(own, Frame) else None
        if m.training_frame != train.key and rows != train.nrows:
            raise InvalidArgument(
                "base_models", f"Base model '{m.key}' was trained on '{m.training_frame}' "
                               f"({rows if rows is not None else 'deleted since'} rows), not on the ensemble's "
                               f"training frame '{train.key}' ({train.nrows} rows); all must share one training frame.")


def fold_warnings(models):
    """What H2O-3 warns of (and builds anyway) when the base models' folds may differ: the
    metalearner may then learn from predictions of rows a base model saw (data leakage)."""
    signatures = {m.key: fold_signature(m.params) for m in models}
    first = models[0]
    warnings = [f"Base models '{first.key}' and '{m.key}' were cross-validated on different folds "
                f"({_describe(signatures[first.key])} vs {_describe(signatures[m.key])}); this can lead to data "
                f"leakage: train them with the same fold_column, or the same nfolds and fold_assignment (Modulo, "
                f"or a fixed seed)." for m in models[1:] if signatures[m.key] != signatures[first.key]]
    if not warnings and signatures[first.key][0] != "column" and signatures[first.key][-1] == -1 and len(models) > 1:
        warnings.append("The base models were cross-validated with random folds and seed -1, so each had its own "
                        "folds; this can lead to data leakage: give them a fixed seed, fold_assignment=Modulo or a "
                        "fold_column.")
    return warnings


def fold_signature(params):
    """What decides a model's folds: equal signatures mean the same rows were held out together."""
    if params.get("fold_column"):
        return ("column", params["fold_column"])
    scheme = params.get("fold_assignment") or "AUTO"
    nfolds = params.get("nfolds") or 0
    if scheme == "Modulo":
        return ("modulo", nfolds)
    kind = "stratified" if scheme == "Stratified" else "random"
    return (kind, nfolds, params.get("seed", -1))


def _describe(signature):
    if signature[0] == "column":
        return f"fold_column '{signature[1]}'"
    if signature[0] == "modulo":
        return f"nfolds={signature[1]}, Modulo"
    return f"nfolds={signature[1]}, {signature[0]}, seed={signature[2]}"


def ensemble_spec(base):
    """The ensemble's inputs: every column any base model uses, in first-seen order."""
    first = base[0].spec
    names, kinds, domains, means, sigmas = [], [], {}, {}, {}
    for m in base:
        for name, kind in zip(m.spec.names, m.spec.kinds):
            if name in names:
                continue
            names.append(name)
            kinds.append(kind)
            if kind == "enum":
                domains[name] = m.spec.domains[name]
            else:
                means[name] = m.spec.means.get(name)
                sigmas[name] = m.spec.sigmas.get(name)
    return FeatureSpec(names, kinds, domains, first.response, first.response_domain, first.weights, first.category,
                       means, sigmas)


# -- level-one data ----------------------------------------------------------------------------
def level_one_columns(base, raws, transform="NONE"):
    """Level-one columns by name: the positive-class probability (binomial), every class
    probability (multinomial) or the prediction (regression) of each base model."""
    columns = {}
    for model, raw in zip(base, raws):
        raw = np.asarray(raw, dtype=np.float64)
        if model.category == REGRESSION:
            columns[model.key] = raw.reshape(-1)
            continue
        if model.category == BINOMIAL:
            parts = {model.key: raw[:, 1] if raw.ndim == 2 else raw}
        else:
            parts = {f"{model.key}/{level}": raw[:, i] for i, level in enumerate(model.spec.response_domain)}
        for name, p in parts.items():
            if transform == "Logit":
                p = np.clip(p, 1e-9, 1 - 1e-9)
                p = np.log(p / (1 - p))
            columns[name] = p
    return columns


def _base_request(request):
    """What G-DeepSHAP asks of each base model: its contributions per background row, in its
    output space (the space the metalearner reads its predictions in)."""
    return replace(request, output_space=True, output_per_reference=True, top_n=0, bottom_n=0)


def _metalearner_request(request):
    return replace(request, output_per_reference=True, top_n=0, bottom_n=0)


def _same_columns(found, output_format):
    """The base models' contributions with the first one's columns, in its order; models whose
    layouts differ (e.g. one-hot with and without a column per level) cannot be combined."""
    from h2odash.engine.contributions import Contributions

    names = found[0].names
    aligned = [found[0]]
    for base in found[1:]:
        if sorted(base.names) != sorted(names):
            if output_format == "Original":
                raise InvalidArgument("predict_contributions_output_format",
                                      "Base model contributions have different columns likely due to models using "
                                      "different categorical encoding. Please use output_format=\"compact\".")
            raise InvalidArgument("predict_contributions", "Base model contributions have different columns: "
                                                           f"{base.names} and {names}.")
        order = [base.names.index(name) for name in names]
        aligned.append(Contributions(names, base.values[:, :, order], base.bias, base.inverse_link))
    return aligned


def _holdout_predictions(engine, model):
    """A base model's cross-validation holdout predictions, in the layout of predict_raw."""
    frame = engine.store.get(model.cross_validation_holdout_predictions_frame_id, Frame, "base_models")
    values = [numeric_values(frame.table.column(i), frame.types[i]) for i in range(frame.ncols)]
    if model.category == REGRESSION:
        return values[0]
    return np.column_stack(values[1:])


def _store_level_one(engine, key, columns, source, spec, params, fold_column=None):
    """A frame of level-one columns plus the response (and weights, and the metalearner's fold
    column) of ``source``."""
    columns = dict(columns)
    types = {name: "real" for name in columns}
    if fold_column:
        index = source.index_of(fold_column, "metalearner_fold_column")
        columns[fold_column] = numeric_values(source.table.column(index), source.types[index])
        types[fold_column] = "real"
    if spec.response_domain is not None:
        columns[spec.response] = response_values(source, spec)
        types[spec.response] = ("enum", list(spec.response_domain))
    else:
        columns[spec.response] = response_values(source, spec)
        types[spec.response] = "real"
    if spec.weights:
        columns[spec.weights] = weight_values(source, spec)
        types[spec.weights] = "real"
    engine.store.put(key, frame_from_columns(key, columns, types))


def _metalearner_id(model):
    algo = model.params.get("metalearner_algorithm") or "AUTO"
    return f"metalearner_{algo}_{model.key}"


def level_one_source(engine, params, train):
    """The frame whose rows the metalearner learns from: the blending frame, else the training
    frame; it must hold the metalearner's fold column, if one is named."""
    source = train
    if params.get("blending_frame"):
        source = engine.store.get(params["blending_frame"], Frame, "blending_frame")
    name = params.get("metalearner_fold_column")
    if name and name not in source.names:
        raise InvalidArgument("metalearner_fold_column", f"metalearner_fold_column '{name}' is not a column of "
                                                         f"frame '{source.key}'.")
    return source


def _metalearner_parameters(params, spec, level_one_key):
    """The metalearner's training request: its algorithm (under ``_algo``) and parameters.

    As in H2O-3, ``metalearner_params`` come first; the ensemble's own frames, weights, folds
    and budget, then what the AUTO metalearner insists on, are set over them."""
    algorithm = params.get("metalearner_algorithm") or "AUTO"
    given = {"seed": params.get("seed", -1)}
    text = params.get("metalearner_params") or ""
    if text.strip():
        try:
            extra = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidArgument("metalearner_params", f"metalearner_params must be a JSON object: {exc.msg}.")
        if not isinstance(extra, dict):
            raise InvalidArgument("metalearner_params", "metalearner_params must be a JSON object.")
        # H2O's clients send each value as a list of one value.
        given.update({k: (v[0] if isinstance(v, list) and len(v) == 1 else v) for k, v in extra.items()})
    if given.get("seed") in (None, -1):
        given["seed"] = params.get("seed", -1)
    given.update(training_frame=level_one_key, response_column=spec.response)
    if spec.weights:
        given["weights_column"] = spec.weights
    nfolds = params.get("metalearner_nfolds") or 0
    if params.get("metalearner_fold_column"):
        if nfolds:
            raise InvalidArgument("metalearner_nfolds", "Give either metalearner_nfolds or metalearner_fold_column, "
                                                        "not both.")
        given["fold_column"] = params["metalearner_fold_column"]
    else:
        given["nfolds"] = nfolds
        if nfolds:
            # Unset, the folds are dealt as the metalearner's default deals them (AUTO: at random by the seed).
            given["fold_assignment"] = params.get("metalearner_fold_assignment") or "AUTO"
    if params.get("max_runtime_secs"):
        given["max_runtime_secs"] = params["max_runtime_secs"]
    if algorithm == "AUTO":
        # H2O's default metalearner: a GLM whose coefficients cannot be negative, so a base model
        # can only add to the ensemble, never be subtracted from it. Its inputs are already on
        # one scale (probabilities, or their logits); standardizing them would let a poor model
        # whose predictions hardly vary weigh as much as a good one.
        given.update(non_negative=True, standardize=False)
        if params.get("validation_frame"):
            # A validation frame can pick the penalty: search lambda over the whole path (H2O-3
            # turns the search's early stop off along with the non-negative constraint).
            given.update(lambda_search=True, early_stopping=False)
    given["_algo"] = "glm" if algorithm == "AUTO" else algorithm
    return given
