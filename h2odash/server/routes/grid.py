"""Grid search: start one (a job), read it while it grows."""

import json
import re

from h2odash.engine import algos
from h2odash.engine.grid import Grid, hyper_parameter_name, start_grid
from h2odash.server.automl_schemas import grid_start_v99, grid_v99, grids_v99
from h2odash.server.endpoint import Endpoint
from h2odash.server.params import Param, ParamError, Schema, convert, is_absent
from h2odash.server.routes.model_builders import _KINDS, decode_model_parameters

# Fields of a grid request that are not the algorithm's parameters.
_GRID_FIELDS = ("hyper_parameters", "search_criteria", "grid_id", "parallelism", "export_checkpoints_dir",
                "recovery_dir")


def parse_h2o_map(name, value):
    """A map from a JSON object, its JSON text, or the text H2O's Python client sends, where
    strings are unquoted: ``{"strategy": RandomDiscrete, "max_models": 3}``."""
    if is_absent(value):
        return None
    if isinstance(value, dict):
        return value
    text = str(value).strip()
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError:
        parsed = _loads_unquoted(name, text)
    if not isinstance(parsed, dict):
        raise ParamError(name, f"Parameter '{name}' must be a map of names to values, got {text[:60]!r}.")
    return parsed


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|[\[\]{}:,]|[^\s\[\]{}:,"\']+|\s+')


def _loads_unquoted(name, text):
    parts = []
    for token in _TOKEN.findall(text):
        if token.startswith("'"):
            token = json.dumps(token[1:-1])
        elif token.strip() and token not in "[]{}:," and not token.startswith('"'):
            try:
                json.loads(token)
            except json.JSONDecodeError:
                token = json.dumps(token)
        parts.append(token)
    try:
        return json.loads("".join(parts))
    except json.JSONDecodeError as exc:
        raise ParamError(name, f"Parameter '{name}' is not a readable map: {exc.msg}.")


def _typed_hyper_parameters(algorithm, raw):
    hyper = parse_h2o_map("hyper_parameters", raw)
    if hyper is None:
        raise ParamError("hyper_parameters", "Required parameter 'hyper_parameters' is missing.")
    typed = {}
    for name, values in hyper.items():
        name = hyper_parameter_name(algorithm, name)
        kind = _KINDS.get(algorithm.parameters[name].type, "json")
        values = values if isinstance(values, list) else [values]
        typed[name] = [convert(Param(name, kind), v) for v in values]
    return typed


def start(call):
    algorithm = algos.get(call.params["algo"])
    raw = {k: v for k, v in call.params.items() if k != "algo" and k not in _GRID_FIELDS}
    given = decode_model_parameters(algorithm, raw)
    hyper = _typed_hyper_parameters(algorithm, call.params.get("hyper_parameters"))
    criteria = parse_h2o_map("search_criteria", call.params.get("search_criteria")) or {}
    parallelism = call.params.get("parallelism")
    if not is_absent(parallelism) and str(parallelism).strip() not in ("0", "1"):
        raise ParamError("parallelism", "This engine builds grid models one at a time; leave parallelism at 1.")
    grid_id = call.params.get("grid_id")
    grid_id = convert(Param("grid_id", "key"), grid_id) if not is_absent(grid_id) else None
    job = start_grid(call.engine, algorithm.name, given, hyper, criteria, grid_id)
    grid = call.engine.store.get(job.dest_key, Grid, "grid_id")
    return grid_start_v99(grid, job, {**{"strategy": "Cartesian"}, **criteria})


def get_grid(call):
    grid = call.engine.store.get(call.params["grid_id"], Grid, "grid_id")
    return grid_v99(call.engine, grid, call.params.get("sort_by"), call.params.get("decreasing"))


def list_grids(call):
    return grids_v99(call.engine, call.engine.store.values(Grid))


_ALGO = Param("algo", "str", required=True, help="Algorithm to search over: gbm, drf, xgboost, glm, deeplearning ...")
_START = Schema("GridSearchSchema", (_ALGO,), open=True)
_GRID = Schema("GridSchemaV99", (
    Param("grid_id", "key", required=True, help="Key of the grid."),
    Param("sort_by", "str", help="Metric to sort the models by (default: logloss, or residual_deviance for "
                                 "regression)."),
    Param("decreasing", "bool", help="Sort largest first (default: the metric's better direction)."),
))

ENDPOINTS = [
    Endpoint("POST", "/99/Grid/{algo}", start, "Start a grid search over hyper-parameters (a job).", _START,
             "GridSearchSchema"),
    Endpoint("POST", "/3/Grid/{algo}", start, "Start a grid search over hyper-parameters (a job).", _START,
             "GridSearchSchema"),
    Endpoint("GET", "/99/Grids", list_grids, "List the grids.", Schema("GridsV99"), "GridsV99"),
    Endpoint("GET", "/99/Grids/{grid_id}", get_grid, "A grid: its models sorted by a metric, and its failures.",
             _GRID, "GridSchemaV99"),
    Endpoint("GET", "/3/Grid/{grid_id}", get_grid, "A grid: its models sorted by a metric, and its failures.",
             _GRID, "GridSchemaV99"),
]
