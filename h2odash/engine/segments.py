"""Segment models: one model per segment (group of rows) of a training frame, as H2O-3's
SegmentModelsBuilder builds them.

The segments are the distinct value combinations of ``segment_columns`` in the training frame
(sorted, as H2O-3's group-by gives them), or the rows of a frame of segments the request names.
Each segment's model is trained by the usual training framework on the rows of the training
(and validation) frame that match it, in the segments job, one after another; a segment whose
model is refused or fails does not stop the others, and its errors are kept in H2O-3's words
("ERRR on field: _min_rows: ...").  The result (:class:`SegmentModels`) reads as a frame of the
segment columns followed by ``model``, ``status``, ``errors`` and ``warnings``
(:meth:`SegmentModels.as_frame`, Rapids' ``segment_models_as_frame``).
"""

import itertools
import os

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from h2odash.engine import algos
from h2odash.engine.builds import SubJob, build_model
from h2odash.engine.errors import IllegalModelArguments, InvalidArgument, JobCancelled
from h2odash.engine.frames import Frame
from h2odash.engine.jobs import Job
from h2odash.engine.training import builder_errors

# H2O-3's Job.JobStatus, the levels of the status column (sorted, as every enum column here).
STATUSES = tuple(sorted(("PENDING", "RUNNING", "SUCCEEDED", "STOPPED", "FAILED")))

_SESSION = os.getpid()
_counter = itertools.count(1)


class SegmentModels:
    """The models of one segments job: the segments (a frame of the segment columns) and, per
    segment, its model key, status, errors and warnings."""

    def __init__(self, key, segments):
        self.key = key
        self.segments = segments
        self.results = [None] * segments.nrows

    def as_frame(self, key):
        """The segments followed by model, status, errors and warnings, one row per segment
        (all missing for a segment not built yet)."""
        results = [r or {} for r in self.results]

        def text(name):
            return pa.array([r.get(name) for r in results], pa.string())

        codes = pa.array([STATUSES.index(r["status"]) if r else None for r in results], pa.int32())
        table = self.segments.table
        for name, column in (("model", text("model")),
                             ("status", pa.DictionaryArray.from_arrays(codes, pa.array(STATUSES))),
                             ("errors", text("errors")), ("warnings", text("warnings"))):
            table = table.append_column(name, column)
        return Frame(key, table, self.segments.types + ["string", "enum", "string", "string"])


def segments_frame(train, segment_columns, given=None):
    """The segments: the rows of ``given`` (a Frame), or the sorted distinct combinations of
    ``segment_columns`` in ``train``. Segment columns must be categorical or integer."""
    source = given if given is not None else train
    names = list(segment_columns or (given.names if given is not None else ()))
    if not names:
        raise InvalidArgument("segment_columns", "Give segment_columns (the columns to segment by) or segments "
                                                 "(a frame of segments).")
    for name in names:
        if name not in source.names:
            raise InvalidArgument("segment_columns", f"Column '{name}' is not in frame '{source.key}'.")
        if name not in train.names:
            raise InvalidArgument("segments", f"Segment column '{name}' is not in the training frame '{train.key}'.")
        kind = source.types[source.names.index(name)]
        if kind not in ("enum", "int"):
            raise InvalidArgument("segment_columns", f"Columns to segment by can only be categorical or integer; "
                                                     f"'{name}' is {kind}.")
    table = source.table.select(names)
    if given is None:
        # Distinct combinations, in H2O-3's group-by order: by each column's level code or value.
        keys = [_sort_key(table.column(name)) for name in names]
        order = np.lexsort(keys[::-1])
        combos = np.column_stack(keys)[order] if len(order) else np.empty((0, len(names)))
        first = np.ones(len(order), dtype=bool)
        first[1:] = (combos[1:] != combos[:-1]).any(axis=1)
        table = table.take(pa.array(order[first]))
    types = [source.types[source.names.index(name)] for name in names]
    return Frame(f"{source.key}_segments", table.combine_chunks(), types)


