"""Changing frames: SplitFrame (random row split) and Rapids (the retyping subset)."""

from h2odash.engine.frames import Frame
from h2odash.server.endpoint import Endpoint
from h2odash.server.params import Param, Schema
from h2odash.server.schemas import envelope, job_v3, key_ref, meta


def split_frame(call):
    p = call.params
    job = call.engine.split_frame(p["dataset"], p["ratios"], p.get("destination_frames"), p.get("seed", -1))
    names = p.get("destination_frames")
    return envelope("SplitFrameV3", "SplitFrame", key=key_ref(job.key, "Job"), dataset=key_ref(p["dataset"]),
                    ratios=p["ratios"], destination_frames=[key_ref(n) for n in names] if names else None,
                    job=job_v3(job))


def rapids(call):
    result = call.engine.rapids(call.params["ast"])
    if isinstance(result, Frame):
        return {"__meta": meta("RapidsFrameV3"), "_exclude_fields": "", "key": key_ref(result.key or None),
                "num_rows": result.nrows, "num_cols": result.ncols}
    if result is None:
        return {"__meta": meta("RapidsNoneV3"), "_exclude_fields": ""}
    return {"__meta": meta("RapidsNumbersV3" if isinstance(result, list) else "RapidsNumberV3"),
            "_exclude_fields": "", "scalar": result}


ENDPOINTS = [
    Endpoint("POST", "/3/SplitFrame", split_frame, "Split a frame's rows at random by ratios (a job).",
             Schema("SplitFrameV3", (
                 Param("dataset", "key", required=True, help="Frame to split."),
                 Param("ratios", "floats", required=True, help="Fractions of the rows for each part but the last."),
                 Param("destination_frames", "keys", help="Names of the parts."),
                 Param("seed", "int", -1, help="Random seed (-1: a new one each time)."),
             )), "SplitFrameV3"),
    Endpoint("POST", "/99/Rapids", rapids, "Evaluate a Rapids expression (column retyping and selection subset).",
             Schema("RapidsSchemaV3", (
                 Param("ast", "str", required=True, help="The expression, e.g. (assign f (:= f (as.factor (cols f [1])) [1] []))."),
                 Param("session_id", "str", help="Client session (accepted; this engine keeps no session state)."),
                 Param("id", "str", help="Accepted for H2O compatibility."),
             )), "RapidsSchemaV3"),
]
