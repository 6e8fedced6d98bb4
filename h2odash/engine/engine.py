"""The engine's front door: one object that the server calls for every data operation."""

import os
import re
import stat
import tempfile
import time
import uuid

import pyarrow as pa

from h2odash.engine.errors import Forbidden, InvalidArgument, Locked
from h2odash.engine.frames import Frame
from h2odash.engine.jobs import Job, JobRunner
from h2odash.engine.parse import check_fits_in_memory, parse_frame
from h2odash.engine.parse_setup import guess_setup
from h2odash.engine.sessions import Sessions
from h2odash.engine.sources import RawFile
from h2odash.engine.store import Store


class ImportResult:
    """What an import found: files imported, their raw keys, paths that failed, keys replaced.

    ``missing`` lists the given paths that do not exist; ``fails`` lists those and the files of a
    folder that could not be read (dangling links, no permission), which the import skips.
    """

    def __init__(self):
        self.files, self.destination_frames, self.fails, self.dels = [], [], [], []
        self.missing = []


class Engine:
    """Frames, raw files and jobs of one embedded H2O-style node.

    Parameters
    ----------
    cloud_name : str
        The name the node reports in /3/Cloud.
    spool_dir : str, optional
        Where uploads are written before parsing; a private temporary folder by default.
    data_roots : list of str, optional
        When given, only files inside these folders (after resolving symlinks) can be imported.
    workspace : Workspace, optional
        A folder that keeps frames, models and AutoML runs across restarts; what it holds is
        loaded now (see h2odash.engine.workspace).
    """

    # A folder import that finds more files than this is refused: it is almost surely a typo
    # (importing "/" would walk the whole disk).
    MAX_FILES_PER_IMPORT = 10_000

    def __init__(self, cloud_name="h2odash", spool_dir=None, data_roots=None, workspace=None):
        self.cloud_name = cloud_name
        self.data_roots = [os.path.realpath(r) for r in (data_roots or [])]
        self.started_at = time.time()
        self.store = Store()
        self.jobs = JobRunner(self.store)
        self.sessions = Sessions(self.store)
        # Metrics of each (model, frame) pair scored, as H2O-3 keeps them for GET /3/ModelMetrics:
        # (model key, frame key) -> (metrics dict, scoring time in ms).
        self.scored_metrics = {}
        # Rapids' (setTimeZone ...): how time columns are read and shown
        self.time_zone = "UTC"
        self.spool_dir = spool_dir or tempfile.mkdtemp(prefix="h2odash-uploads-")
        self.workspace = workspace
        self.restored = None
        if workspace is not None:
            self.restored = workspace.open(self.store, self.jobs)
            self.store.keeper = workspace

    # -- files ---------------------------------------------------------------------------
    def import_files(self, paths, pattern=None):
        """Register files (or the files of folders) as raw frames, without reading them."""
        if isinstance(paths, str):
            paths = [paths]
        matcher = _compile_pattern(pattern)
        result = ImportResult()
        for given in paths:
            path = _local_path(given)
            self._check_allowed(path, given)
            if not os.path.exists(path):
                result.missing.append(given)
                result.fails.append(given)
                continue
            found = _files_under(path, matcher, self.MAX_FILES_PER_IMPORT)
            for file_path in found:
                self._check_allowed(file_path, file_path)
            for file_path in found:
                try:
                    raw = _readable_raw_file(file_path)
                except OSError:
                    result.fails.append(file_path)
                    continue
                key = raw.key
                if key in self.store:
                    result.dels.append(key)
                self.store.put(key, raw)
                result.files.append(file_path)
                result.destination_frames.append(key)
        return result

    def _check_allowed(self, path, given, action="import"):
        """Refuse paths that resolve (through ``..`` or symlinks) outside the data roots."""
        if not self.data_roots:
            return
        real = os.path.realpath(path)
        if not any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in self.data_roots):
            verb = "reads" if action == "import" else "writes"
            raise Forbidden(
                f"Cannot {action} '{given}': this server only {verb} files inside its data directories "
                f"({', '.join(self.data_roots)}).", {"argument": "path", "name": str(given)},
            )

    def add_upload(self, spool_path, destination_frame=None, filename=None):
        """Keep an uploaded file (already written to ``spool_path``) as a raw frame."""
        key = destination_frame or f"upload_{uuid.uuid4().hex}"
        raw = RawFile(key, spool_path, owned=True, display_name=filename or key)
        try:
            self.store.put(key, raw)
        except Exception:
            raw.release()
            raise
        return raw

    def new_spool_file(self):
        """A fresh path in the upload folder for the server to stream a request body into."""
        return os.path.join(self.spool_dir, uuid.uuid4().hex)

    # -- parsing -------------------------------------------------------------------------
    def raw_files(self, keys):
        return [self.store.get(k, RawFile, "source_frames") for k in keys]

    def parse_setup(self, source_frames, **given):
        return guess_setup(self.raw_files(source_frames), **given)

    def parse(self, source_frames, destination_frame=None, delete_on_done=True, **given):
        """Start a parse job; whatever the caller left out of the setup is guessed.

        Returns the :class:`Job`; its ``dest_key`` is the frame it will create.
        """
        raws = self.raw_files(source_frames)
        check_fits_in_memory(raws)
        setup = guess_setup(raws, destination_frame=destination_frame, **given)
        destination = setup.destination_frame
        if destination in source_frames:
            raise InvalidArgument("destination_frame", "destination_frame must differ from the source frames.")
        if self.store.is_locked(destination):
            raise InvalidArgument("destination_frame", f"'{destination}' is in use by a running job.")
        job = Job("Parse", destination, "Frame", locks=[r.key for r in raws])

        def work(job):
            frame = parse_frame(raws, setup, destination, job)
            job.check_cancelled()
            self.store.put(destination, frame)
            # The reader's scratch buffers are free now; hand them back rather than let the
            # allocator keep several hundred MB that the frame does not use.
            pa.default_memory_pool().release_unused()
            return frame

        def drop_sources(job):
            for raw in raws:
                if self.store.find(raw.key) is raw and not self.store.is_locked(raw.key):
                    self.delete_frame(raw.key)

        return self.jobs.start(job, work, after=drop_sources if delete_on_done else None)

    # -- frames --------------------------------------------------------------------------
    def frame(self, key, argument="key"):
        """A parsed frame or a raw file under ``key``."""
        return self.store.get(key, (Frame, RawFile), argument)

    def frames(self):
        return self.store.values((Frame, RawFile))

    def compatible_models(self, frame):
        """Keys of the stored models whose input columns the frame has."""
        names = set(frame.names) if isinstance(frame, Frame) else set()
        return [
            obj.key for obj in self.store.values()
            if getattr(obj, "is_model", False) and set(obj.input_columns) <= names
        ]

    def delete_frame(self, key):
        obj = self.store.delete(key, (Frame, RawFile))
        if isinstance(obj, RawFile):
            obj.release()
        return obj

    def export_frame(self, key, path, **options):
        """Write a frame to ``path`` on the server's disk (a job; see h2odash.engine.export)."""
        from h2odash.engine.export import check_target, export_frame

        frame = self.store.get(key, Frame, "frame_id")
        target = _local_path(path)
        self._check_allowed(target, path, action="write")
        # At the request, as H2O-3 refuses it; the job checks again when it writes.
        check_target(target, options.get("force", False))
        job = Job("Export", key, "Frame", locks=[key])
        return self.jobs.start(job, lambda job: export_frame(frame, target, progress=job.update, **options))

    def split_frame(self, key, ratios, destination_frames=None, seed=-1):
        """Split a frame's rows at random into len(ratios) + 1 frames (the last takes the rest).

        Returns the Job; the frames exist when it is DONE.
        """
        import numpy as np

        frame = self.store.get(key, Frame, "dataset")
        ratios = [float(r) for r in ratios or []]
        if not ratios or any(not 0 < r < 1 for r in ratios) or sum(ratios) >= 1 + 1e-9:
            raise InvalidArgument("ratios", "ratios must be numbers in (0, 1) that add up to less than 1 "
                                            "(the last part takes the remaining rows).")
        parts = len(ratios) + 1 if sum(ratios) < 1 - 1e-9 else len(ratios)
        names = list(destination_frames or [f"{key}_part{i}" for i in range(parts)])
        if len(names) != parts:
            raise InvalidArgument("destination_frames", f"Give {parts} destination frame names, one per part.")
        job = Job("SplitFrame", names[0], "Frame", locks=[key])
        rng_seed = None if seed in (None, -1) else int(seed)

        def work(job):
            draw = np.random.default_rng(rng_seed).random(frame.nrows)
            edges = np.concatenate([[0.0], np.cumsum(ratios), [np.inf]])[: parts + 1]
            edges[-1] = np.inf
            for i, name in enumerate(names):
                rows = np.nonzero((draw >= edges[i]) & (draw < edges[i + 1]))[0]
                self.store.put(name, Frame(name, frame.table.take(rows), frame.types))
                job.update((i + 1) / parts, f"Wrote {name}")
            return names

        return self.jobs.start(job, work)

    def rapids(self, expression, session=None):
        """Evaluate a Rapids expression for a client ``session`` (see h2odash.engine.rapids)."""
        from h2odash.engine.rapids import Interpreter

        return Interpreter(self, session).run(expression)

    # -- models --------------------------------------------------------------------------
    def train(self, algo, params):
        """Start training ``algo`` with decoded request parameters; returns the Job."""
        from h2odash.engine import algos
        from h2odash.engine.training import start_training

        algorithm = algos.get(algo)
        # An algorithm that is not fitted on rows (a stacked ensemble) starts its own job.
        if hasattr(algorithm, "start_training"):
            return algorithm.start_training(self, params)
        return start_training(self, algorithm, params)

    def validate_parameters(self, algo, params):
        """Check a training request without training (ModelBuilders/{algo}/parameters)."""
        from h2odash.engine import algos
        from h2odash.engine.training import prepare

        return prepare(self, algos.get(algo), params)

    def model(self, key, argument="model_id"):
        from h2odash.engine.models import Model

        return self.store.get(key, Model, argument)

    def models(self):
        from h2odash.engine.models import Model

        return self.store.values(Model)

    def delete_model(self, key):
        """Delete a model and the frames its training made beside it (as H2O-3 does)."""
        from h2odash.engine.models import Model

        deleted = self.store.delete(key, Model, "model_id")
        for frame_key in deleted.output_frames:
            if self.store.find(frame_key) is not None and not self.store.is_locked(frame_key):
                self.store.delete(frame_key)
        return deleted

    def remove(self, key):
        """Remove whatever is stored under ``key`` (``DELETE /3/DKV/{key}``): a model with the
        frames its training made, a frame, or anything else; refused while a job uses it."""
        from h2odash.engine.models import Model

        found = self.store.get(key)
        if isinstance(found, Model):
            self.delete_model(key)
        elif isinstance(found, (Frame, RawFile)):
            self.delete_frame(key)
        else:
            self.store.delete(key)
        self.sessions.forget(key)

    def remove_all(self, retained=()):
        """Remove everything stored but ``retained`` keys (``DELETE /3/DKV``); refused, with
        nothing removed, while a running job holds any of it."""
        keep = set(retained or ())
        doomed = [key for key in self.store.keys() if key not in keep]
        busy = [key for key in doomed if self.store.is_locked(key)]
        if busy:
            raise Locked(f"Cannot remove everything while a job is using {', '.join(sorted(busy)[:5])}: "
                         "wait for it or cancel it first.")
        for key in doomed:
            if key in self.store:
                self.remove(key)
        return doomed

    def predict(self, model_key, frame_key, destination=None, options=None, keep_predictions=True, auc_type=None):
        """Score a frame; returns (predictions frame, metrics or None when there are none).

        ``options`` are the Predictions switches that change what is predicted
        (reconstruction_error, deep_features_hidden_layer, ...); unset ones are ignored.
        The predictions frame is stored unless ``keep_predictions`` is false (scoring only for
        the metrics, as ``POST /3/ModelMetrics`` does). Metrics are remembered for
        :meth:`metrics_of`. ``auc_type``, when given, replaces the model's for these metrics.
        """
        started = int(time.time() * 1000)
        model = self.model(model_key, "model")
        frame = self.store.get(frame_key, Frame, "frame")
        if model.status != "DONE":
            raise InvalidArgument("model", f"Model '{model_key}' is still training; wait for its job to finish.")
        # "is", not "in": deep_features_hidden_layer=0 is a layer, though 0 == False.
        options = {name: value for name, value in (options or {}).items() if value is not None and value is not False}
        destination = destination or f"predictions_{uuid.uuid4().hex[:4]}_{model_key}_on_{frame_key}"
        predictions, scored = self._score(model, frame, destination, options, auc_type)
        if keep_predictions:
            self.store.put(destination, predictions)
        if scored is not None:
            self.scored_metrics[(model.key, frame_key)] = (scored, started)
        return predictions, scored

    def contributions(self, model_key, frame_key, destination=None, request=None, background_key=None,
                      as_job=True):
        """Feature contributions (SHAP) of a model on a frame (see h2odash.engine.contributions).

        As a job (the default; its dest is the contributions frame; the job fails, saying why,
        when the model cannot answer the request) or at once (``as_job`` false: returns the
        stored frame, or refuses the request)."""
        from h2odash.engine.contributions import Request, check_format, check_request, contributions_frame

        model = self.model(model_key, "model")
        frame = self.store.get(frame_key, Frame, "frame")
        background = self.store.get(background_key, Frame, "background_frame") if background_key else None
        if model.status != "DONE":
            raise InvalidArgument("model", f"Model '{model_key}' is still training; wait for its job to finish.")
        request = request or Request()
        if not as_job:
            check_request(model, request, background)
        check_format(request)
        destination = destination or f"contributions_{uuid.uuid4().hex[:5]}_{model_key}_on_{frame_key}"

        def work(job=None):
            # As a job, what the model cannot do fails the job with the reason, as in H2O-3.
            result = contributions_frame(model, frame, destination, request, background,
                                         progress=job.update if job is not None else None)
            self.store.put(destination, result)
            return result

        if not as_job:
            return work()
        locks = [model.key, frame_key] + ([background_key] if background_key else [])
        return self.jobs.start(Job("Contributions", destination, "Frame", locks=locks), work)

    def partial_dependence(self, model_key, frame_key, request, destination=None):
        """Start a partial dependence job (see h2odash.engine.partial_dependence); its dest is
        the result, read back with :meth:`partial_dependence_result`."""
        from h2odash.engine.partial_dependence import PartialDependenceResult, check_request, partial_dependence

        model = self.model(model_key, "model_id")
        frame = self.store.get(frame_key, Frame, "frame_id")
        if model.status != "DONE":
            raise InvalidArgument("model_id", f"Model '{model_key}' is still training; wait for its job to finish.")
        check_request(model, frame, request)
        destination = destination or f"PartialDependence_{uuid.uuid4().hex[:12]}"
        result = PartialDependenceResult(destination, model.key, frame_key, request)
        self.store.put(destination, result)

        def work(job):
            result.tables = partial_dependence(model, frame, request, progress=job.update,
                                               check_cancelled=job.check_cancelled)
            return result

        return self.jobs.start(Job("PartialDependence", destination, "PartialDependence",
                                   locks=[model.key, frame_key]), work)

    def partial_dependence_result(self, key):
        from h2odash.engine.partial_dependence import PartialDependenceResult

        return self.store.get(key, PartialDependenceResult, "name")

    def _score(self, model, frame, destination, options, auc_type=None):
        from h2odash.engine.model_data import holds_response, response_values, usable_rows, weight_values
        from h2odash.engine.training import model_metrics

        if options or not model.supervised:
            X = model.layout(frame)   # once, for the predictions and the metrics
            predictions = model.predictions_frame(destination, model.predict_columns(X, options))
            scored = None
            if not model.supervised:
                scored = model.fitted.metrics(X, weight_values(frame, model.spec))
            return predictions, scored
        raw = model.predict_raw(frame)
        predictions = model.predictions_frame(destination, raw)
        scored = None
        spec = model.spec
        if holds_response(frame, spec):
            y, w = response_values(frame, spec), weight_values(frame, spec)
            rows = usable_rows(y, w, spec.response_domain is not None)
            if len(rows):
                params = model.params if auc_type is None else {**model.params, "auc_type": auc_type}
                scored = model_metrics(spec, params, y[rows], raw[rows], w[rows], model.fitted)
        return predictions, scored

    def metrics_of(self, model_key=None, frame_key=None):
        """Remembered metrics ``[(model, frame key, metrics, scoring time)]`` of the models and
        frames that still exist, narrowed to one model and/or one frame."""
        from h2odash.engine.models import Model

        found = []
        for (m_key, f_key), (scored, when) in list(self.scored_metrics.items()):
            model, frame = self.store.find(m_key), self.store.find(f_key)
            if not isinstance(model, Model) or not isinstance(frame, Frame):
                self.scored_metrics.pop((m_key, f_key), None)   # one of them was deleted since
                continue
            if model_key in (None, m_key) and frame_key in (None, f_key):
                found.append((model, f_key, scored, when))
        return found

    # -- jobs ----------------------------------------------------------------------------
    def job(self, key):
        return self.jobs.get(key)

    def cancel_job(self, key):
        return self.jobs.cancel(key)

    def shutdown(self):
        self.jobs.shutdown()


