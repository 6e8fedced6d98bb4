"""Utility endpoints h2o-py's tests use: LogAndEcho, CreateFrame (a random frame) and
MissingInserter (random missing cells), the last two as jobs."""

import logging
import uuid
from dataclasses import fields

from h2odash.engine.create_frame import CreateFrameSpec, start_create_frame, start_missing_inserter
from h2odash.server.endpoint import Endpoint
from h2odash.server.params import Param, Schema
from h2odash.server.schemas import envelope, job_v3

log = logging.getLogger("h2odash.server")


def log_and_echo(call):
    message = call.params.get("message")
    log.info("%s", message)
    return envelope("LogAndEchoV3", message=message)


def create_frame(call):
    given = {f.name: call.params[f.name] for f in fields(CreateFrameSpec) if call.params.get(f.name) is not None}
    destination = call.params.get("dest") or f"frame_{uuid.uuid4().hex[:16]}"
    return job_v3(start_create_frame(call.engine, CreateFrameSpec(**given), destination))


def missing_inserter(call):
    p = call.params
    return job_v3(start_missing_inserter(call.engine, p["dataset"], p["fraction"], p.get("seed")))


_DEFAULTS = CreateFrameSpec()
_CREATE_FRAME_PARAMS = (
    Param("dest", "key", help="Destination key (a random one if not given)."),
    Param("rows", "int", _DEFAULTS.rows, help="Number of rows."),
    Param("cols", "int", _DEFAULTS.cols, help="Number of data columns (in addition to the first response column)."),
    Param("seed", "int", _DEFAULTS.seed, help="Random number seed that determines the random values (-1: a new one)."),
    Param("seed_for_column_types", "int", _DEFAULTS.seed_for_column_types,
          help="Random number seed for setting the column types (-1: the seed)."),
    Param("randomize", "bool", _DEFAULTS.randomize, help="Whether frame should be randomized."),
    Param("value", "int", _DEFAULTS.value, help="Constant value (for randomize=false)."),
    Param("real_range", "int", _DEFAULTS.real_range, help="Range for real variables (-range ... range)."),
    Param("categorical_fraction", "float", _DEFAULTS.categorical_fraction,
          help="Fraction of categorical columns (for randomize=true)."),
    Param("factors", "int", _DEFAULTS.factors, help="Factor levels for categorical variables."),
    Param("integer_fraction", "float", _DEFAULTS.integer_fraction, help="Fraction of integer columns (for randomize=true)."),
    Param("integer_range", "int", _DEFAULTS.integer_range, help="Range for integer variables (-range ... range)."),
    Param("binary_fraction", "float", _DEFAULTS.binary_fraction, help="Fraction of binary columns (for randomize=true)."),
    Param("binary_ones_fraction", "float", _DEFAULTS.binary_ones_fraction, help="Fraction of 1's in binary columns."),
    Param("time_fraction", "float", _DEFAULTS.time_fraction, help="Fraction of date/time columns (for randomize=true)."),
    Param("string_fraction", "float", _DEFAULTS.string_fraction, help="Fraction of string columns (for randomize=true)."),
    Param("missing_fraction", "float", _DEFAULTS.missing_fraction, help="Fraction of missing values."),
    Param("has_response", "bool", _DEFAULTS.has_response, help="Whether an additional response column should be generated."),
    Param("response_factors", "int", _DEFAULTS.response_factors,
          help="Number of factor levels of the first column (1=real, 2=binomial, N=multinomial)."),
    Param("positive_response", "bool", _DEFAULTS.positive_response,
          help="For real-valued response variable: Whether the response should be positive only."),
)

ENDPOINTS = [
    Endpoint("POST", "/3/LogAndEcho", log_and_echo, "Log a message on the server and echo it back.",
             Schema("LogAndEchoV3", (Param("message", "str", help="Message to be Logged and Echoed."),)),
             "LogAndEchoV3"),
    Endpoint("POST", "/3/CreateFrame", create_frame, "Create a frame of random data (a job).",
             Schema("CreateFrameV3", _CREATE_FRAME_PARAMS), "JobV3"),
    Endpoint("POST", "/3/MissingInserter", missing_inserter,
             "Set a random fraction of a frame's cells to missing, in place (a job).",
             Schema("MissingInserterV3", (
                 Param("dataset", "key", required=True, help="dataset"),
                 Param("fraction", "float", required=True, help="Fraction of data to replace with a missing value."),
                 Param("seed", "int", help="Seed (a random one if not given)."),
             )), "JobV3"),
]
