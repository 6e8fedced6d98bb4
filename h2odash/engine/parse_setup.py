"""Guessing how to parse raw files: format, separator, header, column names and types.

This is H2O's ParseSetup. It reads only the first part of a file (decompressed), so it is
fast on any size, and every guess can be overridden by the caller before parsing.
"""

import csv
import io
import os
import re
from dataclasses import dataclass, field, replace

import pyarrow.parquet as pq

from h2odash.engine.errors import InvalidArgument

# H2O's names for the column types a parse can produce.
COLUMN_TYPES = ("Numeric", "Enum", "String", "Time", "UUID")
PARSE_TYPES = ("CSV", "PARQUET", "XLSX", "SVMLight", "GUESS")
# Separators tried, in order of preference when several fit equally well.
SEPARATORS = (",", "\t", ";", "|", " ")
# Tokens read as missing in every column unless the user gives their own.
DEFAULT_NA_STRINGS = ("", "NA", "N/A", "NaN", "nan", "null", "NULL", "None")
HEADER_YES, HEADER_NO, HEADER_GUESS = 1, -1, 0
PREVIEW_ROWS = 10
SAMPLE_BYTES = 1 << 20
CHUNK_SIZE = 4194304
# Compression and data-format extensions dropped when naming the parsed frame.
_ARCHIVE_EXTENSIONS = (".gz", ".bz2", ".zip")
_DATA_EXTENSIONS = (".csv", ".svm", ".orc", ".arff")  # as H2O-3 strips them

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf|infinity|Inf|Infinity|INF)$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_SVMLIGHT_LINE = re.compile(r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?(\s+\d+:[^\s:]+)+\s*(#.*)?$")
# Date and date-time layouts recognised as Time columns (strptime formats).
TIME_FORMATS = (
    "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S.%f", "%Y/%m/%d", "%Y/%m/%d %H:%M:%S", "%m/%d/%Y", "%m/%d/%Y %H:%M:%S",
    "%d-%b-%Y", "%d-%b-%Y %H:%M:%S",
)
_TIME_PATTERNS = tuple(
    re.compile("^" + re.escape(f).replace("%Y", r"\d{4}").replace("%m", r"\d{1,2}")
               .replace("%d", r"\d{1,2}").replace("%H", r"\d{1,2}").replace("%M", r"\d{2}")
               .replace("%S", r"\d{2}").replace("%f", r"\d{1,9}").replace("%b", r"[A-Za-z]{3}") + "$")
    for f in TIME_FORMATS
)


@dataclass
class ParseSetup:
    """Everything a parse needs to know; what POST /3/ParseSetup answers and /3/Parse takes."""

    source_frames: list
    parse_type: str = "CSV"
    separator: int = ord(",")
    single_quotes: bool = False
    check_header: int = HEADER_GUESS
    column_names: list = None
    column_types: list = None
    na_strings: list = None
    skipped_columns: list = None
    number_columns: int = 0
    destination_frame: str = ""
    data: list = field(default_factory=list)
    escapechar: int = 0
    chunk_size: int = CHUNK_SIZE
    warnings: list = field(default_factory=list)

    @property
    def separator_char(self):
        return chr(self.separator)

    @property
    def has_header(self):
        return self.check_header == HEADER_YES


def guess_setup(raws, **given):
    """Guess a :class:`ParseSetup` for raw files, honouring whatever the caller fixed.

    Parameters
    ----------
    raws : list of RawFile
        The sources, all of the same layout; the first one is sampled.
    **given
        ParseSetup fields the caller already knows (``separator``, ``check_header``,
        ``column_types``...). ``None`` means "guess it".
    """
    if not raws:
        raise InvalidArgument("source_frames", "At least one source frame is required.")
    given = {k: v for k, v in given.items() if v is not None}
    first = raws[0]
    parse_type = given.get("parse_type") or "GUESS"
    if parse_type not in PARSE_TYPES:
        raise InvalidArgument(
            "parse_type", f"Unknown parse_type '{parse_type}'. Use one of: {', '.join(PARSE_TYPES)}."
        )
    container = first.container()
    if parse_type == "GUESS":
        parse_type = _guess_parse_type(first, container)
    if parse_type == "PARQUET":
        setup = _parquet_setup(first)
    else:
        rows, separator = _sample_rows(first, container, parse_type, given)
        setup = _text_setup(first, parse_type, rows, separator, given)
    setup.source_frames = [r.key for r in raws]
    setup.destination_frame = given.get("destination_frame") or destination_name(first.display_name)
    return _apply_given(setup, given)


def destination_name(filename):
    """The frame name H2O gives a parsed file: its base name, cleaned, with ``.hex``."""
    name = os.path.basename(filename)
    lower = name.lower()
    for ext in _ARCHIVE_EXTENSIONS:
        if lower.endswith(ext):
            name, lower = name[: -len(ext)], lower[: -len(ext)]
            break
    for ext in _DATA_EXTENSIONS:
        if lower.endswith(ext):
            name = name[: -len(ext)]
            break
    name = re.sub(r"[^A-Za-z0-9_]", "_", name) or "frame"
    if name[0].isdigit():
        name = "X" + name
    return name + ".hex"


def _guess_parse_type(raw, container):
    if container == "parquet":
        return "PARQUET"
    if container == "xlsx":
        return "XLSX"
    head = _text_head(raw, 64 * 1024)
    lines = [ln for ln in head.splitlines()[:20] if ln.strip()]
    if lines and all(_SVMLIGHT_LINE.match(ln.strip()) for ln in lines):
        return "SVMLight"
    return "CSV"


def _text_head(raw, size=SAMPLE_BYTES):
    """The start of a text file as str; refuses files that are not text."""
    try:
        data = raw.head(size)
    except (OSError, EOFError, ValueError) as exc:
        raise InvalidArgument(
            "source_frames", f"Cannot read '{raw.display_name}': {exc}"
        ) from exc
    if not data.strip():
        raise InvalidArgument(
            "source_frames", f"The file '{raw.display_name}' is empty: there is nothing to parse."
        )
    if _looks_binary(data):
        raise InvalidArgument(
            "source_frames",
            f"The file '{raw.display_name}' does not look like text (CSV, TSV, SVMLight), "
            "nor like Parquet or Excel .xlsx. Is it a supported format?",
        )
    text = data.decode("utf-8", errors="replace")
    if len(data) == size:
        # Drop the last, probably cut, line.
        text = text[: text.rfind("\n") + 1] or text
    return text.lstrip("\ufeff")


def _looks_binary(data):
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 13))
    try:
        sample.decode("utf-8")
        bad_utf8 = False
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the sample's end is not a sign of binary data.
        bad_utf8 = exc.start < len(sample) - 4
    return control > len(sample) * 0.01 or bad_utf8


