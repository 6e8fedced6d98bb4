"""SegmentModelsBuilders: one model per segment of a training frame (a job)."""

from h2odash.engine import algos
from h2odash.engine.segments import start_segment_models
from h2odash.server.endpoint import Endpoint
from h2odash.server.params import Param, ParamError, Schema, convert, is_absent
from h2odash.server.routes.model_builders import decode_model_parameters
from h2odash.server.schemas import job_v3

# Fields of a segments request that are not the algorithm's parameters.
_SEGMENT_FIELDS = ("segment_columns", "segments", "segment_models_id", "parallelism")


def train_segments(call):
    algorithm = algos.get(call.params["algo"])
    raw = {k: v for k, v in call.params.items() if k != "algo" and k not in _SEGMENT_FIELDS}
    given = decode_model_parameters(algorithm, raw)
    fields = {name: convert(Param(name, kind), call.params[name]) for name, kind in
              (("segment_columns", "strs"), ("segments", "key"), ("segment_models_id", "key"), ("parallelism", "int"))
              if not is_absent(call.params.get(name))}
    if fields.get("parallelism", 1) < 1:
        raise ParamError("parallelism", "Parameter 'parallelism' has to be a positive number.")
    job = start_segment_models(call.engine, algorithm.name, given, fields.get("segment_columns"),
                               fields.get("segments"), fields.get("segment_models_id"))
    # H2O-3 answers with the job itself (JobV3), not wrapped.
    return job_v3(job)


_ALGO = Param("algo", "str", required=True, help="Algorithm of the segments' models: gbm, drf, glm ...")

ENDPOINTS = [
    Endpoint("POST", "/3/SegmentModelsBuilders/{algo}", train_segments,
             "Train one model per segment (distinct values of segment_columns, or rows of a segments frame); "
             "a job whose result lists each segment's model, status and errors.",
             Schema("SegmentModelsParametersV3", (_ALGO,), open=True), "JobV3"),
]