def _sort_key(column):
    """Numbers that order a column as H2O-3's group-by does: level codes or values, missing last."""
    if pa.types.is_dictionary(column.type):
        column = column.combine_chunks().indices
    missing = pc.is_null(column).to_numpy(zero_copy_only=False)
    values = pc.fill_null(column, 0).to_numpy(zero_copy_only=False).astype(float)
    return np.where(missing, np.inf, values)


def segment_rows(frame, segments, index):
    """The rows of ``frame`` in segment ``index``: equal to the segment in every segment column
    (categorical columns by level name), missing where the segment is missing."""
    mask = np.ones(frame.nrows, dtype=bool)
    for name in segments.names:
        wanted = segments.table.column(name)[index].as_py()
        column = frame.table.column(name)
        if pa.types.is_dictionary(column.type):
            column = column.cast(pa.string())
        if wanted is None:
            matches = pc.is_null(column)
        else:
            matches = pc.fill_null(pc.equal(column, pa.scalar(wanted, column.type)), False)
        mask &= matches.to_numpy(zero_copy_only=False)
    return np.nonzero(mask)[0]


def start_segment_models(engine, algo, given, segment_columns=None, segments_key=None, segment_models_id=None):
    """Check a segments request, then start its job; returns the Job (dest: the SegmentModels).

    ``given`` are the algorithm's parameters, as for a single model (training_frame included).
    """
    algorithm = algos.get(algo)
    params = algorithm.parameters.resolve(given)
    train = engine.store.get(params["training_frame"], Frame, "training_frame")
    valid = engine.store.get(params["validation_frame"], Frame, "validation_frame") \
        if params.get("validation_frame") else None
    given_segments = engine.store.get(segments_key, Frame, "segments") if segments_key else None
    segments = segments_frame(train, segment_columns, given_segments)
    key = segment_models_id or f"{algos.prefix(algorithm.name)}_segment_models_{_SESSION}_{next(_counter)}"
    if engine.store.is_locked(key):
        raise InvalidArgument("segment_models_id", f"Segment models '{key}' are being built by a running job.")
    result = SegmentModels(key, segments)
    job = Job(f"{algos.prefix(algorithm.name)} Segment Models Build", key, "SegmentModels",
              locks=[key, train.key] + ([valid.key] if valid is not None else []))
    engine.store.put(key, result)

    def work(job):
        n = segments.nrows
        for index in range(n):
            job.update(index / n, f"Segment {index + 1} of {n}")
            result.results[index] = _build_segment(engine, algorithm, given, train, valid, result, index,
                                                   SubJob(job, index / n, 1 / n))
        return result

    return engine.jobs.start(job, work)


def _build_segment(engine, algorithm, given, train, valid, result, index, job):
    """Train the model of segment ``index`` on its rows; its outcome as a result row."""
    model_id = f"{result.key}_{index}"
    frames = {}
    for name, frame in (("training_frame", train), ("validation_frame", valid)):
        if frame is not None:
            rows = segment_rows(frame, result.segments, index)
            frames[name] = Frame(f"{frame.key}_segment_{index}", frame.table.take(pa.array(rows)), frame.types)
            engine.store.put(frames[name].key, frames[name])
    try:
        with builder_errors(algorithm, model_id):
            build_model(engine, algorithm, {**given, **{n: f.key for n, f in frames.items()}}, job,
                        model_id=model_id)
        return {"model": model_id, "status": "SUCCEEDED", "errors": None, "warnings": None}
    except JobCancelled:
        raise
    except IllegalModelArguments as error:
        return {"model": model_id, "status": "FAILED", "errors": error.details, "warnings": None}
    except Exception as error:  # a segment's failure is its row's, as in H2O-3; the others go on
        return {"model": model_id, "status": "FAILED", "errors": f"{type(error).__name__}: {error}",
                "warnings": None}
    finally:
        # As H2O-3, the segment's frames are dropped once its model is built.
        for frame in frames.values():
            engine.store.delete(frame.key)
