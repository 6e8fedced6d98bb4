"""Engine objects as H2O-3's JSON schemas (FrameV3, ColV3, JobV3, H2OErrorV3 ...).

The shapes follow what a real H2O-3 3.46 answers, so that H2O's own clients can read us.
NaN and infinities are written as the strings H2O writes ("NaN", "Infinity"), because bare
NaN is not JSON and browsers refuse it.
"""

import json
import math
import time

from h2odash.engine.frames import DEFAULT_PERCENTILES, EXTREMES, Frame
from h2odash.engine.parse_setup import HEADER_YES
from h2odash.engine.tables import Table, col

KEY_KINDS = {
    "Frame": ("FrameKeyV3", "Key<Frame>", "/3/Frames/"),
    "Job": ("JobKeyV3", "Key<Job>", "/3/Jobs/"),
    "Model": ("ModelKeyV3", "Key<Model>", "/3/Models/"),
    # H2O-3 gives grids and AutoML runs no URL in their keys.
    "Grid": ("GridKeyV3", "Key<Grid>", None),
    "AutoML": ("AutoMLKeyV3", "Key<AutoML>", None),
    "PartialDependence": ("PartialDependenceKeyV3", "Key<PartialDependence>", "/3/PartialDependence/"),
    "SegmentModels": ("SegmentModelsKeyV3", "Key<SegmentModels>", None),
}


def meta(schema_name, schema_type="Iced", version=3):
    return {"schema_version": version, "schema_name": schema_name, "schema_type": schema_type}


def envelope(schema_name, schema_type="Iced", **fields):
    """A top-level H2O response: ``__meta``, ``_exclude_fields``, then the fields."""
    return {"__meta": meta(schema_name, schema_type), "_exclude_fields": "", **fields}


def key_ref(name, kind="Frame"):
    """A key object: H2O writes the URL unescaped, and so do we."""
    if name is None:
        return None
    schema_name, key_type, prefix = KEY_KINDS[kind]
    return {"__meta": meta(schema_name, key_type), "name": name, "type": key_type,
            "URL": prefix + name if prefix else None}


# -- frames ---------------------------------------------------------------------------------
def frame_synopsis(obj, compatible_models=None):
    body = {
        "__meta": meta("FrameSynopsisV3"),
        "_exclude_fields": "",
        "frame_id": key_ref(obj.key),
        "byte_size": obj.byte_size,
        "is_text": obj.is_text,
        "rows": obj.nrows if not obj.is_text else obj.byte_size,
        "columns": obj.ncols if not obj.is_text else 1,
    }
    if compatible_models is not None:
        body["compatible_models"] = compatible_models
    return body


def frame_v3(frame, row_offset, row_count, column_offset, column_count, with_summary=False):
    """FrameV3 for a window of rows and columns of a parsed frame."""
    total_cols = frame.ncols
    first = min(column_offset, total_cols)
    last = total_cols if column_count is None or column_count < 0 else min(total_cols, first + column_count)
    first_row = min(row_offset, frame.nrows)
    shown_rows = frame.nrows - first_row if row_count < 0 else min(row_count, frame.nrows - first_row)
    columns = [
        col_v3(frame, i, first_row, shown_rows, with_summary) for i in range(first, last)
    ]
    return {
        "__meta": meta("FrameV3", "Frame"),
        "_exclude_fields": "",
        "frame_id": key_ref(frame.key),
        "byte_size": frame.byte_size,
        "is_text": False,
        "row_offset": first_row,
        "row_count": shown_rows,
        "column_offset": first,
        "column_count": last - first,
        "full_column_count": total_cols,
        "total_column_count": total_cols,
        "checksum": frame.checksum(),
        "rows": frame.nrows,
        "num_columns": total_cols,
        "default_percentiles": list(DEFAULT_PERCENTILES),
        "compatible_models": None,
        "columns": columns,
        "chunk_summary": two_dim_table(_chunk_summary(frame)),
        "distribution_summary": two_dim_table(_distribution_summary(frame)),
    }


def _chunks_per_column(frame):
    return max((c.num_chunks for c in frame.table.columns), default=0)


