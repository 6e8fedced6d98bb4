"""Training models inside a bigger job: the steps of an AutoML run, a grid, an ensemble's metalearner.

A model built here goes through the same training framework as POST /3/ModelBuilders
(``h2odash.engine.training``), but in the caller's thread and job: its progress is a slice of
the caller's, a cancel of the caller stops it, and a model that fails or is cancelled leaves
nothing behind.
"""

from h2odash.engine import training
from h2odash.engine.frames import Frame
from h2odash.engine.model_data import check_columns
from h2odash.engine.models import Model


class SubJob:
    """A slice of a running job: a model's progress in [0, 1] moves the parent's in [start, start + share]."""

    def __init__(self, parent, start=0.0, share=0.0, label=None):
        self.parent = parent
        self.start = start
        self.share = share
        self.label = label

    def update(self, progress=None, msg=None):
        if progress is not None:
            progress = self.start + self.share * min(max(progress, 0.0), 1.0)
        if msg is not None and self.label:
            msg = f"{self.label}: {msg}"
        self.parent.update(progress, msg)

    def check_cancelled(self):
        self.parent.check_cancelled()


class LayoutCache:
    """Predictors laid out once per frame and encoding, shared by the models of one run.

    An AutoML run or a grid trains many models on the same frame; laying it out again for each
    (a pandas frame or a one-hot matrix of every row) would cost as much as fitting a small model.
    Learners never modify their X (the framework hands them row subsets, which are copies).
    """

    def __init__(self):
        self._layouts = {}

    def layout(self, algorithm, frame, spec, params):
        key = (id(frame), id(spec), algorithm.encoding, bool(params.get("standardize", algorithm.standardize)),
               algorithm.use_all_levels if algorithm.encoding != "native" else None)
        if key not in self._layouts:
            self._layouts[key] = (frame, algorithm.layout(frame, spec, params))
        return self._layouts[key][1]


class _CachedLayout:
    """An algorithm whose ``layout`` comes from a LayoutCache; everything else is the algorithm's."""

    def __init__(self, algorithm, cache):
        self._algorithm = algorithm
        self._cache = cache

    def layout(self, frame, spec, params, rows=None):
        if rows is not None:
            return self._algorithm.layout(frame, spec, params, rows)
        return self._cache.layout(self._algorithm, frame, spec, params)

    def __getattr__(self, name):
        return getattr(self._algorithm, name)


def build_model(engine, algorithm, given, job, model_id=None, spec=None, layouts=None, before_fit=None):
    """Train ``algorithm`` with ``given`` parameters inside ``job``; returns the DONE Model.

    ``spec`` (a FeatureSpec of the training frame) is reused when given instead of being learned
    again; ``layouts`` (a LayoutCache) shares laid-out frames between models. The model is in the
    store (and readable) while it trains; on failure or cancel it is removed and the error raised.
    ``before_fit(model)`` is called once the model is in the store.
    """
    if spec is None:
        params, train, valid, spec = training.prepare(engine, algorithm, given)
    else:
        params = algorithm.parameters.resolve(given)
        algorithm.check(params, spec)
        train = engine.store.get(params["training_frame"], Frame, "training_frame")
        algorithm.check_data(params, spec, train)
        valid = None
        if params.get("validation_frame"):
            valid = engine.store.get(params["validation_frame"], Frame, "validation_frame")
            check_columns(valid, spec, need_response=True)
    model_id = model_id or params.get("model_id") or training.new_model_id(algorithm)
    model = Model(model_id, algorithm, params, spec)
    model.given_params = dict(given)
    model.training_frame = train.key
    model.validation_frame = valid.key if valid is not None else None
    engine.store.put(model_id, model)
    engine.store.lock([model_id], f"the job building {model_id}")
    try:
        if before_fit is not None:
            before_fit(model)
        learner = _CachedLayout(algorithm, layouts) if layouts is not None else algorithm
        training._train(engine, learner, model, train, valid, job)
    except BaseException:
        engine.store.unlock([model_id])
        remove_model(engine, model)
        raise
    engine.store.unlock([model_id])
    finished(engine, model)
    return model


def finished(engine, model):
    """What follows a model's last step: kept in the workspace, saved to its checkpoints folder."""
    from h2odash.engine.model_files import export_checkpoint

    engine.store.settle(model.key)
    export_checkpoint(engine, model)


def remove_model(engine, model):
    """Delete a model and what its training stored beside it (fold models, holdout predictions)."""
    keys = [model.key, *model.cross_validation_models, model.cross_validation_holdout_predictions_frame_id,
            model.cross_validation_fold_assignment_frame_id, *model.output_frames]
    for key in keys:
        if key and engine.store.find(key) is not None and not engine.store.is_locked(key):
            engine.store.delete(key)
