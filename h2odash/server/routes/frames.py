"""Frames: list, view a window of rows and columns with statistics, summary, delete, download."""

from starlette.concurrency import iterate_in_threadpool
from starlette.responses import StreamingResponse

from h2odash.engine.errors import InvalidArgument
from h2odash.engine.export import csv_pieces
from h2odash.engine.frames import Frame
from h2odash.server.endpoint import Endpoint
from h2odash.server.params import Param, Schema
from h2odash.server.schemas import envelope, frame_body, frame_synopsis, frames_v3, job_v3

# A frame's JSON view is for looking at data; whole frames go through /3/DownloadDataset.
MAX_ROWS_SHOWN = 100_000


def list_frames(call):
    engine = call.engine
    with_models = call.params["find_compatible_models"]
    frames = [
        frame_synopsis(f, engine.compatible_models(f) if with_models else None) for f in engine.frames()
    ]
    return envelope("FramesListV3", "Frames", frames=frames)


def _window(params):
    for name in ("row_offset", "column_offset"):
        if params[name] < 0:
            raise InvalidArgument(name, f"{name} must be 0 or more; got {params[name]}.")
    if params["row_count"] > MAX_ROWS_SHOWN:
        raise InvalidArgument(
            "row_count",
            f"row_count can be at most {MAX_ROWS_SHOWN}; download whole frames with /3/DownloadDataset.",
        )
    return {name: params[name] for name in ("row_offset", "row_count", "column_offset", "column_count")}


def get_frame(call):
    window = _window(call.params)
    obj = call.engine.frame(call.params["frame_id"], "frame_id")
    return frames_v3([frame_body(obj, **window)], **window)


def get_frame_summary(call):
    window = _window(call.params)
    obj = call.engine.frame(call.params["frame_id"], "frame_id")
    return frames_v3([frame_body(obj, with_summary=True, **window)], **window)


def delete_frame(call):
    call.engine.delete_frame(call.params["frame_id"])
    return envelope("FramesV3", "Frames", frames=None)


def download_frame(call):
    """The whole frame as CSV, streamed (enums as their labels, times as epoch ms)."""
    key = call.params["frame_id"]
    frame = call.engine.store.get(key, Frame, "frame_id")
    chunks = iterate_in_threadpool(csv_pieces(frame))
    filename = key.replace('"', "")
    return StreamingResponse(
        chunks, media_type="text/csv", headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'}
    )


def export_frame(call):
    p = call.params
    job = call.engine.export_frame(p["frame_id"], p["path"], file_format=p["format"], force=p["force"],
                                   separator=chr(p["separator"]), header=p["header"], quote_header=p["quote_header"],
                                   compression=p.get("compression"))
    return {**frames_v3([]), "job": job_v3(job)}


_FRAME_ID = Param("frame_id", "key", required=True, help="Key of the frame.")
_WINDOW = (
    _FRAME_ID,
    Param("row_offset", "int", 0, help="First row to show."),
    Param("row_count", "int", 10, help="Number of rows to show (-1: all)."),
    Param("column_offset", "int", 0, help="First column to show."),
    Param("column_count", "int", -1, help="Number of columns to show (-1: all)."),
    Param("full_column_count", "int", -1, help="Accepted for H2O compatibility."),
)

ENDPOINTS = [
    Endpoint("POST", "/3/Frames/{frame_id}/export", export_frame,
             "Write a frame to a file on the server's disk, as CSV or Parquet (a job; whole or not at all).",
             Schema("FramesV3", (
                 _FRAME_ID,
                 Param("path", "str", required=True, help="The file to write, on the server's disk."),
                 Param("force", "bool", False, help="Overwrite the file if it exists."),
                 Param("format", "enum", "csv", values=("csv", "parquet"), help="File format."),
                 Param("separator", "int", 44, help="Field separator, as a character code (CSV)."),
                 Param("header", "bool", True, help="Write the column names first (CSV)."),
                 Param("quote_header", "bool", True, help="Quote the column names (CSV)."),
                 Param("compression", "str", help="none, gzip or bzip2 (CSV); snappy, gzip, zstd... (Parquet)."),
             ),
             # one file, written by one writer; h2o-py asks for a checksum file by default, which
             # H2O-3 writes for its own parallel exports and this engine (one file, renamed whole) does not
             tolerated={"num_parts": ("1",), "parallel": ("false",), "write_checksum": ("true", "false"),
                        "tz_adjust_from_local": ("false",)}),
             "FramesV3"),
    Endpoint("GET", "/3/Frames", list_frames, "List all frames (parsed frames and raw files).",
             Schema("FramesListV3", (Param("find_compatible_models", "bool", False,
                                           help="Also list the models each frame can be scored by."),)),
             "FramesListV3"),
    Endpoint("GET", "/3/Frames/{frame_id}/summary", get_frame_summary,
             "A frame with column statistics, histograms and percentiles.",
             Schema("FramesV3", _WINDOW), "FramesV3"),
    # h2o.get_frame(id, light=True): the same view (H2O-3 then skips rollups it has not yet
    # computed; the engine's are cheap and cached).
    Endpoint("GET", "/3/Frames/{frame_id}/light", get_frame,
             "A frame: rows and columns in a window, with per-column statistics.",
             Schema("FramesV3", _WINDOW), "FramesV3"),
    Endpoint("GET", "/3/Frames/{frame_id}", get_frame,
             "A frame: rows and columns in a window, with per-column statistics.",
             Schema("FramesV3", _WINDOW), "FramesV3"),
    Endpoint("DELETE", "/3/Frames/{frame_id}", delete_frame, "Delete a frame.",
             Schema("FramesV3", (_FRAME_ID,)), "FramesV3"),
    Endpoint("GET", "/3/DownloadDataset", download_frame, "Download a whole frame as CSV.",
             Schema("DownloadDataV3", (_FRAME_ID, Param("hex_string", "bool", False, help="Ignored."),
                                       Param("escape_quotes", "bool", False,
                                             help="Quotes inside text are always doubled, as CSV readers expect."))),
             "DownloadDataV3"),
]
