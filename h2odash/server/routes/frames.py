"""Frames: list, view a window of rows and columns with statistics, summary, delete, download."""

from starlette.concurrency import iterate_in_threadpool
from starlette.responses import StreamingResponse

from h2odash.engine.errors import InvalidArgument
from h2odash.engine.frames import Frame
from h2odash.server.endpoint import Endpoint
from h2odash.server.params import Param, Schema
from h2odash.server.schemas import envelope, frame_body, frame_synopsis, frames_v3

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
    chunks = iterate_in_threadpool(frame_csv_chunks(frame))
    filename = key.replace('"', "")
    return StreamingResponse(
        chunks, media_type="text/csv", headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'}
    )


def frame_csv_chunks(frame, batch_rows=65536):
    import io

    import pyarrow as pa
    import pyarrow.csv as pacsv

    table = frame.table
    columns = []
    for kind, column in zip(frame.types, table.columns):
        if kind == "enum":
            column = column.cast(pa.string())
        elif kind == "time":
            column = column.cast(pa.int64())
        columns.append(column)
    table = pa.table(dict(zip(frame.names, columns)))
    for start in range(0, max(table.num_rows, 1), batch_rows):
        buffer = io.BytesIO()
        pacsv.write_csv(
            table.slice(start, batch_rows), buffer,
            pacsv.WriteOptions(include_header=start == 0, quoting_style="needed"),
        )
        yield buffer.getvalue()


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
