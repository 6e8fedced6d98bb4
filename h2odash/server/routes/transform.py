"""Changing frames: SplitFrame (random row split) and Rapids (H2O's expression language)."""

from h2odash.engine.frames import Frame
from h2odash.engine.rapids import Closure
from h2odash.server.endpoint import Endpoint
from h2odash.server.params import Param, Schema
from h2odash.server.schemas import envelope, job_v3, key_ref


def split_frame(call):
    p = call.params
    job = call.engine.split_frame(p["dataset"], p["ratios"], p.get("destination_frames"), p.get("seed", -1))
    names = p.get("destination_frames")
    return envelope("SplitFrameV3", "SplitFrame", key=key_ref(job.key, "Job"), dataset=key_ref(p["dataset"]),
                    ratios=p["ratios"], destination_frames=[key_ref(n) for n in names] if names else None,
                    job=job_v3(job))


def rapids(call):
    result = call.engine.rapids(call.params["ast"], call.params.get("session_id"))
    echo = {"ast": None, "session_id": None, "id": None}
    if isinstance(result, Frame):
        return envelope("RapidsFrameV3", **echo, key=key_ref(result.key or None), num_rows=result.nrows,
                        num_cols=result.ncols)
    if result is None:
        return envelope("RapidsNoneV3", **echo)
    if isinstance(result, str):
        return envelope("RapidsStringV3", **echo, string=result)
    if isinstance(result, list) and any(isinstance(item, str) for item in result):
        return envelope("RapidsStringsV3", **echo, string=[str(item) for item in result])
    if isinstance(result, list):
        return envelope("RapidsNumbersV3", **echo, scalar=[float(item) for item in result])
    if isinstance(result, Closure):
        return envelope("RapidsFunctionV3", **echo, funstr=None)
    return envelope("RapidsNumberV3", **echo, scalar=float(result))


ENDPOINTS = [
    Endpoint("POST", "/3/SplitFrame", split_frame, "Split a frame's rows at random by ratios (a job).",
             Schema("SplitFrameV3", (
                 Param("dataset", "key", required=True, help="Frame to split."),
                 Param("ratios", "floats", required=True, help="Fractions of the rows for each part but the last."),
                 Param("destination_frames", "keys", help="Names of the parts."),
                 Param("seed", "int", -1, help="Random seed (-1: a new one each time)."),
             )), "SplitFrameV3"),
    Endpoint("POST", "/99/Rapids", rapids, "Evaluate a Rapids expression (h2o-py's frame operations).",
             Schema("RapidsSchemaV3", (
                 Param("ast", "str", required=True, help="The expression, e.g. (assign f (:= f (as.factor (cols f [1])) [1] []))."),
                 Param("session_id", "str", help="Client session: its temporaries are removed when it ends."),
                 Param("id", "str", help="Accepted for H2O compatibility."),
             )), "RapidsSchemaV3"),
]
