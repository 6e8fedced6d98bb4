"""Readers for the formats Arrow's CSV reader does not cover: Excel .xlsx and SVMLight."""

import datetime

import numpy as np
import pyarrow as pa


def read_xlsx_rows(path, limit=None):
    """The first sheet of an .xlsx workbook as rows of strings (empty cells as '')."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            cells = [_xlsx_text(v) for v in row]
            while cells and cells[-1] == "":
                cells.pop()
            if not cells:
                continue
            rows.append(cells)
            if limit is not None and len(rows) >= limit:
                break
        return rows
    finally:
        book.close()


def _xlsx_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if value.time() != datetime.time() else value.strftime("%Y-%m-%d")
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m-%d")
    return str(value)


def rows_to_table(rows, names):
    """Rows of strings as an Arrow table of string columns (short rows padded with nulls)."""
    width = len(names)
    columns = [[] for _ in range(width)]
    for row in rows:
        if len(row) > width:
            raise ValueError(f"a row has {len(row)} cells where {width} columns were expected")
        for i in range(width):
            cell = row[i] if i < len(row) else ""
            columns[i].append(cell)
    return pa.table({name: pa.array(col, pa.string()) for name, col in zip(names, columns)})


def read_svmlight(stream, width, check_cancelled=None):
    """Parse SVMLight text (``label index:value ...``) into a dense float64 Arrow table.

    Column ``C1`` is the label, ``C{i+1}`` holds feature ``i``; absent features are 0, as
    the format means.
    """
    labels, rows, cols, vals = [], [], [], []
    for line_no, raw_line in enumerate(stream, start=1):
        line = raw_line.decode("utf-8", errors="replace").split("#", 1)[0].strip()
        if not line:
            continue
        tokens = line.split()
        try:
            labels.append(float(tokens[0]))
            for token in tokens[1:]:
                idx, val = token.split(":", 1)
                rows.append(len(labels) - 1)
                cols.append(int(idx))
                vals.append(float(val))
        except ValueError:
            raise ValueError(f"line {line_no} is not in SVMLight form 'label index:value ...': {line[:80]!r}")
        if check_cancelled is not None and line_no % 100000 == 0:
            check_cancelled()
    n = len(labels)
    if cols and max(cols) >= width:
        width = max(cols) + 1
    dense = np.zeros((n, width), dtype=np.float64)
    dense[:, 0] = labels
    if cols:
        dense[np.asarray(rows), np.asarray(cols)] = np.asarray(vals)
    return pa.table({f"C{i + 1}": dense[:, i] for i in range(width)})
