"""Bringing data in: ImportFiles (server paths), ImportFilesMulti, and PostFile (uploads)."""

import os

from starlette.concurrency import run_in_threadpool

from h2odash.engine.errors import InvalidArgument, NotFound
from h2odash.server.endpoint import Endpoint
from h2odash.server.params import Param, Schema
from h2odash.server.schemas import import_files_v3

_COPY_CHUNK = 1 << 20


def import_files(call):
    path, pattern = call.params["path"], call.params["pattern"]
    result = call.engine.import_files([path], pattern)
    _refuse_missing(result)
    return import_files_v3(result, "ImportFilesV3", path=path, pattern=pattern)


def import_files_multi(call):
    paths, pattern = call.params["paths"], call.params["pattern"]
    if not paths:
        raise InvalidArgument("paths", "paths must list at least one file or folder.")
    result = call.engine.import_files(paths, pattern)
    _refuse_missing(result)
    return import_files_v3(result, "ImportFilesMultiV3", paths=paths, pattern=pattern)


def _refuse_missing(result):
    # Like H2O-3, a path that does not exist fails the whole import (404), so a typo is
    # never mistaken for an empty folder.
    if result.missing:
        missing = result.missing[0]
        raise NotFound(f"File {missing} does not exist.", {"argument": "path", "name": missing})
    # Unreadable files of a folder are skipped and listed in ``fails`` (as H2O-3 lists them);
    # when nothing at all could be read, the import is refused saying which.
    if result.fails and not result.files:
        shown = ", ".join(result.fails[:10]) + (f" and {len(result.fails) - 10} more" if len(result.fails) > 10 else "")
        raise InvalidArgument("path", f"Could not read {len(result.fails)} file(s): {shown}.")


async def post_file(call):
    """Store the request body (raw bytes, or the file part of a multipart form) as a raw frame."""
    request, engine = call.request, call.engine
    limit = call.settings.max_upload_bytes
    spool = engine.new_spool_file()
    filename = None
    try:
        if "multipart/form-data" in request.headers.get("content-type", ""):
            filename, total = await _save_multipart(request, spool, limit)
        else:
            total = await _save_stream(request, spool, limit)
        if total == 0:
            raise InvalidArgument("file", "The upload is empty: send the file's bytes as the request body.")
        raw = await run_in_threadpool(
            engine.add_upload, spool, call.params["destination_frame"], filename
        )
    except BaseException:
        _remove(spool)
        raise
    return {"destination_frame": raw.key, "total_bytes": total}


post_file.streams_body = True


async def _save_stream(request, spool, limit):
    total = 0
    with open(spool, "wb") as out:
        async for chunk in request.stream():
            total += len(chunk)
            if total > limit:
                raise InvalidArgument("file", f"The upload is larger than the limit of {limit} bytes.")
            out.write(chunk)
    return total


async def _save_multipart(request, spool, limit):
    form = await request.form(max_part_size=limit)
    try:
        parts = [v for v in form.values() if hasattr(v, "read")]
        if not parts:
            raise InvalidArgument("file", "The multipart upload has no file part.")
        part = parts[0]
        total = 0
        with open(spool, "wb") as out:
            while chunk := await part.read(_COPY_CHUNK):
                total += len(chunk)
                if total > limit:
                    raise InvalidArgument("file", f"The upload is larger than the limit of {limit} bytes.")
                out.write(chunk)
        return part.filename, total
    finally:
        await form.close()


def _remove(path):
    try:
        os.remove(path)
    except OSError:
        pass


_IMPORT = Schema("ImportFilesV3", (
    Param("path", "str", required=True, help="A file or folder on the server's disk."),
    Param("pattern", "str", help="Regular expression the names of a folder's files must match."),
))
_IMPORT_MULTI = Schema("ImportFilesMultiV3", (
    Param("paths", "strs", required=True, help="Files or folders on the server's disk."),
    Param("pattern", "str", help="Regular expression the names of a folder's files must match."),
))
_POST_FILE = Schema("PostFileV3", (
    Param("destination_frame", "str", help="Key of the raw frame to create (generated if not given)."),
))

ENDPOINTS = [
    Endpoint("GET", "/3/ImportFiles", import_files, "Import a file or the files of a folder from the server's disk.",
             _IMPORT, "ImportFilesV3"),
    Endpoint("POST", "/3/ImportFiles", import_files, "Import a file or the files of a folder from the server's disk.",
             _IMPORT, "ImportFilesV3"),
    Endpoint("POST", "/3/ImportFilesMulti", import_files_multi, "Import several files or folders from the server's disk.",
             _IMPORT_MULTI, "ImportFilesMultiV3"),
    Endpoint("POST", "/3/PostFile", post_file, "Upload a file (raw request body or multipart form) as a raw frame.",
             _POST_FILE, "PostFileV3"),
    # h2o.upload_model sends the model file here, then names the key to /99/Models.upload.bin
    Endpoint("POST", "/3/PostFile.bin", post_file, "Upload a binary file (a model file) as a raw frame.",
             _POST_FILE, "PostFileV3"),
]