def _chunk_summary(frame):
    """H2O-3's "Chunk compression summary" (``describe(chunk_summary=True)``): the engine keeps
    every column as Arrow arrays, so there is one kind of chunk."""
    chunks = _chunks_per_column(frame) * frame.ncols
    return Table("Chunk compression summary", [
        col("chunk_type", "string"), col("chunk_name", "string"), col("count", "int"),
        col("count_percentage", "float"), col("size", "string"), col("size_percentage", "float"),
    ], [["Arrow", "Arrow array", chunks, 100.0, _bytes_text(frame.byte_size), 100.0]])


def _distribution_summary(frame):
    """H2O-3's "Frame distribution summary": how the frame is spread over nodes (one here)."""
    per_column = _chunks_per_column(frame)
    row = [_bytes_text(frame.byte_size), float(frame.nrows), float(per_column), float(per_column * frame.ncols)]
    return Table("Frame distribution summary", [
        col("", "string", fmt="%s"), col("size", "string"), col("number_of_rows", "float"),
        col("number_of_chunks_per_column", "float"), col("number_of_chunks", "float"),
    ], [["embedded", *row], ["total", *row]])


def _bytes_text(size):
    """A byte count as H2O prints one (``7.4 KB``)."""
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024


def col_v3(frame, col, row_offset, row_count, with_summary):
    kind = frame.types[col]
    stats = frame.stats(col)
    data, string_data = frame.preview(col, row_offset, row_count)
    domain = frame.domain(col)
    body = {
        "__meta": meta("ColV3", "Vec"),
        "label": frame.names[col],
        "missing_count": stats.missing_count,
        "zero_count": stats.zero_count,
        "positive_infinity_count": stats.positive_infinity_count,
        "negative_infinity_count": stats.negative_infinity_count,
        "mins": _padded(stats.mins),
        "maxs": _padded(stats.maxs),
        "mean": stats.mean,
        "sigma": stats.sigma,
        "type": kind,
        "domain": domain,
        "domain_cardinality": len(domain) if domain is not None else 0,
        "data": data,
        "string_data": string_data,
        "precision": 0 if kind == "real" else -1,
        "histogram_bins": None,
        "histogram_base": 0.0,
        "histogram_stride": 0.0,
        "percentiles": None,
    }
    if with_summary:
        summary = frame.summary(col)
        if summary is not None:
            body["histogram_bins"] = summary.histogram_bins
            body["histogram_base"] = summary.histogram_base
            body["histogram_stride"] = summary.histogram_stride
            body["percentiles"] = summary.percentiles
    return body


def _padded(values):
    """H2O always shows five extremes, padding with NaN when a column has fewer values."""
    return list(values) + [math.nan] * (EXTREMES - len(values))


def raw_frame_v3(raw):
    """A raw (unparsed) file shown as H2O shows one: a frame of its bytes, without the bytes."""
    return {
        "__meta": meta("FrameV3", "Frame"),
        "_exclude_fields": "",
        "frame_id": key_ref(raw.key),
        "byte_size": raw.byte_size,
        "is_text": True,
        "row_offset": 0,
        "row_count": 0,
        "column_offset": 0,
        "column_count": 0,
        "full_column_count": 0,
        "total_column_count": 0,
        "checksum": 0,
        "rows": raw.byte_size,
        "num_columns": 1,
        "default_percentiles": list(DEFAULT_PERCENTILES),
        "compatible_models": None,
        "columns": [],
    }


def frames_v3(frames, **request):
    """The FramesV3 envelope around one or more frame bodies (GET /3/Frames/{id})."""
    return envelope(
        "FramesV3",
        "Frames",
        row_offset=request.get("row_offset", 0),
        row_count=request.get("row_count", -1),
        column_offset=request.get("column_offset", 0),
        full_column_count=-1,
        column_count=request.get("column_count", -1),
        job=None,
        frames=frames,
    )


def frame_body(obj, **window):
    if isinstance(obj, Frame):
        return frame_v3(obj, **window)
    return raw_frame_v3(obj)


