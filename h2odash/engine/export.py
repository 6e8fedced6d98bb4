"""Frames written out as CSV (what ``/3/DownloadDataset`` streams and ``/3/Frames/{id}/export``
writes to disk) or Parquet: enums as their labels, times as epoch milliseconds, missing values as
empty fields, as H2O-3 writes them."""
from __future__ import annotations

import bz2
import gzip
import io
import os
from typing import Iterator

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from h2odash.engine.atomic import replacing
from h2odash.engine.errors import InvalidArgument
from h2odash.engine.frames import Frame

CSV_COMPRESSIONS = {None: open, "none": open, "gzip": gzip.open, "bzip2": bz2.open}


def plain_table(frame: Frame) -> pa.Table:
    """The frame's data as a file holds it: enum labels, epoch-millisecond times."""
    columns = []
    for kind, column in zip(frame.types, frame.table.columns):
        if kind == "enum":
            column = column.cast(pa.string())
        elif kind == "time":
            column = column.cast(pa.int64())
        columns.append(column)
    return pa.table(dict(zip(frame.names, columns)))


def csv_pieces(frame: Frame, separator: str = ",", header: bool = True, quote_header: bool = True,
               batch_rows: int = 65536) -> Iterator[bytes]:
    """The frame as CSV, ``batch_rows`` rows at a time (a download streams them)."""
    table = plain_table(frame)
    if header:
        cells = ['"' + n.replace('"', '""') + '"' if quote_header else n for n in table.column_names]
        yield (separator.join(cells) + "\n").encode()
    options = pacsv.WriteOptions(include_header=False, delimiter=separator, quoting_style="needed")
    for start in range(0, table.num_rows, batch_rows):
        buffer = io.BytesIO()
        pacsv.write_csv(table.slice(start, batch_rows), buffer, options)
        yield buffer.getvalue()


def check_target(path: str, force: bool):
    """Refuse a path that cannot be written: an existing file without ``force``, a missing folder."""
    if os.path.exists(path) and not force:
        raise InvalidArgument("path", f"File {path} already exists: set force to overwrite it.")
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        raise InvalidArgument("path", f"Cannot export to {path}: the folder {folder} does not exist.")


def export_frame(frame: Frame, path: str, file_format: str = "csv", force: bool = False, separator: str = ",",
                 header: bool = True, quote_header: bool = True, compression: str | None = None,
                 progress=None) -> str:
    """Write ``frame`` to ``path``: whole or not at all (see h2odash.engine.atomic)."""
    check_target(path, force)
    with replacing(path) as partial:
        if file_format == "parquet":
            pq.write_table(plain_table(frame), partial, compression=compression or "snappy")
        elif file_format == "csv":
            opener = CSV_COMPRESSIONS.get(compression)
            if opener is None:
                raise InvalidArgument("compression", f"Unknown compression '{compression}' for CSV: use none, gzip "
                                                     "or bzip2.")
            with opener(partial, "wb") as out:
                written = 0
                for piece in csv_pieces(frame, separator, header, quote_header):
                    out.write(piece)
                    written += 1
                    if progress is not None and frame.nrows:
                        progress(min(1.0, written * 65536 / frame.nrows))
        else:
            raise InvalidArgument("format", f"Unknown export format '{file_format}': use csv or parquet.")
    return path
