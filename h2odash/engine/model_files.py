"""Saving and loading models as files: what ``h2o.save_model``, ``h2o.load_model``,
``model.download_model`` and ``h2o.upload_model`` do.

The file is h2odash's own (h2odash.engine.object_files): not a MOJO and not H2O-3's binary
model, and safe to open whoever made it. A loaded model predicts bitwise as it did when saved
and keeps its parameters, metrics and scoring history.
"""

import os

from h2odash.engine import atomic, object_files
from h2odash.engine.errors import InvalidArgument, NotImplementedFeature
from h2odash.engine.models import Model

KIND = "model"


def model_bytes(engine, key):
    """The file's bytes for the finished model ``key``."""
    model = engine.store.get(key, Model, "model_id")
    if model.status != "DONE" or model.fitted is None:
        raise InvalidArgument("model_id", f"Model '{key}' is still training; save it once its job has finished.")
    return object_files.dump(model, KIND, key)


def save_model(engine, key, path, force=False, with_cv_predictions=False):
    """Write model ``key`` to the file ``path`` on the server's disk; returns its absolute path."""
    refuse_cv_predictions(with_cv_predictions)
    target = _file_path(engine, path, "write")
    if os.path.exists(target) and not force:
        raise InvalidArgument("dir", f"File already exists ({target}): set force to overwrite it.")
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        # h2o-py's save_model names a folder and a file in it; H2O-3 makes the folder too.
        os.makedirs(folder, exist_ok=True)
    atomic.write_bytes(target, model_bytes(engine, key))
    return target


def load_model(engine, path, model_id=None):
    """Read a model file from the server's disk into the store; returns the model."""
    target = _file_path(engine, path, "import")
    if not os.path.isfile(target):
        raise InvalidArgument("dir", f"There is no model file at {target}.")
    with open(target, "rb") as source:
        data = source.read()
    return add_model(engine, data, model_id)


def upload_model(engine, raw_key, model_id=None):
    """Load a model from a file uploaded with ``POST /3/PostFile.bin`` (a raw frame), then drop
    the upload."""
    from h2odash.engine.sources import RawFile

    raw = engine.store.get(raw_key, RawFile, "dir")
    with open(raw.path, "rb") as source:
        data = source.read()
    model = add_model(engine, data, model_id)
    engine.store.delete(raw_key)
    raw.release()
    return model


def export_checkpoint(engine, model):
    """A finished model saved where its ``export_checkpoints_dir`` says, as H2O-3 does: a file
    named by the model id, replacing an older one."""
    folder = model.params.get("export_checkpoints_dir")
    if folder:
        save_model(engine, model.key, os.path.join(str(folder), model.key), force=True)


def add_model(engine, data, model_id=None):
    """Read a model file's bytes and store the model (replacing one of the same id, as H2O-3
    does, unless a job is using it)."""
    model, manifest = object_files.load(data, KIND)
    if not isinstance(model, Model):
        raise object_files.ObjectFileError("The file does not hold a model.")
    key = model_id or manifest["key"]
    model.key = key
    engine.store.put(key, model)
    return model


def _file_path(engine, given, action):
    if not given or not str(given).strip():
        raise InvalidArgument("dir", "Give the model file's path on the server's disk in 'dir'.")
    from h2odash.engine.engine import _local_path

    target = os.path.abspath(_local_path(str(given)))
    engine._check_allowed(target, given, action=action)
    return target


def refuse_cv_predictions(with_cv_predictions):
    if with_cv_predictions:
        raise NotImplementedFeature("export_cross_validation_predictions is not implemented by this engine: its "
                                    "model files hold the model alone; export the holdout predictions frame with "
                                    "h2o.export_file.", {"argument": "export_cross_validation_predictions"})