def _sample_rows(raw, container, parse_type, given):
    """The first rows of a text or spreadsheet source as lists of strings, and the separator."""
    if parse_type == "XLSX":
        if container != "xlsx":
            raise InvalidArgument("parse_type", f"'{raw.display_name}' is not an Excel .xlsx file.")
        from h2odash.engine.readers import read_xlsx_rows

        return read_xlsx_rows(raw.path, limit=1000), ","
    text = _text_head(raw)
    if parse_type == "SVMLight":
        return [ln.split() for ln in text.splitlines()[:1000] if ln.strip()], " "
    sep = given.get("separator")
    sep = chr(_separator_code(sep)) if sep is not None else None
    quote = "'" if given.get("single_quotes") else '"'
    lines = text.splitlines()[:1000]
    if sep is None:
        sep = _guess_separator(lines, quote)
    return _split(lines, sep, quote), sep


def _split(lines, sep, quote):
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=sep, quotechar=quote,
                        skipinitialspace=sep == " ")
    return [row for row in reader if row and any(cell.strip() for cell in row)]


def _guess_separator(lines, quote):
    """The separator that splits the sample into the most columns, consistently."""
    best, best_score = ",", (0, 0)
    sample = [ln for ln in lines[:200] if ln.strip()]
    for sep in SEPARATORS:
        counts = [len(r) for r in _split(sample, sep, quote)]
        if not counts or max(counts) < 2:
            continue
        modal = max(set(counts), key=counts.count)
        agreement = counts.count(modal) / len(counts)
        score = (agreement >= 0.9, modal if agreement >= 0.9 else agreement)
        if score > best_score:
            best, best_score = sep, score
    return best


