"""POST /3/ParseSetup (guess how to parse) and POST /3/Parse (parse, as a job).

Both take the seed's one-step form (``source_frames`` and maybe ``destination_frame``, the
rest guessed) and real H2O-3's full form (what ParseSetup answered, possibly edited).
"""

from h2odash.engine.errors import InvalidArgument
from h2odash.server.endpoint import Endpoint
from h2odash.server.params import Param, Schema
from h2odash.server.schemas import parse_setup_v3, parse_v3

# Parse options the engine takes from the caller; everything else is guessed.
_SETUP_FIELDS = (
    "parse_type", "separator", "single_quotes", "check_header", "column_names", "column_types",
    "na_strings", "skipped_columns", "escapechar",
)


def _given(params):
    given = {name: params.get(name) for name in _SETUP_FIELDS}
    given["separator"] = _separator(params.get("separator"))
    given["escapechar"] = _separator(params.get("escapechar"), "escapechar") or None
    return given


def _separator(value, argument="separator"):
    """H2O sends separators as character codes ("44"); people write the character (",")."""
    if value is None or value == "":
        return None
    if isinstance(value, int):
        code = value
    elif value.isdigit():  # a code, as H2O clients send it (tab is "9")
        code = int(value)
    elif len(value) == 1:
        code = ord(value)
    elif value in ("\\t", "tab"):
        code = 9
    else:
        raise InvalidArgument(argument, f"{argument} must be one character or its character code; got {value!r}.")
    if code == 0 and argument == "escapechar":
        return 0  # H2O's way of saying "no escape character"
    if not 0 < code < 256:
        raise InvalidArgument(argument, f"{argument} must be a character code between 1 and 255; got {code}.")
    return code


def parse_setup(call):
    params = call.params
    setup = call.engine.parse_setup(params["source_frames"], **_given(params))
    return parse_setup_v3(setup)


def parse(call):
    params = call.params
    given = _given(params)
    if params.get("number_columns") and params.get("column_names"):
        if params["number_columns"] != len(params["column_names"]):
            raise InvalidArgument("number_columns", "number_columns does not match the number of column_names.")
    job = call.engine.parse(
        params["source_frames"],
        destination_frame=params.get("destination_frame"),
        delete_on_done=params["delete_on_done"],
        **given,
    )
    if params["blocking"]:
        job.wait()
    return parse_v3(params, job)


_COMMON = (
    Param("source_frames", "keys", required=True, help="Raw frames (imported or uploaded files) to parse."),
    Param("parse_type", "enum", None, values=("GUESS", "CSV", "PARQUET", "XLSX", "SVMLight"),
          help="File format; guessed when not given."),
    Param("separator", "str", help="Field separator: a character or its code (44 is ',')."),
    Param("single_quotes", "bool", False, help="Quote fields with ' instead of \"."),
    Param("check_header", "int", None, help="1: the first line is a header, -1: it is data, 0: guess."),
    Param("column_names", "strs", help="Names of the columns."),
    Param("column_types", "strs", help="Types of the columns: Numeric, Enum, String, Time or UUID."),
    Param("na_strings", "str_lists", help="Tokens read as missing values."),
    Param("skipped_columns", "ints", help="Indices of columns to leave out."),
    Param("escapechar", "str", help="Character that escapes a quote inside a quoted field."),
    Param("destination_frame", "key", help="Name of the frame to create; derived from the file name if not given."),
    Param("number_columns", "int", help="Number of columns (as ParseSetup reported)."),
    Param("chunk_size", "int", help="Accepted for H2O compatibility; the engine sizes its own blocks."),
)
# H2O-3 options accepted when left at their defaults, refused otherwise (not implemented).
_TOLERATED = {
    "column_name_filter": (), "column_offset": ("0",), "column_count": ("0",),
    "total_filtered_column_count": (), "custom_non_data_line_markers": (), "decrypt_tool": (),
    "partition_by": (), "force_col_types": ("false",), "tz_adjust_to_local": ("false",),
    "header_lines": (), "data": (), "warnings": (), "domains": (),
}

_PARSE_SETUP = Schema("ParseSetupV3", _COMMON, _TOLERATED)
_PARSE = Schema("ParseV3", _COMMON + (
    Param("delete_on_done", "bool", True, help="Delete the raw frames once parsed."),
    Param("blocking", "bool", False, help="Answer only when the parse has finished."),
), _TOLERATED)

ENDPOINTS = [
    Endpoint("POST", "/3/ParseSetup", parse_setup,
             "Guess how to parse raw files: format, separator, header, column names and types.",
             _PARSE_SETUP, "ParseSetupV3"),
    Endpoint("POST", "/3/Parse", parse, "Parse raw files into a frame (a job).", _PARSE, "ParseV3"),
]