def _local_path(given):
    if not isinstance(given, str) or not given.strip():
        raise InvalidArgument("path", "path must be a non-empty file or folder path.")
    if "\x00" in given:
        raise InvalidArgument("path", "path must not contain a NUL character.")
    path = given.strip()
    for prefix in ("file://", "nfs://"):
        if path.startswith(prefix):
            path = "/" + path[len(prefix):].lstrip("/")
    if re.match(r"^[a-z][a-z0-9+.-]*://", path):
        raise InvalidArgument(
            "path", f"Cannot import '{given}': only files on the server's disk can be imported."
        )
    return os.path.abspath(os.path.expanduser(path))


def _compile_pattern(pattern):
    if not pattern:
        return None
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise InvalidArgument("pattern", f"pattern is not a valid regular expression: {exc}.")


def _readable_raw_file(file_path):
    """A raw frame for a file this process can read, or ``OSError`` (a dangling link, no
    permission, a pipe or device that opening could block on)."""
    if not stat.S_ISREG(os.stat(file_path).st_mode):
        raise OSError(f"{file_path} is not a regular file")
    if not os.access(file_path, os.R_OK):
        raise PermissionError(f"{file_path} is not readable")
    key = "nfs:/" + file_path if file_path.startswith("/") else "nfs://" + file_path
    return RawFile(key, file_path)


def _files_under(path, matcher, limit):
    """The files a path names: itself, or the visible files of a folder, matching the pattern."""
    if os.path.isfile(path):
        candidates = [path]
    else:
        candidates = []
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            candidates.extend(os.path.join(root, f) for f in sorted(files) if not f.startswith("."))
            if len(candidates) > limit:
                raise InvalidArgument(
                    "path", f"'{path}' holds more than {limit} files; import a smaller folder or use a pattern."
                )
    if matcher is None:
        return candidates
    return [p for p in candidates if matcher.fullmatch(os.path.basename(p)) or matcher.fullmatch(p)]