# -- jobs -----------------------------------------------------------------------------------
def job_v3(job):
    return {
        "__meta": meta("JobV3", "Job"),
        "key": key_ref(job.key, "Job"),
        "description": job.description,
        "status": job.status,
        "progress": float(job.progress),
        "progress_msg": job.progress_msg,
        "start_time": job.start_time,
        "msec": job.msec,
        "dest": key_ref(job.dest_key, job.dest_kind),
        "warnings": list(job.warnings) or None,
        "exception": job.exception,
        "stacktrace": job.stacktrace,
        "auto_recoverable": False,
        "ready_for_view": job.status == "DONE",
    }


def jobs_v3(jobs, job_id=None):
    return envelope("JobsV3", job_id=key_ref(job_id, "Job"), jobs=[job_v3(j) for j in jobs])


# -- files and parsing ----------------------------------------------------------------------
def parse_setup_v3(setup):
    return envelope(
        "ParseSetupV3",
        "ParseSetup",
        source_frames=[key_ref(k) for k in setup.source_frames],
        parse_type=setup.parse_type,
        separator=setup.separator,
        single_quotes=setup.single_quotes,
        check_header=setup.check_header,
        column_names=setup.column_names if setup.check_header == HEADER_YES or setup.column_names else None,
        skipped_columns=setup.skipped_columns,
        column_types=setup.column_types,
        na_strings=setup.na_strings,
        column_name_filter=None,
        column_offset=0,
        column_count=0,
        destination_frame=setup.destination_frame,
        header_lines=1 if setup.check_header == HEADER_YES else 0,
        number_columns=setup.number_columns,
        data=setup.data,
        warnings=setup.warnings or None,
        chunk_size=setup.chunk_size,
        total_filtered_column_count=setup.number_columns,
        custom_non_data_line_markers=None,
        decrypt_tool=None,
        partition_by=None,
        escapechar=setup.escapechar,
        force_col_types=False,
        tz_adjust_to_local=False,
    )


def parse_v3(request, job):
    body = envelope(
        "ParseV3",
        destination_frame=key_ref(job.dest_key),
        source_frames=[key_ref(k) for k in request["source_frames"]],
    )
    for name in ("parse_type", "separator", "single_quotes", "check_header", "number_columns",
                 "column_names", "column_types", "skipped_columns", "na_strings", "chunk_size",
                 "delete_on_done", "blocking"):
        body[name] = request.get(name)
    body["job"] = job_v3(job)
    return body


def import_files_v3(result, schema_name, **echo):
    return envelope(
        schema_name,
        schema_name[:-2],
        **echo,
        files=result.files,
        destination_frames=result.destination_frames,
        fails=result.fails,
        dels=result.dels,
    )


# -- tables ---------------------------------------------------------------------------------
def two_dim_table(table):
    """TwoDimTableV3: H2O stores a table column by column."""
    if table is None:
        return None
    return {
        "__meta": meta("TwoDimTableV3", "TwoDimTable"),
        "name": table.name,
        "description": table.description,
        "columns": [
            {"__meta": meta("ColumnSpecsBase", version=-1), "name": c.name, "type": c.type,
             "format": c.format, "description": c.description}
            for c in table.columns
        ],
        "rowcount": len(table.rows),
        "data": [[row[i] for row in table.rows] for i in range(len(table.columns))],
    }


# -- errors ---------------------------------------------------------------------------------
def error_v3(status, msg, url, exception_type, values=None, dev_msg=None, stacktrace=None):
    return {
        "__meta": meta("H2OErrorV3", "H2OError"),
        "timestamp": int(time.time() * 1000),
        "error_url": url,
        "msg": msg,
        "dev_msg": dev_msg or msg,
        "http_status": status,
        "values": values or {},
        "exception_type": exception_type,
        "exception_msg": msg,
        "stacktrace": stacktrace or [],
    }


# -- encoding -------------------------------------------------------------------------------
def _finite(value):
    if isinstance(value, float) and not math.isfinite(value):
        if math.isnan(value):
            return "NaN"
        return "Infinity" if value > 0 else "-Infinity"
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def to_json_bytes(body):
    """Encode a response body; non-finite floats become H2O's strings."""
    try:
        return json.dumps(body, allow_nan=False, separators=(",", ":")).encode()
    except ValueError:
        return json.dumps(_finite(body), allow_nan=False, separators=(",", ":")).encode()