def _text_setup(raw, parse_type, rows, separator, given):
    if not rows:
        raise InvalidArgument(
            "source_frames", f"The file '{raw.display_name}' is empty: there is nothing to parse."
        )
    na = set(DEFAULT_NA_STRINGS)
    if parse_type == "SVMLight":
        return _svmlight_setup(rows)
    counts = [len(r) for r in rows[:PREVIEW_ROWS * 10]]
    # The usual row width, not the widest: one ragged line must not invent a column.
    width = max(set(counts), key=counts.count)
    header = given.get("check_header", HEADER_GUESS)
    if header == HEADER_GUESS:
        header = HEADER_YES if _guess_header(rows, na) else HEADER_NO
    body = rows[1:] if header == HEADER_YES else rows
    names = _column_names(rows[0], width) if header == HEADER_YES else [f"C{i + 1}" for i in range(width)]
    known = given.get("column_types")
    if known is not None and len(known) == width:
        types = list(known)   # a full setup (POST /3/Parse after ParseSetup): nothing to guess
    else:
        types = [_guess_type([r[i] for r in body if i < len(r)], na) for i in range(width)]
    return ParseSetup(
        source_frames=[],
        parse_type=parse_type,
        separator=ord(separator),
        check_header=header,
        column_names=names,
        column_types=types,
        number_columns=width,
        data=[list(r) for r in body[:PREVIEW_ROWS]],
    )


def _svmlight_setup(rows):
    width = 1
    for row in rows:
        for token in row[1:]:
            if token.startswith("#"):
                break
            width = max(width, int(token.split(":", 1)[0]) + 1)
    preview = []
    for row in rows[:PREVIEW_ROWS]:
        values = ["0"] * width
        values[0] = row[0]
        for token in row[1:]:
            if token.startswith("#"):
                break
            idx, val = token.split(":", 1)
            values[int(idx)] = val
        preview.append(values)
    return ParseSetup(
        source_frames=[], parse_type="SVMLight", separator=-1, check_header=HEADER_NO,
        column_names=[f"C{i + 1}" for i in range(width)], column_types=["Numeric"] * width,
        number_columns=width, data=preview,
    )


def _parquet_setup(raw):
    try:
        parquet = pq.ParquetFile(raw.path)
    except Exception as exc:
        raise InvalidArgument("source_frames", f"Cannot read Parquet file '{raw.display_name}': {exc}")
    schema = parquet.schema_arrow
    preview = next(parquet.iter_batches(batch_size=PREVIEW_ROWS), None)
    sample = next(parquet.iter_batches(batch_size=1000), None)
    types = []
    for i, arrow_type in enumerate(schema.types):
        types.append(_parquet_type(arrow_type, sample.column(i).to_pylist() if sample is not None else []))
    data = []
    if preview is not None:
        columns = [[_cell_text(v) for v in preview.column(i).to_pylist()] for i in range(preview.num_columns)]
        data = [list(row) for row in zip(*columns)]
    return ParseSetup(
        source_frames=[], parse_type="PARQUET", separator=ord("|"), check_header=HEADER_YES,
        column_names=list(schema.names), column_types=types, number_columns=len(schema.names),
        data=data,
    )


def _parquet_type(arrow_type, sample):
    import pyarrow as pa

    if pa.types.is_boolean(arrow_type) or pa.types.is_dictionary(arrow_type):
        return "Enum"
    if pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type) or pa.types.is_decimal(arrow_type):
        return "Numeric"
    if pa.types.is_timestamp(arrow_type) or pa.types.is_date(arrow_type):
        return "Time"
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return _guess_type([v for v in sample if v is not None], set())
    raise InvalidArgument("source_frames", f"Parquet columns of type {arrow_type} are not supported.")


def _cell_text(value):
    return "" if value is None else str(value)


def _guess_header(rows, na):
    """A first row of labels above data: no numbers in it where the data has numbers."""
    if len(rows) < 2:
        return all(not _is_number(c) and c.strip() for c in rows[0])
    first, body = rows[0], rows[1:]
    if any(_is_number(c) or not c.strip() for c in first):
        return False
    if len(set(first)) != len(first):
        return False
    for i, label in enumerate(first):
        column = [r[i] for r in body if i < len(r)]
        kind = _guess_type(column, na)
        if kind in ("Numeric", "Time", "UUID"):
            return True
    # All columns are text: a header when its labels never occur in the data below.
    return all(label not in {r[i] for r in body if i < len(r)} for i, label in enumerate(first))


def _column_names(first, width):
    names, seen = [], set()
    for i in range(width):
        name = first[i].strip() if i < len(first) and first[i].strip() else f"C{i + 1}"
        base, n = name, 1
        while name in seen:
            n += 1
            name = f"{base}{n}"
        seen.add(name)
        names.append(name)
    return names


def _is_number(text):
    return bool(_NUMBER.match(text.strip()))


def _guess_type(values, na):
    """The H2O type that fits a sample of a column's texts."""
    present = [v.strip() for v in values if v.strip() not in na]
    if not present:
        return "Numeric"
    numeric = sum(1 for v in present if _is_number(v))
    if numeric == len(present) or (numeric >= 0.95 * len(present) and len(present) >= 20):
        return "Numeric"
    if all(_UUID.match(v) for v in present):
        return "UUID"
    # pandas writes a missing time as "NaT" (h2o-py's uploads of DataFrames do): not a value
    times = [v for v in present if v != "NaT"]
    if times:
        for pattern in _TIME_PATTERNS:
            if all(pattern.match(v) for v in times):
                return "Time"
        if all(any(p.match(v) for p in _TIME_PATTERNS) for v in times):
            return "Time"
    unique = len(set(present))
    # Mostly distinct values (names, free text, ids) are strings; repeated levels are enums.
    if len(present) >= 3 and unique >= 0.9 * len(present):
        return "String"
    return "Enum"


def _apply_given(setup, given):
    """Overlay the caller's fixed choices on the guess, checking each one."""
    updates = {}
    width = setup.number_columns
    if "separator" in given:
        updates["separator"] = _separator_code(given["separator"])
    if "check_header" in given:
        if given["check_header"] not in (HEADER_YES, HEADER_NO, HEADER_GUESS):
            raise InvalidArgument("check_header", "check_header must be 1 (header), -1 (no header) or 0 (guess).")
    if given.get("column_names"):
        names = list(given["column_names"])
        if len(names) != width:
            raise InvalidArgument(
                "column_names", f"column_names has {len(names)} names but the data has {width} columns."
            )
        if len(set(names)) != len(names):
            raise InvalidArgument("column_names", "column_names must be distinct.")
        updates["column_names"] = names
    if given.get("column_types"):
        types = [normalize_column_type(t) for t in given["column_types"]]
        if len(types) != width:
            raise InvalidArgument(
                "column_types", f"column_types has {len(types)} types but the data has {width} columns."
            )
        updates["column_types"] = types
    if "na_strings" in given:
        updates["na_strings"] = given["na_strings"]
    if "skipped_columns" in given:
        skipped = list(given["skipped_columns"])
        if any(not isinstance(i, int) or i < 0 or i >= width for i in skipped):
            raise InvalidArgument("skipped_columns", f"skipped_columns must be column indices in [0, {width}).")
        if len(set(skipped)) >= width:
            raise InvalidArgument("skipped_columns", "skipped_columns would skip every column.")
        updates["skipped_columns"] = skipped
    for name in ("single_quotes", "escapechar"):
        if name in given:
            updates[name] = given[name]
    return replace(setup, **updates)


def _separator_code(value):
    if isinstance(value, str):
        if len(value) != 1:
            raise InvalidArgument("separator", "separator must be one character or its character code.")
        return ord(value)
    if not isinstance(value, int) or not 0 < value < 256:
        raise InvalidArgument("separator", "separator must be one character or its character code (1-255).")
    return value


def normalize_column_type(name):
    """H2O type names in any case ('enum', 'Categorical', 'real') to the ParseSetup spelling."""
    aliases = {
        "numeric": "Numeric", "real": "Numeric", "int": "Numeric", "long": "Numeric", "float": "Numeric",
        "double": "Numeric", "enum": "Enum", "categorical": "Enum", "factor": "Enum",
        "string": "String", "str": "String", "time": "Time", "date": "Time", "uuid": "UUID",
    }
    kind = aliases.get(str(name).strip().lower())
    if kind is None:
        raise InvalidArgument(
            "column_types", f"Unknown column type '{name}'. Use one of: {', '.join(COLUMN_TYPES)}."
        )
    return kind
